// SPDX-License-Identifier: Apache-2.0
// Fuzz target: encoding detection and conversion (BOMs, UTF-8, UTF-16, Windows-1252) over any
// bytes; the text handed out must be valid UTF-8. Also: utf8_find_invalid (simdjson's
// validator first) must agree with the byte-by-byte rules of utf8_sequence_length.
#include <ml/error.hpp>
#include <ml/input.hpp>
#include <ml/utf8.hpp>

#include "fuzz_input.hpp"

namespace {
// The first invalid byte by utf8_sequence_length alone, or npos.
std::size_t first_invalid(std::string_view s) {
  for (std::size_t i = 0; i < s.size();) {
    const std::size_t len = ml::utf8_sequence_length(s, i);
    if (len == 0) return i;
    i += len;
  }
  return std::string_view::npos;
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view raw(reinterpret_cast<const char*>(data), size);
  if (ml::utf8_find_invalid(raw) != first_invalid(raw)) __builtin_trap();
  ml::fuzz::mem_file f(data, size);
  // The first byte picks an encoding to force, or none (detect).
  static const char* const encodings[] = {"", "", "", "utf-16le", "windows-1252", "latin1",
                                          "utf-8"};
  const char* enc = size ? encodings[data[0] % 7] : "";
  try {
    ml::byte_input bytes(f.path());
    ml::text_input in(bytes, enc, [](const std::string&) {});
    std::string chunk;
    while (in.next(chunk)) {
      if (ml::utf8_find_invalid(chunk, true) != std::string::npos) __builtin_trap();
      if (chunk.size() > (1u << 20)) chunk.erase(0, chunk.size() - 8);
    }
  } catch (const ml::error&) {
  }
  return 0;
}
