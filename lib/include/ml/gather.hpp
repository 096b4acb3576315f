// SPDX-License-Identifier: Apache-2.0
// ml-gather: survey exports in (CSV, TSV, XLSX, JSON, JSON Lines from Google Forms, Microsoft
// Forms, Typeform, SurveyMonkey, Qualtrics, LimeSurvey, KoboToolbox/ODK, Pol.is or plain
// spreadsheets), one `idea` record per answer out, every other row or answer accounted for.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace ml {

struct gather_options {
  std::vector<std::string> inputs;  ///< files; "-" is stdin; empty means stdin
  std::string output = "-";         ///< "-" is stdout, otherwise written atomically
  std::string rejects;              ///< file for reject records (written atomically), or ""
  std::string encoding;             ///< "" to detect
  std::string platform;             ///< "" to detect; else a name from platform_names()
  std::string sheet;                ///< XLSX sheet name; "" for the first
  std::vector<std::string> text_columns;  ///< --text: only these columns become ideas
  std::vector<std::string> segment_columns, rating_columns, skip_columns;
  std::string unit_column, respondent_column, time_column, consent_column;
  std::string withdrawn_file;
  std::string salt, salt_file;
  bool keep_pii = false;
  bool no_split = false;
  bool keep_test = false;  ///< keep rows a platform marks as preview or test
  bool list_columns = false;  ///< print how each column is read, instead of ideas
  std::size_t sample_rows = 1000;  ///< rows looked at to decide what a column holds
  std::size_t threads = 0;  ///< worker threads (0: one per core, at most 8); output is the same
                            ///< whatever the number
  /// Memory for the exact-duplicate index; past it the rest of the run goes through
  /// temporary files (sorted runs of the index, and the records, written at the end), so
  /// memory stays bounded however many rows. The output is the same whatever the size.
  std::size_t index_memory = std::size_t{20} << 20;
  std::string temp_dir;  ///< for those files; "" for $TMPDIR, else /tmp
};

/// Counts for one input file; `rows_read == rows_kept + sum(rows_rejected)` and
/// `items == ideas + sum(items_rejected)` always hold.
struct gather_tally {
  std::string file, platform, format, encoding;
  long long rows_read = 0, rows_kept = 0;
  std::map<std::string, long long> rows_rejected;
  long long answers = 0, items = 0, ideas = 0;
  std::map<std::string, long long> items_rejected;
  long long emails_redacted = 0, phones_redacted = 0;
  long long passed_through = 0;  ///< stream records passed on unchanged
  long long ragged_rows = 0;
  long long spilled_ideas = 0;  ///< ideas that went through temporary files (index_memory)
  bool failed = false;  ///< the file could not be read (counted in the exit status)

  long long rows_rejected_total() const;
  long long items_rejected_total() const;
  /// Adds another tally's counts (names and flags are left as they are).
  gather_tally& operator+=(const gather_tally& o);
};

/// Runs ml-gather. Returns the exit status: 0, or 66 when an input among several could not
/// be opened (the others are still gathered and the output is written). Throws ml::error
/// for everything that stops the run (bad data: 65, usage: 64, output: 73/74).
int run_gather(const gather_options& options, std::vector<gather_tally>* tallies = nullptr);

/// The platform names --platform accepts.
std::vector<std::string> platform_names();

}  // namespace ml
