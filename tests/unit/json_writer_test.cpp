// SPDX-License-Identifier: Apache-2.0
// Unit tests for ml/json_writer.hpp: compact JSON with keys in call order, string escaping
// that always gives valid JSON, and numbers that read back as written.
#include "ml/json_writer.hpp"

#include <gtest/gtest.h>

#include <climits>
#include <cmath>
#include <cstdlib>
#include <limits>
#include <nlohmann/json.hpp>
#include <string>

namespace ml {
namespace {

std::string json_quoted(std::string_view s) {
  std::string out;
  append_json_string(out, s);
  return out;
}

std::string number(double d) {
  json_writer w;
  w.value(d);
  return w.str();
}

TEST(JsonWriter, HeaderExample) {
  json_writer w;
  w.begin_object().key("type").value("idea").key("n").value(3).end_object();
  EXPECT_EQ(w.str(), R"({"type":"idea","n":3})");
}

TEST(JsonWriter, KeysKeepTheirOrder) {
  json_writer w;
  w.begin_object().key("z").value(1).key("a").value(2).key("m").value(3).end_object();
  EXPECT_EQ(w.str(), R"({"z":1,"a":2,"m":3})");
}

TEST(JsonWriter, Nested) {
  json_writer w;
  w.begin_object()
      .key("a")
      .begin_array()
      .value(1)
      .value("x")
      .begin_object()
      .end_object()
      .begin_array()
      .end_array()
      .end_array()
      .key("b")
      .null()
      .key("c")
      .begin_object()
      .key("d")
      .value(true)
      .key("e")
      .value(false)
      .end_object()
      .end_object();
  EXPECT_EQ(w.str(), R"({"a":[1,"x",{},[]],"b":null,"c":{"d":true,"e":false}})");
  EXPECT_TRUE(nlohmann::json::parse(w.str()).is_object());
}

TEST(JsonWriter, ClearStartsAfresh) {
  json_writer w;
  w.begin_object().key("a").value(1).end_object();
  w.clear();
  w.begin_array().value(2).end_array();
  EXPECT_EQ(w.str(), "[2]");
}

TEST(JsonWriter, StringOrNullAndRaw) {
  json_writer w;
  w.begin_object().key("a").string_or_null("").key("b").string_or_null("x");
  w.key("c").raw(R"({"k":[1,2]})").end_object();
  EXPECT_EQ(w.str(), R"({"a":null,"b":"x","c":{"k":[1,2]}})");
}

TEST(JsonWriter, Integers) {
  json_writer w;
  w.begin_array().value(0).value(-42).value(LLONG_MAX).value(LLONG_MIN).value(std::size_t{7});
  w.end_array();
  EXPECT_EQ(w.str(), "[0,-42,9223372036854775807,-9223372036854775808,7]");
}

TEST(JsonWriter, DoublesAreShortestThatRoundTrip) {
  EXPECT_EQ(number(0.1), "0.1");
  EXPECT_EQ(number(1.5), "1.5");
  EXPECT_EQ(number(3.0), "3");
  EXPECT_EQ(number(-2.0), "-2");
  EXPECT_EQ(number(4.35), "4.35");
  EXPECT_EQ(number(1.0 / 3.0), "0.3333333333333333");
  EXPECT_EQ(number(2.0 / 3.0), "0.6666666666666666");
  EXPECT_EQ(number(123456.789), "123456.789");
  for (double d : {0.1, 0.2 + 0.1, 1e-7, 2.5e-8, 1e300, -1.7976931348623157e308, 5e-324,
                   3.14159265358979, 1e15, 1e16 + 2, 123456789.123}) {
    std::string s = number(d);
    EXPECT_EQ(std::strtod(s.c_str(), nullptr), d) << s;
    auto parsed = nlohmann::json::parse(s);
    EXPECT_TRUE(parsed.is_number()) << s;
  }
  EXPECT_EQ(number(0.30000000000000004), "0.30000000000000004");
}

TEST(JsonWriter, NonFiniteDoublesAreNull) {
  EXPECT_EQ(number(std::numeric_limits<double>::quiet_NaN()), "null");
  EXPECT_EQ(number(std::numeric_limits<double>::infinity()), "null");
  EXPECT_EQ(number(-std::numeric_limits<double>::infinity()), "null");
}

// ---------------------------------------------------------------------------------------------
// append_json_string

TEST(JsonString, QuotesAndBackslash) {
  EXPECT_EQ(json_quoted("say \"hi\""), R"("say \"hi\"")");
  EXPECT_EQ(json_quoted("C:\\dir\\file"), R"("C:\\dir\\file")");
  EXPECT_EQ(json_quoted(""), R"("")");
  EXPECT_EQ(json_quoted("/path/"), R"("/path/")");
}

TEST(JsonString, ControlCharacters) {
  EXPECT_EQ(json_quoted("a\nb\tc\rd\be\ff"), R"("a\nb\tc\rd\be\ff")");
  EXPECT_EQ(json_quoted(std::string_view("\x01", 1)), R"("\u0001")");
  EXPECT_EQ(json_quoted(std::string_view("\x1f", 1)), R"("\u001f")");
  EXPECT_EQ(json_quoted(std::string_view("a\0b", 3)), R"("a\u0000b")");
  EXPECT_EQ(json_quoted("\x7f"), "\"\x7f\"");  // DEL needs no escape in JSON
}

TEST(JsonString, LineAndParagraphSeparatorsAreEscaped) {
  EXPECT_EQ(json_quoted("a\u2028b\u2029c"), R"("a\u2028b\u2029c")");
}

TEST(JsonString, ValidUtf8PassesThrough) {
  EXPECT_EQ(json_quoted("caf\u00e9 \u20ac \u5de5 \U0001F600"),
            "\"caf\u00e9 \u20ac \u5de5 \U0001F600\"");
}

TEST(JsonString, InvalidUtf8BecomesReplacementCharacter) {
  EXPECT_EQ(json_quoted("caf\xE9!"), "\"caf\uFFFD!\"");
  EXPECT_EQ(json_quoted("\xFF"), "\"\uFFFD\"");
  EXPECT_EQ(json_quoted("\xC0\xAF"), "\"\uFFFD\uFFFD\"");            // overlong '/'
  EXPECT_EQ(json_quoted("\xED\xA0\x80"), "\"\uFFFD\uFFFD\uFFFD\"");  // a surrogate
  std::string cut = json_quoted("end\xE2\x82");
  EXPECT_TRUE(nlohmann::json::accept(cut)) << cut;
  EXPECT_EQ(cut.rfind("\"end\uFFFD", 0), 0u);
}

// Escapes must be found wherever they fall relative to the eight-byte fast path.
TEST(JsonString, EscapesAtEveryOffset) {
  const std::string specials[] = {"\"",     "\\",   "\n",    std::string(1, '\x01'),
                                  "\u00e9", "\xE9", "\u2028"};
  for (const auto& sp : specials) {
    for (std::size_t at = 0; at < 24; ++at) {
      std::string s = std::string(at, 'a') + sp + std::string(19, 'b');
      std::string out = json_quoted(s);
      nlohmann::json parsed;
      ASSERT_NO_THROW(parsed = nlohmann::json::parse(out)) << out;
      std::string back = parsed.get<std::string>();
      std::string want = sp == "\xE9" ? std::string(at, 'a') + "\uFFFD" + std::string(19, 'b') : s;
      EXPECT_EQ(back, want) << "offset " << at;
    }
  }
}

TEST(JsonString, AgreesWithNlohmannOnAsciiAndControls) {
  std::string all;
  for (int c = 1; c < 128; ++c) all.push_back(static_cast<char>(c));
  EXPECT_EQ(json_quoted(all), nlohmann::json(all).dump());
}

TEST(JsonWriter, ValuesAreEscapedToo) {
  json_writer w;
  w.begin_object().key("k\"ey").value("v\nal\xFF").end_object();
  EXPECT_EQ(w.str(), "{\"k\\\"ey\":\"v\\nal\uFFFD\"}");
}

}  // namespace
}  // namespace ml
