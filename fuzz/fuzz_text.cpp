// SPDX-License-Identifier: Apache-2.0
// Fuzz target: ml-gather's hot-path shortcuts against the general functions they stand in
// for, on any bytes. scan_answer must say what already_tidy, may_be_list, may_hold_pii and
// the letter count say; what already_tidy accepts, tidying and NFC must leave unchanged;
// where may_be_list says no, the list splitters (split_list_into, which does not ask it) must
// find no list; split_if_list must find the lists split_list_into finds, and only those;
// where json_plain says so, the JSON string must be the bytes in quotes; and
// is_non_answer_counted must agree with is_non_answer. Any disagreement traps. (redact_pii
// asks may_hold_pii itself, so that shortcut has its unit test instead.)
#include <ml/json_writer.hpp>
#include <ml/text.hpp>

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size > 4096) return 0;  // answers, not files: the long ones are the same code paths
  const std::string s(reinterpret_cast<const char*>(data), size);
  const ml::answer_shape a = ml::scan_answer(s);
  if (a.tidy != ml::already_tidy(s)) __builtin_trap();
  if (a.maybe_list != ml::may_be_list(s)) __builtin_trap();
  if (a.maybe_pii != ml::may_hold_pii(s)) __builtin_trap();
  std::size_t letters = 0;
  for (unsigned char c : s) letters += static_cast<unsigned char>((c | 0x20) - 'a') < 26;
  if (a.ascii_letters != letters) __builtin_trap();
  // tidy_whitespace(s) itself takes the shortcut; with a control byte at the end, which
  // tidying drops, the same text goes down the general path.
  if (a.tidy && (ml::tidy_whitespace(s + "\x01") != s || ml::to_nfc(s) != s)) __builtin_trap();
  if (!a.maybe_list && !ml::trim(s).empty()) {
    std::vector<std::string> items;
    ml::split_list_into(std::string(s), items);
    if (items.size() != 1 || items[0] != s) __builtin_trap();
  }
  // split_if_list (what ml-gather asks where may_be_list says yes) against split_list_into.
  if (!ml::trim(s).empty()) {
    std::vector<std::string> all, listed;
    ml::split_list_into(std::string(s), all);
    if (ml::split_if_list(s, listed)) {
      if (listed.size() < 2 || listed != all) __builtin_trap();
    } else if (all.size() != 1 || all[0] != s) {
      __builtin_trap();
    }
  }
  if (a.json_plain) {
    std::string json;
    ml::append_json_string(json, s);
    if (json != "\"" + s + "\"") __builtin_trap();
  }
  const std::string_view t = ml::trim(s);
  if (ml::is_non_answer_counted(t, ml::scan_answer(t).ascii_letters) != ml::is_non_answer(s))
    __builtin_trap();
  return 0;
}
