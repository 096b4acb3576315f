// SPDX-License-Identifier: Apache-2.0
#include "json_input.hpp"

#include <cstring>
#include <fmt/format.h>

#include "ml/error.hpp"
#include "ml/records.hpp"

namespace ml::detail {

namespace {
constexpr std::size_t max_document = std::size_t{1} << 30;

long long line_at(std::string_view text, std::size_t byte) {
  long long n = 1;
  for (std::size_t i = 0; i < byte && i < text.size(); ++i)
    if (text[i] == '\n') ++n;
  return n;
}

std::string scalar_text(const nlohmann::ordered_json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_number_integer()) return std::to_string(v.get<long long>());
  if (v.is_number_unsigned()) return std::to_string(v.get<unsigned long long>());
  if (v.is_number_float()) return v.dump();
  return {};
}

[[noreturn]] void parse_failure(const std::string& file, std::string_view text,
                                const nlohmann::json::parse_error& e, long long base_line) {
  long long line = base_line + line_at(text, e.byte > 0 ? e.byte - 1 : 0) - 1;
  bool at_end = e.byte >= text.size();
  throw data_error(file, line,
                   fmt::format("invalid JSON{}{}", json_error_text(e),
                               at_end ? "; the input ends early: is the file truncated?" : ""));
}
}  // namespace

void flatten(const nlohmann::ordered_json& obj, const std::string& prefix,
             std::vector<flat_cell>& out) {
  for (auto it = obj.begin(); it != obj.end(); ++it) {
    const std::string& k = it.key();
    // KoboToolbox keys are full group paths already ("grp/q"); plain nesting is joined.
    std::string key = prefix.empty() || k.rfind(prefix, 0) == 0 ? k : prefix + "/" + k;
    const auto& v = it.value();
    if (v.is_null()) continue;
    if (v.is_object()) {
      flatten(v, key, out);
    } else if (v.is_array()) {
      bool objects = !v.empty() && v.front().is_object();
      if (objects) {
        for (const auto& el : v)
          if (el.is_object()) flatten(el, key, out);
      } else {
        std::string joined;
        for (const auto& el : v) {
          std::string s = scalar_text(el);
          if (s.empty()) continue;
          if (!joined.empty()) joined += ", ";
          joined += s;
        }
        if (!joined.empty()) out.push_back({key, joined});
      }
    } else {
      out.push_back({key, scalar_text(v)});
    }
  }
}

json_source::json_source(text_input& in) : in_(in) {
  const std::string& head = in_.peek();
  std::size_t i = 0;
  while (i < head.size() && std::strchr(" \t\r\n", head[i])) ++i;
  if (i < head.size() && head[i] == '{') {
    // JSON Lines when the first line holds a whole object.
    std::size_t nl = head.find('\n', i);
    std::string_view first(head.data() + i, (nl == std::string::npos ? head.size() : nl) - i);
    jsonl_ = nlohmann::json::accept(first.begin(), first.end()) &&
             (nl != std::string::npos || head.size() < (1u << 16));
    if (jsonl_ && json_too_deep(first)) throw data_error(in_.name(), 1, json_depth_message());
    if (jsonl_) {
      // A one-line API envelope ({"count": 12, "results": [...]}) is a document, not a stream.
      auto obj = nlohmann::json::parse(first.begin(), first.end());
      for (const char* k : {"results", "submissions", "data", "responses", "items"})
        if (obj.contains(k) && obj[k].is_array()) jsonl_ = false;
    }
  }
  if (jsonl_) {
    lines_ = std::make_unique<line_reader>(in_);
    return;
  }
  if (i < head.size() && head[i] == '[') {
    // A top-level array is streamed element by element: memory stays bounded.
    array_ = true;
    return;
  }
  std::string text;
  while (in_.next(text))
    if (text.size() > max_document)
      throw data_error(in_.name(), 0,
                       "a JSON document over 1 GiB cannot be read whole; write it as JSON Lines "
                       "(one submission per line)");
  // An envelope ({"results": [...]}) adds two levels to the submissions'.
  if (json_too_deep(text, max_json_depth + 2)) throw data_error(in_.name(), 0, json_depth_message());
  try {
    doc_ = nlohmann::ordered_json::parse(text);
  } catch (const nlohmann::json::parse_error& e) {
    parse_failure(in_.name(), text, e, 1);
  } catch (const nlohmann::json::exception& e) {  // out_of_range: a number like 1e999
    throw data_error(in_.name(), 0, "invalid JSON" + json_error_text(e));
  }
  if (doc_.is_array()) {
    items_ = &doc_;
  } else if (doc_.is_object()) {
    for (const char* k : {"results", "submissions", "data", "responses", "items"}) {
      auto it = doc_.find(k);
      if (it != doc_.end() && it->is_array()) {
        items_ = &*it;
        break;
      }
    }
    // A form definition alongside (KoboToolbox "content": {"survey": [...]}) gives labels.
    auto content = doc_.find("content");
    if (content != doc_.end() && content->is_object()) {
      auto survey = content->find("survey");
      if (survey != content->end() && survey->is_array()) {
        for (const auto& q : *survey) {
          if (!q.is_object() || !q.contains("name") || !q["name"].is_string()) continue;
          auto lab = q.find("label");
          if (lab == q.end()) continue;
          std::string label = lab->is_string() ? lab->get<std::string>()
                              : lab->is_array() && !lab->empty() && lab->front().is_string()
                                  ? lab->front().get<std::string>()
                                  : std::string();
          if (!label.empty()) labels_[q["name"].get<std::string>()] = label;
        }
      }
    }
    if (!items_) {
      // One submission on its own.
      static nlohmann::ordered_json single;
      single = nlohmann::ordered_json::array({doc_});
      doc_ = std::move(single);
      items_ = &doc_;
    }
  } else {
    throw data_error(in_.name(), 1,
                     "JSON input must be an array of submissions, an object holding one "
                     "(\"results\", \"submissions\"), or JSON Lines");
  }
}

// Cuts the next element out of a top-level array, tracking strings and nesting, and parses
// it on its own.
bool json_source::next_element(json_submission& out) {
  if (array_done_) return false;
  auto more = [&] {
    if (eof_) return false;
    if (pos_ > (1u << 20)) {
      buf_.erase(0, pos_);
      pos_ = 0;
    }
    if (!in_.next(buf_)) {
      eof_ = true;
      return false;
    }
    return true;
  };
  auto truncated = [&](long long at) {
    throw data_error(in_.name(), at,
                     "invalid JSON: the input ends inside the array; is the file truncated?");
  };
  if (line_ == 0) line_ = 1;
  // Skip whitespace, the opening '[' and commas between elements.
  for (;;) {
    if (pos_ >= buf_.size()) {
      if (!more()) truncated(line_);
      continue;
    }
    char c = buf_[pos_];
    if (c == '\n') ++line_;
    if (c == ' ' || c == '\t' || c == '\r' || c == '\n' || c == ',' ||
        (c == '[' && !opened_)) {
      if (c == '[') opened_ = true;
      ++pos_;
      continue;
    }
    if (c == ']') {
      ++pos_;
      do {
        for (; pos_ < buf_.size(); ++pos_)
          if (!std::strchr(" \t\r\n", buf_[pos_]))
            throw data_error(in_.name(), line_, "invalid JSON: text after the closing ']'");
      } while (more());
      array_done_ = true;
      return false;
    }
    break;
  }
  long long start_line = line_;
  std::size_t start = pos_, i = pos_;
  int depth = 0;
  bool in_str = false, esc = false;
  long long lines = 0;
  for (;;) {
    if (i >= buf_.size()) {
      std::size_t off_start = start, off_i = i;
      std::size_t before = pos_;
      if (!more()) truncated(start_line);  // the submission that is cut off
      // more() may have moved the buffer: keep offsets relative to it.
      std::size_t shift = before - pos_;
      start = off_start - shift;
      i = off_i - shift;
      continue;
    }
    char c = buf_[i++];
    if (c == '\n') ++lines;
    if (in_str) {
      if (esc)
        esc = false;
      else if (c == '\\')
        esc = true;
      else if (c == '"')
        in_str = false;
      continue;
    }
    if (c == '"') in_str = true;
    else if (c == '{' || c == '[') ++depth;
    else if (c == '}' || c == ']') {
      if (--depth < 0) throw data_error(in_.name(), start_line + lines, "invalid JSON: unbalanced brackets");
    }
    if (depth == 0 && (c == '}' || c == ']' || c == ',' )) break;
    if (i - start > max_document)
      throw data_error(in_.name(), start_line, "a JSON submission over 1 GiB");
  }
  std::string_view text(buf_.data() + start, i - start);
  if (!text.empty() && text.back() == ',') text.remove_suffix(1);
  if (json_too_deep(text)) throw data_error(in_.name(), start_line, json_depth_message());
  nlohmann::ordered_json el;
  try {
    el = nlohmann::ordered_json::parse(text.begin(), text.end());
  } catch (const nlohmann::json::parse_error&) {
    // Parse again with the element where it stood on its line, for the right column.
    std::size_t nl = buf_.rfind('\n', start == 0 ? 0 : start - 1);
    std::size_t col0 = (nl == std::string::npos || start == 0) ? start : start - nl - 1;
    std::string padded(col0, ' ');
    padded.append(text);
    try {
      auto again = nlohmann::ordered_json::parse(padded);  // throws: the element is bad
      (void)again;
    } catch (const nlohmann::json::parse_error& e2) {
      parse_failure(in_.name(), padded, e2, start_line);
    }
    throw;
  } catch (const nlohmann::json::exception& e) {  // out_of_range: a number like 1e999
    throw data_error(in_.name(), start_line, "invalid JSON" + json_error_text(e));
  }
  pos_ = i;
  line_ = start_line + lines;
  consumed_ += static_cast<long long>(i - start);
  ++index_;
  if (!el.is_object())
    throw data_error(in_.name(), start_line, fmt::format("submission {} is not a JSON object", index_));
  out.index = index_;
  out.line = start_line;
  flatten(el, {}, out.cells);
  return true;
}

bool json_source::next(json_submission& out) {
  out.cells.clear();
  out.stream_record = false;
  out.raw.clear();
  out.stream_type.clear();
  out.respondent.clear();
  if (array_) return next_element(out);
  if (!jsonl_) {
    while (item_ < items_->size()) {
      const auto& el = (*items_)[item_++];
      ++index_;
      if (!el.is_object())
        throw data_error(in_.name(), 0,
                         fmt::format("submission {} is not a JSON object", index_));
      out.index = index_;
      out.line = 0;
      flatten(el, {}, out.cells);
      return true;
    }
    return false;
  }
  std::string_view line;
  for (;;) {
    if (!lines_->next(line)) return false;
    line_ = lines_->line_number();
    consumed_ = lines_->bytes_consumed();
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
    if (json_too_deep(line)) throw data_error(in_.name(), line_, json_depth_message());
    nlohmann::ordered_json obj;
    try {
      obj = nlohmann::ordered_json::parse(line.begin(), line.end());
    } catch (const nlohmann::json::exception& e) {
      throw data_error(in_.name(), line_,
                       "invalid JSON" + json_error_text(e) +
                           (lines_->last_unterminated()
                                ? "; the last line has no newline: is the input truncated?"
                                : "; each line must hold one JSON object"));
    }
    if (!obj.is_object())
      throw data_error(in_.name(), line_, "not a JSON object; each line must hold one object");
    out.index = ++index_;
    out.line = line_;
    auto t = obj.find("type");
    if (index_ == 1 && t != obj.end() && t->is_string() && t->get<std::string>() == "header")
      massline_stream_ = true;
    if (t != obj.end() && t->is_string() &&
        (massline_stream_ || is_stream_type(t->get<std::string>()))) {
      out.stream_record = true;
      out.stream_type = t->get<std::string>();
      out.raw.assign(line);
      auto r = obj.find("respondent");
      if (r != obj.end() && r->is_string()) out.respondent = r->get<std::string>();
      return true;
    }
    flatten(obj, {}, out.cells);
    return true;
  }
}

}  // namespace ml::detail
