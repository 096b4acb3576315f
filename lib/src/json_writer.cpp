// SPDX-License-Identifier: Apache-2.0
#include "ml/json_writer.hpp"

#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "ml/utf8.hpp"

namespace ml {

namespace {
constexpr char hex_digits[] = "0123456789abcdef";

bool needs_escape(unsigned char c) { return c < 0x20 || c == '"' || c == '\\' || c >= 0x80; }

constexpr std::uint64_t ones = 0x0101010101010101ULL;
constexpr std::uint64_t high = 0x8080808080808080ULL;

// High bit set in each byte of w that needs a look: below 0x20, '"', '\\' or non-ASCII.
inline std::uint64_t special_bytes(std::uint64_t w) {
  auto eq = [&](unsigned char c) {
    std::uint64_t y = w ^ (ones * c);
    return ~(((y & ~high) + ~high) | y) & high;
  };
  std::uint64_t below = ~(((w & ~high) + ones * (0x80 - 0x20)) | w) & high;
  return below | eq('"') | eq('\\') | (w & high);
}
}  // namespace

void append_json_string(std::string& out, std::string_view s) {
  out.push_back('"');
  std::size_t i = 0;
  const std::size_t n = s.size();
  while (i < n) {
    std::size_t start = i;
    // Eight plain bytes at a time: most text needs no escaping at all.
    while (i + 8 <= n) {
      std::uint64_t w;
      std::memcpy(&w, s.data() + i, 8);
      if (special_bytes(w)) break;
      i += 8;
    }
    while (i < n && !needs_escape(static_cast<unsigned char>(s[i]))) ++i;
    out.append(s.data() + start, i - start);
    if (i >= n) break;
    unsigned char c = static_cast<unsigned char>(s[i]);
    if (c >= 0x80) {
      std::size_t len = utf8_sequence_length(s, i);
      if (len == 0) {
        out.append("\xEF\xBF\xBD");  // U+FFFD for a byte that is not UTF-8
        ++i;
      } else {
        // U+2028 and U+2029 are valid JSON but break JavaScript consumers: escape them.
        if (len == 3 && c == 0xE2 && static_cast<unsigned char>(s[i + 1]) == 0x80 &&
            (static_cast<unsigned char>(s[i + 2]) == 0xA8 ||
             static_cast<unsigned char>(s[i + 2]) == 0xA9)) {
          out.append(static_cast<unsigned char>(s[i + 2]) == 0xA8 ? "\\u2028" : "\\u2029");
        } else {
          out.append(s.data() + i, len);
        }
        i += len;
      }
      continue;
    }
    switch (c) {
      case '"': out.append("\\\""); break;
      case '\\': out.append("\\\\"); break;
      case '\n': out.append("\\n"); break;
      case '\r': out.append("\\r"); break;
      case '\t': out.append("\\t"); break;
      case '\b': out.append("\\b"); break;
      case '\f': out.append("\\f"); break;
      default: {
        char buf[7] = {'\\', 'u', '0', '0', hex_digits[c >> 4], hex_digits[c & 15], 0};
        out.append(buf, 6);
      }
    }
    ++i;
  }
  out.push_back('"');
}

void json_writer::sep() {
  if (need_comma_) out_.push_back(',');
  need_comma_ = true;
}

json_writer& json_writer::begin_object() {
  sep();
  out_.push_back('{');
  need_comma_ = false;
  return *this;
}
json_writer& json_writer::end_object() {
  out_.push_back('}');
  need_comma_ = true;
  return *this;
}
json_writer& json_writer::begin_array() {
  sep();
  out_.push_back('[');
  need_comma_ = false;
  return *this;
}
json_writer& json_writer::end_array() {
  out_.push_back(']');
  need_comma_ = true;
  return *this;
}
json_writer& json_writer::key(std::string_view k) {
  sep();
  append_json_string(out_, k);
  out_.push_back(':');
  need_comma_ = false;
  return *this;
}
json_writer& json_writer::value(std::string_view s) {
  sep();
  append_json_string(out_, s);
  return *this;
}
json_writer& json_writer::value(long long n) {
  sep();
  append_json_int(out_, n);
  return *this;
}

void append_json_int(std::string& out, long long n) {
  char buf[24];
  auto r = std::to_chars(buf, buf + sizeof buf, n);
  out.append(buf, static_cast<std::size_t>(r.ptr - buf));
}

void append_json_number(std::string& out, double d) {
  if (!std::isfinite(d)) {
    out.append("null");
    return;
  }
  char buf[32];
  if (d == std::floor(d) && std::fabs(d) < 1e15) {
    auto r = std::to_chars(buf, buf + sizeof buf, static_cast<long long>(d));
    out.append(buf, static_cast<std::size_t>(r.ptr - buf));
    return;
  }
  // The shortest form that reads back as the same double.
  auto r = std::to_chars(buf, buf + sizeof buf, d);
  out.append(buf, static_cast<std::size_t>(r.ptr - buf));
}

json_writer& json_writer::value(double d) {
  sep();
  append_json_number(out_, d);
  return *this;
}

json_writer& json_writer::value(bool b) {
  sep();
  out_.append(b ? "true" : "false");
  return *this;
}
json_writer& json_writer::null() {
  sep();
  out_.append("null");
  return *this;
}
json_writer& json_writer::raw(std::string_view json) {
  sep();
  out_.append(json);
  return *this;
}

}  // namespace ml
