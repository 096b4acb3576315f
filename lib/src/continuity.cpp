// SPDX-License-Identifier: Apache-2.0
#include "ml/continuity.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <simdjson.h>
#include <set>
#include <tuple>

#include "ml/diag.hpp"
#include "ml/error.hpp"
#include "ml/input.hpp"
#include "ml/records.hpp"

namespace ml {

double theme_similarity(const theme_trace& a, const theme_trace& b) {
  double overlap = 0;
  if (!a.ideas.empty() && !b.ideas.empty()) {
    std::size_t shared = 0;
    auto i = a.ideas.begin(), j = b.ideas.begin();
    while (i != a.ideas.end() && j != b.ideas.end()) {
      if (*i < *j) ++i;
      else if (*j < *i) ++j;
      else ++shared, ++i, ++j;
    }
    overlap = static_cast<double>(shared) /
              static_cast<double>(std::min(a.ideas.size(), b.ideas.size()));
  }
  double dot = 0, na = 0, nb = 0;
  for (auto& [t, w] : a.signature) {
    na += w * w;
    auto it = b.signature.find(t);
    if (it != b.signature.end()) dot += w * it->second;
  }
  for (auto& [t, w] : b.signature) nb += w * w;
  double cosine = (na > 0 && nb > 0) ? dot / std::sqrt(na * nb) : 0.0;
  return std::max(overlap, cosine);
}

continuity match_previous(const std::vector<theme_trace>& previous,
                          const std::vector<theme_trace>& current, double threshold) {
  continuity out;
  const std::size_t p = previous.size(), c = current.size();
  std::vector<std::vector<double>> sim(c, std::vector<double>(p, 0.0));
  std::vector<std::vector<std::size_t>> of_current(c), of_previous(p);
  for (std::size_t i = 0; i < c; ++i)
    for (std::size_t j = 0; j < p; ++j) {
      sim[i][j] = theme_similarity(current[i], previous[j]);
      if (sim[i][j] >= threshold) {
        of_current[i].push_back(j);
        of_previous[j].push_back(i);
      }
    }
  auto by_sim_current = [&](std::size_t i) {
    std::stable_sort(of_current[i].begin(), of_current[i].end(),
                     [&](std::size_t a, std::size_t b) { return sim[i][a] > sim[i][b]; });
  };
  for (std::size_t i = 0; i < c; ++i) by_sim_current(i);
  out.links.resize(c);
  for (std::size_t i = 0; i < c; ++i) {
    auto& l = out.links[i];
    l.id = current[i].id;
    for (auto j : of_current[i]) {
      l.previous.push_back(previous[j].id);
      l.respondents_before += previous[j].respondents;
      l.ideas_before += previous[j].idea_count;
    }
    if (of_current[i].empty()) l.status = "new";
    else if (of_current[i].size() > 1) l.status = "merged";
    else if (of_previous[of_current[i].front()].size() > 1) l.status = "split";
    else l.status = "continuing";
  }
  // Ids: each previous id goes to the most similar of its successors (pairs in order of
  // similarity, ties by position, so the result is deterministic).
  std::vector<std::tuple<double, std::size_t, std::size_t>> pairs;
  for (std::size_t i = 0; i < c; ++i)
    for (auto j : of_current[i]) pairs.emplace_back(-sim[i][j], i, j);
  std::sort(pairs.begin(), pairs.end());
  std::vector<char> current_done(c, 0), previous_done(p, 0);
  for (auto& [negative, i, j] : pairs) {
    if (current_done[i] || previous_done[j]) continue;
    current_done[i] = previous_done[j] = 1;
    out.links[i].id = previous[j].id;
  }
  // A theme that got no previous id keeps its own, unless that id is taken by a kept one.
  std::set<std::string> taken;
  for (std::size_t i = 0; i < c; ++i)
    if (current_done[i]) taken.insert(out.links[i].id);
  for (std::size_t i = 0; i < c; ++i) {
    if (current_done[i]) continue;
    std::string id = out.links[i].id;
    for (int n = 2; taken.count(id); ++n) id = fmt::format("{}-{}", out.links[i].id, n);
    out.links[i].id = id;
    taken.insert(id);
  }
  for (std::size_t j = 0; j < p; ++j)
    if (of_previous[j].empty()) out.vanished.push_back(previous[j]);
  return out;
}

std::vector<theme_trace> read_previous_line(const std::string& path) {
  byte_input bytes(path);
  text_input in(bytes, "", [](const std::string& m) { diag::warning(m); });
  // simdjson, not record_reader: a previous line holds every idea (a million records to
  // skip) and a theme's "units" may hold a hundred thousand keys, which nlohmann's ordered
  // objects insert in linear time each.
  line_reader lines(in);
  simdjson::dom::parser parser;
  std::string padded;
  std::vector<theme_trace> out;
  const std::string file = bytes.name();
  const char* hint = "; --previous takes a line written by ml-concentrate";
  std::string_view line;
  while (lines.next(line)) {
    if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    const long long lineno = lines.line_number();
    if (json_too_deep(line)) throw data_error(file, lineno, json_depth_message());
    padded.assign(line);
    padded.reserve(line.size() + simdjson::SIMDJSON_PADDING);
    simdjson::dom::element doc;
    auto err = parser.parse(padded.data(), padded.size(), false).get(doc);
    if (err) bad_json_line(file, lineno, line, simdjson::error_message(err), hint);
    simdjson::dom::object rec;
    if (doc.get_object().get(rec)) bad_json_line(file, lineno, line, "not an object", hint);
    std::string_view type;
    if (rec["type"].get_string().get(type) || type != "theme") continue;
    theme_trace t;
    auto malformed = [&]() -> error {
      return data_error(file, lineno,
                        std::string("theme record without a string \"id\" or with malformed "
                                    "\"ideas\", \"signature\" or \"support\"") + hint);
    };
    std::string_view s;
    if (rec["id"].get_string().get(s)) throw malformed();
    t.id = s;
    if (!rec["label"].get_string().get(s)) t.label = s;
    simdjson::dom::array arr;
    if (auto ideas = rec["ideas"]; ideas.error() != simdjson::NO_SUCH_FIELD) {
      if (ideas.get_array().get(arr)) throw malformed();
      for (auto i : arr) {
        if (i.get_string().get(s)) throw malformed();
        t.ideas.emplace_back(s);
      }
    }
    if (auto sig = rec["signature"]; sig.error() != simdjson::NO_SUCH_FIELD) {
      if (sig.get_array().get(arr)) throw malformed();
      for (auto pair : arr) {
        simdjson::dom::array kv;
        double weight;
        if (pair.get_array().get(kv) || kv.size() < 2 || kv.at(0).get_string().get(s) ||
            kv.at(1).get_double().get(weight))
          throw malformed();
        t.signature[std::string(s)] = weight;
      }
    }
    simdjson::dom::object support;
    if (!rec["support"].get_object().get(support)) {
      std::int64_t n;
      if (auto r = support["respondents"]; r.error() != simdjson::NO_SUCH_FIELD) {
        if (r.get_int64().get(n)) throw malformed();
        t.respondents = n;
      }
      if (auto r = support["ideas"]; r.error() != simdjson::NO_SUCH_FIELD) {
        if (r.get_int64().get(n)) throw malformed();
        t.idea_count = n;
      }
    }
    std::sort(t.ideas.begin(), t.ideas.end());
    if (t.idea_count == 0) t.idea_count = static_cast<long long>(t.ideas.size());
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace ml
