// SPDX-License-Identifier: Apache-2.0
// Text of answers: tidying, Unicode normalisation, non-answers, list splitting and PII
// redaction. Pure functions over UTF-8; no locale, no global state.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ml {

/// Tidies whitespace without touching the words: CRLF, CR, vertical tab (Word's soft line
/// break), form feed, U+2028 and U+2029 become LF; tabs, NBSP and the other Unicode space
/// separators become a space; runs of spaces collapse to one; spaces at the ends of lines go;
/// more than one blank line collapses to one; the invisible characters U+200B (zero-width
/// space), U+2060 (word joiner) and U+FEFF (BOM), the other C0/C1 control characters, and bidi
/// embedding/override/isolate controls (U+202A..U+202E, U+2066..U+2069) are removed; the
/// result is trimmed. U+200C (ZWNJ) and U+200D (ZWJ) are kept, as they change how Persian and
/// Indic words are written and join emoji sequences. Invalid UTF-8 bytes become U+FFFD.
std::string tidy_whitespace(std::string_view s);

/// An excerpt of at most about `max_bytes` bytes for display: tidied whitespace, cut at a
/// space (or a character boundary) and ended with U+2026; shorter text is only tidied.
/// Reads no more of `text` than it needs, so a huge answer costs nothing more.
std::string clip_text(std::string_view text, std::size_t max_bytes);

/// The most of an answer that quotes show (ml-concentrate's and ml-dispatch's): a longer
/// answer is quoted as an excerpt; the idea record itself always keeps the whole text.
inline constexpr std::size_t quote_max_bytes = 2000;

/// Unicode NFC (ICU); ASCII and already-normalised text is returned unchanged cheaply.
std::string to_nfc(std::string_view s);

/// True if the whole answer is a non-answer ("n/a", "none", "-", "no comment", "nothing", ...)
/// in English, Spanish, French, German, Portuguese, Italian or Dutch, ignoring case,
/// surrounding punctuation, quotes and whitespace. Long answers are never non-answers.
bool is_non_answer(std::string_view s);

/// Splits an answer written as a numbered or bulleted list into its items: "1) a 2) b",
/// "1. a\n2. b", "a) .. b) ..", lines starting with "-", "*", "•", "·", "▪", "–" or "—", and
/// bullets inside a line ("• a • b", "Two things: · a · b") where the answer holds at least two
/// of the same "•", "·" or "▪" with a blank on either side ("-" and "*" count only at the start
/// of a line). Numbering must run 1, 2, 3... (or a, b, c...) for it to count as a list; a
/// single item is no list.
/// Text before the first item (a lead-in such as "Two things:") is kept as its own first item
/// so that no words are lost. Returns {s} when `s` is not a list. Items are tidied and never
/// empty.
std::vector<std::string> split_list(std::string_view s);

/// What redact_pii found.
struct redaction_counts {
  int emails = 0;
  int phones = 0;
};

/// Replaces e-mail addresses with "[email]" and phone numbers with "[phone]". Phone numbers:
/// 9-15 digits, optionally with a leading "+", spaces, dots, hyphens and parentheses between
/// groups of at most four digits but the last (e.g. "+1 (555) 123-4567", "0612345678",
/// "+33 6 12 34 56 78"), including national shapes such as "020 7946 0958", "06 12 34 56 78",
/// "030 1234567", "612 345 678", the UK mobile "07700 900123" (leading 0, five digits, a
/// space, six digits) and the Brazilian "(11) 98765-4321" (a two-digit area code in
/// parentheses, five digits, a hyphen, four digits); and the local "555-1234" shape (3 digits,
/// separator, 4 digits). Dates ("2024-03-05"), years and their ranges ("2019-2020"), times,
/// money ("$1,500,000"), percentages, decimals, thousands ("100 000 000") and version numbers
/// are not phones.
std::string redact_pii(std::string_view s, redaction_counts* counts = nullptr);

/// The same as the functions above, moving `s` through when nothing changes (no copy): for
/// the hot path of ml-gather. split_list fills `items` (cleared first).
std::string to_nfc_owned(std::string&& s);
void split_list_into(std::string&& s, std::vector<std::string>& items);
/// True, with the items in `items`, where split_list(s) finds a list of two or more items;
/// false (and `s` is its only item) otherwise. No copy of `s` where it is not a list.
bool split_if_list(std::string_view s, std::vector<std::string>& items);

/// Cheap tests for that hot path, each exact in one direction. already_tidy: `s` is one line
/// of printable ASCII and of the non-ASCII characters U+00A1..U+02FF (accented Latin letters),
/// U+2010..U+2027 (dashes, curly quotes, bullets, ellipsis), U+2600..U+27BF and
/// U+1F000..U+1FAFF (symbols, emoji) with U+200D and U+FE0F, with single spaces and no
/// space at either end, so tidy_whitespace and to_nfc return it unchanged. When may_be_list
/// is false, split_list returns `s` as its only item; when may_hold_pii is false, redact_pii
/// returns `s` unchanged.
bool already_tidy(std::string_view s) noexcept;
bool may_be_list(std::string_view s) noexcept;
bool may_hold_pii(std::string_view s) noexcept;

/// What ml-gather's hot path asks of an answer, found in one pass over it (16 bytes a step
/// where SSE2 is there) instead of one pass per question. Each field is what the function it
/// names returns.
struct answer_shape {
  bool tidy = false;              ///< already_tidy(s)
  bool maybe_list = false;        ///< may_be_list(s)
  bool maybe_pii = false;         ///< may_hold_pii(s)
  bool json_plain = false;        ///< tidy, with no '"' or '\\': its JSON is its bytes in quotes
  std::size_t ascii_letters = 0;  ///< ASCII letters, for is_non_answer_counted
};
answer_shape scan_answer(std::string_view s) noexcept;

/// is_non_answer(s) for an `s` already trimmed whose ASCII letters are counted (scan_answer):
/// long answers are ruled out without another pass.
bool is_non_answer_counted(std::string_view s, std::size_t ascii_letters);

/// Lowercases ASCII letters only (fast, locale-free); other bytes unchanged.
std::string ascii_lower(std::string_view s);

/// Trims ASCII whitespace at both ends. (Inline: the hot path trims every cell.)
inline std::string_view trim(std::string_view s) noexcept {
  auto space = [](char c) { return c == ' ' || (c >= '\t' && c <= '\r'); };  // \t \n \v \f \r
  std::size_t b = 0, e = s.size();
  while (b < e && space(s[b])) ++b;
  while (e > b && space(s[e - 1])) --e;
  return s.substr(b, e - b);
}

/// True for an answer that says yes: "yes", "y", "true", "1", "x", "agree", "I consent",
/// "ok", "sí", "oui", "ja", "sim", a check mark, and answers that begin with "yes" or
/// "I agree" (in several languages). Case and surrounding blanks are ignored.
bool is_yes(std::string_view v);

}  // namespace ml
