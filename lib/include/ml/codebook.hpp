// SPDX-License-Identifier: Apache-2.0
// A codebook: the named themes an organisation already reports on, each with keywords or
// phrases that place an idea in it and optional phrases that keep an idea out.
#pragma once

#include <string>
#include <vector>

namespace ml {

struct codebook_theme {
  std::string name;
  std::vector<std::string> keywords;    ///< words or phrases; any one places an idea here
  std::vector<std::string> exclusions;  ///< any one keeps an idea out of this theme
  long long line = 0;                   ///< where it was first defined
};

/// Reads a codebook. CSV (any delimiter ml-gather sniffs) with a header naming the columns
/// `theme` (or `name`), `keywords` (or `keyword`, `phrases`) and optionally `exclude` (or
/// `exclusions`), lists inside a cell separated by `;` or `|`, and rows with the same name
/// merged; or JSON: an array of objects with the same keys, lists as arrays or strings.
/// Throws ml::error: 66 missing file, 65 with file:line for a row with no name or no
/// keywords, or a header without the columns.
std::vector<codebook_theme> read_codebook(const std::string& path);

}  // namespace ml
