// SPDX-License-Identifier: Apache-2.0
// XLSX reader: opens the zip with libzip, follows the workbook's relationships to one sheet and
// turns its cells into text (shared strings, inline strings, numbers, booleans, errors, dates).
#include "ml/xlsx.hpp"

#include <fmt/format.h>
#include <zip.h>

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <map>
#include <optional>
#include <pugixml.hpp>
#include <string>
#include <string_view>
#include <system_error>
#include <utility>
#include <vector>

#include "ml/error.hpp"

namespace ml {

namespace {

/// What a cell's number format says about its value.
enum class number_kind { plain, date, time, date_time };

/// Classifies a number format code: date and time tokens (y, m, d, h, s, AM/PM) outside quoted
/// text, [brackets] and escapes. Only the first section (positive numbers) counts.
number_kind classify_format_code(std::string_view code) {
  bool y = false, m = false, d = false, h = false, s = false;
  for (std::size_t i = 0; i < code.size(); ++i) {
    const char c = code[i];
    if (c == ';') break;
    if (c == '"') {
      const auto end = code.find('"', i + 1);
      if (end == std::string_view::npos) break;
      i = end;
      continue;
    }
    if (c == '[') {
      const auto end = code.find(']', i + 1);
      if (end == std::string_view::npos) break;
      // [h], [mm], [ss]: elapsed time, which is still a time format.
      const auto inner = code.substr(i + 1, end - i - 1);
      if (!inner.empty() && std::all_of(inner.begin(), inner.end(), [](char k) {
            return k == 'h' || k == 'H' || k == 'm' || k == 'M' || k == 's' || k == 'S';
          })) {
        h = true;
      }
      i = end;
      continue;
    }
    if (c == '\\' || c == '_' || c == '*') {  // escaped char, padding, fill: skip the next char
      ++i;
      continue;
    }
    const auto rest = code.substr(i);
    auto starts_nocase = [&](std::string_view word) {
      if (rest.size() < word.size()) return false;
      for (std::size_t k = 0; k < word.size(); ++k) {
        char a = rest[k];
        if (a >= 'a' && a <= 'z') a = static_cast<char>(a - 'a' + 'A');
        if (a != word[k]) return false;
      }
      return true;
    };
    if (starts_nocase("AM/PM")) {
      h = true;
      i += 4;
      continue;
    }
    if (starts_nocase("A/P")) {
      h = true;
      i += 2;
      continue;
    }
    switch (c) {
      case 'y':
      case 'Y':
        y = true;
        break;
      case 'm':
      case 'M':
        m = true;
        break;
      case 'd':
      case 'D':
        d = true;
        break;
      case 'h':
      case 'H':
        h = true;
        break;
      case 's':
      case 'S':
        s = true;
        break;
      default:
        break;
    }
  }
  const bool has_time = h || s;
  // "m" is minutes next to hours or seconds, and months otherwise.
  const bool has_date = y || d || (m && !has_time);
  if (has_date && has_time) return number_kind::date_time;
  if (has_date) return number_kind::date;
  if (has_time) return number_kind::time;
  return number_kind::plain;
}

/// The built-in formats ECMA-376 defines as dates and times (ids 14-22, 45-47).
number_kind classify_builtin_format(long id) {
  if (id >= 14 && id <= 17) return number_kind::date;
  if ((id >= 18 && id <= 21) || (id >= 45 && id <= 47)) return number_kind::time;
  if (id == 22) return number_kind::date_time;
  return number_kind::plain;
}

/// Shortest text that reads back as `v`: "3", "2.5", "0.1", "1.5e-07".
std::string format_number(double v) {
  if (v == 0) return "0";  // also -0
  const double a = std::fabs(v);
  if (a < 1e16 && v == std::trunc(v)) return fmt::format("{:.0f}", v);
  std::array<char, 400> buf{};
  const auto fmt_kind =
      (a >= 1e-5 && a < 1e16) ? std::chars_format::fixed : std::chars_format::scientific;
  const auto res = std::to_chars(buf.data(), buf.data() + buf.size(), v, fmt_kind);
  if (res.ec != std::errc{}) return fmt::format("{}", v);
  return std::string(buf.data(), res.ptr);
}

/// A serial date (days since the epoch of the date system) as ISO 8601, or nothing when it
/// has no calendar date (negative, past 9999, or the 1900-02-29 that Excel invented).
std::optional<std::string> format_serial_date(double serial, number_kind kind, bool date1904) {
  if (!std::isfinite(serial) || serial < 0 || serial > 2958466.0) return std::nullopt;
  const long long total = std::llround(serial * 86400.0);
  const long long day = total / 86400;
  const long long secs = total % 86400;
  const auto hms = fmt::format("{:02}:{:02}:{:02}", secs / 3600, secs / 60 % 60, secs % 60);
  if (kind == number_kind::time && day == 0) return hms;
  // Days since 1970-01-01. Excel's 1900 system counts a 1900-02-29 (serial 60) that never was.
  long long z;
  if (date1904) {
    z = day - 24107;
  } else if (day == 60) {
    return std::nullopt;
  } else {
    z = day < 60 ? day - 25568 : day - 25569;
  }
  // Howard Hinnant's civil_from_days.
  z += 719468;
  const long long era = (z >= 0 ? z : z - 146096) / 146097;
  const long long doe = z - era * 146097;
  const long long yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  long long year = yoe + era * 400;
  const long long doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const long long mp = (5 * doy + 2) / 153;
  const long long dd = doy - (153 * mp + 2) / 5 + 1;
  const long long mm = mp < 10 ? mp + 3 : mp - 9;
  if (mm <= 2) ++year;
  if (year > 9999) return std::nullopt;
  const auto date = fmt::format("{:04}-{:02}-{:02}", year, mm, dd);
  if (kind == number_kind::date && secs == 0) return date;
  return date + "T" + hms;
}

/// Column letters for a 1-based column number: 1 -> "A", 28 -> "AB".
std::string column_name(long long col) {
  std::string out;
  while (col > 0) {
    --col;
    out.insert(out.begin(), static_cast<char>('A' + col % 26));
    col /= 26;
  }
  return out;
}

constexpr std::uint64_t max_part_size = 1ULL << 30;  // 1 GiB uncompressed
constexpr long long max_columns = 16384;             // XFD
constexpr long long max_rows = 1048576;
constexpr std::size_t max_cells = 25'000'000;  // counting each row's padding

constexpr std::string_view damaged = "the file is damaged; re-save it from the spreadsheet program";

std::string lower_ascii(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

bool ends_with(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

std::string_view local_name(const char* qname) {
  std::string_view s(qname);
  const auto colon = s.rfind(':');
  return colon == std::string_view::npos ? s : s.substr(colon + 1);
}

/// Element children of `parent` whose local name is `name`, whatever their namespace prefix.
template <typename F>
void for_each_child(const pugi::xml_node& parent, std::string_view name, F&& f) {
  for (pugi::xml_node n = parent.first_child(); n; n = n.next_sibling()) {
    if (n.type() == pugi::node_element && local_name(n.name()) == name) f(n);
  }
}

pugi::xml_node child(const pugi::xml_node& parent, std::string_view name) {
  for (pugi::xml_node n = parent.first_child(); n; n = n.next_sibling()) {
    if (n.type() == pugi::node_element && local_name(n.name()) == name) return n;
  }
  return {};
}

/// The text of an element: its character data and CDATA, concatenated.
void append_text(const pugi::xml_node& node, std::string& out) {
  for (pugi::xml_node n = node.first_child(); n; n = n.next_sibling()) {
    if (n.type() == pugi::node_pcdata || n.type() == pugi::node_cdata) out += n.value();
  }
}

void append_utf8(std::string& out, std::uint32_t cp) {
  if (cp < 0x80) {
    out += static_cast<char>(cp);
  } else if (cp < 0x800) {
    out += static_cast<char>(0xC0 | (cp >> 6));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  } else {
    out += static_cast<char>(0xE0 | (cp >> 12));
    out += static_cast<char>(0x80 | ((cp >> 6) & 0x3F));
    out += static_cast<char>(0x80 | (cp & 0x3F));
  }
}

/// OOXML writes characters XML cannot hold as _xHHHH_ (a literal "_x" as _x005F_x).
std::string decode_escapes(std::string s) {
  if (s.find("_x") == std::string::npos) return s;
  std::string out;
  out.reserve(s.size());
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (std::size_t i = 0; i < s.size();) {
    if (s[i] == '_' && i + 6 < s.size() && s[i + 1] == 'x' && s[i + 6] == '_') {
      std::uint32_t cp = 0;
      bool ok = true;
      for (std::size_t k = 2; k < 6; ++k) {
        const int h = hex(s[i + k]);
        if (h < 0) ok = false;
        cp = cp * 16 + static_cast<std::uint32_t>(h < 0 ? 0 : h);
      }
      if (ok && (cp < 0xD800 || cp > 0xDFFF)) {
        append_utf8(out, cp);
        i += 7;
        continue;
      }
    }
    out += s[i++];
  }
  return out;
}

/// A shared or inline string item: plain <t>, or rich text runs <r><t>; phonetic runs
/// (<rPh>) are readings, not text.
std::string string_item_text(const pugi::xml_node& item) {
  std::string out;
  for (pugi::xml_node n = item.first_child(); n; n = n.next_sibling()) {
    if (n.type() != pugi::node_element) continue;
    const auto name = local_name(n.name());
    if (name == "t") {
      append_text(n, out);
    } else if (name == "r") {
      for_each_child(n, "t", [&](const pugi::xml_node& t) { append_text(t, out); });
    }
  }
  return decode_escapes(std::move(out));
}

/// Joins a relationship target to the folder of the part that holds it.
std::string resolve_target(std::string_view base_dir, std::string_view target) {
  std::string joined;
  if (!target.empty() && target.front() == '/') {
    joined = std::string(target.substr(1));
  } else {
    joined = std::string(base_dir) + std::string(target);
  }
  std::vector<std::string> parts;
  std::size_t start = 0;
  while (start <= joined.size()) {
    auto end = joined.find_first_of("/\\", start);
    if (end == std::string::npos) end = joined.size();
    const auto seg = joined.substr(start, end - start);
    if (seg == "..") {
      if (!parts.empty()) parts.pop_back();
    } else if (!seg.empty() && seg != ".") {
      parts.push_back(seg);
    }
    start = end + 1;
  }
  std::string out;
  for (const auto& p : parts) {
    if (!out.empty()) out += '/';
    out += p;
  }
  return out;
}

std::string dir_of(std::string_view part) {
  const auto slash = part.rfind('/');
  return slash == std::string_view::npos ? std::string() : std::string(part.substr(0, slash + 1));
}

std::string rels_of(std::string_view part) {
  const auto slash = part.rfind('/');
  const auto base = slash == std::string_view::npos ? part : part.substr(slash + 1);
  return dir_of(part) + "_rels/" + std::string(base) + ".rels";
}

struct relationship {
  std::string type;
  std::string target;  // resolved part name
};

/// An open zip archive over bytes the caller keeps alive.
class archive {
 public:
  archive(std::string_view data, const std::string& file) : file_(file) {
    zip_error_t err;
    zip_error_init(&err);
    zip_source_t* src = zip_source_buffer_create(data.data(), data.size(), 0, &err);
    if (src == nullptr) fail_open(err);
    za_ = zip_open_from_source(src, ZIP_RDONLY, &err);
    if (za_ == nullptr) {
      zip_source_free(src);
      fail_open(err);
    }
    zip_error_fini(&err);
    const zip_int64_t n = zip_get_num_entries(za_, 0);
    for (zip_int64_t i = 0; i < n; ++i) {
      const char* name = zip_get_name(za_, static_cast<zip_uint64_t>(i), ZIP_FL_ENC_GUESS);
      if (name == nullptr) continue;
      // Part names are case-insensitive; some writers use backslashes or a leading slash.
      auto key = lower_ascii(name);
      std::replace(key.begin(), key.end(), '\\', '/');
      if (!key.empty() && key.front() == '/') key.erase(0, 1);
      index_.emplace(std::move(key), static_cast<zip_uint64_t>(i));
    }
  }
  archive(const archive&) = delete;
  archive& operator=(const archive&) = delete;
  ~archive() { zip_discard(za_); }

  bool has(const std::string& part) const { return index_.count(lower_ascii(part)) != 0; }

  /// The part's bytes, or nothing if the archive has no such part.
  std::optional<std::string> read(const std::string& part) const {
    const auto it = index_.find(lower_ascii(part));
    if (it == index_.end()) return std::nullopt;
    zip_stat_t st;
    zip_stat_init(&st);
    if (zip_stat_index(za_, it->second, 0, &st) == 0 && (st.valid & ZIP_STAT_SIZE) != 0 &&
        st.size > max_part_size) {
      too_large(part);
    }
    zip_file_t* f = zip_fopen_index(za_, it->second, 0);
    if (f == nullptr) {
      const int code = zip_error_code_zip(zip_get_error(za_));
      if (code == ZIP_ER_NOPASSWD || code == ZIP_ER_WRONGPASSWD || code == ZIP_ER_ENCRNOTSUPP) {
        throw data_error(file_, 0,
                         fmt::format("part '{}' is encrypted; remove the password and save the "
                                     "workbook as .xlsx or CSV",
                                     part));
      }
      throw data_error(file_, 0,
                       fmt::format("cannot read part '{}' of the zip archive ({}); {}", part,
                                   zip_strerror(za_), damaged));
    }
    std::string out;
    if ((st.valid & ZIP_STAT_SIZE) != 0) out.reserve(static_cast<std::size_t>(st.size));
    std::array<char, 65536> buf;
    for (;;) {
      const zip_int64_t got = zip_fread(f, buf.data(), buf.size());
      if (got < 0) {
        const std::string why = zip_file_strerror(f);
        zip_fclose(f);
        throw data_error(
            file_, 0,
            fmt::format("cannot read part '{}' of the zip archive ({}); {}", part, why, damaged));
      }
      if (got == 0) break;
      if (out.size() + static_cast<std::uint64_t>(got) > max_part_size) {
        zip_fclose(f);
        too_large(part);
      }
      out.append(buf.data(), static_cast<std::size_t>(got));
    }
    zip_fclose(f);
    return out;
  }

 private:
  [[noreturn]] void fail_open(zip_error_t& err) {
    const std::string why = zip_error_strerror(&err);
    zip_error_fini(&err);
    throw data_error(
        file_, 0,
        fmt::format("not a readable XLSX file (damaged zip archive: {}); {}", why, damaged));
  }
  [[noreturn]] void too_large(const std::string& part) const {
    throw data_error(file_, 0,
                     fmt::format("part '{}' is larger than 1 GiB uncompressed; export the sheet "
                                 "to CSV instead",
                                 part));
  }

  std::string file_;
  zip_t* za_ = nullptr;
  std::map<std::string, zip_uint64_t> index_;
};

/// Parses XML held in `text` (which must outlive `doc`).
void parse_xml(pugi::xml_document& doc, std::string& text, const std::string& part,
               const std::string& file) {
  // Keep whitespace-only text such as <t xml:space="preserve"> </t>.
  const unsigned options = pugi::parse_default | pugi::parse_ws_pcdata_single;
  const auto res = doc.load_buffer_inplace(text.data(), text.size(), options);
  if (!res) {
    throw data_error(file, 0,
                     fmt::format("malformed XML in part '{}' at byte {} ({}); {}", part, res.offset,
                                 res.description(), damaged));
  }
}

/// The relationships in a .rels part, by id; an absent part has none.
std::map<std::string, relationship> read_relationships(const archive& zip,
                                                       const std::string& source_part,
                                                       const std::string& file) {
  std::map<std::string, relationship> out;
  const auto rels_part = rels_of(source_part);
  auto text = zip.read(rels_part);
  if (!text) return out;
  pugi::xml_document doc;
  parse_xml(doc, *text, rels_part, file);
  const auto base = dir_of(source_part);
  for_each_child(child(doc, "Relationships"), "Relationship", [&](const pugi::xml_node& r) {
    if (std::string_view(r.attribute("TargetMode").value()) == "External") return;
    out[r.attribute("Id").value()] = relationship{
        r.attribute("Type").value(), resolve_target(base, r.attribute("Target").value())};
  });
  return out;
}

std::optional<std::string> target_of_type(const std::map<std::string, relationship>& rels,
                                          std::string_view type_suffix) {
  for (const auto& [id, rel] : rels) {
    if (ends_with(rel.type, type_suffix)) return rel.target;
  }
  return std::nullopt;
}

std::vector<std::string> read_shared_strings(const archive& zip, const std::string& part,
                                             const std::string& file) {
  std::vector<std::string> out;
  auto text = zip.read(part);
  if (!text) return out;
  pugi::xml_document doc;
  parse_xml(doc, *text, part, file);
  for_each_child(child(doc, "sst"), "si",
                 [&](const pugi::xml_node& si) { out.push_back(string_item_text(si)); });
  return out;
}

/// For each cell style (the `s` index of a cell), what its number format says.
std::vector<number_kind> read_styles(const archive& zip, const std::string& part,
                                     const std::string& file) {
  std::vector<number_kind> out;
  auto text = zip.read(part);
  if (!text) return out;
  pugi::xml_document doc;
  parse_xml(doc, *text, part, file);
  const auto sheet = child(doc, "styleSheet");
  std::map<long, number_kind> custom;
  for_each_child(child(sheet, "numFmts"), "numFmt", [&](const pugi::xml_node& f) {
    custom[f.attribute("numFmtId").as_int(-1)] =
        classify_format_code(f.attribute("formatCode").value());
  });
  for_each_child(child(sheet, "cellXfs"), "xf", [&](const pugi::xml_node& xf) {
    const long id = xf.attribute("numFmtId").as_int(0);
    const auto it = custom.find(id);
    out.push_back(it != custom.end() ? it->second : classify_builtin_format(id));
  });
  return out;
}

std::string quoted_list(const std::vector<std::string>& names) {
  std::string out;
  for (const auto& n : names) {
    if (!out.empty()) out += ", ";
    out += "'" + n + "'";
  }
  return out;
}

bool equal_nocase(std::string_view a, std::string_view b) {
  return a.size() == b.size() && lower_ascii(a) == lower_ascii(b);
}

template <typename Int>
bool parse_int(std::string_view s, Int& out) {
  const auto res = std::from_chars(s.data(), s.data() + s.size(), out);
  return res.ec == std::errc{} && res.ptr == s.data() + s.size();
}

/// Reads the sheet part's cells into rows.
class sheet_reader {
 public:
  sheet_reader(const std::string& file, const std::string& sheet_name,
               const std::vector<std::string>& shared, const std::vector<number_kind>& styles,
               bool date1904)
      : file_(file), sheet_(sheet_name), shared_(shared), styles_(styles), date1904_(date1904) {}

  std::vector<xlsx_row> read(const pugi::xml_node& sheet_data) {
    std::vector<xlsx_row> rows;
    long long row_number = 0;
    for_each_child(sheet_data, "row", [&](const pugi::xml_node& row) {
      const auto r = row.attribute("r");
      if (r) {
        if (!parse_int(r.value(), row_number) || row_number < 1 || row_number > max_rows) {
          fail(fmt::format("row number '{}' is out of range (1 to {})", r.value(), max_rows));
        }
      } else {
        ++row_number;
        if (row_number > max_rows) fail(fmt::format("more than {} rows", max_rows));
      }
      xlsx_row out;
      out.number = row_number;
      read_cells(row, out);
      while (!out.cells.empty() && out.cells.back().empty()) out.cells.pop_back();
      if (out.cells.empty()) return;
      total_cells_ += out.cells.size();
      if (total_cells_ > max_cells) {
        throw data_error(
            file_, 0,
            fmt::format(
                "sheet '{}' is too large to read (more than {} cells, counting the empty cells "
                "before each row's last value); export it to CSV instead",
                sheet_, max_cells));
      }
      rows.push_back(std::move(out));
    });
    return rows;
  }

 private:
  [[noreturn]] void fail(const std::string& what) const {
    throw data_error(file_, 0, fmt::format("sheet '{}': {}; {}", sheet_, what, damaged));
  }

  /// The column of a reference such as "B12" (the row part only checked for range).
  long long parse_reference(std::string_view ref) const {
    auto is_letter = [](char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); };
    auto is_digit = [](char c) { return c >= '0' && c <= '9'; };
    std::size_t letters = 0;
    while (letters < ref.size() && is_letter(ref[letters])) ++letters;
    const auto digits = ref.substr(letters);
    if (letters == 0 || digits.empty() || !std::all_of(digits.begin(), digits.end(), is_digit)) {
      fail(fmt::format("malformed cell reference '{}'", ref));
    }
    long long col = 0;
    for (std::size_t i = 0; i < letters && i < 4; ++i) {
      const char c = ref[i] >= 'a' ? static_cast<char>(ref[i] - 'a' + 'A') : ref[i];
      col = col * 26 + (c - 'A' + 1);
    }
    long long row = 0;
    if (letters > 3 || col > max_columns || digits.size() > 7 || !parse_int(digits, row) ||
        row < 1 || row > max_rows) {
      fail(fmt::format("cell reference '{}' is out of range (columns end at XFD, rows at {})", ref,
                       max_rows));
    }
    return col;
  }

  void read_cells(const pugi::xml_node& row, xlsx_row& out) {
    long long col = 0;
    for_each_child(row, "c", [&](const pugi::xml_node& c) {
      const auto r = c.attribute("r");
      if (r) {
        col = parse_reference(r.value());
      } else {
        ++col;
        if (col > max_columns)
          fail(fmt::format("row {} has more than {} cells", out.number, max_columns));
      }
      auto text = cell_text(c, col, out.number);
      const auto index = static_cast<std::size_t>(col - 1);
      if (text.empty() && index >= out.cells.size()) return;
      if (index >= out.cells.size()) out.cells.resize(index + 1);
      out.cells[index] = std::move(text);
    });
  }

  std::string cell_text(const pugi::xml_node& c, long long col, long long row) const {
    const std::string_view type = c.attribute("t").value();
    const pugi::xml_node v = child(c, "v");
    std::string value;
    if (v) append_text(v, value);
    if (type == "inlineStr") {
      const auto is = child(c, "is");
      return is ? string_item_text(is) : decode_escapes(std::move(value));
    }
    if (type == "s") {
      if (!v) return {};
      std::size_t index = 0;
      const auto trimmed = trim(value);
      if (!parse_int(trimmed, index)) {
        fail(fmt::format("cell {}{} has a malformed shared string index '{}'", column_name(col),
                         row, trimmed));
      }
      if (index >= shared_.size()) {
        fail(fmt::format("cell {}{} refers to shared string {}, but the workbook has {}",
                         column_name(col), row, index, shared_.size()));
      }
      return shared_[index];
    }
    if (type == "str") return decode_escapes(std::move(value));
    if (type == "b") {
      const auto t = trim(value);
      if (t == "1" || t == "true") return "TRUE";
      if (t == "0" || t == "false") return "FALSE";
      return value;
    }
    if (type == "e" || type == "d") return value;
    if (!type.empty() && type != "n") return value;
    return number_text(value, c);
  }

  std::string number_text(const std::string& value, const pugi::xml_node& c) const {
    const auto t = trim(value);
    if (t.empty()) return {};
    double d = 0;
    const auto res = std::from_chars(t.data(), t.data() + t.size(), d);
    if (res.ec != std::errc{} || res.ptr != t.data() + t.size() || !std::isfinite(d)) {
      return value;
    }
    const auto style = c.attribute("s");
    if (style) {
      std::size_t s = 0;
      if (parse_int(style.value(), s) && s < styles_.size() && styles_[s] != number_kind::plain) {
        if (auto date = format_serial_date(d, styles_[s], date1904_)) return *date;
      }
    }
    return format_number(d);
  }

  static std::string_view trim(std::string_view s) {
    while (!s.empty() &&
           (s.front() == ' ' || s.front() == '\t' || s.front() == '\n' || s.front() == '\r')) {
      s.remove_prefix(1);
    }
    while (!s.empty() &&
           (s.back() == ' ' || s.back() == '\t' || s.back() == '\n' || s.back() == '\r')) {
      s.remove_suffix(1);
    }
    return s;
  }

  const std::string& file_;
  const std::string& sheet_;
  const std::vector<std::string>& shared_;
  const std::vector<number_kind>& styles_;
  bool date1904_;
  std::size_t total_cells_ = 0;
};

bool is_ole2(std::string_view data) {
  static constexpr std::string_view magic("\xD0\xCF\x11\xE0\xA1\xB1\x1A\xE1", 8);
  return data.substr(0, magic.size()) == magic;
}

}  // namespace

bool looks_like_zip(std::string_view data) noexcept {
  if (data.size() < 4 || data[0] != 'P' || data[1] != 'K') return false;
  return (data[2] == '\x03' && data[3] == '\x04') || (data[2] == '\x05' && data[3] == '\x06') ||
         (data[2] == '\x07' && data[3] == '\x08');
}

xlsx_sheet read_xlsx(std::string_view data, const std::string& file, const std::string& sheet) {
  if (is_ole2(data)) {
    throw data_error(file, 0,
                     "old .xls and encrypted workbooks are not supported (this is an OLE2 "
                     "compound file, not a zip archive); save it as .xlsx without a password, "
                     "or as CSV");
  }
  if (!looks_like_zip(data)) {
    throw data_error(file, 0,
                     "not an XLSX file (not a zip archive); if this is a CSV export, check the "
                     "file name");
  }
  const archive zip(data, file);

  // The workbook part: named by the package relationships, conventionally xl/workbook.xml.
  std::string workbook_part = "xl/workbook.xml";
  if (auto target = target_of_type(read_relationships(zip, "", file), "/officeDocument");
      target && zip.has(*target)) {
    workbook_part = *target;
  }
  auto workbook_text = zip.read(workbook_part);
  if (!workbook_text) {
    throw data_error(file, 0,
                     "not an XLSX workbook (no xl/workbook.xml in the zip archive); if this is "
                     "an .ods, .docx or other zip file, save it as .xlsx or CSV");
  }
  pugi::xml_document workbook;
  parse_xml(workbook, *workbook_text, workbook_part, file);
  const auto wb = child(workbook, "workbook");
  const std::string_view date1904 = child(wb, "workbookPr").attribute("date1904").value();
  const bool is1904 = date1904 == "1" || date1904 == "true";

  struct sheet_entry {
    std::string name;
    std::string rel_id;
  };
  std::vector<sheet_entry> sheets;
  std::vector<std::string> names;
  for_each_child(child(wb, "sheets"), "sheet", [&](const pugi::xml_node& s) {
    std::string rel_id;
    // r:id, whatever prefix the relationships namespace has.
    for (pugi::xml_attribute a = s.first_attribute(); a; a = a.next_attribute()) {
      const std::string_view qname = a.name();
      if (qname.find(':') != std::string_view::npos && local_name(a.name()) == "id") {
        rel_id = a.value();
      }
    }
    sheets.push_back({s.attribute("name").value(), std::move(rel_id)});
    names.push_back(sheets.back().name);
  });
  if (sheets.empty()) {
    throw data_error(file, 0, fmt::format("part '{}' lists no sheets; {}", workbook_part, damaged));
  }

  const sheet_entry* chosen = nullptr;
  if (sheet.empty()) {
    chosen = &sheets.front();
  } else {
    for (const auto& s : sheets) {
      if (s.name == sheet) {
        chosen = &s;
        break;
      }
    }
    if (chosen == nullptr) {  // Excel treats sheet names as case-insensitive
      for (const auto& s : sheets) {
        if (equal_nocase(s.name, sheet)) {
          chosen = &s;
          break;
        }
      }
    }
    if (chosen == nullptr) {
      throw data_error(file, 0,
                       fmt::format("no sheet named '{}' (sheets: {}); use --sheet with one of "
                                   "these",
                                   sheet, quoted_list(names)));
    }
  }

  const auto rels = read_relationships(zip, workbook_part, file);
  const auto rel = rels.find(chosen->rel_id);
  if (rel == rels.end()) {
    throw data_error(file, 0,
                     fmt::format("sheet '{}' has no relationship '{}' in '{}'; {}", chosen->name,
                                 chosen->rel_id, rels_of(workbook_part), damaged));
  }
  if (ends_with(rel->second.type, "/chartsheet")) {
    throw data_error(file, 0,
                     fmt::format("sheet '{}' is a chart sheet, which holds no cells (sheets: {}); "
                                 "use --sheet with a worksheet",
                                 chosen->name, quoted_list(names)));
  }
  auto sheet_text = zip.read(rel->second.target);
  if (!sheet_text) {
    throw data_error(file, 0,
                     fmt::format("sheet '{}' points to part '{}', which is not in the zip "
                                 "archive; {}",
                                 chosen->name, rel->second.target, damaged));
  }

  const auto wb_dir = dir_of(workbook_part);
  const auto shared = read_shared_strings(
      zip, target_of_type(rels, "/sharedStrings").value_or(wb_dir + "sharedStrings.xml"), file);
  const auto styles =
      read_styles(zip, target_of_type(rels, "/styles").value_or(wb_dir + "styles.xml"), file);

  pugi::xml_document sheet_doc;
  parse_xml(sheet_doc, *sheet_text, rel->second.target, file);
  const auto sheet_data = child(child(sheet_doc, "worksheet"), "sheetData");

  xlsx_sheet out;
  out.name = chosen->name;
  out.rows = sheet_reader(file, chosen->name, shared, styles, is1904).read(sheet_data);
  return out;
}

}  // namespace ml
