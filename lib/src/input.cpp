// SPDX-License-Identifier: Apache-2.0
// Byte and text input with encoding detection and conversion to UTF-8.
#include "ml/input.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unicode/ucnv.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <system_error>
#include <thread>
#include <vector>
#include <fmt/format.h>

#include "ml/error.hpp"
#include "ml/output.hpp"
#include "ml/spool.hpp"
#include "ml/text.hpp"
#include "ml/utf8.hpp"

namespace ml {

namespace {

constexpr std::size_t chunk_size = 1 << 18;
constexpr std::size_t sniff_size = 1 << 16;

long long count_newlines(std::string_view s) {
  long long n = 0;
  const char* p = s.data();
  const char* end = p + s.size();
  while ((p = static_cast<const char*>(std::memchr(p, '\n', static_cast<std::size_t>(end - p))))) {
    ++n;
    ++p;
  }
  return n;
}

// Windows-1252 bytes 0x80..0x9F; the five undefined ones map to the C1 controls, as the
// WHATWG Encoding Standard does (tidying removes those later).
constexpr char16_t cp1252_high[32] = {
    0x20AC, 0x0081, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160,
    0x2039, 0x0152, 0x008D, 0x017D, 0x008F, 0x0090, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022,
    0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0x009D, 0x017E, 0x0178};

void append_utf8(std::string& out, char32_t cp) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

void cp1252_to_utf8(std::string_view in, std::string& out) {
  for (unsigned char c : in) {
    if (c < 0x80)
      out.push_back(static_cast<char>(c));
    else if (c < 0xA0)
      append_utf8(out, cp1252_high[c - 0x80]);
    else
      append_utf8(out, c);
  }
}

std::string canonical_encoding(std::string name) {
  std::string n = ascii_lower(name);
  n.erase(std::remove_if(n.begin(), n.end(), [](char c) { return c == '-' || c == '_'; }),
          n.end());
  if (n == "utf8") return "utf-8";
  if (n == "windows1252" || n == "cp1252" || n == "latin1" || n == "iso88591" || n == "l1")
    return "windows-1252";
  if (n == "utf16le") return "utf-16le";
  if (n == "utf16be") return "utf-16be";
  if (n == "utf16") return "utf-16";
  return name;
}

}  // namespace

// ---------------------------------------------------------------------------------------------

byte_input::byte_input(const std::string& path) {
  if (path == "-" || path.empty()) {
    name_ = "<stdin>";
    fd_ = 0;
  } else {
    name_ = path;
    fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd_ < 0) throw no_input_error(path, std::strerror(errno));
    own_ = true;
  }
  struct stat st {};
  if (::fstat(fd_, &st) == 0 && S_ISREG(st.st_mode)) size_ = st.st_size;
  if (::fstat(fd_, &st) == 0 && S_ISDIR(st.st_mode)) {
    if (own_) ::close(fd_);
    own_ = false;
    throw no_input_error(path, "is a directory");
  }
}

byte_input::~byte_input() {
  if (own_) ::close(fd_);
}

std::size_t byte_input::read(std::string& out, std::size_t max) {
  // resize() zero-fills: for a file of known size, grow only by what is left (and a little,
  // to see the end or a file that grows), not by a whole chunk each call.
  if (size_ >= 0) {
    std::size_t left = size_ > consumed_ ? static_cast<std::size_t>(size_ - consumed_) : 0;
    max = std::min(max, left + 4096);
  }
  std::size_t old = out.size();
  out.resize(old + max);
  for (;;) {
    ssize_t n = ::read(fd_, out.data() + old, max);
    if (n < 0) {
      if (errno == EINTR) continue;
      int e = errno;
      out.resize(old);
      throw io_error(name_, fmt::format("read failed: {}", std::strerror(e)));
    }
    out.resize(old + static_cast<std::size_t>(n));
    consumed_ += n;
    return static_cast<std::size_t>(n);
  }
}

void byte_input::read_all(std::string& out, std::size_t limit) {
  if (size_ > 0) out.reserve(out.size() + static_cast<std::size_t>(size_ - consumed_));
  while (read(out, chunk_size) > 0) {
    if (out.size() > limit)
      throw data_error(name_, 0,
                       fmt::format("input larger than {} MiB cannot be read whole; split it or "
                                   "export it as CSV",
                                   limit >> 20));
  }
}

void byte_input::rewind() { seek(0); }

void byte_input::seek(long long offset) {
  if (::lseek(fd_, static_cast<off_t>(offset), SEEK_SET) < 0)
    throw io_error(name_, offset == 0 ? std::string("cannot seek to the start")
                                      : fmt::format("cannot seek to byte {}", offset));
  consumed_ = offset;
}

namespace {

// A mapped file cut short by another program while it is read: touching a page past its
// new end raises SIGBUS. That ends the run with a message naming the file, exit 74 (an I/O
// error) and no temporary output left behind, instead of a crash. Fixed buffers, so that the
// handler only calls async-signal-safe functions.
char g_mapped_msg[4352];
volatile sig_atomic_t g_mapped_msg_len = 0;

void on_sigbus(int) {
  if (g_mapped_msg_len > 0) {
    [[maybe_unused]] auto n = ::write(2, g_mapped_msg, static_cast<std::size_t>(g_mapped_msg_len));
  }
  remove_temp_files();
  ::_exit(exit_io);
}

void note_mapped(const std::string& name) {
  static const bool installed = [] {
    struct sigaction sa {};
    sa.sa_handler = on_sigbus;
    sigemptyset(&sa.sa_mask);
    return ::sigaction(SIGBUS, &sa, nullptr) == 0;
  }();
  (void)installed;
  const std::string msg = fmt::format(
      "{}: {}: the file was cut short while it was being read (another program changed it); "
      "nothing was written: run again on the complete file\n",
      program_invocation_short_name, name.substr(0, 4096));
  g_mapped_msg_len = 0;
  std::memcpy(g_mapped_msg, msg.data(), std::min(msg.size(), sizeof g_mapped_msg));
  g_mapped_msg_len = static_cast<sig_atomic_t>(std::min(msg.size(), sizeof g_mapped_msg));
}

// Lets go of the whole pages of a read-only file mapping within [from, to): they leave this
// process's memory (its RSS) but stay in the page cache, and touching them again maps them
// again, so a view into them stays valid. (madvise(MADV_DONTNEED) on a mapping of a file
// that is never written.)
// Returns where the pages let go of end (`from` when there were none).
long long release_pages(const char* map, long long from, long long to) noexcept {
  static const long long page = ::sysconf(_SC_PAGESIZE);
  const long long a = (from + page - 1) / page * page, b = to / page * page;
  if (b <= a) return from;
  ::madvise(const_cast<char*>(map) + a, static_cast<std::size_t>(b - a), MADV_DONTNEED);
  return b;
}

// One part of a file checked for UTF-8 by find_invalid_utf8.
struct utf8_part {
  long long begin = 0, end = 0;  // file offsets; `end` is an ASCII byte or the file's size
  bool last = false;             // ends at the file's size: a character may go on past it
  std::unique_ptr<char[]> buf;   // chunk_size + 4 bytes
  long long bad = -1;            // the first invalid byte's offset
  long long tail = -1;           // last part: where an unfinished character begins (or end)
  bool shrunk = false;           // the file ended before `end`: it was cut short meanwhile
  int err = 0;                   // a read error's errno
};

void check_utf8_part(int fd, const char* map, utf8_part& part) noexcept {
  if (map) {
    // Where it lies in the page cache (no copy), a few MiB at a time, each let go of once
    // checked: the pages stay in the page cache, but not in this process's memory (RSS).
    constexpr long long step = 1 << 20;
    long long at = part.begin;
    while (at < part.end) {
      const long long end = std::min(part.end, at + step);
      const bool open_end = end < part.end || part.last;
      const std::string_view v(map + at, static_cast<std::size_t>(end - at));
      std::size_t tail = v.size();
      const std::size_t bad = utf8_find_invalid(v, open_end, &tail);
      if (bad != std::string_view::npos) {
        part.bad = at + static_cast<long long>(bad);
        return;
      }
      release_pages(map, at, at + static_cast<long long>(tail));
      at += static_cast<long long>(tail);
      if (end == part.end) break;
    }
    part.tail = at;
    return;
  }
  char* buf = part.buf.get();
  std::size_t held = 0;     // bytes carried from the last chunk (an unfinished character)
  long long at = part.begin;  // the file offset of buf[0]
  long long next = part.begin;
  while (next < part.end) {
    const auto want = static_cast<std::size_t>(std::min<long long>(chunk_size, part.end - next));
    const long long got = pread_upto(fd, next, buf + held, want);
    if (got < 0) {
      part.err = static_cast<int>(-got);
      return;
    }
    part.shrunk = got < static_cast<long long>(want);
    next += got;
    const std::size_t n = held + static_cast<std::size_t>(got);
    // An unfinished character at the end of a chunk goes on in the next one, or past the
    // end of the last part (a file that grows), or of a file cut short (what is left of it
    // is read on after the parts); the other parts end before an ASCII byte.
    const bool open_end = next < part.end || part.last || part.shrunk;
    std::size_t tail = n;
    const std::size_t bad = utf8_find_invalid(std::string_view(buf, n), open_end, &tail);
    if (bad != std::string_view::npos) {
      part.bad = at + static_cast<long long>(bad);
      return;
    }
    held = n - tail;
    std::memmove(buf, buf + tail, held);
    at += static_cast<long long>(tail);
    if (part.shrunk) break;
  }
  part.tail = at;
}

// The offset of the first byte of the file from `from` on that is not valid UTF-8, or -1
// (and then `checked_end`: where the file ended when the check reached its end).
// A big file is checked in parts at once, one per core, each beginning at an ASCII byte (so
// never inside a character): the check of the whole file before reading it costs a fraction
// of a pass over the page cache. The end of a file that grew meanwhile is checked after.
long long find_invalid_utf8(byte_input& in, long long from, long long& checked_end,
                            const char* map = nullptr, long long map_len = 0) {
  const long long size = map ? map_len : in.size();
  const int fd = in.fd();
  constexpr long long min_part = 8 << 20;
  const long long cores = std::max(1u, std::min(8u, std::thread::hardware_concurrency()));
  const long long parts = std::clamp<long long>((size - from) / min_part, 1, cores);
  std::vector<long long> cuts{from};
  std::string probe;
  for (long long k = 1; k < parts; ++k) {
    const long long at = from + (size - from) * k / parts;
    const unsigned char* p;
    std::size_t n;
    if (map) {
      p = reinterpret_cast<const unsigned char*>(map + at);
      n = static_cast<std::size_t>(std::min<long long>(1 << 16, size - at));
    } else {
      probe.resize(std::size_t{1} << 16);
      const long long got = pread_upto(fd, at, probe.data(), probe.size());
      if (got < 0) throw io_error(in.name(), fmt::format("read failed: {}", std::strerror(static_cast<int>(-got))));
      n = static_cast<std::size_t>(got);
      p = reinterpret_cast<const unsigned char*>(probe.data());
    }
    const auto* ascii = std::find_if(p, p + n, [](unsigned char c) { return c < 0x80; });
    if (ascii == p + n) continue;  // 64 KiB without an ASCII byte: no cut here
    const long long cut = at + (ascii - p);
    if (cut > cuts.back()) cuts.push_back(cut);
  }
  std::vector<utf8_part> part(cuts.size());
  for (std::size_t i = 0; i < part.size(); ++i) {
    part[i].begin = cuts[i];
    part[i].end = i + 1 < cuts.size() ? cuts[i + 1] : std::max(size, from);
    part[i].last = i + 1 == cuts.size();
    if (!map) part[i].buf = std::make_unique<char[]>(chunk_size + 4);
  }
  {
    // A part whose thread cannot be started (a limit on threads) is checked here.
    std::vector<std::thread> threads;
    std::vector<std::size_t> here{0};
    for (std::size_t i = 1; i < part.size(); ++i) {
      try {
        threads.emplace_back(check_utf8_part, fd, map, std::ref(part[i]));
      } catch (const std::system_error&) {
        here.push_back(i);
      }
    }
    for (std::size_t i : here) check_utf8_part(fd, map, part[i]);
    for (auto& t : threads) t.join();
  }
  // From the unfinished character at the end (if any), or from where the file was found cut
  // short, to the end of the file as it is now.
  long long at = part.back().tail;
  for (const auto& p : part) {
    if (p.err) throw io_error(in.name(), fmt::format("read failed: {}", std::strerror(p.err)));
    if (p.bad >= 0) return p.bad;
    if (p.shrunk) {
      at = p.tail;
      break;
    }
  }
  in.seek(at);
  std::string buf;
  for (;;) {
    const bool more = in.read(buf, chunk_size) > 0;
    std::size_t tail = buf.size();
    const std::size_t bad = utf8_find_invalid(buf, more, &tail);
    if (bad != std::string_view::npos) return at + static_cast<long long>(bad);
    if (!more) {
      checked_end = at + static_cast<long long>(buf.size());
      return -1;
    }
    buf.erase(0, tail);
    at += static_cast<long long>(tail);
  }
}

// Newlines in the file's bytes [from, to).
long long count_newlines_in(byte_input& in, long long from, long long to) {
  std::string buf(chunk_size, '\0');
  long long n = 0;
  while (from < to) {
    const auto want = static_cast<std::size_t>(std::min<long long>(chunk_size, to - from));
    const long long got = pread_upto(in.fd(), from, buf.data(), want);
    if (got < 0) throw io_error(in.name(), fmt::format("read failed: {}", std::strerror(static_cast<int>(-got))));
    if (got == 0) break;  // cut short since
    n += count_newlines(std::string_view(buf.data(), static_cast<std::size_t>(got)));
    from += got;
  }
  return n;
}

}  // namespace

// ---------------------------------------------------------------------------------------------

struct text_input::impl {
  enum class mode { utf8, cp1252, icu } m = mode::utf8;
  bool validated = false;   // the whole input was checked to be UTF-8 already
  long long checked_from = 0, checked_end = 0;  // the file offsets that check covered
  std::string pending;      // raw bytes read but not yet converted
  std::string tail;         // an incomplete UTF-8 sequence carried to the next chunk
  bool eof = false;
  long long lines = 0;      // newlines handed out so far (for error positions)
  UConverter* src = nullptr;
  UConverter* utf8 = nullptr;
  UChar pivot[4096];
  UChar* pivot_source = pivot;
  UChar* pivot_target = pivot;
  bool icu_reset = true;
  // The file mapped read-only (check_utf8_part, take_mapped), unmapped when the last holder
  // lets go (text_input::mapping()).
  std::shared_ptr<const void> map_owner;
  std::size_t map_len = 0;
  const char* map() const { return static_cast<const char*>(map_owner.get()); }
  long long released = 0;                 // release_mapped: the file's pages before this

  ~impl() {
    if (src) ucnv_close(src);
    if (utf8) ucnv_close(utf8);
  }
};

text_input::text_input(byte_input& in, std::string encoding, warn_fn warn, std::string prefix)
    : in_(in), impl_(std::make_unique<impl>()) {
  auto& st = *impl_;
  st.pending = std::move(prefix);
  while (st.pending.size() < sniff_size && in_.read(st.pending, sniff_size - st.pending.size()) > 0) {
  }
  auto starts = [&](std::string_view bom) { return st.pending.compare(0, bom.size(), bom) == 0; };

  std::string want = encoding.empty() ? std::string() : canonical_encoding(encoding);
  std::string detected;
  std::size_t bom_len = 0;
  if (starts("\xEF\xBB\xBF")) {
    detected = "utf-8";
    bom_len = 3;
  } else if (starts("\xFF\xFE")) {
    detected = "utf-16le";
    bom_len = 2;
  } else if (starts("\xFE\xFF")) {
    detected = "utf-16be";
    bom_len = 2;
  } else if (st.pending.size() >= 4) {
    // UTF-16 without a BOM: text that is mostly ASCII has a NUL in every other byte.
    std::size_t n = std::min<std::size_t>(st.pending.size() & ~std::size_t{1}, 512);
    std::size_t even = 0, odd = 0;
    for (std::size_t i = 0; i < n; i += 2) {
      if (st.pending[i] == 0) ++even;
      if (st.pending[i + 1] == 0) ++odd;
    }
    if (odd * 10 > n * 4 && even == 0) detected = "utf-16le";
    if (even * 10 > n * 4 && odd == 0) detected = "utf-16be";
    if (!detected.empty() && want.empty())
      warn(fmt::format("{}: no byte-order mark, but the bytes look like {}; reading it so "
                       "(give --encoding if that is wrong)",
                       in_.name(), detected == "utf-16le" ? "UTF-16LE" : "UTF-16BE"));
  }
  if (want.empty() || want == detected || (want == "utf-16" && detected.rfind("utf-16", 0) == 0)) {
    if (bom_len) st.pending.erase(0, bom_len);
  } else if (want == "utf-8" && detected == "utf-8") {
    st.pending.erase(0, bom_len);
  }
  std::string enc = want.empty() ? (detected.empty() ? "utf-8" : detected) : want;
  if (want == "utf-16" && !detected.empty()) enc = detected;

  if (enc == "utf-8") {
    st.m = impl::mode::utf8;
    encoding_ = bom_len == 3 ? "utf-8-bom" : "utf-8";
    if (want.empty()) {
      // Not declared: check the bytes. A regular file is checked whole (a fast pass over the
      // page cache), so the decision holds for every line; a pipe is judged by its first 256 KiB.
      std::size_t bad = std::string_view::npos;
      long long bad_line = 0;
      if (in_.rewindable()) {
        // (What is pending, after the BOM, is the file from bom_len on.)
        const auto from = static_cast<long long>(bom_len);
        st.checked_from = from;
        // Checked, and then parsed (take_mapped), where it lies in the page cache.
        // The size now, not when the file was opened: a page past the end may not be read.
        struct stat sb {};
        const long long now = ::fstat(in_.fd(), &sb) == 0 ? std::min<long long>(sb.st_size, in_.size()) : 0;
        if (now > from) {
          const auto len = static_cast<std::size_t>(now);
          note_mapped(in_.name());
          if (void* p = ::mmap(nullptr, len, PROT_READ, MAP_PRIVATE, in_.fd(), 0); p != MAP_FAILED) {
            st.map_len = len;
            st.map_owner = std::shared_ptr<const void>(p, [len](const void* q) { ::munmap(const_cast<void*>(q), len); });
          }
        }
        if (const long long at = find_invalid_utf8(in_, from, st.checked_end, st.map(),
                                                   static_cast<long long>(st.map_len));
            at >= 0) {
          bad = static_cast<std::size_t>(at - from);
          bad_line = count_newlines_in(in_, from, at) + 1;
          st.map_owner.reset();
        }
        in_.rewind();
        std::string fresh;
        std::size_t want_n = st.pending.size() + bom_len;
        while (fresh.size() < want_n && in_.read(fresh, want_n - fresh.size()) > 0) {
        }
        st.pending = fresh.substr(bom_len);
        st.validated = bad == std::string_view::npos;
      } else {
        while (st.pending.size() < chunk_size && in_.read(st.pending, chunk_size - st.pending.size()) > 0) {
        }
        std::size_t tail_start = 0;
        std::size_t pos = utf8_find_invalid(st.pending, true, &tail_start);
        if (pos != std::string_view::npos) {
          bad = pos;
          bad_line = count_newlines(std::string_view(st.pending).substr(0, pos)) + 1;
        }
      }
      if (bad != std::string_view::npos) {
        st.m = impl::mode::cp1252;
        encoding_ = "windows-1252";
        warn(fmt::format("{}:{}: not valid UTF-8; reading the file as Windows-1252 (give "
                         "--encoding to choose another encoding)",
                         in_.name(), bad_line));
      }
    }
  } else if (enc == "windows-1252") {
    st.m = impl::mode::cp1252;
    encoding_ = enc;
  } else {
    UErrorCode err = U_ZERO_ERROR;
    st.src = ucnv_open(enc == "utf-16" ? "UTF-16" : enc.c_str(), &err);
    if (U_FAILURE(err) || !st.src)
      throw usage_error(fmt::format("unknown encoding '{}'; use a name such as utf-8, "
                                    "windows-1252, latin1, utf-16le, utf-16be, shift_jis, gb18030",
                                    encoding));
    ucnv_setToUCallBack(st.src, UCNV_TO_U_CALLBACK_STOP, nullptr, nullptr, nullptr, &err);
    err = U_ZERO_ERROR;
    st.utf8 = ucnv_open("UTF-8", &err);
    st.m = impl::mode::icu;
    encoding_ = enc;
  }
}

text_input::~text_input() = default;

const std::string& text_input::peek() {
  if (!has_peeked_) {
    has_peeked_ = true;
    const bool taken = taken_;
    while (peeked_.empty() && next(peeked_)) {
    }
    taken_ = taken;
  }
  return peeked_;
}

std::string_view text_input::take_mapped() {
  auto& st = *impl_;
  if (st.m != impl::mode::utf8 || !st.validated || taken_ || !st.map()) return {};
  const long long end = std::min(static_cast<long long>(st.map_len), st.checked_end);
  if (end <= st.checked_from) return {};
  // Everything up to `end` is handed out now: the peek and what is pending are copies of
  // its start.
  peeked_.clear();
  has_peeked_ = true;
  st.pending.clear();
  in_.seek(end);
  taken_ = true;
  return {st.map() + st.checked_from, static_cast<std::size_t>(end - st.checked_from)};
}

std::shared_ptr<const void> text_input::mapping() const { return impl_->map_owner; }

void text_input::release_mapped(std::size_t upto) {
  auto& st = *impl_;
  if (!st.map()) return;
  const long long to = std::min(st.checked_from + static_cast<long long>(upto), static_cast<long long>(st.map_len));
  if (to <= st.released) return;
  st.released = release_pages(st.map(), st.released, to);
}

bool text_input::next(std::string& out) {
  if (has_peeked_ && !peeked_.empty()) {
    out.append(peeked_);
    peeked_.clear();
    taken_ = true;
    return true;
  }
  taken_ = true;
  auto& st = *impl_;
  // UTF-8 checked whole already needs nothing done to it: read straight into `out` (no copy
  // through `pending`, no fresh buffer per chunk).
  if (st.m == impl::mode::utf8 && st.validated && st.pending.empty() && !st.eof) {
    if (const long long left = st.checked_end - in_.consumed(); left > 0) {
      if (in_.read(out, static_cast<std::size_t>(std::min<long long>(chunk_size, left))) > 0) return true;
      st.eof = true;
      return false;
    }
    // The end of what was checked. Bytes added to the file since are checked as they are
    // read, as a pipe's bytes are (an invalid byte is then an error naming its line).
    in_.seek(st.checked_end);
    if (in_.read(st.pending, chunk_size) == 0) {
      st.eof = true;
      return false;
    }
    st.validated = false;
    st.lines = count_newlines_in(in_, st.checked_from, st.checked_end);
  }
  if (st.pending.empty() && !st.eof) {
    if (in_.read(st.pending, chunk_size) == 0) st.eof = true;
  }
  if (st.pending.empty() && st.eof) {
    if (!st.tail.empty()) {
      throw data_error(in_.name(), st.lines + 1,
                       "input ends inside a UTF-8 sequence (the file is truncated or not "
                       "UTF-8); give --encoding if it is in another encoding");
    }
    if (st.m == impl::mode::icu) {
      // Flush the converter.
      std::string buf(4096, '\0');
      char* target = buf.data();
      const char* source = st.pending.data();
      UErrorCode err = U_ZERO_ERROR;
      ucnv_convertEx(st.utf8, st.src, &target, buf.data() + buf.size(), &source, source,
                     st.pivot, &st.pivot_source, &st.pivot_target, st.pivot + 4096, st.icu_reset,
                     true, &err);
      if (U_FAILURE(err))
        throw data_error(in_.name(), st.lines + 1,
                         fmt::format("input ends inside a character of {}", encoding_));
      std::size_t produced = static_cast<std::size_t>(target - buf.data());
      if (produced == 0) return false;
      out.append(buf.data(), produced);
      return true;
    }
    return false;
  }
  std::string chunk;
  chunk.swap(st.pending);
  switch (st.m) {
    case impl::mode::utf8: {
      if (!st.validated) {
        if (!st.tail.empty()) {
          chunk.insert(0, st.tail);
          st.tail.clear();
        }
        std::size_t tail_start = chunk.size();
        std::size_t pos = utf8_find_invalid(chunk, true, &tail_start);
        if (pos != std::string_view::npos) {
          long long line = st.lines + count_newlines(std::string_view(chunk).substr(0, pos)) + 1;
          throw data_error(
              in_.name(), line,
              fmt::format("invalid UTF-8 byte 0x{:02X}; if the file is in another encoding, "
                          "give it with --encoding (e.g. --encoding windows-1252)",
                          static_cast<unsigned char>(chunk[pos])));
        }
        st.tail.assign(chunk, tail_start, std::string::npos);
        chunk.resize(tail_start);
        st.lines += count_newlines(chunk);
      }
      if (out.empty())
        out.swap(chunk);
      else
        out.append(chunk);
      return true;
    }
    case impl::mode::cp1252: {
      out.reserve(out.size() + chunk.size() + chunk.size() / 8);
      cp1252_to_utf8(chunk, out);
      return true;
    }
    case impl::mode::icu: {
      std::string buf(chunk.size() * 3 + 4096, '\0');
      char* target = buf.data();
      const char* source = chunk.data();
      const char* source_end = chunk.data() + chunk.size();
      UErrorCode err = U_ZERO_ERROR;
      ucnv_convertEx(st.utf8, st.src, &target, buf.data() + buf.size(), &source, source_end,
                     st.pivot, &st.pivot_source, &st.pivot_target, st.pivot + 4096, st.icu_reset,
                     false, &err);
      st.icu_reset = false;
      std::size_t produced = static_cast<std::size_t>(target - buf.data());
      if (U_FAILURE(err)) {
        long long line = st.lines + count_newlines(std::string_view(buf.data(), produced)) + 1;
        throw data_error(in_.name(), line,
                         fmt::format("bytes that are not valid {}; give the right encoding with "
                                     "--encoding",
                                     encoding_));
      }
      st.lines += count_newlines(std::string_view(buf.data(), produced));
      out.append(buf.data(), produced);
      return true;
    }
  }
  return false;
}

}  // namespace ml
