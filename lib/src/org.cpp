// SPDX-License-Identifier: Apache-2.0
// Reading and checking the organisation file (see org.hpp).
#include "ml/org.hpp"

#include <fmt/format.h>

#include <algorithm>

#include <nlohmann/json.hpp>

#include "ml/csv.hpp"
#include "ml/diag.hpp"
#include "ml/error.hpp"
#include "ml/input.hpp"
#include "ml/records.hpp"
#include "ml/text.hpp"

namespace ml {

namespace {

constexpr std::size_t max_reported = 50;

struct problems {
  std::string file;
  std::size_t count = 0;
  void add(const std::string& where, const std::string& message) {
    ++count;
    if (count <= max_reported) diag::error(where + ": " + message);
  }
};

std::string clean(std::string_view s) { return std::string(trim(tidy_whitespace(s))); }

enum class column { none, unit, parent, head, responsible, contact, members };

column column_of(std::string_view header) {
  std::string h = ascii_lower(trim(header));
  if (h == "unit") return column::unit;
  if (h == "parent") return column::parent;
  if (h == "head") return column::head;
  if (h == "responsible") return column::responsible;
  if (h == "contact") return column::contact;
  if (h == "members") return column::members;
  return column::none;
}

const char* column_name(column c) {
  switch (c) {
    case column::unit: return "unit";
    case column::parent: return "parent";
    case column::head: return "head";
    case column::responsible: return "responsible";
    case column::contact: return "contact";
    case column::members: return "members";
    default: return "";
  }
}

/// Sets a field of `u` from a cell; `members` is checked.
void set_field(org_unit& u, column c, std::string_view value, problems& p) {
  std::string v = clean(value);
  switch (c) {
    case column::unit: u.name = std::move(v); break;
    case column::parent: u.parent = std::move(v); break;
    case column::head: u.head = std::move(v); break;
    case column::responsible: u.responsible = std::move(v); break;
    case column::contact: u.contact = std::move(v); break;
    case column::members: {
      if (v.empty()) break;
      long long n = 0;
      bool ok = v.size() <= 12;
      for (char ch : v) ok = ok && ch >= '0' && ch <= '9';
      if (ok) n = std::stoll(v);
      if (!ok)
        p.add(u.where, fmt::format("members '{}' is not a whole number of people; give the "
                                   "headcount (e.g. 40) or leave it empty",
                                   v));
      else
        u.members = n;
      break;
    }
    default: break;
  }
}

void read_csv(text_input& in, organisation& org, problems& p, bool& has_head) {
  csv_reader csv(in);
  csv_record rec;
  if (!csv.next(rec)) return;
  std::vector<column> cols;
  bool has_unit = false;
  for (auto f : rec.fields) {
    column c = column_of(f);
    for (column seen : cols)
      if (c != column::none && seen == c)
        throw data_error(org.file, rec.line,
                         fmt::format("the column '{}' appears twice; keep one", column_name(c)));
    has_unit = has_unit || c == column::unit;
    has_head = has_head || c == column::head;
    cols.push_back(c);
  }
  if (!has_unit)
    throw data_error(org.file, rec.line,
                     "no 'unit' column in the header; the organisation file needs the columns "
                     "unit, parent, head, responsible (and optionally contact, members)");
  while (csv.next(rec)) {
    org_unit u;
    u.where = fmt::format("{}:{}", org.file, rec.line);
    for (std::size_t i = 0; i < rec.fields.size() && i < cols.size(); ++i)
      set_field(u, cols[i], rec.fields[i], p);
    if (rec.fields.size() > cols.size()) {
      bool extra = false;
      for (std::size_t i = cols.size(); i < rec.fields.size(); ++i)
        extra = extra || !trim(rec.fields[i]).empty();
      if (extra)
        p.add(u.where, fmt::format("{} fields where the header has {}; quote cells that hold "
                                   "the delimiter",
                                   rec.fields.size(), cols.size()));
    }
    org.units.push_back(std::move(u));
  }
}

std::string json_cell(const nlohmann::json& v) {
  if (v.is_string()) return v.get<std::string>();
  if (v.is_number_integer() || v.is_number_unsigned() || v.is_number_float()) return v.dump();
  return {};
}

void read_json_object(const nlohmann::json& obj, org_unit& u, problems& p, bool& has_head) {
  if (!obj.is_object()) {
    p.add(u.where, fmt::format("a unit must be a JSON object, not {}", obj.type_name()));
    return;
  }
  for (const auto& [k, v] : obj.items()) {
    column c = column_of(k);
    if (c == column::none) continue;
    if (c == column::head) has_head = true;
    if (!v.is_null() && !v.is_string() && !v.is_number()) {
      p.add(u.where, fmt::format("'{}' must be a string, not {}", k, v.type_name()));
      continue;
    }
    set_field(u, c, json_cell(v), p);
  }
}

void read_json(text_input& in, char first, organisation& org, problems& p, bool& has_head) {
  if (first == '[') {
    std::string all, chunk;
    while (in.next(chunk)) {
      all += chunk;
      chunk.clear();
      if (all.size() > (1ULL << 30))
        throw data_error(org.file, 0, "the organisation file is over 1 GiB; use CSV or JSON Lines");
    }
    if (json_too_deep(all, max_json_depth + 1))  // the array around the units
      throw data_error(org.file, 0, json_depth_message());
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(all);
    } catch (const nlohmann::json::exception& e) {
      throw data_error(org.file, 0, "invalid JSON" + json_error_text(e) +
                                        "; the organisation file is a JSON array of objects");
    }
    std::size_t item = 0;
    for (const auto& obj : j) {
      org_unit u;
      u.where = fmt::format("{}: item {}", org.file, ++item);
      read_json_object(obj, u, p, has_head);
      org.units.push_back(std::move(u));
    }
    return;
  }
  line_reader lines(in);
  std::string_view line;
  while (lines.next(line)) {
    if (trim(line).empty()) continue;
    org_unit u;
    u.where = fmt::format("{}:{}", org.file, lines.line_number());
    if (json_too_deep(line)) throw data_error(org.file, lines.line_number(), json_depth_message());
    nlohmann::json obj;
    try {
      obj = nlohmann::json::parse(line);
    } catch (const nlohmann::json::exception& e) {
      throw data_error(org.file, lines.line_number(),
                       "invalid JSON" + json_error_text(e) + "; one unit object a line");
    }
    read_json_object(obj, u, p, has_head);
    org.units.push_back(std::move(u));
  }
}

}  // namespace

organisation read_org(const std::string& path, const std::string& encoding) {
  organisation org;
  byte_input bytes(path);
  org.file = bytes.name();
  problems p{org.file};
  bool has_head = false;
  // Sniff: JSON starts with '[' or '{' after blanks and a BOM.
  char first = 0;
  text_input in(bytes, encoding, [](const std::string& m) { diag::warning(m); });
  const std::string& peeked = in.peek();
  std::size_t lead = peeked.find_first_not_of(" \t\r\n");
  if (lead != std::string::npos) first = peeked[lead];
  if (first == '[' || first == '{')
    read_json(in, first, org, p, has_head);
  else
    read_csv(in, org, p, has_head);

  if (org.units.empty())
    throw data_error(org.file, 0, "no units; the organisation file needs a row per unit");
  if (!has_head)
    throw data_error(org.file, 0,
                     "no 'head' column: a directive goes to the person in overall charge of each "
                     "unit; add a head column naming them");

  // Names, duplicates.
  for (std::size_t i = 0; i < org.units.size(); ++i) {
    org_unit& u = org.units[i];
    if (u.name.empty()) {
      p.add(u.where, "the unit has no name; fill in the unit column or remove the row");
      continue;
    }
    auto [it, fresh] = org.index.emplace(u.name, static_cast<int>(i));
    if (!fresh)
      p.add(u.where, fmt::format("unit '{}' is listed twice (first at {}); list each unit once",
                                 u.name, org.units[static_cast<std::size_t>(it->second)].where));
  }
  // Parents.
  for (std::size_t i = 0; i < org.units.size(); ++i) {
    org_unit& u = org.units[i];
    if (u.parent.empty() || u.name.empty()) continue;
    int pi = org.find(u.parent);
    if (pi < 0) {
      p.add(u.where, fmt::format("unit '{}' has parent '{}', which is not a unit in the file; "
                                 "add a row for '{}' or leave the parent empty",
                                 u.name, u.parent, u.parent));
    } else if (pi == static_cast<int>(i)) {
      p.add(u.where, fmt::format("unit '{}' is its own parent; leave the parent empty for a "
                                 "top unit",
                                 u.name));
    } else if (org.index[u.name] == static_cast<int>(i)) {
      u.parent_index = pi;
    }
  }
  // Cycles: follow parents; state 0 unseen, 1 on the current path, 2 done.
  std::vector<char> state(org.units.size(), 0);
  for (std::size_t s = 0; s < org.units.size(); ++s) {
    if (state[s]) continue;
    std::vector<int> chain_path;
    int x = static_cast<int>(s);
    while (x >= 0 && state[static_cast<std::size_t>(x)] == 0) {
      state[static_cast<std::size_t>(x)] = 1;
      chain_path.push_back(x);
      x = org.units[static_cast<std::size_t>(x)].parent_index;
    }
    if (x >= 0 && state[static_cast<std::size_t>(x)] == 1) {
      std::string chain;
      auto at = std::find(chain_path.begin(), chain_path.end(), x);
      for (auto it = at; it != chain_path.end(); ++it)
        chain += "'" + org.units[static_cast<std::size_t>(*it)].name + "' -> ";
      chain += "'" + org.units[static_cast<std::size_t>(x)].name + "'";
      p.add(org.units[static_cast<std::size_t>(x)].where,
            fmt::format("the parents form a cycle: {}; a unit cannot be above itself, so "
                        "correct one of these parents",
                        chain));
      for (auto it = at; it != chain_path.end(); ++it)
        org.units[static_cast<std::size_t>(*it)].parent_index = -1;  // break it
    }
    for (int y : chain_path) state[static_cast<std::size_t>(y)] = 2;
  }
  // Heads: one message naming every unit without one.
  std::vector<std::string> headless;
  for (const auto& u : org.units)
    if (u.head.empty() && !u.name.empty()) headless.push_back(u.name + " (" + u.where + ")");
  if (!headless.empty()) {
    std::string list;
    for (std::size_t i = 0; i < headless.size() && i < max_reported; ++i)
      list += (i ? ", " : "") + headless[i];
    if (headless.size() > max_reported)
      list += fmt::format(" and {} more", headless.size() - max_reported);
    p.add(org.file, fmt::format("{} {} no head: {}; a directive never bypasses the person in "
                                "overall charge, so name the head of each",
                                headless.size(), headless.size() == 1 ? "unit has" : "units have",
                                list));
  }
  if (p.count > 0) {
    if (p.count > max_reported)
      diag::error(fmt::format("{}: {} more problems not shown", org.file, p.count - max_reported));
    throw data_error(org.file, 0,
                     fmt::format("{} {} in the organisation file; nothing was dispatched",
                                 p.count, p.count == 1 ? "problem" : "problems"));
  }
  for (std::size_t i = 0; i < org.units.size(); ++i) {
    org_unit& u = org.units[i];
    if (u.parent_index >= 0)
      org.units[static_cast<std::size_t>(u.parent_index)].children.push_back(static_cast<int>(i));
    if (u.responsible.empty()) org.without_responsible.push_back(static_cast<int>(i));
  }
  // Depths and branches, top down.
  std::vector<int> tops;
  for (std::size_t i = 0; i < org.units.size(); ++i)
    if (org.units[i].parent_index < 0) tops.push_back(static_cast<int>(i));
  std::vector<int> level = tops;
  while (level.size() == 1 && !org.units[static_cast<std::size_t>(level[0])].children.empty())
    level = org.units[static_cast<std::size_t>(level[0])].children;
  std::vector<int> stack;
  for (int t : tops) stack.push_back(t);
  for (int b : level) org.units[static_cast<std::size_t>(b)].branch = b;
  while (!stack.empty()) {
    int x = stack.back();
    stack.pop_back();
    org_unit& u = org.units[static_cast<std::size_t>(x)];
    for (int c : u.children) {
      org_unit& cu = org.units[static_cast<std::size_t>(c)];
      cu.depth = u.depth + 1;
      if (cu.branch < 0) cu.branch = u.branch;
      stack.push_back(c);
    }
  }
  return org;
}

}  // namespace ml
