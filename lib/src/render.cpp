// SPDX-License-Identifier: Apache-2.0
// Escaping and file names for what people read: see render.hpp.
#include "ml/render.hpp"

#include <unicode/uchar.h>

#include <array>
#include <cctype>

#include "ml/text.hpp"
#include "ml/utf8.hpp"

namespace ml {

namespace {

/// Decodes the code point at `i` of valid UTF-8 (repaired beforehand) and moves past it.
UChar32 next_cp(std::string_view s, std::size_t& i) {
  auto b = static_cast<unsigned char>(s[i]);
  std::size_t len = b < 0x80 ? 1 : b < 0xE0 ? 2 : b < 0xF0 ? 3 : 4;
  if (i + len > s.size()) {
    i = s.size();
    return -1;
  }
  UChar32 c = len == 1 ? b : len == 2 ? (b & 0x1F) : len == 3 ? (b & 0x0F) : (b & 0x07);
  for (std::size_t k = 1; k < len; ++k)
    c = (c << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3F);
  i += len;
  return c;
}

}  // namespace

std::string display_text(std::string_view in, bool keep_newlines) {
  std::string repaired;
  if (utf8_find_invalid(in) != std::string_view::npos) {
    repaired = utf8_repair(in);
    in = repaired;
  }
  std::string out;
  out.reserve(in.size());
  const char* s = in.data();
  const std::size_t n = in.size();
  std::size_t i = 0;
  while (i < n) {
    std::size_t start = i;
    UChar32 c = next_cp(in, i);
    if (c < 0) {
      out += "\xEF\xBF\xBD";
    } else if (c == '\r') {
      if (i < n && s[i] == '\n') ++i;
      out += keep_newlines ? '\n' : ' ';
    } else if (c == '\n') {
      out += keep_newlines ? '\n' : ' ';
    } else if (c < 0x20 || c == 0x7F || (c >= 0x80 && c < 0xA0)) {
      out += ' ';
    } else if (is_bidi_control(static_cast<char32_t>(c))) {
      // dropped
    } else {
      out.append(s + start, i - start);
    }
  }
  return out;
}

std::string html_escape(std::string_view s) {
  std::string t = display_text(s, true);
  std::string out;
  out.reserve(t.size() + t.size() / 8);
  for (char c : t) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      case '\'': out += "&#39;"; break;
      default: out += c;
    }
  }
  return out;
}

std::string markdown_escape(std::string_view s) {
  std::string t = display_text(s, false);
  std::string out;
  out.reserve(t.size() + t.size() / 8);
  for (char c : t) {
    switch (c) {
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '&': out += "&amp;"; break;
      case '\\': case '*': case '_': case '`': case '[': case ']': case '|': case '~':
        out += '\\';
        out += c;
        break;
      default: out += c;
    }
  }
  // What starts a block at the beginning of a line: a heading, a list item, a setext
  // underline, or an ordered-list number.
  std::size_t lead = out.find_first_not_of(' ');
  if (lead != std::string::npos) {
    char c = out[lead];
    std::size_t digits = out.find_first_not_of("0123456789", lead);
    if (c == '#' || c == '+' || c == '-' || c == '=') {
      out.insert(lead, 1, '\\');
    } else if (digits != lead && digits != std::string::npos &&
               (out[digits] == '.' || out[digits] == ')')) {
      out.insert(digits, 1, '\\');
    }
  }
  return out;
}

std::string csv_field(std::string_view s) {
  std::string t = display_text(s, true);
  if (!t.empty() && (t[0] == '=' || t[0] == '+' || t[0] == '-' || t[0] == '@' ||
                     t[0] == '\t' || t[0] == '\r'))
    t.insert(t.begin(), '\'');
  if (t.find_first_of(",\"\n\r") == std::string::npos) return t;
  std::string out = "\"";
  for (char c : t) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
  return out;
}

std::string safe_file_stem(std::string_view name) {
  std::string repaired;
  if (utf8_find_invalid(name) != std::string_view::npos) {
    repaired = utf8_repair(name);
    name = repaired;
  }
  std::string out;
  bool dash = false;
  const char* s = name.data();
  const std::size_t n = name.size();
  std::size_t i = 0;
  while (i < n) {
    std::size_t start = i;
    UChar32 c = next_cp(name, i);
    bool keep = c >= 0 && c != 0xFFFD && (u_isalnum(c) != 0 || c == '_');
    if (keep) {
      if (dash && !out.empty()) out += '-';
      dash = false;
      if (out.size() + (i - start) > 60) break;
      out.append(s + start, i - start);
    } else {
      dash = true;
    }
  }
  if (out.empty()) return "unit";
  static constexpr std::array<std::string_view, 4> reserved = {"con", "prn", "aux", "nul"};
  std::string lower = ascii_lower(out);
  bool is_reserved = false;
  for (auto r : reserved)
    if (lower == r) is_reserved = true;
  if (lower.size() == 4 && (lower.starts_with("com") || lower.starts_with("lpt")) &&
      lower[3] >= '1' && lower[3] <= '9')
    is_reserved = true;
  if (is_reserved) out += '_';
  return out;
}

file_stems::file_stems(std::initializer_list<std::string_view> reserved) {
  for (auto r : reserved) taken_.insert(ascii_lower(r));
}

std::string file_stems::make(std::string_view name) {
  std::string stem = safe_file_stem(name);
  std::string candidate = stem;
  for (int k = 2; !taken_.insert(ascii_lower(candidate)).second; ++k)
    candidate = stem + "-" + std::to_string(k);
  return candidate;
}

}  // namespace ml
