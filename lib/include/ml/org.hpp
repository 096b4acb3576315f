// SPDX-License-Identifier: Apache-2.0
// The organisation ml-dispatch sends the line through: units, their parents (the
// hierarchy), their heads (the person in overall charge) and the person or department with
// specific responsibility. Read from CSV/TSV or JSON and checked before anything is sent.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

namespace ml {

struct org_unit {
  std::string name;         ///< the unit, as the ideas' "unit" field names it
  std::string parent;       ///< empty for a top unit
  std::string head;         ///< the person in overall charge (never empty after reading)
  std::string responsible;  ///< the person or department with specific responsibility
  std::string contact;      ///< how to reach the head (optional)
  long long members = -1;   ///< headcount, -1 when not given
  std::string where;        ///< "org.csv:12" or "org.json: item 3", for messages
  int parent_index = -1;
  std::vector<int> children;  ///< in file order
  int depth = 0;              ///< 0 for top units
  int branch = -1;            ///< the branch it belongs to (index of a unit), -1 above them
};

struct organisation {
  std::string file;
  std::vector<org_unit> units;  ///< in file order
  std::unordered_map<std::string, int> index;
  /// Units without a responsible person (directives go to the head alone).
  std::vector<int> without_responsible;
  int find(const std::string& name) const {
    auto it = index.find(name);
    return it == index.end() ? -1 : it->second;
  }
};

/// Reads and checks an organisation file. The format is taken from the content: a JSON
/// array of objects, JSON Lines (one object a line), else CSV or TSV (delimiter sniffed).
/// Columns or keys, case and surrounding blanks ignored: `unit` (required), `parent`,
/// `head` (required), `responsible`, `contact`, `members`.
///
/// Throws ml::error 65 after printing every problem found (up to 50): a missing `unit` or
/// `head` column, an empty unit name, a unit listed twice, a parent that is not a unit,
/// parents that form a cycle, `members` that is not a whole number, and, in one message
/// naming each of them, units with no head. 66 when the file cannot be opened.
///
/// Branches: below the top of the hierarchy (the single top unit and any chain of only
/// children under it), each subtree is one branch; with several top units each is one.
organisation read_org(const std::string& path, const std::string& encoding = {});

}  // namespace ml
