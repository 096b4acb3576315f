// SPDX-License-Identifier: Apache-2.0
// Splitting a range of work over threads. Every index is handled by exactly one call of the
// body, and the split depends only on the range and the block size, never on the number of
// threads, so results built per block are the same whatever the thread count.
#pragma once
#include <algorithm>
#include <atomic>
#include <cstddef>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace ml {

/// The number of worker threads to use for `requested` (0 = all cores), at least 1.
inline unsigned thread_count(unsigned requested) {
  if (requested > 0) return requested;
  unsigned hw = std::thread::hardware_concurrency();
  return hw == 0 ? 1 : hw;
}

/// Calls body(begin, end) for consecutive blocks of [0, n) of `block` indices each, on up
/// to `threads` threads. The first exception thrown by a body is rethrown here.
inline void parallel_blocks(std::size_t n, std::size_t block, unsigned threads,
                            const std::function<void(std::size_t, std::size_t)>& body) {
  if (n == 0) return;
  block = std::max<std::size_t>(block, 1);
  const std::size_t blocks = (n + block - 1) / block;
  const unsigned workers = static_cast<unsigned>(std::min<std::size_t>(threads, blocks));
  if (workers <= 1) {
    for (std::size_t b = 0; b < blocks; ++b) body(b * block, std::min(n, (b + 1) * block));
    return;
  }
  std::atomic<std::size_t> next{0};
  std::exception_ptr failure;
  std::mutex failure_mutex;
  auto work = [&] {
    for (;;) {
      std::size_t b = next.fetch_add(1);
      if (b >= blocks) return;
      try {
        body(b * block, std::min(n, (b + 1) * block));
      } catch (...) {
        std::lock_guard<std::mutex> lock(failure_mutex);
        if (!failure) failure = std::current_exception();
        next.store(blocks);
        return;
      }
    }
  };
  std::vector<std::thread> pool;
  pool.reserve(workers - 1);
  for (unsigned t = 1; t < workers; ++t) pool.emplace_back(work);
  work();
  for (auto& t : pool) t.join();
  if (failure) std::rethrow_exception(failure);
}

}  // namespace ml
