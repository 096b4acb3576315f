// SPDX-License-Identifier: Apache-2.0
// Text of answers: tidying, Unicode normalisation, non-answers, list splitting and PII
// redaction. Pure functions over UTF-8; no locale, no global state.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace ml {

/// Tidies whitespace without touching the words: CRLF and CR become LF; tabs, NBSP and the
/// other Unicode space separators become a space; runs of spaces collapse to one; spaces at
/// the ends of lines go; more than one blank line collapses to one; zero-width characters
/// (U+200B..U+200D, U+2060, U+FEFF), C0/C1 control characters other than LF, and bidi
/// embedding/override/isolate controls (U+202A..U+202E, U+2066..U+2069) are removed; the
/// result is trimmed. Invalid UTF-8 bytes become U+FFFD.
std::string tidy_whitespace(std::string_view s);

/// Unicode NFC (ICU); ASCII and already-normalised text is returned unchanged cheaply.
std::string to_nfc(std::string_view s);

/// True if the whole answer is a non-answer ("n/a", "none", "-", "no comment", "nothing", ...)
/// in English, Spanish, French, German, Portuguese, Italian or Dutch, ignoring case,
/// surrounding punctuation, quotes and whitespace. Long answers are never non-answers.
bool is_non_answer(std::string_view s);

/// Splits an answer written as a numbered or bulleted list into its items: "1) a 2) b",
/// "1. a\n2. b", "a) .. b) ..", lines starting with "-", "*", "•", "·", "–" or "—". Numbering
/// must run 1, 2, 3... (or a, b, c...) for it to count as a list; a single item is no list.
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
/// groups (e.g. "+1 (555) 123-4567", "0612345678", "+33 6 12 34 56 78"), and the local
/// "555-1234" shape (3 digits, separator, 4 digits). Dates ("2024-03-05"), years and their
/// ranges ("2019-2020"), times, money ("$1,500,000"), percentages and decimals are not phones.
std::string redact_pii(std::string_view s, redaction_counts* counts = nullptr);

/// Lowercases ASCII letters only (fast, locale-free); other bytes unchanged.
std::string ascii_lower(std::string_view s);

/// Trims ASCII whitespace at both ends.
std::string_view trim(std::string_view s) noexcept;

}  // namespace ml
