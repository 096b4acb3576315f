// SPDX-License-Identifier: Apache-2.0
#include "ml/spilled_keys.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <queue>

#include <fmt/format.h>

#include "ml/error.hpp"
#include "ml/spool.hpp"

namespace ml {

namespace {

constexpr std::size_t chunk_entries = 4096;  // read 64 KiB of a run at a time
constexpr std::size_t fan_in = 64;           // runs merged at once (4 MiB of buffers)

[[noreturn]] void fail(const std::string& dir, std::string_view what, int e) {
  temp_file_error(dir, what, e, "give --temp-dir a folder with free space (about the size of the output)");
}

}  // namespace

// Reads runs of the file a chunk at a time and yields their entries in order.
class spilled_keys::merger {
 public:
  merger(int fd, const std::string& dir, const std::vector<run>& runs) : fd_(fd), dir_(dir) {
    cursors_.resize(runs.size());
    for (std::size_t i = 0; i < runs.size(); ++i) {
      cursors_[i].next = runs[i].off;
      cursors_[i].left = runs[i].count;
      if (refill(cursors_[i])) heap_.push({cursors_[i].buf[0], i});
    }
  }
  bool next(entry& e) {
    if (heap_.empty()) return false;
    auto [top, i] = heap_.top();
    heap_.pop();
    e = top;
    auto& c = cursors_[i];
    if (++c.pos < c.buf.size() || refill(c)) heap_.push({c.buf[c.pos], i});
    return true;
  }

 private:
  struct cursor {
    std::uint64_t next = 0, left = 0;  // in entries
    std::vector<entry> buf;
    std::size_t pos = 0;
  };
  bool refill(cursor& c) {
    const std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(c.left, chunk_entries));
    c.buf.resize(n);
    c.pos = 0;
    if (n == 0) {
      c.buf.shrink_to_fit();
      return false;
    }
    if (int e = pread_full(fd_, static_cast<long long>(c.next * sizeof(entry)),
                           reinterpret_cast<char*>(c.buf.data()), n * sizeof(entry)))
      fail(dir_, "cannot read back", e);
    c.next += n;
    c.left -= n;
    return true;
  }
  using item = std::pair<entry, std::size_t>;
  struct later {
    bool operator()(const item& a, const item& b) const { return b.first < a.first; }
  };
  int fd_;
  const std::string& dir_;
  std::vector<cursor> cursors_;
  std::priority_queue<item, std::vector<item>, later> heap_;
};

spilled_keys::spilled_keys(const std::string& dir, std::size_t memory)
    : dir_(temp_dir(dir)), cap_(std::max<std::size_t>(64, memory / sizeof(entry))) {
  fd_ = open_temp_fd(dir_);
}

spilled_keys::~spilled_keys() {
  dup_merge_.reset();
  if (fd_ >= 0) ::close(fd_);
}

void spilled_keys::append(const entry* p, std::size_t n) {
  if (int e = pwrite_full(fd_, static_cast<long long>(end_ * sizeof(entry)),
                          reinterpret_cast<const char*>(p), n * sizeof(entry)))
    fail(dir_, "cannot write", e);
  end_ += n;
}

void spilled_keys::write_run(std::vector<entry>& v) {
  if (v.empty()) return;
  std::sort(v.begin(), v.end());
  const std::uint64_t off = end_;
  append(v.data(), v.size());
  runs_.push_back({off, v.size()});
  ++runs_written_;
  v.clear();
}

void spilled_keys::add_earlier(const std::uint64_t* keys, std::size_t n) {
  if (!has_earlier_) {
    has_earlier_ = true;
    earlier_start_ = end_;
    earlier_.reserve(chunk_entries);
  }
  for (std::size_t i = 0; i < n; ++i) {
    earlier_.push_back({keys[i], 0});
    if (earlier_.size() == chunk_entries) {
      append(earlier_.data(), earlier_.size());
      earlier_.clear();
    }
  }
}

void spilled_keys::flush_earlier() {
  if (!has_earlier_) return;
  append(earlier_.data(), earlier_.size());
  earlier_.clear();
  earlier_.shrink_to_fit();
  runs_.push_back({earlier_start_, end_ - earlier_start_});  // in order already
  ++runs_written_;
  has_earlier_ = false;
}

void spilled_keys::add(std::uint64_t key, std::uint64_t seq) {
  flush_earlier();
  if (pending_.capacity() < cap_) pending_.reserve(cap_);
  pending_.push_back({key, seq});
  if (pending_.size() >= cap_) write_run(pending_);
}

// Merges groups of fan_in runs into one until at most fan_in are left.
std::vector<spilled_keys::run> spilled_keys::reduce(std::vector<run> runs) {
  while (runs.size() > fan_in) {
    std::vector<run> next;
    std::vector<entry> out;
    out.reserve(chunk_entries);
    for (std::size_t i = 0; i < runs.size(); i += fan_in) {
      std::vector<run> group(runs.begin() + static_cast<std::ptrdiff_t>(i),
                             runs.begin() + static_cast<std::ptrdiff_t>(std::min(runs.size(), i + fan_in)));
      const std::uint64_t off = end_;
      merger m(fd_, dir_, group);
      entry e;
      while (m.next(e)) {
        out.push_back(e);
        if (out.size() == chunk_entries) {
          append(out.data(), out.size());
          out.clear();
        }
      }
      append(out.data(), out.size());
      out.clear();
      next.push_back({off, end_ - off});
    }
    runs = std::move(next);
  }
  return runs;
}

void spilled_keys::resolve() {
  flush_earlier();
  write_run(pending_);
  pending_.shrink_to_fit();
  {
    merger m(fd_, dir_, reduce(runs_));
    entry e;
    bool first = true;
    std::uint64_t last = 0;
    while (m.next(e)) {
      // The first entry of each key is where it came first (the lowest position; earlier
      // keys have position 0); every later one repeats it.
      if (!first && e.key == last) {
        if (dups_.capacity() < cap_) dups_.reserve(cap_);
        dups_.push_back({e.seq, 0});
        if (dups_.size() >= cap_) {
          std::sort(dups_.begin(), dups_.end());
          const std::uint64_t off = end_;
          append(dups_.data(), dups_.size());
          dup_runs_.push_back({off, dups_.size()});
          dups_.clear();
        }
      }
      first = false;
      last = e.key;
    }
  }
  std::sort(dups_.begin(), dups_.end());
  if (!dup_runs_.empty()) {
    const std::uint64_t off = end_;
    append(dups_.data(), dups_.size());
    dup_runs_.push_back({off, dups_.size()});
    dups_.clear();
    dups_.shrink_to_fit();
    dup_merge_ = std::make_unique<merger>(fd_, dir_, reduce(dup_runs_));
  }
  dup_pos_ = 0;
}

bool spilled_keys::next_duplicate(std::uint64_t& seq) {
  if (dup_merge_) {
    entry e;
    if (!dup_merge_->next(e)) return false;
    seq = e.key;
    return true;
  }
  if (dup_pos_ >= dups_.size()) return false;
  seq = dups_[dup_pos_++].key;
  return true;
}

}  // namespace ml
