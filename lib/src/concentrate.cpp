// SPDX-License-Identifier: Apache-2.0
// ml-concentrate: ideas -> terms -> TF-IDF -> LSA -> themes -> the ranked line.
#include "ml/concentrate.hpp"

#include <fmt/format.h>
#include <xxhash.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cstdlib>
#include <cmath>
#include <numeric>
#include <set>
#include <unordered_map>

#include "concentrate_detail.hpp"
#include "ml/analyze.hpp"
#include "ml/cluster.hpp"
#include "ml/codebook.hpp"
#include "ml/continuity.hpp"
#include "ml/diag.hpp"
#include "ml/error.hpp"
#include "ml/json_writer.hpp"
#include "ml/lsa.hpp"
#include "ml/output.hpp"
#include "ml/parallel.hpp"
#include "ml/records.hpp"
#include "ml/text.hpp"

namespace ml {
namespace detail {
namespace {

constexpr std::size_t tokenize_block = 16384;

// ---------------------------------------------------------------------------------------
// Terms

/// Every idea's terms as ids into one vocabulary, in first-seen order.
struct term_table {
  std::vector<std::string> terms;          ///< id -> term (stem, or "stem stem" bigram)
  std::vector<std::uint32_t> idea_ptr{0};  ///< idea i's terms: [idea_ptr[i], idea_ptr[i+1])
  std::vector<std::uint32_t> idea_terms;   ///< sorted ids, repeated for repeated terms
  std::map<std::string, long long> languages;
};

term_table tokenize(const corpus& c, const analyzer_options& ao, unsigned threads) {
  const std::size_t n = c.ideas.size();
  const std::size_t blocks = (n + tokenize_block - 1) / tokenize_block;
  struct block_out {
    std::vector<std::string> local_terms;
    std::vector<std::uint32_t> ptr{0}, ids;
    std::map<std::string, long long> languages;
  };
  std::vector<block_out> out(blocks);
  parallel_blocks(n, tokenize_block, threads, [&](std::size_t b, std::size_t e) {
    analyzer an(ao);
    block_out& o = out[b / tokenize_block];
    string_map<std::uint32_t> local;
    std::vector<std::string> terms;
    for (std::size_t i = b; i < e; ++i) {
      terms.clear();
      std::string lang = an.analyze(c.ideas[i].text, terms);
      ++o.languages[lang];
      for (auto& t : terms) {
        auto it = local.find(t);
        if (it == local.end()) {
          it = local.emplace(t, static_cast<std::uint32_t>(o.local_terms.size())).first;
          o.local_terms.push_back(t);
        }
        o.ids.push_back(it->second);
      }
      o.ptr.push_back(static_cast<std::uint32_t>(o.ids.size()));
    }
  });
  // Merge in block order: ids come out in first-seen order whatever the thread count.
  term_table t;
  string_map<std::uint32_t> global;
  std::vector<std::uint32_t> row;
  for (auto& o : out) {
    std::vector<std::uint32_t> map(o.local_terms.size());
    for (std::size_t l = 0; l < o.local_terms.size(); ++l) {
      auto it = global.find(o.local_terms[l]);
      if (it == global.end()) {
        it = global.emplace(o.local_terms[l], static_cast<std::uint32_t>(t.terms.size())).first;
        t.terms.push_back(o.local_terms[l]);
      }
      map[l] = it->second;
    }
    for (std::size_t i = 0; i + 1 < o.ptr.size(); ++i) {
      row.clear();
      for (std::uint32_t k = o.ptr[i]; k < o.ptr[i + 1]; ++k) row.push_back(map[o.ids[k]]);
      std::sort(row.begin(), row.end());
      t.idea_terms.insert(t.idea_terms.end(), row.begin(), row.end());
      t.idea_ptr.push_back(static_cast<std::uint32_t>(t.idea_terms.size()));
    }
    for (auto& [l, count] : o.languages) t.languages[l] += count;
    o = block_out{};
  }
  return t;
}

// ---------------------------------------------------------------------------------------
// Codebook

/// For every idea, the codebook theme it belongs to, or -1. A keyword matches an idea when
/// all of its terms (its stems and, for a phrase, its adjacent pairs) are among the idea's
/// terms; keywords are analysed in every language found in the ideas, so a Spanish idea
/// can match an English keyword's Spanish stem only if written so, but an English idea
/// always matches an English keyword. Most keywords matched wins; ties go to the earlier
/// theme; an exclusion that matches rules its theme out.
std::vector<int> match_codebook(const std::vector<codebook_theme>& book, const term_table& t,
                                const analyzer_options& base) {
  std::unordered_map<std::string, std::uint32_t> id_of;
  for (std::uint32_t i = 0; i < t.terms.size(); ++i) id_of.emplace(t.terms[i], i);
  std::vector<std::string> langs;
  for (auto& [l, count] : t.languages) langs.push_back(l);
  if (!base.lang.empty()) langs = {base.lang};
  // Each phrase becomes alternatives, one per language: sorted term-id lists.
  using alternatives = std::vector<std::vector<std::uint32_t>>;
  auto compile = [&](const std::string& phrase) {
    alternatives alts;
    std::set<std::vector<std::uint32_t>> seen;
    for (auto& l : langs) {
      analyzer_options ao = base;
      ao.lang = l;
      analyzer an(ao);
      std::vector<std::string> words;
      an.analyze(phrase, words);
      if (words.empty()) continue;
      std::vector<std::uint32_t> ids;
      bool known = true;
      for (auto& w : words) {
        auto it = id_of.find(w);
        if (it == id_of.end()) {
          known = false;
          break;
        }
        ids.push_back(it->second);
      }
      if (!known) continue;
      std::sort(ids.begin(), ids.end());
      ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
      if (seen.insert(ids).second) alts.push_back(std::move(ids));
    }
    return alts;
  };
  std::vector<std::vector<alternatives>> keys(book.size()), excl(book.size());
  for (std::size_t b = 0; b < book.size(); ++b) {
    for (auto& k : book[b].keywords) keys[b].push_back(compile(k));
    for (auto& e : book[b].exclusions) excl[b].push_back(compile(e));
  }
  const std::size_t n = t.idea_ptr.size() - 1;
  std::vector<int> out(n, -1);
  auto matches = [&](std::size_t i, const alternatives& alts) {
    auto b = t.idea_terms.begin() + t.idea_ptr[i], e = t.idea_terms.begin() + t.idea_ptr[i + 1];
    for (auto& ids : alts) {
      bool all = true;
      for (auto id : ids)
        if (!std::binary_search(b, e, id)) {
          all = false;
          break;
        }
      if (all) return true;
    }
    return false;
  };
  for (std::size_t i = 0; i < n; ++i) {
    if (t.idea_ptr[i] == t.idea_ptr[i + 1]) continue;
    int best = -1, best_hits = 0;
    for (std::size_t b = 0; b < book.size(); ++b) {
      int hits = 0;
      for (auto& k : keys[b]) hits += matches(i, k);
      if (hits == 0 || hits <= best_hits) continue;
      bool excluded = false;
      for (auto& e : excl[b]) excluded = excluded || matches(i, e);
      if (excluded) continue;
      best = static_cast<int>(b);
      best_hits = hits;
    }
    out[i] = best;
  }
  return out;
}

// ---------------------------------------------------------------------------------------
// Themes

struct theme {
  std::string id;
  std::string source = "cluster";   // or "codebook"
  std::string name;                 // codebook name
  std::vector<int> members;         // idea indices, input order
  Eigen::VectorXf centroid;
  std::vector<std::pair<std::uint32_t, double>> signature;  // term id, weight
  std::vector<std::string> keywords;
  std::vector<std::uint32_t> keyword_terms;  // term ids of the keywords
  std::string label, phrase;
  std::vector<int> quotes;
  long long respondents = 0, units = 0;
  std::vector<std::pair<int, long long>> per_unit;  // unit, respondents
  double score = 0;
  int rank = 0;
  std::string tier;
  // stance
  long long rated = 0, advanced = 0, intermediate = 0, backward = 0;
  double consensus = 0;
  std::string agreement;
  // cycle
  std::string status = "new";
  std::vector<std::string> previous_ids;
  long long previous_respondents = -1, previous_ideas = -1;
};

// 0 backward (bottom third of the scale), 1 intermediate, 2 advanced (top third).
int stance_part(float v, float lo, float hi) {
  if (hi <= lo) return 1;
  double p = (static_cast<double>(v) - lo) / (static_cast<double>(hi) - lo);
  if (p < 1.0 / 3.0 - 1e-9) return 0;
  if (p > 2.0 / 3.0 + 1e-9) return 2;
  return 1;
}

std::string hex_id(const std::string& prefix, std::string_view data, int digits) {
  XXH64_hash_t h = XXH3_64bits(data.data(), data.size());
  return prefix + fmt::format("{:016x}", h).substr(0, static_cast<std::size_t>(digits));
}

}  // namespace
}  // namespace detail

using namespace detail;

int run_concentrate(const concentrate_options& o, concentrate_tally* tally_out) {
  if (o.themes < 0) throw usage_error("--themes must be 1 or more");
  if (o.dims < 2) throw usage_error("--dims must be 2 or more");
  const unsigned threads = thread_count(o.threads);
  std::vector<std::string> inputs = o.inputs.empty() ? std::vector<std::string>{"-"} : o.inputs;
  check_inputs_and_outputs(inputs, {o.output});

  analyzer_options ao;
  ao.lang = o.lang == "auto" ? "" : o.lang;
  if (!o.stopwords_file.empty()) ao.extra_stopwords = analyzer::read_stopword_file(o.stopwords_file);

  // ML_PROFILE=1 prints the time of each stage on stderr (for bench/, not a user feature).
  const bool profile = std::getenv("ML_PROFILE") != nullptr;
  auto stage_start = std::chrono::steady_clock::now();
  auto stage = [&](const char* name) {
    if (!profile) return;
    auto now = std::chrono::steady_clock::now();
    diag::warning(fmt::format("profile: {:<10} {:8.3f} s", name,
                              std::chrono::duration<double>(now - stage_start).count()));
    stage_start = now;
  };
  // The output is opened first, so a folder that does not exist is reported at once.
  output out(o.output);
  corpus c = read_corpus(inputs, o.stance, o.encoding);
  stage("read");
  concentrate_tally tally;
  tally.records = c.records;
  tally.ideas = static_cast<long long>(c.ideas.size());
  tally.passed_through = static_cast<long long>(c.passthrough.size());
  tally.dropped = c.dropped;
  if (c.ideas.empty())
    diag::warning("the input holds no idea records; the line is empty (is it ml-gather's output?)");
  if (!o.stance.empty() && !c.any_stance) {
    std::string seen;
    for (auto& r : c.rating_names) seen += (seen.empty() ? "" : ", ") + r;
    diag::warning(fmt::format("no idea has a rating named '{}'; {}", o.stance,
                              seen.empty() ? std::string("the ideas carry no ratings")
                                           : "ratings seen: " + seen));
  }

  // Texts too short to tell their language fall back to the most common language of the
  // input, judged on a sample of ideas spread over it.
  if (ao.lang.empty() && !c.ideas.empty()) {
    analyzer probe(ao);
    std::map<std::string, long long> votes;
    const std::size_t step = std::max<std::size_t>(1, c.ideas.size() / 2000);
    for (std::size_t i = 0; i < c.ideas.size(); i += step) {
      std::string l = probe.detect_language(c.ideas[i].text);
      if (l != "und") ++votes[l];
    }
    long long best = 0;
    for (auto& [l, count] : votes)
      if (count > best) best = count, ao.fallback_lang = l;
  }
  term_table terms = tokenize(c, ao, threads);
  const std::size_t n = c.ideas.size();
  stage("tokenize");

  // The codebook's themes take their ideas first.
  std::vector<codebook_theme> book;
  std::vector<int> book_of(n, -1);
  if (!o.codebook.empty()) {
    book = read_codebook(o.codebook);
    book_of = match_codebook(book, terms, ao);
  }

  // Distinct documents: ideas with the same terms are one point for the clustering (a
  // complaint pasted by many counts fully in support, once in the geometry).
  std::vector<int> doc_first;  // doc -> first idea
  {
    std::unordered_map<std::uint64_t, std::vector<int>> by_hash;
    for (std::size_t i = 0; i < n; ++i) {
      const std::uint32_t b = terms.idea_ptr[i], e = terms.idea_ptr[i + 1];
      if (b == e) {
        c.ideas[i].reason = "no-words";
        continue;
      }
      std::uint64_t h = XXH3_64bits(terms.idea_terms.data() + b, (e - b) * sizeof(std::uint32_t));
      auto& bucket = by_hash[h];
      int found = -1;
      for (int d : bucket) {
        const int f = doc_first[static_cast<std::size_t>(d)];
        const std::uint32_t fb = terms.idea_ptr[static_cast<std::size_t>(f)],
                            fe = terms.idea_ptr[static_cast<std::size_t>(f) + 1];
        if (fe - fb == e - b && std::equal(terms.idea_terms.begin() + fb, terms.idea_terms.begin() + fe,
                                           terms.idea_terms.begin() + b)) {
          found = d;
          break;
        }
      }
      if (found < 0) {
        found = static_cast<int>(doc_first.size());
        doc_first.push_back(static_cast<int>(i));
        bucket.push_back(found);
      }
      c.ideas[i].doc = found;
    }
  }
  const std::size_t docs = doc_first.size();

  sparse_rows counts;
  counts.cols = terms.terms.size();
  for (std::size_t d = 0; d < docs; ++d) {
    const auto i = static_cast<std::size_t>(doc_first[d]);
    for (std::uint32_t k = terms.idea_ptr[i]; k < terms.idea_ptr[i + 1];) {
      std::uint32_t t = terms.idea_terms[k], run = 0;
      while (k < terms.idea_ptr[i + 1] && terms.idea_terms[k] == t) ++k, ++run;
      counts.idx.push_back(t);
      counts.val.push_back(static_cast<float>(run));
    }
    counts.ptr.push_back(counts.idx.size());
  }
  tfidf_options to;
  to.min_df = docs >= 50 ? 2 : 1;
  tfidf_result weighted = tfidf(counts, to);
  stage("tfidf");

  svd_options so;
  so.dims = o.dims;
  so.seed = o.seed;
  so.threads = threads;
  svd_result svd = truncated_svd(weighted.matrix, so);
  normalize_rows(svd.embedding);
  dense_rows& x = svd.embedding;
  stage("svd");

  // A theme needs at least two ideas (or one in 500 documents, for large inputs), unless
  // the user asked for a number of themes: then every theme the number gives is kept.
  std::size_t min_size = o.min_size > 0 ? static_cast<std::size_t>(o.min_size)
                         : o.themes > 0 ? 1
                                        : std::max<std::size_t>(2, docs / 500);
  if (o.themes > 0 && static_cast<std::size_t>(o.themes) > docs && docs > 0)
    diag::warning(fmt::format("--themes {} is more than the {} distinct texts; making {}",
                              o.themes, docs, docs));
  theme_search_options ts;
  ts.k = o.themes;
  ts.min_size = min_size;
  ts.seed = o.seed;
  ts.threads = threads;
  // Only documents the codebook did not take are clustered (a document's ideas share their
  // terms, so the codebook takes all of them or none).
  std::vector<char> doc_in_book(docs, 0);
  for (std::size_t i = 0; i < n; ++i)
    if (book_of[i] >= 0 && c.ideas[i].doc >= 0) doc_in_book[static_cast<std::size_t>(c.ideas[i].doc)] = 1;
  std::vector<int> cluster_row(docs, -1);
  std::vector<Eigen::Index> rows;
  for (std::size_t d = 0; d < docs; ++d)
    if (!doc_in_book[d]) {
      cluster_row[d] = static_cast<int>(rows.size());
      rows.push_back(static_cast<Eigen::Index>(d));
    }
  theme_search_result found;
  if (rows.size() == docs) {
    found = find_themes(x, ts);
  } else {
    dense_rows sub(static_cast<Eigen::Index>(rows.size()), x.cols());
    for (std::size_t r = 0; r < rows.size(); ++r) sub.row(static_cast<Eigen::Index>(r)) = x.row(rows[r]);
    found = find_themes(sub, ts);
  }

  stage("cluster");
  std::vector<theme> themes(book.size() + static_cast<std::size_t>(found.centroids.rows()));
  for (std::size_t b = 0; b < book.size(); ++b) {
    themes[b].source = "codebook";
    themes[b].name = book[b].name;
    themes[b].id = hex_id("t-", "codebook\x1f" + book[b].name, 12);
  }
  for (std::size_t i = 0; i < n; ++i) {
    idea_rec& idea = c.ideas[i];
    if (book_of[i] >= 0) {
      themes[static_cast<std::size_t>(book_of[i])].members.push_back(static_cast<int>(i));
      ++tally.codebook;
      continue;
    }
    if (idea.doc < 0) continue;
    if (x.row(idea.doc).squaredNorm() == 0) {
      idea.reason = "no-shared-words";
      continue;
    }
    int label = found.labels[static_cast<std::size_t>(cluster_row[static_cast<std::size_t>(idea.doc)])];
    if (label >= 0) label += static_cast<int>(book.size());
    if (label < 0) {
      idea.reason = "outlier";
      continue;
    }
    themes[static_cast<std::size_t>(label)].members.push_back(static_cast<int>(i));
  }
  // Themes below the smallest size are dissolved: their ideas stay unassigned. Codebook
  // themes stay whatever their size; one that matched nothing is named in the summary.
  std::vector<std::string> unmatched_codes;
  {
    std::vector<theme> kept;
    for (auto& t : themes) {
      if (t.source == "codebook") {
        if (t.members.empty()) unmatched_codes.push_back(t.name);
        else kept.push_back(std::move(t));
        continue;
      }
      if (t.members.size() < min_size) {
        for (int i : t.members) c.ideas[static_cast<std::size_t>(i)].reason = "small-theme";
        continue;
      }
      kept.push_back(std::move(t));
    }
    themes = std::move(kept);
  }

  // Centroids from the members (distinct documents once each).
  const Eigen::Index dims = x.cols();
  // Each theme's distinct documents, in order of first member.
  std::vector<std::vector<int>> theme_docs(themes.size());
  {
    std::vector<int> seen_in(docs, -1);
    for (std::size_t ti = 0; ti < themes.size(); ++ti)
      for (int i : themes[ti].members) {
        int d = c.ideas[static_cast<std::size_t>(i)].doc;
        if (d < 0 || seen_in[static_cast<std::size_t>(d)] == static_cast<int>(ti)) continue;
        seen_in[static_cast<std::size_t>(d)] = static_cast<int>(ti);
        theme_docs[ti].push_back(d);
      }
  }
  for (std::size_t ti = 0; ti < themes.size(); ++ti) {
    auto& t = themes[ti];
    t.centroid = Eigen::VectorXf::Zero(dims);
    for (int d : theme_docs[ti]) t.centroid += x.row(d).transpose();
    float norm = t.centroid.norm();
    if (norm > 0) t.centroid /= norm;
  }

  stage("members");
  // Labels: class-based TF-IDF (as BERTopic's c-TF-IDF) over the distinct documents of each
  // theme: weight = tf(t,w)/|t| * ln(1 + A / f(w)), A the mean term count per theme.
  {
    std::vector<std::unordered_map<std::uint32_t, double>> tf(themes.size());
    std::vector<double> total(terms.terms.size(), 0.0);
    std::vector<double> size(themes.size(), 0.0);
    for (std::size_t ti = 0; ti < themes.size(); ++ti) {
      for (int d : theme_docs[ti]) {
        // counts holds each term of a document once (with its count).
        for (auto k = counts.ptr[static_cast<std::size_t>(d)]; k < counts.ptr[static_cast<std::size_t>(d) + 1]; ++k) {
          std::uint32_t w = counts.idx[k];
          tf[ti][w] += 1.0;
          total[w] += 1.0;
          size[ti] += 1.0;
        }
      }
    }
    double mean_size = 0;
    for (double s : size) mean_size += s;
    mean_size = themes.empty() ? 1.0 : mean_size / static_cast<double>(themes.size());
    for (std::size_t ti = 0; ti < themes.size(); ++ti) {
      auto& t = themes[ti];
      std::vector<std::pair<double, std::uint32_t>> scored;
      for (auto& [w, f] : tf[ti]) {
        if (f < 2 && tf[ti].size() > 3 && t.members.size() > 3) continue;
        double wgt = (f / std::max(size[ti], 1.0)) * std::log(1.0 + mean_size / total[w]);
        scored.emplace_back(wgt, w);
      }
      std::sort(scored.begin(), scored.end(), [&](const auto& a, const auto& b) {
        if (a.first != b.first) return a.first > b.first;
        return terms.terms[a.second] < terms.terms[b.second];
      });
      for (std::size_t k = 0; k < scored.size() && k < 20; ++k)
        t.signature.emplace_back(scored[k].second, scored[k].first);
    }
  }

  // Keywords in their most common surface form.
  {
    analyzer an(ao);
    std::vector<analyzed_term> found_terms;
    for (auto& t : themes) {
      std::vector<std::uint32_t> chosen;
      auto parts = [&](std::uint32_t w) {
        const std::string& s = terms.terms[w];
        std::vector<std::string> p;
        std::size_t sp = s.find(' ');
        if (sp == std::string::npos) {
          p.push_back(s);
        } else {
          p.push_back(s.substr(0, sp));
          p.push_back(s.substr(sp + 1));
        }
        return p;
      };
      const double top = t.signature.empty() ? 0 : t.signature.front().second;
      for (auto& [w, wgt] : t.signature) {
        if (chosen.size() >= 5) break;
        if (chosen.size() >= 2 && wgt < 0.25 * top) break;
        auto p = parts(w);
        if (p.size() == 1) {
          // A word already inside a chosen phrase adds nothing.
          bool inside = std::any_of(chosen.begin(), chosen.end(), [&](std::uint32_t cw) {
            auto cp = parts(cw);
            return cp.size() == 2 && (cp[0] == p[0] || cp[1] == p[0]);
          });
          if (!inside) chosen.push_back(w);
        } else {
          // A phrase says more than its words: it takes their place.
          chosen.erase(std::remove_if(chosen.begin(), chosen.end(),
                                      [&](std::uint32_t cw) {
                                        auto cp = parts(cw);
                                        return cp.size() == 1 && (cp[0] == p[0] || cp[0] == p[1]);
                                      }),
                       chosen.end());
          chosen.push_back(w);
        }
      }
      std::unordered_map<std::string, std::map<std::string, long long>> surfaces;
      std::set<std::string> wanted;
      for (auto w : chosen) wanted.insert(terms.terms[w]);
      std::size_t looked = 0;
      for (int i : t.members) {
        if (++looked > 2000) break;
        found_terms.clear();
        an.analyze(c.ideas[static_cast<std::size_t>(i)].text, found_terms);
        for (auto& ft : found_terms)
          if (wanted.count(ft.term)) ++surfaces[ft.term][ft.surface];
      }
      t.keyword_terms = chosen;
      for (auto w : chosen) {
        const std::string& term = terms.terms[w];
        std::string best = term;
        long long best_count = -1;
        for (auto& [s, count] : surfaces[term])
          if (count > best_count) best = s, best_count = count;
        t.keywords.push_back(best);
      }
      t.label.clear();
      for (std::size_t k = 0; k < t.keywords.size(); ++k)
        t.label += (k ? " / " : "") + t.keywords[k];
      if (t.source == "codebook") t.label = t.name;
    }
  }

  stage("labels");
  // Quotes: the ideas nearest the centre, from different units and respondents where
  // possible, never the same text twice.
  auto similarity = [&](const theme& t, int i) -> float {
    int d = c.ideas[static_cast<std::size_t>(i)].doc;
    if (d < 0 || t.centroid.size() == 0) return -2.0f;
    return x.row(d).dot(t.centroid);
  };
  for (auto& t : themes) {
    std::vector<std::pair<float, int>> near;
    for (int i : t.members) near.emplace_back(similarity(t, i), i);
    std::stable_sort(near.begin(), near.end(),
                     [](const auto& a, const auto& b) { return a.first > b.first; });
    std::set<int> units, people;
    std::set<std::string> texts;
    for (int pass = 0; pass < 3 && t.quotes.size() < 5; ++pass) {
      for (auto& [s, i] : near) {
        if (t.quotes.size() >= 5) break;
        const idea_rec& idea = c.ideas[static_cast<std::size_t>(i)];
        if (pass == 0 && (units.count(idea.unit) || people.count(idea.respondent))) continue;
        if (pass == 1 && people.count(idea.respondent)) continue;
        std::string folded = ascii_lower(tidy_whitespace(idea.text));
        if (texts.count(folded)) continue;
        t.quotes.push_back(i);
        texts.insert(folded);
        units.insert(idea.unit);
        people.insert(idea.respondent);
      }
    }
    // The phrase: the shortest of the ten ideas nearest the centre that use one of the
    // theme's keywords (so an off-topic answer in a small theme is never its phrase),
    // shortened to a line.
    if (!near.empty()) {
      auto uses_keyword = [&](int i) {
        int d = c.ideas[static_cast<std::size_t>(i)].doc;
        if (d < 0) return false;
        auto b = counts.idx.begin() + static_cast<std::ptrdiff_t>(counts.ptr[static_cast<std::size_t>(d)]);
        auto e = counts.idx.begin() + static_cast<std::ptrdiff_t>(counts.ptr[static_cast<std::size_t>(d) + 1]);
        for (auto w : t.keyword_terms)
          if (std::find(b, e, w) != e) return true;
        return false;
      };
      int pick = near.front().second;
      std::size_t shortest = SIZE_MAX, looked = 0;
      for (std::size_t k = 0; k < near.size() && looked < 10; ++k) {
        if (!t.keyword_terms.empty() && !uses_keyword(near[k].second)) continue;
        ++looked;
        std::size_t len = c.ideas[static_cast<std::size_t>(near[k].second)].text.size();
        if (len >= 12 && len < shortest) shortest = len, pick = near[k].second;
      }
      t.phrase = clip_text(c.ideas[static_cast<std::size_t>(pick)].text, 100);
    }
  }

  // Support and the breadth score.
  std::size_t total_respondents = c.respondents.size();
  std::size_t total_units = c.units.size();
  for (auto& t : themes) {
    std::vector<std::pair<int, int>> pairs;  // (unit, respondent), distinct
    pairs.reserve(t.members.size());
    std::vector<int> people;
    people.reserve(t.members.size());
    for (int i : t.members) {
      const idea_rec& idea = c.ideas[static_cast<std::size_t>(i)];
      pairs.emplace_back(idea.unit, idea.respondent);
      people.push_back(idea.respondent);
    }
    std::sort(pairs.begin(), pairs.end());
    pairs.erase(std::unique(pairs.begin(), pairs.end()), pairs.end());
    std::sort(people.begin(), people.end());
    t.respondents = std::unique(people.begin(), people.end()) - people.begin();
    t.score = 0;
    for (std::size_t a = 0; a < pairs.size();) {
      std::size_t b = a;
      while (b < pairs.size() && pairs[b].first == pairs[a].first) ++b;
      const auto in_unit = static_cast<long long>(b - a);
      t.score += std::sqrt(static_cast<double>(in_unit));
      if (pairs[a].first >= 0) {
        ++t.units;
        t.per_unit.emplace_back(pairs[a].first, in_unit);
      }
      a = b;
    }
    std::sort(t.per_unit.begin(), t.per_unit.end(), [&](const auto& a, const auto& b) {
      if (a.second != b.second) return a.second > b.second;
      return c.units.name(a.first) < c.units.name(b.first);
    });
  }

  // Stance: where each theme's people stand on the rating's scale (top, middle and bottom
  // third: advanced, intermediate, backward), and whether units agree about it.
  float scale_lo = 0, scale_hi = 0;
  if (c.any_stance) {
    scale_lo = std::numeric_limits<float>::max();
    scale_hi = std::numeric_limits<float>::lowest();
    for (auto& idea : c.ideas)
      if (!std::isnan(idea.stance)) {
        scale_lo = std::min(scale_lo, idea.stance);
        scale_hi = std::max(scale_hi, idea.stance);
      }
    for (auto& t : themes) {
      std::map<int, std::array<long long, 3>> per_unit;  // backward, intermediate, advanced
      for (int i : t.members) {
        const idea_rec& idea = c.ideas[static_cast<std::size_t>(i)];
        if (std::isnan(idea.stance)) continue;
        int part = stance_part(idea.stance, scale_lo, scale_hi);
        ++per_unit[idea.unit][static_cast<std::size_t>(part)];
        ++t.rated;
        (part == 2 ? t.advanced : part == 1 ? t.intermediate : t.backward) += 1;
      }
      // Group-informed consensus (Pol.is): the product over units of (agree + 1) / (n + 2).
      t.consensus = 1.0;
      bool some_for = false, some_against = false, all_for = !per_unit.empty(),
           all_against = !per_unit.empty();
      for (auto& [u, parts] : per_unit) {
        double rated = static_cast<double>(parts[0] + parts[1] + parts[2]);
        double agree = (static_cast<double>(parts[2]) + 1) / (rated + 2);
        double disagree = (static_cast<double>(parts[0]) + 1) / (rated + 2);
        t.consensus *= agree;
        some_for = some_for || agree > 0.5;
        some_against = some_against || disagree > 0.5;
        all_for = all_for && agree > 0.5;
        all_against = all_against && disagree > 0.5;
      }
      if (per_unit.empty()) t.consensus = 0;
      t.agreement = per_unit.empty() ? "unrated"
                    : (all_for || all_against) ? "consensual"
                    : (some_for && some_against) ? "divisive"
                                                 : "mixed";
    }
  }

  // Ids: a hash of the member ids, so the same theme gets the same id on the same input.
  for (auto& t : themes) {
    if (!t.id.empty()) continue;
    std::vector<std::string_view> ids;
    for (int i : t.members) ids.push_back(c.ideas[static_cast<std::size_t>(i)].id);
    std::sort(ids.begin(), ids.end());
    std::string joined;
    for (auto s : ids) joined.append(s).push_back('\x1f');
    t.id = hex_id("t-", joined, 12);
  }

  // The spiral: keep the previous cycle's ids where themes continue.
  std::vector<theme_trace> vanished;
  if (!o.previous.empty()) {
    std::vector<theme_trace> before = read_previous_line(o.previous), now;
    for (auto& t : themes) {
      theme_trace tr;
      tr.id = t.id;
      for (int i : t.members) tr.ideas.push_back(c.ideas[static_cast<std::size_t>(i)].id);
      std::sort(tr.ideas.begin(), tr.ideas.end());
      for (auto& [term, wgt] : t.signature) tr.signature[terms.terms[term]] = wgt;
      tr.respondents = t.respondents;
      tr.idea_count = static_cast<long long>(t.members.size());
      now.push_back(std::move(tr));
    }
    continuity links = match_previous(before, now);
    for (std::size_t k = 0; k < themes.size(); ++k) {
      auto& l = links.links[k];
      themes[k].id = l.id;
      themes[k].status = l.status;
      themes[k].previous_ids = l.previous;
      if (!l.previous.empty()) {
        themes[k].previous_respondents = l.respondents_before;
        themes[k].previous_ideas = l.ideas_before;
      }
    }
    vanished = std::move(links.vanished);
  }

  std::sort(themes.begin(), themes.end(), [](const theme& a, const theme& b) {
    if (a.score != b.score) return a.score > b.score;
    if (a.respondents != b.respondents) return a.respondents > b.respondents;
    if (a.members.size() != b.members.size()) return a.members.size() > b.members.size();
    return a.id < b.id;
  });
  for (std::size_t r = 0; r < themes.size(); ++r) {
    auto& t = themes[r];
    t.rank = static_cast<int>(r) + 1;
    if (r == 0) t.tier = "central";
    else if (r <= static_cast<std::size_t>(o.secondary)) t.tier = "secondary";
    else if (r <= static_cast<std::size_t>(o.secondary + o.tertiary)) t.tier = "tertiary";
    else t.tier = "other";
    for (int i : t.members) c.ideas[static_cast<std::size_t>(i)].theme = static_cast<int>(r);
  }

  // Tally, and the check that every idea is in exactly one place.
  std::vector<int> unassigned;
  for (std::size_t i = 0; i < n; ++i) {
    if (c.ideas[i].theme >= 0) {
      ++tally.themed;
    } else {
      unassigned.push_back(static_cast<int>(i));
      ++tally.unassigned_reasons[std::string(c.ideas[i].reason.empty() ? "outlier" : c.ideas[i].reason)];
    }
  }
  tally.unassigned = static_cast<long long>(unassigned.size());
  tally.themes = static_cast<int>(themes.size());
  long long members = 0;
  for (auto& t : themes) members += static_cast<long long>(t.members.size());
  if (members != tally.themed || tally.themed + tally.unassigned != tally.ideas)
    throw error(exit_internal, fmt::format("the tally does not add up ({} ideas != {} in themes + "
                                           "{} unassigned); please report this",
                                           tally.ideas, members, tally.unassigned));

  stage("themes");
  // Output.
  json_writer w;
  w.begin_object().key("type").value("header").key("v").value(records_version);
  w.key("tool").value("ml-concentrate").key("version").value(ML_VERSION).end_object();
  out.line(w.str());

  w.clear();
  w.begin_object().key("type").value("summary");
  w.key("ideas").value(tally.ideas).key("respondents").value(total_respondents);
  w.key("units").value(total_units).key("themes").value(tally.themes);
  w.key("themed").value(tally.themed).key("unassigned").value(tally.unassigned);
  w.key("central");
  if (themes.empty()) w.null();
  else w.value(themes.front().id);
  w.key("languages").begin_object();
  for (auto& [l, count] : terms.languages) w.key(l).value(count);
  w.end_object();
  if (c.any_stance) {
    w.key("stance").begin_object().key("rating").value(o.stance);
    w.key("scale").begin_array().value(static_cast<double>(scale_lo)).value(static_cast<double>(scale_hi)).end_array();
    w.end_object();
  }
  if (!o.codebook.empty()) {
    w.key("codebook").begin_object().key("ideas").value(tally.codebook);
    w.key("unmatched").begin_array();
    for (auto& name : unmatched_codes) w.value(name);
    w.end_array().end_object();
  }
  if (!o.previous.empty()) {
    w.key("vanished").begin_array();
    for (auto& v : vanished) {
      w.begin_object().key("id").value(v.id).key("label").value(v.label);
      w.key("respondents").value(v.respondents).end_object();
    }
    w.end_array();
  }
  w.key("method").begin_object();
  w.key("documents").value(docs).key("terms").value(weighted.terms.size());
  w.key("dimensions").value(static_cast<long long>(x.cols()));
  w.key("k").value(found.method).key("min_size").value(min_size).key("seed").value(static_cast<long long>(o.seed));
  w.end_object();
  w.end_object();
  out.line(w.str());

  auto respondent_name = [&](int r) -> std::string_view {
    const std::string& s = c.respondents.name(r);
    return (!s.empty() && s[0] == '\x1f') ? std::string_view{} : std::string_view(s);
  };
  auto share = [](long long part, std::size_t whole) {
    return whole ? std::round(1e4 * static_cast<double>(part) / static_cast<double>(whole)) / 1e4 : 0.0;
  };
  for (auto& t : themes) {
    w.clear();
    w.begin_object().key("type").value("theme").key("id").value(t.id);
    w.key("rank").value(t.rank).key("tier").value(t.tier).key("label").value(t.label);
    w.key("keywords").begin_array();
    for (auto& k : t.keywords) w.value(k);
    w.end_array();
    w.key("phrase").value(t.phrase);
    w.key("score").value(std::round(t.score * 1000) / 1000);
    w.key("support").begin_object();
    w.key("respondents").value(t.respondents).key("ideas").value(t.members.size());
    w.key("units").value(t.units);
    w.key("respondent_share").value(share(t.respondents, total_respondents));
    w.key("unit_share").value(share(t.units, total_units));
    w.end_object();
    w.key("units").begin_object();
    for (auto& [u, count] : t.per_unit) w.key(c.units.name(u)).value(count);
    w.end_object();
    if (c.any_stance) {
      w.key("stance").begin_object();
      w.key("rated").value(t.rated).key("advanced").value(t.advanced);
      w.key("intermediate").value(t.intermediate).key("backward").value(t.backward);
      w.key("consensus").value(std::round(t.consensus * 1e6) / 1e6);
      w.key("agreement").value(t.agreement);
      w.end_object();
    }
    w.key("quotes").begin_array();
    for (int i : t.quotes) {
      const idea_rec& idea = c.ideas[static_cast<std::size_t>(i)];
      w.begin_object().key("idea").value(idea.id).key("text");
      if (idea.text.size() > quote_max_bytes)
        w.value(clip_text(idea.text, quote_max_bytes));
      else
        w.value(idea.text);
      w.key("unit").string_or_null(idea.unit >= 0 ? std::string_view(c.units.name(idea.unit)) : std::string_view{});
      w.key("respondent").string_or_null(respondent_name(idea.respondent));
      w.end_object();
    }
    w.end_array();
    w.key("source").value(t.source);
    w.key("cycle").begin_object().key("status").value(t.status);
    if (!t.previous_ids.empty()) {
      w.key("previous").begin_array();
      for (auto& p : t.previous_ids) w.value(p);
      w.end_array();
      w.key("change").begin_object();
      w.key("respondents").value(t.respondents - t.previous_respondents);
      w.key("ideas").value(static_cast<long long>(t.members.size()) - t.previous_ideas);
      w.end_object();
    }
    w.end_object();
    w.key("signature").begin_array();
    for (auto& [term, wgt] : t.signature)
      w.begin_array().value(terms.terms[term]).value(std::round(wgt * 1e6) / 1e6).end_array();
    w.end_array();
    w.key("ideas").begin_array();
    for (int i : t.members) w.value(c.ideas[static_cast<std::size_t>(i)].id);
    w.end_array();
    w.end_object();
    out.line(w.str());
  }

  w.clear();
  w.begin_object().key("type").value("unassigned").key("count").value(tally.unassigned);
  w.key("reasons").begin_object();
  for (auto& [r, count] : tally.unassigned_reasons) w.key(r).value(count);
  w.end_object();
  w.key("ideas").begin_array();
  for (int i : unassigned) w.value(c.ideas[static_cast<std::size_t>(i)].id);
  w.end_array().end_object();
  out.line(w.str());

  if (o.ideas) {
    std::string line;
    c.spooled->start_reading();
    for (auto& idea : c.ideas) {
      c.spooled->read(line, idea.raw_size);
      line.resize(line.find_last_of('}'));
      std::size_t last = line.find_last_not_of(" \t\r\n");
      bool empty_object = last != std::string::npos && line[last] == '{';
      line += empty_object ? "\"theme\":" : ",\"theme\":";
      if (idea.theme >= 0) {
        line.push_back('"');
        line += themes[static_cast<std::size_t>(idea.theme)].id;
        line.push_back('"');
      } else {
        line += "null";
      }
      line.push_back('}');
      out.line(line);
    }
  }
  for (auto& p : c.passthrough) out.line(p);
  out.commit();
  stage("write");

  auto plural = [](long long count, const char* one, const char* many) {
    return fmt::format("{} {}", count, count == 1 ? one : many);
  };
  diag::note(fmt::format("{}: {} in {}, {} unassigned", plural(tally.ideas, "idea", "ideas"),
                         tally.themed, plural(tally.themes, "theme", "themes"),
                         tally.unassigned));
  if (tally_out) *tally_out = tally;
  return 0;
}

}  // namespace ml
