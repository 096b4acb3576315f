// SPDX-License-Identifier: Apache-2.0
// Fuzz target: the CSV reader (delimiter sniffing, quoting, line ends) over any bytes.
#include <ml/csv.hpp>
#include <ml/error.hpp>
#include <ml/input.hpp>

#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  ml::fuzz::mem_file f(data, size);
  try {
    ml::byte_input bytes(f.path());
    ml::text_input in(bytes, {}, [](const std::string&) {});
    ml::csv_reader csv(in);
    csv.max_record_bytes = 1 << 20;
    ml::csv_record rec;
    std::size_t fields = 0;
    while (csv.next(rec)) fields += rec.fields.size();
    (void)fields;
  } catch (const ml::error&) {
  }
  return 0;
}
