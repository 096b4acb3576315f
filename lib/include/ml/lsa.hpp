// SPDX-License-Identifier: Apache-2.0
// From term counts to dense document vectors: sublinear TF-IDF, then latent semantic
// analysis by a randomized truncated SVD (Halko, Martinsson and Tropp 2011).
#pragma once
#include <Eigen/Dense>
#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace ml {

/// Rows of float vectors, one per document, stored row after row.
using dense_rows = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;

/// A sparse matrix in compressed sparse rows; column indices ascending within a row.
struct sparse_rows {
  std::size_t cols = 0;
  std::vector<std::size_t> ptr{0};  ///< row r spans [ptr[r], ptr[r+1])
  std::vector<std::uint32_t> idx;
  std::vector<float> val;
  std::size_t rows() const { return ptr.size() - 1; }
  std::size_t nnz() const { return idx.size(); }
  /// The transpose, also in compressed sparse rows.
  sparse_rows transposed() const;
};

struct tfidf_options {
  std::size_t min_df = 2;    ///< terms in fewer documents are dropped
  double max_df = 1.0;       ///< terms in a larger share of documents are dropped
  bool sublinear = true;     ///< 1 + ln(tf) instead of tf
};

/// The TF-IDF matrix and which input terms it kept.
struct tfidf_result {
  sparse_rows matrix;                ///< documents x kept terms, rows L2-normalised
  std::vector<std::uint32_t> terms;  ///< kept column -> input term id
  std::vector<std::uint32_t> df;     ///< kept column -> document frequency
  std::vector<float> idf;            ///< kept column -> idf weight
};

/// Weights a document x term count matrix (counts in `val`): smooth idf
/// ln((1 + n) / (1 + df)) + 1 as in scikit-learn, rows L2-normalised. A row left with no
/// kept term stays empty.
tfidf_result tfidf(const sparse_rows& counts, const tfidf_options& options);

struct svd_options {
  int dims = 100;           ///< components kept
  int oversample = 20;      ///< extra random directions for accuracy
  int power_iterations = 4; ///< subspace iterations; more is more accurate on flat spectra
  std::uint64_t seed = 42;
  unsigned threads = 1;
};

/// The rank-k factors of A = U S V^T; only what the callers need.
struct svd_result {
  dense_rows embedding;               ///< rows of U S (documents in the latent space)
  Eigen::VectorXf singular_values;    ///< descending
  dense_rows components;              ///< V^T: dims x terms
};

/// Randomized truncated SVD of `a`. Results depend on the seed, never on the thread count.
/// dims is capped at min(rows, cols).
svd_result truncated_svd(const sparse_rows& a, const svd_options& options);

/// Scales every row to unit length (rows of zeros stay zero).
void normalize_rows(dense_rows& m);

/// out = a * m (a: n x k sparse, m: k x d dense), rows computed in parallel.
void sparse_times_dense(const sparse_rows& a, const dense_rows& m, dense_rows& out,
                        unsigned threads);

/// Standard normal numbers from a fixed generator, the same on every platform.
class normal_generator {
 public:
  explicit normal_generator(std::uint64_t seed) : state_(seed) {}
  float next();
 private:
  std::uint64_t next_u64();
  std::uint64_t state_;
  bool have_spare_ = false;
  float spare_ = 0;
};

}  // namespace ml
