// SPDX-License-Identifier: Apache-2.0
// Fuzz target: encoding detection and conversion (BOMs, UTF-8, UTF-16, Windows-1252) over any
// bytes; the text handed out must be valid UTF-8.
#include <ml/error.hpp>
#include <ml/input.hpp>
#include <ml/utf8.hpp>

#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
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
