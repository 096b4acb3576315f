// SPDX-License-Identifier: Apache-2.0
#include "ml/timefmt.hpp"

#include <cctype>
#include <chrono>
#include <cstdio>
#include <fmt/format.h>

#include "ml/error.hpp"
#include "ml/text.hpp"

namespace ml {

long long days_from_civil(long long y, unsigned m, unsigned d) {
  y -= m <= 2;
  const long long era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<long long>(doe) - 719468;
}

std::string format_date(long long z) {
  z += 719468;
  const long long era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const long long y = static_cast<long long>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  return fmt::format("{:04d}-{:02d}-{:02d}", y + (m <= 2), m, d);
}

namespace {

// ASCII lowercase without the C locale's tolower (a call per byte).
constexpr char ascii_fold(char c) noexcept { return c >= 'A' && c <= 'Z' ? static_cast<char>(c | 0x20) : c; }

struct cursor {
  std::string_view s;
  std::size_t i = 0;
  bool done() const { return i >= s.size(); }
  char peek() const { return done() ? '\0' : s[i]; }
  bool digit() const { return !done() && std::isdigit(static_cast<unsigned char>(s[i])); }
  int number(int* ndigits = nullptr) {
    int v = 0, n = 0;
    while (digit() && n < 9) {
      v = v * 10 + (s[i] - '0');
      ++i;
      ++n;
    }
    if (ndigits) *ndigits = n;
    return v;
  }
  void spaces() {
    while (!done() && (s[i] == ' ' || s[i] == ',')) ++i;
  }
  bool word(std::string_view w) {
    if (s.size() - i < w.size()) return false;
    for (std::size_t k = 0; k < w.size(); ++k)
      if (ascii_fold(s[i + k]) != w[k]) return false;
    i += w.size();
    return true;
  }
};

bool valid_date(int y, int m, int d) {
  if (y < 1900 || y > 2200 || m < 1 || m > 12 || d < 1) return false;
  static const int mdays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (d > mdays[m - 1]) return false;
  if (m == 2 && d == 29 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0)) return false;
  return true;
}

std::string from_epoch(long long secs, int millis) {
  long long days = secs / 86400, rem = secs % 86400;
  if (rem < 0) {
    rem += 86400;
    --days;
  }
  std::string out = fmt::format("{}T{:02d}:{:02d}:{:02d}", format_date(days), rem / 3600,
                                (rem / 60) % 60, rem % 60);
  if (millis > 0) out += fmt::format(".{:03d}", millis);
  return out + "Z";
}

}  // namespace

bool looks_day_first(std::string_view raw) {
  std::string_view s = trim(raw);
  std::size_t i = 0;
  int a = 0, n = 0;
  while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])) && n < 3) {
    a = a * 10 + (s[i] - '0');
    ++i;
    ++n;
  }
  return n >= 1 && n <= 2 && i < s.size() && (s[i] == '/' || s[i] == '.') && a > 12 && a <= 31;
}

namespace {
// An ISO 8601 time being written: "2024-03-04T09:00:00.000+05:30" is 29 bytes.
struct time_text {
  char b[40];
  int n = 0;
  void put(char ch) { b[n++] = ch; }
  // v (>= 0) with at least `width` digits, zero-padded, as fmt's {:0Nd} would.
  void digits(int v, int width) {
    if (width == 2 && v >= 0 && v < 100) {
      b[n] = static_cast<char>('0' + v / 10);
      b[n + 1] = static_cast<char>('0' + v % 10);
      n += 2;
      return;
    }
    if (width == 4 && v >= 0 && v < 10000) {
      b[n] = static_cast<char>('0' + v / 1000);
      b[n + 1] = static_cast<char>('0' + v / 100 % 10);
      b[n + 2] = static_cast<char>('0' + v / 10 % 10);
      b[n + 3] = static_cast<char>('0' + v % 10);
      n += 4;
      return;
    }
    char t[12];
    int k = 0;
    do {
      t[k++] = static_cast<char>('0' + v % 10);
      v /= 10;
    } while (v > 0 && k < 11);
    while (k < width) t[k++] = '0';
    while (k > 0) b[n++] = t[--k];
  }
  bool to(std::string& out) const {
    out.assign(b, static_cast<std::size_t>(n));
    return true;
  }
};

}  // namespace

bool parse_time_into(std::string& out, std::string_view raw, bool day_first) {
  out.clear();
  auto fail = [&] {
    out.clear();
    return false;
  };
  std::string_view s = trim(raw);
  if (s.empty() || s.size() > 64) return fail();
  bool all_digits = true;
  for (char c : s)
    if (!std::isdigit(static_cast<unsigned char>(c))) all_digits = false;
  if (all_digits) {
    if (s.size() == 13) {
      long long ms = std::stoll(std::string(s));
      out = from_epoch(ms / 1000, static_cast<int>(ms % 1000));
      return !out.empty();
    }
    if (s.size() == 10) {
      out = from_epoch(std::stoll(std::string(s)), 0);
      return !out.empty();
    }
    return fail();
  }
  cursor c{s};
  int n1d = 0, n2d = 0, n3d = 0;
  int a = c.number(&n1d);
  if (n1d == 0) return fail();
  char sep = c.peek();
  if (sep != '-' && sep != '/' && sep != '.') return fail();
  ++c.i;
  int b = c.number(&n2d);
  if (n2d == 0 || c.peek() != sep) return fail();
  ++c.i;
  int cc = c.number(&n3d);
  if (n3d == 0) return fail();
  int y, m, d;
  if (n1d == 4) {
    y = a, m = b, d = cc;
  } else if (n3d == 4 || n3d == 2) {
    y = n3d == 2 ? 2000 + cc : cc;
    if (sep == '.' || a > 12 || (day_first && b <= 12)) {
      d = a, m = b;
    } else {
      m = a, d = b;
    }
  } else {
    return fail();
  }
  if (!valid_date(y, m, d)) return fail();
  // Built by hand, not with fmt, in a buffer copied to the caller's string once: this runs
  // once per row.
  time_text o;
  o.digits(y, 4);
  o.put('-');
  o.digits(m, 2);
  o.put('-');
  o.digits(d, 2);
  if (c.peek() == 'T' || c.peek() == 't')
    ++c.i;
  else
    c.spaces();
  if (c.done()) return o.to(out);
  int hd = 0;
  int hh = c.number(&hd);
  if (hd == 0 || hd > 2 || c.peek() != ':') return fail();
  ++c.i;
  int mmd = 0;
  int mm = c.number(&mmd);
  if (mmd != 2) return fail();
  int ss = 0;
  std::string frac;
  if (c.peek() == ':') {
    ++c.i;
    int sd = 0;
    ss = c.number(&sd);
    if (sd != 2) return fail();
    if (c.peek() == '.' || c.peek() == ',') {
      ++c.i;
      std::size_t start = c.i;
      while (c.digit()) ++c.i;
      frac = std::string(s.substr(start, std::min<std::size_t>(c.i - start, 3)));
      while (frac.size() < 3 && !frac.empty()) frac.push_back('0');
    }
  }
  c.spaces();
  if (c.word("am")) {
    if (hh == 12) hh = 0;
  } else if (c.word("pm")) {
    if (hh < 12) hh += 12;
  }
  if (hh > 23 || mm > 59 || ss > 60) return fail();
  o.put('T');
  o.digits(hh, 2);
  o.put(':');
  o.digits(mm, 2);
  o.put(':');
  o.digits(ss, 2);
  if (!frac.empty()) {
    o.put('.');
    for (char f : frac) o.put(f);
  }
  c.spaces();
  if (c.done()) return o.to(out);
  if (c.word("z")) {
    if (!c.done()) return fail();
    o.put('Z');
    return o.to(out);
  }
  bool named = c.word("gmt") || c.word("utc");
  if (named && c.done()) {
    o.put('Z');
    return o.to(out);
  }
  char sign = c.peek();
  if (sign != '+' && sign != '-') return named ? o.to(out) : fail();
  ++c.i;
  int od = 0;
  int oh = c.number(&od), om = 0;
  if (od == 4) {
    om = oh % 100;
    oh /= 100;
  } else if (od >= 1 && od <= 2) {
    if (c.peek() == ':') {
      ++c.i;
      int omd = 0;
      om = c.number(&omd);
      if (omd != 2) return fail();
    }
  } else {
    return fail();
  }
  if (!c.done() || oh > 14 || om > 59) return fail();
  if (oh == 0 && om == 0) {
    o.put('Z');
    return o.to(out);
  }
  o.put(sign);
  o.digits(oh, 2);
  o.put(':');
  o.digits(om, 2);
  return o.to(out);
}

std::string parse_time(std::string_view raw, bool day_first) {
  std::string out;
  parse_time_into(out, raw, day_first);
  return out;
}

long long today_utc() {
  using namespace std::chrono;
  return duration_cast<days>(system_clock::now().time_since_epoch()).count();
}

long long date_option(const std::string& s, const char* option) {
  unsigned y = 0, m = 0, dd = 0;
  char extra = 0;
  if (s.size() != 10 || std::sscanf(s.c_str(), "%4u-%2u-%2u%c", &y, &m, &dd, &extra) != 3 ||
      s[4] != '-' || s[7] != '-' || m < 1 || m > 12 || dd < 1 || y < 1900 || y > 9999)
    throw usage_error(fmt::format("{} '{}' is not a date; give it as YYYY-MM-DD, e.g. 2026-03-02",
                                  option, s));
  long long days = days_from_civil(y, m, dd);
  if (format_date(days) != s)
    throw usage_error(fmt::format("{} '{}' is not a date in the calendar", option, s));
  return days;
}

}  // namespace ml
