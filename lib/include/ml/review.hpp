// SPDX-License-Identifier: Apache-2.0
// ml-review: the check-ups. Reads the directives (as ml-dispatch writes them) and the units'
// reports (the CSV templates filled in, or report records), and says, as of a day, how each
// directive stands, which problems are isolated, local or widespread, temporary or
// prolonged, what to do about each theme, and turns the reports' notes into the next
// cycle's ideas. With --state DIR it keeps the history of check-ups across runs.
#pragma once

#include <map>
#include <utility>
#include <string>
#include <vector>

namespace ml {

struct review_options {
  std::vector<std::string> inputs;  ///< report files (CSV or JSONL); "-" is stdin
  std::string directives;           ///< directives file; "" when they come in the inputs
  std::string output = "-";         ///< review stream
  std::string rejects;              ///< "" : reject records go into the review stream
  std::string emit_ideas;           ///< "" : the notes' idea records go into the stream
  std::string html;                 ///< "" : no HTML report
  std::string state;                ///< "" : no history kept across runs
  std::string as_of;                ///< YYYY-MM-DD; "" is today (UTC)
  int prolonged = 2;                ///< consecutive check-ups in trouble that make it prolonged
  int few = 3;                      ///< at most this many units is "a few" (local)
  int grace = 3;                    ///< days after a check-up a report still counts for it
  int behind = 10;                  ///< progress points below expected that count as behind
  std::string encoding;
};

// ---- What the review works on --------------------------------------------------------------

struct rv_directive {
  std::string id, unit, theme, tier, phase, task;
  int order = 0;
  long long start = 0, due = 0;  ///< days since 1970-01-01
  std::vector<long long> checkups;
  /// Optional (day, progress) points the expected progress passes through, in date order;
  /// without them it is linear from 0 at the start to 100 at the due date.
  std::vector<std::pair<long long, double>> milestones;
  std::string where;             ///< file:line of the record
};

/// The progress expected of `d` by day `as_of` (0-100): piecewise linear through (start, 0),
/// its milestones and (due, 100).
double expected_progress(const rv_directive& d, long long as_of);

struct rv_report {
  std::string directive;  ///< id
  long long date = 0;
  std::string status;     ///< not-started, in-progress, done, blocked, or ""
  int progress = -1;      ///< 0-100, -1 when not given
  int support = -1;       ///< 0-100, -1 when not given
  std::string notes;
  std::string source;     ///< file:line
  std::string key;        ///< identity, for idempotent history
};

/// The status of a directive as of a day (see ml-review(1), STATUSES).
struct rv_status {
  std::string status;  ///< done, on-track, behind, stalled, blocked, no-report, overdue, pending
  double expected = 0;     ///< 0-100
  int progress = -1;       ///< latest reported, -1 none
  int support = -1;        ///< latest reported, -1 none
  std::string trend;       ///< rising, falling, steady, or "" (fewer than two supports)
  long long last_report = -1;
  int reports = 0;
};

/// Status of `d` as of day `as_of`, from its reports (any order; those after `as_of` are
/// ignored).
rv_status directive_status(const rv_directive& d, const std::vector<const rv_report*>& reports,
                           long long as_of, const review_options& o);

/// True for the statuses that mean trouble: behind, stalled, blocked, no-report, overdue.
bool in_trouble(const std::string& status);

/// Scope of a problem: "isolated" (one unit), "local" (a few units, or all in one branch),
/// "widespread" (more, across branches), "" (no unit in trouble). `branches` holds the
/// branch of each unit in trouble.
std::string problem_scope(const std::vector<std::string>& branches, int few);

/// Escalation level 0-4 from scope and duration (see ml-review(1), ESCALATION).
int escalation_level(const std::string& scope, bool prolonged);

/// Parses a report's date ("2026-03-16", or any date ml-gather understands); -1 if none.
long long parse_report_date(const std::string& s);

/// Runs ml-review. Returns 0 when nothing needs attention, 1 when something does. Throws
/// ml::error (64, 65, 66, 73, 74).
int run_review(const review_options& o);

}  // namespace ml
