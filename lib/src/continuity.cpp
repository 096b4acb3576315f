// SPDX-License-Identifier: Apache-2.0
#include "ml/continuity.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
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
  record_reader reader(in);
  record rec;
  std::vector<theme_trace> out;
  const std::string file = bytes.name();
  const char* hint = "; --previous takes a line written by ml-concentrate";
  while (reader.next(rec)) {
    if (rec.type() != "theme") continue;
    const auto& v = rec.value;
    theme_trace t;
    try {
      t.id = v.at("id").get<std::string>();
      if (v.contains("label") && v["label"].is_string()) t.label = v["label"].get<std::string>();
      if (v.contains("ideas"))
        for (auto& i : v["ideas"]) t.ideas.push_back(i.get<std::string>());
      if (v.contains("signature"))
        for (auto& pair : v["signature"])
          t.signature[pair.at(0).get<std::string>()] = pair.at(1).get<double>();
      if (v.contains("support")) {
        const auto& s = v["support"];
        if (s.contains("respondents")) t.respondents = s["respondents"].get<long long>();
        if (s.contains("ideas")) t.idea_count = s["ideas"].get<long long>();
      }
    } catch (const nlohmann::json::exception&) {
      throw data_error(file, rec.line,
                       std::string("theme record without a string \"id\" or with malformed "
                                   "\"ideas\", \"signature\" or \"support\"") + hint);
    }
    std::sort(t.ideas.begin(), t.ideas.end());
    if (t.idea_count == 0) t.idea_count = static_cast<long long>(t.ideas.size());
    out.push_back(std::move(t));
  }
  return out;
}

}  // namespace ml
