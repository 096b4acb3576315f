// SPDX-License-Identifier: Apache-2.0
// Show that spherical k-means finds planted clusters, deterministically, and that its
// helpers behave as documented.
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "ml/cluster.hpp"

namespace {

// n points around each of k random unit directions in d dimensions, with noise.
ml::dense_rows planted_clusters(int k, int per, int d, float noise, std::uint64_t seed,
                                std::vector<int>& truth) {
  ml::normal_generator g(seed);
  ml::dense_rows centres(k, d);
  for (int c = 0; c < k; ++c)
    for (int j = 0; j < d; ++j) centres(c, j) = g.next();
  ml::normalize_rows(centres);
  ml::dense_rows x(k * per, d);
  truth.clear();
  for (int i = 0; i < k * per; ++i) {
    int c = (i * 7919) % k;  // interleaved, so order does not give the answer away
    truth.push_back(c);
    for (int j = 0; j < d; ++j) x(i, j) = centres(c, j) + noise * g.next();
  }
  ml::normalize_rows(x);
  return x;
}

// Share of pairs of points on which two labelings agree (Rand index).
double rand_index(const std::vector<int>& a, const std::vector<int>& b) {
  long long agree = 0, total = 0;
  for (std::size_t i = 0; i < a.size(); ++i)
    for (std::size_t j = i + 1; j < a.size(); ++j) {
      ++total;
      agree += ((a[i] == a[j]) == (b[i] == b[j]));
    }
  return static_cast<double>(agree) / static_cast<double>(total);
}

TEST(SphericalKmeans, RecoversPlantedClusters) {
  std::vector<int> truth;
  auto x = planted_clusters(6, 80, 20, 0.15f, 1, truth);
  ml::kmeans_options o;
  o.k = 6;
  auto r = ml::spherical_kmeans(x, o);
  EXPECT_GT(rand_index(truth, r.labels), 0.99);
  EXPECT_EQ(r.sizes.size(), 6u);
  for (auto s : r.sizes) EXPECT_EQ(s, 80u);
  for (Eigen::Index c = 0; c < r.centroids.rows(); ++c)
    EXPECT_NEAR(r.centroids.row(c).norm(), 1.0f, 1e-5);
  EXPECT_GT(r.mean_similarity, 0.8);
}

TEST(SphericalKmeans, SameLabelsWhateverTheThreadCount) {
  std::vector<int> truth;
  auto x = planted_clusters(12, 3000, 16, 0.6f, 2, truth);  // over several blocks
  ml::kmeans_options o;
  o.k = 12;
  o.threads = 1;
  auto one = ml::spherical_kmeans(x, o);
  o.threads = 3;
  auto three = ml::spherical_kmeans(x, o);
  EXPECT_EQ(one.labels, three.labels);
  EXPECT_TRUE(one.centroids == three.centroids);
}

TEST(SphericalKmeans, ZeroRowsGetNoLabelAndKIsCappedByThePoints) {
  ml::dense_rows x(3, 2);
  x << 1, 0, 0, 0, 0, 1;
  ml::kmeans_options o;
  o.k = 5;
  auto r = ml::spherical_kmeans(x, o);
  EXPECT_EQ(r.labels[1], -1);
  EXPECT_GE(r.labels[0], 0);
  EXPECT_NE(r.labels[0], r.labels[2]);
  EXPECT_EQ(r.centroids.rows(), 2);
}

TEST(SampleIndices, DistinctSortedDeterministic) {
  auto a = ml::sample_indices(1000, 50, 3);
  auto b = ml::sample_indices(1000, 50, 3);
  EXPECT_EQ(a, b);
  EXPECT_EQ(std::set<std::size_t>(a.begin(), a.end()).size(), 50u);
  EXPECT_TRUE(std::is_sorted(a.begin(), a.end()));
  EXPECT_EQ(ml::sample_indices(5, 50, 3).size(), 5u);
}

TEST(FindThemes, GivenKIsObeyed) {
  std::vector<int> truth;
  auto x = planted_clusters(4, 50, 10, 0.1f, 4, truth);
  ml::theme_search_options o;
  o.k = 4;
  auto r = ml::find_themes(x, o);
  EXPECT_EQ(r.centroids.rows(), 4);
  EXPECT_GT(rand_index(truth, r.labels), 0.99);
}

TEST(ClusterTree, AverageLinkageJoinsTheMostSimilarFirstAndCutsConsistently) {
  // Four clusters: 0 and 1 point the same way, 2 and 3 the other way.
  ml::dense_rows sums(4, 2);
  sums << 10, 0,  9, 1,  0, 10,  1, 9;
  std::vector<std::size_t> counts = {10, 10, 10, 10};
  auto tree = ml::build_cluster_tree(sums, counts, ml::linkage::average);
  ASSERT_EQ(tree.merges.size(), 3u);
  // The first two joins are within the pairs; the last joins the pairs, at a lower similarity.
  auto first = tree.merges[0], second = tree.merges[1];
  std::set<std::pair<int, int>> pairs = {first, second};
  EXPECT_TRUE(pairs.count({0, 1}));
  EXPECT_TRUE(pairs.count({2, 3}));
  EXPECT_GT(tree.heights[0], tree.heights[2]);
  EXPECT_GE(tree.heights[1], tree.heights[2]);
  auto two = ml::cut_tree(tree, 2);
  EXPECT_EQ(two, (std::vector<int>{0, 0, 1, 1}));
  EXPECT_EQ(ml::cut_tree(tree, 4), (std::vector<int>{0, 1, 2, 3}));
  EXPECT_EQ(ml::cut_tree(tree, 1), (std::vector<int>{0, 0, 0, 0}));
}

TEST(ClusterTree, WardCostsRiseAndMatchTheDefinition) {
  ml::dense_rows sums(3, 2);
  sums << 5, 0,  4, 3,  0, 5;  // three clusters of five unit vectors each
  std::vector<std::size_t> counts = {5, 5, 5};
  auto tree = ml::build_cluster_tree(sums, counts, ml::linkage::ward);
  ASSERT_EQ(tree.heights.size(), 2u);
  // Joining 0 and 1 costs |S0| + |S1| - |S0 + S1| = 5 + 5 - |(9, 3)|.
  EXPECT_EQ(tree.merges[0], (std::pair<int, int>{0, 1}));
  EXPECT_NEAR(tree.heights[0], 10.0 - std::sqrt(90.0), 1e-9);
  EXPECT_GT(tree.heights[1], tree.heights[0]);
}

TEST(NeighbourConsistency, OneForSeparatedClustersLowForRandomLabels) {
  std::vector<int> truth;
  auto x = planted_clusters(5, 60, 12, 0.1f, 6, truth);
  EXPECT_NEAR(ml::neighbour_consistency(x, truth, 100, 10, 1, 2), 1.0, 1e-9);
  std::vector<int> scrambled(truth.size());
  for (std::size_t i = 0; i < scrambled.size(); ++i) scrambled[i] = static_cast<int>(i % 7);
  EXPECT_LT(ml::neighbour_consistency(x, scrambled, 100, 10, 1, 2), 0.4);
  // The same answer whatever the thread count.
  EXPECT_EQ(ml::neighbour_consistency(x, scrambled, 100, 10, 1, 1),
            ml::neighbour_consistency(x, scrambled, 100, 10, 1, 3));
}

TEST(FindThemes, FindsTheNumberOfWellSeparatedClusters) {
  std::vector<int> truth;
  auto x = planted_clusters(12, 150, 30, 0.25f, 8, truth);
  ml::theme_search_options o;
  auto r = ml::find_themes(x, o);
  EXPECT_EQ(r.centroids.rows(), 12) << r.method;
  EXPECT_GT(rand_index(truth, r.labels), 0.99);
  // Deterministic, and the same whatever the thread count.
  o.threads = 3;
  auto again = ml::find_themes(x, o);
  EXPECT_EQ(r.labels, again.labels);
}

TEST(FindThemes, BlurredDataGetsAFewBroadThemes) {
  std::vector<int> truth;
  auto x = planted_clusters(4, 500, 30, 1.6f, 9, truth);  // heavy noise: clusters overlap
  ml::theme_search_options o;
  auto r = ml::find_themes(x, o);
  EXPECT_NE(r.method.find("broad"), std::string::npos) << r.method;
  EXPECT_GE(r.centroids.rows(), 3);
  EXPECT_LE(r.centroids.rows(), 30);
}

}  // namespace
