// SPDX-License-Identifier: Apache-2.0
#include "ml/cluster.hpp"

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <numeric>

#include <fmt/format.h>

#include "ml/parallel.hpp"

namespace ml {
namespace {

constexpr std::size_t assign_block = 4096;
constexpr std::size_t update_block = 32768;

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
  std::vector<std::size_t> points;
  points.reserve(picks.size());
  for (auto p : picks) points.push_back(nonzero[p]);
  const int kk = static_cast<int>(std::min<std::size_t>(static_cast<std::size_t>(k), points.size()));
  dense_rows seeds(kk, x.cols());
  if (kk == 0) return seeds;
  std::uint64_t state = seed;
  // Cosine distance 1 - x.c; a point's weight is its distance to the nearest seed so far.
  std::vector<double> dist(points.size(), std::numeric_limits<double>::max());
  std::size_t first = static_cast<std::size_t>(splitmix(state) % points.size());
  seeds.row(0) = x.row(static_cast<Eigen::Index>(points[first]));
  for (int c = 1; c <= kk; ++c) {
    double total = 0;
    const auto last = seeds.row(c - 1);
    for (std::size_t i = 0; i < points.size(); ++i) {
      double d = std::max(0.0, 1.0 - static_cast<double>(
                                         x.row(static_cast<Eigen::Index>(points[i])).dot(last)));
      dist[i] = std::min(dist[i], d);
      total += dist[i];
    }
    if (c == kk) break;
    // Greedy k-means++: of a few candidates drawn by weight, keep the one that lowers the
    // total distance most (as scikit-learn does), which avoids unlucky draws.
    const int trials = 2 + static_cast<int>(std::log(static_cast<double>(kk)));
    std::size_t best = 0;
    double best_total = std::numeric_limits<double>::max();
    for (int t = 0; t < trials; ++t) {
      std::size_t cand = points.size() - 1;
      if (total > 0) {
        double target = uniform(state) * total, run = 0;
        for (std::size_t i = 0; i < points.size(); ++i) {
          run += dist[i];
          if (run >= target) {
            cand = i;
            break;
          }
        }
      } else {
        cand = static_cast<std::size_t>(splitmix(state) % points.size());
      }
      double sum = 0;
      const auto cv = x.row(static_cast<Eigen::Index>(points[cand]));
      for (std::size_t i = 0; i < points.size(); ++i)
        sum += std::min(dist[i], std::max(0.0, 1.0 - static_cast<double>(
                                                         x.row(static_cast<Eigen::Index>(points[i])).dot(cv))));
      if (sum < best_total) {
        best_total = sum;
        best = cand;
      }
    }
    seeds.row(c) = x.row(static_cast<Eigen::Index>(points[best]));
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

std::vector<std::vector<std::uint32_t>> nearest_neighbours(const dense_rows& x, int k,
                                                           unsigned threads) {
  const std::size_t n = static_cast<std::size_t>(x.rows());
  std::vector<std::vector<std::uint32_t>> out(n);
  const std::size_t kk = std::min<std::size_t>(static_cast<std::size_t>(std::max(k, 0)),
                                               n > 0 ? n - 1 : 0);
  if (kk == 0) return out;
  const Eigen::MatrixXf xt = x.transpose();
  parallel_blocks(n, 512, threads, [&](std::size_t b, std::size_t e) {
    Eigen::MatrixXf sims = x.middleRows(static_cast<Eigen::Index>(b),
                                        static_cast<Eigen::Index>(e - b)) * xt;
    std::vector<std::pair<float, std::uint32_t>> row(n);
    for (std::size_t r = b; r < e; ++r) {
      for (std::size_t j = 0; j < n; ++j)
        row[j] = {j == r ? -3.0f : sims(static_cast<Eigen::Index>(r - b), static_cast<Eigen::Index>(j)),
                  static_cast<std::uint32_t>(j)};
      // Most similar first; ties by index so the graph is deterministic.
      auto better = [](const auto& p, const auto& q) {
        return p.first != q.first ? p.first > q.first : p.second < q.second;
      };
      std::partial_sort(row.begin(), row.begin() + static_cast<std::ptrdiff_t>(kk), row.end(), better);
      auto& nb = out[r];
      for (std::size_t j = 0; j < kk; ++j) nb.push_back(row[j].second);
    }
  });
  return out;
}

std::vector<int> merge_by_modularity(const std::vector<int>& labels, int clusters,
                                     const std::vector<std::vector<std::uint32_t>>& graph,
                                     double resolution) {
  const std::size_t kc = static_cast<std::size_t>(std::max(clusters, 0));
  // Edge weights between clusters (each kNN edge counted from both ends: symmetric).
  std::vector<std::vector<double>> e(kc, std::vector<double>(kc, 0.0));
  for (std::size_t i = 0; i < graph.size(); ++i) {
    if (labels[i] < 0) continue;
    for (auto j : graph[i]) {
      if (labels[j] < 0) continue;
      e[static_cast<std::size_t>(labels[i])][static_cast<std::size_t>(labels[j])] += 1.0;
      e[static_cast<std::size_t>(labels[j])][static_cast<std::size_t>(labels[i])] += 1.0;
    }
  }
  std::vector<double> degree(kc, 0.0);
  double total = 0;
  for (std::size_t i = 0; i < kc; ++i) {
    for (std::size_t j = 0; j < kc; ++j) degree[i] += e[i][j];
    total += degree[i];
  }
  std::vector<int> root(kc);
  std::iota(root.begin(), root.end(), 0);
  if (total <= 0) return root;
  std::vector<char> alive(kc, 1);
  // Greedy agglomeration (Clauset, Newman and Moore 2004) starting from the k-means
  // clusters: join the pair that raises modularity most, while one does.
  for (;;) {
    double best = 0;
    std::size_t bi = kc, bj = kc;
    for (std::size_t i = 0; i < kc; ++i) {
      if (!alive[i]) continue;
      for (std::size_t j = i + 1; j < kc; ++j) {
        if (!alive[j] || e[i][j] <= 0) continue;
        double gain = 2.0 * (e[i][j] / total -
                             resolution * degree[i] * degree[j] / (total * total));
        if (gain > best) {
          best = gain;
          bi = i;
          bj = j;
        }
      }
    }
    if (bi == kc) break;
    for (std::size_t t = 0; t < kc; ++t) {
      e[bi][t] += e[bj][t];
      e[t][bi] += e[t][bj];
    }
    e[bi][bi] += 0;  // the diagonal already holds both halves and their shared edges
    degree[bi] += degree[bj];
    alive[bj] = 0;
    for (auto& r : root)
      if (r == static_cast<int>(bj)) r = static_cast<int>(bi);
  }
  // Number the merged groups 0..g-1 in order of their first cluster.
  std::vector<int> number(kc, -1), out(kc);
  int next = 0;
  for (std::size_t c = 0; c < kc; ++c) {
    int r = root[c];
    if (number[static_cast<std::size_t>(r)] < 0) number[static_cast<std::size_t>(r)] = next++;
    out[c] = number[static_cast<std::size_t>(r)];
  }
  return out;
}

theme_search_result find_themes(const dense_rows& x, const theme_search_options& o) {
  theme_search_result out;
  std::vector<Eigen::Index> nonzero;
  for (Eigen::Index r = 0; r < x.rows(); ++r)
    if (x.row(r).squaredNorm() > 0) nonzero.push_back(r);
  const std::size_t n = nonzero.size();
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
  // Over-cluster, then merge the clusters whose documents are neighbours more often than
  // chance (modularity of the k-nearest-neighbour graph), then refine on every document.
  const int base = static_cast<int>(std::clamp<std::size_t>(n / 10, 1, 200));
  const char* gs = std::getenv("ML_GRAPH_SAMPLE");
  std::vector<std::size_t> picks = sample_indices(n, gs ? std::strtoul(gs, nullptr, 10) : 20000, o.seed ^ 0x9a1eULL);
  dense_rows sample(static_cast<Eigen::Index>(picks.size()), x.cols());
  for (std::size_t i = 0; i < picks.size(); ++i)
    sample.row(static_cast<Eigen::Index>(i)) = x.row(nonzero[picks[i]]);
  ko.k = base;
  kmeans_result fine = spherical_kmeans(sample, ko);
  auto graph = nearest_neighbours(sample, 10, o.threads);
  const char* res_env = std::getenv("ML_RESOLUTION");
  const double resolution = res_env ? std::atof(res_env) : 1.0;
  std::vector<int> group = merge_by_modularity(fine.labels, static_cast<int>(fine.centroids.rows()), graph, resolution);
  const int groups = group.empty() ? 0 : *std::max_element(group.begin(), group.end()) + 1;
  dense_rows seeds = dense_rows::Zero(groups, x.cols());
  for (std::size_t i = 0; i < picks.size(); ++i) {
    int l = fine.labels[i];
    if (l >= 0) seeds.row(group[static_cast<std::size_t>(l)]) += sample.row(static_cast<Eigen::Index>(i));
  }
  normalize_rows(seeds);
  out.method = fmt::format("modularity: {} clusters merged into {}", fine.centroids.rows(), groups);
  kmeans_result km = spherical_kmeans(x, ko, &seeds);
  out.labels = std::move(km.labels);
  out.centroids = std::move(km.centroids);
  out.trace.emplace_back(groups, km.mean_similarity);
  return out;
}

}  // namespace ml
