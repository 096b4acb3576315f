// SPDX-License-Identifier: Apache-2.0
// UTF-8 helpers: validation and sequence lengths, without allocation.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace ml {

/// Length of the well-formed UTF-8 sequence starting at s[i], or 0 if it is ill-formed
/// (overlong forms, surrogates and code points above U+10FFFF are ill-formed).
std::size_t utf8_sequence_length(std::string_view s, std::size_t i) noexcept;

/// The code point of the well-formed sequence of `len` bytes at s[i] (len as given by
/// utf8_sequence_length).
char32_t utf8_code_point(std::string_view s, std::size_t i, std::size_t len) noexcept;

/// The bidi embedding, override and isolate controls (U+202A..U+202E, U+2066..U+2069),
/// which can hide or reorder text.
constexpr bool is_bidi_control(char32_t c) noexcept {
  return (c >= 0x202A && c <= 0x202E) || (c >= 0x2066 && c <= 0x2069);
}

/// Offset of the first ill-formed byte, or npos if `s` is valid UTF-8. A sequence cut off
/// at the end counts as ill-formed unless `allow_truncated_tail` is set (for chunked input),
/// in which case the offset of the incomplete tail is stored in `*tail_start`.
std::size_t utf8_find_invalid(std::string_view s, bool allow_truncated_tail = false,
                              std::size_t* tail_start = nullptr) noexcept;

/// True if every byte is below 0x80.
bool is_ascii(std::string_view s) noexcept;

/// Replaces ill-formed bytes by U+FFFD.
std::string utf8_repair(std::string_view s);

}  // namespace ml
