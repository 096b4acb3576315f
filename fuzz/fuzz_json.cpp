// SPDX-License-Identifier: Apache-2.0
// Fuzz target: ml-gather's JSON submissions reader (a top-level array streamed element by
// element, an API envelope, JSON Lines, nested objects flattened) over any bytes.
#include <ml/error.hpp>
#include <ml/input.hpp>

#include "fuzz_input.hpp"
#include "json_input.hpp"  // lib/src: the reader is internal to ml-gather

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  ml::fuzz::mem_file f(data, size);
  try {
    ml::byte_input bytes(f.path());
    ml::text_input in(bytes, {}, [](const std::string&) {});
    ml::detail::json_source json(in);
    ml::detail::json_submission s;
    std::size_t cells = 0;
    while (json.next(s)) cells += s.cells.size() + s.raw.size();
    (void)cells;
    (void)json.labels();
  } catch (const ml::error&) {
  }
  return 0;
}
