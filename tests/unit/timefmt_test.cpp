// SPDX-License-Identifier: Apache-2.0
// Unit tests for ml/timefmt.hpp: timestamps as survey platforms write them, turned into
// ISO 8601, and values that are not timestamps left alone.
#include "ml/timefmt.hpp"

#include <gtest/gtest.h>

namespace ml {
namespace {

TEST(ParseTime, Iso8601AndRfc3339) {
  EXPECT_EQ(parse_time("2024-03-05T16:27:32Z"), "2024-03-05T16:27:32Z");
  EXPECT_EQ(parse_time("2024-03-05T16:27:32-05:00"), "2024-03-05T16:27:32-05:00");
  EXPECT_EQ(parse_time("2024-03-05T16:27:32+05:30"), "2024-03-05T16:27:32+05:30");
  EXPECT_EQ(parse_time("2024-03-05 16:27:32"), "2024-03-05T16:27:32");
  EXPECT_EQ(parse_time("2024-03-05t16:27:32z"), "2024-03-05T16:27:32Z");
  EXPECT_EQ(parse_time("2024-03-05T16:27"), "2024-03-05T16:27:00");
  EXPECT_EQ(parse_time("  2024-03-05T16:27:32Z  "), "2024-03-05T16:27:32Z");
}

TEST(ParseTime, DateAlone) {
  EXPECT_EQ(parse_time("2024-03-05"), "2024-03-05");
  EXPECT_EQ(parse_time("2024/03/05"), "2024-03-05");
  EXPECT_EQ(parse_time("3/5/2024"), "2024-03-05");
}

TEST(ParseTime, FractionalSeconds) {
  EXPECT_EQ(parse_time("2024-03-05T16:27:32.123456Z"), "2024-03-05T16:27:32.123Z");
  EXPECT_EQ(parse_time("2024-03-05 16:27:32.5"), "2024-03-05T16:27:32.500");
  EXPECT_EQ(parse_time("2024-03-05T16:27:32,25+01:00"), "2024-03-05T16:27:32.250+01:00");
}

TEST(ParseTime, GoogleForms) {
  EXPECT_EQ(parse_time("2024/03/05 4:27:32 PM GMT-5"), "2024-03-05T16:27:32-05:00");
  EXPECT_EQ(parse_time("2024/03/05 9:01:02 am GMT+1"), "2024-03-05T09:01:02+01:00");
  EXPECT_EQ(parse_time("2024/03/05 4:27:32 PM GMT"), "2024-03-05T16:27:32Z");
  EXPECT_EQ(parse_time("2024/03/05 4:27:32 PM GMT+5:30"), "2024-03-05T16:27:32+05:30");
}

TEST(ParseTime, UsMonthFirst) {
  EXPECT_EQ(parse_time("3/5/2024 16:27:32"), "2024-03-05T16:27:32");
  EXPECT_EQ(parse_time("3/5/2024 4:27 PM"), "2024-03-05T16:27:00");
  EXPECT_EQ(parse_time("12/31/2023 11:59:59 PM"), "2023-12-31T23:59:59");
  EXPECT_EQ(parse_time("3/5/24 9:00"), "2024-03-05T09:00:00");
}

TEST(ParseTime, DayFirstWhenTheFirstNumberIsOver12) {
  EXPECT_EQ(parse_time("25/12/2023 9:00"), "2023-12-25T09:00:00");
  EXPECT_EQ(parse_time("13/1/2024"), "2024-01-13");
}

TEST(ParseTime, European) {
  EXPECT_EQ(parse_time("5.3.2024 16:27"), "2024-03-05T16:27:00");
  EXPECT_EQ(parse_time("05.03.2024 16:27:05"), "2024-03-05T16:27:05");
  EXPECT_EQ(parse_time("31.12.2023"), "2023-12-31");
}

TEST(ParseTime, AmPmEdges) {
  EXPECT_EQ(parse_time("1/2/2024 12:00 AM"), "2024-01-02T00:00:00");
  EXPECT_EQ(parse_time("1/2/2024 12:30:15 am"), "2024-01-02T00:30:15");
  EXPECT_EQ(parse_time("1/2/2024 12:00 PM"), "2024-01-02T12:00:00");
  EXPECT_EQ(parse_time("1/2/2024 12:45 pm"), "2024-01-02T12:45:00");
  EXPECT_EQ(parse_time("1/2/2024 1:00 AM"), "2024-01-02T01:00:00");
  EXPECT_EQ(parse_time("1/2/2024 11:59 PM"), "2024-01-02T23:59:00");
}

TEST(ParseTime, NamedZonesAndOffsets) {
  EXPECT_EQ(parse_time("2024-03-05 16:27:32 UTC"), "2024-03-05T16:27:32Z");
  EXPECT_EQ(parse_time("2024-03-05 16:27:32 GMT"), "2024-03-05T16:27:32Z");
  EXPECT_EQ(parse_time("2024-03-05 16:27:32 +0200"), "2024-03-05T16:27:32+02:00");
  EXPECT_EQ(parse_time("2024-03-05 16:27:32 -0800"), "2024-03-05T16:27:32-08:00");
  EXPECT_EQ(parse_time("2024-03-05T16:27:32+00:00"), "2024-03-05T16:27:32Z");
  EXPECT_EQ(parse_time("2024-03-05 16:27:32 UTC+2"), "2024-03-05T16:27:32+02:00");
}

TEST(ParseTime, EpochSecondsAndMilliseconds) {
  EXPECT_EQ(parse_time("1709655952"), "2024-03-05T16:25:52Z");
  EXPECT_EQ(parse_time("1709655952123"), "2024-03-05T16:25:52.123Z");
  EXPECT_EQ(parse_time("1709655952000"), "2024-03-05T16:25:52Z");
  EXPECT_EQ(parse_time("0000000000"), "1970-01-01T00:00:00Z");
}

// parse_time_into reuses the caller's string row after row: whatever it held before, it
// ends with the time, or empty when there is none (also after a partial parse).
TEST(ParseTime, IntoReusesTheStringAndClearsItOnFailure) {
  std::string out = "left over from the last row, longer than any time";
  EXPECT_TRUE(parse_time_into(out, "2024/03/04 9:00:00 AM GMT-5"));
  EXPECT_EQ(out, "2024-03-04T09:00:00-05:00");
  EXPECT_TRUE(parse_time_into(out, "2024-03-05"));
  EXPECT_EQ(out, "2024-03-05");
  EXPECT_TRUE(parse_time_into(out, "2024-03-05 16:27:32 UTC"));
  EXPECT_EQ(out, "2024-03-05T16:27:32Z");
  EXPECT_TRUE(parse_time_into(out, "1709655952"));
  EXPECT_EQ(out, "2024-03-05T16:25:52Z");
  for (const char* bad : {"2024-03-05 25:00", "2024-03-05 16:27:32 +99", "2024-03-05 10:00 zz",
                          "2024-03-05 10:00 Z x", "2024-02-30", "soon"}) {
    out = "2024-03-05T16:27:32Z";
    EXPECT_FALSE(parse_time_into(out, bad)) << bad;
    EXPECT_EQ(out, "") << bad;
    EXPECT_EQ(parse_time(bad), "") << bad;
  }
}

TEST(ParseTime, InvalidDates) {
  EXPECT_EQ(parse_time("2024-02-30"), "");
  EXPECT_EQ(parse_time("2023-02-29"), "");
  EXPECT_EQ(parse_time("2024-02-29"), "2024-02-29");
  EXPECT_EQ(parse_time("1900-02-29"), "");
  EXPECT_EQ(parse_time("2000-02-29"), "2000-02-29");
  EXPECT_EQ(parse_time("2024-13-01"), "");
  EXPECT_EQ(parse_time("2024-00-10"), "");
  EXPECT_EQ(parse_time("2024-04-31"), "");
  EXPECT_EQ(parse_time("13/13/2024"), "");
  EXPECT_EQ(parse_time("2/30/2024 10:00"), "");
}

TEST(ParseTime, InvalidTimes) {
  EXPECT_EQ(parse_time("2024-03-05 25:00"), "");
  EXPECT_EQ(parse_time("2024-03-05 10:60"), "");
  EXPECT_EQ(parse_time("2024-03-05 10:5"), "");
  EXPECT_EQ(parse_time("2024-03-05 16:27:32 +99"), "");
  EXPECT_EQ(parse_time("2024-03-05T16:27:32Zjunk"), "");
}

TEST(ParseTime, NotTimestamps) {
  EXPECT_EQ(parse_time(""), "");
  EXPECT_EQ(parse_time("   "), "");
  EXPECT_EQ(parse_time("3-5 years"), "");
  EXPECT_EQ(parse_time("2"), "");
  EXPECT_EQ(parse_time("hello"), "");
  EXPECT_EQ(parse_time("12345"), "");
  EXPECT_EQ(parse_time("1-2-3"), "");
  EXPECT_EQ(parse_time("4.5"), "");
  EXPECT_EQ(parse_time("10/10"), "");
  EXPECT_EQ(parse_time("555-123-4567"), "");
  EXPECT_EQ(parse_time("2024-03-05 and more words"), "");
  EXPECT_EQ(parse_time("More staff on weekends"), "");
}

TEST(CivilDates, DaysFromCivilAndBack) {
  EXPECT_EQ(days_from_civil(1970, 1, 1), 0);
  EXPECT_EQ(days_from_civil(2024, 3, 5), 19787);
  EXPECT_EQ(days_from_civil(2000, 2, 29), 11016);
  EXPECT_EQ(days_from_civil(1969, 12, 31), -1);
  EXPECT_EQ(format_date(0), "1970-01-01");
  EXPECT_EQ(format_date(19787), "2024-03-05");
  EXPECT_EQ(format_date(11016), "2000-02-29");
  EXPECT_EQ(format_date(-1), "1969-12-31");
  for (long long d = -800; d < 80000; d += 37) EXPECT_EQ(format_date(d).size(), 10u);
  for (unsigned m = 1; m <= 12; ++m) {
    long long d = days_from_civil(2023, m, 15);
    EXPECT_EQ(format_date(d), "2023-" + std::string(m < 10 ? "0" : "") + std::to_string(m) + "-15");
  }
}

}  // namespace
}  // namespace ml
