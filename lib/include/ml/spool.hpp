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

class spool {
 public:
  spool();  ///< throws ml::error 74 when no temporary file can be made (names TMPDIR)
  ~spool();
  spool(const spool&) = delete;
  spool& operator=(const spool&) = delete;
  /// Appends bytes; throws ml::error 74 (the cause, and TMPDIR) when they cannot be written.
  void append(std::string_view bytes);
  /// Switches from writing to reading from the start.
  void start_reading();
  /// Reads the next `size` bytes into `out`.
  void read(std::string& out, std::size_t size);
  /// Copies everything written to `out` (after start_reading, or instead of it).
  void copy_to(output& out);

 private:
  std::FILE* file_ = nullptr;
  std::vector<char> buffer_;
};

}  // namespace ml
