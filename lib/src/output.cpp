// SPDX-License-Identifier: Apache-2.0
#include "ml/output.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <algorithm>
#include <filesystem>

#include <fmt/format.h>

#include "ml/error.hpp"
#include "ml/spool.hpp"

namespace ml {

namespace {
std::string errno_text(int e) { return std::strerror(e); }

// Temporary files to remove if the run is interrupted (SIGINT, SIGTERM, SIGHUP): a fixed
// table of fixed buffers, so the signal handler only calls async-signal-safe unlink().
constexpr int max_temps = 16;
char g_temps[max_temps][4096];
volatile sig_atomic_t g_temp_used[max_temps];

}  // namespace

void remove_temp_files() noexcept {
  for (int i = 0; i < max_temps; ++i)
    if (g_temp_used[i]) ::unlink(g_temps[i]);
}

namespace {

void on_signal(int sig) {
  remove_temp_files();
  ::signal(sig, SIG_DFL);
  ::raise(sig);  // die of the signal, so the shell sees 128+N (130 for Ctrl-C)
}

int register_temp(const std::string& path) {
  static bool installed = false;
  if (!installed) {
    installed = true;
    for (int sig : {SIGINT, SIGTERM, SIGHUP}) {
      struct sigaction sa {};
      sa.sa_handler = on_signal;
      sigemptyset(&sa.sa_mask);
      ::sigaction(sig, &sa, nullptr);
    }
  }
  if (path.size() >= sizeof g_temps[0]) return -1;
  for (int i = 0; i < max_temps; ++i)
    if (!g_temp_used[i]) {
      std::memcpy(g_temps[i], path.c_str(), path.size() + 1);
      g_temp_used[i] = 1;
      return i;
    }
  return -1;
}

void unregister_temp(int slot) {
  if (slot >= 0) g_temp_used[slot] = 0;
}
}  // namespace

output::output(std::string path) : path_(std::move(path)) {
  buf_.reserve(flush_at_ + 4096);
  if (path_.empty() || path_ == "-") {
    path_ = "-";
    fd_ = 1;
    return;
  }
  // A device or a pipe (/dev/null, /dev/full, a FIFO) cannot be replaced by a rename: write
  // to it directly.
  struct stat existing {};
  if (::stat(path_.c_str(), &existing) == 0 && !S_ISREG(existing.st_mode)) {
    if (S_ISDIR(existing.st_mode)) throw cant_create_error(path_, "is a directory");
    fd_ = ::open(path_.c_str(), O_WRONLY | O_CLOEXEC);
    if (fd_ < 0) throw cant_create_error(path_, errno_text(errno));
    direct_ = true;
    return;
  }
  namespace fs = std::filesystem;
  fs::path target(path_);
  fs::path dir = target.parent_path();
  if (dir.empty()) dir = ".";
  std::string pattern = (dir / ("." + target.filename().string() + ".tmp-XXXXXX")).string();
  fd_ = ::mkstemp(pattern.data());
  if (fd_ < 0) throw cant_create_error(path_, errno_text(errno));
  tmp_path_ = pattern;
  temp_slot_ = register_temp(tmp_path_);
  // Keep the permissions a plain creation would have had (mkstemp uses 0600): output may
  // hold respondents' words, so we do not widen them beyond the umask either.
  mode_t mask = ::umask(0);
  ::umask(mask);
  struct stat st {};
  if (::stat(path_.c_str(), &st) == 0)
    ::fchmod(fd_, st.st_mode & 07777);
  else
    ::fchmod(fd_, 0666 & ~mask);
}

output::~output() {
  if (rw_fd_ >= 0 && rw_fd_ != fd_) ::close(rw_fd_);
  if (direct_) {
    if (fd_ >= 0) ::close(fd_);
    return;
  }
  if (fd_ != 1 && !committed_) {
    ::close(fd_);
    ::unlink(tmp_path_.c_str());
  }
  unregister_temp(temp_slot_);
}

void output::flush() {
  if (buf_.empty()) return;
  std::string_view pending(buf_);
  try {
    write_all(pending);
  } catch (...) {
    buf_.clear();
    throw;
  }
  buf_.clear();
}

void output::write(std::string_view s) {
  if (buf_.size() + s.size() <= flush_at_) {
    buf_.append(s);
    return;
  }
  flush();
  if (s.size() < flush_at_) {
    buf_.append(s);
    return;
  }
  // Large pieces go straight to the file: no copy through the buffer.
  write_all(s);
}

void output::copy_from(int fd, long long offset, std::size_t len, const std::string& what) {
  flush();
  auto off = static_cast<off_t>(offset);
  // In the kernel, page cache to page cache, where both are files on one that can.
  while (len > 0 && try_copy_range_) {
    ssize_t n = ::copy_file_range(fd, &off, fd_, nullptr, len, 0);
    if (n > 0) {
      len -= static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EXDEV || errno == EINVAL || errno == ENOSYS || errno == EOPNOTSUPP ||
                  errno == EBADF || errno == ETXTBSY || errno == EPERM)) {
      try_copy_range_ = false;  // a pipe, a device, another file system: read and write
      break;
    }
    if (n < 0) throw io_error(display_name(), "write failed: " + errno_text(errno));
    throw io_error(what, "cannot read back: ended early");
  }
  // Into a pipe: moved from the page cache by splice, without a copy through this process.
  while (len > 0 && try_splice_) {
    ssize_t n = ::splice(fd, &off, fd_, nullptr, len, SPLICE_F_MORE);
    if (n > 0) {
      len -= static_cast<std::size_t>(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EPIPE && fd_ == 1) throw broken_pipe();
    if (n < 0 && (errno == EINVAL || errno == ENOSYS || errno == EBADF)) {
      try_splice_ = false;  // not a pipe: read and write
      break;
    }
    if (n < 0) throw io_error(display_name(), "write failed: " + errno_text(errno));
    throw io_error(what, "cannot read back: ended early");
  }
  std::string buf;
  while (len > 0) {
    buf.resize(std::min<std::size_t>(len, std::size_t{1} << 20));
    ssize_t n = ::pread(fd, buf.data(), buf.size(), off);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) throw io_error(what, "cannot read back: " + errno_text(errno));
    if (n == 0) throw io_error(what, "cannot read back: ended early");
    write_all(std::string_view(buf.data(), static_cast<std::size_t>(n)));
    off += n;
    len -= static_cast<std::size_t>(n);
  }
}

long long output::rewritable_position() {
  flush();
  if (direct_) return -1;
  struct stat st {};
  if (::fstat(fd_, &st) != 0 || !S_ISREG(st.st_mode)) return -1;
  // Messages written into the same file (`> out 2>&1`) would lie among the records.
  struct stat err {};
  if (::fstat(2, &err) == 0 && err.st_dev == st.st_dev && err.st_ino == st.st_ino) return -1;
  const int flags = ::fcntl(fd_, F_GETFL);
  if (flags < 0 || (flags & O_APPEND)) return -1;
  if (rw_fd_ < 0 && (flags & O_ACCMODE) == O_RDWR) rw_fd_ = fd_;
  if (rw_fd_ < 0) {
    // Standard output redirected to a file (`> out.jsonl`) is open for writing only: open the
    // same file again to read it back, where the file's permissions allow.
    int fd = ::open(fmt::format("/proc/self/fd/{}", fd_).c_str(), O_RDWR | O_CLOEXEC);
    struct stat again {};
    if (fd >= 0 && ::fstat(fd, &again) == 0 && again.st_dev == st.st_dev && again.st_ino == st.st_ino)
      rw_fd_ = fd;
    else if (fd >= 0)
      ::close(fd);
  }
  if (rw_fd_ < 0) return -1;
  const off_t at = ::lseek(fd_, 0, SEEK_CUR);
  // Only at the file's end: cutting it short must not take away what lay beyond (`1<>FILE`).
  if (at < 0 || at != st.st_size) return -1;
  return static_cast<long long>(at);
}

void output::read_back(long long at, std::size_t len, std::string& out) {
  out.resize(len);
  if (int e = pread_full(rw_fd_, at, out.data(), len))
    throw io_error(display_name(), e == ENODATA ? std::string("cannot read back: ended early")
                                            : "cannot read back: " + errno_text(e));
}

void output::move_back(long long from, long long to, long long len) {
  if (from == to || len <= 0) return;
  std::string buf;
  while (len > 0) {
    const auto n = static_cast<std::size_t>(std::min<long long>(len, 1 << 20));
    read_back(from, n, buf);
    if (int e = pwrite_full(rw_fd_, to, buf.data(), n))
      throw io_error(display_name(), "write failed: " + errno_text(e));
    from += static_cast<long long>(n);
    to += static_cast<long long>(n);
    len -= static_cast<long long>(n);
  }
}

void output::truncate(long long size) {
  flush();
  if (::ftruncate(fd_, static_cast<off_t>(size)) != 0 || ::lseek(fd_, static_cast<off_t>(size), SEEK_SET) < 0)
    throw io_error(display_name(), "cannot cut the file short: " + errno_text(errno));
}

void output::write_all(std::string_view s) {
  std::size_t off = 0;
  while (off < s.size()) {
    ssize_t n = ::write(fd_, s.data() + off, s.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      int e = errno;
      if (e == EPIPE && fd_ == 1) throw broken_pipe();
      throw io_error(display_name(), "write failed: " + errno_text(e));
    }
    off += static_cast<std::size_t>(n);
  }
}

void output::commit() {
  flush();
  if (fd_ == 1) return;
  if (committed_) return;
  if (direct_) {
    committed_ = true;
    if (::close(fd_) != 0) {
      fd_ = -1;
      throw io_error(path_, "cannot close: " + errno_text(errno));
    }
    fd_ = -1;
    return;
  }
  if (durable_ && ::fsync(fd_) != 0 && errno != EINVAL)
    throw io_error(path_, "cannot sync: " + errno_text(errno));
  if (::close(fd_) != 0) throw io_error(path_, "cannot close: " + errno_text(errno));
  int renamed = ::rename(tmp_path_.c_str(), path_.c_str());
  unregister_temp(temp_slot_);
  temp_slot_ = -1;
  if (renamed != 0) {
    int e = errno;
    ::unlink(tmp_path_.c_str());
    committed_ = true;
    throw cant_create_error(path_, "cannot rename into place: " + errno_text(e));
  }
  committed_ = true;
}

void check_inputs_and_outputs(const std::vector<std::string>& inputs,
                              const std::vector<std::string>& outputs) {
  if (std::count(inputs.begin(), inputs.end(), "-") > 1)
    throw usage_error("stdin ('-') can be read only once");
  for (const auto& path : inputs) {
    struct stat a {}, b {};
    if (path == "-" || ::stat(path.c_str(), &a) != 0 || !S_ISREG(a.st_mode)) continue;
    for (const auto& target : outputs)
      if (!target.empty() && target != "-" && ::stat(target.c_str(), &b) == 0 &&
          a.st_dev == b.st_dev && a.st_ino == b.st_ino)
        throw usage_error(fmt::format("{} is both an input and an output; write the output to "
                                      "another file",
                                      path));
  }
}

}  // namespace ml
