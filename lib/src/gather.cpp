// SPDX-License-Identifier: Apache-2.0
// ml-gather: reads survey exports and writes one idea record per answer. Every row read is
// either kept or rejected with a reason, and every answer either becomes ideas or is
// rejected with a reason; the tally checks that both add up before the output is committed.
#include "ml/gather.hpp"

#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include <algorithm>
#include <charconv>
#include <atomic>
#include <condition_variable>
#include <cstring>
#include <deque>
#include <exception>
#include <mutex>
#include <nlohmann/json.hpp>
#include <thread>
#include <fmt/format.h>
#include <fstream>
#include <memory>
#include <unordered_map>
#include <unordered_set>

#include "gather_detail.hpp"
#include "json_input.hpp"
#include "ml/csv.hpp"
#include "ml/diag.hpp"
#include "ml/error.hpp"
#include "ml/input.hpp"
#include "ml/json_writer.hpp"
#include "ml/output.hpp"
#include "ml/pseudonym.hpp"
#include "ml/records.hpp"
#include "ml/spilled_keys.hpp"
#include "ml/spool.hpp"
#include "ml/text.hpp"
#include "ml/timefmt.hpp"
#include "ml/xlsx.hpp"

namespace ml {

using namespace std::string_view_literals;

using namespace detail;

namespace {
long long sum_of(const std::map<std::string, long long>& m) {
  long long n = 0;
  for (auto& [k, v] : m) n += v;
  return n;
}
}  // namespace

long long gather_tally::rows_rejected_total() const { return sum_of(rows_rejected); }
long long gather_tally::items_rejected_total() const { return sum_of(items_rejected); }

gather_tally& gather_tally::operator+=(const gather_tally& o) {
  rows_read += o.rows_read;
  rows_kept += o.rows_kept;
  answers += o.answers;
  items += o.items;
  ideas += o.ideas;
  emails_redacted += o.emails_redacted;
  phones_redacted += o.phones_redacted;
  passed_through += o.passed_through;
  ragged_rows += o.ragged_rows;
  spilled_ideas += o.spilled_ideas;
  for (auto& [k, v] : o.rows_rejected) rows_rejected[k] += v;
  for (auto& [k, v] : o.items_rejected) items_rejected[k] += v;
  return *this;
}

std::vector<std::string> platform_names() {
  return {"plain",      "google-forms", "microsoft-forms", "typeform", "surveymonkey", "qualtrics",
          "limesurvey", "kobotoolbox",  "odk",             "polis",    "redcap",       "surveygizmo"};
}

namespace {

constexpr std::size_t max_xlsx_bytes = std::size_t{1} << 30;

// The exact re-submissions seen so far: 64-bit hashes in open-addressing tables, eight bytes
// per idea at 45% to 7/8 load. 256 shards (by the hash's top byte) grow one at a time, by
// half again, so growing never holds two copies of the whole index and the tables stay
// fuller than power-of-two doubling would leave them. The hashes are uniform already: the
// bits below the shard byte pick the slot (by multiply-shift, for any table size).
class hash_set {
 public:
  hash_set() : shards_(256) {
    for (auto& sh : shards_) sh.slots.assign(initial_slots, 0);
  }
  /// Starts loading k's slot into the cache (merging asks for a batch's keys ahead).
  void prefetch(std::uint64_t k) const {
    if (k == 0) k = 1;
    const auto& sh = shards_[k >> 56];
    __builtin_prefetch(sh.slots.data() + slot_of(k, sh.slots.size()));
  }
  std::size_t size() const noexcept {
    std::size_t n = 0;
    for (const auto& sh : shards_) n += sh.count;
    return n;
  }
  /// Bytes the tables take.
  std::size_t memory() const noexcept { return slots_ * sizeof(std::uint64_t); }
  /// Room for n keys at five sixths full, without growing step by step: each step
  /// rehashes the shard, and filling a table through its fuller stages costs twice the time
  /// of filling one sized at the start.
  void reserve(std::size_t n) {
    const std::size_t slots = slots_for(n);
    for (auto& sh : shards_)
      if (slots > sh.slots.size()) rehash(sh, slots);
  }
  /// The memory reserve(n) takes.
  static std::size_t memory_for(std::size_t n) { return 256 * slots_for(n) * sizeof(std::uint64_t); }
  bool insert(std::uint64_t k) {
    if (k == 0) k = 1;
    auto& sh = shards_[k >> 56];
    if ((sh.count + 1) * 8 > sh.slots.size() * 7) grow(sh);
    const std::size_t n = sh.slots.size();
    std::size_t i = slot_of(k, n);
    while (sh.slots[i]) {
      if (sh.slots[i] == k) return false;
      if (++i == n) i = 0;
    }
    sh.slots[i] = k;
    ++sh.count;
    return true;
  }
  /// Calls f(keys, n) shard by shard with each shard's keys sorted: all keys in increasing
  /// order (a shard holds the keys of one top byte), then empties the set and frees it.
  template <class F>
  void drain_sorted(F f) {
    std::vector<std::uint64_t> keys;
    for (auto& sh : shards_) {
      keys.clear();
      for (auto k : sh.slots)
        if (k) keys.push_back(k);
      std::sort(keys.begin(), keys.end());
      f(keys.data(), keys.size());
      std::vector<std::uint64_t>().swap(sh.slots);
      sh.slots.assign(initial_slots, 0);
      sh.count = 0;
    }
    slots_ = shards_.size() * initial_slots;
  }

 private:
  static constexpr std::size_t initial_slots = 16;
  struct shard {
    std::vector<std::uint64_t> slots;
    std::size_t count = 0;
  };
  __extension__ typedef unsigned __int128 u128;  // GCC and Clang; the high half of a product
  static std::size_t slots_for(std::size_t n) {
    const std::size_t per_shard = n / 256 + 1;
    return per_shard + per_shard / 5;
  }
  static std::size_t slot_of(std::uint64_t k, std::size_t n) {
    return static_cast<std::size_t>((static_cast<u128>(k << 8) * n) >> 64);
  }
  void grow(shard& sh) { rehash(sh, sh.slots.size() + sh.slots.size() / 2); }
  void rehash(shard& sh, std::size_t n) {
    std::vector<std::uint64_t> old;
    old.swap(sh.slots);
    sh.slots.assign(n, 0);
    slots_ += n - old.size();
    for (auto k : old) {
      if (!k) continue;
      std::size_t i = slot_of(k, n);
      while (sh.slots[i])
        if (++i == n) i = 0;
      sh.slots[i] = k;
    }
  }
  std::vector<shard> shards_;
  std::size_t slots_ = 256 * initial_slots;
};

struct withdrawn_list {
  std::unordered_set<std::string> raw;         // normalised raw ids and e-mails
  std::unordered_set<std::string> pseudonyms;  // "r-..." lines
  bool empty() const { return raw.empty() && pseudonyms.empty(); }
};

withdrawn_list load_withdrawn(const std::string& path) {
  withdrawn_list w;
  if (path.empty()) return w;
  std::ifstream in(path, std::ios::binary);
  if (!in) throw no_input_error(path, std::strerror(errno));
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("\xEF\xBB\xBF", 0) == 0) line.erase(0, 3);
    std::string_view t = trim(line);
    if (t.empty() || t[0] == '#') continue;
    if (t.size() == 18 && t.rfind("r-", 0) == 0)
      w.pseudonyms.insert(std::string(t));
    else
      w.raw.insert(pseudonymizer::normalise(t));
  }
  return w;
}

// Qualtrics numeric and text statuses, and the test/preview markers of other platforms.
std::string status_reject(std::string_view v) {
  std::string s = ascii_lower(trim(v));
  if (s.empty()) return {};
  if (s == "1" || s == "9" || s == "17" || s.find("preview") != std::string::npos) return "preview";
  if (s == "2" || s == "test" || s.find("survey test") != std::string::npos) return "test";
  if (s == "8" || s == "12" || s == "spam" || s.find("spam") != std::string::npos) return "spam";
  if (s == "rejected") return "rejected";
  return {};
}

bool is_false(std::string_view v) {
  std::string s = ascii_lower(trim(v));
  return s == "0" || s == "false" || s == "no" || s == "partial";
}

// Writes h as 16 lowercase hex digits at p.
void write_hex16(char* p, std::uint64_t h) {
  static constexpr char hex[] = "0123456789abcdef";
  for (int i = 15; i >= 0; --i) {
    p[i] = hex[h & 15];
    h >>= 4;
  }
}

void append_hex16(std::string& out, std::uint64_t h) {
  char buf[16];
  write_hex16(buf, h);
  out.append(buf, 16);
}

std::string format_reasons(const std::map<std::string, long long>& m) {
  std::string out;
  for (auto& [k, v] : m) {
    if (v == 0) continue;
    if (!out.empty()) out += ", ";
    out += fmt::format("{} {}", k, v);
  }
  return out;
}

// The JSON of values that repeat from row to row (units, categories), per file and column:
// looked up by a view of the value (no key string made), open addressing on XXH3, at most
// `limit` values. Entries keep their address until clear(), also when the cache itself is
// moved (a JSON file's new keys grow the vector of per-column caches mid-file): each is
// allocated on its own, and the cache can be moved but not copied.
class json_cache {
 public:
  using entry = std::pair<std::string, std::string>;  // the value as given, its JSON
  static constexpr std::size_t limit = 4096;
  json_cache() = default;
  json_cache(const json_cache&) = delete;
  json_cache& operator=(const json_cache&) = delete;
  json_cache(json_cache&&) noexcept = default;
  json_cache& operator=(json_cache&&) noexcept = default;
  /// The entry for `key`, or null. The last entry found or added is tried first: consecutive
  /// rows often give the same value.
  const entry* find(std::string_view key) {
    if (last_ && last_->first == key) return last_;
    if (slots_.empty()) return nullptr;
    const std::uint64_t h = XXH3_64bits(key.data(), key.size());
    for (std::size_t i = h & (slots_.size() - 1);; i = (i + 1) & (slots_.size() - 1)) {
      const slot& s = slots_[i];
      if (s.index == 0) return nullptr;
      if (s.hash == h && entries_[s.index - 1]->first == key) return last_ = entries_[s.index - 1].get();
    }
  }
  /// Adds `key` (not there yet) with its JSON; null when the cache is full.
  const entry* add(std::string_view key, std::string json) {
    if (entries_.size() >= limit) return nullptr;
    if ((entries_.size() + 1) * 2 > slots_.size()) grow();
    entries_.push_back(std::make_unique<entry>(std::string(key), std::move(json)));
    place(XXH3_64bits(key.data(), key.size()), static_cast<std::uint32_t>(entries_.size()));
    return last_ = entries_.back().get();
  }
  void clear() {
    slots_.clear();
    entries_.clear();
    last_ = nullptr;
  }

 private:
  struct slot {
    std::uint64_t hash = 0;
    std::uint32_t index = 0;  // 1 + the entry's index; 0: empty
  };
  void place(std::uint64_t h, std::uint32_t index) {
    std::size_t i = h & (slots_.size() - 1);
    while (slots_[i].index != 0) i = (i + 1) & (slots_.size() - 1);
    slots_[i] = {h, index};
  }
  void grow() {
    std::vector<slot> old(std::max<std::size_t>(16, slots_.size() * 2));
    old.swap(slots_);
    for (const slot& s : old)
      if (s.index != 0) place(s.hash, s.index);
  }
  std::vector<slot> slots_;
  std::vector<std::unique_ptr<entry>> entries_;
  const entry* last_ = nullptr;  // one of entries_, or null
};
static_assert(std::is_nothrow_move_constructible_v<json_cache> && !std::is_copy_constructible_v<json_cache>,
              "a vector of caches must move them (their entries stay put), never copy them");

// What the readers hand to the workers: rows copied into one arena, a few thousand at a time.
struct row_batch {
  struct row_rec {
    long long row, line;
    std::uint32_t cell_begin, cell_end;
    bool stream;  // a massline record to pass on: arena holds the line, then the respondent
    std::size_t raw_off, raw_len, resp_len;
  };
  struct cell_rec {
    int col;
    const char* at;  // the answer in the input's mapping (keep), or null: in arena at off
    std::size_t off, len;
  };
  enum class kind : std::uint8_t { idea, reject, pass };
  struct event {
    kind k;
    std::uint64_t hash;
    std::size_t off, len;
  };
  std::string arena;
  std::vector<row_rec> rows;
  std::vector<cell_rec> cells;
  std::size_t answer_bytes = 0;     // the cells' bytes, in arena or not
  std::shared_ptr<const void> keep;  // the mapping that cells point into
  // Results, filled by a worker, merged in input order.
  std::string ideas, rejects;
  std::vector<event> events;
  gather_tally delta;
  long long input_pos = 0;  // bytes of the file read when the batch was sent (0: unknown)
  long long input_begin = 0;  // bytes of the file read before its first row

  void clear() {
    arena.clear();
    rows.clear();
    cells.clear();
    answer_bytes = 0;
    keep.reset();
    ideas.clear();
    rejects.clear();
    events.clear();
    delta = gather_tally{};
    input_pos = 0;
    input_begin = 0;
  }
};

// The per-file facts every worker reads (and nobody writes while a batch is in flight).
struct table_state {
  const gather_options* o = nullptr;
  const withdrawn_list* withdrawn = nullptr;
  std::string file, file_json, file_base;
  std::string source_json;  // ,"source":{"file":FILE,"row":  (each idea's)
  platform p = platform::plain;
  std::vector<column> cols;
  std::vector<std::string> keys;  // per column: the unique key for segments/ratings/ids
  std::vector<std::string> question_json, tail_json;  // pre-escaped JSON pieces
  std::vector<std::string> key_json;                  // keys[i] as JSON, then ':'

  bool has_options = false, has_submitted = false;
  bool decimal_comma = false;
};

// Turns rows into idea and reject records. One per worker thread; all its state is its own.
class row_processor {
 public:
  row_processor(const table_state& ts, std::string_view salt)
      : ts_(ts), pseudo_(salt), hash_state_(XXH3_createState()) {
    if (!hash_state_) throw std::bad_alloc();
  }
  void reset_file() {
    seg_cache_.clear();
    unit_cache_.clear();
    last_time_col_ = -1;  // columns (and their day-first and UTC readings) are the file's
  }
  void run(row_batch& b);

 private:
  void process_row(long long row, long long line, const std::vector<cell>& cells);
  void process_stream_record(long long row, long long line, std::string_view raw,
                             std::string_view respondent);
  void reject_row(const std::string& reason, long long row, long long line, std::string_view text,
                  std::string_view respondent);
  void reject_item(const std::string& reason, long long row, long long line, const column& c,
                   std::string_view text, std::string_view respondent);
  /// json_plain: the text needs no escaping in JSON (answer_shape::json_plain).
  void emit_idea(std::string_view text, int col, int item, bool json_plain = false);
  /// Redacts (unless --keep-pii, or `shape` says it holds no PII) and emits one item; `shape`
  /// is scan_answer(text).
  void emit_item(std::string_view text, int col, int item, const answer_shape& shape);

  const table_state& ts_;
  pseudonymizer pseudo_;
  row_batch* b_ = nullptr;
  std::vector<json_cache> seg_cache_;

  struct free_state {
    void operator()(XXH3_state_t* s) const { XXH3_freeState(s); }
  };
  std::unique_ptr<XXH3_state_t, free_state> hash_state_;  // for the ids

  // Per row scratch (reused to avoid allocations).
  std::string row_a_, row_b_;
  json_writer seg_;
  std::string ratings_;
  std::string respondent_;
  /// A unit as given (trimmed) as JSON, tidied; null when it tidies to nothing.
  const std::string* unit_json(std::string_view v);
  const std::string* unit_json_ = nullptr;  // this row's unit as JSON; null: none yet
  // Units repeat from row to row: each one's JSON ("" when it tidies to nothing) is kept,
  // up to a few thousand per file.
  json_cache unit_cache_;
  std::string unit_uncached_;
  std::string time_;
  int last_time_col_ = -1;                   // the last time value parsed, its column
  std::string last_time_raw_, last_time_;    // and its result
  bool finished_ = true;
  std::vector<std::pair<int, std::string_view>> answers_;
  std::vector<std::string> seg_vals_, other_vals_;
  std::vector<char> rated_;
  std::vector<std::size_t> touched_;
  std::vector<std::string> items_;
  std::vector<cell> cells_;
};

// Runs batches on worker threads and merges them in the order they were submitted, so the
// output is the same whatever the number of threads. The reading thread only parses and
// submits; the worker that finishes the oldest batch merges it (duplicate check, writing)
// and any finished ones after it. An error on a worker or in a merge is rethrown to the
// reading thread by the next submit or drain.
class batch_pipeline {
 public:
  using work_fn = std::function<void(row_batch&, std::size_t worker)>;
  using merge_fn = std::function<void(row_batch&)>;
  batch_pipeline(std::size_t threads, work_fn work, merge_fn merge)
      : work_(std::move(work)), merge_(std::move(merge)), threads_(threads) {
    if (threads_ <= 1) return;
    for (std::size_t i = 0; i < threads_; ++i) pool_.emplace_back([this, i] { loop(i); });
  }
  ~batch_pipeline() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      stop_ = true;
    }
    cv_.notify_all();
    for (auto& t : pool_) t.join();
  }
  /// Takes a batch; waits while too many are in flight, to bound memory.
  void submit(std::unique_ptr<row_batch> b) {
    if (threads_ <= 1) {
      work_(*b, 0);
      merge_(*b);
      keep_spare(std::move(b));
      return;
    }
    auto job = std::make_shared<slot>();
    job->batch = std::move(b);
    {
      std::unique_lock<std::mutex> lock(mu_);
      space_cv_.wait(lock, [&] { return failure_ || inflight_.size() < max_inflight(); });
      rethrow_locked(lock);
      inflight_.push_back(job);
      queue_.push_back(job);
    }
    cv_.notify_one();
  }
  /// Fills a batch with the next rows of the input; false when there were none (the end).
  using fill_fn = std::function<bool(row_batch&)>;
  /// Reads and works batches on the calling thread and threads-1 of the workers at once:
  /// each takes the next batch from `fill` (one thread at a time, in input order) and works
  /// on it itself, so the rows it just parsed are still in its core's cache, and no more
  /// threads run than there are workers. The calling thread works as worker `threads`
  /// (work_ needs threads+1 of them). Returns when every batch is merged; rethrows the
  /// first error, after every thread has let go of `fill`.
  void run(const fill_fn& fill) {
    if (threads_ <= 1) {
      for (;;) {
        auto b = fresh();
        if (!fill(*b)) break;
        work_(*b, 0);
        merge_(*b);
        keep_spare(std::move(b));
      }
      return;
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      fill_ = &fill;
      source_open_ = true;
      ++source_users_;
    }
    cv_.notify_all();
    source_loop(threads_);
    std::unique_lock<std::mutex> lock(mu_);
    space_cv_.wait(lock, [&] { return source_users_ == 0 && (failure_ || inflight_.empty()); });
    fill_ = nullptr;
    source_open_ = false;
    rethrow_locked(lock);
  }
  /// Where in the input the oldest batch not yet worked on begins (row_batch::input_begin),
  /// or -1 when there is none: the rows before it are done with (those waiting to be merged
  /// are records by then).
  long long oldest_begin() {
    if (threads_ <= 1) return -1;
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& job : inflight_)
      if (!job->done) return job->batch->input_begin;
    return -1;
  }
  /// Waits until every batch is merged.
  void drain() {
    if (threads_ <= 1) return;
    std::unique_lock<std::mutex> lock(mu_);
    space_cv_.wait(lock, [&] { return failure_ || inflight_.empty(); });
    rethrow_locked(lock);
  }
  // Batches submitted and not yet merged, at most (memory stays bounded); as many spares.
  std::size_t max_inflight() const { return 2 * threads_ + 1; }
  std::unique_ptr<row_batch> fresh() {
    {
      std::lock_guard<std::mutex> lock(mu_);
      if (!spare_.empty()) {
        auto b = std::move(spare_.back());
        spare_.pop_back();
        b->clear();
        return b;
      }
    }
    return std::make_unique<row_batch>();
  }

 private:
  struct slot {
    std::unique_ptr<row_batch> batch;
    std::exception_ptr failure;
    bool done = false;
  };
  // With mu_ held: rethrows the first error, once no merge is under way (a merge works on
  // the front of inflight_ with mu_ let go, so inflight_ is cleared only after it).
  void rethrow_locked(std::unique_lock<std::mutex>& lock) {
    if (!failure_) return;
    space_cv_.wait(lock, [&] { return !merging_; });
    auto f = failure_;
    failure_ = nullptr;
    inflight_.clear();
    queue_.clear();
    std::rethrow_exception(f);
  }
  // Whether worker w takes part in run(): all but the last, which the calling thread stands
  // in for.
  bool reads(std::size_t w) const { return fill_ && source_open_ && !failure_ && w + 1 < threads_; }
  void loop(std::size_t worker) {
    for (;;) {
      std::shared_ptr<slot> job;
      {
        std::unique_lock<std::mutex> lock(mu_);
        cv_.wait(lock, [&] { return stop_ || !queue_.empty() || reads(worker); });
        if (stop_) return;  // stopping: queued batches are not wanted
        if (queue_.empty()) {
          ++source_users_;
          lock.unlock();
          source_loop(worker);
          continue;
        }
        job = queue_.front();
        queue_.pop_front();
      }
      work_and_merge(*job, worker);
    }
  }
  // Works on a batch of this thread's, then merges what is ready (unless a merge is under
  // way on another thread: it takes this one too when its turn comes).
  void work_and_merge(slot& job, std::size_t worker) {
    try {
      work_(*job.batch, worker);
    } catch (...) {
      job.failure = std::current_exception();
    }
    std::unique_lock<std::mutex> lock(mu_);
    job.done = true;
    if (!merging_) merge_ready(lock);
  }
  // run()'s loop on one thread (counted in source_users_ by the caller): under read_mu_, wait
  // for room, fill a batch and put it in line; then work on it and merge what is ready.
  void source_loop(std::size_t worker) {
    for (;;) {
      std::shared_ptr<slot> job;
      {
        std::lock_guard<std::mutex> read(read_mu_);
        auto b = fresh();
        {
          std::unique_lock<std::mutex> lock(mu_);
          space_cv_.wait(lock, [&] {
            return failure_ || !source_open_ || inflight_.size() < max_inflight();
          });
          if (failure_ || !source_open_) break;
        }
        bool got = false;
        try {
          got = (*fill_)(*b);
        } catch (...) {
          // (inflight_ is left for rethrow_locked to clear: a merge may be working on it.)
          {
            std::lock_guard<std::mutex> lock(mu_);
            if (!failure_) failure_ = std::current_exception();
            source_open_ = false;
          }
          space_cv_.notify_all();
          break;
        }
        std::lock_guard<std::mutex> lock(mu_);
        if (!got) {
          source_open_ = false;
          break;
        }
        job = std::make_shared<slot>();
        job->batch = std::move(b);
        inflight_.push_back(job);
      }
      work_and_merge(*job, worker);
    }
    {
      std::lock_guard<std::mutex> lock(mu_);
      --source_users_;
    }
    space_cv_.notify_all();
  }
  // Merges finished batches from the front, in order, on the calling worker: one worker at a
  // time (merging_), the others go on working. A batch finished while this runs is merged by
  // this loop; checking and clearing merging_ under one lock means none is left behind.
  void merge_ready(std::unique_lock<std::mutex>& lock) {
    merging_ = true;
    // Once the pipeline is stopping (the reader failed), nothing more is written.
    while (!stop_ && !failure_ && !inflight_.empty() && inflight_.front()->done) {
      auto job = inflight_.front();
      lock.unlock();
      std::exception_ptr failure = job->failure;
      if (!failure) {
        try {
          merge_(*job->batch);
        } catch (...) {
          failure = std::current_exception();
        }
      }
      lock.lock();
      if (failure) {
        // The first error stops the run: later batches are dropped, not merged.
        failure_ = failure;
        source_open_ = false;
        inflight_.clear();
        queue_.clear();
        break;
      }
      inflight_.pop_front();
      keep_spare(std::move(job->batch));
    }
    merging_ = false;
    space_cv_.notify_all();  // room for more batches, or a rethrow_locked waiting for this
  }
  // Keeps a merged batch for reuse, unless enough are kept or it grew huge (a 100 MB
  // answer): that one is freed rather than held for the rest of the run.
  void keep_spare(std::unique_ptr<row_batch> b) {
    constexpr std::size_t huge = std::size_t{16} << 20;
    if (spare_.size() >= max_inflight() || b->arena.capacity() > huge || b->ideas.capacity() > huge ||
        b->rejects.capacity() > huge)
      return;
    b->keep.reset();  // a file's mapping is not held by a batch kept for later
    spare_.push_back(std::move(b));
  }

  work_fn work_;
  merge_fn merge_;
  std::size_t threads_;
  std::vector<std::thread> pool_;
  std::mutex mu_;
  std::condition_variable cv_, space_cv_;
  std::deque<std::shared_ptr<slot>> queue_;     // waiting for a worker
  std::deque<std::shared_ptr<slot>> inflight_;  // submitted, not yet merged, in order
  std::vector<std::unique_ptr<row_batch>> spare_;
  std::exception_ptr failure_;
  bool stop_ = false;
  bool merging_ = false;  // a worker is merging
  std::mutex read_mu_;                  // run(): one thread fills a batch at a time
  const fill_fn* fill_ = nullptr;       // run()'s source, while it runs
  bool source_open_ = false;            // fill_ has not said "the end" (nor failed)
  std::size_t source_users_ = 0;        // threads in source_loop
};

constexpr std::size_t batch_rows = 512;
constexpr std::size_t batch_bytes = std::size_t{1} << 20;
constexpr std::size_t batch_cells = 16384;

class gatherer {
 public:
  gatherer(const gather_options& o, output& out, output* rejects, std::string salt,
           const withdrawn_list& withdrawn)
      : o_(o), out_(out), rejects_(rejects), salt_(std::move(salt)) {
    ts_.o = &o;
    ts_.withdrawn = &withdrawn;
    std::size_t threads = o.threads;
    if (threads == 0) threads = std::max(1u, std::min(8u, std::thread::hardware_concurrency()));
    // One more than the worker threads: the reading thread works batches too (pipeline run()).
    for (std::size_t i = 0; i <= threads; ++i)
      workers_.push_back(std::make_unique<row_processor>(ts_, salt_));
    pipeline_ = std::make_unique<batch_pipeline>(
        threads, [this](row_batch& b, std::size_t w) { workers_[w]->run(b); },
        [this](row_batch& b) { merge(b); });
    if (o.platform.empty()) return;
    forced_ = platform_from_name(o.platform);
    if (!forced_) {
      std::string names;
      for (auto& n : platform_names()) names += (names.empty() ? "" : ", ") + n;
      throw usage_error(fmt::format("unknown platform '{}'; --platform takes one of: {}", o.platform, names));
    }
  }

  void gather_file(const std::string& path, gather_tally& t);
  std::string columns_listing;  // --columns output
  /// True once the duplicate index has passed its memory (index_memory): from then on the
  /// records wait in a temporary file until finish_spill().
  bool spilling() const { return spill_ != nullptr; }
  /// At the end of the run, after a spill: finds the late re-submissions among the spilled
  /// ideas, writes the spilled records without them (their rejects in their place) and
  /// moves them from ideas to duplicates in `tallies` (one per gather_file call, in order).
  void finish_spill(std::vector<gather_tally>& tallies);

 private:
  void warn(const std::string& m) { diag::warning(m); }
  void begin_table(std::vector<column> cols, platform p, int header_rows);
  void prepare();
  void list_columns();
  int add_column(const std::string& name, std::string_view first_value);
  void submit_row(long long row, long long line, const std::vector<cell>& cells);
  /// Adds a row to `b`; true when `b` is full.
  bool add_row(row_batch& b, long long row, long long line, const std::vector<cell>& cells);
  /// The same for a row of n cells, the i-th given by cell_at(i).
  template <class Cell>
  bool add_row_of(row_batch& b, long long row, long long line, std::size_t n, Cell cell_at);
  void submit_stream(const json_submission& s);
  void flush_batch();
  /// Submits the open batch, waits until all are merged and adds their counts to *t_.
  void finish_batches();
  void merge(row_batch& b);
  void start_spill();
  void spill_events(row_batch& b, std::size_t from);
  std::string duplicate_reject(std::string_view idea_line) const;

  void gather_csv(text_input& in);
  void gather_xlsx(byte_input& in, std::string head);
  void gather_json(text_input& in);
  /// Submits the sample rows, then the rows `more` gives.
  void run_sample_then(const std::function<bool(std::vector<cell>&, long long&, long long&)>& more);
  void submit_sample();

  const gather_options& o_;
  output& out_;
  output* rejects_;
  std::string salt_;
  std::optional<platform> forced_;
  hash_set seen_;
  gather_tally merged_;                       // counts merged since the last drain
  std::string_view mapped_;                   // the CSV reader's mapping of the file, if any
  std::shared_ptr<const void> mapping_;       // holds it (batches take a copy)
  long long release_at_ = 0;                  // gather_csv lets go of the mapping's pages here
  long long row_begin_ = 0;                   // bytes of the file read before the row at hand
  static constexpr long long release_step = 1 << 20;
  std::atomic<long long> rows_merged_{0};     // for the progress display
  // Sizing seen_ for the file from its first rows (merge() only, after the reader set them).
  long long input_size_ = -1, input_pos_ = 0;  // the file's bytes (-1: not a file), read so far
  long long file_ideas_ = 0;                   // ideas merged from this file
  bool index_sized_ = false;
  int file_index_ = -1;  // gather_file calls so far, less one
  // Past the index's memory: the index as sorted runs on disk, what each record was (kind
  // in the top byte, length below, in order), and the rejects' bytes in spools until
  // finish_spill(). The records go on to the output when it is a file that can be rewritten
  // (a late re-submission is taken out of it at the end), else they wait in a spool too.
  struct spill_state {
    spill_state(const std::string& dir, std::size_t memory, bool rejects, long long at)
        : keys(dir, memory), events(dir), direct_at(at) {
      if (rejects) rejected = std::make_unique<spool>(dir);
      if (direct_at < 0) data = std::make_unique<spool>(dir);
    }
    spilled_keys keys;
    spool events;
    std::unique_ptr<spool> rejected, data;
    long long direct_at;  // where the records begin in the output; -1: they are in `data`
    std::uint64_t seq = 0;  // ideas spilled
    std::vector<std::pair<std::uint64_t, int>> files;  // first seq of each file, its index
    std::vector<std::uint64_t> buf;
  };
  std::unique_ptr<spill_state> spill_;
  table_state ts_;
  std::vector<std::unique_ptr<row_processor>> workers_;
  std::unique_ptr<batch_pipeline> pipeline_;
  std::unique_ptr<row_batch> current_;

  // Per file.
  gather_tally* t_ = nullptr;
  std::string& file_ = ts_.file;
  platform& p_ = ts_.p;
  std::vector<column>& cols_ = ts_.cols;
  int header_rows_ = 1;
  std::vector<owned_row> sample_;
  std::unordered_map<std::string, int> col_by_name_;  // JSON keys
  std::map<std::string, std::string> labels_;
  std::size_t ragged_warned_ = 0;
  std::size_t expected_fields_ = 0;
};

void row_processor::reject_row(const std::string& reason, long long row, long long line,
                               std::string_view text, std::string_view respondent) {
  ++b_->delta.rows_rejected[reason];
  if (ts_.o->rejects.empty()) return;
  json_writer w;
  w.begin_object().key("type").value("reject").key("reason").value(reason);
  w.key("file").value(ts_.file).key("row").value(row);
  if (line > 0) w.key("line").value(line);
  w.key("column").null();
  if (!text.empty() && !ts_.o->keep_pii)
    w.key("text").value(redact_pii(text));
  else
    w.key("text").string_or_null(text);
  w.key("respondent").string_or_null(respondent);
  w.end_object();
  std::size_t off = b_->rejects.size();
  b_->rejects.append(w.str()).push_back('\n');
  b_->events.push_back({row_batch::kind::reject, 0, off, b_->rejects.size() - off});
}

void row_processor::reject_item(const std::string& reason, long long row, long long line,
                                const column& c, std::string_view text,
                                std::string_view respondent) {
  ++b_->delta.items_rejected[reason];
  if (ts_.o->rejects.empty()) return;
  json_writer w;
  w.begin_object().key("type").value("reject").key("reason").value(reason);
  w.key("file").value(ts_.file).key("row").value(row);
  if (line > 0) w.key("line").value(line);
  w.key("column").value(c.name);
  w.key("text").value(ts_.o->keep_pii ? std::string(text) : redact_pii(text));
  w.key("respondent").string_or_null(respondent);
  w.end_object();
  std::size_t off = b_->rejects.size();
  b_->rejects.append(w.str()).push_back('\n');
  b_->events.push_back({row_batch::kind::reject, 0, off, b_->rejects.size() - off});
}

void gatherer::prepare() {
  // Columns change only between batches: finish what is in flight first.
  finish_batches();
  // Unique keys: a question asked twice (loops, repeated labels) must not collide.
  std::unordered_map<std::string, int> used;
  ts_.keys.assign(cols_.size(), {});
  for (std::size_t i = 0; i < cols_.size(); ++i) {
    auto& c = cols_[i];
    if (c.question.empty()) c.question = c.name;
    std::string k = c.question.empty() ? fmt::format("column {}", i + 1) : c.question;
    if (used.count(k)) k = c.name.empty() || c.name == c.question ? fmt::format("{} ({})", k, i + 1) : fmt::format("{} [{}]", k, c.name);
    used[k] = static_cast<int>(i);
    ts_.keys[i] = k;
  }
  // Other-text and option columns take their parent's question.
  for (std::size_t i = 0; i < cols_.size(); ++i) {
    auto& c = cols_[i];
    if ((c.r == role::other_text || c.r == role::option) && c.parent >= 0) {
      ts_.keys[i] = ts_.keys[static_cast<std::size_t>(c.parent)];
    }
  }
  ts_.key_json.assign(cols_.size(), {});
  for (std::size_t i = 0; i < cols_.size(); ++i) {
    append_json_string(ts_.key_json[i], ts_.keys[i]);
    ts_.key_json[i].push_back(':');
  }
  ts_.question_json.assign(cols_.size(), {});
  ts_.tail_json.assign(cols_.size(), {});
  ts_.has_options = ts_.has_submitted = false;
  for (std::size_t i = 0; i < cols_.size(); ++i) {
    const auto& c = cols_[i];
    const std::string& q = c.r == role::other_text && c.parent >= 0
                               ? cols_[static_cast<std::size_t>(c.parent)].question
                               : c.question;
    append_json_string(ts_.question_json[i], q);
    auto& tail = ts_.tail_json[i];
    tail = ",\"column\":";
    append_json_string(tail, c.name);
    tail += ",\"platform\":";
    append_json_string(tail, platform_name(p_));
    if (c.r == role::option || c.r == role::other_text) ts_.has_options = true;
    if (c.r == role::submitted) ts_.has_submitted = true;
  }
  ts_.file_json.clear();
  append_json_string(ts_.file_json, file_);
  ts_.source_json = ",\"source\":{\"file\":" + ts_.file_json + ",\"row\":";
  auto slash = file_.rfind('/');
  ts_.file_base = slash == std::string::npos ? file_ : file_.substr(slash + 1);
}

int gatherer::add_column(const std::string& name, std::string_view first_value) {
  finish_batches();  // the workers read cols_
  column c;
  c.name = name;
  auto lab = labels_.find(name.substr(name.rfind('/') == std::string::npos ? 0 : name.rfind('/') + 1));
  c.question = lab != labels_.end() ? lab->second : name;
  assign_late_role(c, p_, first_value, o_);
  cols_.push_back(c);
  int idx = static_cast<int>(cols_.size() - 1);
  col_by_name_[name] = idx;
  prepare();
  return idx;
}

void gatherer::list_columns() {
  std::string& s = columns_listing;
  s += fmt::format("{}: {} ({} header row{})\n", file_, platform_name(p_), header_rows_,
                   header_rows_ == 1 ? "" : "s");
  for (std::size_t i = 0; i < cols_.size(); ++i) {
    const auto& c = cols_[i];
    std::string name = c.name.size() > 40 ? c.name.substr(0, 37) + "..." : c.name;
    s += fmt::format("  {:>3}  {:<40}  {:<11}  {}\n", i + 1, name, role_name(c.r), c.why);
  }
}

void row_processor::emit_idea(std::string_view text, int col, int item, bool json_plain) {
  const auto ci = static_cast<std::size_t>(col);
  const std::string& key = ts_.keys[ci];
  // id = hash(respondent, question, text): stable across runs and machines, and the same
  // for an exact re-submission, which is what makes it one. A long answer is hashed in
  // pieces, so that it is not copied (the same hash as of the joined bytes).
  std::uint64_t h;
  const std::size_t joined = respondent_.size() + key.size() + text.size() + 2;
  if (joined <= 1024) {
    // Most answers: joined on the stack and hashed in one call (the streaming state costs
    // more than the copy at this size).
    char buf[1024];
    char* q = buf;
    std::memcpy(q, respondent_.data(), respondent_.size());
    q += respondent_.size();
    *q++ = '\x1f';
    std::memcpy(q, key.data(), key.size());
    q += key.size();
    *q++ = '\x1f';
    std::memcpy(q, text.data(), text.size());
    h = XXH3_64bits(buf, joined);
  } else {
    XXH3_state_t* st = hash_state_.get();
    XXH3_64bits_reset(st);
    XXH3_64bits_update(st, respondent_.data(), respondent_.size());
    XXH3_64bits_update(st, "\x1f", 1);
    XXH3_64bits_update(st, key.data(), key.size());
    XXH3_64bits_update(st, "\x1f", 1);
    XXH3_64bits_update(st, text.data(), text.size());
    h = XXH3_64bits_digest(st);
  }
  // {"type":"idea","id":..,"text":..,"respondent":..,"unit":..,"question":..,"time":..,
  //  "segments":{..},"ratings":{..},"source":{"file":..,"row":..,"line":..,"column":..,
  //  "platform":..,"item":..,"finished":false}}
  std::string& b = b_->ideas;
  std::size_t off = b.size();
  const std::string& q_json = ts_.question_json[ci];
  const std::string& t_json = ts_.tail_json[ci];
  // Most records: put together on the stack and appended at once (one capacity check and
  // one append instead of ten).
  constexpr std::size_t room = 4096;
  if (json_plain && 80 + text.size() + row_a_.size() + q_json.size() + row_b_.size() + t_json.size() <= room) {
    char buf[room];
    char* p = buf;
    auto put = [&p](std::string_view v) {
      std::memcpy(p, v.data(), v.size());
      p += v.size();
    };
    put("{\"type\":\"idea\",\"id\":\"i-"sv);
    write_hex16(p, h);
    p += 16;
    put("\",\"text\":\""sv);
    put(text);
    *p++ = '"';
    put(row_a_);
    put(q_json);
    put(row_b_);
    put(t_json);
    if (item > 0) {
      put(",\"item\":"sv);
      p = std::to_chars(p, buf + room, item).ptr;
    }
    if (!finished_) put(",\"finished\":false"sv);
    put("}}\n"sv);
    b.append(buf, static_cast<std::size_t>(p - buf));
    b_->events.push_back({row_batch::kind::idea, h, off, b.size() - off});
    ++b_->delta.ideas;
    return;
  }
  // A long answer: room for it (and some escapes) at once, rather than doubling the buffer
  // while it is copied in, which holds the old and the new buffer together.
  if (text.size() > (1u << 20)) b.reserve(b.size() + text.size() + text.size() / 8 + 4096);
  b.append("{\"type\":\"idea\",\"id\":\"i-"sv);
  append_hex16(b, h);
  b.append("\",\"text\":"sv);
  if (json_plain) {
    b.push_back('"');
    b.append(text);
    b.push_back('"');
  } else {
    append_json_string(b, text);
  }
  b.append(row_a_);
  b.append(ts_.question_json[ci]);
  b.append(row_b_);
  b.append(ts_.tail_json[ci]);
  if (item > 0) {
    b.append(",\"item\":"sv);
    append_json_int(b, item);
  }
  if (!finished_) b.append(",\"finished\":false"sv);
  b.append("}}\n"sv);
  b_->events.push_back({row_batch::kind::idea, h, off, b.size() - off});
  ++b_->delta.ideas;
}

void row_processor::process_row(long long row, long long line, const std::vector<cell>& cells) {
  auto& t = b_->delta;
  ++t.rows_read;
  std::string_view respondent_raw, respondent_fallback;
  std::string reason;
  std::string_view moderated_text;
  bool consent_seen = false, consent_yes = false;
  finished_ = true;
  unit_json_ = nullptr;
  time_.clear();
  answers_.clear();
  bool withdrawn = false;

  for (const auto& cl : cells) {
    const column& c = ts_.cols[static_cast<std::size_t>(cl.col)];
    switch (c.r) {
      case role::respondent:
        if (respondent_raw.empty()) respondent_raw = trim(cl.value);
        break;
      case role::respondent_fallback:
        if (respondent_fallback.empty()) respondent_fallback = trim(cl.value);
        break;
      case role::status:
        if (reason.empty()) {
          reason = status_reject(cl.value);
          if (ts_.o->keep_test && (reason == "preview" || reason == "test")) reason.clear();
        }
        if (ascii_lower(trim(cl.value)) == "partial") finished_ = false;
        break;
      case role::moderated:
        if (trim(cl.value) == "-1") reason = "moderated";
        break;
      case role::consent:
        consent_seen = true;
        consent_yes = is_yes(cl.value);
        break;
      case role::finished:
        if (is_false(cl.value)) finished_ = false;
        break;
      case role::email:
        if (!ts_.withdrawn->raw.empty() && ts_.withdrawn->raw.count(pseudonymizer::normalise(cl.value)))
          withdrawn = true;
        break;
      case role::text:
      case role::other_text:
        if (!trim(cl.value).empty()) answers_.emplace_back(cl.col, cl.value);
        break;
      default:
        break;
    }
  }
  if (ts_.has_submitted) {
    bool submitted = false;
    for (const auto& cl : cells)
      if (ts_.cols[static_cast<std::size_t>(cl.col)].r == role::submitted && !trim(cl.value).empty())
        submitted = true;
    if (!submitted) finished_ = false;
  }
  // Microsoft Forms writes "anonymous" where it did not collect an address.
  bool scoped = false;
  if (respondent_raw.empty() ||
      (respondent_raw.size() == 9 && ascii_lower(respondent_raw) == "anonymous")) {
    // A response number (Microsoft Forms ID, LimeSurvey id) names a person only within its
    // own export: "1" in two forms is two people.
    respondent_raw = respondent_fallback;
    scoped = true;
  }
  if (!ts_.withdrawn->raw.empty() && !respondent_raw.empty() &&
      ts_.withdrawn->raw.count(pseudonymizer::normalise(respondent_raw)))
    withdrawn = true;
  // Without an id, each row is one respondent (Google Forms that collects no e-mail).
  // Scoped by the file's name, not its path, so ids do not change when the file moves.
  std::string raw_key;
  std::string_view key = respondent_raw;
  if (respondent_raw.empty())
    key = raw_key = fmt::format("{}#row{}", ts_.file_base, row);
  else if (scoped)
    key = raw_key = fmt::format("{}#id{}", ts_.file_base, respondent_raw);
  pseudo_.assign(respondent_, key);
  if (ts_.withdrawn->pseudonyms.count(respondent_)) withdrawn = true;

  if (withdrawn) return reject_row("withdrawn", row, line, {}, {});
  if (reason == "moderated") {
    std::string text;
    for (auto& [ci, v] : answers_) text += std::string(trim(v));
    return reject_row(reason, row, line, text, respondent_);
  }
  if (!reason.empty()) return reject_row(reason, row, line, {}, respondent_);
  if (consent_seen ? !consent_yes : !ts_.o->consent_column.empty())
    return reject_row("no-consent", row, line, {}, {});
  if (answers_.empty()) return reject_row("empty", row, line, {}, respondent_);
  ++t.rows_kept;

  // The row's context, shared by all its ideas.
  seg_.clear();
  ratings_.assign("{");
  seg_.begin_object();
  // Segments are gathered per column first: options of a multiple-choice group are joined
  // under their question, "Other" text replaces "Other" (the typed text is the value), and a
  // column repeated in one row (a JSON repeat group) joins its values: a key appears once.
  const std::size_t ncols = ts_.cols.size();
  if (seg_vals_.size() < ncols) {
    seg_vals_.resize(ncols);
    other_vals_.resize(ncols);
    rated_.resize(ncols, 0);
  }
  if (seg_cache_.size() < ncols) seg_cache_.resize(ncols);
  touched_.clear();
  auto add_to = [&](std::vector<std::string>& vals, std::size_t ci, std::string_view v) {
    auto& slot = vals[ci];
    if (slot.empty() && other_vals_[ci].empty() && seg_vals_[ci].empty()) touched_.push_back(ci);
    if (!slot.empty()) slot += "; ";
    slot += v;
  };
  for (const auto& cl : cells) {
    const auto ci = static_cast<std::size_t>(cl.col);
    const column& c = ts_.cols[ci];
    std::string_view v = trim(cl.value);
    if (v.empty()) continue;
    switch (c.r) {
      case role::unit:
        // (A unit that tidies to nothing, only control characters, is no unit.)
        if (!unit_json_) unit_json_ = unit_json(v);
        break;
      case role::time:
      case role::submitted:  // LimeSurvey's submitdate is also the time
        if (time_.empty()) {
          // Responses often arrive in the same second: the last value's result is kept.
          if (cl.col == last_time_col_ && v == last_time_raw_) {
            time_ = last_time_;
            break;
          }
          parse_time_into(time_, v, c.day_first);
          // A column that says it is in UTC ("Submit Date (UTC)", KoboToolbox's
          // _submission_time) gets the zone its values leave out.
          if (c.utc && time_.size() > 10 && time_.back() != 'Z' &&
              time_.find_first_of("+-", 19) == std::string::npos)
            time_.push_back('Z');
          last_time_col_ = cl.col;
          last_time_raw_.assign(v);
          last_time_ = time_;
        }
        break;
      case role::segment:
        // Microsoft Forms ends multiple choices with a separator: "Rotas;Lone working;".
        while (!v.empty() && (v.back() == ';' || v.back() == ' ')) v.remove_suffix(1);
        if (!v.empty()) add_to(seg_vals_, ci, v);
        break;
      case role::option:
        if (c.parent >= 0) {
          std::string k = ascii_lower(v);
          bool ticked = k == "y" || k == "yes" || k == "1" || k == "true" || k == "x";
          add_to(seg_vals_, static_cast<std::size_t>(c.parent),
                 ticked && !c.option_label.empty() ? std::string_view(c.option_label) : v);
        }
        break;
      case role::other_text:
        if (c.parent >= 0) add_to(other_vals_, static_cast<std::size_t>(c.parent), v);
        break;
      case role::rating: {
        double d;
        if (!rated_[ci] && parse_number(v, d, ts_.decimal_comma)) {
          rated_[ci] = 1;
          touched_.push_back(ci);
          if (ratings_.size() > 1) ratings_.push_back(',');
          ratings_.append(ts_.key_json[ci]);
          append_json_number(ratings_, d);
        }
        break;
      }
      default:
        break;
    }
  }
  std::sort(touched_.begin(), touched_.end());
  touched_.erase(std::unique(touched_.begin(), touched_.end()), touched_.end());
  for (std::size_t ci : touched_) {
    rated_[ci] = 0;
    std::string& value = seg_vals_[ci];
    std::string& other = other_vals_[ci];
    if (!other.empty()) {
      std::string lower = ascii_lower(value);
      if (value.empty() || lower.rfind("other", 0) == 0)
        value = other;
      else
        value += "; " + other;
      other.clear();
    }
    if (value.empty()) continue;
    // Categories repeat: keep each value's JSON once per column.
    auto& cache = seg_cache_[ci];
    const json_cache::entry* it = cache.find(value);
    if (!it) {
      json_writer one;
      one.key(ts_.keys[ci]).value(tidy_whitespace(value));
      it = cache.add(value, one.str());
      if (!it) {  // full: this file has thousands of categories in this column
        seg_.raw(one.str());
        value.clear();
        continue;
      }
    }
    seg_.raw(it->second);
    value.clear();
  }
  seg_.end_object();
  ratings_.push_back('}');
  row_a_.assign(",\"respondent\":"sv);
  append_json_string(row_a_, respondent_);
  row_a_.append(",\"unit\":"sv);
  row_a_.append(unit_json_ ? std::string_view(*unit_json_) : std::string_view("null"));
  row_a_.append(",\"question\":"sv);
  row_b_.assign(",\"time\":"sv);
  if (time_.empty())
    row_b_.append("null"sv);
  else
    append_json_string(row_b_, time_);
  row_b_.append(",\"segments\":"sv);
  row_b_.append(seg_.str());
  row_b_.append(",\"ratings\":"sv);
  row_b_.append(ratings_);
  row_b_.append(ts_.source_json);  // ,"source":{"file":...,"row":
  append_json_int(row_b_, row);
  if (line > 0) {
    row_b_.append(",\"line\":"sv);
    append_json_int(row_b_, line);
  }

  for (auto& [ci, raw] : answers_) {
    const column& c = ts_.cols[static_cast<std::size_t>(ci)];
    ++t.answers;
    // Most answers are one line of plain ASCII, not a list, with no address or phone: they
    // go through as views into the batch, without a copy. The rest are tidied, normalised,
    // split and redacted into owned strings.
    const std::string_view trimmed = trim(raw);
    std::string owned;
    std::string_view text = trimmed;
    // What the checks below ask, in one pass over the answer (the answer as tidied, where it
    // was not tidy already).
    answer_shape shape = scan_answer(trimmed);
    if (!shape.tidy) {
      owned = to_nfc_owned(tidy_whitespace(raw));
      text = owned;
      shape = scan_answer(text);
    }
    if (text.empty()) {
      --t.answers;
      continue;
    }
    if (is_non_answer_counted(text, shape.ascii_letters)) {
      ++t.items;
      reject_item("non-answer", row, line, c, text, respondent_);
      continue;
    }
    // (Where it may be a list but is not, the answer goes on as it is: no copy, no second
    // pass. split_list_into would give it back as the one item.)
    std::vector<std::string>& items = items_;
    if (ts_.o->no_split || !shape.maybe_list || !split_if_list(text, items)) {
      ++t.items;
      emit_item(text, ci, 0, shape);
      continue;
    }
    int k = 0;
    for (auto& it : items) {
      ++k;
      ++t.items;
      if (items.size() > 1 && is_non_answer(it)) {
        reject_item("non-answer", row, line, c, it, respondent_);
        continue;
      }
      emit_item(it, ci, items.size() > 1 ? k : 0, scan_answer(it));
    }
  }
}

const std::string* row_processor::unit_json(std::string_view v) {
  const json_cache::entry* it = unit_cache_.find(v);
  if (!it) {
    std::string json;
    if (const std::string tidy = tidy_whitespace(v); !tidy.empty()) append_json_string(json, tidy);
    it = unit_cache_.add(v, json);
    if (!it) {  // full: thousands of units in this file
      unit_uncached_ = std::move(json);
      return unit_uncached_.empty() ? nullptr : &unit_uncached_;
    }
  }
  return it->second.empty() ? nullptr : &it->second;
}

void row_processor::emit_item(std::string_view text, int col, int item,
                              const answer_shape& shape) {
  if (ts_.o->keep_pii || !shape.maybe_pii) return emit_idea(text, col, item, shape.json_plain);
  redaction_counts rc;
  const std::string redacted = redact_pii(text, &rc);
  b_->delta.emails_redacted += rc.emails;
  b_->delta.phones_redacted += rc.phones;
  emit_idea(redacted, col, item);
}

void row_processor::process_stream_record(long long row, long long line, std::string_view raw,
                                          std::string_view respondent) {
  auto& t = b_->delta;
  ++t.rows_read;
  if (!respondent.empty() && ts_.withdrawn->pseudonyms.count(std::string(respondent))) {
    reject_row("withdrawn", row, line, {}, {});
    return;
  }
  ++t.rows_kept;
  ++t.passed_through;
  std::size_t off = b_->ideas.size();
  b_->ideas.append(raw).push_back('\n');
  b_->events.push_back({row_batch::kind::pass, 0, off, b_->ideas.size() - off});
}

void row_processor::run(row_batch& b) {
  b_ = &b;
  for (const auto& r : b.rows) {
    if (r.stream) {
      process_stream_record(r.row, r.line, std::string_view(b.arena).substr(r.raw_off, r.raw_len),
                            std::string_view(b.arena).substr(r.raw_off + r.raw_len, r.resp_len));
      continue;
    }
    cells_.clear();
    for (std::uint32_t i = r.cell_begin; i < r.cell_end; ++i) {
      const auto& c = b.cells[i];
      cells_.push_back({c.col, c.at ? std::string_view(c.at, c.len) : std::string_view(b.arena).substr(c.off, c.len)});
    }
    process_row(r.row, r.line, cells_);
  }
  b_ = nullptr;
}

void gatherer::submit_row(long long row, long long line, const std::vector<cell>& cells) {
  if (!current_) current_ = pipeline_->fresh();
  if (add_row(*current_, row, line, cells)) flush_batch();
}

bool gatherer::add_row(row_batch& b, long long row, long long line, const std::vector<cell>& cells) {
  return add_row_of(b, row, line, cells.size(), [&](std::size_t i) -> const cell& { return cells[i]; });
}

template <class Cell>
bool gatherer::add_row_of(row_batch& b, long long row, long long line, std::size_t n, Cell cell_at) {
  if (b.rows.empty()) b.input_begin = row_begin_;
  row_batch::row_rec r{row, line, static_cast<std::uint32_t>(b.cells.size()), 0, false, 0, 0, 0};
  // Answers that lie in the input's mapping are not copied: the batch holds the mapping.
  const auto lo = reinterpret_cast<std::uintptr_t>(mapped_.data());
  const std::uintptr_t hi = lo + mapped_.size();
  for (std::size_t i = 0; i < n; ++i) {
    const cell c = cell_at(i);
    const auto at = reinterpret_cast<std::uintptr_t>(c.value.data());
    if (at >= lo && at + c.value.size() <= hi && lo != 0) {
      if (!b.keep) b.keep = mapping_;
      b.cells.push_back({c.col, c.value.data(), 0, c.value.size()});
    } else {
      b.cells.push_back({c.col, nullptr, b.arena.size(), c.value.size()});
      b.arena.append(c.value);
    }
    b.answer_bytes += c.value.size();
  }
  r.cell_end = static_cast<std::uint32_t>(b.cells.size());
  b.rows.push_back(r);
  // A batch also ends at 1 MiB of answers or 16,384 cells: each answer becomes a record that
  // repeats its row's context, so wide rows (10,000 questions) would otherwise make batches
  // of hundreds of megabytes of output.
  return b.rows.size() >= batch_rows || b.answer_bytes >= batch_bytes || b.cells.size() >= batch_cells;
}

void gatherer::submit_stream(const json_submission& s) {
  if (s.stream_type == "header") return;  // each tool writes its own
  if (!current_) current_ = pipeline_->fresh();
  auto& b = *current_;
  row_batch::row_rec r{s.index, s.line, 0, 0, true, b.arena.size(), s.raw.size(), s.respondent.size()};
  b.arena.append(s.raw);
  b.arena.append(s.respondent);
  b.rows.push_back(r);
  if (b.rows.size() >= batch_rows || b.arena.size() >= batch_bytes) flush_batch();
}

void gatherer::flush_batch() {
  if (current_ && !current_->rows.empty()) {
    current_->input_pos = input_pos_;
    pipeline_->submit(std::move(current_));
  }
  current_.reset();
}

void gatherer::finish_batches() {
  flush_batch();
  pipeline_->drain();
  if (t_) *t_ += merged_;
  merged_ = gather_tally{};
}

// In input order (on one worker at a time): ideas whose hash was seen before are exact
// re-submissions. Counts go to merged_, which the reading thread adds to *t_ once the
// batches are drained, so the two threads never write the same tally.
void gatherer::merge(row_batch& b) {
  auto& t = merged_;
  t += b.delta;
  const long long rows = rows_merged_.fetch_add(b.delta.rows_read, std::memory_order_relaxed) +
                         b.delta.rows_read;
  // Once the first 16,384 rows of a file are in, the index is sized for the ideas the whole
  // file will have at that rate (by bytes read): filling it then costs half of growing it
  // step by step. Only up to 2.5 million ideas (some 24 MB), so that an estimate that is too
  // high costs little (bytes read count decoded text, so a UTF-16 file's estimate is about
  // twice too high); a bigger file's index grows step by step, as any stdin's does.
  if (!spill_ && !index_sized_ && rows >= 16384 && input_size_ > 0 && b.input_pos > 0) {
    index_sized_ = true;
    const double per_byte = static_cast<double>(file_ideas_ + b.delta.ideas) /
                            static_cast<double>(b.input_pos);
    const double whole = per_byte * static_cast<double>(input_size_);
    // A file that will not fit gets the tables the memory allows: they fill, and then the
    // rest of the run goes to disk (start_spill).
    const std::size_t want = seen_.size() + static_cast<std::size_t>(whole);
    if (hash_set::memory_for(want) <= o_.index_memory)
      seen_.reserve(want);
    else
      seen_.reserve(o_.index_memory / 48 * 5);  // memory_for(n) is some 9.6 bytes a key
  }
  file_ideas_ += b.delta.ideas;
  if (spill_) {
    spill_events(b, 0);
    return;
  }
  // The index is far larger than the caches: ask for each idea's slot a few ideas ahead.
  constexpr std::size_t ahead = 16;
  for (std::size_t i = 0; i < b.events.size() && i < ahead; ++i) seen_.prefetch(b.events[i].hash);
  std::size_t next_prefetch = ahead;
  // Accepted ideas and passed records lie back to back in b.ideas: write them in runs.
  std::size_t run_start = 0, run_end = 0;
  auto flush_run = [&] {
    if (run_end > run_start) out_.write(std::string_view(b.ideas).substr(run_start, run_end - run_start));
    run_start = run_end = 0;
  };
  auto extend_run = [&](std::size_t off, std::size_t len) {
    if (run_end != off || run_end == 0) {
      flush_run();
      run_start = off;
    }
    run_end = off + len;
  };
  for (std::size_t i = 0; i < b.events.size(); ++i) {
    const auto& e = b.events[i];
    if (next_prefetch < b.events.size()) seen_.prefetch(b.events[next_prefetch++].hash);
    switch (e.k) {
      case row_batch::kind::reject:
        if (rejects_) rejects_->write(std::string_view(b.rejects).substr(e.off, e.len));
        break;
      case row_batch::kind::pass:
        extend_run(e.off, e.len);
        break;
      case row_batch::kind::idea: {
        if (seen_.memory() > o_.index_memory) {
          flush_run();
          start_spill();
          spill_events(b, i);
          return;
        }
        if (seen_.insert(e.hash)) {
          extend_run(e.off, e.len);
          break;
        }
        flush_run();
        --t.ideas;
        ++t.items_rejected["duplicate"];
        if (rejects_) rejects_->line(duplicate_reject(std::string_view(b.ideas).substr(e.off, e.len)));
        break;
      }
    }
  }
  flush_run();
}

// Rare: a duplicate's reject is rebuilt from the idea record itself.
std::string gatherer::duplicate_reject(std::string_view line) const {
  auto idea = nlohmann::json::parse(line);
  const auto& src = idea["source"];
  json_writer w;
  w.begin_object().key("type").value("reject").key("reason").value("duplicate");
  w.key("file").value(src["file"].get<std::string>()).key("row").value(src["row"].get<long long>());
  if (src.contains("line")) w.key("line").value(src["line"].get<long long>());
  w.key("column").value(src["column"].get<std::string>());
  w.key("text").value(idea["text"].get<std::string>());
  w.key("respondent").value(idea["respondent"].get<std::string>());
  w.end_object();
  return w.str();
}

// The index has used its memory: it goes to disk as one sorted run, and from here on every
// record waits in the spool (the output stays in input order, and a late re-submission can
// only be told once every earlier idea is known).
void gatherer::start_spill() {
  const std::size_t ideas = seen_.size();
  spill_ = std::make_unique<spill_state>(o_.temp_dir, o_.index_memory / 2, rejects_ != nullptr,
                                         out_.rewritable_position());
  seen_.drain_sorted([&](const std::uint64_t* k, std::size_t n) { spill_->keys.add_earlier(k, n); });
  const std::size_t m = o_.index_memory;
  const std::string size = m >= (std::size_t{1} << 20) ? fmt::format("{:.1f} MiB", static_cast<double>(m) / (1 << 20))
                                                         : fmt::format("{} KiB", (m + 1023) >> 10);
  diag::note(fmt::format("{}: the duplicate check reached its memory ({}, --index-memory) at {} "
                         "ideas; the rest of the run waits in temporary files in {} (about the "
                         "size of the output) and is written at the end",
                         file_, size, ideas, temp_dir(o_.temp_dir)));
}

void gatherer::spill_events(row_batch& b, std::size_t from) {
  auto& sp = *spill_;
  auto& t = merged_;
  if (sp.files.empty() || sp.files.back().second != file_index_) sp.files.push_back({sp.seq + 1, file_index_});
  sp.buf.clear();
  auto note = [&](row_batch::kind k, std::size_t len) {
    sp.buf.push_back(static_cast<std::uint64_t>(k) << 56 | static_cast<std::uint64_t>(len));
  };
  // Runs of records that lie back to back in b.ideas are written in one piece.
  std::size_t run_start = 0, run_end = 0;
  auto flush_run = [&] {
    if (run_end <= run_start) return;
    const auto run = std::string_view(b.ideas).substr(run_start, run_end - run_start);
    if (sp.data)
      sp.data->append(run);
    else
      out_.write(run);
  };
  for (std::size_t i = from; i < b.events.size(); ++i) {
    const auto& e = b.events[i];
    if (e.k == row_batch::kind::reject) {
      if (!sp.rejected) continue;
      sp.rejected->append(std::string_view(b.rejects).substr(e.off, e.len));
      note(e.k, e.len);
      continue;
    }
    if (e.off != run_end || run_end == 0) {
      flush_run();
      run_start = e.off;
    }
    run_end = e.off + e.len;
    note(e.k, e.len);
    if (e.k == row_batch::kind::idea) {
      sp.keys.add(e.hash ? e.hash : 1, ++sp.seq);  // as hash_set keeps it
      ++t.spilled_ideas;
    }
  }
  flush_run();
  sp.events.append(std::string_view(reinterpret_cast<const char*>(sp.buf.data()), sp.buf.size() * 8));
}

void gatherer::finish_spill(std::vector<gather_tally>& tallies) {
  if (!spill_) return;
  auto& sp = *spill_;
  sp.keys.resolve();
  sp.events.start_reading();
  if (sp.data) sp.data->start_reading();
  if (sp.rejected) sp.rejected->start_reading();
  const std::string what = "temporary file in " + temp_dir(o_.temp_dir);
  // The records written so far (in the output, or in sp.data) from `base`: `pos` is the next
  // one, [span, pos) those after the last late re-submission, `to` where they go in the
  // output once the re-submissions before them are taken out.
  const long long base = sp.direct_at >= 0 ? sp.direct_at : 0;
  if (sp.direct_at >= 0) out_.flush();
  long long pos = base, span = base, to = base;
  auto place_span = [&] {
    if (sp.direct_at >= 0)
      out_.move_back(span, to, pos - span);
    else
      out_.copy_from(sp.data->fd(), span, static_cast<std::size_t>(pos - span), what);
    to += pos - span;
  };
  std::uint64_t dup = 0, seq = 0;
  bool more = sp.keys.next_duplicate(dup);
  std::size_t file = 0;  // index into sp.files of the file holding seq
  std::vector<std::uint64_t> events(1 << 16);
  std::string rec;
  for (;;) {
    const std::size_t got = sp.events.read_some(reinterpret_cast<char*>(events.data()), events.size() * 8);
    if (got % 8) throw io_error(what, "cannot read back: ended early");
    if (got == 0) break;
    for (std::size_t i = 0; i < got / 8; ++i) {
      const auto k = static_cast<row_batch::kind>(events[i] >> 56);
      const std::size_t len = static_cast<std::size_t>(events[i] & ((std::uint64_t{1} << 56) - 1));
      if (k == row_batch::kind::reject) {
        sp.rejected->read(rec, len);
        rejects_->write(rec);
        continue;
      }
      if (k == row_batch::kind::idea) ++seq;
      if (k == row_batch::kind::pass || !more || seq != dup) {
        pos += static_cast<long long>(len);
        continue;
      }
      // A late re-submission: what came before it is placed, it is left out.
      place_span();
      more = sp.keys.next_duplicate(dup);
      while (file + 1 < sp.files.size() && sp.files[file + 1].first <= seq) ++file;
      auto& t = tallies.at(static_cast<std::size_t>(sp.files[file].second));
      --t.ideas;
      ++t.items_rejected["duplicate"];
      if (rejects_) {
        if (sp.direct_at >= 0) {
          out_.read_back(pos, len, rec);
        } else {
          rec.resize(len);
          if (pread_full(sp.data->fd(), pos, rec.data(), len) != 0) throw io_error(what, "cannot read back");
        }
        rejects_->line(duplicate_reject(rec));
      }
      pos += static_cast<long long>(len);
      span = pos;
    }
  }
  place_span();
  if (sp.direct_at >= 0 && to != pos) out_.truncate(to);
  if (seq != sp.seq || more)
    throw error(exit_internal, fmt::format("the spilled records do not add up ({} of {} ideas read "
                                           "back); please report this as a bug",
                                           seq, sp.seq));
  spill_.reset();
}

void gatherer::begin_table(std::vector<column> cols, platform p, int header_rows) {
  cols_ = std::move(cols);
  p_ = p;
  header_rows_ = header_rows;
  t_->platform = std::string(platform_name(p));
}

void gatherer::submit_sample() {
  std::vector<cell> cells;
  for (auto& r : sample_) {
    cells.clear();
    for (auto& [ci, v] : r.cells) cells.push_back({ci, v});
    submit_row(r.row, r.line, cells);
    // The batch has its own copy now: free this one at once (a sample row may hold a
    // 100 MB answer).
    std::vector<std::pair<int, std::string>>().swap(r.cells);
  }
  sample_.clear();
}

void gatherer::run_sample_then(
    const std::function<bool(std::vector<cell>&, long long&, long long&)>& more) {
  submit_sample();
  std::vector<cell> cells;
  long long row = 0, line = 0;
  while (more(cells, row, line)) submit_row(row, line, cells);
  finish_batches();
}

void gatherer::gather_csv(text_input& in) {
  csv_reader reader(in);
  // Rows may point into the file's mapping (submit_row) until the last batch is done with it.
  mapped_ = reader.mapped();
  mapping_ = in.mapping();
  release_at_ = release_step;
  row_begin_ = 0;
  struct forget {
    gatherer* g;
    ~forget() {
      g->mapped_ = {};
      g->mapping_.reset();
    }
  } forget_mapping{this};
  t_->format = reader.delimiter() == '\t' ? "tsv" : "csv";
  ts_.decimal_comma = reader.delimiter() == ';';
  csv_record rec;
  std::vector<std::vector<std::string>> head;
  std::vector<std::pair<long long, long long>> head_pos;
  while (head.size() < 3 && reader.next(rec)) {
    head.emplace_back(rec.fields.begin(), rec.fields.end());
    head_pos.emplace_back(rec.number, rec.line);
  }
  if (head.empty()) {
    warn(fmt::format("{}: no rows (empty input)", file_));
    t_->platform = "plain";
    return;
  }
  header_plan plan = analyse_headers(head, forced_);
  begin_table(std::move(plan.columns), plan.p, plan.header_rows);
  expected_fields_ = cols_.size();
  auto to_cells = [&](const auto& fields, long long line, std::vector<cell>& out) {
    out.clear();
    if (fields.size() != expected_fields_ && !(fields.size() == 1 && fields[0].empty())) {
      ++t_->ragged_rows;
      if (ragged_warned_ < 5)
        warn(fmt::format("{}:{}: {} fields where the header has {}; the row is kept{}", file_, line,
                         fields.size(), expected_fields_,
                         fields.size() > expected_fields_ ? " and the extra fields read as extra columns" : ""));
      else if (ragged_warned_ == 5)
        warn(fmt::format("{}: more rows with a different number of fields (counted in the tally)", file_));
      ++ragged_warned_;
      while (fields.size() > cols_.size()) {
        std::size_t idx = cols_.size();
        add_column(fmt::format("column {}", idx + 1), fields[idx]);
      }
    }
    for (std::size_t i = 0; i < fields.size(); ++i)
      out.push_back({static_cast<int>(i), std::string_view(fields[i])});
  };
  // The sample: header leftovers first, then more rows.
  for (std::size_t i = static_cast<std::size_t>(header_rows_); i < head.size(); ++i) {
    owned_row r;
    r.row = head_pos[i].first;
    r.line = head_pos[i].second;
    for (std::size_t k = 0; k < head[i].size(); ++k) r.cells.emplace_back(static_cast<int>(k), head[i][k]);
    sample_.push_back(std::move(r));
  }
  while (sample_.size() < o_.sample_rows && reader.next(rec)) {
    owned_row r;
    r.row = rec.number;
    r.line = rec.line;
    for (std::size_t k = 0; k < rec.fields.size(); ++k)
      r.cells.emplace_back(static_cast<int>(k), std::string(rec.fields[k]));
    sample_.push_back(std::move(r));
  }
  assign_roles(cols_, p_, sample_, o_, [&](std::string m) { warn(m); }, file_);
  prepare();
  if (o_.list_columns) return list_columns();
  // Ragged rows in the sample.
  std::vector<cell> tmp;
  for (auto& r : sample_) {
    std::vector<std::string_view> f;
    for (auto& [ci, v] : r.cells) f.push_back(v);
    to_cells(f, r.line, tmp);
  }
  diag::progress bar(file_, -1);
  submit_sample();
  flush_batch();
  // The rest is read by whichever thread is free, a batch at a time, and worked on by the
  // thread that read it (pipeline run(); the reader holds no other thread's state).
  const batch_pipeline::fill_fn fill = [&](row_batch& b) {
    bool any = false;
    while (reader.next(rec)) {
      any = true;
      if (rec.fields.size() != expected_fields_) to_cells(rec.fields, rec.line, tmp);  // ragged
      row_begin_ = input_pos_;
      input_pos_ = reader.bytes_consumed();
      // The file's pages before the oldest row still in flight leave the process's memory:
      // the memory a big file takes stays bounded. (A page let go of too early would only
      // be mapped again when touched.)
      if (input_pos_ >= release_at_ && !mapped_.empty()) {
        long long low = !b.rows.empty() ? b.input_begin : row_begin_;
        if (const long long oldest = pipeline_->oldest_begin(); oldest >= 0) low = std::min(low, oldest);
        in.release_mapped(static_cast<std::size_t>(low));
        release_at_ = input_pos_ + release_step;
      }
      bar.update(input_pos_, rows_merged_.load(std::memory_order_relaxed));
      const auto& f = rec.fields;
      if (add_row_of(b, rec.number, rec.line, f.size(),
                     [&f](std::size_t i) { return cell{static_cast<int>(i), f[i]}; }))
        break;
    }
    b.input_pos = input_pos_;
    return any;
  };
  pipeline_->run(fill);
  finish_batches();
  if (reader.stray_quotes() > 0)
    warn(fmt::format("{}: {} field{} had text after a closing quote (\"a\"b); it was kept as "
                     "written",
                     file_, reader.stray_quotes(), reader.stray_quotes() == 1 ? "" : "s"));
}

void gatherer::gather_xlsx(byte_input& in, std::string data) {
  in.read_all(data, max_xlsx_bytes);
  xlsx_sheet sheet = read_xlsx(data, file_, o_.sheet);
  data.clear();
  data.shrink_to_fit();
  t_->format = "xlsx";
  t_->encoding = "xlsx";
  if (sheet.rows.empty()) {
    warn(fmt::format("{}: sheet '{}' has no rows", file_, sheet.name));
    return;
  }
  std::vector<std::vector<std::string>> head;
  for (std::size_t i = 0; i < sheet.rows.size() && i < 3; ++i) head.push_back(sheet.rows[i].cells);
  header_plan plan = analyse_headers(head, forced_);
  begin_table(std::move(plan.columns), plan.p, plan.header_rows);
  std::size_t next = static_cast<std::size_t>(header_rows_);
  for (; next < sheet.rows.size() && sample_.size() < o_.sample_rows; ++next) {
    owned_row r;
    r.row = sheet.rows[next].number;
    for (std::size_t k = 0; k < sheet.rows[next].cells.size(); ++k) {
      if (k >= cols_.size()) add_column(fmt::format("column {}", k + 1), sheet.rows[next].cells[k]);
      r.cells.emplace_back(static_cast<int>(k), sheet.rows[next].cells[k]);
    }
    sample_.push_back(std::move(r));
  }
  assign_roles(cols_, p_, sample_, o_, [&](std::string m) { warn(m); }, file_);
  prepare();
  if (o_.list_columns) return list_columns();
  run_sample_then([&](std::vector<cell>& cells, long long& row, long long& line) {
    if (next >= sheet.rows.size()) return false;
    auto& r = sheet.rows[next++];
    cells.clear();
    for (std::size_t k = 0; k < r.cells.size(); ++k) {
      if (k >= cols_.size()) add_column(fmt::format("column {}", k + 1), r.cells[k]);
      cells.push_back({static_cast<int>(k), r.cells[k]});
    }
    row = r.number;
    line = 0;
    return true;
  });
}

void gatherer::gather_json(text_input& in) {
  json_source src(in);
  t_->format = src.lines() ? "jsonl" : "json";
  labels_ = src.labels();
  json_submission sub;
  std::vector<std::string> keys;
  std::unordered_set<std::string> key_set;
  std::vector<json_submission> stream_in_sample;
  // Sample: the first submissions decide the columns.
  std::vector<std::pair<long long, long long>> pos;
  std::vector<std::vector<flat_cell>> sample_cells;
  std::vector<json_submission> pending;  // in input order, stream records included
  while (pending.size() < o_.sample_rows && src.next(sub)) {
    if (!sub.stream_record)
      for (auto& fc : sub.cells)
        if (key_set.insert(fc.key).second) keys.push_back(fc.key);
    pending.push_back(sub);
  }
  platform p = forced_ ? *forced_ : detect_json_platform(keys);
  std::vector<column> cols;
  for (auto& k : keys) {
    column c;
    c.name = k;
    std::string leaf = k.substr(k.rfind('/') == std::string::npos ? 0 : k.rfind('/') + 1);
    auto lab = labels_.find(leaf);
    c.question = lab != labels_.end() ? lab->second : k;
    col_by_name_[k] = static_cast<int>(cols.size());
    cols.push_back(std::move(c));
  }
  begin_table(std::move(cols), p, 0);
  std::vector<owned_row> sample;
  for (auto& s : pending) {
    if (s.stream_record) continue;
    owned_row r;
    r.row = s.index;
    r.line = s.line;
    for (auto& fc : s.cells) r.cells.emplace_back(col_by_name_[fc.key], fc.value);
    sample.push_back(std::move(r));
  }
  assign_roles(cols_, p_, sample, o_, [&](std::string m) { warn(m); }, file_);
  prepare();
  if (o_.list_columns) return list_columns();
  std::vector<cell> cells;
  auto handle = [&](json_submission& s) {
    if (s.stream_record) return submit_stream(s);
    cells.clear();
    for (auto& fc : s.cells) {
      auto it = col_by_name_.find(fc.key);
      int ci = it != col_by_name_.end() ? it->second : add_column(fc.key, fc.value);
      cells.push_back({ci, fc.value});
    }
    submit_row(s.index, s.line, cells);
  };
  for (auto& s : pending) handle(s);
  pending.clear();
  diag::progress bar(file_, -1);
  while (src.next(sub)) {
    handle(sub);
    input_pos_ = src.bytes_consumed();
    bar.update(input_pos_, rows_merged_.load(std::memory_order_relaxed));
  }
  finish_batches();
}

void gatherer::gather_file(const std::string& path, gather_tally& t) {
  t_ = &t;
  ++file_index_;
  rows_merged_.store(0, std::memory_order_relaxed);  // the progress display counts per file
  file_ideas_ = 0;
  input_pos_ = 0;
  index_sized_ = false;
  file_ = path == "-" ? "<stdin>" : path;
  t.file = file_;
  cols_.clear();
  ts_.keys.clear();
  for (auto& w : workers_) w->reset_file();
  sample_.clear();
  col_by_name_.clear();
  labels_.clear();
  ragged_warned_ = 0;
  byte_input in(path);
  input_size_ = in.size();
  std::string head;
  while (head.size() < 8 && in.read(head, 8 - head.size()) > 0) {
  }
  if (head.rfind("\x1F\x8B", 0) == 0 || head.rfind("BZh", 0) == 0 ||
      head.rfind("\xFD" "7zXZ", 0) == 0 || head.rfind("\x28\xB5\x2F\xFD", 0) == 0)
    throw data_error(file_, 0, "a compressed file (gzip, bzip2, xz or zstd); decompress it first, "
                               "e.g. `gunzip -c FILE | ml-gather -`");
  if (head.rfind("%PDF", 0) == 0)
    throw data_error(file_, 0, "a PDF document, not a survey export; export the responses as CSV, "
                               "XLSX or JSON");
  const bool workbook = looks_like_zip(head) || head.rfind("\xD0\xCF\x11\xE0", 0) == 0;
  const std::string name = ascii_lower(path);
  if (!workbook && (name.ends_with(".xlsx") || name.ends_with(".xlsm")))
    throw data_error(file_, 0, "named like an XLSX workbook but not one (not a zip archive): the "
                               "file is damaged or was saved as something else; re-save it from "
                               "the spreadsheet program, or rename it if it is CSV text");
  if (workbook) {
    gather_xlsx(in, std::move(head));
  } else {
    text_input ti(in, o_.encoding, [&](const std::string& m) { warn(m); }, std::move(head));
    t.encoding = ti.encoding();
    const std::string& peek = ti.peek();
    std::size_t nuls = static_cast<std::size_t>(std::count(peek.begin(), peek.end(), '\0'));
    if (nuls * 100 > peek.size() + 100)
      throw data_error(file_, 0, "binary data, not text (NUL bytes); give a CSV, TSV, XLSX or "
                                 "JSON export, or the right --encoding for UTF-16/32 text");
    std::size_t i = 0;
    while (i < peek.size() && (peek[i] == ' ' || peek[i] == '\t' || peek[i] == '\r' || peek[i] == '\n')) ++i;
    if (i < peek.size() && (peek[i] == '[' || peek[i] == '{'))
      gather_json(ti);
    else
      gather_csv(ti);
    t.encoding = ti.encoding();
  }
  if (t.platform.empty()) t.platform = std::string(platform_name(p_));
  // Nothing lost: the books must balance.
  const long long rejected_rows = t.rows_rejected_total();
  const long long rejected_items = t.items_rejected_total();
  if (t.rows_read != t.rows_kept + rejected_rows || t.items != t.ideas + rejected_items)
    throw error(exit_internal,
                fmt::format("{}: the tally does not add up (rows {} != {} + {}, items {} != {} + "
                            "{}); please report this as a bug",
                            file_, t.rows_read, t.rows_kept, rejected_rows, t.items, t.ideas,
                            rejected_items));
}

std::string tally_line(const gather_tally& t) {
  const long long rejected_rows = t.rows_rejected_total();
  const long long rejected_items = t.items_rejected_total();
  std::string s = fmt::format("{}: {} rows = {} kept + {} rejected", t.file, t.rows_read,
                              t.rows_kept, rejected_rows);
  if (rejected_rows) s += fmt::format(" ({})", format_reasons(t.rows_rejected));
  s += fmt::format("; {} answers -> {} items = {} ideas + {} rejected", t.answers, t.items,
                   t.ideas, rejected_items);
  if (rejected_items) s += fmt::format(" ({})", format_reasons(t.items_rejected));
  if (t.emails_redacted || t.phones_redacted)
    s += fmt::format("; redacted {} e-mail{}, {} phone number{}", t.emails_redacted,
                     t.emails_redacted == 1 ? "" : "s", t.phones_redacted,
                     t.phones_redacted == 1 ? "" : "s");
  if (t.passed_through) s += fmt::format("; {} stream records passed on", t.passed_through);
  if (t.ragged_rows) s += fmt::format("; {} ragged rows", t.ragged_rows);
  return s;
}

}  // namespace

int run_gather(const gather_options& o, std::vector<gather_tally>* tallies) {
  std::vector<std::string> inputs = o.inputs.empty() ? std::vector<std::string>{"-"} : o.inputs;
  check_inputs_and_outputs(inputs, {o.output, o.rejects});
  withdrawn_list withdrawn = load_withdrawn(o.withdrawn_file);
  // --columns writes no pseudonyms, so it needs (and creates) no salt.
  salt_source salt = o.list_columns ? salt_source{"unused", "--columns", false}
                                    : resolve_salt(o.salt, o.salt_file);
  if (salt.created)
    diag::note(fmt::format("created a new pseudonym salt in {}; keep it (and keep it secret) so "
                           "that respondents get the same pseudonyms next cycle",
                           salt.origin));

  output out(o.list_columns ? "-" : o.output);
  std::unique_ptr<output> rejects;
  if (!o.rejects.empty() && !o.list_columns) rejects = std::make_unique<output>(o.rejects);
  if (!o.list_columns) {
    json_writer w;
    w.begin_object().key("type").value("header").key("v").value(records_version);
    w.key("tool").value("ml-gather").key("version").value(ML_VERSION).end_object();
    out.line(w.str());
  }

  gatherer g(o, out, rejects.get(), salt.salt, withdrawn);
  std::vector<gather_tally> all;
  int status = exit_ok;
  for (auto& path : inputs) {
    gather_tally t;
    try {
      g.gather_file(path, t);
    } catch (const error& e) {
      if (e.code() != exit_no_input) throw;
      // A missing input among several: say so, gather the others, exit 66 at the end.
      diag::error(e.what());
      t.file = path;
      t.failed = true;
      status = exit_no_input;
    }
    // Past the index's memory the duplicates are known only at the end, and so are the
    // tallies of the files read from then on.
    if (!t.failed && !o.list_columns && !g.spilling()) diag::note(tally_line(t));
    all.push_back(std::move(t));
  }
  if (g.spilling()) {
    const std::size_t first_late = static_cast<std::size_t>(
        std::find_if(all.begin(), all.end(), [](const gather_tally& t) { return t.spilled_ideas > 0; }) -
        all.begin());
    g.finish_spill(all);
    for (std::size_t i = first_late; i < all.size(); ++i)
      if (!all[i].failed) diag::note(tally_line(all[i]));
  }
  if (std::all_of(all.begin(), all.end(), [](const gather_tally& t) { return t.failed; }))
    return exit_no_input;  // said already, per file; nothing is written
  if (o.list_columns) {
    out.write(diag::terminal_safe(g.columns_listing));
    out.commit();
    if (tallies) *tallies = std::move(all);
    return status;
  }
  if (all.size() > 1) {
    gather_tally total;
    total.file = "total";
    for (auto& t : all) total += t;
    diag::note(tally_line(total));
  }
  if (rejects) rejects->commit();
  out.commit();
  if (tallies) *tallies = std::move(all);
  return status;
}

}  // namespace ml
