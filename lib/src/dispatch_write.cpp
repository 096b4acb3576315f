// SPDX-License-Identifier: Apache-2.0
// ml-dispatch's texts and its directive stream (JSON Lines, or one CSV spreadsheet), and the
// run itself: organisation, line, plan, output, letters, tally.
#include <fmt/format.h>

#include <cstdio>
#include <memory>

#include "ml/spool.hpp"
#include "ml/diag.hpp"
#include "ml/dispatch.hpp"
#include "ml/error.hpp"
#include "ml/json_writer.hpp"
#include "ml/output.hpp"
#include "ml/records.hpp"
#include "ml/render.hpp"
#include "ml/timefmt.hpp"

namespace ml {

std::string task_title(const line_theme& t) { return t.phrase.empty() ? t.label : t.phrase; }

long long unit_people(const dispatch_plan& plan, int unit) {
  return static_cast<long long>(plan.unit_data[static_cast<std::size_t>(unit)].respondents.size());
}

namespace {

std::string people(long long n) { return n == 1 ? "1 person" : fmt::format("{} people", n); }

std::string percent(long long part, long long whole) {
  if (whole <= 0) return "0%";
  return fmt::format("{}%", static_cast<long long>(std::lround(100.0 * static_cast<double>(part) /
                                                               static_cast<double>(whole))));
}

}  // namespace

std::string call_text(const line_data& line, const directive& d) {
  const line_theme& t = line.themes[static_cast<std::size_t>(d.theme)];
  std::string what = task_title(t);
  std::string label = t.label.empty() || t.label == what ? "" : fmt::format(" ({})", t.label);
  std::string who = fmt::format("{} in {} {} raised it", people(t.respondents), t.units,
                                t.units == 1 ? "unit" : "units");
  if (d.tier == "central")
    return fmt::format("The central task for every unit, before all others: {}{}. {}.", what,
                       label, who);
  if (d.tier == "local")
    return fmt::format("Your own people's concern, which the general line does not cover: {}{}. "
                       "See to it alongside the line's tasks.",
                       what, label);
  return fmt::format("A {} task for every unit, after the central one: {}{}. {}.", d.tier, what,
                     label, who);
}

std::string guidance_text(const line_data& line, const dispatch_plan& plan,
                          const directive& d) {
  long long total = unit_people(plan, d.unit);
  std::string s;
  if (!line.has_ideas) {
    s = d.unit_ideas > 0
            ? fmt::format("{} of your people's ideas are in this theme.", d.unit_ideas)
            : "None of your people's ideas are in this theme. Explain the task to them, hear "
              "what they say, and report it back.";
  } else if (d.unit_respondents > 0) {
    s = fmt::format("{} of your {} respondents ({}) raised this, in {} {}; start from their own "
                    "words.",
                    d.unit_respondents, total, percent(d.unit_respondents, total), d.unit_ideas,
                    d.unit_ideas == 1 ? "idea" : "ideas");
  } else if (total > 0) {
    s = fmt::format("None of your {} respondents raised this. Explain the task to your people, "
                    "hear what they say, and report it back.",
                    total);
  } else {
    s = "None of your people answered the survey. Explain the task to them, hear what they say, "
        "and report it back.";
  }
  if (d.pilot)
    s += fmt::format(" Your unit is a pilot: start on {}; the roll-out to the other units on {} "
                     "waits on what you learn.",
                     format_date(plan.start), format_date(plan.rollout_start));
  return s;
}

namespace {

void write_to(json_writer& w, const org_unit& u) {
  w.key("to").begin_object();
  w.key("head").value(u.head);
  w.key("responsible").string_or_null(u.responsible);
  w.key("contact").string_or_null(u.contact);
  w.end_object();
}

void write_volunteers(json_writer& w, const dispatch_plan& plan, int unit);

void write_directive(json_writer& w, const organisation& org, const line_data& line,
                     const dispatch_plan& plan, const directive& d, bool volunteers) {
  const org_unit& u = org.units[static_cast<std::size_t>(d.unit)];
  const line_theme& t = line.themes[static_cast<std::size_t>(d.theme)];
  w.begin_object();
  w.key("type").value("directive");
  w.key("id").value(d.id);
  w.key("unit").value(u.name);
  write_to(w, u);
  w.key("theme").value(t.id);
  w.key("tier").value(d.tier);
  w.key("order").value(d.order);
  w.key("phase").value(d.pilot ? "pilot" : "rollout");
  w.key("call").begin_object();
  w.key("text").value(call_text(line, d));
  w.key("label").value(t.label);
  w.key("phrase").value(t.phrase);
  w.key("keywords").begin_array();
  for (const auto& k : t.keywords) w.value(k);
  w.end_array();
  w.key("support").begin_object();
  w.key("respondents").value(t.respondents);
  w.key("ideas").value(t.ideas);
  w.key("units").value(t.units);
  w.end_object();
  w.end_object();
  long long total = unit_people(plan, d.unit);
  w.key("guidance").begin_object();
  w.key("text").value(guidance_text(line, plan, d));
  if (line.has_ideas)
    w.key("respondents").value(d.unit_respondents);
  else
    w.key("respondents").null();
  w.key("ideas").value(d.unit_ideas);
  if (line.has_ideas)
    w.key("unit_respondents").value(total);
  else
    w.key("unit_respondents").null();
  if (line.has_ideas && total > 0)
    w.key("share").value(std::round(10000.0 * static_cast<double>(d.unit_respondents) /
                                    static_cast<double>(total)) /
                         10000.0);
  else
    w.key("share").null();
  if (u.members >= 0)
    w.key("members").value(u.members);
  else
    w.key("members").null();
  w.key("quotes").begin_array();
  for (const auto& q : d.quotes) {
    w.begin_object();
    w.key("idea").value(line.idea_ids.get(q.idea));
    w.key("text").value(line.texts.get(q.text));
    w.key("respondent").string_or_null(line.respondent(q.respondent));
    w.end_object();
  }
  w.end_array();
  // The leading group's nucleus rides on the central task, when the survey asked.
  if (d.tier == "central" && volunteers) write_volunteers(w, plan, d.unit);
  w.end_object();
  if (d.pilot) {
    const pilot_choice* pc = nullptr;
    for (const auto& p : plan.pilots)
      if (p.unit == d.unit) pc = &p;
    w.key("pilot").begin_object();
    w.key("reason").value(pc ? pc->reason : std::string());
    w.key("jsd").value(pc ? std::round(pc->jsd * 1e4) / 1e4 : 1.0);
    w.key("until").value(format_date(plan.pilot_end));
    w.end_object();
  }
  w.key("start").value(format_date(d.start));
  w.key("checkup").begin_array();
  for (long long c : d.checkups) w.value(format_date(c));
  w.end_array();
  w.key("due").value(format_date(d.due));
  w.key("ideas").begin_array();
  for (std::uint32_t i : d.idea_idx) w.value(line.idea_ids.get(i));
  w.end_array();
  w.end_object();
}

void write_volunteers(json_writer& w, const dispatch_plan& plan, int unit) {
  const line_unit& lu = plan.unit_data[static_cast<std::size_t>(unit)];
  w.key("volunteers").begin_object();
  w.key("count").value(lu.volunteers);
  w.key("contacts").begin_array();
  for (const auto& c : lu.contacts) w.value(c);
  w.end_array();
  w.end_object();
}

void write_summary(json_writer& w, const organisation& org, const line_data& line,
                   const dispatch_plan& plan) {
  w.begin_object();
  w.key("type").value("dispatch");
  w.key("units").value(org.units.size());
  w.key("directives").value(plan.directives.size());
  w.key("central").value(line.themes[static_cast<std::size_t>(plan.tasks[0])].id);
  w.key("tasks").begin_array();
  for (int t : plan.tasks) w.value(line.themes[static_cast<std::size_t>(t)].id);
  w.end_array();
  w.key("skipped").begin_array();
  for (int t : plan.skipped) w.value(line.themes[static_cast<std::size_t>(t)].id);
  w.end_array();
  w.key("pilots").begin_array();
  for (const auto& p : plan.pilots) {
    w.begin_object();
    w.key("unit").value(org.units[static_cast<std::size_t>(p.unit)].name);
    w.key("jsd").value(std::round(p.jsd * 1e4) / 1e4);
    w.key("reason").value(p.reason);
    w.end_object();
  }
  w.end_array();
  w.key("start").value(format_date(plan.start));
  if (plan.pilots.empty())
    w.key("pilot_end").null();
  else
    w.key("pilot_end").value(format_date(plan.pilot_end));
  w.key("rollout_start").value(format_date(plan.rollout_start));
  w.key("due").value(format_date(plan.due));
  w.key("checkup_every").value(plan.checkup_every);
  w.key("ideas").value(line.ideas);
  w.key("respondents").value(line.respondents);
  w.key("no_unit_ideas").value(line.no_unit_ideas);
  w.key("units_without_ideas").value(plan.units_without_ideas);
  w.key("unknown_units").begin_array();
  for (const auto& x : plan.unknown_units) {
    w.begin_object();
    w.key("unit").value(x.name);
    w.key("ideas").value(x.ideas);
    w.key("respondents").value(x.respondents);
    w.end_object();
  }
  w.end_array();
  w.end_object();
}

void write_brief(json_writer& w, const organisation& org, const line_data& line,
                 const dispatch_plan& plan, int unit) {
  const org_unit& u = org.units[static_cast<std::size_t>(unit)];
  w.begin_object();
  w.key("type").value("brief");
  w.key("unit").value(u.name);
  write_to(w, u);
  w.key("sub_units").begin_array();
  for (int c : u.children) {
    const org_unit& cu = org.units[static_cast<std::size_t>(c)];
    w.begin_object();
    w.key("unit").value(cu.name);
    w.key("head").value(cu.head);
    w.key("responsible").string_or_null(cu.responsible);
    std::size_t b = plan.unit_first[static_cast<std::size_t>(c)],
                e = plan.unit_first[static_cast<std::size_t>(c) + 1];
    w.key("phase").value(b < e && plan.directives[b].pilot ? "pilot" : "rollout");
    w.key("sub_units").value(cu.children.size());
    w.key("directives").begin_array();
    for (std::size_t i = b; i < e; ++i) {
      const directive& d = plan.directives[i];
      const line_theme& t = line.themes[static_cast<std::size_t>(d.theme)];
      w.begin_object();
      w.key("id").value(d.id);
      w.key("theme").value(t.id);
      w.key("tier").value(d.tier);
      w.key("order").value(d.order);
      w.key("task").value(task_title(t));
      if (line.has_ideas)
        w.key("respondents").value(d.unit_respondents);
      else
        w.key("respondents").null();
      w.key("ideas").value(d.unit_ideas);
      w.end_object();
    }
    w.end_array();
    w.end_object();
  }
  w.end_array();
  w.end_object();
}

void write_csv(output& out, const organisation& org, const line_data& line,
               const dispatch_plan& plan) {
  out.line("directive,unit,head,responsible,contact,phase,order,tier,theme,task,call,guidance,"
           "respondents,ideas,quotes,start,checkups,due,pilot_reason");
  std::string row;
  for (const auto& d : plan.directives) {
    const org_unit& u = org.units[static_cast<std::size_t>(d.unit)];
    const line_theme& t = line.themes[static_cast<std::size_t>(d.theme)];
    std::string quotes, checkups, reason;
    for (const auto& q : d.quotes)
      quotes += (quotes.empty() ? "" : " | ") + std::string(line.texts.get(q.text));
    for (long long c : d.checkups) checkups += (checkups.empty() ? "" : " ") + format_date(c);
    for (const auto& p : plan.pilots)
      if (p.unit == d.unit) reason = p.reason;
    row.clear();
    for (const std::string& f :
         {d.id, u.name, u.head, u.responsible, u.contact,
          std::string(d.pilot ? "pilot" : "rollout"), std::to_string(d.order), d.tier, t.id,
          task_title(t), call_text(line, d),
          guidance_text(line, plan, d),
          line.has_ideas ? std::to_string(d.unit_respondents) : std::string(),
          std::to_string(d.unit_ideas), quotes, format_date(d.start), checkups,
          format_date(d.due), reason}) {
      if (!row.empty()) row += ',';
      row += csv_field(f);
    }
    out.line(row);
  }
}


}  // namespace

int run_dispatch(const dispatch_options& o) {
  if (o.org.empty()) throw usage_error("--org FILE is required: the units, their heads and parents");
  if (o.format != "jsonl" && o.format != "csv")
    throw usage_error(fmt::format("--format '{}': use jsonl or csv", o.format));
  {
    std::vector<std::string> ins = o.inputs;
    ins.push_back(o.org);
    check_inputs_and_outputs(ins, {o.output});
  }
  organisation org = read_org(o.org, {});
  for (int u : org.without_responsible)
    if (u == org.without_responsible.front())
      diag::warning(fmt::format(
          "{}: {} {} no responsible person (first: '{}' at {}); their directives go to the "
          "head alone",
          org.file, org.without_responsible.size(),
          org.without_responsible.size() == 1 ? "unit has" : "units have",
          org.units[static_cast<std::size_t>(u)].name, org.units[static_cast<std::size_t>(u)].where));
  std::unique_ptr<ml::spool> spooled;
  if (o.format == "jsonl" && !o.directives_only) spooled = std::make_unique<ml::spool>();
  line_data line = read_line(o, [&](std::string_view raw) {
    if (spooled) {
      spooled->append(raw);
      spooled->append("\n");
    }
  });
  if (!line.has_ideas)
    diag::warning(fmt::format("{}: the line has no idea records, so directives count ideas per "
                              "unit but quote nobody; run ml-concentrate without --no-ideas",
                              line.source));
  if (!o.volunteer.empty() && o.contact_consent.empty() && !o.contact.empty())
    diag::warning("--contact without --contact-consent: no contacts are listed; name the answer "
                  "where volunteers agreed to share theirs");
  dispatch_plan plan = make_plan(org, line, o);
  for (const auto& x : plan.unknown_units)
    if (&x == &plan.unknown_units.front())
      diag::warning(fmt::format(
          "{} {} in the ideas {} not in {} (first: '{}', {} ideas); {} no directives: add "
          "{} to the organisation file",
          plan.unknown_units.size(), plan.unknown_units.size() == 1 ? "unit" : "units",
          plan.unknown_units.size() == 1 ? "is" : "are", org.file, x.name, x.ideas,
          plan.unknown_units.size() == 1 ? "it gets" : "they get",
          plan.unknown_units.size() == 1 ? "it" : "them"));

  output out(o.output);
  if (o.format == "csv") {
    write_csv(out, org, line, plan);
  } else {
    json_writer w;
    w.begin_object().key("type").value("header").key("v").value(records_version);
    w.key("tool").value("ml-dispatch").key("version").value(ML_VERSION).end_object();
    out.line(w.str());
    w.clear();
    write_summary(w, org, line, plan);
    out.line(w.str());
    for (const auto& d : plan.directives) {
      w.clear();
      write_directive(w, org, line, plan, d, !o.volunteer.empty());
      out.line(w.str());
    }
    for (std::size_t u = 0; u < org.units.size(); ++u)
      if (!org.units[u].children.empty()) {
        w.clear();
        write_brief(w, org, line, plan, static_cast<int>(u));
        out.line(w.str());
      }
    if (spooled) spooled->copy_to(out);
  }
  long long files = 0;
  if (!o.out_dir.empty()) files = write_letters(org, line, plan, o);
  out.commit();

  long long central = 0, tasks = 0, local = 0;
  for (const auto& d : plan.directives) {
    if (d.tier == "central") ++central;
    else if (d.tier == "local") ++local;
    else ++tasks;
  }
  std::string pilots;
  for (const auto& p : plan.pilots)
    pilots += (pilots.empty() ? "" : ", ") + org.units[static_cast<std::size_t>(p.unit)].name;
  diag::note(fmt::format(
      "{} units: {} directives ({} central, {} secondary and tertiary, {} local); {}{}{}",
      org.units.size(), plan.directives.size(), central, tasks, local,
      plan.pilots.empty() ? std::string("no pilot phase")
                          : fmt::format("pilots {} until {}", pilots, format_date(plan.pilot_end)),
      plan.unknown_units.empty()
          ? std::string()
          : fmt::format("; {} not in the organisation",
                        plan.unknown_units.size() == 1
                            ? std::string("1 unit")
                            : fmt::format("{} units", plan.unknown_units.size())),
      files ? fmt::format("; {} files in {}", files, o.out_dir) : std::string()));
  return exit_ok;
}

}  // namespace ml
