// SPDX-License-Identifier: Apache-2.0
// Text of answers: whitespace tidying, NFC, non-answers, list splitting and PII redaction,
// written as hand-rolled byte scanners with ASCII fast paths (no regex, no locale).
#include "ml/text.hpp"

#include <unicode/bytestream.h>
#include <unicode/normalizer2.h>
#include <unicode/stringpiece.h>
#include <unicode/utypes.h>

#include <algorithm>
#include <array>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <unordered_set>

#include "ml/utf8.hpp"

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

namespace ml {
namespace {

using uchar = unsigned char;
constexpr std::size_t npos = std::string_view::npos;

constexpr bool is_digit(uchar c) noexcept { return static_cast<unsigned>(c - '0') < 10u; }
constexpr bool is_alpha(uchar c) noexcept { return (c | 0x20u) - 'a' < 26u; }
constexpr bool is_upper(uchar c) noexcept { return static_cast<unsigned>(c - 'A') < 26u; }
constexpr bool is_alnum(uchar c) noexcept { return is_digit(c) || is_alpha(c); }
constexpr bool is_space(uchar c) noexcept {
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
constexpr bool is_blank(uchar c) noexcept { return c == ' ' || c == '\t'; }

uchar at(std::string_view s, std::size_t i) noexcept {
  return i < s.size() ? static_cast<uchar>(s[i]) : uchar{0};
}

// Word-at-a-time scanning: answers are short, mostly ASCII, and GCC does not vectorise loops
// of unknown length at -O2, so the hot scans look at eight bytes per step.
constexpr std::uint64_t kOnes = 0x0101010101010101ULL;
constexpr std::uint64_t kHigh = 0x8080808080808080ULL;

// Eight bytes from p, or the `len` < 8 bytes there padded with `fill`.
std::uint64_t load_word(const char* p, std::size_t len = 8, char fill = 0) noexcept {
  char buf[8];
  if (len < 8) {
    std::memset(buf, fill, 8);
    std::memcpy(buf, p, len);
    p = buf;
  }
  std::uint64_t w;
  std::memcpy(&w, p, 8);
  return w;
}

// The high bit of each byte is set where that byte of w equals c; exact, no false positives.
constexpr std::uint64_t bytes_equal(std::uint64_t w, uchar c) noexcept {
  const std::uint64_t y = w ^ (kOnes * c);
  return ~(((y & ~kHigh) + ~kHigh) | y) & kHigh;
}

// The high bit of each byte is set where that byte of w is below c (c <= 0x80), exact.
constexpr std::uint64_t bytes_below(std::uint64_t w, uchar c) noexcept {
  return ~(((w & ~kHigh) + kOnes * (0x80u - c)) | w) & kHigh;
}

// Calls f(word) for each eight bytes of s, the last ones padded with `fill`.
template <typename F>
void for_each_word(std::string_view s, char fill, F f) noexcept {
  const char* p = s.data();
  const std::size_t n = s.size();
  std::size_t i = 0;
  for (; i + 8 <= n; i += 8) f(load_word(p + i));
  if (i < n) f(load_word(p + i, n - i, fill));
}

// ---------------------------------------------------------------------------------------------
// tidy_whitespace

// The length of the character at p[i] (not ASCII) when it is one that NFC leaves as it is and
// that nothing here can combine with, else 0: U+0080..U+02FF (accented Latin letters, ¡ ¿ « »,
// ...), U+2010..U+2027 (dashes, curly quotes, bullets, ellipsis), U+200D (ZWJ), U+2600..U+27BF
// (symbols, dingbats), U+FE0F (emoji presentation) and U+1F000..U+1FAFF (emoji). Most text in
// Western European languages, and typographic punctuation and emoji in any. (All of these are
// NFC alone and in any pair, checked with Python's unicodedata and ICU; the unit test
// AlreadyTidy checks the result against tidying and ICU.) Invalid UTF-8 gives 0.
std::size_t nfc_stable_length(const uchar* p, std::size_t n, std::size_t i) noexcept {
  const uchar c = p[i];
  if (c >= 0xC2 && c <= 0xCB) return i + 1 < n && (p[i + 1] & 0xC0) == 0x80 ? 2 : 0;
  if (c == 0xE2 && i + 2 < n && (p[i + 2] & 0xC0) == 0x80 &&
      ((p[i + 1] == 0x80 && ((p[i + 2] >= 0x90 && p[i + 2] <= 0xA7) || p[i + 2] == 0x8D)) ||
       (p[i + 1] >= 0x98 && p[i + 1] <= 0x9E)))
    return 3;
  if (c == 0xEF && i + 2 < n && p[i + 1] == 0xB8 && p[i + 2] == 0x8F) return 3;
  if (c == 0xF0 && i + 3 < n && p[i + 1] == 0x9F && p[i + 2] >= 0x80 && p[i + 2] <= 0xAB &&
      (p[i + 3] & 0xC0) == 0x80)
    return 4;
  return 0;
}

// The rest of a line from p[i] on, for is_tidy_line: printable ASCII with single spaces, and
// the characters of nfc_stable_length that tidying keeps (all but the C1 controls and NBSP,
// U+0080..U+00A0). Anything else (combining marks, other scripts, invalid bytes) takes the
// general path.
bool is_tidy_from(const uchar* p, std::size_t n, std::size_t i) noexcept {
  bool after_space = i > 0 && p[i - 1] == ' ';
  while (i < n) {
    const uchar c = p[i];
    if (c < 0x80) {
      if (c < 0x20 || c == 0x7F) return false;
      const bool space = c == ' ';
      if (space && after_space) return false;
      after_space = space;
      ++i;
      continue;
    }
    after_space = false;
    if (c == 0xC2 && i + 1 < n && p[i + 1] < 0xA1) return false;  // tidying drops or spaces it
    const std::size_t len = nfc_stable_length(p, n, i);
    if (len == 0) return false;
    i += len;
  }
  return true;
}

// True for a non-empty line that tidy_whitespace and to_nfc return unchanged: no space at
// either end; eight bytes at a time while they are ASCII (the overwhelmingly common shape),
// then is_tidy_from once a byte is not.
bool is_tidy_line(std::string_view s) noexcept {
  const char* p = s.data();
  const std::size_t n = s.size();
  if (p[0] == ' ' || p[n - 1] == ' ') return false;
  std::uint64_t bad = 0;
  std::size_t i = 0;
  for (; i < n; i += 8) {
    // Padding with 'x' keeps the tail from looking bad or like a space.
    const std::uint64_t w = load_word(p + i, std::min<std::size_t>(8, n - i), 'x');
    if (w & kHigh) break;  // a byte >= 0x80: the careful scan from this word on
    const std::uint64_t space = bytes_equal(w, ' ');
    bad |= bytes_below(w, 0x20) | bytes_equal(w, 0x7F);
    bad |= space & (space << 8);  // two spaces within the word
    if (i > 0) bad |= static_cast<std::uint64_t>((p[i - 1] == ' ') & (p[i] == ' ')) << 7;
    if (bad & kHigh) return false;  // no need to read the rest (a long answer with a line break)
  }
  return i >= n || is_tidy_from(reinterpret_cast<const uchar*>(p), n, i);
}

std::uint32_t decode(const uchar* p, std::size_t len) noexcept {
  switch (len) {
    case 2:
      return (p[0] & 0x1Fu) << 6 | (p[1] & 0x3Fu);
    case 3:
      return (p[0] & 0x0Fu) << 12 | (p[1] & 0x3Fu) << 6 | (p[2] & 0x3Fu);
    default:
      return (p[0] & 0x07u) << 18 | (p[1] & 0x3Fu) << 12 | (p[2] & 0x3Fu) << 6 | (p[3] & 0x3Fu);
  }
}

enum class space_class : std::uint8_t { keep, space, newline, drop };

space_class classify(std::uint32_t cp) noexcept {
  if (cp < 0xA0) return space_class::drop;  // C1 controls (only non-ASCII reaches here)
  if (cp == 0xA0) return space_class::space;
  if (cp < 0x1680) return space_class::keep;
  if (cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x202F || cp == 0x205F ||
      cp == 0x3000)
    return space_class::space;
  if (cp == 0x2028 || cp == 0x2029) return space_class::newline;
  // U+200C ZWNJ and U+200D ZWJ are kept: they shape Persian and Indic words and join emoji.
  if (cp == 0x200B || cp == 0x2060 || cp == 0xFEFF ||
      (cp >= 0x202A && cp <= 0x202E) || (cp >= 0x2066 && cp <= 0x2069))
    return space_class::drop;
  return space_class::keep;
}

class tidy_writer {
 public:
  explicit tidy_writer(std::size_t capacity) { out_.reserve(capacity); }

  void space() noexcept { space_ = true; }
  void newline() noexcept {
    ++newlines_;
    space_ = false;  // spaces at the end of a line go
  }
  void text(const char* p, std::size_t len) {
    if (!out_.empty()) {
      if (newlines_ > 0) out_.append(std::min(newlines_, std::size_t{2}), '\n');
      if (space_) out_.push_back(' ');
    }
    newlines_ = 0;
    space_ = false;
    out_.append(p, len);
  }
  std::string take() { return std::move(out_); }

 private:
  std::string out_;
  std::size_t newlines_ = 0;
  bool space_ = false;
};

std::string tidy_general(std::string_view s) {
  const auto* p = reinterpret_cast<const uchar*>(s.data());
  const std::size_t n = s.size();
  tidy_writer w(n);
  std::size_t i = 0;
  while (i < n) {
    const uchar c = p[i];
    if (c > 0x20 && c < 0x7F) {
      std::size_t j = i + 1;
      while (j < n && p[j] > 0x20 && p[j] < 0x7F) ++j;
      w.text(s.data() + i, j - i);
      i = j;
      continue;
    }
    if (c < 0x80) {
      if (c == ' ' || c == '\t') {
        w.space();
      } else if (c == '\n' || c == '\v' || c == '\f') {
        w.newline();  // VT is Word's soft line break ("manual line break") in exports
      } else if (c == '\r') {
        w.newline();
        if (i + 1 < n && p[i + 1] == '\n') ++i;
      }  // other C0 controls and DEL are dropped
      ++i;
      continue;
    }
    const std::size_t len = utf8_sequence_length(s, i);
    if (len == 0) {
      w.text("\ufffd", 3);
      ++i;
      continue;
    }
    switch (classify(decode(p + i, len))) {
      case space_class::keep:
        w.text(s.data() + i, len);
        break;
      case space_class::space:
        w.space();
        break;
      case space_class::newline:
        w.newline();
        break;
      case space_class::drop:
        break;
    }
    i += len;
  }
  return w.take();
}

// ---------------------------------------------------------------------------------------------
// to_nfc

// True if `s` is valid UTF-8 made only of ASCII and the characters of nfc_stable_length: NFC
// as it is, without calling ICU.
bool is_trivially_nfc(std::string_view s) noexcept {
  const auto* p = reinterpret_cast<const uchar*>(s.data());
  const std::size_t n = s.size();
  std::size_t i = 0;
  while (i < n) {
    if (p[i] < 0x80) {
      ++i;
      continue;
    }
    const std::size_t len = nfc_stable_length(p, n, i);
    if (len == 0) return false;
    i += len;
  }
  return true;
}

const icu::Normalizer2* nfc_instance() {
  static const icu::Normalizer2* const instance = [] {
    UErrorCode status = U_ZERO_ERROR;
    const icu::Normalizer2* nfc = icu::Normalizer2::getNFCInstance(status);
    return U_SUCCESS(status) ? nfc : nullptr;
  }();
  return instance;
}

// ---------------------------------------------------------------------------------------------
// is_non_answer

// Non-answers, in the form fold_short and strip_decoration produce: lowercase, single spaces, straight
// apostrophes. Matched first with trailing punctuation kept (so "...", "n.a." and "?" match as
// they are), then with it stripped.
constexpr std::string_view kNonAnswerList[] = {
    // Symbols and fillers.
    "-", "--", "---", "\u2013", "\u2014", ".", "...", "?", "/", "x", "xx", "xxx",
    // English.
    "n/a", "n / a", "na", "n.a.", "n.a", "none", "nothing", "no", "nope", "nah", "nil", "null",
    "idk", "no comment", "no comments", "no idea", "not applicable", "no answer", "nothing to add",
    "nothing else", "nothing more", "nothing to say", "nothing at all", "none at all",
    "no further comments", "don't know", "dont know", "i don't know", "i dont know",
    "same as above",
    // Spanish.
    "nada", "ninguno", "ninguna", "no s\u00e9", "no se", "no lo s\u00e9", "no lo se",
    "sin comentarios", "sin comentario", "no aplica", "nada m\u00e1s", "nada mas", "ns/nc",
    // French.
    "rien", "aucun", "aucune", "sans objet", "pas de commentaire", "pas de commentaires",
    "aucun commentaire", "je ne sais pas", "je sais pas", "rien \u00e0 signaler", "rien a signaler",
    "ras", "r.a.s.", "r.a.s", "n\u00e9ant", "neant", "non", "nsp",
    // German.
    "nichts", "keine", "kein", "keine angabe", "keine angaben", "k.a.", "k.a", "k. a.", "k. a",
    "wei\u00df nicht", "weiss nicht", "wei\u00df ich nicht", "weiss ich nicht", "keine ahnung",
    "nein",
    // Portuguese.
    "nenhum", "nenhuma", "n\u00e3o sei", "nao sei", "sem coment\u00e1rios", "sem comentarios",
    "sem coment\u00e1rio", "sem comentario", "n\u00e3o se aplica", "nao se aplica", "n\u00e3o",
    "nao",
    // Italian.
    "niente", "nessuno", "nessuna", "nulla", "non so", "nessun commento",
    // Dutch.
    "niets", "geen", "geen idee", "geen commentaar", "geen opmerkingen", "nee", "weet ik niet",
    "weet niet"};

template <std::size_t N>
constexpr std::array<std::string_view, N> sorted(const std::string_view (&list)[N]) {
  std::array<std::string_view, N> a{};
  std::copy(std::begin(list), std::end(list), a.begin());
  std::sort(a.begin(), a.end());
  return a;
}

constexpr auto kNonAnswers = sorted(kNonAnswerList);
static_assert(std::adjacent_find(kNonAnswers.begin(), kNonAnswers.end()) == kNonAnswers.end(),
              "duplicate non-answer");

constexpr std::size_t kMaxNonAnswerInput = 64;  // bytes after trimming
constexpr std::size_t kMaxNonAnswerKey = 40;    // bytes after normalising

// The most ASCII letters any non-answer has. Folding and stripping keep every letter, so an
// answer with more cannot be one: most answers are ruled out by this count alone.
constexpr std::size_t kMaxNonAnswerLetters = [] {
  std::size_t most = 0;
  for (std::string_view e : kNonAnswerList) {
    std::size_t n = 0;
    for (char c : e) n += (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    most = std::max(most, n);
  }
  return most;
}();

std::size_t count_ascii_letters(std::string_view s) noexcept {
  std::size_t n = 0;
  for (char c : s) n += static_cast<unsigned char>((c | 0x20) - 'a') < 26;
  return n;
}

bool is_known_non_answer(std::string_view key) noexcept {
  return std::binary_search(kNonAnswers.begin(), kNonAnswers.end(), key);
}

// Length of an opening quote or bracket at s[i], or 0.
std::size_t opening_quote(std::string_view s, std::size_t i) noexcept {
  const uchar c = at(s, i);
  if (c == '"' || c == '\'' || c == '`' || c == '(' || c == '[') return 1;
  if (c == 0xC2 && (at(s, i + 1) == 0xAB || at(s, i + 1) == 0xBB ||  // « »
                    at(s, i + 1) == 0xBF || at(s, i + 1) == 0xA1))   // ¿ ¡
    return 2;
  if (c == 0xE2 && at(s, i + 1) == 0x80 && at(s, i + 2) >= 0x9C && at(s, i + 2) <= 0x9E)
    return 3;  // “ ” „
  return 0;
}

// Length of a closing quote or bracket ending just before s[e], or 0.
std::size_t closing_quote(std::string_view s, std::size_t e) noexcept {
  if (e == 0) return 0;
  const uchar c = at(s, e - 1);
  if (c == '"' || c == '\'' || c == '`' || c == ')' || c == ']') return 1;
  if (e >= 2 && at(s, e - 2) == 0xC2 && (c == 0xAB || c == 0xBB)) return 2;
  if (e >= 3 && at(s, e - 3) == 0xE2 && at(s, e - 2) == 0x80 && c >= 0x9C && c <= 0x9E) return 3;
  return 0;
}

// Length of trailing sentence punctuation (. ! ? …) ending just before s[e], or 0.
std::size_t closing_punct(std::string_view s, std::size_t e) noexcept {
  if (e == 0) return 0;
  const uchar c = at(s, e - 1);
  if (c == '.' || c == '!' || c == '?') return 1;
  if (e >= 3 && at(s, e - 3) == 0xE2 && at(s, e - 2) == 0x80 && c == 0xA6) return 3;
  return 0;
}

// Strips spaces and quotes from both ends, and also trailing punctuation if `punct`.
std::string_view strip_decoration(std::string_view s, bool punct) noexcept {
  std::size_t b = 0, e = s.size();
  for (;;) {
    if (b < e && s[b] == ' ') {
      ++b;
    } else if (std::size_t q = b < e ? opening_quote(s, b) : 0; q > 0 && b + q <= e) {
      b += q;
    } else {
      break;
    }
  }
  for (;;) {
    if (e > b && s[e - 1] == ' ') {
      --e;
    } else if (std::size_t q = closing_quote(s, e); q > 0 && e - q >= b) {
      e -= q;
    } else if (std::size_t t = punct ? closing_punct(s, e) : 0; t > 0 && e - t >= b) {
      e -= t;
    } else {
      break;
    }
  }
  return s.substr(b, e - b);
}

// Lowercases (ASCII and Latin-1 capitals), straightens apostrophes and collapses whitespace
// into `buf`, which holds at least s.size() bytes.
std::string_view fold_short(std::string_view s, char* buf) noexcept {
  std::size_t n = 0;
  for (std::size_t i = 0; i < s.size(); ++i) {
    uchar c = static_cast<uchar>(s[i]);
    if (is_space(c) || (c == 0xC2 && at(s, i + 1) == 0xA0)) {
      if (c == 0xC2) ++i;
      if (n > 0 && buf[n - 1] != ' ') buf[n++] = ' ';
      continue;
    }
    if (c == 0xE2 && at(s, i + 1) == 0x80 && (at(s, i + 2) == 0x98 || at(s, i + 2) == 0x99)) {
      buf[n++] = '\'';
      i += 2;
      continue;
    }
    if (is_upper(c)) c = static_cast<uchar>(c | 0x20);
    buf[n++] = static_cast<char>(c);
    if (c == 0xC3 && i + 1 < s.size()) {
      uchar d = static_cast<uchar>(s[++i]);
      if (d >= 0x80 && d <= 0x9E && d != 0x97) d = static_cast<uchar>(d + 0x20);  // À..Þ
      buf[n++] = static_cast<char>(d);
    }
  }
  return {buf, n};
}

bool is_filler_only(std::string_view s) noexcept {
  for (std::size_t i = 0; i < s.size(); ++i) {
    const uchar c = static_cast<uchar>(s[i]);
    if (c == '-' || c == '_' || c == '*' || c == '/' || c == '.' || c == '=' || c == ' ') continue;
    if (c == 0xE2 && at(s, i + 1) == 0x80 && (at(s, i + 2) == 0x93 || at(s, i + 2) == 0x94)) {
      i += 2;
      continue;
    }
    return false;
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// split_list

enum class list_style : std::uint8_t { paren, dot, enclosed, dash, letter_paren, letter_enclosed };

struct list_marker {
  std::size_t begin;    // first byte of the marker
  std::size_t content;  // first byte after it
  int value;            // 1, 2, ... for digits and a, b, ...; 101, 102, ... for A, B, ...
  list_style style;
};

constexpr std::size_t kMaxMarkers = 128;

// Length of an en or em dash at s[i], 1 for '-', else 0.
std::size_t dash_at(std::string_view s, std::size_t i) noexcept {
  if (at(s, i) == '-') return 1;
  if (at(s, i) == 0xE2 && at(s, i + 1) == 0x80 && (at(s, i + 2) == 0x93 || at(s, i + 2) == 0x94))
    return 3;
  return 0;
}

// True if an item may start with s[i] directly after ")" with no space ("1)pay").
bool starts_word(std::string_view s, std::size_t i) noexcept {
  const uchar c = at(s, i);
  return is_alpha(c) || c >= 0xC0;
}

// Parses a list marker starting at s[i] (at the start of the text or after whitespace).
bool parse_marker(std::string_view s, std::size_t i, list_marker* m) noexcept {
  std::size_t j = i;
  const bool enclosed = at(s, j) == '(';
  if (enclosed) ++j;
  const uchar c = at(s, j);
  if (is_digit(c)) {
    if (c == '0') return false;
    int value = c - '0';
    ++j;
    if (is_digit(at(s, j))) value = value * 10 + (at(s, j++) - '0');
    if (is_digit(at(s, j))) return false;  // three digits: a year or an amount, not an item
    if (enclosed || at(s, j) == ')') {
      if (at(s, j) != ')') return false;
      ++j;
      if (!is_space(at(s, j)) && !starts_word(s, j)) return false;
      m->style = enclosed ? list_style::enclosed : list_style::paren;
    } else if (at(s, j) == '.') {
      ++j;
      if (!is_space(at(s, j))) return false;  // "3.5", "2.0"
      m->style = list_style::dot;
    } else if (at(s, j) == ' ' && dash_at(s, j + 1) > 0) {
      j += 1 + dash_at(s, j + 1);
      if (at(s, j) != ' ') return false;  // "1 -5"
      std::size_t k = j;
      while (is_blank(at(s, k))) ++k;
      if (is_digit(at(s, k))) return false;  // a range such as "1 - 2 hours"
      m->style = list_style::dash;
    } else {
      return false;
    }
    m->value = value;
  } else if (is_alpha(c)) {
    ++j;
    if (at(s, j) != ')') return false;
    ++j;
    if (!is_space(at(s, j))) return false;
    m->style = enclosed ? list_style::letter_enclosed : list_style::letter_paren;
    m->value = c >= 'a' ? c - 'a' + 1 : c - 'A' + 101;
  } else {
    return false;
  }
  m->begin = i;
  m->content = j;
  return true;
}

// Appends the tidied `part` to `items` unless it is empty.
void add_item(std::vector<std::string>& items, std::string_view part) {
  std::string t = tidy_whitespace(part);
  if (!t.empty()) items.push_back(std::move(t));
}

// Offset of the first blank line in `s` that has text after it, or npos.
std::size_t find_paragraph_break(std::string_view s) noexcept {
  std::size_t line_start = npos;  // start of the current line, once a line break was seen
  bool blank = false;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const uchar c = static_cast<uchar>(s[i]);
    if (c == '\n' || c == '\r') {
      if (c == '\r' && at(s, i + 1) == '\n') ++i;
      if (line_start != npos && blank) {
        std::size_t k = i + 1;
        while (k < s.size() && is_space(static_cast<uchar>(s[k]))) ++k;
        return k < s.size() ? line_start : npos;
      }
      line_start = i + 1;
      blank = true;
    } else if (!is_blank(c)) {
      blank = false;
    }
  }
  return npos;
}

// Builds the items of a list whose item i runs from content[i] to begin[i + 1] and whose last
// item runs to the end; text after a blank line that follows the last item is its own item.
template <typename Begin, typename Content>
std::vector<std::string> build_items(std::string_view s, std::size_t count, Begin begin,
                                     Content content) {
  std::vector<std::string> items;
  items.reserve(count + 2);
  add_item(items, s.substr(0, begin(0)));
  const std::size_t lead = items.size();
  for (std::size_t k = 0; k + 1 < count; ++k)
    add_item(items, s.substr(content(k), begin(k + 1) - content(k)));
  std::string_view last = s.substr(content(count - 1));
  const std::size_t brk = find_paragraph_break(last);
  add_item(items, last.substr(0, brk));
  if (brk != npos) add_item(items, last.substr(brk));
  if (items.size() - lead < 2) return {std::string(s)};
  return items;
}

bool split_numbered(std::string_view s, std::vector<std::string>* out) {
  std::array<list_marker, kMaxMarkers> markers;
  std::size_t count = 0;
  for (std::size_t i = 0; i < s.size() && count < kMaxMarkers; ++i) {
    if (i > 0 && !is_space(static_cast<uchar>(s[i - 1]))) continue;
    if (parse_marker(s, i, &markers[count])) {
      i = markers[count].content - 1;
      ++count;
    }
  }
  // The list is the first run of markers of one style numbered 1, 2, ... (or a, b, ...).
  for (std::size_t first = 0; first < count; ++first) {
    const list_marker& m = markers[first];
    if (m.value != 1 && m.value != 101) continue;
    std::array<std::size_t, kMaxMarkers> run;
    std::size_t len = 0;
    run[len++] = first;
    for (std::size_t k = first + 1; k < count; ++k) {
      if (markers[k].style != m.style) continue;
      if (markers[k].value != markers[run[len - 1]].value + 1) break;
      run[len++] = k;
    }
    if (len < 2) continue;
    *out = build_items(
        s, len, [&](std::size_t k) { return markers[run[k]].begin; },
        [&](std::size_t k) { return markers[run[k]].content; });
    return out->size() > 1;
  }
  return false;
}

// Kinds of bullet. Only the last three also count in the middle of a line ("• a • b").
enum class bullet_kind : std::uint8_t { ascii, dash, bullet, middle_dot, square };
constexpr std::size_t kBulletKinds = 5;

// Length of a bullet character at s[i] ("-", "*", "·", "•", "▪", en or em dash), or 0.
std::size_t bullet_at(std::string_view s, std::size_t i, bullet_kind* kind) noexcept {
  const uchar c = at(s, i);
  if (c == '-' || c == '*') {
    *kind = bullet_kind::ascii;
    return 1;
  }
  if (c == 0xC2 && at(s, i + 1) == 0xB7) {  // ·
    *kind = bullet_kind::middle_dot;
    return 2;
  }
  if (c != 0xE2) return 0;
  const uchar c1 = at(s, i + 1), c2 = at(s, i + 2);
  if (c1 == 0x80 && c2 == 0xA2) {  // •
    *kind = bullet_kind::bullet;
    return 3;
  }
  if (c1 == 0x80 && (c2 == 0x93 || c2 == 0x94)) {  // en dash, em dash
    *kind = bullet_kind::dash;
    return 3;
  }
  if (c1 == 0x96 && c2 == 0xAA) {  // ▪
    *kind = bullet_kind::square;
    return 3;
  }
  return 0;
}

// Offset of the item text if the line starting at s[i] starts with a bullet, else npos.
std::size_t bullet_content(std::string_view s, std::size_t i, bullet_kind* kind) noexcept {
  while (is_blank(at(s, i))) ++i;
  const std::size_t len = bullet_at(s, i, kind);
  if (len == 0) return npos;
  // "-5", "--", "**bold**" and "-" alone are not bullets; "- pay" and "-pay" are.
  const std::size_t j = i + len;
  return is_blank(at(s, j)) || starts_word(s, j) ? j : npos;
}

// Offset of the line break (or the end) of the line containing s[i].
std::size_t line_end(std::string_view s, std::size_t i) noexcept {
  while (i < s.size() && s[i] != '\n' && s[i] != '\r') ++i;
  return i;
}

struct bullet_marker {
  std::size_t begin;    // start of the line, or the bullet itself in the middle of a line
  std::size_t content;  // first byte after the bullet
  bullet_kind kind;
  bool in_line;  // in the middle of a line
};

bool split_bulleted(std::string_view s, std::vector<std::string>* out) {
  std::array<bullet_marker, kMaxMarkers> markers;
  std::array<std::size_t, kBulletKinds> per_kind{};
  std::size_t count = 0, in_line = 0;
  for (std::size_t i = 0; i < s.size() && count < kMaxMarkers;) {
    const std::size_t end = line_end(s, i);
    bullet_kind kind{};
    std::size_t j = i;
    if (const std::size_t c = bullet_content(s, i, &kind); c != npos) {
      markers[count++] = {i, c, kind, false};
      ++per_kind[static_cast<std::size_t>(kind)];
      j = c;
    }
    // Bullets in the middle of the line: "•", "·" or "▪" with a blank on either side.
    for (; j < end && count < kMaxMarkers; ++j) {
      const uchar c = static_cast<uchar>(s[j]);
      if ((c != 0xC2 && c != 0xE2) || j == i || !is_blank(at(s, j - 1))) continue;
      const std::size_t len = bullet_at(s, j, &kind);
      if (len == 0 || kind < bullet_kind::bullet || !is_blank(at(s, j + len))) continue;
      markers[count++] = {j, j + len, kind, true};
      ++per_kind[static_cast<std::size_t>(kind)];
      ++in_line;
      j += len - 1;
    }
    i = end;
    if (i < s.size() && s[i] == '\r' && at(s, i + 1) == '\n') ++i;
    if (i < s.size()) ++i;
  }
  // A bullet in the middle of a line counts only with at least one other of its kind, so that
  // a lone "a · b" stays as it is.
  if (in_line > 0) {
    std::size_t kept = 0;
    for (std::size_t k = 0; k < count; ++k)
      if (!markers[k].in_line || per_kind[static_cast<std::size_t>(markers[k].kind)] >= 2)
        markers[kept++] = markers[k];
    count = kept;
  }
  if (count < 2) return false;
  *out = build_items(
      s, count, [&](std::size_t k) { return markers[k].begin; },
      [&](std::size_t k) { return markers[k].content; });
  return out->size() > 1;
}

// True if `s` holds at least two "•", "·" or "▪" (the bullets that count inside a line).
bool has_two_bullets(std::string_view s) noexcept {
  int found = 0;
  for (std::size_t i = 0; i + 1 < s.size(); ++i) {
    const uchar c = static_cast<uchar>(s[i]);
    if ((c == 0xC2 && at(s, i + 1) == 0xB7) ||
        (c == 0xE2 && ((at(s, i + 1) == 0x80 && at(s, i + 2) == 0xA2) ||
                       (at(s, i + 1) == 0x96 && at(s, i + 2) == 0xAA)))) {
      if (++found == 2) return true;
    }
  }
  return false;
}

}  // namespace

// Cheap test that rules out most answers: a list needs a line break, a ')', a "1." or "1 ",
// or two bullets.
bool may_be_list(std::string_view s) noexcept {
  std::uint64_t found = 0, ones = 0, lead = 0;
  for_each_word(s, 0, [&](std::uint64_t w) {
    found |= bytes_equal(w, '\n') | bytes_equal(w, '\r') | bytes_equal(w, ')');
    ones |= bytes_equal(w, '1');
    lead |= bytes_equal(w, 0xC2) | bytes_equal(w, 0xE2);
  });
  if (found) return true;
  if (ones) {
    for (std::size_t i = 0; i + 1 < s.size(); ++i)
      if (s[i] == '1' && (s[i + 1] == '.' || s[i + 1] == ' ')) return true;
  }
  return lead != 0 && has_two_bullets(s);
}

namespace {

// ---------------------------------------------------------------------------------------------
// redact_pii

constexpr bool is_email_local(uchar c) noexcept {
  return is_alnum(c) || c == '.' || c == '_' || c == '%' || c == '+' || c == '-';
}

// Matches an e-mail address around the '@' at s[at_pos] whose local part starts at or after
// `floor`. Returns the end of the address and stores its start in *begin, or returns npos.
std::size_t match_email(std::string_view s, std::size_t at_pos, std::size_t floor,
                        std::size_t* begin) noexcept {
  std::size_t b = at_pos;
  while (b > floor) {
    const uchar c = static_cast<uchar>(s[b - 1]);
    if (is_email_local(c)) {
      --b;
      continue;
    }
    // A two-byte letter (Latin, Greek, Cyrillic, ...), but not × or ÷.
    if ((c & 0xC0) == 0x80 && b - 1 > floor) {
      const uchar lead = static_cast<uchar>(s[b - 2]);
      if (lead >= 0xC3 && lead <= 0xDF && !(lead == 0xC3 && (c == 0x97 || c == 0xB7))) {
        b -= 2;
        continue;
      }
    }
    break;
  }
  while (b < at_pos && (s[b] == '.' || s[b] == '-')) ++b;
  if (b == at_pos) return npos;

  // Domain: labels of letters, digits and hyphens joined by single dots.
  std::size_t e = at_pos + 1;
  if (!is_alnum(at(s, e))) return npos;
  while (e < s.size()) {
    const uchar c = static_cast<uchar>(s[e]);
    if (is_alnum(c) || (c == '-' && is_alnum(at(s, e + 1))) || (c == '.' && is_alnum(at(s, e + 1))))
      ++e;
    else
      break;
  }
  // The last label must be a top-level domain of two or more letters; drop labels until it is.
  for (;;) {
    const std::size_t dot = s.substr(0, e).rfind('.');
    if (dot == npos || dot <= at_pos + 1) return npos;
    bool letters = e - dot > 2;
    for (std::size_t k = dot + 1; k < e && letters; ++k) letters = is_alpha(at(s, k));
    if (letters) break;
    e = dot;
  }
  *begin = b;
  return e;
}

struct digit_group {
  std::size_t begin, end;  // the digits
  std::size_t stop;        // after the group, including a closing parenthesis
  char sep;                // separator before the group: ' ', '-', '.', or 0
  bool paren;
};

constexpr std::size_t kMaxGroups = 8;

bool is_year(std::string_view s, const digit_group& g) noexcept {
  return g.end - g.begin == 4 && ((s[g.begin] == '1' && s[g.begin + 1] == '9') ||
                                  (s[g.begin] == '2' && s[g.begin + 1] == '0'));
}

// True if a phone number may start at s[i]: not inside a word or a number, not after a
// currency sign.
bool phone_may_start(std::string_view s, std::size_t i) noexcept {
  if (i == 0) return true;
  const uchar prev = static_cast<uchar>(s[i - 1]);
  if (prev < 0x80) {
    if (is_alnum(prev) || prev == '$' || prev == '#' || prev == '_' || prev == '@' || prev == '/' ||
        prev == '\\' || prev == '&' || prev == '=' || prev == '+')
      return false;
    if (prev == '.' || prev == ',' || prev == ':' || prev == '-')
      return i < 2 || !is_digit(at(s, i - 2));  // "3.14", "1,000", "9:30", "2019-2020"
    return true;
  }
  if (i >= 2 && at(s, i - 2) == 0xC2 && (prev == 0xA3 || prev == 0xA5)) return false;  // £ ¥
  if (i >= 3 && at(s, i - 3) == 0xE2 && at(s, i - 2) == 0x82) return false;  // € and others
  if (i >= 2 && at(s, i - 2) >= 0xC3 && at(s, i - 2) <= 0xCF) return false;  // Latin letters
  return true;
}

// True if a phone number may end just before s[e]: not followed by more of a word or number.
bool phone_may_end(std::string_view s, std::size_t e) noexcept {
  const uchar c = at(s, e);
  if (is_alnum(c) || c == '%' || c == '@' || c == '_' || c == '+') return false;
  if ((c == '.' || c == ',' || c == ':' || c == '-' || c == '/') && is_digit(at(s, e + 1)))
    return false;
  if (c == 0xE2 && at(s, e + 1) == 0x82 && at(s, e + 2) == 0xAC) return false;  // €
  return true;
}

// True if g[j], a group of five digits or more that is not the last of `k`, is allowed by a
// national shape: a UK number written "07700 900123" (leading 0, five digits, a space, six
// digits), or a Brazilian mobile "(11) 98765-4321" (an area code of two digits in parentheses,
// five digits, a hyphen, four digits).
bool long_national_group(std::string_view s, const digit_group* g, std::size_t j, std::size_t k,
                         bool plus) noexcept {
  auto len = [&](std::size_t n) { return g[n].end - g[n].begin; };
  if (k == 2 && j == 0 && !plus && !g[0].paren && !g[1].paren && s[g[0].begin] == '0' &&
      len(0) == 5 && g[1].sep == ' ' && len(1) == 6)
    return true;
  return j >= 1 && j + 2 == k && len(j) == 5 && g[j - 1].paren && len(j - 1) == 2 &&
         !g[j].paren && !g[j + 1].paren && g[j + 1].sep == '-' && len(j + 1) == 4;
}

// True if the first `k` groups form a phone number.
bool is_phone(std::string_view s, const digit_group* g, std::size_t k, bool plus) noexcept {
  auto len = [&](std::size_t j) { return g[j].end - g[j].begin; };
  bool any_paren = false, any_dot = false;
  std::size_t digits = 0;
  for (std::size_t j = 0; j < k; ++j) {
    digits += len(j);
    any_paren |= g[j].paren;
    any_dot |= g[j].sep == '.';
  }
  // The local "555-1234" shape, but not a round range such as "100-1000".
  if (k == 2 && !plus && !any_paren && g[1].sep == '-' && len(0) == 3 && len(1) == 4)
    return !(s[g[0].end - 1] == '0' && s[g[1].end - 1] == '0' && s[g[1].end - 2] == '0');
  if (digits < 9 || digits > 15) return false;
  if (any_dot && k == 2) return false;  // a decimal such as "3.14159265"
  // A run of small numbers ("1 5 14 16 30 32 39", scores, counts): phones written in pairs
  // start with "0" or "+" ("06 12 34 56 78", "+33 6 12 34 56 78").
  if (!plus && !any_paren && s[g[0].begin] != '0') {
    std::size_t short_groups = 0;
    for (std::size_t j = 0; j < k; ++j) short_groups += len(j) <= 2;
    if (short_groups >= 2) return false;
  }
  if (k == 2 && g[1].sep == '-' && is_year(s, g[0])) return false;  // a reference "2023-000123"
  std::size_t trailing_zeros = 0;
  for (std::size_t j = k; j-- > 0;) {
    std::size_t z = 0;
    while (z < len(j) && s[g[j].end - 1 - z] == '0') ++z;
    trailing_zeros += z;
    if (z < len(j)) break;
  }
  if (trailing_zeros >= 5) return false;  // a round amount such as "1000000000"
  for (std::size_t j = 0; j < k; ++j) {
    if (any_dot && (len(j) < 2 || len(j) > 4)) return false;  // "10.0.19045.2364"
    // Only the last group is long, but for the UK "07700 900123" and Brazil "(11) 98765-4321".
    if (j + 1 < k && len(j) > 4 && !long_national_group(s, g, j, k, plus)) return false;
    if (len(j) == 1 && !(j == 0 || (j == 1 && plus) || (j == 2 && plus && g[1].paren)))
      return false;
  }
  // Thousands separators: "150.000.000", "100 000 000".
  if (!plus && !any_paren && k >= 3 && len(0) <= 3) {
    bool thousands = true, zeros = false;
    for (std::size_t j = 1; j < k && thousands; ++j) {
      thousands = len(j) == 3 && g[j].sep == g[1].sep && (g[j].sep == '.' || g[j].sep == ' ');
      zeros |= s.compare(g[j].begin, 3, "000") == 0;
    }
    if (thousands && zeros) return false;
  }
  for (std::size_t j = 0; j + 1 < k; ++j) {
    // Year ranges: "2019-2020", "2019 2020".
    if (is_year(s, g[j]) && is_year(s, g[j + 1])) return false;
    // Dates: "2024-03-05", "05.03.2024".
    if (j + 2 < k && g[j + 1].sep == g[j + 2].sep && (g[j + 1].sep == '-' || g[j + 1].sep == '.') &&
        ((len(j) == 4 && len(j + 1) <= 2 && len(j + 2) <= 2) ||
         (len(j) <= 2 && len(j + 1) <= 2 && len(j + 2) == 4)))
      return false;
  }
  return true;
}

// Matches a phone number starting at s[i] ('+', '(' or a digit). Returns its end or npos.
std::size_t match_phone(std::string_view s, std::size_t i) noexcept {
  std::array<digit_group, kMaxGroups> g;
  std::size_t k = 0;
  std::size_t p = i;
  const bool plus = at(s, p) == '+';
  if (plus) ++p;
  char sep = 0;
  while (k < kMaxGroups) {
    std::size_t q = p;
    const bool paren = at(s, q) == '(';
    if (paren) ++q;
    if (!is_digit(at(s, q))) break;
    const std::size_t b = q;
    while (is_digit(at(s, q))) ++q;
    if (q - b > 15) return npos;
    const std::size_t e = q;
    if (paren) {
      if (at(s, q) != ')') break;
      ++q;
    }
    g[k++] = {b, e, q, sep, paren};
    p = q;
    // A separator counts only if another group follows it.
    sep = 0;
    const uchar c = at(s, q);
    if (c == ' ' || c == '-' || c == '.') {
      sep = static_cast<char>(c);
      ++q;
    } else if (!paren) {
      break;
    }
    if (!is_digit(at(s, q)) && !(at(s, q) == '(' && is_digit(at(s, q + 1)))) break;
    p = q;
  }
  if (k == 0) return npos;
  if (k == kMaxGroups && !phone_may_end(s, g[k - 1].stop)) return npos;
  // Longest valid prefix; a number may be cut short only at a space ("call 555 123 4567 now").
  for (std::size_t n = k; n > 0; --n) {
    if (n < k && g[n].sep != ' ') continue;
    if (n == k && !phone_may_end(s, g[n - 1].stop)) continue;
    if (is_phone(s, g.data(), n, plus)) return g[n - 1].stop;
  }
  return npos;
}

}  // namespace

// Cheap test that rules out most answers: PII needs an '@' or seven digits.
bool may_hold_pii(std::string_view s) noexcept {
  std::uint64_t at_sign = 0;
  int digits = 0;
  for_each_word(s, 0, [&](std::uint64_t w) {
    at_sign |= bytes_equal(w, '@');
    const std::uint64_t digit = ~bytes_below(w, '0') & bytes_below(w, '9' + 1);
    digits += static_cast<int>(((digit >> 7) * kOnes) >> 56);  // bytes set, without popcnt
  });
  return at_sign != 0 || digits >= 7;
}

bool already_tidy(std::string_view s) noexcept { return !s.empty() && is_tidy_line(s); }

std::string tidy_whitespace(std::string_view s) {
  // Spaces and line breaks at the ends are common in exports and cost nothing to trim here.
  const std::string_view t = trim(s);
  if (t.empty()) return {};
  if (is_tidy_line(t)) return std::string(t);
  return tidy_general(s);
}

std::string clip_text(std::string_view text, std::size_t max_bytes) {
  // Tidying only shrinks text, so a prefix a little longer than wanted is enough (it may
  // end inside a character, which tidying turns into U+FFFD before it is cut off below).
  const std::size_t window = max_bytes * 2 + 8;
  bool longer = text.size() > window;
  std::string s = tidy_whitespace(text.substr(0, window));
  if (s.size() <= max_bytes && !longer) return s;
  std::size_t cut = s.rfind(' ', max_bytes);
  if (cut == std::string::npos || cut < max_bytes / 2) {
    cut = std::min(max_bytes, s.size());
    while (cut > 0 && (static_cast<unsigned char>(s[cut]) & 0xC0) == 0x80) --cut;
  }
  s.resize(cut);
  while (!s.empty() && (s.back() == ',' || s.back() == ';' || s.back() == ':' || s.back() == ' '))
    s.pop_back();
  return s + "\u2026";
}

std::string to_nfc(std::string_view s) {
  if (is_ascii(s) || is_trivially_nfc(s)) return std::string(s);
  const icu::Normalizer2* nfc = nfc_instance();
  if (nfc == nullptr) return std::string(s);
  // ICU reads ill-formed bytes as U+FFFD but would copy them through; repair them first so
  // that the result is always valid UTF-8.
  std::string repaired;
  if (utf8_find_invalid(s) != npos) {
    repaired = utf8_repair(s);
    s = repaired;
  }
  const icu::StringPiece piece(s.data(), static_cast<std::int32_t>(s.size()));
  UErrorCode status = U_ZERO_ERROR;
  if (nfc->isNormalizedUTF8(piece, status) && U_SUCCESS(status)) return std::string(s);
  std::string out;
  out.reserve(s.size());
  icu::StringByteSink<std::string> sink(&out);
  status = U_ZERO_ERROR;
  nfc->normalizeUTF8(0, piece, sink, nullptr, status);
  if (U_FAILURE(status)) return std::string(s);
  return out;
}

bool is_non_answer(std::string_view s) {
  s = trim(s);
  if (s.empty()) return true;
  if (s.size() > kMaxNonAnswerInput) return false;
  if (count_ascii_letters(s) > kMaxNonAnswerLetters) return false;
  char buf[kMaxNonAnswerInput];
  const std::string_view folded = fold_short(s, buf);
  const std::string_view key = strip_decoration(folded, false);
  if (key.size() > kMaxNonAnswerKey) return false;
  if (is_known_non_answer(key)) return true;
  const std::string_view bare = strip_decoration(key, true);
  if (bare.empty() || is_filler_only(bare)) return true;  // "???", "!!", "----", "…"
  return bare.size() != key.size() && is_known_non_answer(bare);
}

// ---------------------------------------------------------------------------------------------
// scan_answer: the hot path's tests in one pass

// AddressSanitizer and ThreadSanitizer (GCC's and Clang's ways of saying so) report a load
// past the end of an object, even one that stays within its page: they get the copying way.
#if defined(__SANITIZE_ADDRESS__) || defined(__SANITIZE_THREAD__)
#define ML_ADDRESS_SANITIZER 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer) || __has_feature(thread_sanitizer) || __has_feature(memory_sanitizer)
#define ML_ADDRESS_SANITIZER 1
#endif
#endif
#ifndef ML_ADDRESS_SANITIZER
#define ML_ADDRESS_SANITIZER 0
#endif

// Bits set in a 16-bit mask (no popcnt instruction in the baseline x86-64 this builds for).
constexpr unsigned bits16(unsigned x) noexcept {
  x = x - ((x >> 1) & 0x5555u);
  x = (x & 0x3333u) + ((x >> 2) & 0x3333u);
  x = (x + (x >> 4)) & 0x0F0Fu;
  return (x + (x >> 8)) & 0x1Fu;
}

answer_shape scan_answer(std::string_view s) noexcept {
  answer_shape r;
  const std::size_t n = s.size();
  if (n == 0) return r;
#if defined(__SSE2__)
  const char* p = s.data();
  bool any_high = false, ascii_bad = false, quote = false, found = false, one_dot = false;
  bool lead = false, at_sign = false;
  std::size_t digits = 0, letters = 0, first_high = 0;
  unsigned prev_space = 0, prev_one = 0;  // the last byte of the previous 16: ' ', '1'
  const __m128i c20 = _mm_set1_epi8(0x20), c7f = _mm_set1_epi8(0x7F), sp = _mm_set1_epi8(' ');
  const __m128i dq = _mm_set1_epi8('"'), bs = _mm_set1_epi8('\\'), lf = _mm_set1_epi8('\n');
  const __m128i cr = _mm_set1_epi8('\r'), rp = _mm_set1_epi8(')'), one = _mm_set1_epi8('1');
  const __m128i dot = _mm_set1_epi8('.'), xc2 = _mm_set1_epi8(static_cast<char>(0xC2));
  const __m128i xe2 = _mm_set1_epi8(static_cast<char>(0xE2)), at = _mm_set1_epi8('@');
  const __m128i zero = _mm_set1_epi8('0'), nine = _mm_set1_epi8(9), a = _mm_set1_epi8('a');
  const __m128i z25 = _mm_set1_epi8(25);
  for (std::size_t i = 0; i < n; i += 16) {
    __m128i v;
    unsigned valid = 0xFFFF;
    if (i + 16 <= n) {
      v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
    } else {
      valid = (1u << (n - i)) - 1;
#if !ML_ADDRESS_SANITIZER
      // The last bytes: where the 16 bytes from here lie in one page, they can be loaded as
      // they are (the ones past the end are masked off by `valid`), without a copy.
      if ((reinterpret_cast<std::uintptr_t>(p + i) & 4095) <= 4096 - 16) {
        v = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p + i));
      } else
#endif
      {
        alignas(16) char buf[16] = {};
        std::memcpy(buf, p + i, n - i);
        v = _mm_load_si128(reinterpret_cast<const __m128i*>(buf));
      }
    }
    auto mask = [&](__m128i m) { return static_cast<unsigned>(_mm_movemask_epi8(m)) & valid; };
    const unsigned high = mask(v);
    const unsigned spaces = mask(_mm_cmpeq_epi8(v, sp));
    if (high != 0 && !any_high) {
      any_high = true;
      first_high = i + static_cast<std::size_t>(__builtin_ctz(high));
    }
    // Controls (signed compare: bytes >= 0x80 are negative, taken out by ~high), DEL, and two
    // spaces in a row, across the 16-byte boundary too.
    ascii_bad |= ((mask(_mm_cmplt_epi8(v, c20)) & ~high) | mask(_mm_cmpeq_epi8(v, c7f)) |
                  (spaces & ((spaces << 1) | prev_space))) != 0;
    quote |= mask(_mm_or_si128(_mm_cmpeq_epi8(v, dq), _mm_cmpeq_epi8(v, bs))) != 0;
    found |= mask(_mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(v, lf), _mm_cmpeq_epi8(v, cr)),
                               _mm_cmpeq_epi8(v, rp))) != 0;
    const unsigned ones = mask(_mm_cmpeq_epi8(v, one));
    const unsigned dot_or_space = mask(_mm_cmpeq_epi8(v, dot)) | spaces;
    one_dot |= ((ones << 1 | prev_one) & dot_or_space) != 0;
    lead |= mask(_mm_or_si128(_mm_cmpeq_epi8(v, xc2), _mm_cmpeq_epi8(v, xe2))) != 0;
    at_sign |= mask(_mm_cmpeq_epi8(v, at)) != 0;
    // Digits and ASCII letters: (v - '0') <= 9 and ((v | 0x20) - 'a') <= 25, unsigned.
    const __m128i d = _mm_sub_epi8(v, zero);
    digits += static_cast<std::size_t>(bits16(mask(_mm_cmpeq_epi8(_mm_min_epu8(d, nine), d))));
    const __m128i l = _mm_sub_epi8(_mm_or_si128(v, c20), a);
    letters += static_cast<std::size_t>(bits16(mask(_mm_cmpeq_epi8(_mm_min_epu8(l, z25), l))));
    prev_space = (spaces >> 15) & 1;
    prev_one = (ones >> 15) & 1;
  }
  r.ascii_letters = letters;
  r.maybe_pii = at_sign || digits >= 7;
  r.maybe_list = found || one_dot || (lead && has_two_bullets(s));
  // The ASCII bytes are checked above; the rest from the first byte that is not ASCII.
  r.tidy = !ascii_bad && s.front() != ' ' && s.back() != ' ' &&
           (!any_high || is_tidy_from(reinterpret_cast<const uchar*>(p), n, first_high));
  r.json_plain = r.tidy && !quote;
#else
  r.tidy = already_tidy(s);
  r.maybe_list = may_be_list(s);
  r.maybe_pii = may_hold_pii(s);
  r.ascii_letters = count_ascii_letters(s);
  r.json_plain = r.tidy && s.find_first_of("\"\\") == std::string_view::npos;
#endif
  return r;
}

bool is_non_answer_counted(std::string_view s, std::size_t ascii_letters) {
  if (s.empty()) return true;
  if (s.size() > kMaxNonAnswerInput) return false;
  if (ascii_letters > kMaxNonAnswerLetters) return false;
  return is_non_answer(s);
}

std::vector<std::string> split_list(std::string_view s) {
  if (trim(s).empty()) return {};
  if (!may_be_list(s)) return {std::string(s)};
  std::vector<std::string> items;
  if (split_numbered(s, &items) || split_bulleted(s, &items)) return items;
  return {std::string(s)};
}

std::string redact_pii(std::string_view s, redaction_counts* counts) {
  if (!may_hold_pii(s)) return std::string(s);
  std::string out;
  std::size_t copied = 0;
  auto replace = [&](std::size_t b, std::size_t e, std::string_view tag) {
    if (out.empty()) out.reserve(s.size());
    out.append(s.data() + copied, b - copied);
    out.append(tag);
    copied = e;
  };
  std::size_t i = 0;
  while (i < s.size()) {
    const uchar c = static_cast<uchar>(s[i]);
    if (c == '@') {
      std::size_t b = 0;
      if (const std::size_t e = match_email(s, i, copied, &b); e != npos) {
        replace(b, e, "[email]");
        if (counts) ++counts->emails;
        i = e;
        continue;
      }
    } else if ((is_digit(c) || c == '+' || c == '(') && phone_may_start(s, i)) {
      if (const std::size_t e = match_phone(s, i); e != npos) {
        replace(i, e, "[phone]");
        if (counts) ++counts->phones;
        i = e;
        continue;
      }
    }
    if (is_digit(c)) {
      while (i < s.size() && is_digit(static_cast<uchar>(s[i]))) ++i;  // no phone starts inside
      continue;
    }
    ++i;
  }
  if (out.empty()) return std::string(s);
  out.append(s.data() + copied, s.size() - copied);
  return out;
}

std::string ascii_lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (is_upper(static_cast<uchar>(c))) c = static_cast<char>(c | 0x20);
  return out;
}

std::string to_nfc_owned(std::string&& s) {
  if (is_ascii(s) || is_trivially_nfc(s)) return std::move(s);
  return to_nfc(std::string_view(s));
}

bool split_if_list(std::string_view s, std::vector<std::string>& items) {
  items.clear();
  if (trim(s).empty()) return false;
  // What each kind of list cannot do without, looked for first (most answers that may_be_list
  // lets through are "401(k)" or "(again)"): a numbered list has an item 2 ("2", "b)", "B)");
  // a bulleted one, a second line or two bullets of the kind that count inside a line (each
  // with a 0xC2 or 0xE2 lead byte).
  const bool second = s.find('2') != npos || s.find("b)") != npos || s.find("B)") != npos;
  if (second && split_numbered(s, &items)) return true;
  const bool lines_or_bullets = s.find_first_of("\n\r\xC2\xE2") != npos;
  return lines_or_bullets && split_bulleted(s, &items);
}

void split_list_into(std::string&& s, std::vector<std::string>& items) {
  items.clear();
  if (trim(s).empty()) return;
  // No may_be_list() here: where it is false these find nothing, and ml-gather asks it first.
  if (split_numbered(s, &items) || split_bulleted(s, &items)) return;
  // Not a list: the text itself is the one item, moved, not copied (it may be 100 MB).
  items.clear();
  items.push_back(std::move(s));
}

bool is_yes(std::string_view v) {
  std::string s = ascii_lower(trim(v));
  if (s.empty()) return false;
  static const std::unordered_set<std::string> yes = {
      "yes", "y", "true", "1", "x", "agree", "i agree", "i consent", "consent", "accept",
      "accepted", "ok", "si", "sí", "oui", "ja", "sim", "checked", "on", "\xE2\x9C\x93"};
  if (yes.count(s)) return true;
  for (const char* p : {"yes", "i agree", "i consent", "i accept", "agree", "sí,", "si,", "oui,",
                        "ja,", "sim,", "acepto", "j'accepte", "ich stimme", "concordo"})
    if (s.rfind(p, 0) == 0) return true;
  return false;
}

}  // namespace ml
