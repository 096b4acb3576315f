// SPDX-License-Identifier: Apache-2.0
// ml-concentrate: idea records in; a line out: a summary, themes in rank order (one central,
// then secondary, tertiary and other), the unassigned ideas, then the ideas annotated with
// their theme. Every idea ends up in exactly one theme or in the unassigned record.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace ml {

struct concentrate_options {
  std::vector<std::string> inputs;  ///< files; "-" is stdin; empty means stdin
  std::string output = "-";         ///< "-" is stdout, otherwise written atomically
  std::string encoding;             ///< input encoding; "" to detect (UTF-8 expected)
  std::string lang;                 ///< "" or "auto": detect per idea; else ISO 639-1 code
  std::string stopwords_file;       ///< extra stopwords, one per line
  int themes = 0;                   ///< 0: find the number of themes; else exactly this many
  int min_size = 0;                 ///< smallest theme in ideas; 0: automatic (1 with themes)
  int secondary = 3, tertiary = 5;  ///< tier sizes below the one central theme
  std::string stance;               ///< rating name under "ratings" holding a stance
  std::string codebook;             ///< CSV or JSON file of named themes, matched first
  std::string previous;             ///< the previous cycle's line, for stable theme ids
  bool ideas = true;                ///< pass the annotated ideas on after the line
  int dims = 100;                   ///< LSA dimensions
  std::uint64_t seed = 1;           ///< for the randomized steps; output depends on it
  unsigned threads = 0;             ///< 0: one per core; output does not depend on it
};

/// What happened to every idea, for the tally on stderr.
struct concentrate_tally {
  long long records = 0;       ///< records read
  long long ideas = 0;         ///< idea records read
  long long themed = 0;        ///< ideas in a theme
  long long unassigned = 0;    ///< ideas in no theme
  long long codebook = 0;      ///< of the themed, ideas matched by the codebook
  long long passed_through = 0;
  long long dropped = 0;       ///< records ml-concentrate owns (an older line), replaced
  int themes = 0;
  std::map<std::string, long long> unassigned_reasons;
};

/// Runs ml-concentrate. Returns the exit status (0). Throws ml::error for everything that
/// stops the run: bad data 65 (with file:line), usage 64, missing input 66, output 73/74.
int run_concentrate(const concentrate_options& options, concentrate_tally* tally = nullptr);

}  // namespace ml
