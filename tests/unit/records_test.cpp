// SPDX-License-Identifier: Apache-2.0
// Unit tests for ml/records.hpp: reading the JSON Lines record stream with line numbers,
// and the file:line errors a bad line gives.
#include "temp_dir.hpp"
#include "ml/records.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "ml/error.hpp"
#include "ml/input.hpp"

namespace ml {
namespace {

using test::temp_dir;

struct read_result {
  std::vector<nlohmann::ordered_json> values;
  std::vector<long long> lines;
  std::vector<std::string> raws, types;
};

read_result read_records(const std::string& path) {
  read_result r;
  byte_input bytes(path);
  text_input text(bytes, "", [](const std::string&) {});
  record_reader reader(text);
  record rec;
  while (reader.next(rec)) {
    r.values.push_back(rec.value);
    r.lines.push_back(rec.line);
    r.raws.emplace_back(rec.raw);
    r.types.push_back(rec.type());
  }
  return r;
}

// The ml::error that reading `bytes` throws.
error read_error(const std::string& bytes, std::string* path_out = nullptr) {
  temp_dir dir;
  std::string path = dir.write("in.jsonl", bytes);
  if (path_out) *path_out = path;
  try {
    read_records(path);
  } catch (const error& e) {
    return e;
  }
  ADD_FAILURE() << "expected ml::error for: " << bytes;
  return error(0, "");
}

TEST(RecordReader, ReadsObjectsWithLineNumbers) {
  temp_dir dir;
  auto r = read_records(
      dir.write("s.jsonl",
                "{\"type\":\"header\",\"v\":1}\n{\"type\":\"idea\",\"z\":1,\"a\":2}\n{\"n\":3}\n"));
  ASSERT_EQ(r.values.size(), 3u);
  EXPECT_EQ(r.lines, (std::vector<long long>{1, 2, 3}));
  EXPECT_EQ(r.types, (std::vector<std::string>{"header", "idea", ""}));
  EXPECT_EQ(r.raws[1], "{\"type\":\"idea\",\"z\":1,\"a\":2}");
  // Keys keep the order they came in.
  EXPECT_EQ(r.values[1].dump(), "{\"type\":\"idea\",\"z\":1,\"a\":2}");
}

// Found by fuzzing (fuzz/regressions/records/): a number too large for a double made the
// parser throw out_of_range, which escaped as an internal error instead of bad data.
TEST(RecordReader, ANumberTooLargeIsBadDataNamingTheLine) {
  std::string path;
  error e = read_error("{\"a\":1}\n{\"type\":\"idea\",\"n\":1e999}\n", &path);
  EXPECT_EQ(e.code(), exit_data);
  EXPECT_NE(std::string(e.what()).find(":2: invalid JSON"), std::string::npos) << e.what();
  EXPECT_NE(std::string(e.what()).find("number overflow"), std::string::npos) << e.what();
}

// Found by the size tests: printing or flattening a value nested 200,000 levels deep
// overflowed the stack (ml-concentrate, ml-gather). Every reader refuses such nesting.
TEST(RecordReader, NestingTooDeepIsBadDataNamingTheLine) {
  std::string deep = "{\"type\":\"idea\",\"x\":" + std::string(100000, '[') +
                     std::string(100000, ']') + "}\n";
  error e = read_error("{\"a\":1}\n" + deep);
  EXPECT_EQ(e.code(), exit_data);
  EXPECT_NE(std::string(e.what()).find(":2: arrays or objects nested more than 64 levels"),
            std::string::npos)
      << e.what();
}

TEST(JsonTooDeep, CountsLevelsNotBracketsAndSkipsStrings) {
  std::string at_limit = std::string(64, '[') + std::string(64, ']');
  EXPECT_FALSE(json_too_deep(at_limit));
  EXPECT_TRUE(json_too_deep("[" + at_limit + "]"));
  // Many brackets side by side are shallow.
  std::string wide = "[";
  for (int i = 0; i < 1000; ++i) wide += "{\"a\":[1]},";
  wide += "{}]";
  EXPECT_FALSE(json_too_deep(wide));
  // Brackets inside strings, escaped quotes included, do not count.
  std::string in_string = "{\"t\":\"" + std::string(100, '[') + "\\\"" + std::string(100, '{') +
                          "\"}";
  EXPECT_FALSE(json_too_deep(in_string));
  EXPECT_TRUE(json_too_deep("{\"t\":\"\\\\\"," + std::string(70, '[')));
}

TEST(LineReader, ALineLongerThanTheLimitIsRefusedNamingIt) {
  temp_dir dir;
  std::string path = dir.write("in.jsonl", "{\"a\":1}\n" + std::string(5000, 'x') + "\n{}\n");
  byte_input bytes(path);
  text_input text(bytes, "", [](const std::string&) {});
  line_reader lines(text);
  lines.max_bytes = 1000;
  std::string_view line;
  ASSERT_TRUE(lines.next(line));
  EXPECT_EQ(line, "{\"a\":1}");
  try {
    lines.next(line);
    FAIL() << "expected ml::error for a line of 5000 bytes with max_bytes 1000";
  } catch (const error& e) {
    EXPECT_EQ(e.code(), exit_data);
    EXPECT_NE(std::string(e.what()).find("in.jsonl:2: a line longer than 1000 bytes"),
              std::string::npos)
        << e.what();
  }
}

TEST(LineReader, ALongLineIsReadWholeAcrossManyChunks) {
  temp_dir dir;
  std::string big(3'000'000, 'y');
  std::string path = dir.write("in.jsonl", "a\n" + big + "\nb");
  byte_input bytes(path);
  text_input text(bytes, "", [](const std::string&) {});
  line_reader lines(text);
  std::string_view line;
  std::vector<std::string> got;
  while (lines.next(line)) got.emplace_back(line);
  ASSERT_EQ(got.size(), 3u);
  EXPECT_EQ(got[1], big);
  EXPECT_EQ(got[2], "b");
  EXPECT_TRUE(lines.last_unterminated());
  EXPECT_EQ(lines.line_number(), 3);
}

TEST(RecordReader, SkipsBlankLines) {
  temp_dir dir;
  auto r = read_records(dir.write("s.jsonl", "\n{\"a\":1}\n\n  \t \n{\"b\":2}\n\n"));
  ASSERT_EQ(r.values.size(), 2u);
  EXPECT_EQ(r.lines, (std::vector<long long>{2, 5}));
}

TEST(RecordReader, Crlf) {
  temp_dir dir;
  auto r = read_records(dir.write("s.jsonl", "{\"a\":\"x\"}\r\n\r\n{\"b\":2}\r\n"));
  ASSERT_EQ(r.values.size(), 2u);
  EXPECT_EQ(r.values[0]["a"], "x");
  EXPECT_EQ(r.raws[0], "{\"a\":\"x\"}");
  EXPECT_EQ(r.lines, (std::vector<long long>{1, 3}));
}

TEST(RecordReader, LastLineWithoutNewlineIsRead) {
  temp_dir dir;
  auto r = read_records(dir.write("s.jsonl", "{\"a\":1}\n{\"b\":2}"));
  ASSERT_EQ(r.values.size(), 2u);
  EXPECT_EQ(r.lines[1], 2);
}

TEST(RecordReader, BomIsIgnored) {
  temp_dir dir;
  auto r = read_records(dir.write("s.jsonl", "\xEF\xBB\xBF{\"a\":1}\n"));
  ASSERT_EQ(r.values.size(), 1u);
}

TEST(RecordReader, TypeThatIsNotAStringIsEmpty) {
  temp_dir dir;
  auto r = read_records(dir.write("s.jsonl", "{\"type\":3}\n"));
  EXPECT_EQ(r.types, (std::vector<std::string>{""}));
}

TEST(RecordReader, InvalidLineGivesFileLineAndColumn) {
  std::string path;
  error e = read_error("{\"a\":1}\n{\"a\":1,}\n{\"b\":2}\n", &path);
  EXPECT_EQ(e.code(), 65);
  std::string msg = e.what();
  EXPECT_EQ(msg.rfind(path + ":2: invalid JSON at column ", 0), 0u) << msg;
  EXPECT_NE(msg.find("each line must hold one complete JSON object"), std::string::npos) << msg;
  EXPECT_EQ(msg.find("[json.exception"), std::string::npos) << msg;
}

TEST(RecordReader, TruncatedLastLineSaysSo) {
  std::string path;
  error e = read_error("{\"a\":1}\n{\"a\":1}\n{\"text\":\"cut sho", &path);
  EXPECT_EQ(e.code(), 65);
  std::string msg = e.what();
  EXPECT_EQ(msg.rfind(path + ":3: invalid JSON", 0), 0u) << msg;
  EXPECT_NE(msg.find("truncated"), std::string::npos) << msg;
}

TEST(RecordReader, BadLineWithNewlineIsNotCalledTruncated) {
  error e = read_error("{\"text\":\"cut sho\n");
  EXPECT_EQ(std::string(e.what()).find("truncated"), std::string::npos) << e.what();
}

TEST(RecordReader, NonObjectLineIsAnError) {
  for (std::string line : {"[1,2]", "\"text\"", "42", "null", "true"}) {
    std::string path;
    error e = read_error("{\"a\":1}\n" + line + "\n", &path);
    EXPECT_EQ(e.code(), 65) << line;
    std::string msg = e.what();
    EXPECT_EQ(msg.rfind(path + ":2: not a JSON object", 0), 0u) << msg;
  }
}

TEST(RecordReader, TwoObjectsOnOneLineIsAnError) {
  error e = read_error("{\"a\":1}{\"b\":2}\n");
  EXPECT_EQ(e.code(), 65);
}

TEST(RecordReader, LongLinesAcrossChunks) {
  temp_dir dir;
  std::string big(3'000'000, 'w');
  auto r = read_records(dir.write("s.jsonl", "{\"a\":1}\n{\"t\":\"" + big + "\"}\n{\"b\":2}\n"));
  ASSERT_EQ(r.values.size(), 3u);
  EXPECT_EQ(r.values[1]["t"].get<std::string>().size(), big.size());
  EXPECT_EQ(r.lines, (std::vector<long long>{1, 2, 3}));
}

TEST(LineReader, NumbersLinesAndNotesAMissingFinalNewline) {
  temp_dir dir;
  byte_input bytes(dir.write("l.txt", "one\r\ntwo\n\nfour"));
  text_input text(bytes, "", [](const std::string&) {});
  line_reader lines(text);
  std::string_view l;
  std::vector<std::string> got;
  std::vector<long long> nums;
  bool last_unterminated = false;
  while (lines.next(l)) {
    got.emplace_back(l);
    nums.push_back(lines.line_number());
    last_unterminated = lines.last_unterminated();
  }
  EXPECT_EQ(got, (std::vector<std::string>{"one", "two", "", "four"}));
  EXPECT_EQ(nums, (std::vector<long long>{1, 2, 3, 4}));
  EXPECT_TRUE(last_unterminated);
  EXPECT_EQ(lines.bytes_consumed(), 14);
}

TEST(StreamTypes, KnownTypes) {
  for (const char* t : {"header", "idea", "reject", "summary", "theme", "unassigned", "directive",
                        "report", "review", "brief", "vanished"})
    EXPECT_TRUE(is_stream_type(t)) << t;
  for (const char* t : {"", "Idea", "ideas", "foo", "header "})
    EXPECT_FALSE(is_stream_type(t)) << t;
}

}  // namespace
}  // namespace ml
