// SPDX-License-Identifier: Apache-2.0
#include "ml/spilled_keys.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <random>
#include <unordered_set>

#include "ml/error.hpp"
#include "ml/spool.hpp"
#include "temp_dir.hpp"

namespace {

// Earlier keys (distinct, sorted) then `n` keys drawn from a small range so that many
// repeat; the duplicates found must be exactly those an in-memory set finds.
void check(std::size_t earlier_n, std::size_t n, std::uint64_t range, std::size_t memory,
           unsigned seed, std::uint64_t min_runs) {
  ml::test::temp_dir dir;
  std::mt19937_64 rng(seed);
  std::vector<std::uint64_t> earlier;
  std::unordered_set<std::uint64_t> seen;
  while (earlier.size() < earlier_n) {
    std::uint64_t k = rng() % range;
    if (seen.insert(k).second) earlier.push_back(k);
  }
  std::sort(earlier.begin(), earlier.end());
  ml::spilled_keys s(dir.path(), memory);
  // In pieces, as the index hands them over shard by shard.
  for (std::size_t i = 0; i < earlier.size(); i += 37)
    s.add_earlier(earlier.data() + i, std::min<std::size_t>(37, earlier.size() - i));
  std::vector<std::uint64_t> expected;
  for (std::uint64_t seq = 1; seq <= n; ++seq) {
    std::uint64_t k = rng() % range;
    if (!seen.insert(k).second) expected.push_back(seq);
    s.add(k, seq);
  }
  s.resolve();
  std::vector<std::uint64_t> got;
  std::uint64_t seq;
  while (s.next_duplicate(seq)) got.push_back(seq);
  EXPECT_EQ(got, expected);
  EXPECT_GE(s.runs_written(), min_runs);
  EXPECT_FALSE(s.next_duplicate(seq));
}

}  // namespace

TEST(SpilledKeys, OneRunInMemory) { check(0, 50, 40, 1 << 20, 1, 1); }

TEST(SpilledKeys, EarlierKeysCountAsSeen) { check(500, 2000, 3000, 1 << 20, 2, 2); }

TEST(SpilledKeys, ManyRunsAndManyDuplicatesOnDisk) {
  // 64 entries a run: 300 runs, so the runs are merged in two rounds, and the duplicates
  // (most keys repeat) are themselves more than one run.
  check(100, 20000, 5000, 64 * 16, 3, 300);
}

TEST(SpilledKeys, NoKeysAtAll) {
  ml::test::temp_dir dir;
  ml::spilled_keys s(dir.path(), 1024);
  s.add_earlier(nullptr, 0);
  s.resolve();
  std::uint64_t seq;
  EXPECT_FALSE(s.next_duplicate(seq));
}

TEST(SpilledKeys, NoTemporaryFolderIsAnIoError) {
  try {
    ml::spilled_keys s("/nonexistent/folder/for/ml", 1024);
    FAIL() << "expected an error";
  } catch (const ml::error& e) {
    EXPECT_EQ(e.code(), ml::exit_io);
    EXPECT_NE(std::string(e.what()).find("/nonexistent/folder/for/ml"), std::string::npos);
  }
}

TEST(Spool, FollowsTmpdir) {
  ml::test::temp_dir dir;
  EXPECT_EQ(ml::temp_dir("/given"), "/given");
  const char* old = std::getenv("TMPDIR");
  std::string saved = old ? old : "";
  ::setenv("TMPDIR", "/nonexistent/tmpdir/for/ml", 1);
  EXPECT_EQ(ml::temp_dir(), "/nonexistent/tmpdir/for/ml");
  EXPECT_THROW(ml::spool s, ml::error);  // std::tmpfile would have used /tmp
  ::setenv("TMPDIR", dir.path().c_str(), 1);
  {
    ml::spool s;
    s.append("abc");
    s.start_reading();
    std::string out;
    s.read(out, 3);
    EXPECT_EQ(out, "abc");
  }
  if (old) ::setenv("TMPDIR", saved.c_str(), 1); else ::unsetenv("TMPDIR");
  EXPECT_TRUE(std::filesystem::is_empty(dir.path()));  // unnamed: nothing left behind
}
