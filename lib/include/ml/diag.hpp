// SPDX-License-Identifier: Apache-2.0
// Diagnostics on stderr in one shape for every tool: `ml-gather: warning: file:line: text`.
// Colour only on a terminal and never with NO_COLOR; nothing here writes to stdout.
#pragma once

#include <string>
#include <string_view>

namespace ml::diag {

void set_program(std::string name);
const std::string& program();
/// -q: hide notes, the tally and progress (warnings and errors still show).
void set_quiet(bool quiet);
bool quiet();
/// True when stderr is a terminal (progress and colour may be shown).
bool stderr_is_terminal();

/// Text from the input made safe for a terminal: C0 and C1 control characters (but newline
/// and tab), DEL and the bidi controls (U+200E, U+200F, U+202A..U+202E, U+2066..U+2069)
/// become visible escapes (\x1b, \u202e), so that a column header or a unit name cannot
/// move the cursor, retitle the window or reorder what the user reads. Every message below
/// goes through it.
std::string terminal_safe(std::string_view text);

void error(std::string_view message);
void warning(std::string_view message);
/// Informational line (the tally, where a file was created); hidden by -q.
void note(std::string_view message);

/// A progress line redrawn in place on stderr; a no-op unless stderr is a terminal and not
/// quiet. `update` is cheap to call often: it redraws at most ten times a second.
class progress {
 public:
  explicit progress(std::string label, long long total_bytes = -1);
  ~progress();
  void update(long long done_bytes, long long items);
  void finish();

 private:
  std::string label_;
  long long total_;
  bool active_;
  long long last_draw_ns_ = 0;
  unsigned counter_ = 0;
  bool drawn_ = false;
};

}  // namespace ml::diag
