// SPDX-License-Identifier: Apache-2.0
// Reading the idea stream for ml-concentrate. simdjson's on-demand parser reads the few
// fields the line needs without building a tree (ten times faster than a DOM parser on a
// million ideas); a line it refuses is parsed again by nlohmann-json for a readable error.
#include <fmt/format.h>
#include <simdjson.h>

#include <nlohmann/json.hpp>
#include <algorithm>
#include <cerrno>
#include <cstring>
#include <unordered_map>

#include "concentrate_detail.hpp"
#include "ml/error.hpp"
#include "ml/input.hpp"
#include "ml/records.hpp"
#include "ml/diag.hpp"

namespace ml::detail {
namespace {

const char* const fix_hint =
    "; each line must be one JSON object, as ml-gather writes them (see ml-records(5))";

[[noreturn]] void bad_json(const std::string& file, long long line, std::string_view text,
                           simdjson::error_code code) {
  bad_json_line(file, line, text, simdjson::error_message(code), fix_hint);
}

// Removes the top-level "theme" key of an idea that went through ml-concentrate before, so
// the new annotation is the only one.
std::string without_theme(std::string_view raw) {
  auto j = nlohmann::ordered_json::parse(raw);
  j.erase("theme");
  return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

bool owned_type(std::string_view t) {
  return t == "summary" || t == "theme" || t == "unassigned";
}

}  // namespace

corpus read_corpus(const std::vector<std::string>& inputs, const std::string& stance,
                   const std::string& encoding) {
  corpus c;
  simdjson::ondemand::parser parser;
  std::string padded;
  std::vector<std::string> names;
  // Open every input first: a missing one stops the run before any work is done.
  std::vector<std::unique_ptr<byte_input>> opened;
  for (const auto& path : inputs) opened.push_back(std::make_unique<byte_input>(path));
  for (std::size_t f = 0; f < opened.size(); ++f) {
    byte_input& bytes = *opened[f];
    const std::string file = bytes.name();
    names.push_back(file);
    text_input in(bytes, encoding, [&](const std::string& m) { diag::warning(m); });
    line_reader lines(in);
    std::string_view line;
    while (lines.next(line)) {
      const long long lineno = lines.line_number();
      std::size_t b = line.find_first_not_of(" \t\r");
      if (b == std::string_view::npos) continue;
      ++c.records;
      if (json_too_deep(line)) throw data_error(file, lineno, json_depth_message());
      padded.assign(line);
      padded.reserve(line.size() + simdjson::SIMDJSON_PADDING);
      simdjson::ondemand::document doc;
      auto err = parser.iterate(padded.data(), padded.size(), padded.capacity()).get(doc);
      simdjson::ondemand::object obj;
      if (err) bad_json(file, lineno, line, err);
      if (doc.get_object().get(obj)) {
        // Valid JSON that is not an object, or invalid JSON: say which.
        auto parsed = nlohmann::json::parse(line, nullptr, false);
        if (parsed.is_discarded()) bad_json(file, lineno, line, simdjson::TAPE_ERROR);
        throw data_error(file, lineno,
                         fmt::format("a record must be a JSON object, not {}{}",
                                     parsed.type_name(), fix_hint));
      }
      std::string_view type;
      std::string type_buf;
      idea_rec idea;
      bool has_id = false, has_text = false, has_theme = false;
      for (auto field : obj) {
        std::string_view key;
        if ((err = field.unescaped_key().get(key))) bad_json(file, lineno, line, err);
        simdjson::ondemand::value v;
        if ((err = field.value().get(v))) bad_json(file, lineno, line, err);
        if (key == "type") {
          if ((err = v.get_string().get(type)))
            throw data_error(file, lineno, "\"type\" is not a string" + std::string(fix_hint));
          type_buf.assign(type);  // keep a copy: the view dies with the next field
          type = type_buf;
        } else if (key == "id") {
          std::string_view s;
          if (!v.get_string().get(s)) {
            idea.id.assign(s);
            has_id = true;
          }
        } else if (key == "text") {
          std::string_view s;
          if (!v.get_string().get(s)) {
            // Only the start of a very long answer is analysed (and quoted); the record
            // itself goes out whole, from the spool.
            std::size_t keep = s.size();
            if (keep > analysed_max_bytes) {
              keep = analysed_max_bytes;
              while (keep > 0 && (static_cast<unsigned char>(s[keep]) & 0xC0) == 0x80) --keep;
            }
            idea.text.assign(s.substr(0, keep));
            has_text = true;
          }
        } else if (key == "respondent") {
          std::string_view s;
          if (!v.get_string().get(s) && !s.empty()) idea.respondent = c.respondents.get(s);
        } else if (key == "unit") {
          std::string_view s;
          if (!v.get_string().get(s) && !s.empty()) idea.unit = c.units.get(s);
        } else if (key == "theme") {
          has_theme = true;
        } else if (key == "ratings" && !stance.empty()) {
          simdjson::ondemand::object ratings;
          if (!v.get_object().get(ratings)) {
            for (auto r : ratings) {
              std::string_view rk;
              if (r.unescaped_key().get(rk)) break;
              if (rk != stance) {
                if (!c.any_stance && c.rating_names.size() < 20 &&
                    std::find(c.rating_names.begin(), c.rating_names.end(), rk) ==
                        c.rating_names.end())
                  c.rating_names.emplace_back(rk);
                continue;
              }
              double d;
              simdjson::ondemand::value rv;
              if (r.value().get(rv)) break;
              if (!rv.get_double().get(d)) {
                idea.stance = static_cast<float>(d);
              } else {
                std::string_view s;
                if (!rv.get_string().get(s)) {
                  try {
                    std::size_t used = 0;
                    double parsed = std::stod(std::string(s), &used);
                    if (used == s.size()) idea.stance = static_cast<float>(parsed);
                  } catch (const std::exception&) {
                  }
                }
              }
            }
          }
        }
      }
      if (type.empty())
        throw data_error(file, lineno,
                         "record has no \"type\"" + std::string(fix_hint));
      if (type == "header") {
        check_header_version(line, file, lineno);
        continue;  // each tool writes its own header
      }
      if (type != "idea") {
        if (owned_type(type)) {
          ++c.dropped;  // an older line; this run writes a new one
        } else {
          c.passthrough.emplace_back(line);
        }
        continue;
      }
      if (!has_id || idea.id.empty())
        throw data_error(file, lineno,
                         "idea record has no \"id\" string" + std::string(fix_hint));
      if (!has_text)
        throw data_error(file, lineno,
                         "idea record has no \"text\" string" + std::string(fix_hint));
      idea.file = static_cast<int>(f);
      idea.line = lineno;
      if (idea.respondent < 0) idea.respondent = c.respondents.get("\x1f" + idea.id);
      if (!std::isnan(idea.stance)) c.any_stance = true;
      if (has_theme) {
        std::string clean = without_theme(line);
        idea.raw_size = static_cast<std::uint32_t>(clean.size());
        c.spooled->append(clean);
      } else {
        idea.raw_size = static_cast<std::uint32_t>(line.size());
        c.spooled->append(line);
      }
      c.ideas.push_back(std::move(idea));
    }
  }
  // An idea read twice would be counted twice: refuse it, naming both places. Sorting the
  // ids once is cheaper than a hash set of a million strings.
  std::vector<std::uint32_t> order(c.ideas.size());
  for (std::uint32_t i = 0; i < order.size(); ++i) order[i] = i;
  std::sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
    int cmp = c.ideas[a].id.compare(c.ideas[b].id);
    return cmp != 0 ? cmp < 0 : a < b;
  });
  for (std::size_t k = 1; k < order.size(); ++k) {
    const idea_rec& first = c.ideas[order[k - 1]];
    const idea_rec& again = c.ideas[order[k]];
    if (first.id != again.id) continue;
    throw data_error(names[static_cast<std::size_t>(again.file)], again.line,
                     fmt::format("idea id {} appears twice (first at {}:{}); an idea must be "
                                 "read once: do not give the same ideas file twice",
                                 again.id, names[static_cast<std::size_t>(first.file)], first.line));
  }
  return c;
}

}  // namespace ml::detail
