// SPDX-License-Identifier: Apache-2.0
#include "ml/lsa.hpp"

#include <Eigen/Eigenvalues>
#include <Eigen/SVD>
#include <algorithm>
#include <cmath>
#include <numeric>

#include "ml/parallel.hpp"

namespace ml {
namespace {

constexpr std::size_t row_block = 2048;

// Orthonormalises the columns of y in place (SVQB: y <- y W L^-1/2 from the eigenpairs of
// y^T y). Directions with no weight become zero columns. The Gram matrix is summed per
// fixed block of rows, in block order, so the result does not depend on the thread count.
void orthonormalize(dense_rows& y, unsigned threads) {
  const std::size_t n = static_cast<std::size_t>(y.rows());
  const Eigen::Index l = y.cols();
  const std::size_t blocks = (n + row_block - 1) / row_block;
  std::vector<Eigen::MatrixXd> partial(blocks);
  parallel_blocks(n, row_block, threads, [&](std::size_t b, std::size_t e) {
    // Each block's Gram matrix in float (fast), summed across blocks in double.
    auto block = y.middleRows(static_cast<Eigen::Index>(b), static_cast<Eigen::Index>(e - b));
    Eigen::MatrixXf g = block.transpose() * block;
    partial[b / row_block] = g.cast<double>();
  });
  Eigen::MatrixXd gram = Eigen::MatrixXd::Zero(l, l);
  for (const auto& g : partial) gram += g;
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(gram);
  const Eigen::VectorXd& lambda = eig.eigenvalues();
  const double top = lambda.size() ? std::max(lambda.maxCoeff(), 0.0) : 0.0;
  Eigen::VectorXd scale(l);
  for (Eigen::Index i = 0; i < l; ++i)
    scale(i) = (top > 0 && lambda(i) > top * 1e-12) ? 1.0 / std::sqrt(lambda(i)) : 0.0;
  const Eigen::MatrixXf transform = (eig.eigenvectors() * scale.asDiagonal()).cast<float>();
  parallel_blocks(n, row_block, threads, [&](std::size_t b, std::size_t e) {
    auto rows = y.middleRows(static_cast<Eigen::Index>(b), static_cast<Eigen::Index>(e - b));
    dense_rows tmp = rows * transform;
    rows = tmp;
  });
}

}  // namespace

sparse_rows sparse_rows::transposed() const {
  sparse_rows t;
  t.cols = rows();
  t.ptr.assign(cols + 1, 0);
  for (auto c : idx) ++t.ptr[c + 1];
  for (std::size_t c = 0; c < cols; ++c) t.ptr[c + 1] += t.ptr[c];
  t.idx.resize(nnz());
  t.val.resize(nnz());
  std::vector<std::size_t> fill(t.ptr.begin(), t.ptr.end() - 1);
  for (std::size_t r = 0; r < rows(); ++r) {
    for (std::size_t k = ptr[r]; k < ptr[r + 1]; ++k) {
      std::size_t at = fill[idx[k]]++;
      t.idx[at] = static_cast<std::uint32_t>(r);
      t.val[at] = val[k];
    }
  }
  return t;
}

tfidf_result tfidf(const sparse_rows& counts, const tfidf_options& options) {
  const std::size_t n = counts.rows();
  std::vector<std::uint32_t> df_all(counts.cols, 0);
  for (auto c : counts.idx) ++df_all[c];
  const double max_docs = options.max_df * static_cast<double>(n);
  tfidf_result out;
  std::vector<std::uint32_t> column(counts.cols, UINT32_MAX);
  for (std::size_t c = 0; c < counts.cols; ++c) {
    if (df_all[c] < options.min_df || static_cast<double>(df_all[c]) > max_docs) continue;
    column[c] = static_cast<std::uint32_t>(out.terms.size());
    out.terms.push_back(static_cast<std::uint32_t>(c));
    out.df.push_back(df_all[c]);
    out.idf.push_back(static_cast<float>(
        std::log((1.0 + static_cast<double>(n)) / (1.0 + df_all[c])) + 1.0));
  }
  sparse_rows& m = out.matrix;
  m.cols = out.terms.size();
  m.ptr.reserve(n + 1);
  m.idx.reserve(counts.nnz());
  m.val.reserve(counts.nnz());
  std::vector<std::pair<std::uint32_t, float>> row;
  for (std::size_t r = 0; r < n; ++r) {
    row.clear();
    for (std::size_t k = counts.ptr[r]; k < counts.ptr[r + 1]; ++k) {
      std::uint32_t c = column[counts.idx[k]];
      if (c == UINT32_MAX || counts.val[k] <= 0) continue;
      float tf = counts.val[k];
      if (options.sublinear) tf = 1.0f + std::log(tf);
      row.emplace_back(c, tf * out.idf[c]);
    }
    std::sort(row.begin(), row.end());
    double norm = 0;
    for (auto& [c, v] : row) norm += static_cast<double>(v) * v;
    const float inv = norm > 0 ? static_cast<float>(1.0 / std::sqrt(norm)) : 0.0f;
    for (auto& [c, v] : row) {
      m.idx.push_back(c);
      m.val.push_back(v * inv);
    }
    m.ptr.push_back(m.idx.size());
  }
  return out;
}

void sparse_times_dense(const sparse_rows& a, const dense_rows& m, dense_rows& out,
                        unsigned threads) {
  out.resize(static_cast<Eigen::Index>(a.rows()), m.cols());
  parallel_blocks(a.rows(), row_block, threads, [&](std::size_t b, std::size_t e) {
    for (std::size_t r = b; r < e; ++r) {
      auto dst = out.row(static_cast<Eigen::Index>(r));
      dst.setZero();
      for (std::size_t k = a.ptr[r]; k < a.ptr[r + 1]; ++k)
        dst.noalias() += a.val[k] * m.row(a.idx[k]);
    }
  });
}

void normalize_rows(dense_rows& m) {
  for (Eigen::Index r = 0; r < m.rows(); ++r) {
    float norm = m.row(r).norm();
    if (norm > 0) m.row(r) /= norm;
  }
}

std::uint64_t normal_generator::next_u64() {
  // splitmix64: small, fast and fully specified, so every platform draws the same numbers.
  std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

float normal_generator::next() {
  if (have_spare_) {
    have_spare_ = false;
    return spare_;
  }
  // Box-Muller on two uniforms in (0, 1].
  double u1 = (static_cast<double>(next_u64() >> 11) + 1.0) * 0x1.0p-53;
  double u2 = static_cast<double>(next_u64() >> 11) * 0x1.0p-53;
  double radius = std::sqrt(-2.0 * std::log(u1));
  double angle = 2.0 * 3.14159265358979323846 * u2;
  spare_ = static_cast<float>(radius * std::sin(angle));
  have_spare_ = true;
  return static_cast<float>(radius * std::cos(angle));
}

svd_result truncated_svd(const sparse_rows& a, const svd_options& options) {
  const std::size_t n = a.rows(), v = a.cols;
  svd_result out;
  const std::size_t rank_cap = std::min(n, v);
  const Eigen::Index k =
      static_cast<Eigen::Index>(std::min<std::size_t>(std::max(options.dims, 1), rank_cap));
  if (k == 0) {
    out.embedding.setZero(static_cast<Eigen::Index>(n), 0);
    out.components.setZero(0, static_cast<Eigen::Index>(v));
    return out;
  }
  Eigen::MatrixXf right;  // V: terms x k
  Eigen::VectorXf sigma;
  if (n * v <= (std::size_t{1} << 22) || static_cast<std::size_t>(k + options.oversample) >= rank_cap) {
    // Small enough for an exact decomposition.
    Eigen::MatrixXd dense = Eigen::MatrixXd::Zero(static_cast<Eigen::Index>(n),
                                                  static_cast<Eigen::Index>(v));
    for (std::size_t r = 0; r < n; ++r)
      for (std::size_t i = a.ptr[r]; i < a.ptr[r + 1]; ++i)
        dense(static_cast<Eigen::Index>(r), a.idx[i]) = a.val[i];
    Eigen::BDCSVD<Eigen::MatrixXd> svd(dense, Eigen::ComputeThinV);
    right = svd.matrixV().leftCols(k).cast<float>();
    sigma = svd.singularValues().head(k).cast<float>();
  } else {
    const Eigen::Index l = k + options.oversample;
    const sparse_rows at = a.transposed();
    dense_rows omega(static_cast<Eigen::Index>(v), l);
    normal_generator gen(options.seed);
    for (Eigen::Index i = 0; i < omega.rows(); ++i)
      for (Eigen::Index j = 0; j < l; ++j) omega(i, j) = gen.next();
    dense_rows y;
    sparse_times_dense(a, omega, y, options.threads);
    orthonormalize(y, options.threads);
    dense_rows z;
    for (int it = 0; it < options.power_iterations; ++it) {
      sparse_times_dense(at, y, z, options.threads);
      orthonormalize(z, options.threads);
      sparse_times_dense(a, z, y, options.threads);
      orthonormalize(y, options.threads);
    }
    sparse_times_dense(at, y, z, options.threads);  // z = A^T Q = B^T (terms x l)
    y.resize(0, 0);
    // B B^T = z^T z is small (l x l): its eigenvectors are B's left singular vectors and
    // its eigenvalues the squared singular values; B's right singular vectors are then
    // z U / s. Much faster than a full SVD of z, and accurate for the leading components.
    Eigen::MatrixXd gram = Eigen::MatrixXd::Zero(l, l);
    {
      const std::size_t rows = static_cast<std::size_t>(z.rows());
      const std::size_t blocks = (rows + row_block - 1) / row_block;
      std::vector<Eigen::MatrixXd> partial(blocks);
      parallel_blocks(rows, row_block, options.threads, [&](std::size_t b, std::size_t e) {
        auto block = z.middleRows(static_cast<Eigen::Index>(b), static_cast<Eigen::Index>(e - b));
        partial[b / row_block] = (block.transpose().cast<double>() * block.cast<double>());
      });
      for (const auto& g : partial) gram += g;
    }
    Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> eig(gram);
    // Eigenvalues ascend: take the last k, largest first.
    Eigen::MatrixXd u(l, k);
    sigma.resize(k);
    for (Eigen::Index c = 0; c < k; ++c) {
      const Eigen::Index from = l - 1 - c;
      const double value = std::max(eig.eigenvalues()(from), 0.0);
      const double s_c = std::sqrt(value);
      sigma(c) = static_cast<float>(s_c);
      u.col(c) = s_c > 0 ? Eigen::VectorXd(eig.eigenvectors().col(from) / s_c)
                         : Eigen::VectorXd::Zero(l);
    }
    const Eigen::MatrixXf uf = u.cast<float>();
    right.resize(z.rows(), k);
    parallel_blocks(static_cast<std::size_t>(z.rows()), row_block, options.threads,
                    [&](std::size_t b, std::size_t e) {
                      const auto rows = static_cast<Eigen::Index>(e - b);
                      right.middleRows(static_cast<Eigen::Index>(b), rows) =
                          z.middleRows(static_cast<Eigen::Index>(b), rows) * uf;
                    });
    z.resize(0, 0);
  }
  // Sign convention (as scikit-learn's svd_flip): the largest entry of each component is
  // positive, so the same data gives the same vectors whatever the decomposition path.
  for (Eigen::Index c = 0; c < k; ++c) {
    Eigen::Index at = 0;
    right.col(c).cwiseAbs().maxCoeff(&at);
    if (right(at, c) < 0) right.col(c) = -right.col(c);
  }
  out.components = right.transpose();
  out.singular_values = sigma;
  dense_rows right_rows = right;
  sparse_times_dense(a, right_rows, out.embedding, options.threads);  // A V = U S
  return out;
}

}  // namespace ml
