// SPDX-License-Identifier: Apache-2.0
// Show that themes are matched across cycles: continuing, merged, split, new and vanished,
// with ids kept and never given twice; and that codebooks are read from CSV and JSON.
#include "ml/continuity.hpp"

#include <gtest/gtest.h>

#include "ml/codebook.hpp"
#include "ml/error.hpp"
#include "temp_dir.hpp"

namespace ml {
namespace {

theme_trace trace(std::string id, std::map<std::string, double> sig,
                  std::vector<std::string> ideas = {}, long long respondents = 10) {
  theme_trace t;
  t.id = std::move(id);
  t.signature = std::move(sig);
  std::sort(ideas.begin(), ideas.end());
  t.ideas = std::move(ideas);
  t.respondents = respondents;
  t.idea_count = respondents;
  return t;
}

TEST(ThemeSimilarity, SharedIdeasOrSignature) {
  auto a = trace("a", {{"park", 1.0}}, {"i-1", "i-2", "i-3"});
  auto b = trace("b", {{"pay", 1.0}}, {"i-2", "i-3", "i-4", "i-5"});
  EXPECT_NEAR(theme_similarity(a, b), 2.0 / 3.0, 1e-9);  // of the smaller theme
  auto c = trace("c", {{"park", 0.6}, {"car", 0.8}});
  EXPECT_NEAR(theme_similarity(a, c), 0.6, 1e-9);
  EXPECT_EQ(theme_similarity(trace("x", {}), trace("y", {})), 0.0);
}

TEST(MatchPrevious, ContinuingNewAndVanished) {
  std::vector<theme_trace> before = {trace("t-park", {{"park", 1}}, {}, 10),
                                     trace("t-food", {{"canteen", 1}})};
  std::vector<theme_trace> now = {trace("t-x", {{"park", 0.9}, {"car", 0.1}}, {}, 14),
                                  trace("t-y", {{"heat", 1}})};
  auto c = match_previous(before, now);
  ASSERT_EQ(c.links.size(), 2u);
  EXPECT_EQ(c.links[0].id, "t-park");
  EXPECT_EQ(c.links[0].status, "continuing");
  EXPECT_EQ(c.links[0].respondents_before, 10);
  EXPECT_EQ(c.links[1].id, "t-y");
  EXPECT_EQ(c.links[1].status, "new");
  ASSERT_EQ(c.vanished.size(), 1u);
  EXPECT_EQ(c.vanished[0].id, "t-food");
}

TEST(MatchPrevious, MergedKeepsTheMostSimilarId) {
  std::vector<theme_trace> before = {trace("t-a", {{"pay", 1}, {"rise", 0.2}}),
                                     trace("t-b", {{"wage", 1}, {"pay", 0.5}})};
  std::vector<theme_trace> now = {trace("t-new", {{"pay", 1}, {"wage", 0.7}})};
  auto c = match_previous(before, now);
  ASSERT_EQ(c.links.size(), 1u);
  EXPECT_EQ(c.links[0].status, "merged");
  EXPECT_EQ(c.links[0].previous.size(), 2u);
  EXPECT_EQ(c.links[0].id, c.links[0].previous[0]);
  EXPECT_TRUE(c.vanished.empty());
}

TEST(MatchPrevious, SplitGivesTheOldIdToOneThemeOnly) {
  std::vector<theme_trace> before = {trace("t-shift", {{"shift", 1}, {"night", 1}, {"rota", 1}})};
  std::vector<theme_trace> now = {trace("t-1", {{"shift", 1}, {"night", 1}}),
                                  trace("t-2", {{"shift", 1}, {"rota", 1}, {"swap", 0.3}})};
  auto c = match_previous(before, now);
  EXPECT_EQ(c.links[0].status, "split");
  EXPECT_EQ(c.links[1].status, "split");
  int kept = (c.links[0].id == "t-shift") + (c.links[1].id == "t-shift");
  EXPECT_EQ(kept, 1);
  EXPECT_NE(c.links[0].id, c.links[1].id);
}

TEST(ReadPreviousLine, ReadsThemesAndSkipsEverythingElse) {
  test::temp_dir dir;
  std::string units = "{";
  for (int u = 0; u < 50000; ++u) units += (u ? "," : "") + std::string("\"u") + std::to_string(u) + "\":1";
  units += "}";
  std::string path = dir.write(
      "line.jsonl",
      "{\"type\":\"header\",\"v\":1}\n{\"type\":\"summary\",\"themes\":1}\n"
      "{\"type\":\"theme\",\"id\":\"t-1\",\"label\":\"heat / cold\",\"ideas\":[\"i-2\",\"i-1\"],"
      "\"support\":{\"respondents\":7,\"ideas\":9},\"units\":" + units +
      ",\"signature\":[[\"heat\",0.5],[\"cold\",0.25]]}\n"
      "\n{\"type\":\"idea\",\"id\":\"i-1\",\"theme\":\"t-1\",\"text\":\"x\"}\n");
  auto themes = read_previous_line(path);
  ASSERT_EQ(themes.size(), 1u);
  EXPECT_EQ(themes[0].id, "t-1");
  EXPECT_EQ(themes[0].label, "heat / cold");
  EXPECT_EQ(themes[0].ideas, (std::vector<std::string>{"i-1", "i-2"}));
  EXPECT_EQ(themes[0].respondents, 7);
  EXPECT_EQ(themes[0].idea_count, 9);
  EXPECT_EQ(themes[0].signature, (std::map<std::string, double>{{"cold", 0.25}, {"heat", 0.5}}));
}

TEST(ReadPreviousLine, BadLinesAndMalformedThemesNameFileAndLine) {
  test::temp_dir dir;
  auto error_of = [&](const std::string& text) -> std::string {
    std::string path = dir.write("bad.jsonl", text);
    try {
      read_previous_line(path);
    } catch (const error& e) {
      EXPECT_EQ(e.code(), exit_data);
      return e.what();
    }
    ADD_FAILURE() << "expected ml::error for " << text;
    return {};
  };
  EXPECT_NE(error_of("{\"type\":\"header\"}\n{\"type\":\"idea\",\"id\":\n").find("bad.jsonl:2: invalid JSON"),
            std::string::npos);
  EXPECT_NE(error_of("[1,2]\n").find("bad.jsonl:1: a record must be a JSON object"),
            std::string::npos);
  EXPECT_NE(error_of("{\"type\":\"theme\",\"id\":3}\n").find("bad.jsonl:1: theme record without"),
            std::string::npos);
  EXPECT_NE(error_of("{\"type\":\"theme\",\"id\":\"t\",\"signature\":[[\"a\"]]}\n")
                .find("bad.jsonl:1: theme record without"),
            std::string::npos);
  EXPECT_NE(error_of("{\"type\":\"theme\",\"id\":\"t\",\"x\":" + std::string(100, '[') +
                     std::string(100, ']') + "}\n")
                .find("bad.jsonl:1: arrays or objects nested"),
            std::string::npos);
}

TEST(Codebook, ReadsCsvAndMergesRows) {
  test::temp_dir dir;
  auto path = dir.write("book.csv",
                        "Theme;Keywords;Exclude\n"
                        "Parking;parking | car park;\n"
                        "Pay;wages;pay slip\n"
                        "Parking;permit;\n");
  auto book = read_codebook(path);
  ASSERT_EQ(book.size(), 2u);
  EXPECT_EQ(book[0].name, "Parking");
  EXPECT_EQ(book[0].keywords, (std::vector<std::string>{"parking", "car park", "permit"}));
  EXPECT_EQ(book[1].exclusions, (std::vector<std::string>{"pay slip"}));
}

TEST(Codebook, ReadsJson) {
  test::temp_dir dir;
  auto path = dir.write("book.json",
                        R"([{"theme":"Heat","keywords":["too hot","heat"],"exclude":"heating bill"},
                            {"name":"Pay","keywords":"wages;salary"}])");
  auto book = read_codebook(path);
  ASSERT_EQ(book.size(), 2u);
  EXPECT_EQ(book[0].keywords.size(), 2u);
  EXPECT_EQ(book[0].exclusions, (std::vector<std::string>{"heating bill"}));
  EXPECT_EQ(book[1].keywords, (std::vector<std::string>{"wages", "salary"}));
}

TEST(Codebook, ErrorsNameFileAndLine) {
  test::temp_dir dir;
  auto expect = [&](const std::string& body, const std::string& what) {
    try {
      read_codebook(dir.write("b.csv", body));
      ADD_FAILURE() << body;
    } catch (const error& e) {
      EXPECT_EQ(e.code(), exit_data);
      EXPECT_NE(std::string(e.what()).find(what), std::string::npos) << e.what();
    }
  };
  expect("name,words\nA,b\n", "no \"theme\" and \"keywords\" columns");
  expect("theme,keywords\nA,\n", "b.csv:2: theme \"A\" has no keywords");
  expect("theme,keywords\n,x\n", "b.csv:2: theme has no name");
  try {
    read_codebook(dir.file("none.csv"));
    ADD_FAILURE();
  } catch (const error& e) {
    EXPECT_EQ(e.code(), exit_no_input);
  }
}

}  // namespace
}  // namespace ml
