// SPDX-License-Identifier: Apache-2.0
// Streaming CSV reader. Parsing restarts at the record's first byte when the buffer runs out
// in the middle of it; the buffer then grows geometrically, so a record is scanned O(1) times
// on average however long it is.
#include "ml/csv.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <fmt/format.h>
#include <map>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "ml/error.hpp"

namespace ml {

namespace {

constexpr std::size_t huge_buffer = std::size_t{16} << 20;

// The first '"' in p[i..n), or n if none; `breaks` is set when a '\n' or '\r' comes before it.
// One pass for the three bytes, 16 at a time: most quoted fields are short and on one line,
// and three memchr calls per field were a tenth of reading a CSV file.
std::size_t find_quote(const char* p, std::size_t i, std::size_t n, bool& breaks) noexcept {
#if defined(__SSE2__)
  const __m128i quote = _mm_set1_epi8('"'), lf = _mm_set1_epi8('\n'), cr = _mm_set1_epi8('\r');
  for (; i + 16 <= n; i += 16) {
    const __m128i v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
    const unsigned q = static_cast<unsigned>(_mm_movemask_epi8(_mm_cmpeq_epi8(v, quote)));
    const unsigned b = static_cast<unsigned>(
        _mm_movemask_epi8(_mm_or_si128(_mm_cmpeq_epi8(v, lf), _mm_cmpeq_epi8(v, cr))));
    if (q != 0) {
      const unsigned at = static_cast<unsigned>(__builtin_ctz(q));
      if (b & ((1u << at) - 1)) breaks = true;
      return i + at;
    }
    if (b != 0) breaks = true;
  }
#endif
  for (; i < n; ++i) {
    const char c = p[i];
    if (c == '"') return i;
    if (c == '\n' || c == '\r') breaks = true;
  }
  return n;
}

constexpr std::size_t scratch_bit = std::size_t{1} << (sizeof(std::size_t) * 8 - 1);

// Counts fields per record in `sample` for delimiter `d`, quotes respected; up to 30 records.
std::vector<int> field_counts(std::string_view s, char d, int* stray = nullptr) {
  std::vector<int> counts;
  bool closed = false;  // just after a closing quote
  int fields = 1;
  bool in_q = false, at_start = true;
  std::size_t i = 0;
  for (; i < s.size() && counts.size() < 30; ++i) {
    char c = s[i];
    if (in_q) {
      if (c == '"') {
        if (i + 1 < s.size() && s[i + 1] == '"')
          ++i;
        else {
          in_q = false;
          closed = true;
        }
      }
      continue;
    }
    // Text right after a closing quote means the quote did not end a field: wrong delimiter.
    if (closed && c != d && c != '\n' && c != '\r' && stray) ++*stray;
    closed = false;
    if (c == '"' && at_start) {
      in_q = true;
      at_start = false;
    } else if (c == d) {
      ++fields;
      at_start = true;
    } else if (c == '\n' || c == '\r') {
      if (c == '\r' && i + 1 < s.size() && s[i + 1] == '\n') ++i;
      counts.push_back(fields);
      fields = 1;
      at_start = true;
    } else {
      at_start = false;
    }
  }
  if (i >= s.size() && !in_q && (fields > 1 || counts.empty())) counts.push_back(fields);
  return counts;
}
}  // namespace

char sniff_delimiter(std::string_view sample) {
  const std::array<char, 4> cands = {',', '\t', ';', '|'};
  char best = ',';
  double best_score = 0;
  for (char d : cands) {
    int stray = 0;
    auto counts = field_counts(sample, d, &stray);
    if (counts.empty()) continue;
    std::map<int, int> freq;
    for (int c : counts) ++freq[c];
    auto mode = std::max_element(freq.begin(), freq.end(),
                                 [](auto& a, auto& b) { return a.second < b.second; });
    if (mode->first <= 1) continue;
    // Consistency first, then the number of fields: a delimiter that splits every record the
    // same way beats one that splits more but unevenly.
    double consistency = static_cast<double>(mode->second) / static_cast<double>(counts.size());
    double score = consistency * 1000.0 + std::min(mode->first, 999);
    if (counts[0] == mode->first) score += 500;  // the header agrees
    score -= 50.0 * stray;
    if (score > best_score) {
      best_score = score;
      best = d;
    }
  }
  return best;
}

csv_reader::csv_reader(text_input& in, char delimiter) : in_(in), delim_(delimiter) {
  // No large reserve up front: the window grows as needed, so a small file costs little
  // (a 2 MiB reserve made every tiny input, and the CSV fuzzer, ten times slower).
  // A regular file of checked UTF-8 is parsed where it lies in the page cache (no copy);
  // anything else, and the end of a file that grew since its check, through buf_.
  if (const std::string_view m = in_.take_mapped(); !m.empty()) {
    mapped_ = m;
    in_map_ = true;
  } else {
    fill(1 << 16);
  }
  if (delim_ == 0) delim_ = sniff_delimiter(window().substr(0, 1 << 16));
}

bool csv_reader::fill(std::size_t at_least) {
  if (in_map_) {
    // The end of the mapping: what is left of its last record goes on in buf_.
    buf_.assign(mapped_.substr(pos_));
    in_map_ = false;
    pos_ = 0;
  }
  if (pos_ > 0) {
    buf_.erase(0, pos_);
    pos_ = 0;
  }
  // After a huge record (a 100 MB answer) the window shrinks back, so that its memory is not
  // held for the rest of the file while the workers copy and tidy that answer.
  if (buf_.capacity() > huge_buffer && buf_.capacity() > 4 * (buf_.size() + at_least))
    buf_.shrink_to_fit();
  if (scratch_.capacity() > huge_buffer) std::string().swap(scratch_);  // no views into it live here
  std::size_t target = buf_.size() + at_least;
  while (!eof_ && buf_.size() < target) {
    if (!in_.next(buf_)) eof_ = true;
  }
  return !eof_;
}

bool csv_reader::next(csv_record& rec) {
  for (;;) {
    // Skip blank lines (they hold no record).
    for (;;) {
      if (pos_ >= wsize()) {
        if (eof_) {
          // The end: nothing in the window is needed any more (it may have held a huge record).
          std::string().swap(buf_);
          std::string().swap(scratch_);
          pos_ = 0;
          return false;
        }
        fill(1 << 18);
        continue;
      }
      char c = wdata()[pos_];
      if (c == '\n') {
        ++pos_;
        ++line_;
        ++consumed_;
      } else if (c == '\r') {
        if (pos_ + 1 >= wsize() && !eof_) {
          fill(1 << 18);
          continue;
        }
        ++pos_;
        ++consumed_;
        if (pos_ < wsize() && wdata()[pos_] == '\n') {
          ++pos_;
          ++consumed_;
        }
        ++line_;
      } else {
        break;
      }
    }
    if (in_map_) {
      // The mapping is read from memory, not from a copy just made: ask for the next few KiB
      // ahead of the parser (the hardware's prefetch stops at each 4 KiB page).
      const std::size_t want = std::min(mapped_.size(), pos_ + prefetch_ahead);
      if (prefetched_ < pos_) prefetched_ = pos_ & ~std::size_t{63};
      for (; prefetched_ < want; prefetched_ += 64) __builtin_prefetch(mapped_.data() + prefetched_);
    }
    if (parse(rec, eof_)) return true;
    // The record did not fit: grow the window and parse it again from its start.
    std::size_t have = wsize() - pos_;
    if (static_cast<long long>(have) > max_record_bytes)
      throw data_error(in_.name(), line_,
                       fmt::format("a record longer than {} MiB; this is probably a quoting error "
                                   "(an unbalanced '\"')",
                                   max_record_bytes >> 20));
    fill(std::max<std::size_t>(have, 1 << 18));
  }
}

bool csv_reader::parse(csv_record& rec, bool final_chunk) {
  const char* base = wdata();
  const std::size_t n = wsize();
  const char d = delim_;
  std::size_t i = pos_;
  long long line = line_;
  spans_.clear();
  scratch_.clear();
  long long strays = 0;

  for (;;) {
    // One field.
    if (i < n && base[i] == '"') {
      long long opened = line;
      std::size_t start = ++i;
      bool escaped = false;
      std::size_t scratch_start = 0;
      for (;;) {
        bool breaks = false;
        const std::size_t qi = find_quote(base, i, n, breaks);
        if (qi == n) {
          if (!final_chunk) return false;
          // The line the input ends on: a final line end does not start another line.
          std::size_t last = n;
          if (last > start && base[last - 1] == '\n') --last;
          if (last > start && base[last - 1] == '\r') --last;
          for (std::size_t k = start; k < last; ++k)
            if (base[k] == '\n' || (base[k] == '\r' && (k + 1 >= n || base[k + 1] != '\n'))) ++line;
          throw data_error(in_.name(), opened,
                           fmt::format("unterminated quoted field (opened at line {}, still open "
                                       "at the end of the input at line {}); a '\"' inside a "
                                       "quoted field must be doubled as '\"\"'",
                                       opened, line));
        }
        if (breaks)
          for (std::size_t k = i; k < qi; ++k)
            if (base[k] == '\n' || (base[k] == '\r' && (k + 1 >= n || base[k + 1] != '\n'))) ++line;
        if (qi + 1 >= n && !final_chunk) return false;
        if (qi + 1 < n && base[qi + 1] == '"') {
          if (!escaped) {
            escaped = true;
            scratch_start = scratch_.size();
          }
          scratch_.append(base + i, qi + 1 - i);  // text plus one quote
          i = qi + 2;
          continue;
        }
        // Closing quote.
        if (escaped) {
          scratch_.append(base + i, qi - i);
          spans_.emplace_back(scratch_start | scratch_bit, scratch_.size() - scratch_start);
        } else {
          spans_.emplace_back(start, qi - start);
        }
        i = qi + 1;
        break;
      }
      // Text after the closing quote ("a"b): keep it, as spreadsheets do.
      if (i < n && base[i] != d && base[i] != '\n' && base[i] != '\r') {
        ++strays;
        auto& sp = spans_.back();
        std::string joined = (sp.first & scratch_bit)
                                 ? scratch_.substr(sp.first & ~scratch_bit, sp.second)
                                 : std::string(base + sp.first, sp.second);
        std::size_t j = i;
        while (j < n && base[j] != d && base[j] != '\n' && base[j] != '\r') ++j;
        if (j >= n && !final_chunk) return false;
        joined.append(base + i, j - i);
        std::size_t off = scratch_.size();
        scratch_.append(joined);
        sp = {off | scratch_bit, joined.size()};
        i = j;
      }
    } else {
      std::size_t start = i;
      while (i < n) {
        char c = base[i];
        if (c == d || c == '\n' || c == '\r') break;
        ++i;
      }
      spans_.emplace_back(start, i - start);
    }
    // After a field: delimiter, end of record, or end of buffer.
    if (i >= n) {
      if (!final_chunk) return false;
      break;
    }
    char c = base[i];
    if (c == d) {
      ++i;
      if (i >= n && final_chunk) {
        spans_.emplace_back(i, 0);
        break;
      }
      continue;
    }
    if (c == '\r') {
      if (i + 1 >= n && !final_chunk) return false;
      ++i;
      if (i < n && base[i] == '\n') ++i;
    } else {
      ++i;
    }
    ++line;
    break;
  }

  if (static_cast<long long>(i - pos_) > max_record_bytes)
    throw data_error(in_.name(), line_,
                     fmt::format("a record longer than {} bytes; this is probably a quoting error "
                                 "(an unbalanced '\"')",
                                 max_record_bytes));
  rec.fields.clear();
  for (auto& sp : spans_) {
    if (sp.first & scratch_bit)
      rec.fields.emplace_back(scratch_.data() + (sp.first & ~scratch_bit), sp.second);
    else
      rec.fields.emplace_back(base + sp.first, sp.second);
  }
  bool ended_with_newline = i > pos_ && (base[i - 1] == '\n' || base[i - 1] == '\r');
  rec.line = line_;
  rec.end_line = ended_with_newline ? line - 1 : line;
  rec.number = ++records_;
  consumed_ += static_cast<long long>(i - pos_);
  stray_quotes_ += strays;
  line_ = line;
  pos_ = i;
  return true;
}

}  // namespace ml
