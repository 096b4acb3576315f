// SPDX-License-Identifier: Apache-2.0
// Fuzz target: the XLSX reader (zip, shared strings, inline strings, numbers, dates).
#include <ml/error.hpp>
#include <ml/xlsx.hpp>

#include <string_view>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  std::string_view bytes(reinterpret_cast<const char*>(data), size);
  try {
    auto sheet = ml::read_xlsx(bytes, "fuzz.xlsx");
    (void)sheet;
  } catch (const ml::error&) {
  }
  return 0;
}
