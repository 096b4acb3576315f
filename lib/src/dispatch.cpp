// SPDX-License-Identifier: Apache-2.0
// ml-dispatch: reading the line, making the plan (directives, pilots, dates) and writing the
// directive stream. Letters and report templates are in dispatch_render.cpp.
#include "ml/dispatch.hpp"

#include <fmt/format.h>
#include <simdjson.h>
#include <xxhash.h>

#include <algorithm>
#include <chrono>
#include <cstring>
#include <cmath>
#include <memory>
#include <nlohmann/json.hpp>
#include <unordered_map>
#include <unordered_set>

#include "ml/diag.hpp"
#include "ml/error.hpp"
#include "ml/input.hpp"
#include "ml/json_writer.hpp"
#include "ml/output.hpp"
#include "ml/records.hpp"
#include "ml/render.hpp"
#include "ml/text.hpp"
#include "ml/timefmt.hpp"

namespace ml {

namespace {

constexpr const char* line_hint =
    "; ml-dispatch reads the line that ml-concentrate writes (ml-concentrate ideas.jsonl | "
    "ml-dispatch --org org.csv)";

std::string str_field(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_string()) return {};
  return it->get<std::string>();
}

long long int_field(const nlohmann::json& j, const char* key) {
  auto it = j.find(key);
  if (it == j.end() || !it->is_number()) return 0;
  return it->get<long long>();
}

/// A volunteer's answer: given, not a non-answer and not a no.
bool is_volunteer(std::string_view v) {
  std::string s = ascii_lower(trim(v));
  if (s.empty() || is_non_answer(s)) return false;
  for (const char* no : {"no", "n", "false", "0", "non", "nein", "não", "nao", "nee", "nej",
                         "not now", "no thanks", "no thank you", "not interested", "maybe later"})
    if (s == no) return false;
  for (const char* p : {"no,", "no.", "no ", "not now", "not interested", "non,", "nein,"})
    if (s.rfind(p, 0) == 0) return false;
  return true;
}

void sort_unique(std::vector<int>& v) {
  std::sort(v.begin(), v.end());
  v.erase(std::unique(v.begin(), v.end()), v.end());
}

struct respondent_info {
  std::string unit;
  bool volunteer = false;
  bool consent = false;
  std::string contact;
};

}  // namespace

std::string directive_id(const std::string& unit, const std::string& theme) {
  std::string material = unit;
  material.push_back('\0');
  material += theme;
  std::uint64_t h = XXH3_64bits(material.data(), material.size());
  return fmt::format("d-{:016x}", h);
}

std::uint32_t string_pool::add(std::string_view s) {
  if (used_ + s.size() > cap_) {
    cap_ = std::max<std::size_t>(1 << 20, s.size());
    blocks_.push_back(std::make_unique<char[]>(cap_));
    used_ = 0;
  }
  char* at = blocks_.back().get() + used_;
  std::memcpy(at, s.data(), s.size());
  used_ += s.size();
  views_.emplace_back(at, s.size());
  return static_cast<std::uint32_t>(views_.size() - 1);
}

line_unit::per_theme* line_unit::find(int theme) {
  auto it = std::lower_bound(themes.begin(), themes.end(), theme,
                             [](const per_theme& p, int t) { return p.theme < t; });
  return it != themes.end() && it->theme == theme ? &*it : nullptr;
}

const line_unit::per_theme* line_unit::find(int theme) const {
  return const_cast<line_unit*>(this)->find(theme);
}

line_unit::per_theme& line_unit::at(int theme) {
  auto it = std::lower_bound(themes.begin(), themes.end(), theme,
                             [](const per_theme& p, int t) { return p.theme < t; });
  if (it != themes.end() && it->theme == theme) return *it;
  it = themes.insert(it, per_theme{});
  it->theme = theme;
  return *it;
}

namespace {

[[noreturn]] void bad_json(const std::string& file, long long line, std::string_view text,
                           simdjson::error_code code) {
  bad_json_line(file, line, text, simdjson::error_message(code), line_hint);
}

/// A string value, or a number written as JSON; empty otherwise.
std::string_view scalar_text(simdjson::ondemand::value v, std::string& buf) {
  std::string_view s;
  if (!v.get_string().get(s)) return s;
  simdjson::ondemand::json_type t;
  if (!v.type().get(t) && t == simdjson::ondemand::json_type::number) {
    std::string_view raw = v.raw_json_token();
    buf.assign(trim(raw));
    return buf;
  }
  return {};
}

}  // namespace

line_data read_line(const dispatch_options& o,
                    const std::function<void(std::string_view)>& pass) {
  line_data d;
  std::vector<std::string> inputs = o.inputs;
  if (inputs.empty()) inputs.push_back("-");
  std::vector<std::unique_ptr<byte_input>> opened;
  for (const auto& path : inputs) opened.push_back(std::make_unique<byte_input>(path));
  std::unordered_map<std::string, int> theme_index;
  std::unordered_map<std::string_view, int> respondent_index;
  std::unordered_set<std::string> quote_ids;  // ideas the themes quote
  std::unordered_map<int, respondent_info> people;
  int central_seen = 0;
  std::string central_where;
  const std::size_t want_candidates = static_cast<std::size_t>(std::max(o.quotes, 0)) * 3 + 2;
  simdjson::ondemand::parser parser;
  std::string padded, num_buf, anon;
  for (std::size_t f = 0; f < opened.size(); ++f) {
    byte_input& bytes = *opened[f];
    const std::string file = bytes.name();
    d.source += (f ? ", " : "") + file;
    text_input in(bytes, o.encoding, [](const std::string& m) { diag::warning(m); });
    line_reader lines(in);
    std::string_view line;
    while (lines.next(line)) {
      const long long lineno = lines.line_number();
      if (line.find_first_not_of(" \t\r") == std::string_view::npos) continue;
      ++d.records;
      if (json_too_deep(line)) throw data_error(file, lineno, json_depth_message());
      padded.assign(line);
      padded.reserve(line.size() + simdjson::SIMDJSON_PADDING);
      simdjson::ondemand::document doc;
      simdjson::ondemand::object obj;
      auto err = parser.iterate(padded.data(), padded.size(), padded.capacity()).get(doc);
      if (err || doc.get_object().get(obj)) bad_json(file, lineno, line, err ? err : simdjson::TAPE_ERROR);
      // One pass over the fields: what an idea needs, and the type.
      std::string type;
      std::string_view id, text, respondent, unit, theme, question;
      bool has_theme = false;
      std::string volunteer_answer, contact_answer, consent_answer;
      std::string id_s, text_s, resp_s, unit_s, theme_s, question_s;
      for (auto field : obj) {
        std::string_view key;
        if ((err = field.unescaped_key().get(key))) bad_json(file, lineno, line, err);
        simdjson::ondemand::value v;
        if ((err = field.value().get(v))) bad_json(file, lineno, line, err);
        std::string_view sv;
        if (key == "type") {
          if (v.get_string().get(sv))
            throw data_error(file, lineno, std::string("\"type\" is not a string") + line_hint);
          type.assign(sv);
        } else if (key == "id") {
          if (!v.get_string().get(sv)) id = id_s.assign(sv);
        } else if (key == "text") {
          if (!v.get_string().get(sv)) text = text_s.assign(sv);
        } else if (key == "respondent") {
          if (!v.get_string().get(sv)) respondent = resp_s.assign(sv);
        } else if (key == "unit") {
          if (!v.get_string().get(sv)) unit = unit_s.assign(sv);
        } else if (key == "theme") {
          if (!v.get_string().get(sv)) {
            theme = theme_s.assign(sv);
            has_theme = true;
          }
        } else if (key == "question") {
          if (!v.get_string().get(sv)) question = question_s.assign(sv);
        } else if (key == "segments" && !o.volunteer.empty()) {
          simdjson::ondemand::object seg;
          if (!v.get_object().get(seg)) {
            for (auto sf : seg) {
              std::string_view sk;
              simdjson::ondemand::value sval;
              if (sf.unescaped_key().get(sk) || sf.value().get(sval)) break;
              if (sk == o.volunteer) volunteer_answer.assign(scalar_text(sval, num_buf));
              else if (sk == o.contact) contact_answer.assign(scalar_text(sval, num_buf));
              else if (sk == o.contact_consent) consent_answer.assign(scalar_text(sval, num_buf));
            }
          }
        }
      }
      if (type.empty())
        throw data_error(file, lineno, std::string("record has no \"type\"") + line_hint);
      if (type == "header") {
        check_header_version(line, file, lineno);
        continue;
      }
      if (type == "directive" || type == "brief" || type == "dispatch") {
        continue;  // an older dispatch in the stream is replaced by this one
      }
      if (pass && !o.directives_only) {
        pass(line);
        ++d.passed_through;
      }
      if (type == "theme") {
        // Not ordered_json: its objects insert in linear time, and a theme's "units" may
        // hold a hundred thousand units.
        nlohmann::json rec;
        try {
          rec = nlohmann::json::parse(line);
        } catch (const nlohmann::json::exception& e) {
          throw data_error(file, lineno, "invalid JSON" + json_error_text(e) + line_hint);
        }
        line_theme t;
        t.line = lineno;
        t.id = str_field(rec, "id");
        if (t.id.empty())
          throw data_error(file, lineno, std::string("theme record without an \"id\"") + line_hint);
        if (theme_index.count(t.id))
          throw data_error(file, lineno,
                           fmt::format("theme '{}' appears twice in the line; give one line", t.id));
        t.tier = str_field(rec, "tier");
        t.label = str_field(rec, "label");
        t.phrase = str_field(rec, "phrase");
        t.rank = static_cast<int>(int_field(rec, "rank"));
        if (auto kw = rec.find("keywords"); kw != rec.end() && kw->is_array())
          for (const auto& k : *kw)
            if (k.is_string()) t.keywords.push_back(k.get<std::string>());
        if (auto s = rec.find("support"); s != rec.end() && s->is_object()) {
          t.respondents = int_field(*s, "respondents");
          t.ideas = int_field(*s, "ideas");
          t.units = int_field(*s, "units");
        }
        if (auto u = rec.find("units"); u != rec.end() && u->is_object())
          for (const auto& [name, n] : u->items())
            if (n.is_number()) t.unit_ideas[name] = n.get<long long>();
        if (t.ideas == 0)
          if (auto ids = rec.find("ideas"); ids != rec.end() && ids->is_array())
            t.ideas = static_cast<long long>(ids->size());
        if (auto q = rec.find("quotes"); q != rec.end() && q->is_array())
          for (const auto& x : *q)
            if (x.is_object()) quote_ids.insert(str_field(x, "idea"));
        if (t.tier == "central") {
          ++central_seen;
          if (central_seen > 1)
            throw data_error(file, lineno,
                             fmt::format("a second central theme ('{}', after one at {}); a line "
                                         "has exactly one central task: run ml-concentrate again",
                                         t.id, central_where));
          central_where = fmt::format("{}:{}", file, lineno);
        } else if (t.tier != "secondary" && t.tier != "tertiary" && t.tier != "other") {
          throw data_error(file, lineno,
                           fmt::format("theme '{}' has tier '{}'; a tier is central, secondary, "
                                       "tertiary or other",
                                       t.id, t.tier));
        }
        theme_index.emplace(t.id, static_cast<int>(d.themes.size()));
        d.themes.push_back(std::move(t));
        continue;
      }
      if (type != "idea") continue;
      d.has_ideas = true;
      ++d.ideas;
      const std::uint32_t idea = d.idea_ids.add(id);
      std::string_view who = respondent;
      if (who.empty()) {
        anon.assign("\x01");  // an anonymous idea is its own respondent
        anon += id;
        who = anon;
      }
      int r;
      if (auto it = respondent_index.find(who); it != respondent_index.end()) {
        r = it->second;
      } else {
        r = static_cast<int>(d.respondent_names.add(who));
        respondent_index.emplace(d.respondent_names.get(static_cast<std::uint32_t>(r)), r);
      }
      if (unit.empty()) {
        ++d.no_unit_ideas;
        continue;
      }
      int ui;
      if (auto it = d.unit_index.find(unit_s); it != d.unit_index.end()) {
        ui = it->second;
      } else {
        ui = static_cast<int>(d.units.size());
        d.unit_index.emplace(unit_s, ui);
        d.unit_names.push_back(unit_s);
        d.units.emplace_back();
      }
      line_unit& lu = d.units[static_cast<std::size_t>(ui)];
      ++lu.ideas;
      lu.respondents.push_back(r);
      if (!o.volunteer.empty()) {
        if (question == o.volunteer) volunteer_answer = text;
        if (question == o.contact) contact_answer = text;
        if (question == o.contact_consent) consent_answer = text;
        respondent_info& p = people[r];
        p.unit = unit_s;
        if (is_volunteer(volunteer_answer)) p.volunteer = true;
        if (!o.contact_consent.empty() && is_yes(consent_answer)) p.consent = true;
        std::string c(trim(contact_answer));
        if (!c.empty() && !is_non_answer(c)) p.contact = c;
      }
      if (!has_theme) {
        ++lu.unassigned;
        continue;
      }
      auto ti = theme_index.find(theme_s);
      if (ti == theme_index.end())
        throw data_error(file, lineno,
                         fmt::format("idea '{}' belongs to theme '{}', which is not in the line "
                                     "before it; give the whole line as ml-concentrate wrote it",
                                     id, theme));
      auto& pt = lu.at(ti->second);
      ++pt.ideas;
      pt.respondents.push_back(r);
      pt.idea_idx.push_back(idea);
      bool quoted = !quote_ids.empty() && quote_ids.count(id_s) != 0;
      if (o.quotes > 0 && (pt.candidates.size() < want_candidates || quoted)) {
        // A very long answer is quoted as an excerpt (the idea keeps its whole text).
        line_quote q{idea,
                     text.size() > quote_max_bytes ? d.texts.add(clip_text(text, quote_max_bytes))
                                                   : d.texts.add(text),
                     respondent.empty() ? -1 : r};
        if (quoted)
          pt.candidates.insert(pt.candidates.begin(), q);
        else
          pt.candidates.push_back(q);
      }
    }
  }
  if (d.themes.empty())
    throw data_error(d.source, 0, std::string("no theme records") + line_hint);
  d.respondents = static_cast<long long>(d.respondent_names.size());
  for (auto& lu : d.units) {
    sort_unique(lu.respondents);
    for (auto& pt : lu.themes) sort_unique(pt.respondents);
  }
  if (!o.volunteer.empty()) {
    std::vector<std::pair<int, respondent_info*>> sorted;
    for (auto& [r, p] : people) sorted.emplace_back(r, &p);
    std::sort(sorted.begin(), sorted.end(),
              [](const auto& a, const auto& b) { return a.first < b.first; });
    for (auto& [r, p] : sorted) {
      if (!p->volunteer) continue;
      line_unit& lu = d.units[static_cast<std::size_t>(d.unit_index[p->unit])];
      ++lu.volunteers;
      if (p->consent && !p->contact.empty()) lu.contacts.push_back(p->contact);
    }
  }
  return d;
}

double jensen_shannon(const std::vector<double>& p, const std::vector<double>& q) {
  double sp = 0, sq = 0;
  for (double x : p) sp += x;
  for (double x : q) sq += x;
  if (sp <= 0 || sq <= 0) return 1.0;
  double js = 0;
  for (std::size_t i = 0; i < p.size() && i < q.size(); ++i) {
    double a = p[i] / sp, b = q[i] / sq, m = (a + b) / 2;
    if (a > 0) js += 0.5 * a * std::log2(a / m);
    if (b > 0) js += 0.5 * b * std::log2(b / m);
  }
  return std::clamp(js, 0.0, 1.0);
}

namespace {

std::string ordinal(std::size_t n) {
  const char* suffix = "th";
  if (n % 100 < 11 || n % 100 > 13) {
    if (n % 10 == 1) suffix = "st";
    if (n % 10 == 2) suffix = "nd";
    if (n % 10 == 3) suffix = "rd";
  }
  return fmt::format("{}{}", n, suffix);
}

/// Chooses pilots (see ml-dispatch(1), PILOTS).
std::vector<pilot_choice> choose_pilots(const organisation& org, const line_data& line,
                                        const dispatch_options& o) {
  const std::size_t n_units = org.units.size();
  const std::size_t nt = line.themes.size();
  // The whole: ideas per theme (plus one bin for the unassigned) over every unit.
  std::vector<double> whole(nt + 1, 0.0);
  for (const auto& lu : line.units) {
    for (const auto& pt : lu.themes) whole[static_cast<std::size_t>(pt.theme)] += static_cast<double>(pt.ideas);
    whole[nt] += static_cast<double>(lu.unassigned);
  }
  struct cand {
    int unit;
    double jsd;
    long long respondents;
  };
  std::vector<cand> all;
  std::vector<long long> sizes;
  for (std::size_t u = 0; u < n_units; ++u) {
    const line_unit* lu = line.unit(org.units[u].name);
    if (!lu || lu->ideas == 0) continue;
    std::vector<double> mine(nt + 1, 0.0);
    for (const auto& pt : lu->themes) mine[static_cast<std::size_t>(pt.theme)] = static_cast<double>(pt.ideas);
    mine[nt] = static_cast<double>(lu->unassigned);
    long long resp = static_cast<long long>(lu->respondents.size());
    all.push_back({static_cast<int>(u), jensen_shannon(mine, whole), resp});
    sizes.push_back(resp);
  }
  std::vector<pilot_choice> out;
  auto sorted_by_jsd = all;
  std::sort(sorted_by_jsd.begin(), sorted_by_jsd.end(), [](const cand& a, const cand& b) {
    if (a.jsd != b.jsd) return a.jsd < b.jsd;
    if (a.respondents != b.respondents) return a.respondents > b.respondents;
    return a.unit < b.unit;
  });
  auto rank_of = [&](int unit) -> std::size_t {
    for (std::size_t i = 0; i < sorted_by_jsd.size(); ++i)
      if (sorted_by_jsd[i].unit == unit) return i + 1;
    return 0;
  };
  std::sort(sizes.begin(), sizes.end());
  long long median = sizes.empty() ? 0 : sizes[(sizes.size() - 1) / 2];
  long long enough = std::max<long long>(3, median);

  if (!o.pilot_units.empty()) {
    for (const auto& name : o.pilot_units) {
      int u = org.find(name);
      pilot_choice c;
      c.unit = u;
      auto it = std::find_if(all.begin(), all.end(), [&](const cand& x) { return x.unit == u; });
      c.jsd = it == all.end() ? 1.0 : it->jsd;
      c.reason = it == all.end()
                     ? "named with --pilot; none of its people answered the survey"
                     : fmt::format("named with --pilot; its people's themes are at Jensen-Shannon "
                                   "divergence {:.3f} from the whole organisation's ({} closest "
                                   "of {} units with answers), {} respondents",
                                   it->jsd, ordinal(rank_of(u)), all.size(), it->respondents);
      out.push_back(std::move(c));
    }
    return out;
  }
  const std::size_t want = static_cast<std::size_t>(o.pilots < 0 ? (n_units >= 10 ? 3 : 0) : o.pilots);
  if (want == 0) return out;
  std::vector<cand> pool;
  for (const auto& c : sorted_by_jsd)
    if (c.respondents >= enough) pool.push_back(c);
  bool relaxed = false;
  if (pool.size() < want) {
    pool = sorted_by_jsd;
    relaxed = true;
  }
  std::vector<char> used(pool.size(), 0);
  std::vector<int> branches_used;
  auto branch_of = [&](int u) {
    int b = org.units[static_cast<std::size_t>(u)].branch;
    return b < 0 ? u : b;
  };
  // First one per branch, closest first; then the closest of the rest.
  for (int pass = 0; pass < 2 && out.size() < want; ++pass) {
    for (std::size_t i = 0; i < pool.size() && out.size() < want; ++i) {
      if (used[i]) continue;
      int b = branch_of(pool[i].unit);
      bool new_branch =
          std::find(branches_used.begin(), branches_used.end(), b) == branches_used.end();
      if (pass == 0 && !new_branch) continue;
      used[i] = 1;
      branches_used.push_back(b);
      const org_unit& ou = org.units[static_cast<std::size_t>(pool[i].unit)];
      std::string branch_text;
      if (ou.branch >= 0 && ou.branch != pool[i].unit)
        branch_text = fmt::format("in the branch of '{}'", org.units[static_cast<std::size_t>(ou.branch)].name);
      else if (ou.branch == pool[i].unit)
        branch_text = "a branch of its own";
      else
        branch_text = "above the branches";
      pilot_choice c;
      c.unit = pool[i].unit;
      c.jsd = pool[i].jsd;
      c.reason = fmt::format(
          "its people's themes are close to the whole organisation's (Jensen-Shannon divergence "
          "{:.3f}, the {} closest of {} units with answers); {} respondents{}; {}{}",
          pool[i].jsd, ordinal(rank_of(pool[i].unit)), all.size(), pool[i].respondents,
          relaxed ? "" : fmt::format(" (at least {}, the median unit's)", enough), branch_text,
          new_branch ? (pass == 0 ? ", where no other pilot is" : "")
                     : ", which already has a pilot (too few branches to spread them)");
      out.push_back(std::move(c));
    }
  }
  if (out.size() < want)
    diag::warning(fmt::format("only {} of the {} pilots could be chosen: {} units have answers",
                              out.size(), want, all.size()));
  return out;
}

}  // namespace

dispatch_plan make_plan(const organisation& org, const line_data& line,
                        const dispatch_options& o) {
  dispatch_plan plan;
  plan.checkup_every = o.checkup_every;
  const std::size_t n_units = org.units.size();
  // Tasks: central, then secondary, then tertiary, each in rank order; no empty theme.
  int central = -1;
  for (std::size_t t = 0; t < line.themes.size(); ++t) {
    const auto& th = line.themes[t];
    if (th.ideas <= 0) {
      if (th.tier != "other") plan.skipped.push_back(static_cast<int>(t));
      continue;
    }
    if (th.tier == "central") central = static_cast<int>(t);
  }
  if (central < 0)
    throw data_error(line.source, 0,
                     "the line has no central theme with ideas behind it, so there is no "
                     "central task to dispatch; run ml-concentrate again on the ideas");
  plan.tasks.push_back(central);
  for (const char* tier : {"secondary", "tertiary"})
    for (std::size_t t = 0; t < line.themes.size(); ++t)
      if (line.themes[t].tier == tier && line.themes[t].ideas > 0)
        plan.tasks.push_back(static_cast<int>(t));
  std::vector<char> is_task(line.themes.size(), 0);
  for (int t : plan.tasks) is_task[static_cast<std::size_t>(t)] = 1;

  // Pilots.
  const std::size_t n_pilots =
      !o.pilot_units.empty() ? o.pilot_units.size()
                             : static_cast<std::size_t>(o.pilots < 0 ? (n_units >= 10 ? 3 : 0) : o.pilots);
  for (const auto& name : o.pilot_units)
    if (org.find(name) < 0)
      throw usage_error(fmt::format("--pilot '{}' is not a unit of {}; give a unit as the "
                                    "organisation file names it",
                                    name, org.file));
  for (std::size_t i = 0; i < o.pilot_units.size(); ++i)
    for (std::size_t j = 0; j < i; ++j)
      if (o.pilot_units[i] == o.pilot_units[j])
        throw usage_error(fmt::format("--pilot '{}' is given twice", o.pilot_units[i]));
  if (!o.force && n_pilots > 0 && (n_pilots > 3 || n_pilots * 3 > n_units))
    throw usage_error(fmt::format(
        "{} pilots of {} units is too many: a pilot phase is two or three units, \"but not too "
        "many\" (at most 3, and at most a third of the units); give --force to pilot more",
        n_pilots, n_units));
  if (n_pilots > n_units)
    throw usage_error(fmt::format("{} pilots but only {} units", n_pilots, n_units));
  plan.pilots = choose_pilots(org, line, o);
  std::vector<char> is_pilot(n_units, 0);
  for (const auto& p : plan.pilots) is_pilot[static_cast<std::size_t>(p.unit)] = 1;

  // Dates.
  plan.start = o.start.empty() ? today_utc() : date_option(o.start, "--start");
  plan.pilot_end = plan.start + 7LL * o.pilot_weeks;
  plan.rollout_start = plan.pilots.empty() ? plan.start : plan.pilot_end;
  plan.due = o.due.empty() ? plan.start + 84 : date_option(o.due, "--due");
  if (plan.due <= plan.rollout_start)
    throw usage_error(fmt::format(
        "--due {} is not after the roll-out starts ({}{}); give a later --due{}",
        format_date(plan.due), format_date(plan.rollout_start),
        plan.pilots.empty() ? "" : fmt::format(", after the {}-week pilot phase", o.pilot_weeks),
        plan.pilots.empty() ? "" : " or fewer --pilot-weeks"));
  auto checkups = [&](long long from) {
    std::vector<long long> c;
    for (long long d = from + o.checkup_every; d < plan.due; d += o.checkup_every) c.push_back(d);
    c.push_back(plan.due);
    return c;
  };
  const std::vector<long long> pilot_checkups = checkups(plan.start);
  const std::vector<long long> rollout_checkups = checkups(plan.rollout_start);

  // Unknown units.
  for (std::size_t i = 0; i < line.units.size(); ++i)
    if (org.find(line.unit_names[i]) < 0)
      plan.unknown_units.push_back({line.unit_names[i], line.units[i].ideas,
                                    static_cast<long long>(line.units[i].respondents.size())});
  std::sort(plan.unknown_units.begin(), plan.unknown_units.end(),
            [](const auto& a, const auto& b) { return a.name < b.name; });

  // What each unit's people raised, its sub-units' people included: deepest units first.
  plan.unit_data.resize(n_units);
  for (std::size_t u = 0; u < n_units; ++u) {
    const line_unit* lu = line.unit(org.units[u].name);
    if (lu) plan.unit_data[u] = *lu;
    else ++plan.units_without_ideas;
  }
  {
    std::vector<int> by_depth(n_units);
    for (std::size_t u = 0; u < n_units; ++u) by_depth[u] = static_cast<int>(u);
    std::stable_sort(by_depth.begin(), by_depth.end(), [&](int a, int b) {
      return org.units[static_cast<std::size_t>(a)].depth > org.units[static_cast<std::size_t>(b)].depth;
    });
    const std::size_t keep = static_cast<std::size_t>(std::max(o.quotes, 0)) * 3 + 2;
    for (int u : by_depth) {
      line_unit& lu = plan.unit_data[static_cast<std::size_t>(u)];
      sort_unique(lu.respondents);
      for (auto& pt : lu.themes) sort_unique(pt.respondents);
      int p = org.units[static_cast<std::size_t>(u)].parent_index;
      if (p < 0) continue;
      line_unit& up = plan.unit_data[static_cast<std::size_t>(p)];
      up.ideas += lu.ideas;
      up.unassigned += lu.unassigned;
      up.volunteers += lu.volunteers;
      up.contacts.insert(up.contacts.end(), lu.contacts.begin(), lu.contacts.end());
      up.respondents.insert(up.respondents.end(), lu.respondents.begin(), lu.respondents.end());
      for (const auto& pt : lu.themes) {
        auto& upt = up.at(pt.theme);
        upt.ideas += pt.ideas;
        upt.respondents.insert(upt.respondents.end(), pt.respondents.begin(), pt.respondents.end());
        upt.idea_idx.insert(upt.idea_idx.end(), pt.idea_idx.begin(), pt.idea_idx.end());
        for (const auto& c : pt.candidates)
          if (upt.candidates.size() < keep) upt.candidates.push_back(c);
      }
    }
  }

  // Directives, unit by unit.
  plan.unit_first.reserve(n_units + 1);
  for (std::size_t u = 0; u < n_units; ++u) {
    plan.unit_first.push_back(plan.directives.size());
    const org_unit& ou = org.units[u];
    const line_unit& lu = plan.unit_data[u];
    auto unit_resp = [&](int t) -> long long {
      const auto* pt = lu.find(t);
      return pt ? static_cast<long long>(pt->respondents.size()) : 0;
    };
    auto unit_ideas = [&](int t) -> long long {
      if (const auto* pt = lu.find(t)) return pt->ideas;
      if (!line.has_ideas) {
        auto x = line.themes[static_cast<std::size_t>(t)].unit_ideas.find(ou.name);
        if (x != line.themes[static_cast<std::size_t>(t)].unit_ideas.end()) return x->second;
      }
      return 0;
    };
    // The unit's evidence orders tasks within a tier: more of its people first.
    auto by_evidence = [&](int a, int b) {
      long long ra = unit_resp(a), rb = unit_resp(b);
      if (ra != rb) return ra > rb;
      long long ia = unit_ideas(a), ib = unit_ideas(b);
      if (ia != ib) return ia > ib;
      return a < b;  // the line's rank
    };
    std::vector<std::pair<int, std::string>> order;  // theme, tier
    order.emplace_back(plan.tasks[0], "central");
    for (const char* tier : {"secondary", "tertiary"}) {
      std::vector<int> ts;
      for (std::size_t i = 1; i < plan.tasks.size(); ++i)
        if (line.themes[static_cast<std::size_t>(plan.tasks[i])].tier == tier)
          ts.push_back(plan.tasks[i]);
      std::stable_sort(ts.begin(), ts.end(), by_evidence);
      for (int t : ts) order.emplace_back(t, tier);
    }
    // Local concerns: themes outside the line's tasks that enough of the unit's people raised.
    if (o.local > 0) {
      std::vector<int> ls;
      for (const auto& pt : lu.themes) {
        if (is_task[static_cast<std::size_t>(pt.theme)]) continue;
        long long support = line.has_ideas ? static_cast<long long>(pt.respondents.size()) : pt.ideas;
        if (support >= o.local_min) ls.push_back(pt.theme);
      }
      std::stable_sort(ls.begin(), ls.end(), by_evidence);
      if (ls.size() > static_cast<std::size_t>(o.local)) ls.resize(static_cast<std::size_t>(o.local));
      for (int t : ls) order.emplace_back(t, "local");
    }
    int k = 0;
    for (auto& [t, tier] : order) {
      directive dv;
      dv.unit = static_cast<int>(u);
      dv.theme = t;
      dv.tier = tier;
      dv.order = ++k;
      dv.id = directive_id(ou.name, line.themes[static_cast<std::size_t>(t)].id);
      dv.pilot = is_pilot[u] != 0;
      dv.unit_ideas = unit_ideas(t);
      dv.unit_respondents = unit_resp(t);
      if (const auto* pt = lu.find(t)) {
        dv.idea_idx = pt->idea_idx;
        // Quotes: distinct respondents first (the theme's own quotes lead the candidates).
        std::vector<int> seen;
        std::vector<char> taken(pt->candidates.size(), 0);
        for (int pass = 0; pass < 2; ++pass)
          for (std::size_t c = 0; c < pt->candidates.size(); ++c) {
            if (dv.quotes.size() >= static_cast<std::size_t>(o.quotes)) break;
            if (taken[c]) continue;
            const auto& q = pt->candidates[c];
            bool fresh = q.respondent < 0 ||
                         std::find(seen.begin(), seen.end(), q.respondent) == seen.end();
            if (pass == 0 && !fresh) continue;
            taken[c] = 1;
            seen.push_back(q.respondent);
            dv.quotes.push_back(q);
          }
      }
      dv.start = dv.pilot ? plan.start : plan.rollout_start;
      dv.due = plan.due;
      dv.checkups = dv.pilot ? pilot_checkups : rollout_checkups;
      plan.directives.push_back(std::move(dv));
    }
  }
  plan.unit_first.push_back(plan.directives.size());
  return plan;
}

}  // namespace ml
