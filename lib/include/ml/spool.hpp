// SPDX-License-Identifier: Apache-2.0
// Records kept in an unnamed temporary file (removed by the system even after a crash)
// rather than in memory: written in order, then read back in the same order, so a million
// records cost no more memory than a thousand.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

namespace ml {

class output;

/// The folder for temporary files: `dir` when given, else $TMPDIR when set, else /tmp.
std::string temp_dir(const std::string& dir = {});

/// Opens an unnamed temporary file (read-write, removed by the system when closed, even
/// after a crash) in temp_dir(dir). Throws ml::error 74 naming the folder when it cannot.
int open_temp_fd(const std::string& dir = {});

/// Throws ml::error 74 for a temporary file in `dir`: `what` went wrong, with errno `err`'s
/// text and `fix` (where to put such files instead).
[[noreturn]] void temp_file_error(const std::string& dir, std::string_view what, int err,
                                  std::string_view fix);

/// Reads up to `n` bytes at offset `off` of `fd` (short reads and EINTR retried), fewer only
/// where the file ends; returns how many, or -errno.
long long pread_upto(int fd, long long off, char* p, std::size_t n) noexcept;
/// Reads exactly `n` bytes at offset `off` of `fd` (short reads and EINTR retried). Returns 0,
/// or the errno that stopped it (ENODATA when the file ends first).
int pread_full(int fd, long long off, char* p, std::size_t n) noexcept;
/// Writes exactly `n` bytes at offset `off` of `fd`. Returns 0, or the errno that stopped it.
int pwrite_full(int fd, long long off, const char* p, std::size_t n) noexcept;

class spool {
 public:
  /// In temp_dir(dir); throws ml::error 74 when no temporary file can be made there.
  explicit spool(const std::string& dir = {});
  ~spool();
  spool(const spool&) = delete;
  spool& operator=(const spool&) = delete;
  /// Appends bytes; throws ml::error 74 (the cause, and TMPDIR) when they cannot be written.
  void append(std::string_view bytes);
  /// Switches from writing to reading from the start.
  void start_reading();
  /// Reads the next `size` bytes into `out`.
  void read(std::string& out, std::size_t size);
  /// Reads up to `size` bytes into `p`; returns how many (0 at the end).
  std::size_t read_some(char* p, std::size_t size);
  /// The file's descriptor, for reading at offsets (pread) after start_reading().
  int fd() const;
  /// Copies everything written to `out` (after start_reading, or instead of it).
  void copy_to(output& out);

 private:
  std::FILE* file_ = nullptr;
  std::string dir_;
  std::vector<char> buffer_;
};

}  // namespace ml
