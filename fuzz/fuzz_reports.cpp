// SPDX-License-Identifier: Apache-2.0
// Fuzz target: ml-review's report reading (CSV or JSONL) against fixed directives: any row
// is accepted, blank or rejected with a reason, never a crash.
#include <fcntl.h>
#include <unistd.h>

#include <ml/diag.hpp>
#include <ml/error.hpp>
#include <ml/review.hpp>

#include "fuzz_input.hpp"

namespace {
const char* const directives =
    R"({"type":"dispatch","tasks":["t-1","t-2"],"start":"2026-03-02","rollout_start":"2026-03-02","due":"2026-05-25"})"
    "\n"
    R"({"type":"directive","id":"d-1","unit":"A","theme":"t-1","tier":"central","order":1,"phase":"rollout","call":{"phrase":"One"},"start":"2026-03-02","checkup":["2026-03-16","2026-03-30","2026-05-25"],"due":"2026-05-25"})"
    "\n"
    R"({"type":"directive","id":"d-2","unit":"B","theme":"t-2","tier":"secondary","order":2,"phase":"pilot","call":{"phrase":"Two"},"start":"2026-03-02","checkup":["2026-03-16","2026-05-25"],"due":"2026-05-25","milestones":[{"date":"2026-04-01","progress":10}]})"
    "\n"
    R"({"type":"brief","unit":"Top","sub_units":[{"unit":"A"},{"unit":"B"}]})"
    "\n";
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  ml::diag::set_quiet(true);
  static ml::fuzz::mem_file dir(reinterpret_cast<const std::uint8_t*>(directives),
                                std::char_traits<char>::length(directives));
  ml::fuzz::mem_file f(data, size);
  ml::review_options o;
  o.directives = dir.path();
  o.inputs = {f.path()};
  o.as_of = "2026-04-20";
  o.output = "/dev/null";
  try {
    int code = ml::run_review(o);
    if (code != 0 && code != 1) __builtin_trap();
  } catch (const ml::error&) {
  }
  return 0;
}
