// SPDX-License-Identifier: Apache-2.0
// ml-review: statuses, problems and recommendations (see review.hpp and ml-review(1)).
#include "ml/review.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <set>

#include "ml/timefmt.hpp"

namespace ml {

bool in_trouble(const std::string& s) {
  return s == "behind" || s == "stalled" || s == "blocked" || s == "no-report" || s == "overdue";
}

long long parse_report_date(const std::string& s) {
  std::string iso = parse_time(s);
  if (iso.size() < 10) return -1;
  unsigned y = 0, m = 0, d = 0;
  if (std::sscanf(iso.c_str(), "%4u-%2u-%2u", &y, &m, &d) != 3) return -1;
  long long days = days_from_civil(y, m, d);
  if (format_date(days) != iso.substr(0, 10)) return -1;
  return days;
}

double expected_progress(const rv_directive& d, long long as_of) {
  std::vector<std::pair<long long, double>> pts = {{d.start, 0.0}};
  for (const auto& m : d.milestones)
    if (m.first > pts.back().first && m.first < d.due) pts.push_back(m);
  pts.emplace_back(d.due, 100.0);
  if (as_of <= pts.front().first) return 0.0;
  for (std::size_t i = 1; i < pts.size(); ++i) {
    if (as_of <= pts[i].first) {
      const auto& [d0, p0] = pts[i - 1];
      const auto& [d1, p1] = pts[i];
      if (d1 <= d0) return p1;
      return p0 + (p1 - p0) * static_cast<double>(as_of - d0) / static_cast<double>(d1 - d0);
    }
  }
  return 100.0;
}

rv_status directive_status(const rv_directive& d, const std::vector<const rv_report*>& reports,
                           long long as_of, const review_options& o) {
  rv_status st;
  std::vector<const rv_report*> seen;
  for (const auto* r : reports)
    if (r->date <= as_of) seen.push_back(r);
  std::stable_sort(seen.begin(), seen.end(),
                   [](const rv_report* a, const rv_report* b) { return a->date < b->date; });
  st.reports = static_cast<int>(seen.size());
  st.expected = std::round(std::clamp(expected_progress(d, as_of), 0.0, 100.0) * 10) / 10;
  // The latest values, each from the latest report that gives it.
  std::string status;
  std::vector<int> supports;
  for (const auto* r : seen) {
    if (!r->status.empty()) status = r->status;
    if (r->progress >= 0) st.progress = r->progress;
    if (r->support >= 0) supports.push_back(r->support);
    st.last_report = r->date;
  }
  if (!supports.empty()) st.support = supports.back();
  if (supports.size() >= 2) {
    int a = supports[supports.size() - 2], b = supports.back();
    st.trend = b > a ? "rising" : b < a ? "falling" : "steady";
  }
  if (status == "done" || st.progress >= 100) {
    st.status = "done";
    return st;
  }
  if (status == "blocked") {
    st.status = "blocked";
    return st;
  }
  if (as_of > d.due) {
    st.status = "overdue";
    return st;
  }
  // The check-ups that have passed (their grace days too), and whether each got a report
  // dated after the one before it and no later than its grace days.
  std::vector<long long> passed;
  for (long long c : d.checkups)
    if (c + o.grace <= as_of) passed.push_back(c);
  if (!passed.empty()) {
    long long c = passed.back();
    long long from = passed.size() >= 2 ? passed[passed.size() - 2] + o.grace : d.start - 1;
    bool reported = false;
    for (const auto* r : seen)
      if (r->date > from && r->date <= c + o.grace) reported = true;
    if (!reported) {
      st.status = "no-report";
      return st;
    }
  }
  // Stalled: the progress reported at each of the last two check-ups is no higher than at
  // the one before them.
  if (passed.size() >= 2) {
    auto progress_at = [&](long long c) {
      int p = -1;
      for (const auto* r : seen)
        if (r->date <= c + o.grace && r->progress >= 0) p = r->progress;
      return p;
    };
    long long before = passed.size() >= 3 ? passed[passed.size() - 3] : d.start;
    int p0 = passed.size() >= 3 ? progress_at(before) : 0;
    int p1 = progress_at(passed[passed.size() - 2]);
    int p2 = progress_at(passed.back());
    if (p1 >= 0 && p2 >= 0 && p1 <= p0 && p2 <= p1) {
      st.status = "stalled";
      return st;
    }
  }
  if (passed.empty() && seen.empty()) {
    st.status = "pending";
    return st;
  }
  int progress = std::max(st.progress, 0);
  st.status = static_cast<double>(progress) < st.expected - o.behind ? "behind" : "on-track";
  return st;
}

std::string problem_scope(const std::vector<std::string>& branches, int few) {
  if (branches.empty()) return {};
  if (branches.size() == 1) return "isolated";
  std::set<std::string> distinct(branches.begin(), branches.end());
  if (static_cast<int>(branches.size()) <= few || distinct.size() == 1) return "local";
  return "widespread";
}

int escalation_level(const std::string& scope, bool prolonged) {
  if (scope.empty()) return 0;
  if (scope == "isolated") return prolonged ? 2 : 1;
  if (scope == "local") return prolonged ? 3 : 2;
  return prolonged ? 4 : 3;
}

}  // namespace ml
