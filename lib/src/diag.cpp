// SPDX-License-Identifier: Apache-2.0
#include "ml/diag.hpp"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fmt/format.h>

#include "ml/utf8.hpp"

namespace ml::diag {

namespace {
std::string g_program = "ml";
bool g_quiet = false;

bool use_colour() {
  static const bool colour = [] {
    const char* no = std::getenv("NO_COLOR");
    if (no && *no) return false;
    const char* term = std::getenv("TERM");
    if (term && std::string_view(term) == "dumb") return false;
    return ::isatty(2) == 1;
  }();
  return colour;
}

void emit(std::string_view level, std::string_view colour, std::string_view raw) {
  std::string message = terminal_safe(raw);
  std::string line;
  if (use_colour())
    line = fmt::format("{}: \033[{}m{}:\033[0m {}\n", g_program, colour, level, message);
  else
    line = fmt::format("{}: {}: {}\n", g_program, level, message);
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}
}  // namespace

void set_program(std::string name) { g_program = std::move(name); }
const std::string& program() { return g_program; }
void set_quiet(bool quiet) { g_quiet = quiet; }
bool quiet() { return g_quiet; }
bool stderr_is_terminal() { return ::isatty(2) == 1; }

void error(std::string_view message) { emit("error", "1;31", message); }
void warning(std::string_view message) { emit("warning", "1;33", message); }
void note(std::string_view message) {
  if (g_quiet) return;
  std::string line = fmt::format("{}: {}\n", g_program, terminal_safe(message));
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

std::string terminal_safe(std::string_view text) {
  std::string out;
  out.reserve(text.size());
  for (std::size_t i = 0; i < text.size();) {
    std::size_t len = utf8_sequence_length(text, i);
    if (len == 0) {  // an ill-formed byte cannot drive a terminal: it passes as it is
      out += text[i++];
      continue;
    }
    char32_t c = utf8_code_point(text, i, len);
    if ((c < 0x20 && c != '\n' && c != '\t') || c == 0x7F)
      out += fmt::format("\\x{:02x}", static_cast<unsigned>(c));
    else if ((c >= 0x80 && c < 0xA0) || c == 0x200E || c == 0x200F || is_bidi_control(c))
      out += fmt::format("\\u{:04x}", static_cast<unsigned>(c));
    else
      out.append(text.substr(i, len));
    i += len;
  }
  return out;
}

progress::progress(std::string label, long long total_bytes)
    : label_(std::move(label)), total_(total_bytes), active_(!g_quiet && stderr_is_terminal()) {}

progress::~progress() { finish(); }

void progress::update(long long done_bytes, long long items) {
  if (!active_ || (++counter_ & 1023) != 0) return;
  auto now = std::chrono::steady_clock::now().time_since_epoch();
  long long ns = std::chrono::duration_cast<std::chrono::nanoseconds>(now).count();
  if (ns - last_draw_ns_ < 100'000'000) return;
  last_draw_ns_ = ns;
  std::string line;
  if (total_ > 0)
    line = fmt::format("\r{}: {} {:3d}% {} rows\033[K", g_program, label_,
                       static_cast<int>(100.0 * static_cast<double>(done_bytes) /
                                        static_cast<double>(total_)),
                       items);
  else
    line = fmt::format("\r{}: {} {} MB, {} rows\033[K", g_program, label_, done_bytes >> 20, items);
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
  drawn_ = true;
}

void progress::finish() {
  if (drawn_) {
    std::fputs("\r\033[K", stderr);
    std::fflush(stderr);
    drawn_ = false;
  }
}

}  // namespace ml::diag
