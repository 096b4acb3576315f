// SPDX-License-Identifier: Apache-2.0
// Internals of ml-review shared by its source files: what the review found.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "ml/review.hpp"

namespace ml::detail {

/// Everything the review found, for the records and the HTML report.
struct review_model {
  long long as_of = 0;
  std::vector<rv_directive> directives;
  std::vector<rv_status> status;  ///< parallel to directives
  struct theme_info {
    std::string id, tier, label, phrase;
    int rank = 0;
    long long respondents = 0;
  };
  std::vector<theme_info> themes;  ///< the line's, in rank order (may be empty)
  struct theme_review {
    std::string theme, task, tier;
    std::map<std::string, int> statuses;
    std::vector<std::string> troubled_units;
    std::string scope, duration;
    int level = 0;
    std::string recommendation, reason;
    std::vector<std::string> alternatives;
    double progress = 0, expected = 0;
    int support = -1;
    std::string pilots;  ///< "", "succeeding", "failing", "in progress"
  };
  std::vector<theme_review> theme_reviews;  ///< in the order of the tasks
  struct unit_review {
    std::string unit;
    std::map<std::string, int> statuses;
    int troubled = 0;
  };
  std::vector<unit_review> unit_reviews;
  /// Support over check-ups: per theme, the mean support (0-100) of its reports per date.
  std::map<std::string, std::vector<std::pair<long long, double>>> support_series;
  std::vector<std::pair<std::string, std::string>> words;  ///< (unit, notes), latest first
  long long read = 0, accepted = 0, rejected = 0, blank = 0, duplicates = 0, history = 0;
  std::map<std::string, long long> reject_reasons;
  bool attention = false;
};

/// Writes the self-contained HTML report (review_html.cpp).
void write_review_html(const std::string& path, const review_model& m);

}  // namespace ml::detail
