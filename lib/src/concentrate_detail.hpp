// SPDX-License-Identifier: Apache-2.0
// Internals of ml-concentrate shared by its source files.
#pragma once

#include <cmath>
#include <cstdio>
#include <memory>
#include <functional>
#include <cstdint>
#include <limits>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "ml/spool.hpp"

namespace ml::detail {

/// The most of an idea's text that is analysed: the start of a longer answer (a pasted
/// document, a 100 MB cell) stands for it, so that time and memory stay bounded.
inline constexpr std::size_t analysed_max_bytes = 32768;

/// One idea record as read, with what the line needs from it.
struct idea_rec {
  std::uint32_t raw_size = 0;  ///< bytes of the record in the spool ("theme" removed)
  std::string id, text;
  int respondent = -1;     ///< index into corpus::respondents
  int unit = -1;           ///< index into corpus::units, -1 when none
  float stance = std::numeric_limits<float>::quiet_NaN();
  int doc = -1;            ///< distinct document (term multiset), -1 when it has no terms
  int theme = -1;          ///< index of its theme, -1 when unassigned
  std::string_view reason; ///< why it is unassigned
  int file = 0;            ///< input it came from
  long long line = 0;      ///< line it was read from
};

/// Hashing for maps keyed by std::string that are looked up by std::string_view without
/// making a string (C++20 heterogeneous lookup).
struct string_hash {
  using is_transparent = void;
  std::size_t operator()(std::string_view s) const noexcept {
    return std::hash<std::string_view>{}(s);
  }
};
template <class V>
using string_map = std::unordered_map<std::string, V, string_hash, std::equal_to<>>;

/// Interns strings as small integers in first-seen order.
class interner {
 public:
  int get(std::string_view s) {
    auto it = index_.find(s);
    if (it != index_.end()) return it->second;
    int id = static_cast<int>(names_.size());
    names_.emplace_back(s);
    index_.emplace(names_.back(), id);
    return id;
  }
  const std::string& name(int i) const { return names_[static_cast<std::size_t>(i)]; }
  std::size_t size() const { return names_.size(); }

 private:
  string_map<int> index_;
  std::vector<std::string> names_;
};


/// Everything read from the inputs.
struct corpus {
  std::unique_ptr<spool> spooled = std::make_unique<spool>();  ///< the ideas' records
  std::vector<idea_rec> ideas;
  std::vector<std::string> passthrough;  ///< other records, as read, in input order
  interner respondents, units;
  long long records = 0;
  long long dropped = 0;                 ///< records of the types ml-concentrate writes
  bool any_stance = false;
  std::vector<std::string> rating_names;  ///< the rating names seen, when --stance found none
};

/// Reads idea records (and passes others through) from every input. Throws ml::error:
/// 66 for a missing input, 65 with file:line for a bad record.
corpus read_corpus(const std::vector<std::string>& inputs, const std::string& stance,
                   const std::string& encoding);

}  // namespace ml::detail
