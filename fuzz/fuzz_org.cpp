// SPDX-License-Identifier: Apache-2.0
// Fuzz target: ml-dispatch's organisation reader and its checks (CSV or JSON).
#include <ml/diag.hpp>
#include <ml/error.hpp>
#include <ml/org.hpp>

#include "fuzz_input.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  ml::diag::set_quiet(true);
  ml::fuzz::mem_file f(data, size);
  try {
    ml::organisation org = ml::read_org(f.path());
    for (const auto& u : org.units)
      if (u.head.empty() || (u.parent_index >= 0 && u.parent_index >= static_cast<int>(org.units.size())))
        __builtin_trap();
  } catch (const ml::error&) {
  }
  return 0;
}
