// SPDX-License-Identifier: Apache-2.0
// Show that TF-IDF weights, the randomized SVD and its helpers compute what they promise.
#include <gtest/gtest.h>

#include <Eigen/SVD>
#include <cmath>

#include "ml/lsa.hpp"

namespace {

ml::sparse_rows from_dense(const Eigen::MatrixXf& m) {
  ml::sparse_rows s;
  s.cols = static_cast<std::size_t>(m.cols());
  for (Eigen::Index r = 0; r < m.rows(); ++r) {
    for (Eigen::Index c = 0; c < m.cols(); ++c)
      if (m(r, c) != 0) {
        s.idx.push_back(static_cast<std::uint32_t>(c));
        s.val.push_back(m(r, c));
      }
    s.ptr.push_back(s.idx.size());
  }
  return s;
}

Eigen::MatrixXf to_dense(const ml::sparse_rows& s) {
  Eigen::MatrixXf m = Eigen::MatrixXf::Zero(static_cast<Eigen::Index>(s.rows()),
                                            static_cast<Eigen::Index>(s.cols));
  for (std::size_t r = 0; r < s.rows(); ++r)
    for (std::size_t k = s.ptr[r]; k < s.ptr[r + 1]; ++k)
      m(static_cast<Eigen::Index>(r), s.idx[k]) = s.val[k];
  return m;
}

// A random sparse-ish matrix with a planted low-rank structure plus noise.
Eigen::MatrixXf planted(int rows, int cols, int rank, std::uint64_t seed) {
  ml::normal_generator g(seed);
  Eigen::MatrixXf u(rows, rank), v(rank, cols);
  for (int i = 0; i < rows; ++i)
    for (int j = 0; j < rank; ++j) u(i, j) = g.next();
  for (int i = 0; i < rank; ++i)
    for (int j = 0; j < cols; ++j) v(i, j) = g.next() * static_cast<float>(rank - i);
  Eigen::MatrixXf m = u * v;
  for (int i = 0; i < rows; ++i)
    for (int j = 0; j < cols; ++j) {
      m(i, j) += 0.01f * g.next();
      if ((i * 7 + j * 3) % 5 == 0) m(i, j) = 0;  // some structural zeros
    }
  return m;
}

TEST(Tfidf, SublinearSmoothIdfUnitRowsAndMinDf) {
  // Three documents, three terms; term 2 is in one document only and min_df 2 drops it.
  Eigen::MatrixXf counts(3, 3);
  counts << 2, 1, 0,
            0, 1, 0,
            1, 0, 5;
  ml::tfidf_options o;
  o.min_df = 2;
  auto r = ml::tfidf(from_dense(counts), o);
  ASSERT_EQ(r.terms, (std::vector<std::uint32_t>{0, 1}));
  EXPECT_EQ(r.df, (std::vector<std::uint32_t>{2, 2}));
  const float idf = static_cast<float>(std::log(4.0 / 3.0) + 1.0);
  EXPECT_NEAR(r.idf[0], idf, 1e-6);
  Eigen::MatrixXf m = to_dense(r.matrix);
  ASSERT_EQ(m.rows(), 3);
  ASSERT_EQ(m.cols(), 2);
  // Row 0: tf (1 + ln 2, 1) times the same idf, then unit length.
  const float a = 1.0f + std::log(2.0f), b = 1.0f, norm = std::sqrt(a * a + b * b);
  EXPECT_NEAR(m(0, 0), a / norm, 1e-6);
  EXPECT_NEAR(m(0, 1), b / norm, 1e-6);
  EXPECT_NEAR(m(1, 1), 1.0f, 1e-6);
  EXPECT_NEAR(m(2, 0), 1.0f, 1e-6);  // its other term was dropped
}

TEST(Tfidf, MaxDfDropsTermsInTooManyDocumentsAndEmptyRowsStayEmpty) {
  Eigen::MatrixXf counts(3, 2);
  counts << 1, 1,
            1, 0,
            1, 0;
  ml::tfidf_options o;
  o.min_df = 1;
  o.max_df = 0.5;
  auto r = ml::tfidf(from_dense(counts), o);
  ASSERT_EQ(r.terms, (std::vector<std::uint32_t>{1}));
  EXPECT_EQ(r.matrix.ptr, (std::vector<std::size_t>{0, 1, 1, 1}));
}

TEST(Sparse, TransposeAndProductMatchDense) {
  Eigen::MatrixXf m = planted(37, 23, 4, 7);
  auto s = from_dense(m);
  EXPECT_TRUE(to_dense(s.transposed()).isApprox(m.transpose()));
  ml::dense_rows d = planted(23, 5, 3, 9);
  ml::dense_rows out;
  ml::sparse_times_dense(s, d, out, 3);
  EXPECT_TRUE(Eigen::MatrixXf(out).isApprox(m * Eigen::MatrixXf(d), 1e-4f));
}

TEST(Svd, ExactPathMatchesEigenOnASmallKnownMatrix) {
  Eigen::MatrixXf m(4, 3);
  m << 3, 0, 0,
       0, 2, 0,
       0, 0, 1,
       0, 0, 0;
  ml::svd_options o;
  o.dims = 2;
  auto r = ml::truncated_svd(from_dense(m), o);
  ASSERT_EQ(r.singular_values.size(), 2);
  EXPECT_NEAR(r.singular_values(0), 3.0f, 1e-5);
  EXPECT_NEAR(r.singular_values(1), 2.0f, 1e-5);
  // U S for the first row is (3, 0): the largest entry of each component is positive.
  EXPECT_NEAR(r.embedding(0, 0), 3.0f, 1e-5);
  EXPECT_NEAR(r.embedding(1, 1), 2.0f, 1e-5);
  EXPECT_NEAR(r.embedding(2, 0), 0.0f, 1e-5);
}

TEST(Svd, RandomizedPathFindsTheLeadingSingularValues) {
  // Large enough to take the randomized path (rows * cols > 2^22).
  const int rows = 3000, cols = 1500, rank = 6;
  Eigen::MatrixXf m = planted(rows, cols, rank, 3);
  auto s = from_dense(m);
  ml::svd_options o;
  o.dims = rank;
  o.oversample = 10;
  o.threads = 2;
  auto r = ml::truncated_svd(s, o);
  Eigen::BDCSVD<Eigen::MatrixXf> exact(m);
  for (int i = 0; i < rank; ++i)
    EXPECT_NEAR(r.singular_values(i) / exact.singularValues()(i), 1.0f, 1e-3) << i;
  // The embedding is A V: its column norms are the singular values.
  EXPECT_NEAR(r.embedding.col(0).norm() / exact.singularValues()(0), 1.0f, 1e-3);
}

TEST(Svd, SameResultWhateverTheThreadCount) {
  Eigen::MatrixXf m = planted(2500, 1800, 8, 11);
  auto s = from_dense(m);
  ml::svd_options o;
  o.dims = 8;
  o.threads = 1;
  auto one = ml::truncated_svd(s, o);
  o.threads = 4;
  auto four = ml::truncated_svd(s, o);
  EXPECT_TRUE(one.embedding == four.embedding);  // bit for bit
  o.seed = 99;
  auto other = ml::truncated_svd(s, o);
  EXPECT_NEAR(other.singular_values(0) / one.singular_values(0), 1.0f, 1e-3);
}

TEST(Svd, CapsDimensionsAtTheRankAvailable) {
  Eigen::MatrixXf m(2, 3);
  m << 1, 2, 0,
       0, 1, 1;
  ml::svd_options o;
  o.dims = 100;
  auto r = ml::truncated_svd(from_dense(m), o);
  EXPECT_EQ(r.embedding.rows(), 2);
  EXPECT_EQ(r.embedding.cols(), 2);
}

TEST(NormalGenerator, IsDeterministicAndRoughlyStandard) {
  ml::normal_generator a(5), b(5);
  double sum = 0, sq = 0;
  const int n = 20000;
  for (int i = 0; i < n; ++i) {
    float x = a.next();
    ASSERT_EQ(x, b.next());
    sum += x;
    sq += static_cast<double>(x) * x;
  }
  EXPECT_NEAR(sum / n, 0.0, 0.03);
  EXPECT_NEAR(sq / n, 1.0, 0.05);
}

TEST(NormalizeRows, UnitLengthAndZeroRowsStayZero) {
  ml::dense_rows m(2, 2);
  m << 3, 4, 0, 0;
  ml::normalize_rows(m);
  EXPECT_FLOAT_EQ(m(0, 0), 0.6f);
  EXPECT_FLOAT_EQ(m(0, 1), 0.8f);
  EXPECT_EQ(m(1, 0), 0.0f);
}

}  // namespace
