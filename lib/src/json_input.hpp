// SPDX-License-Identifier: Apache-2.0
// Survey submissions as JSON: an array of objects, an API envelope ({"results": [...]} as
// KoboToolbox writes, {"submissions": [...]} with the form's "content"), or JSON Lines.
#pragma once

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "gather_detail.hpp"
#include "ml/input.hpp"
#include "ml/records.hpp"

namespace ml::detail {

struct json_submission {
  long long index = 0;  ///< 1-based position among the submissions
  long long line = 0;   ///< line it starts on (JSON Lines), or 0 when not known
  std::vector<flat_cell> cells;
  bool stream_record = false;  ///< a massline record (it has a known "type"): pass it on
  std::string raw;             ///< the record's line, for stream records
  std::string stream_type;
  std::string respondent;      ///< stream records: their "respondent", for --withdrawn
};

class json_source {
 public:
  /// Throws ml::error 65 with file:line for JSON that does not parse.
  explicit json_source(text_input& in);
  bool next(json_submission& out);
  /// Question labels by field name, from a form definition ("content": {"survey": [...]}).
  const std::map<std::string, std::string>& labels() const { return labels_; }
  bool lines() const { return jsonl_; }
  long long bytes_consumed() const { return consumed_; }

 private:
  text_input& in_;
  bool next_element(json_submission& out);
  std::unique_ptr<line_reader> lines_;  // JSON Lines
  bool jsonl_ = false;
  bool array_ = false;   // a top-level array, streamed
  bool opened_ = false;  // its '[' was read
  bool array_done_ = false;
  bool massline_stream_ = false;  // began with a header record: every typed record passes
  std::string buf_;
  std::size_t pos_ = 0;
  bool eof_ = false;
  long long line_ = 0;
  long long index_ = 0;
  long long consumed_ = 0;
  nlohmann::ordered_json doc_;
  const nlohmann::ordered_json* items_ = nullptr;
  std::size_t item_ = 0;
  std::map<std::string, std::string> labels_;
};

/// Flattens one JSON object into cells (see flat_cell).
void flatten(const nlohmann::ordered_json& obj, const std::string& prefix,
             std::vector<flat_cell>& out);

}  // namespace ml::detail
