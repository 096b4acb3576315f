// SPDX-License-Identifier: Apache-2.0
// Show that the organisation file is read from CSV and JSON and checked: duplicates, unknown
// parents, cycles and headless units are errors with file:line, and branches are found.
#include "ml/org.hpp"

#include <gtest/gtest.h>

#include "ml/diag.hpp"
#include "ml/error.hpp"
#include "temp_dir.hpp"

namespace ml {
namespace {

using test::temp_dir;

int code_of(const std::string& path) {
  try {
    read_org(path);
  } catch (const error& e) {
    return e.code();
  }
  return 0;
}

TEST(ReadOrg, CsvWithHierarchyDepthsAndBranches) {
  temp_dir d;
  auto p = d.write("org.csv",
                   "\xEF\xBB\xBFUnit , Parent,HEAD,responsible,contact,members\r\n"
                   "Branch,,Ruth,Secretary,b@x.org,\r\n"
                   "North,Branch,Sam,Organiser,,\r\n"
                   "South,Branch,Leila,Organiser,,\r\n"
                   "Ashby,North,Dan,Rep,,140\r\n"
                   "Eastgate,South,Marek,,,230\r\n");
  organisation org = read_org(p);
  ASSERT_EQ(org.units.size(), 5u);
  EXPECT_EQ(org.units[0].name, "Branch");
  EXPECT_EQ(org.units[3].members, 140);
  EXPECT_EQ(org.units[0].members, -1);
  EXPECT_EQ(org.units[3].parent_index, 1);
  EXPECT_EQ(org.units[3].depth, 2);
  EXPECT_EQ(org.units[0].children, (std::vector<int>{1, 2}));
  // One top unit: its children are the branches.
  EXPECT_EQ(org.units[0].branch, -1);
  EXPECT_EQ(org.units[1].branch, 1);
  EXPECT_EQ(org.units[3].branch, 1);
  EXPECT_EQ(org.units[4].branch, 2);
  EXPECT_EQ(org.without_responsible, (std::vector<int>{4}));
  EXPECT_EQ(org.units[3].where, p + ":5");
  EXPECT_EQ(org.find("Eastgate"), 4);
  EXPECT_EQ(org.find("Nowhere"), -1);
}

TEST(ReadOrg, JsonArrayAndJsonLines) {
  temp_dir d;
  auto a = d.write("org.json",
                   R"([{"unit":"A","head":"Ann","responsible":"R"},
                       {"unit":"B","parent":"A","head":"Bo","members":12}])");
  organisation org = read_org(a);
  ASSERT_EQ(org.units.size(), 2u);
  EXPECT_EQ(org.units[1].parent_index, 0);
  EXPECT_EQ(org.units[1].members, 12);
  EXPECT_EQ(org.units[1].where, a + ": item 2");
  auto l = d.write("org.jsonl", "{\"unit\":\"A\",\"head\":\"Ann\"}\n\n{\"unit\":7,\"head\":\"Sev\"}\n");
  organisation org2 = read_org(l);
  ASSERT_EQ(org2.units.size(), 2u);
  EXPECT_EQ(org2.units[1].name, "7");
  EXPECT_EQ(org2.units[1].where, l + ":3");
}

TEST(ReadOrg, SeveralTopUnitsAreEachABranch) {
  temp_dir d;
  auto p = d.write("org.csv", "unit,parent,head\nA,,a\nB,,b\nA1,A,x\n");
  organisation org = read_org(p);
  EXPECT_EQ(org.units[0].branch, 0);
  EXPECT_EQ(org.units[1].branch, 1);
  EXPECT_EQ(org.units[2].branch, 0);
}

TEST(ReadOrg, ProblemsAreDataErrors) {
  diag::set_quiet(true);
  temp_dir d;
  EXPECT_EQ(code_of(d.write("dup.csv", "unit,head\nA,a\nA,b\n")), exit_data);
  EXPECT_EQ(code_of(d.write("parent.csv", "unit,parent,head\nA,Nowhere,a\n")), exit_data);
  EXPECT_EQ(code_of(d.write("self.csv", "unit,parent,head\nA,A,a\n")), exit_data);
  EXPECT_EQ(code_of(d.write("cycle.csv", "unit,parent,head\nA,C,a\nB,A,b\nC,B,c\nD,,d\n")),
            exit_data);
  EXPECT_EQ(code_of(d.write("headless.csv", "unit,head\nA,\nB,b\nC, \n")), exit_data);
  EXPECT_EQ(code_of(d.write("nohead.csv", "unit,parent\nA,\n")), exit_data);
  EXPECT_EQ(code_of(d.write("nounit.csv", "name,head\nA,a\n")), exit_data);
  EXPECT_EQ(code_of(d.write("members.csv", "unit,head,members\nA,a,many\n")), exit_data);
  EXPECT_EQ(code_of(d.write("empty.csv", "unit,head\n")), exit_data);
  EXPECT_EQ(code_of(d.write("bad.json", "[{\"unit\":\"A\",")), exit_data);
  EXPECT_EQ(code_of(d.file("missing.csv")), exit_no_input);
  diag::set_quiet(false);
}

TEST(ReadOrg, HeadlessUnitsAreAllNamedInOneMessage) {
  temp_dir d;
  auto p = d.write("org.csv", "unit,head\nA,\nB,b\nC,\n");
  testing::internal::CaptureStderr();
  try {
    read_org(p);
    FAIL() << "no error";
  } catch (const error& e) {
    EXPECT_EQ(e.code(), exit_data);
  }
  std::string err = testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("2 units have no head: A (" + p + ":2), C (" + p + ":4)"), std::string::npos)
      << err;
}

TEST(ReadOrg, CycleMessageNamesTheChain) {
  temp_dir d;
  auto p = d.write("org.csv", "unit,parent,head\nA,B,a\nB,A,b\n");
  testing::internal::CaptureStderr();
  EXPECT_THROW(read_org(p), error);
  std::string err = testing::internal::GetCapturedStderr();
  EXPECT_NE(err.find("the parents form a cycle: 'A' -> 'B' -> 'A'"), std::string::npos) << err;
}

}  // namespace
}  // namespace ml
