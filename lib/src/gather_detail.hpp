// SPDX-License-Identifier: Apache-2.0
// Internals of ml-gather shared by its source files: platforms, columns and their roles.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ml/gather.hpp"

namespace ml::detail {

enum class platform {
  plain,
  google_forms,
  microsoft_forms,
  typeform,
  surveymonkey,
  qualtrics,
  limesurvey,
  kobotoolbox,
  odk,
  polis,
  redcap,
  surveygizmo,
};

std::string_view platform_name(platform p);
std::optional<platform> platform_from_name(std::string_view name);

enum class role {
  unknown,
  text,        ///< free text: each answer becomes ideas
  other_text,  ///< "Other (please specify)" text of the choice column `parent`
  option,      ///< one option of a multiple-choice group (SurveyMonkey, LimeSurvey)
  unit,
  respondent,
  respondent_fallback,  ///< used when the respondent cell is empty or "anonymous"
  time,
  segment,
  rating,
  consent,
  status,     ///< rows marked preview/test/spam are rejected
  finished,   ///< 0/false marks an unfinished response
  submitted,  ///< empty marks an unfinished response (LimeSurvey submitdate)
  moderated,  ///< Pol.is: -1 is rejected
  email,      ///< metadata, also matched against --withdrawn
  metadata,   ///< never an idea or a segment
  skip,
};

std::string_view role_name(role r);

struct column {
  std::string name;      ///< header (or internal name, Qualtrics row 1)
  std::string question;  ///< question text for ideas and segment keys
  role r = role::unknown;
  int parent = -1;       ///< other_text / option: the column whose question it belongs to
  std::string why;       ///< how the role was decided (for --columns)
  std::string option_label;  ///< option: the value when the cell is a tick ("Y")
  bool explicit_role = false;
  bool day_first = false;
  bool utc = false;  ///< time: the platform says the values are UTC  ///< time: dates are written day first (seen in the sample)
};

/// A row as the gatherer sees it: cells (column index, value) in column order; a column may
/// repeat (JSON repeat groups).
struct cell {
  int col;
  std::string_view value;
};

struct owned_row {
  long long row = 0, line = 0;
  std::vector<std::pair<int, std::string>> cells;
};

/// Header analysis of tabular input (CSV, TSV, XLSX): how many of the first rows are headers
/// and what each column is called.
struct header_plan {
  platform p = platform::plain;
  int header_rows = 1;
  std::vector<column> columns;
};

header_plan analyse_headers(const std::vector<std::vector<std::string>>& first_rows,
                            std::optional<platform> forced);

/// Detects the platform of JSON submissions from their keys.
platform detect_json_platform(const std::vector<std::string>& keys);

/// Gives every column a role: the user's flags first, then what the platform's headers say,
/// then metadata names, then what the values in `sample` look like. `warn` reports flags that
/// match no column.
void assign_roles(std::vector<column>& columns, platform p, const std::vector<owned_row>& sample,
                  const gather_options& options, const std::function<void(std::string)>& warn,
                  const std::string& file);

/// Role of a column first seen after the sample (JSON keys that appear late).
void assign_late_role(column& c, platform p, std::string_view first_value,
                      const gather_options& options);

/// Parses a number as exports write it: with `decimal_comma` the comma is the decimal mark
/// ("2,5"), else commas must group thousands ("28,500"). False for anything else.
bool parse_number(std::string_view v, double& out, bool decimal_comma);

/// True if `header` matches the user's column name `want` (header text or internal name,
/// ignoring case and surrounding space).
bool column_matches(const column& c, std::string_view want);

/// Flattens one JSON submission into (key, value) cells: nested objects join keys with "/",
/// arrays of objects (repeat groups) give one cell per element, arrays of scalars are joined
/// with ", ", null is left out.
struct flat_cell {
  std::string key;
  std::string value;
};

}  // namespace ml::detail
