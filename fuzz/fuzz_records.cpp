// SPDX-License-Identifier: Apache-2.0
// Fuzz target: the JSON Lines record reader over any bytes.
#include <ml/error.hpp>
#include <ml/input.hpp>
#include <ml/records.hpp>

#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  ml::fuzz::mem_file f(data, size);
  try {
    ml::byte_input bytes(f.path());
    ml::text_input in(bytes, {}, [](const std::string&) {});
    ml::record_reader reader(in);
    ml::record rec;
    while (reader.next(rec)) (void)rec.type();
  } catch (const ml::error&) {
  }
  return 0;
}
