// SPDX-License-Identifier: Apache-2.0
// Show that run_concentrate turns idea streams into a line: planted themes found, every idea
// in exactly one place, breadth-first ranking with one central theme, codebook, previous
// cycle, stance, pass-through, determinism and clear errors.
#include "ml/concentrate.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "ml/diag.hpp"
#include "ml/error.hpp"
#include "temp_dir.hpp"

namespace ml {
namespace {

using json = nlohmann::json;
using test::slurp;
using test::temp_dir;

struct planted_idea {
  std::string id, text, respondent, unit, topic;
  double stance = -1;
};

// Four concerns, each said many ways, by people across units.
std::vector<planted_idea> planted(int per_topic = 40) {
  const std::map<std::string, std::vector<std::string>> topics = {
      {"parking", {"parking", "car park", "parking spaces", "parking permit", "park my car", "parking lot"}},
      {"shifts", {"night shifts", "shift rota", "shift pattern", "long shifts", "rota changes", "shift swaps"}},
      {"pay", {"pay rise", "wages", "overtime pay", "pay scale", "low wages", "holiday pay"}},
      {"canteen", {"canteen food", "hot meals", "canteen prices", "food options", "canteen opening", "meals"}},
  };
  const std::vector<std::string> frames = {
      "we need better {}", "the {} is a real problem", "please sort out {} soon",
      "{} keeps getting worse", "nobody listens about {}", "fix {} for everyone",
      "{} should be the priority", "I am tired of {}"};
  std::vector<planted_idea> out;
  int n = 0;
  for (auto& [topic, phrases] : topics) {
    for (int i = 0; i < per_topic; ++i) {
      planted_idea p;
      p.topic = topic;
      std::string frame = frames[static_cast<std::size_t>(i) % frames.size()];
      std::string phrase = phrases[static_cast<std::size_t>(i * 7 + 3) % phrases.size()];
      std::string second = phrases[static_cast<std::size_t>(i * 5 + 1) % phrases.size()];
      p.text = frame.replace(frame.find("{}"), 2, phrase) + " and " + second;
      p.respondent = "r-" + std::to_string(n);
      p.unit = "Depot " + std::to_string(n % 6);
      p.id = "i-" + std::to_string(n);
      p.stance = topic == "pay" ? 5 : topic == "canteen" ? 1 : 3;
      out.push_back(p);
      ++n;
    }
  }
  return out;
}

std::string to_jsonl(const std::vector<planted_idea>& ideas, bool with_stance = false) {
  std::string s = "{\"type\":\"header\",\"v\":1,\"tool\":\"ml-gather\",\"version\":\"0.1.0\"}\n";
  for (auto& p : ideas) {
    json j = {{"type", "idea"}, {"id", p.id}, {"text", p.text}, {"respondent", p.respondent}};
    j["unit"] = p.unit.empty() ? json(nullptr) : json(p.unit);
    if (with_stance) j["ratings"] = {{"agree", p.stance}};
    s += j.dump() + "\n";
  }
  return s;
}

struct line_out {
  std::vector<json> records;
  json summary, unassigned;
  std::vector<json> themes, ideas, others;
  std::string text;
};

line_out run(concentrate_options o, const temp_dir& dir, concentrate_tally* tally = nullptr) {
  o.output = dir.file("line.jsonl");
  diag::set_quiet(true);
  EXPECT_EQ(run_concentrate(o, tally), 0);
  line_out l;
  l.text = slurp(o.output);
  std::istringstream in(l.text);
  std::string s;
  while (std::getline(in, s)) {
    json j = json::parse(s);
    l.records.push_back(j);
    std::string t = j["type"];
    if (t == "summary") l.summary = j;
    else if (t == "theme") l.themes.push_back(j);
    else if (t == "unassigned") l.unassigned = j;
    else if (t == "idea") l.ideas.push_back(j);
    else if (t != "header") l.others.push_back(j);
  }
  return l;
}

// Share of ideas whose theme's majority topic is their own.
double purity(const line_out& l, const std::vector<planted_idea>& truth) {
  std::map<std::string, std::string> topic_of;
  for (auto& p : truth) topic_of[p.id] = p.topic;
  std::map<std::string, std::map<std::string, int>> counts;
  for (auto& i : l.ideas)
    if (!i["theme"].is_null()) ++counts[i["theme"]][topic_of[i["id"]]];
  int good = 0;
  for (auto& [theme, c] : counts) {
    int best = 0;
    for (auto& [topic, n] : c) best = std::max(best, n);
    good += best;
  }
  return static_cast<double>(good) / static_cast<double>(truth.size());
}

TEST(Concentrate, FindsPlantedThemesAndAccountsForEveryIdea) {
  temp_dir dir;
  auto truth = planted();
  concentrate_options o;
  o.inputs = {dir.write("ideas.jsonl", to_jsonl(truth))};
  concentrate_tally tally;
  auto l = run(o, dir, &tally);
  ASSERT_EQ(l.records.front()["type"], "header");
  EXPECT_EQ(l.records.front()["tool"], "ml-concentrate");
  ASSERT_EQ(l.records[1]["type"], "summary");
  ASSERT_GE(l.themes.size(), 3u);
  EXPECT_LE(l.themes.size(), 8u);
  EXPECT_GT(purity(l, truth), 0.9);
  // The order of the stream: summary, themes, unassigned, ideas.
  EXPECT_EQ(l.records[2 + l.themes.size()]["type"], "unassigned");
  // Every idea in exactly one place; the theme's list and the idea's annotation agree.
  std::map<std::string, std::string> place;
  for (auto& t : l.themes)
    for (auto& id : t["ideas"]) EXPECT_TRUE(place.emplace(id, t["id"]).second) << id;
  for (auto& id : l.unassigned["ideas"]) EXPECT_TRUE(place.emplace(id, "").second) << id;
  ASSERT_EQ(place.size(), truth.size());
  ASSERT_EQ(l.ideas.size(), truth.size());
  for (auto& i : l.ideas)
    EXPECT_EQ(i["theme"].is_null() ? std::string() : i["theme"].get<std::string>(), place[i["id"]]);
  EXPECT_EQ(tally.themed + tally.unassigned, tally.ideas);
  EXPECT_EQ(l.summary["themed"], tally.themed);
  // One central theme, then secondary, tertiary, other, ranks 1..n.
  int central = 0;
  for (std::size_t r = 0; r < l.themes.size(); ++r) {
    EXPECT_EQ(l.themes[r]["rank"], r + 1);
    central += l.themes[r]["tier"] == "central";
  }
  EXPECT_EQ(central, 1);
  EXPECT_EQ(l.themes[0]["tier"], "central");
  EXPECT_EQ(l.summary["central"], l.themes[0]["id"]);
}

TEST(Concentrate, ThemesCarryEvidence) {
  temp_dir dir;
  auto truth = planted();
  concentrate_options o;
  o.inputs = {dir.write("ideas.jsonl", to_jsonl(truth))};
  o.themes = 4;
  auto l = run(o, dir);
  ASSERT_EQ(l.themes.size(), 4u);
  std::map<std::string, planted_idea> by_id;
  for (auto& p : truth) by_id[p.id] = p;
  for (auto& t : l.themes) {
    EXPECT_GE(t["keywords"].size(), 2u);
    EXPECT_LE(t["keywords"].size(), 5u);
    EXPECT_FALSE(t["label"].get<std::string>().empty());
    EXPECT_FALSE(t["phrase"].get<std::string>().empty());
    ASSERT_GE(t["quotes"].size(), 1u);
    EXPECT_LE(t["quotes"].size(), 5u);
    std::set<std::string> quoted_units;
    for (auto& q : t["quotes"]) {
      const planted_idea& p = by_id.at(q["idea"]);
      EXPECT_EQ(q["text"], p.text);
      EXPECT_EQ(q["unit"], p.unit);
      quoted_units.insert(q["unit"]);
    }
    EXPECT_EQ(quoted_units.size(), t["quotes"].size()) << "quotes from different units";
    EXPECT_EQ(t["support"]["ideas"], t["ideas"].size());
    EXPECT_EQ(t["support"]["respondents"], t["ideas"].size());  // one idea each here
    EXPECT_EQ(t["support"]["units"], 6);
    long long per_unit = 0;
    for (auto& [u, n] : t["units"].items()) per_unit += n.get<long long>();
    EXPECT_EQ(per_unit, t["support"]["respondents"]);
  }
  // Keywords are surface words, not stems: "shifts" may show, "shift" may, "shif" never.
  for (auto& t : l.themes)
    for (auto& k : t["keywords"]) EXPECT_NE(k, "wage") << "a stem, not a word people wrote";
}

TEST(Concentrate, BreadthOutranksVolumeFromOneUnit) {
  // 30 people in 10 units say one thing; 30 people in one unit say another.
  std::vector<planted_idea> ideas;
  for (int i = 0; i < 30; ++i) {
    ideas.push_back({"i-a" + std::to_string(i), "the parking spaces are always full by eight",
                     "r-a" + std::to_string(i), "Unit " + std::to_string(i % 10), "a"});
    ideas.push_back({"i-b" + std::to_string(i), "canteen food is cold and the canteen closes early",
                     "r-b" + std::to_string(i), "Unit 0", "b"});
  }
  temp_dir dir;
  concentrate_options o;
  o.inputs = {dir.write("ideas.jsonl", to_jsonl(ideas))};
  o.themes = 2;
  auto l = run(o, dir);
  ASSERT_EQ(l.themes.size(), 2u);
  EXPECT_EQ(l.themes[0]["tier"], "central");
  EXPECT_EQ(l.themes[0]["support"]["units"], 10);
  EXPECT_EQ(l.themes[1]["support"]["units"], 1);
  EXPECT_EQ(l.themes[0]["support"]["respondents"], l.themes[1]["support"]["respondents"]);
  // Pasted 30 times, each copy still counts in support.
  EXPECT_EQ(l.themes[0]["support"]["ideas"], 30);
}

TEST(Concentrate, TiersFollowTheOptions) {
  temp_dir dir;
  auto truth = planted(20);
  concentrate_options o;
  o.inputs = {dir.write("ideas.jsonl", to_jsonl(truth))};
  o.themes = 4;
  o.secondary = 1;
  o.tertiary = 1;
  auto l = run(o, dir);
  ASSERT_EQ(l.themes.size(), 4u);
  EXPECT_EQ(l.themes[0]["tier"], "central");
  EXPECT_EQ(l.themes[1]["tier"], "secondary");
  EXPECT_EQ(l.themes[2]["tier"], "tertiary");
  EXPECT_EQ(l.themes[3]["tier"], "other");
}

TEST(Concentrate, SameBytesWhateverTheThreadCount) {
  temp_dir dir;
  auto truth = planted(60);
  concentrate_options o;
  o.inputs = {dir.write("ideas.jsonl", to_jsonl(truth))};
  o.threads = 1;
  auto one = run(o, dir);
  o.threads = 3;
  auto three = run(o, dir);
  EXPECT_EQ(one.text, three.text);
  auto again = run(o, dir);
  EXPECT_EQ(three.text, again.text);
}

TEST(Concentrate, IdeasWithoutWordsAreUnassignedWithAReason) {
  temp_dir dir;
  auto truth = planted(20);
  truth.push_back({"i-x", "the and of", "r-x", "Depot 1", "none"});
  truth.push_back({"i-y", "12345", "r-y", "", "none"});
  concentrate_options o;
  o.inputs = {dir.write("ideas.jsonl", to_jsonl(truth))};
  concentrate_tally tally;
  auto l = run(o, dir, &tally);
  std::set<std::string> unassigned;
  for (auto& id : l.unassigned["ideas"]) unassigned.insert(id);
  EXPECT_TRUE(unassigned.count("i-x"));
  EXPECT_TRUE(unassigned.count("i-y"));
  EXPECT_GE(l.unassigned["reasons"]["no-words"].get<long long>(), 2);
  EXPECT_EQ(l.unassigned["count"], unassigned.size());
}

TEST(Concentrate, OtherRecordsPassThroughAndAnOldLineIsReplaced) {
  temp_dir dir;
  auto truth = planted(10);
  std::string s = to_jsonl(truth);
  s += "{\"type\":\"reject\",\"reason\":\"empty\",\"file\":\"a.csv\",\"row\":3}\n";
  s += "{\"type\":\"theme\",\"id\":\"t-old\"}\n";
  s += "{\"type\":\"note\",\"x\":1}\n";
  concentrate_options o;
  o.inputs = {dir.write("ideas.jsonl", s)};
  o.themes = 2;
  concentrate_tally tally;
  auto l = run(o, dir, &tally);
  ASSERT_EQ(l.others.size(), 2u);
  EXPECT_EQ(l.others[0]["type"], "reject");
  EXPECT_EQ(l.others[1]["type"], "note");
  EXPECT_EQ(tally.passed_through, 2);
  EXPECT_EQ(tally.dropped, 1);
  for (auto& t : l.themes) EXPECT_NE(t["id"], "t-old");
}

TEST(Concentrate, ReannotatingReplacesTheOldThemeField) {
  temp_dir dir;
  auto truth = planted(10);
  concentrate_options o;
  o.inputs = {dir.write("ideas.jsonl", to_jsonl(truth))};
  o.themes = 2;
  auto first = run(o, dir);
  o.inputs = {dir.write("again.jsonl", first.text)};
  auto second = run(o, dir);
  ASSERT_EQ(second.ideas.size(), truth.size());
  for (auto& line : std::vector<std::string>{second.text}) {
    // No idea line carries two "theme" keys.
    std::istringstream in(line);
    std::string s;
    while (std::getline(in, s)) {
      auto first_at = s.find("\"theme\":");
      if (first_at != std::string::npos && s.find("\"type\":\"idea\"") != std::string::npos) {
        EXPECT_EQ(s.find("\"theme\":", first_at + 1), std::string::npos) << s;
      }
    }
  }
  EXPECT_EQ(first.themes.size(), second.themes.size());
}

TEST(Concentrate, NoIdeasLeavesThemOut) {
  temp_dir dir;
  auto truth = planted(10);
  concentrate_options o;
  o.inputs = {dir.write("ideas.jsonl", to_jsonl(truth))};
  o.ideas = false;
  auto l = run(o, dir);
  EXPECT_TRUE(l.ideas.empty());
  EXPECT_FALSE(l.themes.empty());
}

TEST(Concentrate, CodebookTakesItsIdeasFirst) {
  temp_dir dir;
  auto truth = planted();
  concentrate_options o;
  o.inputs = {dir.write("ideas.jsonl", to_jsonl(truth))};
  o.codebook = dir.write("codebook.csv",
                         "theme,keywords,exclude\n"
                         "Parking,parking;car park,\n"
                         "Food,canteen;hot meals,canteen prices\n"
                         "Unused,helicopter,\n");
  concentrate_tally tally;
  auto l = run(o, dir, &tally);
  std::map<std::string, json> by_label;
  for (auto& t : l.themes) by_label[t["label"]] = t;
  ASSERT_TRUE(by_label.count("Parking"));
  ASSERT_TRUE(by_label.count("Food"));
  EXPECT_EQ(by_label["Parking"]["source"], "codebook");
  std::map<std::string, planted_idea> by_id;
  for (auto& p : truth) by_id[p.id] = p;
  for (auto& id : by_label["Parking"]["ideas"])
    EXPECT_NE(by_id[id].text.find("park"), std::string::npos);
  for (auto& id : by_label["Food"]["ideas"])
    EXPECT_EQ(by_id[id].text.find("canteen prices"), std::string::npos) << "excluded";
  EXPECT_EQ(l.summary["codebook"]["unmatched"], json::array({"Unused"}));
  EXPECT_EQ(l.summary["codebook"]["ideas"], tally.codebook);
  EXPECT_GT(tally.codebook, 40);
}

TEST(Concentrate, PreviousCycleKeepsIdsAndMarksStatus) {
  temp_dir dir;
  auto truth = planted();
  concentrate_options o;
  o.inputs = {dir.write("ideas.jsonl", to_jsonl(truth))};
  o.themes = 4;
  auto first = run(o, dir);
  std::string previous = dir.write("previous.jsonl", first.text);
  // The next cycle: the same concerns said by new people, one concern gone.
  std::vector<planted_idea> next;
  for (auto p : planted(50)) {
    if (p.topic == "canteen") continue;
    p.id += "-2";
    p.respondent += "-2";
    next.push_back(p);
  }
  o.inputs = {dir.write("next.jsonl", to_jsonl(next))};
  o.themes = 3;
  o.previous = previous;
  auto second = run(o, dir);
  std::set<std::string> old_ids;
  for (auto& t : first.themes) old_ids.insert(t["id"]);
  int continuing = 0;
  for (auto& t : second.themes) {
    if (t["cycle"]["status"] == "continuing") {
      ++continuing;
      EXPECT_TRUE(old_ids.count(t["id"]));
      EXPECT_EQ(t["cycle"]["previous"][0], t["id"]);
      EXPECT_TRUE(t["cycle"]["change"].contains("respondents"));
    }
  }
  EXPECT_EQ(continuing, 3);
  ASSERT_EQ(second.summary["vanished"].size(), 1u);
}

TEST(Concentrate, StanceSplitsEachTheme) {
  temp_dir dir;
  auto truth = planted();
  concentrate_options o;
  o.inputs = {dir.write("ideas.jsonl", to_jsonl(truth, true))};
  o.themes = 4;
  o.stance = "agree";
  auto l = run(o, dir);
  EXPECT_EQ(l.summary["stance"]["scale"], json::array({1.0, 5.0}));
  for (auto& t : l.themes) {
    const json& s = t["stance"];
    EXPECT_EQ(s["rated"], t["support"]["ideas"]);
    EXPECT_EQ(s["advanced"].get<long long>() + s["intermediate"].get<long long>() +
                  s["backward"].get<long long>(),
              s["rated"].get<long long>());
    if (s["advanced"] == s["rated"]) {
      EXPECT_EQ(s["agreement"], "consensual");
    }
  }
}

TEST(Concentrate, BadInputGivesFileAndLine) {
  temp_dir dir;
  concentrate_options o;
  o.output = dir.file("out.jsonl");
  diag::set_quiet(true);
  auto expect_data_error = [&](const std::string& body, const std::string& what) {
    o.inputs = {dir.write("bad.jsonl", body)};
    try {
      run_concentrate(o);
      ADD_FAILURE() << "no error for " << body;
    } catch (const error& e) {
      EXPECT_EQ(e.code(), exit_data);
      EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << e.what();
    }
    EXPECT_FALSE(std::ifstream(o.output).good()) << "no output after an error";
  };
  expect_data_error("{\"type\":\"idea\",\"id\":\"i-1\",\"text\":\"a\"}\n{\"type\":\"idea\",", "bad.jsonl:2");
  expect_data_error("{\"type\":\"idea\",\"text\":\"no id\"}\n", "no \"id\"");
  expect_data_error("{\"type\":\"idea\",\"id\":\"i-1\"}\n", "no \"text\"");
  expect_data_error("{\"type\":\"idea\",\"id\":\"i-1\",\"text\":\"a\"}\n"
                    "{\"type\":\"idea\",\"id\":\"i-1\",\"text\":\"b\"}\n",
                    "appears twice");
  expect_data_error("[1,2]\n", "bad.jsonl:1");
  o.inputs = {dir.file("missing.jsonl")};
  try {
    run_concentrate(o);
    ADD_FAILURE();
  } catch (const error& e) {
    EXPECT_EQ(e.code(), exit_no_input);
  }
}

TEST(Concentrate, EmptyInputGivesAnEmptyLine) {
  temp_dir dir;
  concentrate_options o;
  o.inputs = {dir.write("empty.jsonl", "")};
  auto l = run(o, dir);
  EXPECT_TRUE(l.themes.empty());
  EXPECT_EQ(l.summary["ideas"], 0);
  EXPECT_TRUE(l.summary["central"].is_null());
  EXPECT_EQ(l.unassigned["count"], 0);
}

}  // namespace
}  // namespace ml
