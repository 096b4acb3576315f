// SPDX-License-Identifier: Apache-2.0
// The spiral: matching this cycle's themes to the previous cycle's, so a theme keeps its id
// from one cycle to the next and new, continuing, merged, split and vanished themes show.
#pragma once

#include <map>
#include <string>
#include <vector>

namespace ml {

/// What matching needs to know of a theme, in either cycle.
struct theme_trace {
  std::string id, label;
  std::vector<std::string> ideas;           ///< member idea ids, sorted
  std::map<std::string, double> signature;  ///< term -> c-TF-IDF weight
  long long respondents = 0, idea_count = 0;
};

struct theme_link {
  std::string id;                     ///< kept from the previous cycle, or the theme's own
  std::string status = "new";         ///< new | continuing | merged | split
  std::vector<std::string> previous;  ///< the previous themes it comes from, best first
  long long respondents_before = 0, ideas_before = 0;  ///< summed over `previous`
};

struct continuity {
  std::vector<theme_link> links;        ///< one per theme of this cycle, in its order
  std::vector<theme_trace> vanished;    ///< previous themes with no successor
};

/// Similarity of two themes: the larger of the share of shared ideas (of the smaller theme)
/// and the cosine of their signatures.
double theme_similarity(const theme_trace& a, const theme_trace& b);

/// Matches themes whose similarity reaches `threshold`. One-to-one: continuing, id kept.
/// Several previous themes in one: merged, keeping the id of the most similar. One previous
/// theme in several: split, the most similar keeps the id, the others keep their own.
/// A previous id is given to one theme only.
continuity match_previous(const std::vector<theme_trace>& previous,
                          const std::vector<theme_trace>& current, double threshold = 0.35);

/// Reads the theme records of a previous line (ml-concentrate's output). Throws ml::error
/// 66 for a missing file, 65 with file:line for a bad record.
std::vector<theme_trace> read_previous_line(const std::string& path);

}  // namespace ml
