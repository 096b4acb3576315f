// SPDX-License-Identifier: Apache-2.0
// Clustering unit-length document vectors: spherical k-means (cosine similarity) with a
// k-means++ start, run in parallel with results that do not depend on the thread count.
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "ml/lsa.hpp"

namespace ml {

struct kmeans_options {
  int k = 8;
  int max_iterations = 50;
  double tolerance = 1e-4;    ///< stop when the mean similarity gains less than this
  std::uint64_t seed = 42;
  unsigned threads = 1;
  std::size_t init_sample = 20000;  ///< k-means++ runs on at most this many points
};

struct kmeans_result {
  std::vector<int> labels;           ///< point -> cluster, or -1 for a zero vector
  dense_rows centroids;              ///< k x d, unit length (zero for an empty cluster)
  std::vector<float> similarity;     ///< point -> cosine to its centroid
  std::vector<std::size_t> sizes;    ///< cluster -> points
  double mean_similarity = 0;        ///< the objective, over points with a label
  int iterations = 0;
};

/// Spherical k-means on unit rows of x. `start` (k x d) replaces the k-means++ start.
/// Zero rows get label -1. k is capped at the number of non-zero rows.
kmeans_result spherical_kmeans(const dense_rows& x, const kmeans_options& options,
                               const dense_rows* start = nullptr);

/// k-means++ seeds (Arthur and Vassilvitskii 2007) for cosine distance, chosen among a
/// seeded sample of at most `sample` non-zero rows: k x d.
dense_rows kmeanspp_seeds(const dense_rows& x, int k, std::uint64_t seed, std::size_t sample);

/// Assigns every row to its most similar centroid: labels and similarities.
void assign_nearest(const dense_rows& x, const dense_rows& centroids, unsigned threads,
                    std::vector<int>& labels, std::vector<float>& similarity);

/// A deterministic sample of `count` distinct indices from [0, n), ascending.
std::vector<std::size_t> sample_indices(std::size_t n, std::size_t count, std::uint64_t seed);

}  // namespace ml

namespace ml {

struct theme_search_options {
  int k = 0;                 ///< 0: find the number of themes; else exactly k
  std::size_t min_size = 2;  ///< clusters with fewer points are dissolved
  std::uint64_t seed = 1;
  unsigned threads = 1;
  std::size_t search_sample = 20000;  ///< documents the number of themes is chosen on
  double island_threshold = 0.88;     ///< neighbour consistency that means fine themes
};

struct theme_search_result {
  std::vector<int> labels;     ///< point -> theme, or -1 (zero vector or dissolved)
  dense_rows centroids;        ///< theme -> unit centroid
  std::string method;          ///< how the number was chosen, for the summary record
  std::vector<std::pair<int, double>> trace;  ///< (k, criterion) pairs looked at
};

/// How two clusters are joined in a tree of clusters.
enum class linkage {
  average,  ///< the mean cosine between their members (highest first)
  ward,     ///< the rise in the sum of (1 - cosine to centroid) (lowest first)
};

/// The merges of clusters, from k down to 1: merges[t] joins two clusters (by their first
/// index) into k - t - 1 clusters, at heights[t] (a similarity for average linkage, a cost
/// for Ward).
struct cluster_tree {
  std::vector<std::pair<int, int>> merges;
  std::vector<double> heights;
  std::vector<int> group;  ///< cluster -> itself (the leaves)
};

/// Builds the tree from per-cluster sums of unit vectors and member counts. O(k^2) memory,
/// O(k^3) time: meant for a few hundred clusters.
cluster_tree build_cluster_tree(const dense_rows& sums, const std::vector<std::size_t>& counts,
                                linkage how);

/// Which of `clusters` groups each leaf is in after cutting the tree there (numbered in order
/// of their first leaf).
std::vector<int> cut_tree(const cluster_tree& tree, std::size_t clusters);

/// The share of the k nearest neighbours (cosine, within `pool`) of `queries` sampled points
/// that carry the point's own label.
double neighbour_consistency(const dense_rows& pool, const std::vector<int>& labels,
                             std::size_t queries, int k, std::uint64_t seed, unsigned threads);

/// Groups unit rows of x into themes, choosing their number unless options.k is set.
theme_search_result find_themes(const dense_rows& x, const theme_search_options& options);

}  // namespace ml
