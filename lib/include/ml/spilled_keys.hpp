// SPDX-License-Identifier: Apache-2.0
// Exact duplicate detection beyond memory: 64-bit keys with their order of arrival kept in
// sorted runs in an unnamed temporary file, merged at the end (an external sort), so that
// finding which keys came before costs a bounded amount of memory however many there are.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace ml {

class spilled_keys {
 public:
  /// Temporary file in temp_dir(dir); `memory` bytes for the keys held before a run is
  /// written (at least 64 keys). Throws ml::error 74 when the file cannot be made.
  spilled_keys(const std::string& dir, std::size_t memory);
  ~spilled_keys();
  spilled_keys(const spilled_keys&) = delete;
  spilled_keys& operator=(const spilled_keys&) = delete;

  /// Keys that came before every add(), distinct, in increasing order across all calls.
  void add_earlier(const std::uint64_t* keys, std::size_t n);
  /// A key at position `seq` (1, 2, 3...: increasing from call to call).
  void add(std::uint64_t key, std::uint64_t seq);
  /// After the last add: the positions whose key came before (an earlier key or a lower
  /// position), in increasing order. Call once.
  void resolve();
  /// The next duplicate position after resolve(); false when there are no more.
  bool next_duplicate(std::uint64_t& seq);

  std::uint64_t runs_written() const { return runs_written_; }

 private:
  struct entry {
    std::uint64_t key, seq;
    bool operator<(const entry& o) const { return key != o.key ? key < o.key : seq < o.seq; }
  };
  struct run {
    std::uint64_t off, count;  // in entries
  };
  class merger;
  void append(const entry* p, std::size_t n);
  void write_run(std::vector<entry>& v);  // sorts v, writes it as a run, clears it
  void flush_earlier();
  std::vector<run> reduce(std::vector<run> runs);

  int fd_ = -1;
  std::string dir_;
  std::uint64_t end_ = 0;  // entries written
  std::size_t cap_;
  std::vector<entry> pending_;
  std::vector<entry> earlier_;  // add_earlier's write buffer
  std::uint64_t earlier_start_ = 0;
  bool has_earlier_ = false;
  std::vector<run> runs_, dup_runs_;
  std::vector<entry> dups_;
  std::size_t dup_pos_ = 0;
  std::unique_ptr<merger> dup_merge_;
  std::uint64_t runs_written_ = 0;
};

}  // namespace ml
