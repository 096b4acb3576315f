// SPDX-License-Identifier: Apache-2.0
// A small streaming JSON writer: records come out compact, one per line, with their keys in
// the order they were written, so golden files diff cleanly and output is byte-stable.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace ml {

/// Appends `s` to `out` as a JSON string literal (quotes included). Invalid UTF-8 bytes are
/// replaced by U+FFFD so the output is always valid JSON; control characters are escaped.
void append_json_string(std::string& out, std::string_view s);
/// Appends a number as json_writer::value(double) writes it (integers without a fraction,
/// others in the shortest form that reads back the same; NaN and infinities as null).
void append_json_number(std::string& out, double d);
/// Appends an integer in JSON (decimal, no allocation).
void append_json_int(std::string& out, long long n);

/// Builds one JSON value into a string. Keys keep the order of the calls.
///
///   json_writer w;
///   w.begin_object().key("type").value("idea").key("n").value(3).end_object();
///   w.str() == R"({"type":"idea","n":3})"
class json_writer {
 public:
  json_writer& begin_object();
  json_writer& end_object();
  json_writer& begin_array();
  json_writer& end_array();
  json_writer& key(std::string_view k);
  json_writer& value(std::string_view s);
  json_writer& value(const char* s) { return value(std::string_view(s)); }
  json_writer& value(const std::string& s) { return value(std::string_view(s)); }
  json_writer& value(long long n);
  json_writer& value(int n) { return value(static_cast<long long>(n)); }
  json_writer& value(std::size_t n) { return value(static_cast<long long>(n)); }
  json_writer& value(double d);
  json_writer& value(bool b);
  json_writer& null();
  /// Inserts already-serialised JSON text as a value.
  json_writer& raw(std::string_view json);
  /// Shorthand: a string value, or null when `s` is empty.
  json_writer& string_or_null(std::string_view s) { return s.empty() ? null() : value(s); }

  const std::string& str() const { return out_; }
  std::string& buffer() { return out_; }
  void clear() {
    out_.clear();
    need_comma_ = false;
  }

 private:
  void sep();
  std::string out_;
  bool need_comma_ = false;
};

}  // namespace ml
