// SPDX-License-Identifier: Apache-2.0
#include "ml/codebook.hpp"

#include <fmt/format.h>

#include <map>
#include <nlohmann/json.hpp>

#include "ml/csv.hpp"
#include "ml/diag.hpp"
#include "ml/error.hpp"
#include "ml/input.hpp"
#include "ml/records.hpp"
#include "ml/text.hpp"

namespace ml {
namespace {

const char* const hint =
    "; a codebook has the columns theme, keywords and (optionally) exclude, lists separated "
    "by ';' (see ml-concentrate(1))";

std::vector<std::string> split_cell(std::string_view cell) {
  std::vector<std::string> out;
  std::size_t start = 0;
  for (std::size_t i = 0; i <= cell.size(); ++i) {
    if (i == cell.size() || cell[i] == ';' || cell[i] == '|') {
      std::string_view part = trim(cell.substr(start, i - start));
      if (!part.empty()) out.emplace_back(part);
      start = i + 1;
    }
  }
  return out;
}

void add(std::vector<codebook_theme>& book, std::map<std::string, std::size_t>& index,
         const std::string& file, long long line, std::string name,
         std::vector<std::string> keywords, std::vector<std::string> exclusions) {
  if (name.empty()) throw data_error(file, line, std::string("theme has no name") + hint);
  auto it = index.find(name);
  if (it == index.end()) {
    it = index.emplace(name, book.size()).first;
    codebook_theme t;
    t.name = name;
    t.line = line;
    book.push_back(std::move(t));
  }
  auto& t = book[it->second];
  for (auto& k : keywords) t.keywords.push_back(std::move(k));
  for (auto& e : exclusions) t.exclusions.push_back(std::move(e));
}

std::vector<std::string> json_list(const nlohmann::json& v, const std::string& file,
                                   long long line, const char* what) {
  if (v.is_null()) return {};
  if (v.is_string()) return split_cell(v.get<std::string>());
  if (v.is_array()) {
    std::vector<std::string> out;
    for (auto& e : v) {
      if (!e.is_string())
        throw data_error(file, line, fmt::format("\"{}\" must hold strings{}", what, hint));
      std::string s(trim(e.get<std::string>()));
      if (!s.empty()) out.push_back(std::move(s));
    }
    return out;
  }
  throw data_error(file, line, fmt::format("\"{}\" must be a string or a list{}", what, hint));
}

}  // namespace

std::vector<codebook_theme> read_codebook(const std::string& path) {
  byte_input bytes(path);
  const std::string file = bytes.name();
  text_input in(bytes, "", [](const std::string& m) { diag::warning(m); });
  std::vector<codebook_theme> book;
  std::map<std::string, std::size_t> index;
  const std::string& head = in.peek();
  std::size_t first = head.find_first_not_of(" \t\r\n");
  if (first != std::string::npos && (head[first] == '[' || head[first] == '{')) {
    std::string all, chunk;
    while (in.next(chunk)) {
      all += chunk;
      chunk.clear();
    }
    nlohmann::json j;
    try {
      j = nlohmann::json::parse(all);
    } catch (const nlohmann::json::exception& e) {
      throw data_error(file, 1, "invalid JSON" + json_error_text(e) + hint);
    }
    if (j.is_object() && j.contains("themes")) j = j["themes"];
    if (!j.is_array()) throw data_error(file, 1, std::string("expected a list of themes") + hint);
    long long n = 0;
    for (auto& t : j) {
      ++n;
      if (!t.is_object()) throw data_error(file, 1, fmt::format("theme {} is not an object{}", n, hint));
      auto pick = [&](std::initializer_list<const char*> keys) -> nlohmann::json {
        for (auto k : keys)
          if (t.contains(k)) return t[k];
        return nullptr;
      };
      nlohmann::json name = pick({"theme", "name", "label"});
      if (!name.is_string())
        throw data_error(file, 1, fmt::format("theme {} has no \"theme\" name{}", n, hint));
      add(book, index, file, n, std::string(trim(name.get<std::string>())),
          json_list(pick({"keywords", "keyword", "phrases"}), file, n, "keywords"),
          json_list(pick({"exclude", "exclusions", "exclude_keywords"}), file, n, "exclude"));
    }
  } else {
    csv_reader reader(in);
    csv_record rec;
    int name_col = -1, kw_col = -1, ex_col = -1;
    if (!reader.next(rec)) throw data_error(file, 1, std::string("the codebook is empty") + hint);
    for (std::size_t c = 0; c < rec.fields.size(); ++c) {
      std::string h = ascii_lower(trim(rec.fields[c]));
      if ((h == "theme" || h == "name" || h == "label") && name_col < 0) name_col = static_cast<int>(c);
      if ((h == "keywords" || h == "keyword" || h == "phrases") && kw_col < 0) kw_col = static_cast<int>(c);
      if ((h == "exclude" || h == "exclusions" || h == "exclude keywords") && ex_col < 0) ex_col = static_cast<int>(c);
    }
    if (name_col < 0 || kw_col < 0)
      throw data_error(file, rec.line,
                       std::string("the header has no \"theme\" and \"keywords\" columns") + hint);
    auto cell = [&](int c) -> std::string_view {
      return c >= 0 && static_cast<std::size_t>(c) < rec.fields.size() ? rec.fields[static_cast<std::size_t>(c)]
                                                                      : std::string_view{};
    };
    while (reader.next(rec)) {
      add(book, index, file, rec.line, std::string(trim(cell(name_col))), split_cell(cell(kw_col)),
          split_cell(cell(ex_col)));
    }
  }
  for (auto& t : book)
    if (t.keywords.empty())
      throw data_error(file, t.line, fmt::format("theme \"{}\" has no keywords{}", t.name, hint));
  if (book.empty()) throw data_error(file, 1, std::string("the codebook has no themes") + hint);
  return book;
}

}  // namespace ml
