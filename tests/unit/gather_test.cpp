// SPDX-License-Identifier: Apache-2.0
// Unit tests for ml/gather.hpp: run_gather over small exports of each platform written here,
// asserting on the idea records it writes and on the tally, which must always add up.
#include "temp_dir.hpp"
#include "ml/gather.hpp"

#include <gtest/gtest.h>
#include <xxhash.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include <fmt/format.h>

#include "ml/diag.hpp"
#include "ml/error.hpp"
#include "ml/pseudonym.hpp"

namespace ml {
namespace {

using json = nlohmann::json;

using test::slurp;
using test::temp_dir;

std::string pseudonym(const std::string& raw) {
  static pseudonymizer p("test-salt");
  return p(raw);
}

long long sum(const std::map<std::string, long long>& m) {
  long long n = 0;
  for (auto& [k, v] : m) n += v;
  return n;
}

std::vector<json> parse_lines(const std::string& text) {
  std::vector<json> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    EXPECT_FALSE(line.empty()) << "blank line in the output";
    json j;
    EXPECT_NO_THROW(j = json::parse(line)) << line;
    out.push_back(std::move(j));
  }
  return out;
}

struct gathered {
  int status = -1;
  std::vector<gather_tally> tallies;
  json header;
  std::vector<json> ideas;    // idea records, in output order
  std::vector<json> rejects;  // reject records from --rejects
  std::string output;         // the output as written

  const gather_tally& tally(std::size_t i = 0) const { return tallies.at(i); }
  std::vector<std::string> texts() const {
    std::vector<std::string> out;
    for (auto& i : ideas) out.push_back(i["text"].get<std::string>());
    return out;
  }
  std::vector<std::string> ids() const {
    std::vector<std::string> out;
    for (auto& i : ideas) out.push_back(i["id"].get<std::string>());
    return out;
  }
  long long rejected(const std::string& reason) const {
    long long n = 0;
    for (auto& t : tallies) {
      if (auto it = t.rows_rejected.find(reason); it != t.rows_rejected.end()) n += it->second;
      if (auto it = t.items_rejected.find(reason); it != t.items_rejected.end()) n += it->second;
    }
    return n;
  }
};

// Runs ml-gather on `inputs` with options `o` (output, rejects and salt filled in here) and
// checks what must hold for every run: the books balance, every record is valid JSON on one
// line, and every idea and reject written is counted.
gathered run(const temp_dir& dir, std::vector<std::string> inputs, gather_options o = {}) {
  static int counter = 0;
  ++counter;
  diag::set_quiet(true);
  o.inputs = std::move(inputs);
  o.output = dir.file("ideas-" + std::to_string(counter) + ".jsonl");
  o.rejects = dir.file("rejects-" + std::to_string(counter) + ".jsonl");
  if (o.salt.empty()) o.salt = "test-salt";
  gathered g;
  g.status = run_gather(o, &g.tallies);
  g.output = slurp(o.output);
  EXPECT_TRUE(g.output.empty() || g.output.back() == '\n');
  auto records = parse_lines(g.output);
  EXPECT_FALSE(records.empty());
  if (!records.empty()) g.header = records.front();
  for (std::size_t i = 1; i < records.size(); ++i) {
    EXPECT_EQ(records[i]["type"], "idea") << records[i];
    g.ideas.push_back(records[i]);
  }
  g.rejects = parse_lines(slurp(o.rejects));
  long long ideas = 0, rejected = 0;
  for (auto& t : g.tallies) {
    if (t.failed) continue;
    EXPECT_EQ(t.rows_read, t.rows_kept + sum(t.rows_rejected)) << t.file;
    EXPECT_EQ(t.items, t.ideas + sum(t.items_rejected)) << t.file;
    EXPECT_LE(t.items - sum(t.items_rejected), t.items);
    ideas += t.ideas + t.passed_through;
    rejected += sum(t.rows_rejected) + sum(t.items_rejected);
  }
  EXPECT_EQ(static_cast<long long>(g.ideas.size()), ideas);
  EXPECT_EQ(static_cast<long long>(g.rejects.size()), rejected);
  for (auto& r : g.rejects) {
    EXPECT_EQ(r["type"], "reject");
    EXPECT_TRUE(r["reason"].is_string());
    EXPECT_TRUE(r["file"].is_string());
    EXPECT_TRUE(r["row"].is_number_integer());
    EXPECT_TRUE(r.contains("column"));
  }
  for (auto& i : g.ideas) {
    EXPECT_TRUE(i["respondent"].is_string()) << i;
    EXPECT_TRUE(i["id"].is_string()) << i;
  }
  return g;
}

// ---------------------------------------------------------------------------------------------
// Fixtures

const char* google_forms_csv =
    "Timestamp,Email Address,What should we change at work?,Which team are you in?,Role,"
    "How satisfied are you (1-5)?\n"
    "2024/03/05 4:27:32 PM GMT-5,ana@example.org,More flexible hours for everyone on the night "
    "shift,Night shift,Nurse,4\n"
    "2024/03/05 5:01:10 PM GMT-5,bo@example.org,\"1) More staff on weekends\n2) Better pay for "
    "overtime\",Day shift,Porter,2\n"
    "2024/03/06 9:12:00 AM GMT-5,cy@example.org,n/a,Night shift,Nurse,5\n"
    "2024/03/06 9:15:00 AM GMT-5,Ana@Example.org ,More flexible hours for everyone on the night "
    "shift,Night shift,Nurse,4\n"
    "2024/03/06 10:00:00 AM GMT-5,dee@example.org,Call me at +1 555 123 4567 or write to "
    "dee.home@example.com about the rota,Day shift,Porter,3.5\n"
    "2024/03/06 11:00:00 AM GMT-5,eve@example.org,More flexible hours for everyone on the night "
    "shift,Day shift,Porter,\n";

const char* microsoft_forms_csv =
    "ID,Start time,Completion time,Email,Name,What would improve your working day?\n"
    "1,3/5/24 9:00:01,3/5/24 9:05:12,anonymous,,A quiet room to take breaks in during long "
    "shifts\n"
    "2,3/5/24 9:10:00,3/5/24 9:12:40,kim@example.org,Kim Lee,Clearer rotas published two weeks "
    "ahead\n";

const char* typeform_csv =
    "#,What is the biggest problem at your workplace?,Start Date (UTC),Submit Date (UTC),"
    "Network ID\n"
    "a1b2c3,Too much paperwork takes us away from patients,2024-03-05 10:00:00,"
    "2024-03-05 10:04:11,9f8e7d\n"
    "d4e5f6,The car park is full before the early shift starts,2024-03-05 11:00:00,"
    "2024-03-05 11:02:00,1a2b3c\n";

const char* surveymonkey_csv =
    "Respondent ID,Collector ID,Start Date,End Date,IP Address,Email Address,First Name,"
    "Last Name,Which shift do you work?,,What should change?\n"
    ",,,,,,,,Response,Other (please specify),Open-Ended Response\n"
    "114001,4001,03/05/2024 09:00:00 AM,03/05/2024 09:04:00 AM,10.0.0.1,,,,Nights,,"
    "Hire more healthcare assistants for nights\n"
    "114002,4001,03/05/2024 10:00:00 AM,03/05/2024 10:03:00 AM,10.0.0.2,,,,"
    "Other (please specify),Split weekends,Fix the broken lift in block B soon please\n";

const char* qualtrics_csv =
    "StartDate,EndDate,Status,IPAddress,Progress,Duration (in seconds),Finished,RecordedDate,"
    "ResponseId,RecipientEmail,LocationLatitude,Q1,Q2\n"
    "Start Date,End Date,Response Type,IP Address,Progress,Duration (in seconds),Finished,"
    "Recorded Date,Response ID,Recipient Email,Location Latitude,What should we do differently?,"
    "Which site do you work at?\n"
    R"("{""ImportId"":""startDate""}","{""ImportId"":""endDate""}","{""ImportId"":""status""}",)"
    R"("{""ImportId"":""ipAddress""}","{""ImportId"":""progress""}","{""ImportId"":""duration""}",)"
    R"("{""ImportId"":""finished""}","{""ImportId"":""recordedDate""}",)"
    R"("{""ImportId"":""_recordId""}","{""ImportId"":""recipientEmail""}",)"
    R"("{""ImportId"":""locationLatitude""}","{""ImportId"":""QID1_TEXT""}","{""ImportId"":""QID2""}")"
    "\n"
    "2024-03-05 09:00:00,2024-03-05 09:05:00,IP Address,10.0.0.1,100,300,1,2024-03-05 09:05:01,"
    "R_aaa111,,51.5,Train more staff to use the new system,North\n"
    "2024-03-05 09:10:00,2024-03-05 09:11:00,Survey Preview,,100,60,1,2024-03-05 09:11:01,"
    "R_bbb222,,,This is only a preview of the survey,South\n"
    "2024-03-05 09:20:00,2024-03-05 09:22:00,IP Address,10.0.0.3,40,120,0,2024-03-05 09:22:01,"
    "R_ccc333,,51.4,Better lighting in the corridors at night,North\n";

const char* qualtrics_dict_csv =
    "StartDate,EndDate,Status,Finished,ResponseId,Q1\n"
    "Start Date,End Date,Response Type,Finished,Response ID,What should we do differently?\n"
    "\"{'ImportId': 'startDate'}\",\"{'ImportId': 'endDate'}\",\"{'ImportId': 'status'}\","
    "\"{'ImportId': 'finished'}\",\"{'ImportId': '_recordId'}\",\"{'ImportId': 'QID1_TEXT'}\"\n"
    "2024-03-05 09:00:00,2024-03-05 09:05:00,0,1,R_ddd444,Put a water cooler on every ward\n";

const char* qualtrics_legacy_csv =
    "V1,V2,V3,V4,V5,V6,V7,V8,V9,V10,Q1\n"
    "ResponseID,ResponseSet,Name,ExternalDataReference,EmailAddress,IPAddress,Status,StartDate,"
    "EndDate,Finished,What should change?\n"
    "R_1,Default Response Set,Anonymous,,,10.0.0.9,0,2024-03-05 09:00:00,2024-03-05 09:05:00,1,"
    "Longer lunch breaks for the kitchen staff please\n"
    "R_2,Default Response Set,Anonymous,,,,1,2024-03-05 09:10:00,2024-03-05 09:12:00,1,"
    "Preview answer that must not become an idea\n";

const char* limesurvey_csv =
    "id,submitdate,lastpage,startlanguage,seed,token,Q1,Q2[SQ001],Q2[SQ002]\n"
    "1,2024-03-05 10:00:00,3,en,123,tokA,Install water fountains on every floor of the "
    "building,Yes,\n"
    "2,,2,en,456,tokB,More training for the new electronic records system,,Yes\n";

const char* kobo_csv =
    "\"start\";\"end\";\"group_a/feedback\";\"_uuid\";\"_submission_time\";\"_index\"\r\n"
    "\"2024-03-05T09:00:00.000+01:00\";\"2024-03-05T09:10:00.000+01:00\";\"Repair the roof of "
    "the clinic before the rains\";\"u-1\";\"2024-03-05T08:10:00\";\"1\"\r\n"
    "\"2024-03-05T10:00:00.000+01:00\";\"2024-03-05T10:10:00.000+01:00\";\"Provide clean water, "
    "soap and towels\";\"u-2\";\"2024-03-05T09:10:00\";\"2\"\r\n";

const char* kobo_json = R"([
 {"_id":1,"_uuid":"u-10","_submission_time":"2024-03-05T08:10:00",
  "group_a/feedback":"Hire a second nurse for the evening clinic","group_a/occupation":"farmer"},
 {"_id":2,"_uuid":"u-11","_submission_time":"2024-03-05T09:10:00",
  "group_a/feedback":"Open the pharmacy on Saturdays too","group_a/occupation":"teacher"}
]
)";

const char* odk_csv =
    "SubmissionDate,grp-q,meta-instanceID,KEY\n"
    "2024-03-05T10:00:00.000Z,Build a fence around the school garden to keep goats out,uuid:1,"
    "uuid:1\n"
    "2024-03-05T11:00:00.000Z,Teach farmers about drip irrigation techniques,uuid:2,uuid:2\n";

const char* polis_csv =
    "timestamp,datetime,comment-id,author-id,agrees,disagrees,moderated,comment-body\n"
    "1709655952123,Tue Mar 05 2024,0,11,5,1,1,The bus should run every ten minutes at rush hour\n"
    "1709655960000,Tue Mar 05 2024,1,12,0,7,-1,This comment was moderated out; mail "
    "mod@example.net\n"
    "1709655970000,Tue Mar 05 2024,2,13,3,3,0,Bike lanes on the main road would keep children "
    "safe\n";

const char* plain_csv =
    "Respondent,Comment\n"
    "p1,The canteen should offer a vegetarian option every day\n"
    "p2,Please fix the heating in the east wing offices\n";

// ---------------------------------------------------------------------------------------------
// Platforms

TEST(GatherPlatform, GoogleForms) {
  temp_dir dir;
  auto g = run(dir, {dir.write("gf.csv", google_forms_csv)});
  EXPECT_EQ(g.status, 0);
  ASSERT_EQ(g.tallies.size(), 1u);
  EXPECT_EQ(g.tally().platform, "google-forms");
  EXPECT_EQ(g.tally().format, "csv");
  EXPECT_EQ(g.tally().encoding, "utf-8");
  ASSERT_FALSE(g.ideas.empty());
  const json& first = g.ideas[0];
  EXPECT_EQ(first["text"], "More flexible hours for everyone on the night shift");
  EXPECT_EQ(first["respondent"], pseudonym("ana@example.org"));
  EXPECT_EQ(first["question"], "What should we change at work?");
  EXPECT_EQ(first["time"], "2024-03-05T16:27:32-05:00");
  EXPECT_EQ(first["unit"], "Night shift");
  EXPECT_EQ(first["segments"], json::parse(R"({"Role":"Nurse"})"));
  EXPECT_EQ(first["ratings"], json::parse(R"({"How satisfied are you (1-5)?":4})"));
  EXPECT_EQ(first["source"]["platform"], "google-forms");
  EXPECT_EQ(first["source"]["column"], "What should we change at work?");
  EXPECT_EQ(first["source"]["row"], 2);
  EXPECT_EQ(first["source"]["line"], 2);
  // Keys in a stable order.
  std::vector<std::string> keys;
  for (auto it = first.begin(); it != first.end(); ++it) keys.push_back(it.key());
  std::set<std::string> key_set(keys.begin(), keys.end());
  for (const char* k : {"type", "id", "text", "respondent", "unit", "question", "time", "segments",
                        "ratings", "source"})
    EXPECT_TRUE(key_set.count(k)) << k;
  EXPECT_EQ(g.output.find("{\"type\":\"idea\",\"id\":"), g.output.find('\n') + 1);
}

TEST(GatherPlatform, HeaderRecordComesFirst) {
  temp_dir dir;
  auto g = run(dir, {dir.write("p.csv", plain_csv)});
  EXPECT_EQ(g.header["type"], "header");
  EXPECT_EQ(g.header["v"], 1);
  EXPECT_EQ(g.header["tool"], "ml-gather");
}

TEST(GatherPlatform, MicrosoftForms) {
  temp_dir dir;
  auto g = run(dir, {dir.write("ms.csv", microsoft_forms_csv)});
  EXPECT_EQ(g.tally().platform, "microsoft-forms");
  ASSERT_EQ(g.ideas.size(), 2u);
  // "anonymous" in Email: the ID column identifies the respondent (within this export).
  EXPECT_NE(g.ideas[0]["respondent"], pseudonym("anonymous"));
  EXPECT_NE(g.ideas[0]["respondent"], g.ideas[1]["respondent"]);
  EXPECT_EQ(g.ideas[1]["respondent"], pseudonym("kim@example.org"));
  EXPECT_EQ(g.ideas[0]["time"], "2024-03-05T09:05:12");
  EXPECT_EQ(g.ideas[1]["source"]["platform"], "microsoft-forms");
  // The Name column is personal data: never a segment, never written.
  EXPECT_EQ(g.ideas[1]["segments"], json::object());
  EXPECT_EQ(g.output.find("Kim Lee"), std::string::npos);
  EXPECT_EQ(g.output.find("kim@example.org"), std::string::npos);
}

TEST(GatherPlatform, Typeform) {
  temp_dir dir;
  auto g = run(dir, {dir.write("tf.csv", typeform_csv)});
  EXPECT_EQ(g.tally().platform, "typeform");
  ASSERT_EQ(g.ideas.size(), 2u);
  EXPECT_EQ(g.ideas[0]["respondent"], pseudonym("a1b2c3"));
  EXPECT_EQ(g.ideas[0]["time"], "2024-03-05T10:04:11Z");  // the header says (UTC)
  EXPECT_EQ(g.ideas[0]["question"], "What is the biggest problem at your workplace?");
  EXPECT_EQ(g.ideas[0]["segments"], json::object());  // Network ID is metadata
  EXPECT_EQ(g.output.find("9f8e7d"), std::string::npos);
  EXPECT_EQ(g.ideas[1]["source"]["platform"], "typeform");
}

TEST(GatherPlatform, SurveyMonkeyTwoHeaderRowsAndOtherText) {
  temp_dir dir;
  auto g = run(dir, {dir.write("sm.csv", surveymonkey_csv)});
  EXPECT_EQ(g.tally().platform, "surveymonkey");
  EXPECT_EQ(g.tally().rows_read, 2);  // the sub-answer row is a header
  std::vector<json> open;
  for (auto& i : g.ideas)
    if (i["question"] == "What should change?") open.push_back(i);
  ASSERT_EQ(open.size(), 2u);
  EXPECT_EQ(open[0]["text"], "Hire more healthcare assistants for nights");
  EXPECT_EQ(open[0]["respondent"], pseudonym("114001"));
  EXPECT_EQ(open[0]["segments"], json::parse(R"({"Which shift do you work?":"Nights"})"));
  EXPECT_EQ(open[0]["source"]["row"], 3);
  EXPECT_EQ(open[0]["source"]["platform"], "surveymonkey");
  // "Other (please specify)": the typed text is the value.
  EXPECT_EQ(open[1]["segments"], json::parse(R"({"Which shift do you work?":"Split weekends"})"));
  EXPECT_EQ(g.output.find("10.0.0.1"), std::string::npos);
}

TEST(GatherPlatform, QualtricsThreeHeaderRows) {
  temp_dir dir;
  auto g = run(dir, {dir.write("q.csv", qualtrics_csv)});
  EXPECT_EQ(g.tally().platform, "qualtrics");
  EXPECT_EQ(g.tally().rows_read, 3);
  ASSERT_EQ(g.ideas.size(), 2u);
  EXPECT_EQ(g.ideas[0]["text"], "Train more staff to use the new system");
  EXPECT_EQ(g.ideas[0]["question"], "What should we do differently?");
  EXPECT_EQ(g.ideas[0]["source"]["column"], "Q1");
  EXPECT_EQ(g.ideas[0]["source"]["row"], 4);
  EXPECT_EQ(g.ideas[0]["respondent"], pseudonym("R_aaa111"));
  EXPECT_EQ(g.ideas[0]["unit"], "North");
  // EndDate or RecordedDate: either is the time the response was completed.
  std::string time = g.ideas[0]["time"].get<std::string>();
  EXPECT_TRUE(time == "2024-03-05T09:05:00" || time == "2024-03-05T09:05:01") << time;
  EXPECT_EQ(g.ideas[0]["segments"], json::object());
  EXPECT_EQ(g.ideas[0]["ratings"], json::object());  // Progress, Duration, latitude: metadata
  EXPECT_EQ(g.output.find("ImportId"), std::string::npos);
  EXPECT_EQ(g.output.find("10.0.0."), std::string::npos);
}

TEST(GatherPlatform, QualtricsPreviewRejectedUnfinishedMarked) {
  temp_dir dir;
  auto g = run(dir, {dir.write("q.csv", qualtrics_csv)});
  EXPECT_EQ(g.tally().rows_rejected.at("preview"), 1);
  EXPECT_EQ(g.tally().rows_kept, 2);
  for (auto& t : g.texts()) EXPECT_EQ(t.find("preview"), std::string::npos) << t;
  ASSERT_EQ(g.ideas.size(), 2u);
  EXPECT_FALSE(g.ideas[0]["source"].contains("finished"));
  EXPECT_EQ(g.ideas[1]["text"], "Better lighting in the corridors at night");
  EXPECT_EQ(g.ideas[1]["source"]["finished"], false);
  ASSERT_EQ(g.rejects.size(), 1u);
  EXPECT_EQ(g.rejects[0]["reason"], "preview");
  EXPECT_EQ(g.rejects[0]["row"], 5);
}

TEST(GatherPlatform, QualtricsPythonDictImportIds) {
  temp_dir dir;
  auto g = run(dir, {dir.write("q.csv", qualtrics_dict_csv)});
  EXPECT_EQ(g.tally().platform, "qualtrics");
  EXPECT_EQ(g.tally().rows_read, 1);
  ASSERT_EQ(g.ideas.size(), 1u);
  EXPECT_EQ(g.ideas[0]["text"], "Put a water cooler on every ward");
  EXPECT_EQ(g.ideas[0]["question"], "What should we do differently?");
  EXPECT_EQ(g.ideas[0]["respondent"], pseudonym("R_ddd444"));
}

TEST(GatherPlatform, QualtricsLegacyTwoRows) {
  temp_dir dir;
  auto g = run(dir, {dir.write("q.csv", qualtrics_legacy_csv)});
  EXPECT_EQ(g.tally().platform, "qualtrics");
  EXPECT_EQ(g.tally().rows_read, 2);
  EXPECT_EQ(g.rejected("preview"), 1);
  ASSERT_EQ(g.ideas.size(), 1u);
  EXPECT_EQ(g.ideas[0]["text"], "Longer lunch breaks for the kitchen staff please");
  EXPECT_EQ(g.ideas[0]["question"], "What should change?");
  EXPECT_EQ(g.ideas[0]["respondent"], pseudonym("R_1"));
}

TEST(GatherPlatform, QualtricsTwoRowsWithoutImportIds) {
  temp_dir dir;
  std::string csv =
      "StartDate,EndDate,Status,Finished,ResponseId,Q1\n"
      "Start Date,End Date,Response Type,Finished,Response ID,What should we do differently?\n"
      "2024-03-05 09:00:00,2024-03-05 09:05:00,IP Address,True,R_eee555,Paint the waiting "
      "room in a calmer colour\n"
      "2024-03-05 09:10:00,2024-03-05 09:15:00,IP Address,False,R_fff666,Put up signs to the "
      "new car park entrance\n";
  auto g = run(dir, {dir.write("q.csv", csv)});
  EXPECT_EQ(g.tally().platform, "qualtrics");
  EXPECT_EQ(g.tally().rows_read, 2);
  ASSERT_EQ(g.ideas.size(), 2u);
  EXPECT_EQ(g.ideas[0]["question"], "What should we do differently?");
  EXPECT_EQ(g.ideas[0]["source"]["row"], 3);
  EXPECT_FALSE(g.ideas[0]["source"].contains("finished"));
  EXPECT_EQ(g.ideas[1]["source"]["finished"], false);
}

TEST(GatherPlatform, LimeSurvey) {
  temp_dir dir;
  auto g = run(dir, {dir.write("ls.csv", limesurvey_csv)});
  EXPECT_EQ(g.tally().platform, "limesurvey");
  ASSERT_EQ(g.ideas.size(), 2u);
  EXPECT_EQ(g.ideas[0]["respondent"], pseudonym("tokA"));
  EXPECT_FALSE(g.ideas[0]["source"].contains("finished"));
  // No submitdate: an unfinished response, kept and marked.
  EXPECT_EQ(g.ideas[1]["source"]["finished"], false);
  EXPECT_EQ(g.ideas[1]["source"]["platform"], "limesurvey");
}

TEST(GatherPlatform, KoboToolboxCsv) {
  temp_dir dir;
  auto g = run(dir, {dir.write("kobo.csv", kobo_csv)});
  EXPECT_EQ(g.tally().platform, "kobotoolbox");
  EXPECT_EQ(g.tally().format, "csv");
  ASSERT_EQ(g.ideas.size(), 2u);
  EXPECT_EQ(g.ideas[1]["text"], "Provide clean water, soap and towels");
  EXPECT_EQ(g.ideas[0]["respondent"], pseudonym("u-1"));
  EXPECT_EQ(g.ideas[0]["time"], "2024-03-05T08:10:00Z");  // _submission_time is UTC
  EXPECT_EQ(g.ideas[0]["source"]["platform"], "kobotoolbox");
}

TEST(GatherPlatform, KoboToolboxJson) {
  temp_dir dir;
  auto g = run(dir, {dir.write("kobo.json", kobo_json)});
  EXPECT_EQ(g.tally().platform, "kobotoolbox");
  EXPECT_EQ(g.tally().format, "json");
  ASSERT_EQ(g.ideas.size(), 2u);
  EXPECT_EQ(g.ideas[0]["text"], "Hire a second nurse for the evening clinic");
  EXPECT_EQ(g.ideas[0]["respondent"], pseudonym("u-10"));
  EXPECT_EQ(g.ideas[0]["segments"], json::parse(R"({"group_a/occupation":"farmer"})"));
  EXPECT_EQ(g.ideas[1]["segments"], json::parse(R"({"group_a/occupation":"teacher"})"));
  EXPECT_EQ(g.ideas[0]["source"]["row"], 1);
  EXPECT_EQ(g.ideas[0]["source"]["platform"], "kobotoolbox");
}

TEST(GatherPlatform, JsonLines) {
  temp_dir dir;
  auto g = run(dir, {dir.write("sub.jsonl",
                               "{\"_uuid\":\"u-20\",\"grp/idea\":\"Plant trees along the river "
                               "bank to stop the floods\"}\n"
                               "{\"_uuid\":\"u-21\",\"grp/idea\":\"Fix the well pump in the "
                               "lower village this month\"}\n")});
  EXPECT_EQ(g.tally().format, "jsonl");
  ASSERT_EQ(g.ideas.size(), 2u);
  EXPECT_EQ(g.ideas[1]["source"]["line"], 2);
  EXPECT_EQ(g.ideas[1]["respondent"], pseudonym("u-21"));
}

TEST(GatherPlatform, Odk) {
  temp_dir dir;
  auto g = run(dir, {dir.write("odk.csv", odk_csv)});
  EXPECT_EQ(g.tally().platform, "odk");
  ASSERT_EQ(g.ideas.size(), 2u);
  EXPECT_EQ(g.ideas[0]["respondent"], pseudonym("uuid:1"));
  EXPECT_EQ(g.ideas[0]["time"], "2024-03-05T10:00:00.000Z");
}

TEST(GatherPlatform, Polis) {
  temp_dir dir;
  auto g = run(dir, {dir.write("comments.csv", polis_csv)});
  EXPECT_EQ(g.tally().platform, "polis");
  EXPECT_EQ(g.tally().rows_rejected.at("moderated"), 1);
  ASSERT_EQ(g.ideas.size(), 2u);
  EXPECT_EQ(g.ideas[0]["text"], "The bus should run every ten minutes at rush hour");
  EXPECT_EQ(g.ideas[0]["respondent"], pseudonym("11"));
  EXPECT_EQ(g.ideas[0]["time"], "2024-03-05T16:25:52.123Z");
  EXPECT_EQ(g.ideas[0]["ratings"]["agrees"], 5);
  EXPECT_EQ(g.ideas[0]["ratings"]["disagrees"], 1);
  for (auto& t : g.texts()) EXPECT_EQ(t.find("moderated out"), std::string::npos);
  ASSERT_EQ(g.rejects.size(), 1u);
  EXPECT_EQ(g.rejects[0]["reason"], "moderated");
  EXPECT_EQ(g.rejects[0]["row"], 3);
  // The rejected words are kept for review, with the e-mail address redacted.
  std::string text = g.rejects[0]["text"].get<std::string>();
  EXPECT_NE(text.find("moderated out"), std::string::npos) << text;
  EXPECT_EQ(text.find("mod@example.net"), std::string::npos) << text;
}

TEST(GatherPlatform, Plain) {
  temp_dir dir;
  auto g = run(dir, {dir.write("plain.csv", plain_csv)});
  EXPECT_EQ(g.tally().platform, "plain");
  ASSERT_EQ(g.ideas.size(), 2u);
  EXPECT_EQ(g.ideas[0]["respondent"], pseudonym("p1"));
  EXPECT_EQ(g.ideas[0]["question"], "Comment");
  EXPECT_EQ(g.ideas[0]["unit"], nullptr);
  EXPECT_EQ(g.ideas[0]["time"], nullptr);
  EXPECT_EQ(g.ideas[0]["source"]["platform"], "plain");
}

TEST(GatherPlatform, OverrideAndUnknownName) {
  temp_dir dir;
  std::string path = dir.write("gf.csv", google_forms_csv);
  gather_options o;
  o.platform = "plain";
  auto g = run(dir, {path}, o);
  EXPECT_EQ(g.tally().platform, "plain");
  for (auto& i : g.ideas) EXPECT_EQ(i["source"]["platform"], "plain");

  gather_options bad;
  bad.platform = "no-such-platform";
  bad.inputs = {path};
  bad.output = dir.file("never.jsonl");
  bad.salt = "test-salt";
  try {
    run_gather(bad);
    FAIL() << "expected ml::error";
  } catch (const error& e) {
    EXPECT_EQ(e.code(), 64);
  }
  EXPECT_FALSE(std::filesystem::exists(dir.file("never.jsonl")));
  for (auto& n : platform_names()) {
    gather_options ok;
    ok.platform = n;
    EXPECT_NO_THROW(run(dir, {path}, ok)) << n;
  }
}

// ---------------------------------------------------------------------------------------------
// Rows and answers

TEST(Gather, NonAnswerDuplicateSplitAndRedactionTally) {
  temp_dir dir;
  auto g = run(dir, {dir.write("gf.csv", google_forms_csv)});
  const auto& t = g.tally();
  EXPECT_EQ(t.rows_read, 6);
  EXPECT_EQ(t.rows_kept, 6);
  EXPECT_EQ(t.items_rejected.at("non-answer"), 1);
  EXPECT_EQ(t.items_rejected.at("duplicate"), 1);
  EXPECT_EQ(t.emails_redacted, 1);
  EXPECT_EQ(t.phones_redacted, 1);
  EXPECT_EQ(t.answers, 6);
  EXPECT_EQ(t.items, 7);
  EXPECT_EQ(t.ideas, 5);
  EXPECT_EQ(g.texts(),
            (std::vector<std::string>{"More flexible hours for everyone on the night shift",
                                      "More staff on weekends", "Better pay for overtime",
                                      "Call me at [phone] or write to [email] about the rota",
                                      "More flexible hours for everyone on the night shift"}));
  std::map<std::string, long long> reasons;
  for (auto& r : g.rejects) ++reasons[r["reason"].get<std::string>()];
  EXPECT_EQ(reasons, (std::map<std::string, long long>{{"duplicate", 1}, {"non-answer", 1}}));
}

TEST(Gather, DuplicateOnlyForTheSameRespondent) {
  temp_dir dir;
  auto g = run(dir, {dir.write("gf.csv", google_forms_csv)});
  // Ana wrote the same answer twice (with her address spelt differently): one idea. Eve wrote
  // the same words: that is support, kept.
  std::vector<json> same;
  for (auto& i : g.ideas)
    if (i["text"] == "More flexible hours for everyone on the night shift") same.push_back(i);
  ASSERT_EQ(same.size(), 2u);
  EXPECT_EQ(same[0]["respondent"], pseudonym("ana@example.org"));
  EXPECT_EQ(same[1]["respondent"], pseudonym("eve@example.org"));
  EXPECT_NE(same[0]["id"], same[1]["id"]);
  for (auto& r : g.rejects)
    if (r["reason"] == "duplicate") {
      EXPECT_EQ(r["row"], 5);
      EXPECT_EQ(r["respondent"], pseudonym("ana@example.org"));
    }
}

TEST(Gather, ListsSplitIntoItems) {
  temp_dir dir;
  auto g = run(dir, {dir.write("gf.csv", google_forms_csv)});
  std::vector<json> items;
  for (auto& i : g.ideas)
    if (i["source"]["row"] == 3) items.push_back(i);
  ASSERT_EQ(items.size(), 2u);
  EXPECT_EQ(items[0]["text"], "More staff on weekends");
  EXPECT_EQ(items[0]["source"]["item"], 1);
  EXPECT_EQ(items[1]["text"], "Better pay for overtime");
  EXPECT_EQ(items[1]["source"]["item"], 2);
  EXPECT_NE(items[0]["id"], items[1]["id"]);
  EXPECT_EQ(items[0]["source"]["line"], 3);
  EXPECT_FALSE(g.ideas[0]["source"].contains("item"));
}

TEST(Gather, NoSplitKeepsListsWhole) {
  temp_dir dir;
  gather_options o;
  o.no_split = true;
  auto g = run(dir, {dir.write("gf.csv", google_forms_csv)}, o);
  std::vector<json> items;
  for (auto& i : g.ideas)
    if (i["source"]["row"] == 3) items.push_back(i);
  ASSERT_EQ(items.size(), 1u);
  EXPECT_EQ(items[0]["text"], "1) More staff on weekends\n2) Better pay for overtime");
  EXPECT_FALSE(items[0]["source"].contains("item"));
}

TEST(Gather, KeepPii) {
  temp_dir dir;
  gather_options o;
  o.keep_pii = true;
  auto g = run(dir, {dir.write("gf.csv", google_forms_csv)}, o);
  EXPECT_EQ(g.tally().emails_redacted, 0);
  EXPECT_EQ(g.tally().phones_redacted, 0);
  bool found = false;
  for (auto& t : g.texts())
    if (t.find("dee.home@example.com") != std::string::npos) found = true;
  EXPECT_TRUE(found);
}

TEST(Gather, RawIdsAndEmailsNeverWritten) {
  temp_dir dir;
  auto g = run(dir, {dir.write("gf.csv", google_forms_csv)});
  for (const char* raw : {"ana@example.org", "Ana@Example.org", "bo@example.org", "dee.home"})
    EXPECT_EQ(g.output.find(raw), std::string::npos) << raw;
  std::string rejects;
  for (auto& r : g.rejects) rejects += r.dump();
  EXPECT_EQ(rejects.find("@example.org"), std::string::npos);
}

TEST(Gather, UnitSegmentsAndRatings) {
  temp_dir dir;
  auto g = run(dir, {dir.write("gf.csv", google_forms_csv)});
  ASSERT_GE(g.ideas.size(), 4u);
  EXPECT_EQ(g.ideas[1]["unit"], "Day shift");
  EXPECT_EQ(g.ideas[1]["segments"], json::parse(R"({"Role":"Porter"})"));
  EXPECT_EQ(g.ideas[1]["ratings"], json::parse(R"({"How satisfied are you (1-5)?":2})"));
  EXPECT_EQ(g.ideas[3]["ratings"], json::parse(R"({"How satisfied are you (1-5)?":3.5})"));
  // An empty rating is left out.
  EXPECT_EQ(g.ideas[4]["ratings"], json::object());
}

// Units and categories are kept as JSON per file, a few thousand of each: past that, and
// when a value tidies to nothing, each row must still get its own value, tidied.
TEST(Gather, UnitsAndCategoriesPastTheCacheLimit) {
  temp_dir dir;
  std::string csv = "Respondent,Ward,Shift,What should change?\n";
  auto unit_of = [](int i) { return i % 7 == 3 ? std::string(" Ward   ") + std::to_string(i) + "\t" : "Ward " + std::to_string(i); };
  for (int i = 0; i < 9000; ++i) {
    // Every 11th row names a unit that is only control characters (no unit); every 5th the
    // previous row's unit again.
    const std::string unit = i % 11 == 0 ? "\x01\x02" : unit_of(i % 5 == 4 ? i - 1 : i);
    csv += "p" + std::to_string(i) + ",\"" + unit + "\",Shift " + std::to_string(i % 8500) +
           ",Idea number " + std::to_string(i) + " about the rota\n";
  }
  gather_options o;
  o.unit_column = "Ward";
  o.segment_columns = {"Shift"};
  o.threads = 1;  // one worker sees every row: its caches fill
  auto g = run(dir, {dir.write("many.csv", csv)}, o);
  ASSERT_EQ(g.ideas.size(), 9000u);
  for (int i = 0; i < 9000; ++i) {
    const json& idea = g.ideas[static_cast<std::size_t>(i)];
    ASSERT_EQ(idea["text"], "Idea number " + std::to_string(i) + " about the rota");
    if (i % 11 == 0)
      EXPECT_TRUE(idea["unit"].is_null()) << idea;
    else
      EXPECT_EQ(idea["unit"], "Ward " + std::to_string(i % 5 == 4 ? i - 1 : i)) << idea;
    EXPECT_EQ(idea["segments"]["Shift"], "Shift " + std::to_string(i % 8500)) << idea;
  }
}

// A JSON export whose later records bring new keys adds columns mid-file: the per-column
// caches of categories grow then, and the ones already filled must stay valid.
TEST(Gather, CategoriesKeptWhenColumnsAreAddedMidFile) {
  temp_dir dir;
  std::string js = "[";
  for (int i = 0; i < 3000; ++i) {
    if (i) js += ",";
    js += "{\"_id\":" + std::to_string(i) + ",\"respondent\":\"p" + std::to_string(i) +
          "\",\"shift\":\"Shift " + std::to_string(i % 3) + "\",\"comment\":\"Idea " +
          std::to_string(i) + " about the rota\"";
    // From row 1990 on, each of ten rows brings a key never seen before (a new column).
    if (i >= 1990) js += ",\"late_field_" + std::to_string(std::min(i - 1990, 9)) + "\":\"x\"";
    js += "}";
  }
  js += "]";
  gather_options o;
  o.threads = 1;
  auto g = run(dir, {dir.write("late.json", js)}, o);
  ASSERT_EQ(g.ideas.size(), 3000u);
  for (int i = 0; i < 3000; ++i) {
    const json& idea = g.ideas[static_cast<std::size_t>(i)];
    ASSERT_EQ(idea["text"], "Idea " + std::to_string(i) + " about the rota");
    EXPECT_EQ(idea["segments"]["shift"], "Shift " + std::to_string(i % 3)) << idea;
  }
}

TEST(Gather, UnitOverride) {
  temp_dir dir;
  gather_options o;
  o.unit_column = "role";  // matched ignoring case
  auto g = run(dir, {dir.write("gf.csv", google_forms_csv)}, o);
  ASSERT_FALSE(g.ideas.empty());
  EXPECT_EQ(g.ideas[0]["unit"], "Nurse");
  EXPECT_FALSE(g.ideas[0]["segments"].contains("Role"));
}

TEST(Gather, TextOverrideOnlyNamedColumnsGiveIdeas) {
  temp_dir dir;
  std::string csv =
      "Respondent,What went well?,What should change?\n"
      "p1,The new team leader listens to all of us,Stop the mandatory overtime on Fridays\n"
      "p2,Lunch breaks are finally respected now,Replace the broken chairs in the break room\n";
  gather_options o;
  o.text_columns = {"What should change?"};
  auto g = run(dir, {dir.write("t.csv", csv)}, o);
  ASSERT_EQ(g.ideas.size(), 2u);
  for (auto& i : g.ideas) EXPECT_EQ(i["question"], "What should change?");
}

TEST(Gather, Consent) {
  temp_dir dir;
  std::string csv =
      "Respondent,Do you agree to take part?,Comment\n"
      "p1,Yes,The canteen should offer a vegetarian option every day\n"
      "p2,No,Please fix the heating in the east wing offices\n"
      "p3,,Give the night staff a proper place to rest\n"
      "p4,I agree,More bike racks near the main entrance\n";
  gather_options o;
  o.consent_column = "Do you agree to take part?";
  auto g = run(dir, {dir.write("c.csv", csv)}, o);
  EXPECT_EQ(g.tally().rows_rejected.at("no-consent"), 2);
  ASSERT_EQ(g.ideas.size(), 2u);
  EXPECT_EQ(g.ideas[0]["respondent"], pseudonym("p1"));
  EXPECT_EQ(g.ideas[1]["respondent"], pseudonym("p4"));
  for (auto& i : g.ideas) EXPECT_FALSE(i["segments"].contains("Do you agree to take part?"));
  for (auto& r : g.rejects) {
    EXPECT_EQ(r["reason"], "no-consent");
    EXPECT_EQ(r["text"], nullptr);  // the words of a refusal are not kept
  }
}

TEST(Gather, WithdrawnByEmail) {
  temp_dir dir;
  gather_options o;
  o.withdrawn_file = dir.write("withdrawn.txt", "# asked to be removed\n  ANA@example.org \n");
  auto g = run(dir, {dir.write("gf.csv", google_forms_csv)}, o);
  EXPECT_EQ(g.tally().rows_rejected.at("withdrawn"), 2);
  for (auto& i : g.ideas) EXPECT_NE(i["respondent"], pseudonym("ana@example.org"));
  for (auto& r : g.rejects)
    if (r["reason"] == "withdrawn") {
      EXPECT_EQ(r["text"], nullptr);
      EXPECT_EQ(r["respondent"], nullptr);
    }
}

TEST(Gather, WithdrawnByPseudonymAndByRawId) {
  temp_dir dir;
  gather_options o;
  o.withdrawn_file = dir.write("withdrawn.txt", pseudonym("p1") + "\np2\n");
  std::string csv = std::string(plain_csv) + "p3,Open the library on Sunday afternoons for all\n";
  auto g = run(dir, {dir.write("plain.csv", csv)}, o);
  EXPECT_EQ(g.tally().rows_rejected.at("withdrawn"), 2);
  ASSERT_EQ(g.ideas.size(), 1u);
  EXPECT_EQ(g.ideas[0]["respondent"], pseudonym("p3"));
}

TEST(Gather, WithdrawnFileMissingIsExit66) {
  temp_dir dir;
  gather_options o;
  o.inputs = {dir.write("plain.csv", plain_csv)};
  o.output = dir.file("out.jsonl");
  o.salt = "test-salt";
  o.withdrawn_file = dir.file("no-such-list.txt");
  try {
    run_gather(o);
    FAIL() << "expected ml::error";
  } catch (const error& e) {
    EXPECT_EQ(e.code(), 66);
  }
}

TEST(Gather, RespondentNeverNullWithoutAnIdColumn) {
  temp_dir dir;
  std::string csv =
      "Timestamp,What should we change?,What works well?\n"
      "2024/03/05 4:27:32 PM GMT-5,Longer breaks between the two shifts,The team spirit on "
      "the ward\n"
      "2024/03/05 4:30:00 PM GMT-5,Fewer meetings in the afternoon please,Our manager is "
      "always there to help\n";
  auto g = run(dir, {dir.write("noid.csv", csv)});
  ASSERT_EQ(g.ideas.size(), 4u);
  for (auto& i : g.ideas) {
    ASSERT_TRUE(i["respondent"].is_string());
    std::string r = i["respondent"].get<std::string>();
    EXPECT_EQ(r.size(), 18u);
    EXPECT_EQ(r.rfind("r-", 0), 0u);
  }
  // One respondent per row: the same within a row, different between rows.
  EXPECT_EQ(g.ideas[0]["respondent"], g.ideas[1]["respondent"]);
  EXPECT_EQ(g.ideas[2]["respondent"], g.ideas[3]["respondent"]);
  EXPECT_NE(g.ideas[0]["respondent"], g.ideas[2]["respondent"]);
}

TEST(Gather, IdsAreUniqueAndStableAcrossRuns) {
  temp_dir dir;
  std::string path = dir.write("gf.csv", google_forms_csv);
  auto a = run(dir, {path});
  auto b = run(dir, {path});
  EXPECT_EQ(a.ids(), b.ids());
  auto ids = a.ids();
  EXPECT_EQ(std::set<std::string>(ids.begin(), ids.end()).size(), ids.size());
  for (auto& id : ids) {
    EXPECT_EQ(id.size(), 18u) << id;
    EXPECT_EQ(id.rfind("i-", 0), 0u) << id;
  }
  // Different salt: different pseudonyms and ids.
  gather_options o;
  o.salt = "another-salt";
  auto c = run(dir, {path}, o);
  ASSERT_EQ(c.ids().size(), ids.size());
  EXPECT_NE(c.ids()[0], ids[0]);
  EXPECT_NE(c.ideas[0]["respondent"], a.ideas[0]["respondent"]);
}

TEST(Gather, IdsDoNotDependOnWhereTheFileIs) {
  // Same export, same salt, read from another folder (another machine, another checkout):
  // the ideas must keep their ids, also for respondents known only by their row.
  std::string csv =
      "Timestamp,What should we change?\n"
      "2024/03/05 4:27:32 PM GMT-5,Longer breaks between the two shifts\n"
      "2024/03/05 4:30:00 PM GMT-5,Fewer meetings in the afternoon please\n";
  temp_dir one, two;
  auto a = run(one, {one.write("export.csv", csv)});
  auto b = run(two, {two.write("sub/export.csv", csv)});
  EXPECT_EQ(a.ids(), b.ids());
  ASSERT_EQ(a.ideas.size(), 2u);
  ASSERT_EQ(b.ideas.size(), 2u);
  EXPECT_EQ(a.ideas[0]["respondent"], b.ideas[0]["respondent"]);
}

// Rows are processed in batches on worker threads; the output must not depend on it.
TEST(Gather, LargeInputGivesTheSameOutputEveryRun) {
  temp_dir dir;
  std::string big = "Respondent,Comment,Team\n";
  for (int i = 0; i < 10'000; ++i)
    big.append("p")
        .append(std::to_string(i))
        .append(",Comment number ")
        .append(std::to_string(i))
        .append(" asks for better tools and more time,Team ")
        .append(std::to_string(i % 7))
        .append("\n");
  std::string path = dir.write("big.csv", big);
  auto a = run(dir, {path});
  auto b = run(dir, {path});
  EXPECT_EQ(a.output, b.output);
  EXPECT_EQ(a.ideas.size(), 10'000u);
  EXPECT_EQ(a.ideas.back()["source"]["row"], 10'001);
}

// A CSV file's rows are read, a batch at a time, by whichever thread is free, which then
// works on that batch: the output, the rejects and the tally must be those of one thread,
// at any number of threads; and a row with extra fields in the middle of the file (which
// adds a column while other threads are at work) too.
TEST(Gather, RowsReadByAnyThreadGiveTheOutputOfOne) {
  temp_dir dir;
  std::string csv = "Email Address,What is the problem?,What should we do?,Team\n";
  for (int i = 0; i < 8'000; ++i) {
    csv += "p" + std::to_string(i % 6'000) + "@example.org,";
    csv += i % 11 == 0 ? "n/a" : "Problem " + std::to_string(i % 900) + " with the rota";
    csv += ",\"1) more staff 2) fewer shifts \"\"now\"\" on ward " + std::to_string(i % 2'000) + "\",Team " +
           std::to_string(i % 7);
    if (i == 5'000) csv += ",an extra field";
    csv += "\n";
  }
  const std::string path = dir.write("many.csv", csv);
  gather_options one;
  one.threads = 1;
  const auto want = run(dir, {path}, one);
  ASSERT_GT(want.ideas.size(), 12'000u);
  ASSERT_GT(want.rejected("non-answer"), 0);
  ASSERT_GT(want.rejected("duplicate"), 0);
  EXPECT_EQ(want.tally().ragged_rows, 1);
  for (std::size_t threads : {2, 3, 5}) {
    for (int rep = 0; rep < 2; ++rep) {
      SCOPED_TRACE(fmt::format("threads {} rep {}", threads, rep));
      gather_options o;
      o.threads = threads;
      const auto got = run(dir, {path}, o);
      EXPECT_TRUE(got.output == want.output);
      EXPECT_EQ(got.rejects, want.rejects);
      EXPECT_EQ(got.tally().ideas, want.tally().ideas);
      EXPECT_EQ(got.tally().ragged_rows, 1);
    }
  }
}

// An error while a thread other than the caller may be reading (an unterminated quote at
// the end of a file of many batches) stops the run with that error, at any number of
// threads, and leaves no output file.
TEST(Gather, ErrorWhileRowsAreReadOnAnyThreadIsExit65) {
  temp_dir dir;
  std::string csv = "Email Address,What should change?\n";
  for (int i = 0; i < 8'000; ++i) csv += "p" + std::to_string(i) + "@example.org,Longer breaks " + std::to_string(i) + "\n";
  csv += "q@example.org,\"never closed\nat all\n";
  const std::string path = dir.write("open.csv", csv);
  for (std::size_t threads : {1, 2, 3, 4}) {
    for (int rep = 0; rep < 5; ++rep) {
      SCOPED_TRACE(fmt::format("threads {} rep {}", threads, rep));
      gather_options o;
      o.inputs = {path};
      o.output = dir.file("out.jsonl");
      o.salt = "test-salt";
      o.threads = threads;
      try {
        run_gather(o);
        ADD_FAILURE() << "expected ml::error";
      } catch (const error& e) {
        EXPECT_EQ(e.code(), 65);
        EXPECT_NE(std::string(e.what()).find("open.csv:8002: unterminated quoted field"), std::string::npos)
            << e.what();
      }
      EXPECT_FALSE(std::filesystem::exists(dir.file("out.jsonl")));
    }
  }
}

// An idea's id is XXH3-64 of "respondent \x1f question \x1f text". The three are joined on
// the stack up to 1,024 bytes and hashed piece by piece past that (a 70 KB answer, and the
// two lengths either side of the limit): the id must not change with that.
TEST(Gather, IdIsTheHashOfRespondentQuestionAndTextAtAnyLength) {
  temp_dir dir;
  std::string long_answer;
  for (int i = 0; long_answer.size() < 70'000; ++i)
    long_answer += "the rota changes every week and nobody is asked " + std::to_string(i) + " ";
  long_answer.pop_back();
  // "r-" and 16 hex digits, two separators and "What should change?": 39 bytes with the text.
  const std::string at_limit = "x" + std::string(1024 - 39 - 2, 'y') + "z";
  const std::string past_limit = at_limit + "!";
  std::string csv = "Email Address,What should change?\n"
                    "a@example.org,Longer breaks\n"
                    "b@example.org," + long_answer + "\n"
                    "b@example.org," + long_answer + "\n"
                    "c@example.org," + at_limit + "\n"
                    "c@example.org," + past_limit + "\n";
  auto g = run(dir, {dir.write("ids.csv", csv)});
  ASSERT_EQ(g.ideas.size(), 4u);  // the third row repeats the second: a duplicate
  EXPECT_EQ(g.ideas[2]["text"].get<std::string>().size() + 39, 1024u);
  for (auto& idea : g.ideas) {
    std::string material = idea["respondent"].get<std::string>() + '\x1f' +
                           idea["question"].get<std::string>() + '\x1f' +
                           idea["text"].get<std::string>();
    char want[19];
    std::snprintf(want, sizeof want, "i-%016llx",
                  static_cast<unsigned long long>(XXH3_64bits(material.data(), material.size())));
    EXPECT_EQ(idea["id"], want) << idea["text"].get<std::string>().size() << " bytes";
  }
  EXPECT_EQ(g.ideas[1]["text"], long_answer);
  EXPECT_EQ(g.tallies.at(0).items_rejected.at("duplicate"), 1);
}

TEST(Gather, UnicodeNormalisedToNfc) {
  temp_dir dir;
  std::string csv =
      "Respondent,Comment\n"
      "p1,Plus de cre\xCC\x80me dans le cafe\xCC\x81 de la cantine\n";
  auto g = run(dir, {dir.write("nfc.csv", csv)});
  ASSERT_EQ(g.ideas.size(), 1u);
  EXPECT_EQ(g.ideas[0]["text"], "Plus de cr\u00e8me dans le caf\u00e9 de la cantine");
}

TEST(Gather, Windows1252Input) {
  temp_dir dir;
  std::string csv =
      "Respondent,Comment\n"
      "p1,Le caf\xE9 co\xFBte trop cher \x96 \x93vraiment\x94 trop cher\n";
  auto g = run(dir, {dir.write("w.csv", csv)});
  EXPECT_EQ(g.tally().encoding, "windows-1252");
  ASSERT_EQ(g.ideas.size(), 1u);
  EXPECT_EQ(g.ideas[0]["text"],
            "Le caf\u00e9 co\u00fbte trop cher \u2013 \u201cvraiment\u201d trop cher");
}

TEST(Gather, TsvAndBom) {
  temp_dir dir;
  std::string tsv =
      "\xEF\xBB\xBFRespondent\tComment\n"
      "p1\tThe canteen should offer a vegetarian option every day\n";
  auto g = run(dir, {dir.write("t.tsv", tsv)});
  EXPECT_EQ(g.tally().format, "tsv");
  EXPECT_EQ(g.tally().encoding, "utf-8-bom");
  ASSERT_EQ(g.ideas.size(), 1u);
  EXPECT_EQ(g.ideas[0]["respondent"], pseudonym("p1"));
}

TEST(Gather, EmptyRowsAreRejectedAsEmpty) {
  temp_dir dir;
  std::string csv = std::string(plain_csv) + "p3,\n";
  auto g = run(dir, {dir.write("e.csv", csv)});
  EXPECT_EQ(g.tally().rows_read, 3);
  EXPECT_EQ(g.tally().rows_rejected.at("empty"), 1);
}

TEST(Gather, RaggedRowsAreKeptAndCounted) {
  temp_dir dir;
  std::string csv =
      "Respondent,Comment,Team\n"
      "p1,The canteen should offer a vegetarian option every day\n"
      "p2,Please fix the heating in the east wing offices,North,extra\n"
      "p3,More bike racks near the main entrance of the site,South\n";
  auto g = run(dir, {dir.write("r.csv", csv)});
  EXPECT_EQ(g.tally().ragged_rows, 2);
  EXPECT_EQ(g.tally().rows_kept, 3);
  EXPECT_EQ(g.ideas.size(), 3u);
}

TEST(Gather, EmptyInputGivesOnlyTheHeader) {
  temp_dir dir;
  auto g = run(dir, {dir.write("empty.csv", "")});
  EXPECT_EQ(g.status, 0);
  EXPECT_EQ(g.tally().rows_read, 0);
  EXPECT_TRUE(g.ideas.empty());
  EXPECT_EQ(g.header["type"], "header");
}

TEST(Gather, SeveralFilesEachTallied) {
  temp_dir dir;
  auto g = run(dir, {dir.write("a.csv", plain_csv), dir.write("b.csv", typeform_csv)});
  ASSERT_EQ(g.tallies.size(), 2u);
  EXPECT_EQ(g.tally(0).platform, "plain");
  EXPECT_EQ(g.tally(1).platform, "typeform");
  EXPECT_EQ(g.tally(0).file, dir.file("a.csv"));
  EXPECT_EQ(g.tally(1).file, dir.file("b.csv"));
  EXPECT_EQ(g.ideas.size(), 4u);
  EXPECT_EQ(g.ideas[0]["source"]["file"], dir.file("a.csv"));
  EXPECT_EQ(g.ideas[3]["source"]["file"], dir.file("b.csv"));
}

TEST(Gather, MissingInputAmongSeveralIsExit66AndTheOthersAreGathered) {
  temp_dir dir;
  auto g = run(dir, {dir.file("missing.csv"), dir.write("a.csv", plain_csv)});
  EXPECT_EQ(g.status, 66);
  ASSERT_EQ(g.tallies.size(), 2u);
  EXPECT_TRUE(g.tally(0).failed);
  EXPECT_FALSE(g.tally(1).failed);
  EXPECT_EQ(g.ideas.size(), 2u);
}

TEST(Gather, BadDataIsExit65AndLeavesNoOutput) {
  temp_dir dir;
  gather_options o;
  std::string path = dir.write("bad.csv", std::string(plain_csv) + "p3,\"never closed\n");
  o.inputs = {path};
  o.output = dir.file("out.jsonl");
  o.rejects = dir.file("rejects.jsonl");
  o.salt = "test-salt";
  try {
    run_gather(o);
    FAIL() << "expected ml::error";
  } catch (const error& e) {
    EXPECT_EQ(e.code(), 65);
    EXPECT_EQ(std::string(e.what()).rfind(path + ":4: unterminated quoted field", 0), 0u)
        << e.what();
  }
  EXPECT_FALSE(std::filesystem::exists(dir.file("out.jsonl")));
  EXPECT_FALSE(std::filesystem::exists(dir.file("rejects.jsonl")));
  for (auto& e : std::filesystem::directory_iterator(dir.file("")))
    EXPECT_EQ(e.path().filename(), "bad.csv");
}

TEST(Gather, JsonSyntaxErrorIsExit65) {
  temp_dir dir;
  gather_options o;
  o.inputs = {dir.write("bad.json", "[{\"a\": \"b\",}]\n")};
  o.output = dir.file("out.jsonl");
  o.salt = "test-salt";
  try {
    run_gather(o);
    FAIL() << "expected ml::error";
  } catch (const error& e) {
    EXPECT_EQ(e.code(), 65);
    EXPECT_EQ(std::string(e.what()).rfind(o.inputs[0] + ":1: ", 0), 0u) << e.what();
  }
  EXPECT_FALSE(std::filesystem::exists(dir.file("out.jsonl")));
}

TEST(Gather, StreamRecordsPassThrough) {
  temp_dir dir;
  auto first = run(dir, {dir.write("plain.csv", plain_csv)});
  // Gathering ml-gather's own output again passes its ideas on unchanged.
  std::string again = dir.write("again.jsonl", first.output);
  auto g = run(dir, {again});
  EXPECT_EQ(g.tally().passed_through, 2);
  ASSERT_EQ(g.ideas.size(), 2u);
  EXPECT_EQ(g.ideas[0], first.ideas[0]);
}

}  // namespace
namespace {
std::string big_json_array(int n) {
  std::string s = "[\n";
  for (int i = 0; i < n; ++i) {
    if (i) s += ",\n";
    s += "  {\"respondent_id\": \"p-" + std::to_string(i) +
         "\", \"What should change?\": \"Answer number " + std::to_string(i) +
         " about the canteen, the rota and the heating in block " + std::to_string(i % 7) +
         "\"}";
  }
  return s + "\n]\n";
}
// A time value equal to the row before's is not parsed again (responses often share a
// second), but what it means depends on its file: "4/3/2024" is 4 March in an export whose
// column reads day first and 3 April in one that does not. The last value of the first file
// is the first of the second here, and each must be read in its own file's way; within a
// file, a repeated value gives the same time as the first.
TEST(Gather, RepeatedTimesAreReadInTheirOwnFilesWay) {
  temp_dir dir;
  const std::string day_first = dir.write("day-first.csv",
                                          "Timestamp,Respondent,What should change?\n"
                                          "13/3/2024 10:00:00,p1,More staff on nights\n"
                                          "4/3/2024 10:00:00,p2,Fix the lift\n"
                                          "4/3/2024 10:00:00,p3,Longer breaks\n");
  const std::string month_first = dir.write("month-first.csv",
                                            "Timestamp,Respondent,What should change?\n"
                                            "4/3/2024 10:00:00,q1,Paid training\n"
                                            "3/13/2024 10:00:00,q2,A quiet room\n");
  gather_options o;
  o.threads = 1;  // one worker: the same cache sees both files
  auto g = run(dir, {day_first, month_first}, o);
  ASSERT_EQ(g.ideas.size(), 5u);
  EXPECT_EQ(g.ideas[0]["time"], "2024-03-13T10:00:00");
  EXPECT_EQ(g.ideas[1]["time"], "2024-03-04T10:00:00");
  EXPECT_EQ(g.ideas[2]["time"], "2024-03-04T10:00:00");
  EXPECT_EQ(g.ideas[3]["time"], "2024-04-03T10:00:00");
  EXPECT_EQ(g.ideas[4]["time"], "2024-03-13T10:00:00");
}

}  // namespace

TEST(Gather, JsonArrayIsStreamedAcrossChunks) {
  temp_dir dir;
  // Over 2 MiB, so elements straddle the reader's 1 MiB chunks.
  std::string text = big_json_array(20000);
  ASSERT_GT(text.size(), 2u << 20);
  auto g = run(dir, {dir.write("big.json", text)});
  EXPECT_EQ(g.tally().format, "json");
  ASSERT_EQ(g.ideas.size(), 20000u);
  EXPECT_EQ(g.ideas[19999]["text"].get<std::string>().rfind("Answer number 19999 ", 0), 0u);
  EXPECT_EQ(g.ideas[19999]["source"]["row"], 20000);
  EXPECT_EQ(g.ideas[19999]["source"]["line"], 20001);
}

TEST(Gather, TruncatedJsonArrayIsExit65WithItsLine) {
  temp_dir dir;
  std::string text = big_json_array(3);
  text.resize(text.size() - 4);  // cut inside the last element
  gather_options o;
  o.inputs = {dir.write("cut.json", text)};
  o.output = dir.file("out.jsonl");
  o.salt = "test-salt";
  try {
    run_gather(o);
    FAIL() << "expected ml::error";
  } catch (const error& e) {
    EXPECT_EQ(e.code(), 65);
    EXPECT_NE(std::string(e.what()).find("cut.json:4: invalid JSON"), std::string::npos) << e.what();
  }
  EXPECT_FALSE(std::filesystem::exists(dir.file("out.jsonl")));
}


namespace {
// Rows from 60 respondents answering from 37 texts, so many rows re-submit an earlier
// answer (within the file and across files), with non-answers and lists among them.
std::string resubmitting_csv(int rows, int seed) {
  std::string s = "Respondent,What should change?,Anything else?,Why?\n";
  for (int i = 0; i < rows; ++i) {
    const int k = i * 7 + seed;
    s += "p" + std::to_string(k % 60) + ",";
    if (k % 13 == 0)
      s += "n/a";
    else if (k % 17 == 0)
      s += "\"1) more staff " + std::to_string(k % 5) + " 2) fix the lift\"";
    else
      s += "The rota in block " + std::to_string(k % 37) + " needs fixing";
    s += ",I would add a note on shift " + std::to_string(k % 53) + " and the canteen";
    s += ",Because of reason " + std::to_string(k % 101) + " in the " + std::to_string(k % 7) + " rota\n";
  }
  return s;
}
}  // namespace

// Past --index-memory the index goes to disk and the records wait in a temporary file: the
// output, the rejects (duplicates in their place among the others) and every file's tally
// must be exactly those of a run that kept everything in memory, at any point of switching
// (from the first idea, or after some thousands), with one worker or several, across files,
// and with stream records passed on in their place.
TEST(Gather, DuplicateIndexPastItsMemoryGivesTheSameOutput) {
  temp_dir dir;
  std::vector<std::string> inputs = {dir.write("a.csv", resubmitting_csv(3000, 0)),
                                     dir.write("b.csv", resubmitting_csv(2500, 3))};
  auto stream = run(dir, {dir.write("plain.csv", plain_csv)});
  inputs.push_back(dir.write("again.jsonl", stream.output));
  inputs.push_back(dir.write("c.csv", resubmitting_csv(1500, 5)));
  gather_options base;
  auto whole = run(dir, inputs, base);
  EXPECT_GT(whole.rejected("duplicate"), 2000);
  EXPECT_GT(whole.rejected("non-answer"), 100);
  for (auto& t : whole.tallies) EXPECT_EQ(t.spilled_ideas, 0) << t.file;
  std::vector<std::string> whole_rejects;
  for (auto& r : whole.rejects) whole_rejects.push_back(r.dump());
  for (std::size_t memory : {std::size_t{0}, std::size_t{33} << 10, std::size_t{40} << 10}) {
    for (std::size_t threads : {1, 3}) {
      SCOPED_TRACE(fmt::format("index_memory {} threads {}", memory, threads));
      gather_options o = base;
      o.index_memory = memory;
      o.threads = threads;
      o.temp_dir = dir.path();
      auto g = run(dir, inputs, o);
      EXPECT_EQ(g.output, whole.output);
      std::vector<std::string> rejects;
      for (auto& r : g.rejects) rejects.push_back(r.dump());
      EXPECT_EQ(rejects, whole_rejects);
      ASSERT_EQ(g.tallies.size(), whole.tallies.size());
      long long spilled = 0;
      for (std::size_t i = 0; i < g.tallies.size(); ++i) {
        EXPECT_EQ(g.tallies[i].ideas, whole.tallies[i].ideas) << i;
        EXPECT_EQ(g.tallies[i].items_rejected, whole.tallies[i].items_rejected) << i;
        EXPECT_EQ(g.tallies[i].rows_rejected, whole.tallies[i].rows_rejected) << i;
        spilled += g.tallies[i].spilled_ideas;
      }
      // Everything went through the disk from the first idea, or a part after the switch.
      const long long indexed = whole.rejected("duplicate") + static_cast<long long>(whole.ideas.size()) -
                                whole.tallies[2].passed_through;
      if (memory == 0)
        EXPECT_EQ(spilled, indexed);
      else
        EXPECT_TRUE(spilled > 0 && spilled < indexed) << spilled << " of " << indexed;
    }
  }
}

// Into a pipe the records cannot be taken out of the output again: they wait in a spool.
TEST(Gather, DuplicateIndexPastItsMemoryIntoAPipe) {
  temp_dir dir;
  std::vector<std::string> inputs = {dir.write("a.csv", resubmitting_csv(3000, 0)),
                                     dir.write("b.csv", resubmitting_csv(2500, 3))};
  auto whole = run(dir, inputs);
  for (std::size_t memory : {std::size_t{0}, std::size_t{40} << 10}) {
    const std::string fifo = dir.file("fifo-" + std::to_string(memory));
    ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
    std::string got;
    std::thread reader([&] { got = slurp(fifo); });
    gather_options o;
    o.inputs = inputs;
    o.output = fifo;
    o.salt = "test-salt";
    o.index_memory = memory;
    o.temp_dir = dir.path();
    std::vector<gather_tally> tallies;
    EXPECT_EQ(run_gather(o, &tallies), 0);
    reader.join();
    EXPECT_EQ(got, whole.output) << memory;
    EXPECT_GT(tallies.at(1).spilled_ideas, 0);
    EXPECT_EQ(tallies.at(1).items_rejected, whole.tallies.at(1).items_rejected);
  }
}

TEST(Gather, DuplicateIndexPastItsMemoryWithNoTemporaryFolderIsExit74) {
  temp_dir dir;
  gather_options o;
  o.index_memory = 0;
  o.temp_dir = dir.file("no/such/folder");
  o.inputs = {dir.write("a.csv", resubmitting_csv(100, 0))};
  o.output = dir.file("ideas.jsonl");
  o.salt = "test-salt";
  try {
    run_gather(o);
    FAIL() << "expected an error";
  } catch (const ml::error& e) {
    EXPECT_EQ(e.code(), ml::exit_io);
    EXPECT_NE(std::string(e.what()).find("no/such/folder"), std::string::npos) << e.what();
  }
  EXPECT_EQ(dir.entries(), (std::set<std::string>{"a.csv"}));  // no output, no temporary left
}

}  // namespace ml
