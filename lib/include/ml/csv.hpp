// SPDX-License-Identifier: Apache-2.0
// A streaming CSV/TSV reader: RFC 4180 quoting (embedded delimiters, doubled quotes and
// newlines), LF, CRLF and CR-only line ends, any one-byte delimiter, and positions (the line
// each record starts on) for messages. Memory is bounded by the longest record.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "ml/input.hpp"

namespace ml {

struct csv_record {
  /// Fields of the record; views stay valid until the next call to csv_reader::next().
  std::vector<std::string_view> fields;
  long long line = 0;      ///< physical line (1-based) the record starts on
  long long end_line = 0;  ///< physical line it ends on (records may span lines)
  long long number = 0;    ///< 1-based record number in the file, blank lines not counted
};

/// Picks the delimiter of a CSV sample among `,` `;` tab `|`: the one that splits the first
/// records (quotes respected) into the same number (more than one) of fields most
/// consistently. Returns ',' when nothing fits better.
char sniff_delimiter(std::string_view sample);

class csv_reader {
 public:
  /// Reads from `in`; `delimiter` 0 means sniff it from the start of the input.
  csv_reader(text_input& in, char delimiter = 0);

  /// Reads the next record; false at end of input. Blank lines are skipped. Throws ml::error
  /// 65 `file:line: unterminated quoted field (opened at line N)` at end of input inside a
  /// quoted field, and when a record exceeds `max_record_bytes`.
  bool next(csv_record& rec);

  char delimiter() const { return delim_; }
  /// Records where text followed a closing quote ("a"b), which was kept as written.
  long long stray_quotes() const { return stray_quotes_; }
  /// Bytes handed out so far (for progress).
  long long bytes_consumed() const { return consumed_; }
  /// The input's mapping (text_input::take_mapped), or empty: a field whose view lies in it
  /// stays valid after next() as long as the mapping is held (text_input::mapping()); other
  /// fields only until the next call.
  std::string_view mapped() const { return mapped_; }
  long long max_record_bytes = 256LL << 20;

 private:
  bool fill(std::size_t at_least);
  /// Parses one record at pos_; returns false when the buffer ran out before it ended.
  bool parse(csv_record& rec, bool final_chunk);

  const char* wdata() const { return in_map_ ? mapped_.data() : buf_.data(); }
  std::size_t wsize() const { return in_map_ ? mapped_.size() : buf_.size(); }
  std::string_view window() const { return {wdata(), wsize()}; }

  text_input& in_;
  char delim_;
  std::string buf_;
  // The input's mapping (text_input::take_mapped), if any; the window is it while in_map_,
  // then buf_ (from its last record on, and what the file gained since its check).
  std::string_view mapped_;
  bool in_map_ = false;
  std::size_t prefetched_ = 0;  // the mapping is asked for ahead of pos_ up to here
  static constexpr std::size_t prefetch_ahead = 4096;
  std::size_t pos_ = 0;
  bool eof_ = false;
  long long line_ = 1;
  long long records_ = 0;
  long long stray_quotes_ = 0;
  long long consumed_ = 0;
  std::string scratch_;
  std::vector<std::size_t> scratch_offsets_;
  std::vector<std::pair<std::size_t, std::size_t>> spans_;  // (offset, length), high bit: scratch
};

}  // namespace ml
