// SPDX-License-Identifier: Apache-2.0
// Unit tests for ml/csv.hpp: the situations of every csv-spectrum case (on fixtures of our
// own), line ends, record positions, quoting errors, delimiter sniffing, and records larger
// than the reader's buffer.
#include "temp_dir.hpp"
#include "ml/csv.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <string_view>
#include <vector>

#include "ml/error.hpp"
#include "ml/input.hpp"

namespace ml {
namespace {

using test::temp_dir;

using fields = std::vector<std::string>;

struct parsed_record {
  fields f;
  long long line, end_line, number;
};

struct parsed {
  std::vector<parsed_record> records;
  char delimiter = 0;
  long long stray_quotes = 0;
  std::vector<std::string> warnings;

  std::vector<fields> rows() const {
    std::vector<fields> out;
    for (auto& r : records) out.push_back(r.f);
    return out;
  }
};

// Reads the whole of `path` with a csv_reader (delimiter 0: sniffed).
parsed read_csv_file(const std::string& path, char delimiter = 0) {
  parsed p;
  byte_input bytes(path);
  text_input text(bytes, "", [&](const std::string& w) { p.warnings.push_back(w); });
  csv_reader reader(text, delimiter);
  p.delimiter = reader.delimiter();
  csv_record rec;
  while (reader.next(rec)) {
    parsed_record r;
    for (auto f : rec.fields) r.f.emplace_back(f);
    r.line = rec.line;
    r.end_line = rec.end_line;
    r.number = rec.number;
    p.records.push_back(std::move(r));
  }
  p.stray_quotes = reader.stray_quotes();
  return p;
}

parsed read_csv(std::string_view bytes, char delimiter = 0) {
  temp_dir dir;
  return read_csv_file(dir.write("input.csv", bytes), delimiter);
}

// ---------------------------------------------------------------------------------------------
// The situations of the csv-spectrum suite, each on a fixture of our own.

TEST(CsvSpectrum, CommaInQuotes) {
  auto p = read_csv("name,town,postcode\nAda,\"Lyon, Rhone\",69001");
  EXPECT_EQ(p.rows(),
            (std::vector<fields>{{"name", "town", "postcode"}, {"Ada", "Lyon, Rhone", "69001"}}));
}

TEST(CsvSpectrum, EmptyQuotedFields) {
  auto p = read_csv("x,y,z\n7,\"\",\"\"\n8,9,10");
  EXPECT_EQ(p.rows(), (std::vector<fields>{{"x", "y", "z"}, {"7", "", ""}, {"8", "9", "10"}}));
}

TEST(CsvSpectrum, EmptyQuotedFieldsCrlf) {
  auto p = read_csv("x,y,z\r\n7,\"\",\"\"\r\n8,9,10");
  EXPECT_EQ(p.rows(), (std::vector<fields>{{"x", "y", "z"}, {"7", "", ""}, {"8", "9", "10"}}));
}

TEST(CsvSpectrum, EscapedQuotes) {
  auto p = read_csv("id,said\n1,\"she said \"\"no\"\" twice\"\n2,ok\n");
  EXPECT_EQ(p.rows(),
            (std::vector<fields>{{"id", "said"}, {"1", "she said \"no\" twice"}, {"2", "ok"}}));
}

TEST(CsvSpectrum, JsonInAField) {
  auto p = read_csv("k,doc\n1,\"{\"\"kind\"\": \"\"line\"\", \"\"at\"\": [3.5, -1]}\"\n");
  EXPECT_EQ(p.rows(),
            (std::vector<fields>{{"k", "doc"}, {"1", "{\"kind\": \"line\", \"at\": [3.5, -1]}"}}));
}

TEST(CsvSpectrum, LocationCoordinatesWithBareQuotes) {
  // Quotes inside an unquoted field are ordinary characters.
  auto p = read_csv("Phone,Where,Town\n5550100,45\u00b049'58\"N 6\u00b051'54\"E,Chamonix");
  EXPECT_EQ(p.rows(),
            (std::vector<fields>{{"Phone", "Where", "Town"},
                                 {"5550100", "45\u00b049'58\"N 6\u00b051'54\"E", "Chamonix"}}));
}

TEST(CsvSpectrum, NewlinesInQuotes) {
  auto p = read_csv("p,q,r\n1,2,3\n\"first line \nsecond line\",5,6\n7,8,9\n");
  EXPECT_EQ(p.rows(), (std::vector<fields>{{"p", "q", "r"},
                                           {"1", "2", "3"},
                                           {"first line \nsecond line", "5", "6"},
                                           {"7", "8", "9"}}));
}

TEST(CsvSpectrum, NewlinesInQuotesCrlfKeptAsWritten) {
  auto p = read_csv("p,q,r\r\n1,2,3\r\n\"first line \r\nsecond line\",5,6\r\n7,8,9\r\n");
  EXPECT_EQ(p.rows(), (std::vector<fields>{{"p", "q", "r"},
                                           {"1", "2", "3"},
                                           {"first line \r\nsecond line", "5", "6"},
                                           {"7", "8", "9"}}));
}

TEST(CsvSpectrum, QuotesAndNewlines) {
  auto p = read_csv("n,text\n1,\"one \n\"\"two\"\" \nthree\"\n2,four\n");
  EXPECT_EQ(p.rows(),
            (std::vector<fields>{{"n", "text"}, {"1", "one \n\"two\" \nthree"}, {"2", "four"}}));
}

TEST(CsvSpectrum, Simple) {
  auto p = read_csv("u,v,w\n4,5,6\n");
  EXPECT_EQ(p.rows(), (std::vector<fields>{{"u", "v", "w"}, {"4", "5", "6"}}));
}

TEST(CsvSpectrum, SimpleCrlf) {
  auto p = read_csv("u,v,w\r\n4,5,6\r\n");
  EXPECT_EQ(p.rows(), (std::vector<fields>{{"u", "v", "w"}, {"4", "5", "6"}}));
}

TEST(CsvSpectrum, Utf8) {
  auto p = read_csv("u,v,w\n4,5,6\n7,8,\u0283\u00e9\u20ac\U0001F600");
  EXPECT_EQ(p.rows(),
            (std::vector<fields>{
                {"u", "v", "w"}, {"4", "5", "6"}, {"7", "8", "\u0283\u00e9\u20ac\U0001F600"}}));
  EXPECT_TRUE(p.warnings.empty());
}

// ---------------------------------------------------------------------------------------------
// Line ends, blank lines, trailing delimiters.

TEST(CsvReader, CrOnlyLineEnds) {
  auto p = read_csv("a,b\r1,2\r\"x\ry\",3\r4,5\r");
  ASSERT_EQ(p.rows(), (std::vector<fields>{{"a", "b"}, {"1", "2"}, {"x\ry", "3"}, {"4", "5"}}));
  EXPECT_EQ(p.records[1].line, 2);
  EXPECT_EQ(p.records[2].line, 3);
  EXPECT_EQ(p.records[2].end_line, 4);
  EXPECT_EQ(p.records[3].line, 5);
}

TEST(CsvReader, NoFinalNewline) {
  auto p = read_csv("a,b\n1,2");
  EXPECT_EQ(p.rows(), (std::vector<fields>{{"a", "b"}, {"1", "2"}}));
  auto q = read_csv("a,b\n1,\"two\"");
  EXPECT_EQ(q.rows(), (std::vector<fields>{{"a", "b"}, {"1", "two"}}));
}

TEST(CsvReader, TrailingDelimiterGivesAnEmptyLastField) {
  auto p = read_csv("a,b,\n1,2,\n3,4,");
  EXPECT_EQ(p.rows(), (std::vector<fields>{{"a", "b", ""}, {"1", "2", ""}, {"3", "4", ""}}));
}

TEST(CsvReader, EmptyFieldsEverywhere) {
  auto p = read_csv("a,b,c\n,,\n,x,\n");
  EXPECT_EQ(p.rows(), (std::vector<fields>{{"a", "b", "c"}, {"", "", ""}, {"", "x", ""}}));
}

TEST(CsvReader, BlankLinesAreSkippedButCounted) {
  auto p = read_csv("a,b\n\n1,2\r\n\r\n\n3,4\n\n");
  ASSERT_EQ(p.rows(), (std::vector<fields>{{"a", "b"}, {"1", "2"}, {"3", "4"}}));
  EXPECT_EQ(p.records[0].line, 1);
  EXPECT_EQ(p.records[1].line, 3);
  EXPECT_EQ(p.records[2].line, 6);
  EXPECT_EQ(p.records[2].number, 3);
}

TEST(CsvReader, EmptyInputHasNoRecords) {
  EXPECT_TRUE(read_csv("").records.empty());
  EXPECT_TRUE(read_csv("\n\r\n\n").records.empty());
}

TEST(CsvReader, RecordPositionsForMultiLineRecords) {
  auto p = read_csv("h1,h2\n1,\"x\ny\nz\"\n2,3\n\"a\r\nb\",4\r\n");
  ASSERT_EQ(p.records.size(), 4u);
  EXPECT_EQ(p.records[0].line, 1);
  EXPECT_EQ(p.records[0].end_line, 1);
  EXPECT_EQ(p.records[0].number, 1);
  EXPECT_EQ(p.records[1].line, 2);
  EXPECT_EQ(p.records[1].end_line, 4);
  EXPECT_EQ(p.records[1].number, 2);
  EXPECT_EQ(p.records[2].line, 5);
  EXPECT_EQ(p.records[2].end_line, 5);
  EXPECT_EQ(p.records[2].number, 3);
  EXPECT_EQ(p.records[3].line, 6);
  EXPECT_EQ(p.records[3].end_line, 7);
  EXPECT_EQ(p.records[3].number, 4);
}

TEST(CsvReader, EndLineOfALastRecordWithoutNewline) {
  auto p = read_csv("h\n\"a\nb\"");
  ASSERT_EQ(p.records.size(), 2u);
  EXPECT_EQ(p.records[1].line, 2);
  EXPECT_EQ(p.records[1].end_line, 3);
}

TEST(CsvReader, TextAfterClosingQuoteIsKept) {
  auto p = read_csv("a,b\n\"quoted\"tail,next\n\"x\"\"y\"z,w\n");
  EXPECT_EQ(p.rows(), (std::vector<fields>{{"a", "b"}, {"quotedtail", "next"}, {"x\"yz", "w"}}));
  EXPECT_EQ(p.stray_quotes, 2);
}

TEST(CsvReader, NoStrayQuotesInCleanInput) {
  EXPECT_EQ(read_csv("a,b\n\"x\",\"y\"\n").stray_quotes, 0);
}

TEST(CsvReader, UnterminatedQuoteIsADataErrorNamingWhereItOpened) {
  temp_dir dir;
  std::string path = dir.write("bad.csv", "a,b\n1,2\n3,\"open\nmore\nstill open\n");
  try {
    read_csv_file(path);
    FAIL() << "expected ml::error";
  } catch (const error& e) {
    EXPECT_EQ(e.code(), 65);
    std::string msg = e.what();
    EXPECT_EQ(msg.rfind(path + ":3: unterminated quoted field (opened at line 3", 0), 0u) << msg;
  }
}

TEST(CsvReader, UnterminatedQuoteOnTheFirstLine) {
  temp_dir dir;
  std::string path = dir.write("bad.csv", "\"a,b\n1,2\n");
  try {
    read_csv_file(path);
    FAIL() << "expected ml::error";
  } catch (const error& e) {
    EXPECT_EQ(e.code(), exit_data);
    EXPECT_NE(std::string(e.what()).find("opened at line 1"), std::string::npos) << e.what();
  }
}

TEST(CsvReader, ExplicitDelimiter) {
  auto p = read_csv("a;b,c\n1;2,3\n", ';');
  EXPECT_EQ(p.delimiter, ';');
  EXPECT_EQ(p.rows(), (std::vector<fields>{{"a", "b,c"}, {"1", "2,3"}}));
}

TEST(CsvReader, ViewsStayValidUntilTheNextCall) {
  temp_dir dir;
  byte_input bytes(dir.write("v.csv", "a,\"b\"\"c\"\n"));
  text_input text(bytes, "", [](const std::string&) {});
  csv_reader reader(text);
  csv_record rec;
  ASSERT_TRUE(reader.next(rec));
  ASSERT_EQ(rec.fields.size(), 2u);
  EXPECT_EQ(rec.fields[0], "a");
  EXPECT_EQ(rec.fields[1], "b\"c");
  EXPECT_FALSE(reader.next(rec));
  EXPECT_GT(reader.bytes_consumed(), 0);
}

// ---------------------------------------------------------------------------------------------
// Delimiter sniffing.

TEST(CsvSniff, Comma) {
  EXPECT_EQ(sniff_delimiter("name,age,town\nAda,36,Lyon\nBo,41,Nice\n"), ',');
}

TEST(CsvSniff, Semicolon) {
  EXPECT_EQ(sniff_delimiter("name;comment\nAda;\"yes, no; maybe\"\nBo;fine, really fine\n"), ';');
}

TEST(CsvSniff, Tab) {
  EXPECT_EQ(sniff_delimiter("name\tcomment\nAda\t\"a, b, c\"\nBo\t\"d; e\"\n"), '\t');
}

TEST(CsvSniff, Pipe) {
  EXPECT_EQ(sniff_delimiter("name|comment|n\nAda|\"x, y\"|1\nBo|z; w|2\n"), '|');
}

TEST(CsvSniff, QuotedDelimitersDoNotCount) {
  // Each data row holds more commas than semicolons, but all of them inside quotes.
  EXPECT_EQ(sniff_delimiter("\"q1\";\"q2\"\n\"a, b, c, d\";\"e\"\n\"f, g, h\";\"i, j\"\n"), ';');
  EXPECT_EQ(sniff_delimiter("a,b\n\"x;y;z\",\"1|2|3\"\n\"p\tq\",r\n"), ',');
}

TEST(CsvSniff, QuotedNewlinesInTheSample) {
  EXPECT_EQ(sniff_delimiter("a;b;c\n\"line\none, two\";2;3\n4;\"x\ny\";6\n"), ';');
}

TEST(CsvSniff, FallsBackToComma) {
  EXPECT_EQ(sniff_delimiter(""), ',');
  EXPECT_EQ(sniff_delimiter("just one column\nof text\n"), ',');
}

TEST(CsvSniff, ReaderSniffsWhenNoDelimiterIsGiven) {
  EXPECT_EQ(read_csv("a;b\n1;2\n").delimiter, ';');
  EXPECT_EQ(read_csv("a\tb\n1\t2\n").delimiter, '\t');
  EXPECT_EQ(read_csv("a|b\n1|2\n").delimiter, '|');
  EXPECT_EQ(read_csv("a,b\n1,2\n").delimiter, ',');
  auto p = read_csv("\"id\";\"comment\"\n\"1\";\"fine, thanks\"\n\"2\";\"slow, noisy\"\n");
  EXPECT_EQ(p.delimiter, ';');
  EXPECT_EQ(p.rows(),
            (std::vector<fields>{{"id", "comment"}, {"1", "fine, thanks"}, {"2", "slow, noisy"}}));
}

// Fully quoted two-column `;` files (KoboToolbox's layout) where every record, the header
// included, has one comma inside its second field: under ',' the second field's opening quote
// is not at a field start, so both candidates split every record in two. A closing quote
// followed by something other than the delimiter should count against the candidate.
TEST(CsvSniff, FullyQuotedSemicolonWithACommaInEverySecondField) {
  EXPECT_EQ(sniff_delimiter("\"x\";\"y, z\"\n\"1\";\"2, 3\"\n\"4\";\"5, 6\"\n"), ';');
}

// ---------------------------------------------------------------------------------------------
// Records larger than the buffer, and the buffer's edges.

TEST(CsvLarge, QuotedFieldOfThreeMegabytes) {
  std::string big;
  big.reserve(3'000'000);
  for (int i = 0; big.size() < 3'000'000; ++i) big += "word " + std::to_string(i) + ",\n";
  std::string input = "a,b\n1,2\n\"" + big + "\",tail\n3,4\n";
  auto p = read_csv(input);
  ASSERT_EQ(p.records.size(), 4u);
  EXPECT_EQ(p.records[2].f.size(), 2u);
  EXPECT_EQ(p.records[2].f[0].size(), big.size());
  EXPECT_TRUE(p.records[2].f[0] == big);
  EXPECT_EQ(p.records[2].f[1], "tail");
  long long newlines = static_cast<long long>(std::count(big.begin(), big.end(), '\n'));
  EXPECT_EQ(p.records[2].line, 3);
  EXPECT_EQ(p.records[2].end_line, 3 + newlines);
  EXPECT_EQ(p.records[3].f, (fields{"3", "4"}));
  EXPECT_EQ(p.records[3].line, 4 + newlines);
}

TEST(CsvLarge, QuotedFieldWithDoubledQuotesAcrossRefills) {
  std::string raw, expected;
  for (int i = 0; expected.size() < 3'000'000; ++i) {
    raw += "say \"\"" + std::to_string(i) + "\"\" ";
    expected += "say \"" + std::to_string(i) + "\" ";
  }
  auto p = read_csv("a,b\n\"" + raw + "\",x\n");
  ASSERT_EQ(p.records.size(), 2u);
  EXPECT_TRUE(p.records[1].f[0] == expected);
  EXPECT_EQ(p.records[1].f[1], "x");
}

TEST(CsvLarge, UnquotedFieldOfThreeMegabytes) {
  std::string big(3'000'000, 'z');
  auto p = read_csv("a,b\n" + big + ",end\nq,r");
  ASSERT_EQ(p.records.size(), 3u);
  EXPECT_TRUE(p.records[1].f[0] == big);
  EXPECT_EQ(p.records[1].f[1], "end");
  EXPECT_EQ(p.records[2].f, (fields{"q", "r"}));
  EXPECT_EQ(p.records[2].line, 3);
}

TEST(CsvLarge, ManySmallRecordsAcrossRefills) {
  std::string input = "id,text\r\n";
  const int n = 200'000;
  for (int i = 0; i < n; ++i) input += std::to_string(i) + ",\"row " + std::to_string(i) + "\"\r\n";
  auto p = read_csv(input);
  ASSERT_EQ(p.records.size(), static_cast<std::size_t>(n + 1));
  for (int i = 0; i < n; ++i) {
    const auto& r = p.records[static_cast<std::size_t>(i + 1)];
    ASSERT_EQ(r.f, (fields{std::to_string(i), "row " + std::to_string(i)})) << i;
    ASSERT_EQ(r.line, i + 2);
    ASSERT_EQ(r.number, i + 2);
  }
}

// The reader's first buffer holds the first 64 KiB; put each delicate byte pair (CR LF, a
// doubled quote, a closing quote and its delimiter) astride that edge.
TEST(CsvLarge, DelicatePairsAstrideTheFirstBufferEdge) {
  for (std::size_t pad = 65520; pad <= 65545; ++pad) {
    SCOPED_TRACE(pad);
    std::string head = "h1,h2\r\n";
    std::string a(pad - head.size(), 'a');
    auto p = read_csv(head + "\"" + a + "\"\"b\",tail\r\nq,r\r\n");
    ASSERT_EQ(p.records.size(), 3u);
    EXPECT_TRUE(p.records[1].f[0] == a + "\"b");
    EXPECT_EQ(p.records[1].f[1], "tail");
    EXPECT_EQ(p.records[2].f, (fields{"q", "r"}));
    EXPECT_EQ(p.records[2].line, 3);

    auto cr = read_csv(std::string(pad, 'x') + "\r\ny\rz\r\n");
    ASSERT_EQ(cr.records.size(), 3u);
    EXPECT_EQ(cr.records[1].f, (fields{"y"}));
    EXPECT_EQ(cr.records[1].line, 2);
    EXPECT_EQ(cr.records[2].line, 3);

    auto cr_only = read_csv(std::string(pad, 'x') + "\ry\r\"q\rr\"\rz");
    ASSERT_EQ(cr_only.records.size(), 4u);
    EXPECT_EQ(cr_only.records[1].f, (fields{"y"}));
    EXPECT_EQ(cr_only.records[2].f, (fields{"q\rr"}));
    EXPECT_EQ(cr_only.records[3].f, (fields{"z"}));
    EXPECT_EQ(cr_only.records[3].line, 5);

    auto blank = read_csv(std::string(pad, 'x') + "\r\n\r\n\r\nlast\r\n");
    ASSERT_EQ(blank.records.size(), 2u);
    EXPECT_EQ(blank.records[1].f, (fields{"last"}));
    EXPECT_EQ(blank.records[1].line, 4);
  }
}

TEST(CsvLarge, MaxRecordBytesIsADataError) {
  temp_dir dir;
  std::string path = dir.write("huge.csv", "a,b\n1,\"" + std::string(3'000'000, 'q') + "\"\n");
  byte_input bytes(path);
  text_input text(bytes, "", [](const std::string&) {});
  csv_reader reader(text);
  reader.max_record_bytes = 1 << 20;
  csv_record rec;
  ASSERT_TRUE(reader.next(rec));
  try {
    reader.next(rec);
    FAIL() << "expected ml::error";
  } catch (const error& e) {
    EXPECT_EQ(e.code(), 65);
    std::string msg = e.what();
    EXPECT_EQ(msg.rfind(path + ":2: a record longer than ", 0), 0u) << msg;
  }
}

// The limit holds for a record however it arrives, also when the whole input fits in the
// first buffer.
TEST(CsvLarge, MaxRecordBytesHoldsForSmallInputsToo) {
  temp_dir dir;
  std::string path = dir.write("long.csv", "a,b\n1,\"" + std::string(5000, 'q') + "\"\n2,3\n");
  byte_input bytes(path);
  text_input text(bytes, "", [](const std::string&) {});
  csv_reader reader(text);
  reader.max_record_bytes = 1000;
  csv_record rec;
  ASSERT_TRUE(reader.next(rec));
  try {
    reader.next(rec);
    FAIL() << "expected ml::error for a record of 5004 bytes with max_record_bytes 1000";
  } catch (const error& e) {
    EXPECT_EQ(e.code(), 65);
    EXPECT_EQ(std::string(e.what()).rfind(path + ":2: ", 0), 0u) << e.what();
  }
}

}  // namespace
}  // namespace ml
