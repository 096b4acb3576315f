// SPDX-License-Identifier: Apache-2.0
#include "ml/spool.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fmt/format.h>

#include "ml/error.hpp"
#include "ml/output.hpp"

namespace ml {

namespace {

constexpr std::string_view tmpdir_fix = "set TMPDIR (ml-gather: --temp-dir) to a folder with free space";

[[noreturn]] void fail_in(const std::string& dir, std::string_view what, int e) {
  temp_file_error(dir, what, e, tmpdir_fix);
}

}  // namespace

void temp_file_error(const std::string& dir, std::string_view what, int err, std::string_view fix) {
  throw io_error("temporary file in " + dir, fmt::format("{} ({}); {}", what, std::strerror(err), fix));
}

long long pread_upto(int fd, long long off, char* p, std::size_t n) noexcept {
  std::size_t done = 0;
  while (done < n) {
    const ssize_t r = ::pread(fd, p + done, n - done, static_cast<off_t>(off) + static_cast<off_t>(done));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return -errno;
    if (r == 0) break;
    done += static_cast<std::size_t>(r);
  }
  return static_cast<long long>(done);
}

int pread_full(int fd, long long off, char* p, std::size_t n) noexcept {
  const long long got = pread_upto(fd, off, p, n);
  if (got < 0) return static_cast<int>(-got);
  return static_cast<std::size_t>(got) < n ? ENODATA : 0;
}

int pwrite_full(int fd, long long off, const char* p, std::size_t n) noexcept {
  std::size_t done = 0;
  while (done < n) {
    const ssize_t r = ::pwrite(fd, p + done, n - done, static_cast<off_t>(off) + static_cast<off_t>(done));
    if (r < 0 && errno == EINTR) continue;
    if (r < 0) return errno;
    if (r == 0) return ENOSPC;
    done += static_cast<std::size_t>(r);
  }
  return 0;
}

std::string temp_dir(const std::string& dir) {
  if (!dir.empty()) return dir;
  const char* env = std::getenv("TMPDIR");
  return env && *env ? env : "/tmp";
}

int open_temp_fd(const std::string& dir_in) {
  const std::string dir = temp_dir(dir_in);
  // Unnamed where the file system can (O_TMPFILE); else a name removed at once. Either way
  // nothing is left behind, whatever ends the run. (std::tmpfile ignores TMPDIR.)
  int fd = ::open(dir.c_str(), O_RDWR | O_TMPFILE | O_EXCL | O_CLOEXEC, 0600);
  if (fd >= 0) return fd;
  if (errno != EOPNOTSUPP && errno != EISDIR && errno != EINVAL) fail_in(dir, "cannot create one", errno);
  std::string pattern = dir + "/.ml-tmp-XXXXXX";
  fd = ::mkostemp(pattern.data(), O_CLOEXEC);
  if (fd < 0) fail_in(dir, "cannot create one", errno);
  ::unlink(pattern.c_str());
  return fd;
}

spool::spool(const std::string& dir) : dir_(temp_dir(dir)), buffer_(1 << 20) {
  int fd = open_temp_fd(dir_);
  file_ = ::fdopen(fd, "w+b");
  if (!file_) {
    int e = errno;
    ::close(fd);
    fail_in(dir_, "cannot open one", e);
  }
  std::setvbuf(file_, buffer_.data(), _IOFBF, buffer_.size());
}

spool::~spool() {
  if (file_) std::fclose(file_);
}

void spool::append(std::string_view bytes) {
  if (std::fwrite(bytes.data(), 1, bytes.size(), file_) != bytes.size()) fail_in(dir_, "cannot write", errno);
}

void spool::start_reading() {
  if (std::fflush(file_) != 0) fail_in(dir_, "cannot write", errno);
  if (std::fseek(file_, 0, SEEK_SET) != 0) fail_in(dir_, "cannot read back", errno);
}

void spool::read(std::string& out, std::size_t size) {
  out.resize(size);
  if (size && std::fread(out.data(), 1, size, file_) != size) fail_in(dir_, "cannot read back", errno);
}

int spool::fd() const { return ::fileno(file_); }

std::size_t spool::read_some(char* p, std::size_t size) {
  std::size_t n = std::fread(p, 1, size, file_);
  if (n < size && std::ferror(file_)) fail_in(dir_, "cannot read back", errno);
  return n;
}

void spool::copy_to(output& out) {
  start_reading();
  std::string buf(1 << 16, '\0');
  std::size_t n;
  while ((n = std::fread(buf.data(), 1, buf.size(), file_)) > 0) out.write({buf.data(), n});
  if (std::ferror(file_)) fail_in(dir_, "cannot read back", errno);
}

}  // namespace ml
