// SPDX-License-Identifier: Apache-2.0
// The stream: JSON Lines records, one object per line, each with a "type". Reading gives
// `file:line` errors; unknown fields and record types are kept so tools can pass them on.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "ml/input.hpp"

namespace ml {

/// Version of the record format, written as "v" on header records.
inline constexpr int records_version = 1;

/// The longest line a JSON Lines reader takes (a record with a 100 MB answer fits);
/// a longer one is refused (65) rather than held in memory whole.
inline constexpr std::size_t max_line_bytes = std::size_t{256} << 20;

/// Splits text input into lines (LF or CRLF), numbering them from 1.
class line_reader {
 public:
  explicit line_reader(text_input& in) : in_(in) {}
  /// Next line without its terminator; the view is valid until the next call. Throws
  /// ml::error 65 (file:line) for a line longer than max_line_bytes.
  bool next(std::string_view& line);
  long long line_number() const { return line_; }
  /// True if the last line returned had no final newline.
  bool last_unterminated() const { return unterminated_; }
  long long bytes_consumed() const { return consumed_; }
  /// The longest line taken (tests make it small).
  std::size_t max_bytes = max_line_bytes;

 private:
  [[noreturn]] void too_long() const;
  text_input& in_;
  std::string buf_;
  std::size_t pos_ = 0;
  std::size_t scanned_ = 0;  ///< bytes after pos_ known to hold no newline
  bool eof_ = false;
  long long line_ = 0;
  long long consumed_ = 0;
  bool unterminated_ = false;
};

struct record {
  nlohmann::ordered_json value;  ///< the parsed object, keys in the order they came
  std::string_view raw;          ///< the line as read (valid until the next read)
  long long line = 0;
  std::string type() const;      ///< value["type"] when it is a string, else ""
};

/// Reads JSON Lines records; blank lines are skipped.
class record_reader {
 public:
  explicit record_reader(text_input& in) : lines_(in), name_(in.name()) {}
  /// Throws ml::error 65 `file:line: invalid JSON (...)` for a line that is not a JSON
  /// object, naming the column and, for a last line cut short, that the input is truncated.
  bool next(record& rec);
  long long bytes_consumed() const { return lines_.bytes_consumed(); }

 private:
  line_reader lines_;
  std::string name_;
};

/// The deepest nesting of arrays and objects any reader takes from outside input. Survey
/// exports and records nest a few levels; thousands of levels are an attack on the stack
/// (printing or flattening such a value recurses), so they are refused (65) with a message.
inline constexpr int max_json_depth = 64;

/// True when `text` (JSON, valid or not) nests arrays and objects more than `max_depth`
/// levels deep, brackets inside strings not counted. Fast for the usual flat record.
bool json_too_deep(std::string_view text, int max_depth = max_json_depth) noexcept;

/// The message for a value refused by json_too_deep.
std::string json_depth_message();

/// Throws ml::error 65 for a line a fast (simdjson) reader refused: nlohmann's message,
/// with the column, when it refuses the line too; "a record must be a JSON object" when it
/// is JSON but not an object; else `why`. `hint` ends the message.
[[noreturn]] void bad_json_line(const std::string& file, long long line, std::string_view text,
                                std::string_view why, std::string_view hint);

/// The useful part of a JSON parser error: " at column N: what was wrong" (nlohmann's own
/// prefix and position removed), for messages that already name file and line.
std::string json_error_text(const nlohmann::json::exception& e);

/// Throws ml::error 65 `file:line: stream version V is newer than this TOOL reads (N); upgrade
/// massline` when the header record carries a "v" above records_version (TOOL is the running
/// program). The first form parses `raw`; a header that is not JSON is left to the caller.
void check_header_version(std::string_view raw, const std::string& file, long long line);
void check_header_version(const nlohmann::json& header, const std::string& file, long long line);

/// True for the record types the toolkit defines (header, idea, reject, theme, ...).
bool is_stream_type(std::string_view type);

}  // namespace ml
