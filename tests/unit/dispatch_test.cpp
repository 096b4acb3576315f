// SPDX-License-Identifier: Apache-2.0
// Show that ml-dispatch turns a line into directives: one central task per unit first, tiers
// in order with the unit's own evidence deciding within a tier, local concerns, no empty
// theme dispatched, sub-units' people counted for their parents, pilots that are
// representative and spread over branches, dates, stable ids, safe letters, determinism.
#include "ml/dispatch.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

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

struct idea_spec {
  std::string unit, respondent, theme;  // theme "" = unassigned
};

/// A line: theme records (id, tier) then the ideas, each annotated with its theme.
std::string make_line(const std::vector<std::pair<std::string, std::string>>& themes,
                      const std::vector<idea_spec>& ideas) {
  std::map<std::string, std::vector<std::string>> members;
  std::map<std::string, std::set<std::string>> people;
  std::map<std::string, std::map<std::string, int>> units;
  for (std::size_t i = 0; i < ideas.size(); ++i) {
    if (ideas[i].theme.empty()) continue;
    members[ideas[i].theme].push_back("i-" + std::to_string(i));
    people[ideas[i].theme].insert(ideas[i].respondent);
    units[ideas[i].theme][ideas[i].unit]++;
  }
  std::string s = R"({"type":"header","v":1,"tool":"ml-concentrate"})" "\n";
  int rank = 0;
  for (const auto& [id, tier] : themes) {
    json t = {{"type", "theme"}, {"id", id}, {"rank", ++rank}, {"tier", tier},
              {"label", "label of " + id}, {"keywords", {id}}, {"phrase", "Phrase " + id},
              {"support", {{"respondents", people[id].size()}, {"ideas", members[id].size()},
                           {"units", units[id].size()}}},
              {"units", units[id]}, {"quotes", json::array()}, {"ideas", members[id]}};
    s += t.dump() + "\n";
  }
  for (std::size_t i = 0; i < ideas.size(); ++i) {
    json j = {{"type", "idea"}, {"id", "i-" + std::to_string(i)},
              {"text", "idea " + std::to_string(i) + " of " + ideas[i].respondent},
              {"respondent", ideas[i].respondent},
              {"unit", ideas[i].unit.empty() ? json(nullptr) : json(ideas[i].unit)}};
    if (!ideas[i].theme.empty()) j["theme"] = ideas[i].theme;
    else j["theme"] = nullptr;
    s += j.dump() + "\n";
  }
  return s;
}

const std::vector<std::pair<std::string, std::string>> five_themes = {
    {"t-c", "central"}, {"t-s1", "secondary"}, {"t-s2", "secondary"},
    {"t-t1", "tertiary"}, {"t-empty", "tertiary"}, {"t-o", "other"}};

struct fixture {
  temp_dir dir;
  dispatch_options o;
  organisation org;
  line_data line;
  dispatch_plan plan;
  void run(const std::string& org_csv, const std::string& line_text) {
    o.org = dir.write("org.csv", org_csv);
    o.inputs = {dir.write("line.jsonl", line_text)};
    o.start = "2026-03-02";
    org = read_org(o.org);
    line = read_line(o);
    plan = make_plan(org, line, o);
  }
  std::vector<const directive*> of(const std::string& unit) const {
    std::vector<const directive*> out;
    int u = org.find(unit);
    for (std::size_t i = plan.unit_first[static_cast<std::size_t>(u)];
         i < plan.unit_first[static_cast<std::size_t>(u) + 1]; ++i)
      out.push_back(&plan.directives[i]);
    return out;
  }
  std::string theme(const directive* d) const {
    return line.themes[static_cast<std::size_t>(d->theme)].id;
  }
};

// A: 3 people on t-s2, 1 on t-s1, 2 on t-o (a local concern); B: 2 on t-s1; no one on t-c
// in A, so the central task must still come first there.
std::vector<idea_spec> small_ideas() {
  return {{"A", "a1", "t-s2"}, {"A", "a2", "t-s2"}, {"A", "a3", "t-s2"}, {"A", "a1", "t-s1"},
          {"A", "a4", "t-o"},  {"A", "a5", "t-o"},  {"A", "a6", "t-t1"}, {"B", "b1", "t-s1"},
          {"B", "b2", "t-s1"}, {"B", "b3", "t-c"},  {"B", "b3", "t-c"},  {"B", "b4", "t-c"},
          {"B", "b5", ""},     {"", "x1", "t-c"},   {"Ghost", "g1", "t-c"}};
}

TEST(MakePlan, OneCentralFirstThenTiersByTheUnitsEvidence) {
  fixture f;
  f.run("unit,parent,head,responsible\nA,,Ann,Rita\nB,,Bo,\n", make_line(five_themes, small_ideas()));
  // Tasks: central, then secondaries and tertiaries with ideas; the empty one is skipped.
  ASSERT_EQ(f.plan.tasks.size(), 4u);
  ASSERT_EQ(f.plan.skipped.size(), 1u);
  EXPECT_EQ(f.line.themes[static_cast<std::size_t>(f.plan.skipped[0])].id, "t-empty");
  auto a = f.of("A");
  ASSERT_EQ(a.size(), 5u);  // 4 tasks + 1 local concern
  EXPECT_EQ(f.theme(a[0]), "t-c");
  EXPECT_EQ(a[0]->tier, "central");
  EXPECT_EQ(a[0]->unit_respondents, 0);
  EXPECT_EQ(f.theme(a[1]), "t-s2");  // 3 of A's people, before t-s1 (1) despite the rank
  EXPECT_EQ(f.theme(a[2]), "t-s1");
  EXPECT_EQ(f.theme(a[3]), "t-t1");
  EXPECT_EQ(f.theme(a[4]), "t-o");
  EXPECT_EQ(a[4]->tier, "local");
  EXPECT_EQ(a[1]->unit_respondents, 3);
  std::vector<std::string> ids;
  for (auto i : a[1]->idea_idx) ids.emplace_back(f.line.idea_ids.get(i));
  EXPECT_EQ(ids, (std::vector<std::string>{"i-0", "i-1", "i-2"}));
  for (std::size_t i = 0; i < a.size(); ++i) EXPECT_EQ(a[i]->order, static_cast<int>(i) + 1);
  auto b = f.of("B");
  ASSERT_EQ(b.size(), 4u);  // t-o has none of B's people: no local concern
  EXPECT_EQ(f.theme(b[0]), "t-c");
  EXPECT_EQ(b[0]->unit_respondents, 2);  // b3 twice counts once
  EXPECT_EQ(b[0]->unit_ideas, 3);
  EXPECT_EQ(f.theme(b[1]), "t-s1");
  EXPECT_EQ(f.theme(b[2]), "t-s2");
  // Exactly one central directive per unit.
  std::map<int, int> centrals;
  for (const auto& d : f.plan.directives)
    if (d.tier == "central") centrals[d.unit]++;
  EXPECT_EQ(centrals, (std::map<int, int>{{0, 1}, {1, 1}}));
  // Units in the ideas but not in the organisation are reported, not dropped.
  ASSERT_EQ(f.plan.unknown_units.size(), 1u);
  EXPECT_EQ(f.plan.unknown_units[0].name, "Ghost");
  EXPECT_EQ(f.line.no_unit_ideas, 1);
  EXPECT_EQ(unit_people(f.plan, 1), 5);
}

TEST(MakePlan, LocalConcernsNeedEnoughPeopleAndCanBeTurnedOff) {
  fixture f;
  f.o.local_min = 3;
  f.run("unit,head\nA,Ann\nB,Bo\n", make_line(five_themes, small_ideas()));
  EXPECT_EQ(f.of("A").size(), 4u);
  fixture g;
  g.o.local = 0;
  g.run("unit,head\nA,Ann\nB,Bo\n", make_line(five_themes, small_ideas()));
  EXPECT_EQ(g.of("A").size(), 4u);
}

TEST(MakePlan, QuotesAreTheUnitsOwnFromDifferentRespondents) {
  fixture f;
  f.o.quotes = 2;
  f.run("unit,head\nA,Ann\nB,Bo\n", make_line(five_themes, small_ideas()));
  auto b = f.of("B");
  ASSERT_EQ(b[0]->quotes.size(), 2u);
  EXPECT_EQ(f.line.respondent(b[0]->quotes[0].respondent), "b3");
  EXPECT_EQ(f.line.respondent(b[0]->quotes[1].respondent), "b4");  // not b3's second idea
  EXPECT_EQ(f.line.texts.get(b[0]->quotes[0].text), "idea 9 of b3");
}

TEST(MakePlan, ParentsCountTheirSubUnitsPeople) {
  fixture f;
  f.run("unit,parent,head\nTop,,T\nA,Top,Ann\nB,Top,Bo\n", make_line(five_themes, small_ideas()));
  auto top = f.of("Top");
  EXPECT_EQ(top[0]->unit_respondents, 2);  // b3, b4
  EXPECT_EQ(unit_people(f.plan, f.org.find("Top")), 11);
  for (const auto* d : top) {
    if (f.theme(d) == "t-s1") {
      EXPECT_EQ(d->unit_respondents, 3);  // a1, b1, b2
    }
  }
  EXPECT_EQ(f.plan.units_without_ideas, 1);
}

TEST(MakePlan, TwoCentralThemesOrNoneAreDataErrors) {
  diag::set_quiet(true);
  fixture f;
  try {
    f.run("unit,head\nA,Ann\n",
          make_line({{"t-1", "central"}, {"t-2", "central"}}, {{"A", "a", "t-1"}, {"A", "b", "t-2"}}));
    FAIL() << "two central themes accepted";
  } catch (const error& e) {
    EXPECT_EQ(e.code(), exit_data);
  }
  fixture g;
  try {
    g.run("unit,head\nA,Ann\n", make_line({{"t-1", "central"}, {"t-2", "secondary"}}, {{"A", "a", "t-2"}}));
    FAIL() << "an empty central theme was dispatched";
  } catch (const error& e) {
    EXPECT_EQ(e.code(), exit_data);
  }
  diag::set_quiet(false);
}

// Twelve units in two regions; unit k's people spread over the themes differently, and the
// units named "close" mirror the whole.
std::string twelve_org() {
  std::string s = "unit,parent,head,responsible\nTop,,T,R\nNorth,Top,N,R\nSouth,Top,S,R\n";
  for (int i = 1; i <= 6; ++i) s += fmt::format("N{},North,h,r\n", i);
  for (int i = 1; i <= 6; ++i) s += fmt::format("S{},South,h,r\n", i);
  return s;
}

std::vector<idea_spec> twelve_ideas() {
  std::vector<idea_spec> v;
  auto add = [&](const std::string& unit, int c, int s1, int s2) {
    int r = 0;
    for (int i = 0; i < c; ++i) v.push_back({unit, unit + std::to_string(r++), "t-c"});
    for (int i = 0; i < s1; ++i) v.push_back({unit, unit + std::to_string(r++), "t-s1"});
    for (int i = 0; i < s2; ++i) v.push_back({unit, unit + std::to_string(r++), "t-s2"});
  };
  add("N1", 10, 0, 0);  // lopsided
  add("N2", 5, 3, 2);   // close to the whole
  add("N3", 5, 3, 2);
  add("N4", 0, 0, 10);
  add("N5", 1, 0, 0);   // too few people
  add("N6", 2, 6, 2);
  add("S1", 0, 10, 0);
  add("S2", 4, 4, 2);   // fairly close
  add("S3", 9, 1, 0);
  add("S4", 1, 1, 8);
  add("S5", 0, 5, 5);
  add("S6", 3, 5, 2);
  return v;
}

const std::vector<std::pair<std::string, std::string>> three_themes = {
    {"t-c", "central"}, {"t-s1", "secondary"}, {"t-s2", "secondary"}};

TEST(Pilots, RepresentativeEnoughPeopleAndSpreadOverBranches) {
  fixture f;
  f.run(twelve_org(), make_line(three_themes, twelve_ideas()));  // 15 units: default 3
  ASSERT_EQ(f.plan.pilots.size(), 3u);
  std::vector<std::string> names;
  for (const auto& p : f.plan.pilots) names.push_back(f.org.units[static_cast<std::size_t>(p.unit)].name);
  // Whole: 40 central, 38 s1, 33 s2. S2 (4,4,2) is the closest, then N2 and N3 (5,3,2),
  // which tie: N2 comes first in the file and is in the other branch.
  EXPECT_EQ(names[0], "S2");
  EXPECT_EQ(names[1], "N2");
  EXPECT_LT(f.plan.pilots[0].jsd, f.plan.pilots[1].jsd);
  EXPECT_NEAR(f.plan.pilots[0].jsd, jensen_shannon({4, 4, 2, 0}, {40, 38, 33, 0}), 1e-12);
  // The third: the closest of the rest, whatever its branch, never a unit of one person.
  EXPECT_EQ(names[2], "N3");
  EXPECT_NE(f.plan.pilots[2].reason.find("already has a pilot"), std::string::npos);
  EXPECT_NE(f.plan.pilots[1].reason.find("where no other pilot is"), std::string::npos);
  // Pilot directives start at the start, the others after the pilot phase.
  for (const auto& d : f.plan.directives) {
    bool pilot = std::find(names.begin(), names.end(),
                           f.org.units[static_cast<std::size_t>(d.unit)].name) != names.end();
    EXPECT_EQ(d.pilot, pilot);
    EXPECT_EQ(d.start, pilot ? f.plan.start : f.plan.start + 28);
  }
}

TEST(Pilots, LimitsNamedPilotsAndNone) {
  diag::set_quiet(true);
  auto code = [](dispatch_options o) {
    fixture f;
    f.o = o;
    try {
      f.run(twelve_org(), make_line(three_themes, twelve_ideas()));
    } catch (const error& e) {
      return e.code();
    }
    return 0;
  };
  dispatch_options o;
  o.pilots = 4;
  EXPECT_EQ(code(o), exit_usage);
  o.force = true;
  EXPECT_EQ(code(o), 0);
  dispatch_options named;
  named.pilot_units = {"S6", "Nowhere"};
  EXPECT_EQ(code(named), exit_usage);
  named.pilot_units = {"S6", "S6"};
  EXPECT_EQ(code(named), exit_usage);
  fixture f;
  f.o.pilot_units = {"S6", "North"};
  f.run(twelve_org(), make_line(three_themes, twelve_ideas()));
  ASSERT_EQ(f.plan.pilots.size(), 2u);
  EXPECT_NE(f.plan.pilots[0].reason.find("named with --pilot"), std::string::npos);
  fixture none;
  none.o.pilots = 0;
  none.run(twelve_org(), make_line(three_themes, twelve_ideas()));
  EXPECT_TRUE(none.plan.pilots.empty());
  EXPECT_EQ(none.plan.rollout_start, none.plan.start);
  // Fewer than 10 units: no pilots by default.
  fixture small;
  small.run("unit,head\nA,Ann\nB,Bo\n", make_line(five_themes, small_ideas()));
  EXPECT_TRUE(small.plan.pilots.empty());
  diag::set_quiet(false);
}

TEST(Dates, CheckupsEveryNDaysUntilDue) {
  fixture f;
  f.o.checkup_every = 10;
  f.o.due = "2026-04-10";
  f.run(twelve_org(), make_line(three_themes, twelve_ideas()));
  EXPECT_EQ(f.plan.start, days_from_civil(2026, 3, 2));
  EXPECT_EQ(f.plan.pilot_end, days_from_civil(2026, 3, 30));
  const directive& pilot = *f.of("N2")[0];
  const directive& other = *f.of("N1")[0];
  std::vector<long long> want_pilot = {days_from_civil(2026, 3, 12), days_from_civil(2026, 3, 22),
                                       days_from_civil(2026, 4, 1), days_from_civil(2026, 4, 10)};
  EXPECT_EQ(pilot.checkups, want_pilot);
  std::vector<long long> want_other = {days_from_civil(2026, 4, 9), days_from_civil(2026, 4, 10)};
  EXPECT_EQ(other.checkups, want_other);
  EXPECT_EQ(other.due, days_from_civil(2026, 4, 10));
  diag::set_quiet(true);
  fixture g;
  g.o.due = "2026-03-20";  // before the roll-out
  EXPECT_THROW(g.run(twelve_org(), make_line(three_themes, twelve_ideas())), error);
  fixture h;
  h.o.due = "2026-02-30";
  EXPECT_THROW(h.run(twelve_org(), make_line(three_themes, twelve_ideas())), error);
  diag::set_quiet(false);
}

TEST(JensenShannon, BoundsAndSymmetry) {
  EXPECT_DOUBLE_EQ(jensen_shannon({1, 2, 3}, {2, 4, 6}), 0.0);
  EXPECT_DOUBLE_EQ(jensen_shannon({1, 0}, {0, 1}), 1.0);
  double a = jensen_shannon({3, 1, 0}, {1, 1, 1}), b = jensen_shannon({1, 1, 1}, {3, 1, 0});
  EXPECT_NEAR(a, b, 1e-12);
  EXPECT_GT(a, 0.0);
  EXPECT_LT(a, 1.0);
}

TEST(DirectiveId, StablePerUnitAndTheme) {
  EXPECT_EQ(directive_id("Ashby", "t-1"), directive_id("Ashby", "t-1"));
  EXPECT_NE(directive_id("Ashby", "t-1"), directive_id("Ashby", "t-2"));
  EXPECT_NE(directive_id("Ashby", "t-1"), directive_id("Ashbyt", "-1"));
  EXPECT_EQ(directive_id("Ashby", "t-1").size(), 18u);
}

TEST(Volunteers, CountedPerUnitWithContactsOnlyByConsent) {
  temp_dir d;
  const std::string q = "How would you like to get involved?";
  auto idea = [&](int n, const std::string& unit, const std::string& resp, const json& segs) {
    json j = {{"type", "idea"}, {"id", "i-" + std::to_string(n)}, {"text", "t"},
              {"respondent", resp}, {"unit", unit}, {"segments", segs}, {"theme", "t-c"}};
    return j.dump() + "\n";
  };
  std::string line = make_line({{"t-c", "central"}}, {{"A", "a1", "t-c"}});
  line += idea(1, "A", "a1", {{q, "Yes, I can help"}, {"Contact", "a1@example.org"}, {"Share", "yes"}});
  line += idea(2, "A", "a1", {{q, "Yes, I can help"}, {"Contact", "a1@example.org"}, {"Share", "yes"}});
  line += idea(3, "A", "a2", {{q, "Hand out leaflets"}, {"Contact", "a2@example.org"}, {"Share", "no"}});
  line += idea(4, "A", "a3", {{q, "No thanks"}, {"Contact", "a3@example.org"}, {"Share", "yes"}});
  line += idea(5, "A", "a4", {{q, "n/a"}});
  line += idea(6, "B", "b1", {{"Other", "x"}});
  // The answer may also be an idea whose question is the volunteer question.
  line += json({{"type", "idea"}, {"id", "i-7"}, {"text", "I'll chair a meeting"}, {"respondent", "b2"},
                {"unit", "B"}, {"question", q}, {"theme", nullptr}}).dump() + "\n";
  fixture f;
  f.o.volunteer = q;
  f.o.contact = "Contact";
  f.o.contact_consent = "Share";
  f.run("unit,parent,head\nTop,,T\nA,Top,Ann\nB,Top,Bo\n", line);
  const line_unit& a = f.plan.unit_data[static_cast<std::size_t>(f.org.find("A"))];
  EXPECT_EQ(a.volunteers, 2);  // a1 (once), a2; not a3's no nor a4's n/a
  EXPECT_EQ(a.contacts, (std::vector<std::string>{"a1@example.org"}));  // a2 did not agree
  const line_unit& b = f.plan.unit_data[static_cast<std::size_t>(f.org.find("B"))];
  EXPECT_EQ(b.volunteers, 1);
  EXPECT_TRUE(b.contacts.empty());
  EXPECT_EQ(f.plan.unit_data[0].volunteers, 3);  // Top counts its sub-units' volunteers
  // Without the consent answer, no contact is ever listed.
  fixture g;
  g.o.volunteer = q;
  g.o.contact = "Contact";
  g.run("unit,head\nA,Ann\nB,Bo\n", line);
  EXPECT_EQ(g.plan.unit_data[0].volunteers, 2);
  EXPECT_TRUE(g.plan.unit_data[0].contacts.empty());
}

TEST(RunDispatch, HostileNamesAreSafeInEveryFileAndOutputIsDeterministic) {
  diag::set_quiet(true);
  temp_dir d;
  std::string evil = "<script>alert(1)</script>";
  std::string org = "unit,head,responsible\n\"../../x\",\"" + evil + "\",=cmd()\nCON,Ann,\ncon,Bo,\n";
  std::vector<idea_spec> ideas = {{"../../x", "a", "t-c"}, {"CON", "b", "t-c"}, {"con", "c", "t-c"}};
  std::string line = make_line({{"t-c", "central"}}, ideas);
  // A hostile quote: markup and a formula.
  auto pos = line.find("idea 0 of a");
  line.replace(pos, 11, "=HYPERLINK(\\\"http://evil\\\") <img src=x onerror=alert(1)>");
  dispatch_options o;
  o.org = d.write("org.csv", org);
  o.inputs = {d.write("line.jsonl", line)};
  o.start = "2026-03-02";
  o.out_dir = d.file("out");
  o.output = d.file("directives.jsonl");
  EXPECT_EQ(run_dispatch(o), 0);
  std::string first = slurp(o.output);
  std::set<std::string> files;
  for (auto& e : std::filesystem::directory_iterator(o.out_dir)) files.insert(e.path().filename());
  EXPECT_EQ(files, (std::set<std::string>{"x.md", "x.html", "x-report.csv", "CON_.md",
                                          "CON_.html", "CON_-report.csv", "con_-2.md",
                                          "con_-2.html", "con_-2-report.csv", "index.md",
                                          "index.html"}));
  std::string html = slurp(o.out_dir + "/x.html");
  EXPECT_EQ(html.find("<script>"), std::string::npos);
  EXPECT_EQ(html.find("<img"), std::string::npos);
  EXPECT_NE(html.find("&lt;script&gt;alert(1)&lt;/script&gt;"), std::string::npos);
  std::string md = slurp(o.out_dir + "/x.md");
  EXPECT_EQ(md.find("<script>"), std::string::npos);
  EXPECT_EQ(md.find("<img"), std::string::npos);
  std::string csv = slurp(o.out_dir + "/x-report.csv");
  EXPECT_EQ(csv.find("\n=HYP"), std::string::npos);
  // The spreadsheet form neutralises the formula in the quotes and the responsible cell.
  dispatch_options c = o;
  c.out_dir.clear();
  c.format = "csv";
  c.output = d.file("directives.csv");
  EXPECT_EQ(run_dispatch(c), 0);
  std::string sheet = slurp(c.output);
  EXPECT_NE(sheet.find(",'=cmd(),"), std::string::npos) << sheet;
  EXPECT_NE(sheet.find("\"'=HYPERLINK("), std::string::npos) << sheet;
  // Again: byte-identical.
  EXPECT_EQ(run_dispatch(o), 0);
  EXPECT_EQ(slurp(o.output), first);
  // Every directive traces to its theme and the line rides along after the directives.
  std::istringstream in(first);
  std::string l;
  int directives = 0, themes = 0, ideas_out = 0;
  while (std::getline(in, l)) {
    json j = json::parse(l);
    if (j["type"] == "directive") {
      ++directives;
      EXPECT_EQ(j["theme"], "t-c");
      EXPECT_EQ(j["ideas"].size(), 1u);
      EXPECT_EQ(themes, 0);  // directives before the line
    }
    if (j["type"] == "theme") ++themes;
    if (j["type"] == "idea") ++ideas_out;
  }
  EXPECT_EQ(directives, 3);
  EXPECT_EQ(themes, 1);
  EXPECT_EQ(ideas_out, 3);
  diag::set_quiet(false);
}

}  // namespace
}  // namespace ml
