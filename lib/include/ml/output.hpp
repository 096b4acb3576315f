// SPDX-License-Identifier: Apache-2.0
// Buffered output to stdout or to a file written atomically: a file output goes to a
// temporary name beside the target and is renamed over it only by commit(), so a crash or
// an error never leaves half a file and an old file stays intact until the new one is whole.
#pragma once

#include <string>
#include <vector>
#include <string_view>

namespace ml {

/// Refuses (usage error, 64) a command line that reads stdin more than once or names an
/// input file as one of the `outputs` (the output would overwrite the input it reads).
/// Empty and "-" outputs are not files and are skipped.
void check_inputs_and_outputs(const std::vector<std::string>& inputs,
                              const std::vector<std::string>& outputs);

/// Removes the temporary files of outputs not yet committed; async-signal-safe (only
/// unlink()), for a handler of a fatal signal.
void remove_temp_files() noexcept;

class output {
 public:
  /// `path` empty or "-" means standard output. Throws ml::error (73) if the temporary file
  /// cannot be created.
  explicit output(std::string path = "-");
  ~output();  ///< removes the temporary file if commit() was not reached
  output(const output&) = delete;
  output& operator=(const output&) = delete;

  /// Appends bytes; flushes when the buffer is full. Throws ml::error (74) on a write error,
  /// ml::broken_pipe when stdout's reader has gone.
  void write(std::string_view s);
  void line(std::string_view s) {
    write(s);
    put('\n');
  }
  void put(char c) {
    if (buf_.size() >= flush_at_) flush();
    buf_.push_back(c);
  }
  void flush();
  /// Appends `len` bytes of the file `fd` from `offset` (after what was written before),
  /// copied inside the kernel where it can (copy_file_range to a file, splice to a pipe),
  /// else read and written.
  /// `what` names `fd` in a read error.
  void copy_from(int fd, long long offset, std::size_t len, const std::string& what);

  // For records written in place and then some taken out again (ml-gather past
  // --index-memory), on an output that is a file:
  /// Flushes and returns where the next byte goes in the file, or -1 when the output cannot
  /// be rewritten (a pipe, a device, a terminal, a file opened to append to).
  long long rewritable_position();
  /// Reads `len` bytes at `at` of the file into `out`.
  void read_back(long long at, std::size_t len, std::string& out);
  /// Moves `len` bytes at `from` back to `to` (to <= from).
  void move_back(long long from, long long to, long long len);
  /// Cuts the file at `size`; what is written next goes there.
  void truncate(long long size);
  /// Flushes, syncs and renames the temporary file into place (files) or flushes (stdout).
  void commit();

  /// With `false`, commit() does not fsync the file before renaming it: the rename still
  /// happens only after the whole file is written and closed, so a killed process never
  /// leaves half a file, but after a power loss the file may be empty until the caller has
  /// synced the file system (::syncfs). For many small files that are synced once at the end.
  void set_durable(bool durable) { durable_ = durable; }

  const std::string& path() const { return path_; }
  bool is_stdout() const { return fd_ == 1; }
  /// Name shown in messages: the path, or "<stdout>".
  std::string display_name() const { return is_stdout() ? "<stdout>" : path_; }

 private:
  void write_all(std::string_view s);
  std::string path_, tmp_path_;
  int fd_ = 1;
  bool committed_ = false;
  bool direct_ = false;
  bool durable_ = true;
  bool try_copy_range_ = true, try_splice_ = true;
  int rw_fd_ = -1;  // fd_, or the same file opened again for reading back (rewritable_position)
  int temp_slot_ = -1;  // in the table the interrupt handler cleans up  // a device or FIFO, written in place
  std::string buf_;
  std::size_t flush_at_ = 1 << 16;
};

}  // namespace ml
