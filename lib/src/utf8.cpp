// SPDX-License-Identifier: Apache-2.0
#include "ml/utf8.hpp"

#include <cstdint>
#include <cstring>

#include <simdjson.h>

namespace ml {

char32_t utf8_code_point(std::string_view s, std::size_t i, std::size_t len) noexcept {
  auto b = static_cast<unsigned char>(s[i]);
  char32_t c = len == 1 ? b : len == 2 ? (b & 0x1Fu) : len == 3 ? (b & 0x0Fu) : (b & 0x07u);
  for (std::size_t k = 1; k < len; ++k) c = (c << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3Fu);
  return c;
}

std::size_t utf8_sequence_length(std::string_view s, std::size_t i) noexcept {
  const auto* p = reinterpret_cast<const unsigned char*>(s.data());
  const std::size_t n = s.size();
  unsigned char c = p[i];
  if (c < 0x80) return 1;
  auto cont = [&](std::size_t k) { return i + k < n && (p[i + k] & 0xC0) == 0x80; };
  if (c >= 0xC2 && c <= 0xDF) return cont(1) ? 2 : 0;
  if (c >= 0xE0 && c <= 0xEF) {
    if (!cont(1) || !cont(2)) return 0;
    unsigned char c1 = p[i + 1];
    if (c == 0xE0 && c1 < 0xA0) return 0;   // overlong
    if (c == 0xED && c1 >= 0xA0) return 0;  // surrogate
    return 3;
  }
  if (c >= 0xF0 && c <= 0xF4) {
    if (!cont(1) || !cont(2) || !cont(3)) return 0;
    unsigned char c1 = p[i + 1];
    if (c == 0xF0 && c1 < 0x90) return 0;
    if (c == 0xF4 && c1 >= 0x90) return 0;
    return 4;
  }
  return 0;
}

bool is_ascii(std::string_view s) noexcept {
  const char* p = s.data();
  std::size_t n = s.size(), i = 0;
  for (; i + 8 <= n; i += 8) {
    std::uint64_t w;
    std::memcpy(&w, p + i, 8);
    if (w & 0x8080808080808080ULL) return false;
  }
  for (; i < n; ++i)
    if (static_cast<unsigned char>(p[i]) >= 0x80) return false;
  return true;
}

std::size_t utf8_find_invalid(std::string_view s, bool allow_truncated_tail,
                              std::size_t* tail_start) noexcept {
  // Almost all text is valid: simdjson's SIMD validator (the same strict UTF-8: no overlongs,
  // surrogates or code points past U+10FFFF) says so some times faster than the loop below,
  // which finds where it is not (or the incomplete sequence at the end).
  if (simdjson::validate_utf8(s.data(), s.size())) {
    if (tail_start) *tail_start = s.size();
    return std::string_view::npos;
  }
  const char* p = s.data();
  const std::size_t n = s.size();
  std::size_t i = 0;
  while (i < n) {
    // Skip ASCII eight bytes at a time: most survey text is ASCII.
    while (i + 8 <= n) {
      std::uint64_t w;
      std::memcpy(&w, p + i, 8);
      if (w & 0x8080808080808080ULL) break;
      i += 8;
    }
    if (i >= n) break;
    unsigned char c = static_cast<unsigned char>(p[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t len = utf8_sequence_length(s, i);
    if (len == 0) {
      if (allow_truncated_tail) {
        // An incomplete but so-far valid sequence at the very end is not an error yet.
        std::size_t need = c >= 0xF0 ? 4 : c >= 0xE0 ? 3 : c >= 0xC2 ? 2 : 0;
        if (need > 0 && i + need > n) {
          bool ok = true;
          for (std::size_t k = i + 1; k < n; ++k)
            if ((static_cast<unsigned char>(p[k]) & 0xC0) != 0x80) ok = false;
          if (ok) {
            if (tail_start) *tail_start = i;
            return std::string_view::npos;
          }
        }
      }
      return i;
    }
    i += len;
  }
  if (tail_start) *tail_start = n;
  return std::string_view::npos;
}

std::string utf8_repair(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  std::size_t i = 0;
  while (i < s.size()) {
    std::size_t len = utf8_sequence_length(s, i);
    if (len == 0) {
      out.append("\xEF\xBF\xBD");
      ++i;
    } else {
      out.append(s.data() + i, len);
      i += len;
    }
  }
  return out;
}

}  // namespace ml
