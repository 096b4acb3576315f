// SPDX-License-Identifier: Apache-2.0
// ml-review's run: the directives and reports in, the history (--state), the review records,
// rejects and the notes as ideas out.
#include <fcntl.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <simdjson.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <unordered_map>

#include "ml/csv.hpp"
#include "ml/diag.hpp"
#include "ml/error.hpp"
#include "ml/input.hpp"
#include "ml/json_writer.hpp"
#include "ml/output.hpp"
#include "ml/records.hpp"
#include "ml/review.hpp"
#include "ml/text.hpp"
#include "ml/timefmt.hpp"
#include "review_detail.hpp"

namespace ml {

using detail::review_model;

namespace {

struct source_pos {
  std::string file;
  long long line = 0;
};

std::string str_field(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : std::string();
}

/// Reads the directives, the dispatch and the line's themes and briefs from JSONL records.
struct plan_data {
  std::vector<rv_directive> directives;
  std::unordered_map<std::string, std::size_t> by_id;
  std::map<std::pair<std::string, std::string>, std::size_t> by_unit_theme;
  std::map<std::string, std::string> parent;  ///< from briefs
  std::vector<review_model::theme_info> themes;
  std::vector<std::string> tasks;  ///< from the dispatch record, central first
  long long rollout_start = -1;
};

// Field access on simdjson's DOM, with nlohmann's meaning: a field that is missing or not a
// string reads as "", and where a key appears twice in one object the last value counts.
using dom_object = simdjson::dom::object;
using dom_element = simdjson::dom::element;

simdjson::simdjson_result<dom_element> field(const dom_object& o, std::string_view key) {
  dom_element found;
  bool any = false;
  for (auto kv : o)
    if (kv.key == key) {
      found = kv.value;
      any = true;
    }
  if (!any) return simdjson::NO_SUCH_FIELD;
  return found;
}

std::string str_field(const dom_object& o, const char* key) {
  std::string_view s;
  return field(o, key).get_string().get(s) ? std::string() : std::string(s);
}
// An integer field (nlohmann's is_number_integer: signed or unsigned, not a float).
bool int_field(const dom_object& o, const char* key, long long* out) {
  dom_element e;
  if (field(o, key).get(e)) return false;
  if (std::int64_t i; !e.get_int64().get(i)) return *out = i, true;
  if (std::uint64_t u; !e.get_uint64().get(u)) return *out = static_cast<long long>(u), true;
  return false;
}
// Any number, as a double.
bool number_of(const dom_element& e, double* out) {
  if (double d; !e.get_double().get(d)) return *out = d, true;
  if (std::int64_t i; !e.get_int64().get(i)) return *out = static_cast<double>(i), true;
  if (std::uint64_t u; !e.get_uint64().get(u)) return *out = static_cast<double>(u), true;
  return false;
}
// A value as text: a string as it is, null as "", anything else as nlohmann's dump() writes
// it (the form the CSV reports and the rejects use).
std::string text_of(const dom_element& e) {
  if (e.is_null()) return {};
  if (std::string_view s; !e.get_string().get(s)) return std::string(s);
  if (std::int64_t i; !e.get_int64().get(i)) return nlohmann::json(i).dump();
  if (std::uint64_t u; !e.get_uint64().get(u)) return nlohmann::json(u).dump();
  if (double d; !e.get_double().get(d)) return nlohmann::json(d).dump();
  if (bool b; !e.get_bool().get(b)) return b ? "true" : "false";
  return nlohmann::json::parse(simdjson::to_string(e)).dump();
}

void take_record(const dom_object& j, std::string_view type, const std::string& file,
                 long long line, plan_data& p) {
  simdjson::dom::array arr;
  if (type == "directive") {
    rv_directive d;
    d.where = fmt::format("{}:{}", file, line);
    d.id = str_field(j, "id");
    d.unit = str_field(j, "unit");
    d.theme = str_field(j, "theme");
    d.tier = str_field(j, "tier");
    d.phase = str_field(j, "phase");
    if (long long o = 0; int_field(j, "order", &o)) d.order = static_cast<int>(o);
    if (dom_object c; !field(j, "call").get_object().get(c)) {
      d.task = str_field(c, "phrase");
      if (d.task.empty()) d.task = str_field(c, "label");
    }
    d.start = parse_report_date(str_field(j, "start"));
    d.due = parse_report_date(str_field(j, "due"));
    if (!field(j, "checkup").get_array().get(arr))
      for (dom_element x : arr)
        if (std::string_view v; !x.get_string().get(v))
          d.checkups.push_back(parse_report_date(std::string(v)));
    if (!field(j, "milestones").get_array().get(arr)) {
      for (dom_element x : arr) {
        dom_object m;
        const bool is_object = !x.get_object().get(m);
        long long day = is_object ? parse_report_date(str_field(m, "date")) : -1;
        dom_element pr;
        double progress = 0;
        if (day < 0 || field(m, "progress").get(pr) || !number_of(pr, &progress) || progress < 0 ||
            progress > 100)
          throw data_error(file, line,
                           "a milestone needs a \"date\" (YYYY-MM-DD) and a \"progress\" from 0 "
                           "to 100");
        d.milestones.emplace_back(day, progress);
      }
      std::sort(d.milestones.begin(), d.milestones.end());
    }
    if (d.id.empty() || d.unit.empty() || d.theme.empty() || d.start < 0 || d.due < 0)
      throw data_error(file, line,
                       "directive record without id, unit, theme, start or due date; give the "
                       "directives as ml-dispatch wrote them");
    if (p.by_id.count(d.id)) return;  // the same directives read twice
    p.by_id.emplace(d.id, p.directives.size());
    p.by_unit_theme.emplace(std::make_pair(d.unit, d.theme), p.directives.size());
    p.directives.push_back(std::move(d));
  } else if (type == "dispatch") {
    p.tasks.clear();
    if (!field(j, "tasks").get_array().get(arr))
      for (dom_element x : arr)
        if (std::string_view v; !x.get_string().get(v)) p.tasks.emplace_back(v);
    p.rollout_start = parse_report_date(str_field(j, "rollout_start"));
  } else if (type == "theme") {
    review_model::theme_info t;
    t.id = str_field(j, "id");
    t.tier = str_field(j, "tier");
    t.label = str_field(j, "label");
    t.phrase = str_field(j, "phrase");
    if (long long r = 0; int_field(j, "rank", &r)) t.rank = static_cast<int>(r);
    if (dom_object sup; !field(j, "support").get_object().get(sup))
      if (long long r = 0; int_field(sup, "respondents", &r)) t.respondents = r;
    if (!t.id.empty()) p.themes.push_back(std::move(t));
  } else if (type == "brief") {
    std::string unit = str_field(j, "unit");
    if (!field(j, "sub_units").get_array().get(arr))
      for (dom_element x : arr)
        if (dom_object o; !x.get_object().get(o)) p.parent[str_field(o, "unit")] = unit;
  }
}

// A report row's fields as the JSON object its reject record carries. Kept as text: a
// million report rows held as maps took most of ml-review's memory.
std::string fields_json(const std::map<std::string, std::string>& fields) {
  json_writer w;
  w.begin_object();
  for (const auto& [k, v] : fields) w.key(k).value(v);
  w.end_object();
  return w.str();
}

enum class col { none, directive, unit, theme, date, status, progress, support, notes };

col col_of(std::string_view h) {
  std::string s = ascii_lower(trim(h));
  if (s == "directive" || s == "directive id" || s == "id") return col::directive;
  if (s == "unit") return col::unit;
  if (s == "theme") return col::theme;
  if (s == "date") return col::date;
  if (s == "status") return col::status;
  if (s == "progress") return col::progress;
  if (s == "support") return col::support;
  if (s == "notes" || s == "note") return col::notes;
  return col::none;
}

/// A percentage 0-100 ("40", "40%", "40.0"); -1 for empty, -2 for not one.
int parse_percent(std::string_view raw) {
  std::string s(trim(raw));
  if (s.empty()) return -1;
  if (s.back() == '%') s.pop_back();
  s = std::string(trim(s));
  char* end = nullptr;
  double v = std::strtod(s.c_str(), &end);
  if (s.empty() || end != s.c_str() + s.size() || !std::isfinite(v) || v < 0 || v > 100)
    return -2;
  return static_cast<int>(std::lround(v));
}

std::string normal_status(std::string_view raw) {
  std::string s = ascii_lower(trim(raw));
  for (auto& c : s)
    if (c == ' ' || c == '_') c = '-';
  if (s == "not-started" || s == "todo" || s == "to-do" || s == "not-yet-started") return "not-started";
  if (s == "in-progress" || s == "started" || s == "ongoing" || s == "under-way" ||
      s == "underway")
    return "in-progress";
  if (s == "done" || s == "complete" || s == "completed" || s == "finished") return "done";
  if (s == "blocked" || s == "stuck") return "blocked";
  return s.empty() ? std::string() : "?";
}

struct report_row {
  std::string directive, unit, theme, date, status, progress, support, notes;
  std::string fields;  ///< the fields as read, a JSON object (sorted keys), for a reject record
  std::string file;
  long long line = 0;
};

}  // namespace

namespace {

class review_run {
 public:
  explicit review_run(const review_options& o) : o_(o) {}
  ~review_run() {
    if (state_fd_ >= 0) ::close(state_fd_);  // releases the lock
  }
  review_run(const review_run&) = delete;
  review_run& operator=(const review_run&) = delete;
  int run();

 private:
  void read_jsonl(text_input& in, const std::string& file);
  void read_csv(text_input& in, const std::string& file);
  void take_row(report_row row);
  void reject(const report_row& row, const std::string& reason, const std::string& message);
  void load_state();
  void save_state();
  void evaluate();
  void write_records(output& out);

  const review_options& o_;
  plan_data plan_;
  std::vector<report_row> rows_;
  std::vector<rv_report> reports_;       // accepted this run
  std::vector<rv_report> history_;       // from --state
  std::set<std::string> known_keys_;
  std::vector<std::string> reject_lines_, idea_lines_;
  review_model m_;
  int state_fd_ = -1;
};

void review_run::read_jsonl(text_input& in, const std::string& file) {
  // nlohmann::json, not the ordered records of record_reader: a theme's "units" may hold a
  // hundred thousand units, and ordered objects insert in linear time.
  // Every line is validated with simdjson, which also gives its type; only the records the
  // review uses are parsed into a DOM. The directives file carries the line's ideas along
  // (a million of them for a large survey): they are checked and skipped.
  line_reader lines(in);
  simdjson::dom::parser fast;
  std::string padded;
  std::string_view raw;
  while (lines.next(raw)) {
    if (trim(raw).empty()) continue;
    const long long lineno = lines.line_number();
    if (json_too_deep(raw)) throw data_error(file, lineno, json_depth_message());
    padded.assign(raw);
    padded.reserve(raw.size() + simdjson::SIMDJSON_PADDING);
    simdjson::dom::element doc;
    if (auto err = fast.parse(padded.data(), padded.size(), false).get(doc))
      bad_json_line(file, lineno, raw, simdjson::error_message(err), "");
    simdjson::dom::object obj;
    if (doc.get_object().get(obj)) bad_json_line(file, lineno, raw, "not an object", "");
    std::string_view kind;
    if (!field(obj, "type").get_string().get(kind) && kind != "header" && kind != "report" &&
        kind != "directive" && kind != "dispatch" && kind != "theme" && kind != "brief")
      continue;
    if (kind == "header") {
      check_header_version(raw, file, lineno);
      continue;
    }
    if (kind == "report") {
      report_row row;
      row.file = file;
      row.line = lineno;
      // One pass over the record: a key given twice keeps its last value.
      std::map<std::string, std::string> fields;
      for (auto kv : obj)
        for (const char* k : {"directive", "unit", "theme", "date", "status", "progress",
                              "support", "notes"})
          if (kv.key == k) fields[k] = text_of(kv.value);
      auto value = [&](const char* k) {
        auto it = fields.find(k);
        return it == fields.end() ? std::string() : it->second;
      };
      row.directive = value("directive");
      row.unit = value("unit");
      row.theme = value("theme");
      row.date = value("date");
      row.status = value("status");
      row.progress = value("progress");
      row.support = value("support");
      row.notes = tidy_whitespace(value("notes"));
      row.fields = fields_json(fields);
      ++m_.read;
      take_row(std::move(row));
    } else {
      take_record(obj, kind, file, lineno, plan_);
    }
  }
}

void review_run::read_csv(text_input& in, const std::string& file) {
  csv_reader csv(in);
  csv_record rec;
  if (!csv.next(rec)) return;
  std::vector<col> cols;
  std::vector<std::string> names;
  bool any = false;
  for (auto f : rec.fields) {
    cols.push_back(col_of(f));
    names.emplace_back(trim(f));
    any = any || cols.back() != col::none;
  }
  if (std::find(cols.begin(), cols.end(), col::date) == cols.end() ||
      (std::find(cols.begin(), cols.end(), col::directive) == cols.end() &&
       (std::find(cols.begin(), cols.end(), col::unit) == cols.end() ||
        std::find(cols.begin(), cols.end(), col::theme) == cols.end())))
    throw data_error(file, rec.line,
                     "a report needs a 'date' column and a 'directive' column (or 'unit' and "
                     "'theme'); use the template ml-dispatch --out-dir wrote");
  (void)any;
  std::map<std::string, std::string> fields;
  while (csv.next(rec)) {
    report_row row;
    row.file = file;
    row.line = rec.line;
    fields.clear();
    for (std::size_t i = 0; i < rec.fields.size() && i < cols.size(); ++i) {
      std::string v(trim(rec.fields[i]));
      switch (cols[i]) {
        case col::directive: row.directive = v; break;
        case col::unit: row.unit = v; break;
        case col::theme: row.theme = v; break;
        case col::date: row.date = v; break;
        case col::status: row.status = v; break;
        case col::progress: row.progress = v; break;
        case col::support: row.support = v; break;
        case col::notes: row.notes = tidy_whitespace(v); break;
        default: break;
      }
      if (cols[i] != col::none) fields[names[i]] = std::string(rec.fields[i]);
    }
    row.fields = fields_json(fields);
    ++m_.read;
    take_row(std::move(row));
  }
}

void review_run::take_row(report_row row) { rows_.push_back(std::move(row)); }

void review_run::reject(const report_row& row, const std::string& reason,
                        const std::string& message) {
  ++m_.rejected;
  ++m_.reject_reasons[reason];
  json_writer w;
  w.begin_object().key("type").value("reject").key("reason").value(reason);
  w.key("message").value(message).key("file").value(row.file).key("line").value(row.line);
  w.key("fields").raw(row.fields).end_object();
  reject_lines_.push_back(w.str());
}


std::string report_key(const rv_report& r) {
  std::string m = fmt::format("{}\x1f{}\x1f{}\x1f{}\x1f{}\x1f{}", r.directive, r.date, r.status,
                              r.progress, r.support, r.notes);
  return fmt::format("{:016x}", XXH3_64bits(m.data(), m.size()));
}

void review_run::load_state() {
  if (o_.state.empty()) return;
  if (::mkdir(o_.state.c_str(), 0700) != 0 && errno != EEXIST)
    throw cant_create_error(o_.state, std::strerror(errno));
  std::string lock = o_.state + "/lock";
  state_fd_ = ::open(lock.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (state_fd_ < 0) throw cant_create_error(lock, std::strerror(errno));
  // Two overlapping runs (cron) take turns: the second waits for the first.
  while (::flock(state_fd_, LOCK_EX) != 0)
    if (errno != EINTR) throw io_error(lock, std::string("cannot lock: ") + std::strerror(errno));
  std::string path = o_.state + "/checkups.jsonl";
  int fd = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) throw cant_create_error(path, std::strerror(errno));
  std::string all;
  char buf[1 << 16];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) != 0) {
    if (n < 0) {
      if (errno == EINTR) continue;
      int e = errno;
      ::close(fd);
      throw io_error(path, std::string("read failed: ") + std::strerror(e));
    }
    all.append(buf, static_cast<std::size_t>(n));
  }
  // A run killed while appending leaves part of a line at the end: cut it off (its reports
  // are read again from the report files).
  std::size_t keep = all.rfind('\n');
  keep = keep == std::string::npos ? 0 : keep + 1;
  if (keep != all.size()) {
    diag::warning(fmt::format("{}: an unfinished last line (a run was stopped while writing) is "
                              "removed",
                              path));
    if (::ftruncate(fd, static_cast<off_t>(keep)) != 0 || ::fsync(fd) != 0) {
      int e = errno;
      ::close(fd);
      throw io_error(path, std::string("cannot repair: ") + std::strerror(e));
    }
    all.resize(keep);
  }
  ::close(fd);
  long long line = 0;
  std::size_t pos = 0;
  while (pos < all.size()) {
    std::size_t nl = all.find('\n', pos);
    std::string_view l(all.data() + pos, nl - pos);
    pos = nl + 1;
    ++line;
    if (trim(l).empty()) continue;
    nlohmann::json j = nlohmann::json::parse(l, nullptr, false);
    if (!j.is_object())
      throw data_error(path, line, "not a check-up record; the history is damaged: restore it "
                                   "from a backup or remove the line");
    rv_report r;
    r.directive = str_field(j, "directive");
    r.date = parse_report_date(str_field(j, "date"));
    r.status = str_field(j, "status");
    r.progress = j.value("progress", -1);
    r.support = j.value("support", -1);
    r.notes = str_field(j, "notes");
    r.source = str_field(j, "source");
    r.key = str_field(j, "key");
    if (r.key.empty() || r.date < 0)
      throw data_error(path, line, "a check-up record without key or date; the history is "
                                   "damaged: restore it from a backup or remove the line");
    known_keys_.insert(r.key);
    history_.push_back(std::move(r));
  }
  m_.history = static_cast<long long>(history_.size());
}

void review_run::save_state() {
  if (o_.state.empty() || reports_.empty()) return;
  std::string chunk;
  json_writer w;
  for (const auto& r : reports_) {
    w.clear();
    w.begin_object().key("type").value("report").key("directive").value(r.directive);
    w.key("date").value(format_date(r.date)).key("status").value(r.status);
    w.key("progress").value(r.progress).key("support").value(r.support);
    w.key("notes").value(r.notes).key("source").value(r.source).key("key").value(r.key);
    w.end_object();
    chunk += w.str();
    chunk += '\n';
  }
  std::string path = o_.state + "/checkups.jsonl";
  int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  if (fd < 0) throw io_error(path, std::strerror(errno));
  std::size_t off = 0;
  while (off < chunk.size()) {
    ssize_t n = ::write(fd, chunk.data() + off, chunk.size() - off);
    if (n < 0) {
      if (errno == EINTR) continue;
      int e = errno;
      ::close(fd);
      throw io_error(path, std::string("write failed: ") + std::strerror(e));
    }
    off += static_cast<std::size_t>(n);
  }
  if (::fsync(fd) != 0) {
    int e = errno;
    ::close(fd);
    throw io_error(path, std::string("cannot sync: ") + std::strerror(e));
  }
  ::close(fd);
}


/// The branch of each unit, from the briefs: below the top of the hierarchy (the single top
/// unit and any chain of only children under it), each subtree is a branch.
std::map<std::string, std::string> branches_of(const plan_data& p) {
  std::set<std::string> units;
  for (const auto& d : p.directives) units.insert(d.unit);
  for (const auto& [c, par] : p.parent) {
    units.insert(c);
    units.insert(par);
  }
  std::map<std::string, std::vector<std::string>> children;
  std::vector<std::string> tops;
  for (const auto& u : units) {
    auto it = p.parent.find(u);
    if (it == p.parent.end())
      tops.push_back(u);
    else
      children[it->second].push_back(u);
  }
  std::vector<std::string> level = tops;
  while (level.size() == 1 && !children[level[0]].empty()) level = children[level[0]];
  std::set<std::string> heads(level.begin(), level.end());
  std::map<std::string, std::string> out;
  for (const auto& u : units) {
    std::string x = u, b = u;  // above the branches, a unit is a branch of its own
    std::set<std::string> seen;
    while (true) {
      if (heads.count(x)) {
        b = x;
        break;
      }
      auto it = p.parent.find(x);
      if (it == p.parent.end() || !seen.insert(x).second) break;
      x = it->second;
    }
    out[u] = b;
  }
  return out;
}

void review_run::evaluate() {
  m_.as_of = o_.as_of.empty() ? today_utc() : date_option(o_.as_of, "--as-of");
  // Rows into reports, or rejects with their reasons.
  std::set<std::string> this_run;
  for (const auto& row : rows_) {
    if (row.date.empty() && row.status.empty() && row.progress.empty() && row.support.empty() &&
        row.notes.empty()) {
      ++m_.blank;  // a check-up row of the template not filled in yet
      continue;
    }
    const rv_directive* d = nullptr;
    if (!row.directive.empty()) {
      auto it = plan_.by_id.find(row.directive);
      if (it == plan_.by_id.end()) {
        reject(row, "unknown-directive",
               fmt::format("no directive '{}' among the directives given", row.directive));
        continue;
      }
      d = &plan_.directives[it->second];
    } else if (!row.unit.empty() && !row.theme.empty()) {
      auto it = plan_.by_unit_theme.find({row.unit, row.theme});
      if (it == plan_.by_unit_theme.end()) {
        reject(row, "unknown-directive",
               fmt::format("no directive for unit '{}' and theme '{}'", row.unit, row.theme));
        continue;
      }
      d = &plan_.directives[it->second];
    } else {
      reject(row, "no-directive", "the row names no directive, nor a unit and a theme");
      continue;
    }
    rv_report r;
    r.directive = d->id;
    r.source = fmt::format("{}:{}", row.file, row.line);
    if (row.date.empty()) {
      reject(row, "no-date", "the row has no date; give the day of the check-up (YYYY-MM-DD)");
      continue;
    }
    r.date = parse_report_date(row.date);
    if (r.date < 0) {
      reject(row, "bad-date", fmt::format("'{}' is not a date; give it as YYYY-MM-DD", row.date));
      continue;
    }
    if (r.date < d->start) {
      reject(row, "date-before-start",
             fmt::format("{} is before the directive starts ({})", format_date(r.date),
                         format_date(d->start)));
      continue;
    }
    if (r.date > m_.as_of) {
      reject(row, "date-after-as-of",
             fmt::format("{} is after the day of the review ({})", format_date(r.date),
                         format_date(m_.as_of)));
      continue;
    }
    r.status = normal_status(row.status);
    if (r.status == "?") {
      reject(row, "bad-status",
             fmt::format("unknown status '{}'; use not-started, in-progress, done or blocked",
                         row.status));
      continue;
    }
    r.progress = parse_percent(row.progress);
    if (r.progress == -2) {
      reject(row, "bad-progress",
             fmt::format("progress '{}' is not a number from 0 to 100", row.progress));
      continue;
    }
    r.support = parse_percent(row.support);
    if (r.support == -2) {
      reject(row, "bad-support",
             fmt::format("support '{}' is not a share from 0 to 100", row.support));
      continue;
    }
    r.notes = row.notes;
    r.key = report_key(r);
    if (known_keys_.count(r.key) || !this_run.insert(r.key).second) {
      ++m_.duplicates;  // already in the history, or twice in this run
      continue;
    }
    ++m_.accepted;
    reports_.push_back(std::move(r));
  }

  // Statuses.
  std::unordered_map<std::string, std::vector<const rv_report*>> by_directive;
  for (const auto& r : history_) by_directive[r.directive].push_back(&r);
  for (const auto& r : reports_) by_directive[r.directive].push_back(&r);
  static const std::vector<const rv_report*> none;
  m_.directives = plan_.directives;
  auto reports_of = [&](const rv_directive& d) -> const std::vector<const rv_report*>& {
    auto it = by_directive.find(d.id);
    return it == by_directive.end() ? none : it->second;
  };
  // Prolonged: in trouble now and at each of the last N-1 check-ups that have passed.
  std::vector<char> prolonged(m_.directives.size(), 0);
  for (std::size_t i = 0; i < m_.directives.size(); ++i) {
    const auto& d = m_.directives[i];
    m_.status.push_back(directive_status(d, reports_of(d), m_.as_of, o_));
    if (!in_trouble(m_.status.back().status)) continue;
    std::vector<long long> passed;
    for (long long c : d.checkups)
      if (c + o_.grace <= m_.as_of) passed.push_back(c + o_.grace);
    // Now stands for the latest check-up that has passed; count the ones before it.
    if (!passed.empty()) passed.pop_back();
    int streak = 1;
    for (auto it = passed.rbegin(); it != passed.rend() && streak < o_.prolonged; ++it) {
      if (!in_trouble(directive_status(d, reports_of(d), *it, o_).status)) break;
      ++streak;
    }
    prolonged[i] = streak >= o_.prolonged;
  }

  // Themes, in the order of the dispatch's tasks, then any other theme of the directives.
  std::vector<std::string> order = plan_.tasks;
  for (const auto& d : m_.directives)
    if (std::find(order.begin(), order.end(), d.theme) == order.end()) order.push_back(d.theme);
  m_.themes = plan_.themes;
  std::sort(m_.themes.begin(), m_.themes.end(),
            [](const auto& a, const auto& b) { return a.rank < b.rank; });
  auto branches = branches_of(plan_);
  for (const auto& theme : order) {
    review_model::theme_review t;
    t.theme = theme;
    bool any = false, pilots_seen = false, pilots_fail = false, pilots_ok = true;
    bool prolonged_any = false;
    std::vector<std::string> troubled_branches;
    double progress = 0, expected = 0;
    long long support_sum = 0, support_n = 0, n = 0;
    for (std::size_t i = 0; i < m_.directives.size(); ++i) {
      const auto& d = m_.directives[i];
      if (d.theme != theme) continue;
      const auto& st = m_.status[i];
      if (!any) {
        t.task = d.task;
        t.tier = d.tier;
        any = true;
      }
      ++t.statuses[st.status];
      ++n;
      progress += std::max(st.progress, 0);
      expected += st.expected;
      if (st.support >= 0) {
        support_sum += st.support;
        ++support_n;
      }
      if (in_trouble(st.status)) {
        t.troubled_units.push_back(d.unit);
        troubled_branches.push_back(branches[d.unit]);
        prolonged_any = prolonged_any || prolonged[i];
      }
      if (d.phase == "pilot") {
        pilots_seen = true;
        if (in_trouble(st.status)) pilots_fail = true;
        if (!(st.status == "done" || st.status == "on-track") || st.trend == "falling" ||
            (st.support >= 0 && st.support < 50))
          pilots_ok = false;
      }
    }
    if (!any) continue;
    t.progress = n ? std::round(10 * progress / static_cast<double>(n)) / 10 : 0;
    t.expected = n ? std::round(10 * expected / static_cast<double>(n)) / 10 : 0;
    t.support = support_n ? static_cast<int>(std::lround(static_cast<double>(support_sum) /
                                                         static_cast<double>(support_n)))
                          : -1;
    t.scope = problem_scope(troubled_branches, o_.few);
    t.duration = t.scope.empty() ? "" : prolonged_any ? "prolonged" : "temporary";
    t.level = escalation_level(t.scope, prolonged_any);
    t.pilots = !pilots_seen ? "" : pilots_fail ? "failing" : pilots_ok ? "succeeding" : "in progress";
    bool low_support = t.support >= 0 && t.support < 50;
    if (t.scope == "widespread" && (prolonged_any || low_support)) {
      t.recommendation = "re-concentrate";
      t.reason = fmt::format("a {} {} problem{}: the task is not taken up as the people's own; "
                             "go back to the masses and concentrate again",
                             t.duration, t.scope, low_support ? " with support under half" : "");
      for (const auto& th : m_.themes)
        if (th.id != theme && th.tier == "other" && t.alternatives.size() < 3)
          t.alternatives.push_back(th.id);
      for (const auto& th : m_.themes)
        if (th.id != theme && th.tier != "other" && th.tier != "central" &&
            t.alternatives.size() < 3)
          t.alternatives.push_back(th.id);
    } else if (t.pilots == "failing" || t.level >= 2) {
      t.recommendation = "adjust";
      bool before_rollout = plan_.rollout_start >= 0 && m_.as_of < plan_.rollout_start;
      t.reason = t.pilots == "failing" && before_rollout
                     ? std::string("the pilots are in trouble: adjust the task before the roll-out")
                     : fmt::format("a {} {} problem{}: adjust where the units are in trouble",
                                   t.duration, t.scope,
                                   t.pilots == "failing" ? ", the pilots among them" : "");
    } else if (t.pilots == "succeeding" && plan_.rollout_start >= 0 &&
               m_.as_of < plan_.rollout_start) {
      t.recommendation = "roll-out";
      t.reason = "the pilots are done or on track with their support holding: roll it out";
    } else {
      t.recommendation = "persevere";
      t.reason = t.scope.empty() ? std::string("no unit is in trouble")
                                 : fmt::format("an {} {} problem: let the unit see to it",
                                               t.duration, t.scope);
    }
    if (t.level >= 2 || t.recommendation == "adjust" || t.recommendation == "re-concentrate")
      m_.attention = true;
    m_.theme_reviews.push_back(std::move(t));
  }

  // Units, in the order of their first directive.
  std::map<std::string, std::size_t> unit_at;
  for (std::size_t i = 0; i < m_.directives.size(); ++i) {
    const auto& d = m_.directives[i];
    auto [it, fresh] = unit_at.emplace(d.unit, m_.unit_reviews.size());
    if (fresh) m_.unit_reviews.push_back({d.unit, {}, 0});
    auto& u = m_.unit_reviews[it->second];
    ++u.statuses[m_.status[i].status];
    if (in_trouble(m_.status[i].status)) ++u.troubled;
  }

  // Support over check-ups, per theme; the units' own words, latest first.
  std::map<std::string, std::map<long long, std::pair<long long, long long>>> series;
  std::vector<const rv_report*> all;
  for (const auto& r : history_) all.push_back(&r);
  for (const auto& r : reports_) all.push_back(&r);
  for (const auto* r : all) {
    const auto& d = plan_.directives[plan_.by_id.at(r->directive)];
    if (r->support >= 0) {
      auto& cell = series[d.theme][r->date];
      cell.first += r->support;
      ++cell.second;
    }
  }
  for (const auto& [theme, points] : series)
    for (const auto& [date, sn] : points)
      m_.support_series[theme].emplace_back(
          date, static_cast<double>(sn.first) / static_cast<double>(sn.second));
  std::stable_sort(all.begin(), all.end(),
                   [](const rv_report* a, const rv_report* b) { return a->date > b->date; });
  for (const auto* r : all)
    if (!r->notes.empty() && m_.words.size() < 30)
      m_.words.emplace_back(plan_.directives[plan_.by_id.at(r->directive)].unit, r->notes);
}

void review_run::write_records(output& out) {
  json_writer w;
  w.begin_object().key("type").value("header").key("v").value(records_version);
  w.key("tool").value("ml-review").key("version").value(ML_VERSION).end_object();
  out.line(w.str());
  // Summary.
  std::map<std::string, int> statuses;
  for (const auto& st : m_.status) ++statuses[st.status];
  int escalations = 0;
  for (const auto& t : m_.theme_reviews)
    if (t.level >= 2) ++escalations;
  w.clear();
  w.begin_object().key("type").value("review").key("of").value("summary");
  w.key("as_of").value(format_date(m_.as_of));
  w.key("attention").value(m_.attention);
  w.key("directives").value(m_.directives.size());
  w.key("statuses").begin_object();
  for (const auto& [k, v] : statuses) w.key(k).value(v);
  w.end_object();
  w.key("escalations").value(escalations);
  w.key("reports").begin_object();
  w.key("read").value(m_.read).key("accepted").value(m_.accepted);
  w.key("known").value(m_.duplicates).key("blank").value(m_.blank);
  w.key("rejected").value(m_.rejected).key("history").value(m_.history);
  w.key("reasons").begin_object();
  for (const auto& [k, v] : m_.reject_reasons) w.key(k).value(v);
  w.end_object().end_object();
  w.end_object();
  out.line(w.str());
  // Themes, the most urgent first.
  std::vector<const review_model::theme_review*> themes;
  for (const auto& t : m_.theme_reviews) themes.push_back(&t);
  std::stable_sort(themes.begin(), themes.end(),
                   [](const auto* a, const auto* b) { return a->level > b->level; });
  for (const auto* t : themes) {
    w.clear();
    w.begin_object().key("type").value("review").key("of").value("theme");
    w.key("theme").value(t->theme).key("task").value(t->task).key("tier").value(t->tier);
    w.key("progress").value(t->progress).key("expected").value(t->expected);
    if (t->support >= 0) w.key("support").value(t->support); else w.key("support").null();
    w.key("statuses").begin_object();
    for (const auto& [k, v] : t->statuses) w.key(k).value(v);
    w.end_object();
    w.key("problem").begin_object();
    w.key("scope").string_or_null(t->scope).key("duration").string_or_null(t->duration);
    w.key("units").begin_array();
    for (const auto& u : t->troubled_units) w.value(u);
    w.end_array().end_object();
    w.key("escalation").value(t->level);
    w.key("pilots").string_or_null(t->pilots);
    w.key("recommendation").value(t->recommendation).key("reason").value(t->reason);
    w.key("alternatives").begin_array();
    for (const auto& a : t->alternatives) w.value(a);
    w.end_array().end_object();
    out.line(w.str());
  }
  for (const auto& u : m_.unit_reviews) {
    w.clear();
    w.begin_object().key("type").value("review").key("of").value("unit").key("unit").value(u.unit);
    w.key("statuses").begin_object();
    for (const auto& [k, v] : u.statuses) w.key(k).value(v);
    w.end_object().key("in_trouble").value(u.troubled).end_object();
    out.line(w.str());
  }
  for (std::size_t i = 0; i < m_.directives.size(); ++i) {
    const auto& d = m_.directives[i];
    const auto& st = m_.status[i];
    w.clear();
    w.begin_object().key("type").value("review").key("of").value("directive");
    w.key("directive").value(d.id).key("unit").value(d.unit).key("theme").value(d.theme);
    w.key("phase").value(d.phase).key("status").value(st.status);
    w.key("expected").value(st.expected);
    if (st.progress >= 0) w.key("progress").value(st.progress); else w.key("progress").null();
    if (st.support >= 0) w.key("support").value(st.support); else w.key("support").null();
    w.key("trend").string_or_null(st.trend);
    w.key("reports").value(st.reports);
    if (st.last_report >= 0) w.key("last_report").value(format_date(st.last_report));
    else w.key("last_report").null();
    w.end_object();
    out.line(w.str());
  }
}

int review_run::run() {
  if (o_.prolonged < 1) throw usage_error("--prolonged must be at least 1");
  std::vector<std::string> inputs = o_.inputs;
  if (inputs.empty() && o_.directives.empty()) inputs.push_back("-");
  std::vector<std::string> all_inputs = inputs;
  if (!o_.directives.empty()) all_inputs.push_back(o_.directives);
  check_inputs_and_outputs(all_inputs, {o_.output, o_.rejects, o_.emit_ideas, o_.html});
  // Open every input first: a missing one stops the run before anything is written.
  std::vector<std::unique_ptr<byte_input>> opened;
  if (!o_.directives.empty()) opened.push_back(std::make_unique<byte_input>(o_.directives));
  for (const auto& path : inputs) opened.push_back(std::make_unique<byte_input>(path));
  for (auto& b : opened) {
    text_input in(*b, o_.encoding, [](const std::string& m) { diag::warning(m); });
    const std::string& head = in.peek();
    std::size_t i = head.find_first_not_of(" \t\r\n");
    if (i != std::string::npos && head[i] == '{')
      read_jsonl(in, b->name());
    else
      read_csv(in, b->name());
  }
  if (plan_.directives.empty())
    throw data_error(o_.directives.empty() ? fmt::format("{}", fmt::join(inputs, ", "))
                                           : o_.directives,
                     0,
                     "no directive records; give the directives ml-dispatch wrote "
                     "(--directives directives.jsonl)");
  load_state();
  evaluate();

  // Notes become ideas for the next cycle.
  json_writer w;
  for (const auto& r : reports_) {
    if (r.notes.empty()) continue;
    const auto& d = plan_.directives[plan_.by_id.at(r.directive)];
    w.clear();
    w.begin_object().key("type").value("idea").key("id").value("i-" + r.key);
    w.key("text").value(r.notes).key("respondent").null().key("unit").value(d.unit);
    w.key("question").value("Check-up notes: " + d.task);
    w.key("time").value(format_date(r.date));
    w.key("segments").begin_object().key("directive").value(d.id).key("theme").value(d.theme);
    if (!r.status.empty()) w.key("status").value(r.status);
    w.end_object();
    w.key("ratings").begin_object();
    if (r.progress >= 0) w.key("progress").value(r.progress);
    if (r.support >= 0) w.key("support").value(r.support);
    w.end_object();
    auto colon = r.source.rfind(':');
    w.key("source").begin_object().key("file").value(r.source.substr(0, colon));
    w.key("line").value(std::stoll(r.source.substr(colon + 1)));
    w.key("platform").value("ml-review").end_object();
    w.end_object();
    idea_lines_.push_back(w.str());
  }

  output out(o_.output);
  write_records(out);
  if (o_.rejects.empty())
    for (const auto& l : reject_lines_) out.line(l);
  if (o_.emit_ideas.empty())
    for (const auto& l : idea_lines_) out.line(l);
  if (!o_.rejects.empty()) {
    output rej(o_.rejects);
    for (const auto& l : reject_lines_) rej.line(l);
    rej.commit();
  }
  if (!o_.emit_ideas.empty()) {
    output ideas(o_.emit_ideas);
    for (const auto& l : idea_lines_) ideas.line(l);
    ideas.commit();
  }
  if (!o_.html.empty()) detail::write_review_html(o_.html, m_);
  out.commit();
  save_state();  // last: the history only grows once everything else is written

  std::string reasons;
  for (const auto& [k, v] : m_.reject_reasons) reasons += fmt::format("{}{} {}", reasons.empty() ? "" : ", ", k, v);
  std::map<std::string, int> statuses;
  for (const auto& st : m_.status) ++statuses[st.status];
  std::string sts;
  for (const auto& [k, v] : statuses) sts += fmt::format("{}{} {}", sts.empty() ? "" : ", ", v, k);
  int escalations = 0;
  for (const auto& t : m_.theme_reviews)
    if (t.level >= 2) ++escalations;
  diag::note(fmt::format("{} report rows = {} new + {} known + {} blank + {} rejected{}; {} "
                         "directives as of {}: {}; {} {}, {} {}",
                         m_.read, m_.accepted, m_.duplicates, m_.blank, m_.rejected,
                         reasons.empty() ? "" : " (" + reasons + ")", m_.directives.size(),
                         format_date(m_.as_of), sts, escalations,
                         escalations == 1 ? "escalation" : "escalations", idea_lines_.size(),
                         idea_lines_.size() == 1 ? "note as an idea" : "notes as ideas"));
  if (m_.attention)
    diag::note("needs attention: see the theme reviews (exit status 1)");
  return m_.attention ? exit_findings : exit_ok;
}

}  // namespace

int run_review(const review_options& o) {
  review_run r(o);
  return r.run();
}

}  // namespace ml
