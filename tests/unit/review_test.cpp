// SPDX-License-Identifier: Apache-2.0
// Show that ml-review classifies every directive and problem as documented, and that a
// simulated cycle of several weekly check-ups, run from "cron" with a state folder, gives the
// expected escalations: a problem that spreads, one that stays local, a pilot that succeeds;
// and that the history is idempotent, survives a crash mid-write and concurrent runs.
#include "ml/review.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "ml/diag.hpp"
#include "ml/error.hpp"
#include "ml/timefmt.hpp"
#include "temp_dir.hpp"

namespace ml {
namespace {

using json = nlohmann::json;
using test::slurp;
using test::temp_dir;

long long day(int m, int d) { return days_from_civil(2026, static_cast<unsigned>(m), static_cast<unsigned>(d)); }

rv_directive directive() {
  rv_directive d;
  d.id = "d-1";
  d.unit = "A";
  d.theme = "t-1";
  d.start = day(3, 2);
  d.due = day(5, 25);  // 84 days
  for (long long c = d.start + 14; c < d.due; c += 14) d.checkups.push_back(c);
  d.checkups.push_back(d.due);
  return d;
}

rv_report report(int m, int dd, const std::string& status, int progress, int support = -1) {
  rv_report r;
  r.directive = "d-1";
  r.date = day(m, dd);
  r.status = status;
  r.progress = progress;
  r.support = support;
  return r;
}

std::string status_of(const std::vector<rv_report>& reports, long long as_of) {
  std::vector<const rv_report*> p;
  for (const auto& r : reports) p.push_back(&r);
  review_options o;
  return directive_status(directive(), p, as_of, o).status;
}

TEST(DirectiveStatus, EveryStatus) {
  // Before the first check-up, with no report: pending.
  EXPECT_EQ(status_of({}, day(3, 10)), "pending");
  // A check-up passed (3/16, grace 3 days) with no report: no-report.
  EXPECT_EQ(status_of({}, day(3, 20)), "no-report");
  // Reported in time and on track (expected 21% on 3/20).
  EXPECT_EQ(status_of({report(3, 16, "in-progress", 20)}, day(3, 20)), "on-track");
  // Well below the expected: behind.
  EXPECT_EQ(status_of({report(3, 16, "in-progress", 5)}, day(3, 20)), "behind");
  EXPECT_EQ(status_of({report(3, 16, "done", 30)}, day(3, 20)), "done");
  EXPECT_EQ(status_of({report(3, 16, "in-progress", 100)}, day(3, 20)), "done");
  EXPECT_EQ(status_of({report(3, 16, "blocked", 30)}, day(3, 20)), "blocked");
  // Past the due date and not done: overdue.
  EXPECT_EQ(status_of({report(5, 20, "in-progress", 90)}, day(5, 30)), "overdue");
  // No movement over the last two check-ups: stalled.
  EXPECT_EQ(status_of({report(3, 16, "in-progress", 30), report(3, 30, "in-progress", 30),
                       report(4, 13, "in-progress", 30)},
                      day(4, 16)),
            "stalled");
  // Moving again: not stalled.
  EXPECT_EQ(status_of({report(3, 16, "in-progress", 20), report(3, 30, "in-progress", 30),
                       report(4, 13, "in-progress", 45)},
                      day(4, 16)),
            "on-track");
  // Reports after the day of the review are not seen.
  EXPECT_EQ(status_of({report(3, 16, "done", 100)}, day(3, 10)), "pending");
}

TEST(DirectiveStatus, ExpectedProgressAndSupportTrend) {
  std::vector<rv_report> rs = {report(3, 16, "in-progress", 20, 40),
                               report(3, 30, "in-progress", 35, 55)};
  std::vector<const rv_report*> p = {&rs[0], &rs[1]};
  review_options o;
  rv_status st = directive_status(directive(), p, day(4, 13), o);
  EXPECT_NEAR(st.expected, 100.0 * 42 / 84, 0.05);
  EXPECT_EQ(st.progress, 35);
  EXPECT_EQ(st.support, 55);
  EXPECT_EQ(st.trend, "rising");
  EXPECT_EQ(st.reports, 2);
  EXPECT_EQ(st.last_report, day(3, 30));
  std::swap(rs[0].support, rs[1].support);
  st = directive_status(directive(), p, day(4, 13), o);
  EXPECT_EQ(st.trend, "falling");
}

TEST(DirectiveStatus, MilestonesShapeTheExpectedProgress) {
  rv_directive d = directive();  // 2026-03-02 to 2026-05-25, 84 days
  EXPECT_DOUBLE_EQ(expected_progress(d, day(3, 2)), 0.0);
  EXPECT_DOUBLE_EQ(expected_progress(d, day(4, 13)), 50.0);  // linear: day 42 of 84
  EXPECT_DOUBLE_EQ(expected_progress(d, day(6, 1)), 100.0);
  // A slow start: 10% by 2026-04-13, then the rest.
  d.milestones = {{day(4, 13), 10.0}};
  EXPECT_DOUBLE_EQ(expected_progress(d, day(3, 23)), 5.0);
  EXPECT_DOUBLE_EQ(expected_progress(d, day(4, 13)), 10.0);
  EXPECT_DOUBLE_EQ(expected_progress(d, day(5, 4)), 55.0);
  // So 12% on 2026-04-13 is on track with the milestone, though far behind a straight line.
  std::vector<rv_report> rs = {report(4, 13, "in-progress", 12)};
  std::vector<const rv_report*> p = {&rs[0]};
  review_options o;
  EXPECT_EQ(directive_status(d, p, day(4, 14), o).status, "no-report");  // 3/16 and 3/30 missed
  rs.insert(rs.begin(), {report(3, 16, "in-progress", 3), report(3, 30, "in-progress", 7)});
  p = {&rs[0], &rs[1], &rs[2]};
  EXPECT_EQ(directive_status(d, p, day(4, 14), o).status, "on-track");
  EXPECT_EQ(directive_status(directive(), p, day(4, 14), o).status, "behind");
}

TEST(Problems, ScopeAndEscalation) {
  EXPECT_EQ(problem_scope({}, 3), "");
  EXPECT_EQ(problem_scope({"North"}, 3), "isolated");
  EXPECT_EQ(problem_scope({"North", "South", "East"}, 3), "local");          // a few
  EXPECT_EQ(problem_scope({"North", "North", "North", "North", "North"}, 3), "local");  // one branch
  EXPECT_EQ(problem_scope({"North", "North", "South", "South"}, 3), "widespread");
  EXPECT_EQ(escalation_level("", false), 0);
  EXPECT_EQ(escalation_level("isolated", false), 1);
  EXPECT_EQ(escalation_level("isolated", true), 2);
  EXPECT_EQ(escalation_level("local", false), 2);
  EXPECT_EQ(escalation_level("local", true), 3);
  EXPECT_EQ(escalation_level("widespread", false), 3);
  EXPECT_EQ(escalation_level("widespread", true), 4);
  EXPECT_TRUE(in_trouble("stalled"));
  EXPECT_FALSE(in_trouble("pending"));
  EXPECT_EQ(parse_report_date("2026-03-16"), day(3, 16));
  EXPECT_EQ(parse_report_date("2026-02-30"), -1);
  EXPECT_EQ(parse_report_date("soon"), -1);
}

// ---- A simulated cycle ------------------------------------------------------------------

// Two regions of four sites; themes: t-c central (pilots N1 and S1), t-s secondary, t-l
// tertiary. Directives start 2026-03-02 (pilots) and 2026-03-30 (roll-out), due 2026-05-25,
// check-ups every 14 days.
struct cycle {
  temp_dir dir;
  std::string directives;
  std::vector<std::string> units = {"N1", "N2", "N3", "N4", "S1", "S2", "S3", "S4"};
  cycle() {
    std::string s = R"({"type":"header","v":1,"tool":"ml-dispatch"})" "\n";
    s += R"({"type":"dispatch","tasks":["t-c","t-s","t-l"],"start":"2026-03-02","rollout_start":"2026-03-30","due":"2026-05-25"})" "\n";
    auto checkups = [](long long from) {
      json a = json::array();
      for (long long c = from + 14; c < day(5, 25); c += 14) a.push_back(format_date(c));
      a.push_back("2026-05-25");
      return a;
    };
    for (const auto& u : units) {
      bool pilot = u == "N1" || u == "S1";
      long long start = pilot ? day(3, 2) : day(3, 30);
      int order = 0;
      for (auto [theme, tier] : std::vector<std::pair<std::string, std::string>>{
               {"t-c", "central"}, {"t-s", "secondary"}, {"t-l", "tertiary"}}) {
        json d = {{"type", "directive"}, {"id", id(u, theme)}, {"unit", u}, {"theme", theme},
                  {"tier", tier}, {"order", ++order}, {"phase", pilot ? "pilot" : "rollout"},
                  {"call", {{"phrase", "Task " + theme}, {"label", theme}}},
                  {"start", format_date(start)}, {"checkup", checkups(start)}, {"due", "2026-05-25"}};
        s += d.dump() + "\n";
      }
    }
    s += R"({"type":"brief","unit":"Top","sub_units":[{"unit":"North"},{"unit":"South"}]})" "\n";
    s += R"({"type":"brief","unit":"North","sub_units":[{"unit":"N1"},{"unit":"N2"},{"unit":"N3"},{"unit":"N4"}]})" "\n";
    s += R"({"type":"brief","unit":"South","sub_units":[{"unit":"S1"},{"unit":"S2"},{"unit":"S3"},{"unit":"S4"}]})" "\n";
    for (auto [id, tier, rank] : std::vector<std::tuple<std::string, std::string, int>>{
             {"t-c", "central", 1}, {"t-s", "secondary", 2}, {"t-l", "tertiary", 3},
             {"t-o1", "other", 4}, {"t-o2", "other", 5}})
      s += json({{"type", "theme"}, {"id", id}, {"tier", tier}, {"rank", rank}, {"label", id}})
               .dump() + "\n";
    directives = dir.write("directives.jsonl", s);
  }
  static std::string id(const std::string& u, const std::string& t) { return "d-" + u + "-" + t; }
  /// Runs a review of `csv` (a report file written for that week) as of `as_of`, with the
  /// state folder; returns the exit status and fills `themes` with the theme reviews.
  int review(const std::string& name, const std::string& csv, const std::string& as_of,
             std::map<std::string, json>& themes) {
    review_options o;
    o.directives = directives;
    o.inputs = {dir.write(name, csv)};
    o.as_of = as_of;
    o.state = dir.file("state");
    o.output = dir.file("review.jsonl");
    o.emit_ideas = dir.file("ideas.jsonl");
    o.html = dir.file("review.html");
    int code = run_review(o);
    themes.clear();
    std::istringstream in(slurp(o.output));
    std::string l;
    while (std::getline(in, l)) {
      json j = json::parse(l);
      if (j["type"] == "review" && j["of"] == "theme") themes[j["theme"]] = j;
    }
    return code;
  }
};

std::string row(const std::string& unit, const std::string& theme, const std::string& date,
                const std::string& status, int progress, int support, const std::string& notes = "") {
  return fmt::format("{},{},{},{},{},{},{}\n", cycle::id(unit, theme), date, status, progress,
                     support, notes, "x");
}

const char* head = "directive,date,status,progress,support,notes,extra\n";

TEST(ReviewCycle, SpreadingLocalAndPilotProblemsAcrossWeeks) {
  diag::set_quiet(true);
  cycle c;
  std::map<std::string, json> t;
  // Week 2 (pilot phase): the pilots are on track on the central task, support holding.
  std::string w2 = head;
  w2 += row("N1", "t-c", "2026-03-16", "in-progress", 20, 60, "Started the petition");
  w2 += row("S1", "t-c", "2026-03-16", "in-progress", 25, 65);
  w2 += row("N1", "t-s", "2026-03-16", "in-progress", 20, 50);
  w2 += row("S1", "t-s", "2026-03-16", "in-progress", 20, 50);
  w2 += row("N1", "t-l", "2026-03-16", "in-progress", 20, 50);
  w2 += row("S1", "t-l", "2026-03-16", "in-progress", 20, 50);
  EXPECT_EQ(c.review("week2.csv", w2, "2026-03-19", t), 0);
  EXPECT_EQ(t["t-c"]["pilots"], "succeeding");
  EXPECT_EQ(t["t-c"]["recommendation"], "roll-out");
  EXPECT_EQ(t["t-c"]["escalation"], 0);

  // Week 6 (roll-out under way): t-s falls behind in one unit.
  std::string w6 = head;
  for (const auto& u : c.units) {
    int p = u == "N1" || u == "S1" ? 55 : 40;  // the pilots started four weeks earlier
    for (const char* th : {"t-c", "t-l"})
      w6 += row(u, th, "2026-04-13", "in-progress", p, 60);
    w6 += row(u, "t-s", "2026-04-13", "in-progress", u == "N2" ? 0 : p, 55);
  }
  EXPECT_EQ(c.review("week6.csv", w6, "2026-04-16", t), 0);
  EXPECT_EQ(t["t-s"]["problem"]["scope"], "isolated");
  EXPECT_EQ(t["t-s"]["problem"]["duration"], "temporary");
  EXPECT_EQ(t["t-s"]["escalation"], 1);
  EXPECT_EQ(t["t-s"]["recommendation"], "persevere");

  // Week 8: t-s has spread to units in both regions with support falling; t-l stays stuck in
  // two units of the North.
  std::string w8 = head;
  for (const auto& u : c.units) {
    int p = u == "N1" || u == "S1" ? 70 : 60;
    w8 += row(u, "t-c", "2026-04-27", "in-progress", p, 65);
    bool s_trouble = u == "N2" || u == "N3" || u == "S2" || u == "S3" || u == "S4";
    w8 += row(u, "t-s", "2026-04-27", "in-progress", s_trouble ? 5 : p, s_trouble ? 30 : 55,
              s_trouble ? "People do not see the point" : "");
    bool l_trouble = u == "N3" || u == "N4";
    w8 += row(u, "t-l", "2026-04-27", l_trouble ? "blocked" : "in-progress", p, 50);
  }
  EXPECT_EQ(c.review("week8.csv", w8, "2026-04-30", t), 1);
  EXPECT_EQ(t["t-s"]["problem"]["scope"], "widespread");
  EXPECT_EQ(t["t-s"]["problem"]["duration"], "prolonged");  // N2 behind at two check-ups
  EXPECT_EQ(t["t-s"]["escalation"], 4);
  EXPECT_EQ(t["t-s"]["recommendation"], "re-concentrate");
  EXPECT_EQ(t["t-s"]["alternatives"], json({"t-o1", "t-o2", "t-l"}));
  EXPECT_EQ(t["t-l"]["problem"]["scope"], "local");
  EXPECT_EQ(t["t-l"]["problem"]["duration"], "temporary");
  EXPECT_EQ(t["t-l"]["escalation"], 2);
  EXPECT_EQ(t["t-l"]["recommendation"], "adjust");
  EXPECT_EQ(t["t-c"]["escalation"], 0);
  EXPECT_EQ(t["t-c"]["recommendation"], "persevere");  // rolled out already
  // The notes became ideas, each once.
  std::string ideas = slurp(c.dir.file("ideas.jsonl"));
  EXPECT_EQ(std::count(ideas.begin(), ideas.end(), '\n'), 5);
  EXPECT_NE(ideas.find("\"text\":\"People do not see the point\",\"respondent\":null,\"unit\":\"N2\""),
            std::string::npos);
  // The HTML report has the escalation first, and no markup from the reports.
  std::string html = slurp(c.dir.file("review.html"));
  EXPECT_LT(html.find("Task t-s"), html.find("Task t-l"));

  // The same report files again: nothing changes in the history.
  std::string history = slurp(c.dir.file("state/checkups.jsonl"));
  EXPECT_EQ(c.review("week8.csv", w8, "2026-04-30", t), 1);
  EXPECT_EQ(slurp(c.dir.file("state/checkups.jsonl")), history);
  EXPECT_EQ(slurp(c.dir.file("ideas.jsonl")), "");  // no new notes
  diag::set_quiet(false);
}

TEST(ReviewState, SurvivesACrashMidWriteAndConcurrentRuns) {
  diag::set_quiet(true);
  cycle c;
  std::map<std::string, json> t;
  std::string w2 = head;
  w2 += row("N1", "t-c", "2026-03-16", "in-progress", 20, 60, "a");
  c.review("w2.csv", w2, "2026-03-19", t);
  std::string path = c.dir.file("state/checkups.jsonl");
  std::string whole = slurp(path);
  ASSERT_EQ(std::count(whole.begin(), whole.end(), '\n'), 1);
  // A run killed while appending: half a line at the end.
  { std::ofstream(path, std::ios::app) << R"({"type":"report","directive":"d-N1-t-c","da)"; }
  c.review("w2.csv", w2, "2026-03-19", t);
  EXPECT_EQ(slurp(path), whole);  // repaired, and the known report not added again
  // Two runs at once on different reports: both land, each once.
  std::string a = std::string(head) + row("S1", "t-c", "2026-03-16", "in-progress", 25, 60, "b");
  std::string b = std::string(head) + row("N1", "t-s", "2026-03-16", "in-progress", 25, 60, "c");
  auto pa = c.dir.write("a.csv", a), pb = c.dir.write("b.csv", b);
  std::vector<pid_t> kids;
  for (const auto& f : {pa, pb, pa, pb}) {
    pid_t pid = ::fork();
    ASSERT_GE(pid, 0);
    if (pid == 0) {
      review_options o;
      o.directives = c.directives;
      o.inputs = {f};
      o.as_of = "2026-03-19";
      o.state = c.dir.file("state");
      o.output = "/dev/null";
      try {
        int code = run_review(o);
        if (code != 0 && code != 1) ::_exit(4);
      } catch (...) {
        ::_exit(3);
      }
      ::_exit(0);
    }
    kids.push_back(pid);
  }
  for (pid_t k : kids) {
    int status = 0;
    ::waitpid(k, &status, 0);
    EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  }
  std::string after = slurp(path);
  EXPECT_EQ(std::count(after.begin(), after.end(), '\n'), 3);
  std::set<std::string> keys;
  std::istringstream in(after);
  std::string l;
  while (std::getline(in, l)) EXPECT_TRUE(keys.insert(json::parse(l)["key"]).second) << l;
  diag::set_quiet(false);
}

TEST(ReviewReports, BadRowsAreRejectedWithReasonsAndGoodRowsKept) {
  diag::set_quiet(true);
  cycle c;
  std::string csv = "\xEF\xBB\xBF" "notes,Support,progress,STATUS,date,directive,unit,theme\r\n";
  csv += "fine,50,30,in-progress,2026-03-16,d-N1-t-c,,\r\n";
  csv += "too far,50,140,in-progress,2026-03-16,d-N1-t-c,,\r\n";
  csv += "early,50,10,in-progress,2026-02-01,d-N1-t-c,,\r\n";
  csv += "odd,50,10,dancing,2026-03-16,d-N1-t-c,,\r\n";
  csv += "who,50,10,in-progress,2026-03-16,d-nobody,,\r\n";
  csv += "by unit,40,10,in-progress,2026-03-16,,S1,t-c\r\n";
  csv += "future,50,10,in-progress,2026-04-30,d-N1-t-c,,\r\n";
  csv += ",,,,,d-N1-t-s,,\r\n";  // a template row not filled in
  review_options o;
  o.directives = c.directives;
  o.inputs = {c.dir.write("r.csv", csv)};
  o.as_of = "2026-03-19";
  o.output = c.dir.file("out.jsonl");
  o.rejects = c.dir.file("rejects.jsonl");
  run_review(o);
  std::map<std::string, int> reasons;
  std::istringstream in(slurp(o.rejects));
  std::string l;
  while (std::getline(in, l)) reasons[json::parse(l)["reason"]]++;
  EXPECT_EQ(reasons, (std::map<std::string, int>{{"bad-progress", 1}, {"date-before-start", 1},
                                                 {"bad-status", 1}, {"unknown-directive", 1},
                                                 {"date-after-as-of", 1}}));
  std::string out = slurp(o.output);
  json summary = json::parse(out.substr(out.find('\n') + 1, out.find('\n', out.find('\n') + 1) - out.find('\n') - 1));
  EXPECT_EQ(summary["reports"]["read"], 8);
  EXPECT_EQ(summary["reports"]["accepted"], 2);
  EXPECT_EQ(summary["reports"]["blank"], 1);
  EXPECT_EQ(summary["reports"]["rejected"], 5);
  diag::set_quiet(false);
}

}  // namespace
}  // namespace ml
