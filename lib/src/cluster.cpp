// SPDX-License-Identifier: Apache-2.0
#include "ml/cluster.hpp"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numeric>

#include <fmt/format.h>

#include "ml/parallel.hpp"

namespace ml {
namespace {

constexpr std::size_t assign_block = 4096;
constexpr std::size_t update_block = 32768;
// The range of the number of broad themes find_themes chooses (see ml-concentrate(1)):
// fewer makes a line too coarse to act on, more is no longer broad.
constexpr std::size_t broad_minimum = 6;
constexpr std::size_t broad_maximum = 30;

std::uint64_t splitmix(std::uint64_t& state) {
  std::uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

double uniform(std::uint64_t& state) {
  return static_cast<double>(splitmix(state) >> 11) * 0x1.0p-53;
}

bool is_zero(const dense_rows& x, Eigen::Index r) { return x.row(r).squaredNorm() == 0.0f; }

}  // namespace

std::vector<std::size_t> sample_indices(std::size_t n, std::size_t count, std::uint64_t seed) {
  std::vector<std::size_t> all(n);
  std::iota(all.begin(), all.end(), std::size_t{0});
  if (count >= n) return all;
  // Partial Fisher-Yates with our own generator (std::shuffle's output is unspecified).
  std::uint64_t state = seed;
  for (std::size_t i = 0; i < count; ++i) {
    std::size_t j = i + static_cast<std::size_t>(splitmix(state) % (n - i));
    std::swap(all[i], all[j]);
  }
  all.resize(count);
  std::sort(all.begin(), all.end());
  return all;
}

void assign_nearest(const dense_rows& x, const dense_rows& centroids, unsigned threads,
                    std::vector<int>& labels, std::vector<float>& similarity) {
  const std::size_t n = static_cast<std::size_t>(x.rows());
  labels.assign(n, -1);
  similarity.assign(n, 0.0f);
  if (centroids.rows() == 0) return;
  const Eigen::MatrixXf ct = centroids.transpose();
  parallel_blocks(n, assign_block, threads, [&](std::size_t b, std::size_t e) {
    Eigen::MatrixXf sims = x.middleRows(static_cast<Eigen::Index>(b),
                                        static_cast<Eigen::Index>(e - b)) * ct;
    for (std::size_t r = b; r < e; ++r) {
      if (is_zero(x, static_cast<Eigen::Index>(r))) continue;
      Eigen::Index best = 0;
      float s = sims.row(static_cast<Eigen::Index>(r - b)).maxCoeff(&best);
      labels[r] = static_cast<int>(best);
      similarity[r] = s;
    }
  });
}

dense_rows kmeanspp_seeds(const dense_rows& x, int k, std::uint64_t seed, std::size_t sample) {
  std::vector<std::size_t> nonzero;
  for (Eigen::Index r = 0; r < x.rows(); ++r)
    if (!is_zero(x, r)) nonzero.push_back(static_cast<std::size_t>(r));
  std::vector<std::size_t> picks = sample_indices(nonzero.size(), sample, seed ^ 0x5eedULL);
  const Eigen::Index m = static_cast<Eigen::Index>(picks.size());
  dense_rows points(m, x.cols());
  for (Eigen::Index i = 0; i < m; ++i)
    points.row(i) = x.row(static_cast<Eigen::Index>(nonzero[picks[static_cast<std::size_t>(i)]]));
  const int kk = static_cast<int>(std::min<Eigen::Index>(k, m));
  dense_rows seeds(kk, x.cols());
  if (kk == 0) return seeds;
  std::uint64_t state = seed;
  // Cosine distance 1 - x.c; a point's weight is its distance to the nearest seed so far.
  Eigen::VectorXd dist = Eigen::VectorXd::Constant(m, std::numeric_limits<double>::max());
  auto first = static_cast<Eigen::Index>(splitmix(state) % static_cast<std::uint64_t>(m));
  seeds.row(0) = points.row(first);
  // Greedy k-means++: of a few candidates drawn by weight, keep the one that lowers the
  // total distance most (as scikit-learn does), which avoids unlucky draws.
  const int trials = 2 + static_cast<int>(std::log(static_cast<double>(kk)));
  dense_rows candidates(trials, x.cols());
  std::vector<Eigen::Index> chosen(static_cast<std::size_t>(trials));
  for (int c = 1; c <= kk; ++c) {
    Eigen::VectorXf sim = points * seeds.row(c - 1).transpose();
    double total = 0;
    for (Eigen::Index i = 0; i < m; ++i) {
      dist(i) = std::min(dist(i), std::max(0.0, 1.0 - static_cast<double>(sim(i))));
      total += dist(i);
    }
    if (c == kk) break;
    for (int t = 0; t < trials; ++t) {
      Eigen::Index cand = m - 1;
      if (total > 0) {
        double target = uniform(state) * total, run = 0;
        for (Eigen::Index i = 0; i < m; ++i) {
          run += dist(i);
          if (run >= target) {
            cand = i;
            break;
          }
        }
      } else {
        cand = static_cast<Eigen::Index>(splitmix(state) % static_cast<std::uint64_t>(m));
      }
      chosen[static_cast<std::size_t>(t)] = cand;
      candidates.row(t) = points.row(cand);
    }
    Eigen::MatrixXf sims = points * candidates.transpose();  // m x trials
    int best = 0;
    double best_total = std::numeric_limits<double>::max();
    for (int t = 0; t < trials; ++t) {
      double sum = 0;
      for (Eigen::Index i = 0; i < m; ++i)
        sum += std::min(dist(i), std::max(0.0, 1.0 - static_cast<double>(sims(i, t))));
      if (sum < best_total) {
        best_total = sum;
        best = t;
      }
    }
    seeds.row(c) = points.row(chosen[static_cast<std::size_t>(best)]);
  }
  return seeds;
}

kmeans_result spherical_kmeans(const dense_rows& x, const kmeans_options& options,
                               const dense_rows* start) {
  kmeans_result out;
  const std::size_t n = static_cast<std::size_t>(x.rows());
  const Eigen::Index d = x.cols();
  out.centroids = start ? *start
                        : kmeanspp_seeds(x, options.k, options.seed, options.init_sample);
  const Eigen::Index k = out.centroids.rows();
  out.sizes.assign(static_cast<std::size_t>(k), 0);
  if (k == 0) {
    out.labels.assign(n, -1);
    out.similarity.assign(n, 0.0f);
    return out;
  }
  const std::size_t blocks = (n + update_block - 1) / update_block;
  std::vector<dense_rows> partial(blocks);
  std::vector<std::vector<std::size_t>> partial_sizes(blocks);
  double previous = -1;
  for (int it = 0; it < std::max(options.max_iterations, 1); ++it) {
    out.iterations = it + 1;
    assign_nearest(x, out.centroids, options.threads, out.labels, out.similarity);
    double total = 0;
    std::size_t counted = 0;
    for (std::size_t i = 0; i < n; ++i)
      if (out.labels[i] >= 0) {
        total += out.similarity[i];
        ++counted;
      }
    out.mean_similarity = counted ? total / static_cast<double>(counted) : 0.0;
    if (it > 0 && out.mean_similarity - previous < options.tolerance) break;
    previous = out.mean_similarity;
    // New centroids: sums per fixed block, added in block order (thread-count independent).
    parallel_blocks(n, update_block, options.threads, [&](std::size_t b, std::size_t e) {
      dense_rows sum = dense_rows::Zero(k, d);
      std::vector<std::size_t> count(static_cast<std::size_t>(k), 0);
      for (std::size_t r = b; r < e; ++r) {
        int c = out.labels[r];
        if (c < 0) continue;
        sum.row(c) += x.row(static_cast<Eigen::Index>(r));
        ++count[static_cast<std::size_t>(c)];
      }
      partial[b / update_block] = std::move(sum);
      partial_sizes[b / update_block] = std::move(count);
    });
    dense_rows sum = dense_rows::Zero(k, d);
    std::fill(out.sizes.begin(), out.sizes.end(), 0);
    for (std::size_t b = 0; b < blocks; ++b) {
      sum += partial[b];
      for (Eigen::Index c = 0; c < k; ++c)
        out.sizes[static_cast<std::size_t>(c)] += partial_sizes[b][static_cast<std::size_t>(c)];
    }
    // An empty cluster restarts at the point least like its own centroid.
    std::vector<char> taken(n, 0);
    for (Eigen::Index c = 0; c < k; ++c) {
      float norm = sum.row(c).norm();
      if (norm > 0) {
        out.centroids.row(c) = sum.row(c) / norm;
        continue;
      }
      std::size_t worst = n;
      for (std::size_t i = 0; i < n; ++i)
        if (out.labels[i] >= 0 && !taken[i] &&
            (worst == n || out.similarity[i] < out.similarity[worst]))
          worst = i;
      if (worst == n) {
        out.centroids.row(c).setZero();
      } else {
        taken[worst] = 1;
        out.centroids.row(c) = x.row(static_cast<Eigen::Index>(worst));
      }
    }
  }
  std::fill(out.sizes.begin(), out.sizes.end(), 0);
  for (int c : out.labels)
    if (c >= 0) ++out.sizes[static_cast<std::size_t>(c)];
  return out;
}

}  // namespace ml

namespace ml {

double neighbour_consistency(const dense_rows& pool, const std::vector<int>& labels,
                             std::size_t queries, int k, std::uint64_t seed, unsigned threads) {
  const std::size_t n = static_cast<std::size_t>(pool.rows());
  if (n < 2 || k <= 0) return 1.0;
  const std::size_t kk = std::min<std::size_t>(static_cast<std::size_t>(k), n - 1);
  std::vector<std::size_t> q = sample_indices(n, queries, seed);
  const std::size_t blocks = (q.size() + 255) / 256;
  std::vector<std::size_t> same(blocks, 0), total(blocks, 0);
  parallel_blocks(q.size(), 256, threads, [&](std::size_t b, std::size_t e) {
    dense_rows rows(static_cast<Eigen::Index>(e - b), pool.cols());
    for (std::size_t i = b; i < e; ++i)
      rows.row(static_cast<Eigen::Index>(i - b)) = pool.row(static_cast<Eigen::Index>(q[i]));
    Eigen::MatrixXf sims = rows * pool.transpose();
    std::vector<std::pair<float, std::uint32_t>> row(n);
    for (std::size_t i = b; i < e; ++i) {
      for (std::size_t j = 0; j < n; ++j)
        row[j] = {j == q[i] ? -3.0f
                            : sims(static_cast<Eigen::Index>(i - b), static_cast<Eigen::Index>(j)),
                  static_cast<std::uint32_t>(j)};
      // Most similar first; ties by index, so the result is deterministic.
      std::partial_sort(row.begin(), row.begin() + static_cast<std::ptrdiff_t>(kk), row.end(),
                        [](const auto& p, const auto& r) {
                          return p.first != r.first ? p.first > r.first : p.second < r.second;
                        });
      for (std::size_t j = 0; j < kk; ++j) {
        ++total[b / 256];
        same[b / 256] += labels[row[j].second] == labels[q[i]];
      }
    }
  });
  std::size_t s = 0, t = 0;
  for (std::size_t b = 0; b < blocks; ++b) s += same[b], t += total[b];
  return t ? static_cast<double>(s) / static_cast<double>(t) : 1.0;
}

cluster_tree build_cluster_tree(const dense_rows& sums, const std::vector<std::size_t>& counts,
                                linkage how) {
  const std::size_t k = static_cast<std::size_t>(sums.rows());
  cluster_tree tree;
  tree.group.resize(k);
  std::iota(tree.group.begin(), tree.group.end(), 0);
  Eigen::MatrixXd gram = (sums.cast<double>() * sums.cast<double>().transpose());
  std::vector<double> n(counts.begin(), counts.end());
  std::vector<char> alive(k, 1);
  std::vector<int> members_of(k);
  std::iota(members_of.begin(), members_of.end(), 0);
  // Each merge joins the best pair; on ties the lowest indices, so the tree is deterministic.
  for (std::size_t step = 1; step < k; ++step) {
    double best = 0;
    std::size_t bi = k, bj = k;
    for (std::size_t i = 0; i < k; ++i) {
      if (!alive[i]) continue;
      for (std::size_t j = i + 1; j < k; ++j) {
        if (!alive[j]) continue;
        double score;
        if (how == linkage::average) {
          // Mean cosine between members of the two clusters (higher joins first).
          score = (n[i] > 0 && n[j] > 0) ? gram(i, j) / (n[i] * n[j]) : -1.0;
        } else {
          // Ward on the sphere: the rise in sum of (1 - cosine to centroid), negated so that
          // the cheapest merge has the highest score.
          double joined = gram(i, i) + gram(j, j) + 2 * gram(i, j);
          score = -(std::sqrt(std::max(gram(i, i), 0.0)) + std::sqrt(std::max(gram(j, j), 0.0)) -
                    std::sqrt(std::max(joined, 0.0)));
        }
        if (bi == k || score > best) {
          best = score;
          bi = i;
          bj = j;
        }
      }
    }
    tree.heights.push_back(how == linkage::average ? best : -best);
    tree.merges.emplace_back(static_cast<int>(bi), static_cast<int>(bj));
    // Cluster bi absorbs bj: its sum is S_i + S_j, so its Gram row is the sum of the two
    // rows, and its own entry |S_i + S_j|^2 = G_ii + 2 G_ij + G_jj.
    const double self = gram(bi, bi) + 2 * gram(bi, bj) + gram(bj, bj);
    for (std::size_t t = 0; t < k; ++t) gram(bi, t) += gram(bj, t);
    for (std::size_t t = 0; t < k; ++t) gram(t, bi) = gram(bi, t);
    gram(bi, bi) = self;
    n[bi] += n[bj];
    alive[bj] = 0;
  }
  return tree;
}

std::vector<int> cut_tree(const cluster_tree& tree, std::size_t clusters) {
  const std::size_t k = tree.group.size();
  std::vector<int> root(k);
  std::iota(root.begin(), root.end(), 0);
  auto find = [&](int c) {
    while (root[static_cast<std::size_t>(c)] != c) c = root[static_cast<std::size_t>(c)];
    return c;
  };
  const std::size_t merges = k > clusters ? k - clusters : 0;
  for (std::size_t m = 0; m < merges && m < tree.merges.size(); ++m) {
    int a = find(tree.merges[m].first), b = find(tree.merges[m].second);
    root[static_cast<std::size_t>(b)] = a;
  }
  std::vector<int> number(k, -1), out(k);
  int next = 0;
  for (std::size_t c = 0; c < k; ++c) {
    int r = find(static_cast<int>(c));
    if (number[static_cast<std::size_t>(r)] < 0) number[static_cast<std::size_t>(r)] = next++;
    out[c] = number[static_cast<std::size_t>(r)];
  }
  return out;
}

namespace {

// Sums of the member vectors per cluster, and counts.
void cluster_sums(const dense_rows& x, const std::vector<int>& labels, int k, dense_rows& sums,
                  std::vector<std::size_t>& counts) {
  sums = dense_rows::Zero(k, x.cols());
  counts.assign(static_cast<std::size_t>(k), 0);
  for (std::size_t i = 0; i < labels.size(); ++i) {
    if (labels[i] < 0) continue;
    sums.row(labels[i]) += x.row(static_cast<Eigen::Index>(i));
    ++counts[static_cast<std::size_t>(labels[i])];
  }
}

// Unit centroids of the groups of a cut.
dense_rows group_centroids(const dense_rows& sums, const std::vector<int>& group) {
  const int g = group.empty() ? 0 : *std::max_element(group.begin(), group.end()) + 1;
  dense_rows c = dense_rows::Zero(g, sums.cols());
  for (std::size_t i = 0; i < group.size(); ++i) c.row(group[i]) += sums.row(static_cast<Eigen::Index>(i));
  normalize_rows(c);
  return c;
}

}  // namespace

theme_search_result find_themes(const dense_rows& x, const theme_search_options& o) {
  theme_search_result out;
  kmeans_options ko;
  ko.seed = o.seed;
  ko.threads = o.threads;
  if (o.k > 0) {
    ko.k = o.k;
    out.method = "given";
    kmeans_result km = spherical_kmeans(x, ko);
    out.labels = std::move(km.labels);
    out.centroids = std::move(km.centroids);
    return out;
  }
  std::vector<Eigen::Index> nonzero;
  for (Eigen::Index r = 0; r < x.rows(); ++r)
    if (x.row(r).squaredNorm() > 0) nonzero.push_back(r);
  const std::size_t n = nonzero.size();
  if (n == 0) {
    out.labels.assign(static_cast<std::size_t>(x.rows()), -1);
    out.centroids.resize(0, x.cols());
    out.method = "none";
    return out;
  }
  // 1. Many fine clusters, on a sample of at most search_sample documents.
  std::vector<std::size_t> picks = sample_indices(n, o.search_sample, o.seed ^ 0x9a1eULL);
  dense_rows sample(static_cast<Eigen::Index>(picks.size()), x.cols());
  for (std::size_t i = 0; i < picks.size(); ++i)
    sample.row(static_cast<Eigen::Index>(i)) = x.row(nonzero[picks[i]]);
  const int base = static_cast<int>(std::clamp<std::size_t>(picks.size() / 5, 1, 300));
  ko.k = base;
  ko.max_iterations = 100;
  kmeans_result fine = spherical_kmeans(sample, ko);
  const int k0 = static_cast<int>(fine.centroids.rows());
  dense_rows sums;
  std::vector<std::size_t> counts;
  cluster_sums(sample, fine.labels, k0, sums, counts);

  dense_rows seeds;
  if (k0 <= 3) {
    seeds = group_centroids(sums, cut_tree(build_cluster_tree(sums, counts, linkage::average), k0));
    out.method = fmt::format("{} clusters", k0);
  } else {
    // 2-3. The natural fine cut: the largest drop in average-linkage similarity.
    cluster_tree avg = build_cluster_tree(sums, counts, linkage::average);
    // heights[t] is the merge from k0 - t clusters to k0 - t - 1.
    auto height_to = [&](const cluster_tree& t, std::size_t clusters) {  // merge into `clusters`
      return t.heights[static_cast<std::size_t>(k0) - clusters - 1];
    };
    const std::size_t top = std::max<std::size_t>(2, static_cast<std::size_t>(k0) / 2);
    std::size_t fine_k = 2;
    double best_gap = -1e300;
    for (std::size_t c = 2; c <= top; ++c) {
      // Stopping at c clusters: the merge into c was at similarity v, the next at w < v.
      // Below zero, two groups have nothing in common: how negative is noise.
      double gap = std::max(height_to(avg, c), 0.0) - std::max(height_to(avg, c - 1), 0.0);
      if (gap > best_gap) best_gap = gap, fine_k = c;
    }
    std::vector<int> fine_cut = cut_tree(avg, fine_k);
    // 4. Do the fine groups stand apart as islands? The share of nearest neighbours inside.
    std::vector<int> point_group(picks.size(), -1);
    for (std::size_t i = 0; i < picks.size(); ++i)
      if (fine.labels[i] >= 0) point_group[i] = fine_cut[static_cast<std::size_t>(fine.labels[i])];
    const double consistency =
        neighbour_consistency(sample, point_group, 2000, 10, o.seed ^ 0xc0ffeeULL, o.threads);
    out.trace.emplace_back(static_cast<int>(fine_k), consistency);
    if (consistency >= o.island_threshold) {
      seeds = group_centroids(sums, fine_cut);
      out.method = fmt::format("fine: {} of {} clusters, neighbour consistency {:.3f}",
                               fine_k, k0, consistency);
    } else {
      // 5. Broad themes: the Ward cut after which merging costs most, relative to before,
      // with broad_minimum to broad_maximum themes.
      cluster_tree ward = build_cluster_tree(sums, counts, linkage::ward);
      // A small input supports fewer broad themes: the floor grows with the number of
      // documents, from 3 (a few hundred) to broad_minimum (about ten thousand).
      const double docs = static_cast<double>(n);
      const auto floor = static_cast<std::size_t>(
          std::clamp(std::lround(1.5 * std::log10(std::max(docs, 1.0))), 3L,
                     static_cast<long>(broad_minimum)));
      const std::size_t low = std::min<std::size_t>(floor, top);
      const std::size_t high = std::clamp<std::size_t>(broad_maximum, low, top);
      std::size_t coarse_k = low;
      double best_ratio = -1;
      for (std::size_t c = low; c <= high; ++c) {
        double before = height_to(ward, c), after = height_to(ward, c - 1);
        double ratio = before > 0 ? after / before : 0;
        if (ratio > best_ratio) best_ratio = ratio, coarse_k = c;
      }
      seeds = group_centroids(sums, cut_tree(ward, coarse_k));
      out.method = fmt::format("broad: {} of {} clusters, neighbour consistency {:.3f}",
                               coarse_k, k0, consistency);
    }
  }
  // 6. Refine on every document from those seeds.
  ko.max_iterations = 10;
  kmeans_result km = spherical_kmeans(x, ko, &seeds);
  // Drop clusters left empty, renumbering the others.
  std::vector<int> number(static_cast<std::size_t>(km.centroids.rows()), -1);
  int kept = 0;
  for (std::size_t c = 0; c < number.size(); ++c)
    if (km.sizes[c] > 0) number[c] = kept++;
  out.centroids.resize(kept, x.cols());
  for (std::size_t c = 0; c < number.size(); ++c)
    if (number[c] >= 0) out.centroids.row(number[c]) = km.centroids.row(static_cast<Eigen::Index>(c));
  out.labels = std::move(km.labels);
  for (int& l : out.labels)
    if (l >= 0) l = number[static_cast<std::size_t>(l)];
  return out;
}

}  // namespace ml
