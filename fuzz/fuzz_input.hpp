// SPDX-License-Identifier: Apache-2.0
// Helpers for the fuzz targets: the fuzzer's bytes as a file the readers can open (a memfd,
// seen as /proc/self/fd/N), and the errors a reader may throw on bad input (ml::error) told
// apart from crashes, which the fuzzer catches itself.
#pragma once

#include <sys/mman.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <string>

namespace ml::fuzz {

/// The bytes as a file; closed (and gone) when the object is.
class mem_file {
 public:
  mem_file(const std::uint8_t* data, std::size_t size) {
    fd_ = ::memfd_create("ml-fuzz", MFD_CLOEXEC);
    if (fd_ < 0) __builtin_trap();
    std::size_t off = 0;
    while (off < size) {
      ssize_t n = ::write(fd_, data + off, size - off);
      if (n <= 0) __builtin_trap();
      off += static_cast<std::size_t>(n);
    }
    ::lseek(fd_, 0, SEEK_SET);
    path_ = "/proc/self/fd/" + std::to_string(fd_);
  }
  ~mem_file() { ::close(fd_); }
  mem_file(const mem_file&) = delete;
  mem_file& operator=(const mem_file&) = delete;
  const std::string& path() const { return path_; }

 private:
  int fd_ = -1;
  std::string path_;
};

}  // namespace ml::fuzz
