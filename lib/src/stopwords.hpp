// SPDX-License-Identifier: Apache-2.0
// The built-in stopword lists of the text analyzer (stopwords.cpp), shared with analyze.cpp.
#pragma once

#include <string_view>

namespace ml::detail {

/// The built-in stopwords of `lang` (an ISO 639-1 code), or "" if it has none. The text holds
/// words in case-folded form separated by whitespace, with '#' comments to the end of the line.
/// A word written "=word" is matched exactly only: its stem is also the stem of common content
/// words, so the rule that drops words sharing a stopword's stem must not use it.
std::string_view builtin_stopword_text(std::string_view lang) noexcept;

}  // namespace ml::detail
