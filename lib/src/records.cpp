// SPDX-License-Identifier: Apache-2.0
#include "ml/records.hpp"

#include <array>
#include <cstring>
#include <fmt/format.h>

#include "ml/diag.hpp"
#include "ml/error.hpp"

namespace ml {

bool line_reader::next(std::string_view& line) {
  for (;;) {
    const char* start = buf_.data() + pos_;
    const void* nl = std::memchr(start, '\n', buf_.size() - pos_);
    if (nl) {
      std::size_t len = static_cast<const char*>(nl) - start;
      line = std::string_view(start, len);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      pos_ += len + 1;
      consumed_ += static_cast<long long>(len + 1);
      ++line_;
      unterminated_ = false;
      return true;
    }
    if (eof_) {
      if (pos_ >= buf_.size()) return false;
      line = std::string_view(start, buf_.size() - pos_);
      consumed_ += static_cast<long long>(buf_.size() - pos_);
      pos_ = buf_.size();
      ++line_;
      unterminated_ = true;
      return true;
    }
    if (pos_ > 0) {
      buf_.erase(0, pos_);
      pos_ = 0;
    }
    if (!in_.next(buf_)) eof_ = true;
  }
}

std::string record::type() const {
  auto it = value.find("type");
  if (it != value.end() && it->is_string()) return it->get<std::string>();
  return {};
}

bool record_reader::next(record& rec) {
  std::string_view line;
  for (;;) {
    if (!lines_.next(line)) return false;
    bool blank = true;
    for (char c : line)
      if (c != ' ' && c != '\t') blank = false;
    if (!blank) break;
  }
  rec.line = lines_.line_number();
  rec.raw = line;
  try {
    rec.value = nlohmann::ordered_json::parse(line.begin(), line.end());
  } catch (const nlohmann::json::exception& e) {  // parse_error, or out_of_range (1e999)
    std::string hint = lines_.last_unterminated()
                           ? "; the last line has no final newline: the input looks truncated"
                           : "; each line must hold one complete JSON object";
    throw data_error(name_, rec.line, "invalid JSON" + json_error_text(e) + hint);
  }
  if (!rec.value.is_object())
    throw data_error(name_, rec.line,
                     "not a JSON object; each line of a record stream must be one object");
  return true;
}

std::string json_error_text(const nlohmann::json::exception& e) {
  // nlohmann: "[json.exception.parse_error.101] parse error at line 3, column 54: syntax error
  // while parsing object - invalid literal; last read: '...'".
  std::string why = e.what();
  if (!why.empty() && why[0] == '[') {  // "[json.exception.out_of_range.406] number ..."
    auto close = why.find("] ");
    if (close != std::string::npos) why.erase(0, close + 2);
  }
  auto col = why.find("column ");
  if (col == std::string::npos) {
    auto colon = why.find(": ");
    return ": " + (colon == std::string::npos ? why : why.substr(colon + 2));
  }
  auto colon = why.find(':', col);
  if (colon == std::string::npos) return " at " + why.substr(col);
  return " at " + why.substr(col, colon - col) + ": " + why.substr(colon + 2);
}

void check_header_version(const nlohmann::json& header, const std::string& file,
                          long long line) {
  if (!header.is_object()) return;
  auto v = header.find("v");
  if (v != header.end() && v->is_number_integer() && v->get<long long>() > records_version)
    throw data_error(file, line,
                     fmt::format("stream version {} is newer than this {} reads ({}); upgrade "
                                 "massline",
                                 v->get<long long>(), diag::program(), records_version));
}

void check_header_version(std::string_view raw, const std::string& file, long long line) {
  check_header_version(nlohmann::json::parse(raw, nullptr, false), file, line);
}

bool is_stream_type(std::string_view type) {
  static constexpr std::array<std::string_view, 11> types = {
      "header", "idea", "reject", "summary", "theme", "unassigned",
      "directive", "report", "review", "brief", "vanished"};
  for (auto t : types)
    if (t == type) return true;
  return false;
}

}  // namespace ml
