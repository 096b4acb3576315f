// SPDX-License-Identifier: Apache-2.0
// Timestamps as survey platforms write them, turned into ISO 8601.
#pragma once

#include <string>
#include <string_view>

namespace ml {

/// Parses a timestamp and returns it in ISO 8601 ("2024-03-05T16:27:32-05:00",
/// "2024-03-05T16:27:32Z", "2024-03-05T16:27:32" when the zone is unknown, "2024-03-05" for a
/// date alone), or "" when `s` is not a timestamp. Understands ISO 8601 and RFC 3339,
/// "YYYY/MM/DD h:mm:ss AM GMT-5" (Google Forms), "M/D/YYYY H:MM[:SS] [AM|PM]" (US exports;
/// D/M/YYYY when the first number is over 12), "D.M.YYYY H:MM" (European), fractional
/// seconds, "UTC"/"GMT"/"Z" and numeric offsets, and Unix epoch seconds (10 digits) or
/// milliseconds (13 digits, as Pol.is writes), which are UTC.
/// `day_first` reads "4/3/2024" as 4 March (a column whose other values show day-first order).
std::string parse_time(std::string_view s, bool day_first = false);
/// parse_time into `out` (its memory reused: once per row of an export); false, and `out`
/// empty, when `s` is not a time.
bool parse_time_into(std::string& out, std::string_view s, bool day_first = false);

/// True if a slash or dot date in `s` can only be day-first ("15/3/2024").
bool looks_day_first(std::string_view s);

/// Days since 1970-01-01 of today, in UTC.
long long today_utc();

/// The value of a date option (--start, --due, --as-of) as days since 1970-01-01: exactly
/// YYYY-MM-DD and a day of the calendar. Throws ml::error 64 naming `option` otherwise.
long long date_option(const std::string& value, const char* option);

/// Formats days since 1970-01-01 as "YYYY-MM-DD".
std::string format_date(long long days);

/// Days since 1970-01-01 of a civil date (proleptic Gregorian).
long long days_from_civil(long long y, unsigned m, unsigned d);

}  // namespace ml
