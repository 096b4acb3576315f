// SPDX-License-Identifier: Apache-2.0
#include "ml/records.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <fmt/format.h>

#include "ml/diag.hpp"
#include "ml/error.hpp"

namespace ml {

void line_reader::too_long() const {
  throw data_error(in_.name(), line_ + 1,
                   fmt::format("a line longer than {} bytes; JSON Lines has one record per line: "
                               "is this the right file?",
                               max_bytes));
}

bool line_reader::next(std::string_view& line) {
  for (;;) {
    const char* start = buf_.data() + pos_;
    // Only the bytes not searched before: a long line is scanned once, not once per read.
    const void* nl = std::memchr(start + scanned_, '\n', buf_.size() - pos_ - scanned_);
    if (nl) {
      std::size_t len = static_cast<const char*>(nl) - start;
      if (len > max_bytes) too_long();
      line = std::string_view(start, len);
      if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
      pos_ += len + 1;
      scanned_ = 0;
      consumed_ += static_cast<long long>(len + 1);
      ++line_;
      unterminated_ = false;
      return true;
    }
    scanned_ = buf_.size() - pos_;
    if (eof_) {
      if (pos_ >= buf_.size()) return false;
      if (buf_.size() - pos_ > max_bytes) too_long();
      line = std::string_view(start, buf_.size() - pos_);
      consumed_ += static_cast<long long>(buf_.size() - pos_);
      pos_ = buf_.size();
      scanned_ = 0;
      ++line_;
      unterminated_ = true;
      return true;
    }
    if (scanned_ > max_bytes) too_long();
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
  if (json_too_deep(line)) throw data_error(name_, rec.line, json_depth_message());
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

bool json_too_deep(std::string_view text, int max_depth) noexcept {
  // Cannot nest deeper than it has brackets: one quick count settles the usual record.
  auto opens = std::count(text.begin(), text.end(), '[') + std::count(text.begin(), text.end(), '{');
  if (opens <= max_depth) return false;
  int depth = 0;
  bool in_string = false;
  for (std::size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    if (in_string) {
      if (c == '\\')
        ++i;
      else if (c == '"')
        in_string = false;
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      if (++depth > max_depth) return true;
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return false;
}

std::string json_depth_message() {
  return fmt::format("arrays or objects nested more than {} levels deep; survey exports and "
                     "records nest a few levels: is this the right file?",
                     max_json_depth);
}

void bad_json_line(const std::string& file, long long line, std::string_view text,
                   std::string_view why, std::string_view hint) {
  nlohmann::json parsed;
  try {
    parsed = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception& e) {
    throw data_error(file, line, fmt::format("invalid JSON{}{}", json_error_text(e), hint));
  }
  if (!parsed.is_object())
    throw data_error(file, line,
                     fmt::format("a record must be a JSON object, not {}{}", parsed.type_name(), hint));
  throw data_error(file, line, fmt::format("invalid JSON record ({}){}", why, hint));
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
