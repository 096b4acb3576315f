// SPDX-License-Identifier: Apache-2.0
// ml-dispatch: the line goes back to the units, through their heads. Reads the line that
// ml-concentrate writes (themes, and the ideas annotated with their theme) and the
// organisation; writes for every unit exactly one central task, then its secondary and
// tertiary tasks and its own local concerns, each addressed to the unit's head and the
// responsible person, with the general call and guidance particular to the unit; picks a
// few pilot units; writes letters, an index and report templates with --out-dir.
#pragma once

#include <functional>
#include <cstdint>
#include <map>
#include <memory>
#include <unordered_map>
#include <string_view>
#include <string>
#include <vector>

#include "ml/org.hpp"

namespace ml {

struct dispatch_options {
  std::vector<std::string> inputs;  ///< the line; files, "-" is stdin; empty means stdin
  std::string org;                  ///< the organisation file (required)
  std::string output = "-";         ///< directive stream, "-" is stdout, else atomic
  std::string out_dir;              ///< letters, index and report templates ("" none)
  std::string format = "jsonl";     ///< "jsonl" (records) or "csv" (one spreadsheet)
  int pilots = -1;                  ///< -1: 3 when there are 10 units or more, else 0
  std::vector<std::string> pilot_units;  ///< named pilots (instead of choosing)
  bool force = false;               ///< allow more than 3 pilots or over a third of units
  std::string start;                ///< YYYY-MM-DD; "" is today (UTC)
  std::string due;                  ///< YYYY-MM-DD; "" is 12 weeks after the start
  int pilot_weeks = 4;
  int checkup_every = 14;           ///< days
  int quotes = 3;                   ///< a unit's own quotes per directive
  int local = 2;                    ///< local concerns per unit
  int local_min = 2;                ///< a unit's respondents needed for a local concern
  std::string volunteer;            ///< answer (segment or question) saying who will help
  std::string contact;              ///< answer holding a volunteer's contact
  std::string contact_consent;      ///< yes/no answer: may the contact be shared
  bool directives_only = false;     ///< do not pass the line's records on
  std::string encoding;             ///< input encoding; "" to detect
};

// ---- The line as read --------------------------------------------------------------------

/// Strings kept once, in large blocks: views into it stay valid as it grows.
class string_pool {
 public:
  std::uint32_t add(std::string_view s);
  std::string_view get(std::uint32_t id) const { return views_[id]; }
  std::size_t size() const { return views_.size(); }

 private:
  std::vector<std::unique_ptr<char[]>> blocks_;
  std::size_t used_ = 0, cap_ = 0;
  std::vector<std::string_view> views_;
};

/// A quote: an idea (index into line_data::idea_ids), its text (line_data::texts) and its
/// respondent (line_data::respondent_names, -1 for none).
struct line_quote {
  std::uint32_t idea = 0, text = 0;
  int respondent = -1;
};

struct line_theme {
  std::string id, tier, label, phrase;
  int rank = 0;
  std::vector<std::string> keywords;
  long long respondents = 0, ideas = 0, units = 0;
  std::map<std::string, long long> unit_ideas;  ///< the theme's "units" (ideas per unit)
  long long line = 0;
};

/// Per unit: its people and what they raised.
struct line_unit {
  long long ideas = 0;
  std::vector<int> respondents;  ///< distinct, sorted (interned ids)
  /// What the unit's people raised in one theme: ideas, distinct respondents, the ideas
  /// (indices, stream order), and candidate quotes (the theme's own quotes first).
  struct per_theme {
    int theme = -1;
    long long ideas = 0;
    std::vector<int> respondents;
    std::vector<std::uint32_t> idea_idx;
    std::vector<line_quote> candidates;
  };
  std::vector<per_theme> themes;  ///< sorted by theme
  long long unassigned = 0;
  long long volunteers = 0;
  std::vector<std::string> contacts;  ///< volunteers' contacts given with consent
  per_theme* find(int theme);
  const per_theme* find(int theme) const;
  per_theme& at(int theme);  ///< found or inserted
};

struct line_data {
  std::vector<line_theme> themes;          ///< in rank order as read
  std::vector<std::string> unit_names;     ///< units named in the ideas, first-seen order
  std::unordered_map<std::string, int> unit_index;
  std::vector<line_unit> units;            ///< parallel to unit_names
  string_pool idea_ids, texts, respondent_names;
  long long ideas = 0, no_unit_ideas = 0, records = 0, passed_through = 0;
  long long respondents = 0;               ///< distinct, all ideas
  bool has_ideas = false;                  ///< idea records rode along
  std::string source;                      ///< input names, for messages
  const line_unit* unit(const std::string& name) const {
    auto it = unit_index.find(name);
    return it == unit_index.end() ? nullptr : &units[static_cast<std::size_t>(it->second)];
  }
  std::string_view respondent(int r) const {
    return r < 0 ? std::string_view() : respondent_names.get(static_cast<std::uint32_t>(r));
  }
};

// ---- The plan ----------------------------------------------------------------------------

struct directive {
  std::string id;
  int unit = -1;           ///< index into organisation::units
  int theme = -1;          ///< index into line_data::themes
  std::string tier;        ///< central, secondary, tertiary, local
  int order = 0;           ///< 1 is the central task
  bool pilot = false;
  long long unit_ideas = 0, unit_respondents = 0;
  std::vector<line_quote> quotes;
  std::vector<std::uint32_t> idea_idx;  ///< the unit's ideas in the theme
  long long start = 0, due = 0;       ///< days since 1970-01-01
  std::vector<long long> checkups;
};

struct pilot_choice {
  int unit = -1;
  double jsd = 0;
  std::string reason;
};

struct dispatch_plan {
  std::vector<int> tasks;               ///< theme indices dispatched to all, central first
  std::vector<int> skipped;             ///< themes with no ideas, never dispatched
  std::vector<directive> directives;    ///< by unit in org order, then by order
  std::vector<std::size_t> unit_first;  ///< per unit: its first directive (size units+1)
  std::vector<pilot_choice> pilots;
  /// Per organisation unit: what its people raised, its sub-units' people included (a
  /// region's people are those of its sites).
  std::vector<line_unit> unit_data;
  long long start = 0, pilot_end = 0, rollout_start = 0, due = 0;
  int checkup_every = 14;
  /// Units in the ideas that the organisation lacks: name, ideas, respondents.
  struct unknown_unit {
    std::string name;
    long long ideas = 0, respondents = 0;
  };
  std::vector<unknown_unit> unknown_units;
  long long units_without_ideas = 0;
};

/// Reads the line; records other than the line's header pass on to `pass` (when not null)
/// as they were. Throws ml::error 65 with file:line for records it cannot use.
line_data read_line(const dispatch_options& o,
                    const std::function<void(std::string_view)>& pass = {});

/// Jensen-Shannon divergence (base 2, in [0, 1]) of two count vectors of the same length.
double jensen_shannon(const std::vector<double>& p, const std::vector<double>& q);

/// Makes the directives, pilots and dates. Throws ml::error 64 for options that do not fit
/// the organisation (a named pilot that is not a unit, too many pilots without --force, a
/// due date before the roll-out) and 65 for a line without one central theme with ideas.
dispatch_plan make_plan(const organisation& org, const line_data& line,
                        const dispatch_options& o);

/// Directive id: "d-" and 16 hex digits of a hash of the unit name and the theme id, so the
/// same unit and theme give the same id in every run.
std::string directive_id(const std::string& unit, const std::string& theme);

/// What a theme asks, in a few words: its representative phrase, else its label.
std::string task_title(const line_theme& t);

/// The general call of a directive: the same words for every unit given the same task.
std::string call_text(const line_data& line, const directive& d);

/// The particular guidance of a directive: how many of the unit's own people raised it,
/// and what to do when none did; for pilots, what the pilot phase means.
std::string guidance_text(const line_data& line, const dispatch_plan& plan,
                          const directive& d);

/// The people of a unit who answered (distinct respondents, its sub-units' included).
long long unit_people(const dispatch_plan& plan, int unit);

/// Writes letters (Markdown and HTML), an index and report templates into `o.out_dir`.
/// Returns the number of files written.
long long write_letters(const organisation& org, const line_data& line, const dispatch_plan& plan,
                        const dispatch_options& o);

/// Runs ml-dispatch; returns the exit status (0). Throws ml::error (64, 65, 66, 73, 74).
int run_dispatch(const dispatch_options& o);

}  // namespace ml
