// SPDX-License-Identifier: Apache-2.0
// ml-dispatch --out-dir: a letter per unit to its head (Markdown and self-contained HTML),
// an index, and a report template per unit that ml-review reads back. Every text from
// respondents or the organisation file is escaped for where it goes; file names are made
// safe and unique.
#include <fmt/format.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "ml/dispatch.hpp"
#include "ml/error.hpp"
#include "ml/output.hpp"
#include "ml/render.hpp"
#include "ml/timefmt.hpp"

namespace ml {

namespace {

/// A small document model, rendered to Markdown and to HTML from the same blocks.
struct cell {
  std::string text, href;
};
struct block {
  enum kind_t { heading, para, quotes, list, table } kind;
  int level = 2;
  std::string text;
  std::vector<std::string> items;       // quotes, list
  std::vector<std::string> header;      // table
  std::vector<std::vector<cell>> rows;  // table
};

struct document {
  std::string title;
  std::vector<block> blocks;
  void h(int level, std::string t) { blocks.push_back({block::heading, level, std::move(t), {}, {}, {}}); }
  void p(std::string t) { blocks.push_back({block::para, 0, std::move(t), {}, {}, {}}); }
  void q(std::vector<std::string> items) {
    if (!items.empty()) blocks.push_back({block::quotes, 0, {}, std::move(items), {}, {}});
  }
  void ul(std::vector<std::string> items) {
    if (!items.empty()) blocks.push_back({block::list, 0, {}, std::move(items), {}, {}});
  }
  void tbl(std::vector<std::string> header, std::vector<std::vector<cell>> rows) {
    blocks.push_back({block::table, 0, {}, {}, std::move(header), std::move(rows)});
  }
};

/// A link target: file names are ours (safe stems), still percent-encode all but safe bytes.
std::string href_encode(std::string_view s) {
  std::string out;
  for (unsigned char c : s) {
    if (std::isalnum(c) || c == '-' || c == '_' || c == '.' || c >= 0x80)
      out += static_cast<char>(c);
    else
      out += fmt::format("%{:02X}", c);
  }
  return out;
}

std::string to_markdown(const document& d) {
  std::string s;
  for (const auto& b : d.blocks) {
    switch (b.kind) {
      case block::heading:
        s += std::string(static_cast<std::size_t>(b.level), '#') + " " + markdown_escape(b.text) + "\n\n";
        break;
      case block::para: s += markdown_escape(b.text) + "\n\n"; break;
      case block::quotes:
        for (const auto& i : b.items) s += "> \u201C" + markdown_escape(i) + "\u201D\n>\n";
        s.resize(s.size() - 2);
        s += "\n";
        break;
      case block::list:
        for (const auto& i : b.items) s += "- " + markdown_escape(i) + "\n";
        s += "\n";
        break;
      case block::table: {
        s += "|";
        for (const auto& h : b.header) s += " " + markdown_escape(h) + " |";
        s += "\n|";
        for (std::size_t i = 0; i < b.header.size(); ++i) s += "---|";
        s += "\n";
        for (const auto& r : b.rows) {
          s += "|";
          for (const auto& c : r) {
            std::string t = markdown_escape(c.text);
            s += " " + (c.href.empty() ? t : "[" + t + "](" + href_encode(c.href) + ")") + " |";
          }
          s += "\n";
        }
        s += "\n";
        break;
      }
    }
  }
  while (s.size() > 1 && s[s.size() - 1] == '\n' && s[s.size() - 2] == '\n') s.pop_back();
  return s;
}

constexpr const char* css =
    "body{font-family:system-ui,sans-serif;max-width:46rem;margin:2rem auto;padding:0 1rem;"
    "line-height:1.5;color:#222}h1{font-size:1.6rem}h2{font-size:1.25rem;margin-top:2rem;"
    "border-bottom:1px solid #ddd}h3{font-size:1.05rem}blockquote{margin:.5rem 0;padding:.2rem "
    ".8rem;border-left:4px solid #b33;background:#faf6f6}table{border-collapse:collapse;"
    "width:100%}th,td{border:1px solid #ccc;padding:.3rem .5rem;text-align:left;"
    "vertical-align:top}th{background:#f3f3f3}@media print{body{margin:0}}";

std::string to_html(const document& d) {
  std::string s = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  s += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  s += "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src "
       "'unsafe-inline'\">\n";
  s += "<title>" + html_escape(d.title) + "</title>\n<style>" + css + "</style>\n</head>\n<body>\n";
  for (const auto& b : d.blocks) {
    switch (b.kind) {
      case block::heading:
        s += fmt::format("<h{0}>{1}</h{0}>\n", b.level, html_escape(b.text));
        break;
      case block::para: s += "<p>" + html_escape(b.text) + "</p>\n"; break;
      case block::quotes:
        for (const auto& i : b.items)
          s += "<blockquote>\u201C" + html_escape(i) + "\u201D</blockquote>\n";
        break;
      case block::list:
        s += "<ul>\n";
        for (const auto& i : b.items) s += "<li>" + html_escape(i) + "</li>\n";
        s += "</ul>\n";
        break;
      case block::table:
        s += "<table>\n<thead><tr>";
        for (const auto& h : b.header) s += "<th>" + html_escape(h) + "</th>";
        s += "</tr></thead>\n<tbody>\n";
        for (const auto& r : b.rows) {
          s += "<tr>";
          for (const auto& c : r) {
            std::string t = html_escape(c.text);
            s += "<td>" + (c.href.empty() ? t : "<a href=\"" + html_escape(href_encode(c.href)) +
                                                    "\">" + t + "</a>") +
                 "</td>";
          }
          s += "</tr>\n";
        }
        s += "</tbody>\n</table>\n";
        break;
    }
  }
  s += "</body>\n</html>\n";
  return s;
}

void write_file(const std::string& dir, const std::string& name, const std::string& content,
                long long& count) {
  output out(dir + "/" + name);
  out.set_durable(false);  // synced once, at the end (write_letters)
  out.write(content);
  out.commit();
  ++count;
}

std::string dates_of(const std::vector<long long>& days) {
  std::string s;
  for (long long d : days) s += (s.empty() ? "" : ", ") + format_date(d);
  return s;
}

std::string tier_title(const directive& d) {
  if (d.tier == "central") return "The central task";
  if (d.tier == "secondary") return "Secondary task";
  if (d.tier == "tertiary") return "Tertiary task";
  return "Your people's own concern";
}

}  // namespace

long long write_letters(const organisation& org, const line_data& line, const dispatch_plan& plan,
                        const dispatch_options& o) {
  const std::string& dir = o.out_dir;
  if (::mkdir(dir.c_str(), 0777) != 0 && errno != EEXIST)
    throw cant_create_error(dir, std::strerror(errno));
  struct stat st {};
  if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode))
    throw cant_create_error(dir, "not a directory");
  long long count = 0;
  file_stems stems({"index"});
  std::vector<std::string> stem(org.units.size());
  for (std::size_t u = 0; u < org.units.size(); ++u) stem[u] = stems.make(org.units[u].name);

  const line_theme& central = line.themes[static_cast<std::size_t>(plan.tasks[0])];
  std::string origin = fmt::format(
      "The line comes from {} ideas of {} people; its central task was raised by {} people in {} "
      "units.",
      line.ideas, line.respondents, central.respondents, central.units);

  for (std::size_t u = 0; u < org.units.size(); ++u) {
    const org_unit& ou = org.units[u];
    std::size_t b = plan.unit_first[u], e = plan.unit_first[u + 1];
    bool pilot = b < e && plan.directives[b].pilot;
    document doc;
    doc.title = "Directives for " + ou.name;
    doc.h(1, doc.title);
    doc.p(fmt::format("To: {}, head of {}", ou.head, ou.name));
    if (!ou.responsible.empty()) doc.p(fmt::format("Also to: {}, with specific responsibility", ou.responsible));
    long long people = unit_people(plan, static_cast<int>(u));
    doc.p(origin + (people > 0 ? fmt::format(" {} of your people answered.", people)
                               : std::string(" None of your people answered.")));
    if (pilot) {
      std::string reason;
      for (const auto& p : plan.pilots)
        if (p.unit == static_cast<int>(u)) reason = p.reason;
      doc.p(fmt::format("Your unit is one of {} pilot units. Start on {}; the other units start on "
                        "{}, after what the pilots learn. Chosen because {}.",
                        plan.pilots.size(), format_date(plan.start),
                        format_date(plan.rollout_start), reason));
    } else {
      doc.p(fmt::format("Start on {}. Do the tasks in this order; the first one comes before all "
                        "others.",
                        format_date(plan.rollout_start)));
    }
    bool local_heading = false;
    for (std::size_t i = b; i < e; ++i) {
      const directive& d = plan.directives[i];
      const line_theme& t = line.themes[static_cast<std::size_t>(d.theme)];
      if (d.tier == "local" && !local_heading) {
        doc.h(2, "Your own people's concerns");
        doc.p("These are not in the general line, but enough of your people raised them that "
              "they must not be left aside.");
        local_heading = true;
      }
      doc.h(d.tier == "local" ? 3 : 2, fmt::format("{}. {}: {}", d.order, tier_title(d), task_title(t)));
      doc.p(call_text(line, d));
      doc.p(guidance_text(line, plan, d));
      std::vector<std::string> q;
      for (const auto& x : d.quotes) q.emplace_back(line.texts.get(x.text));
      doc.q(std::move(q));
      doc.p(fmt::format("Directive {}.", d.id));
    }
    if (!o.volunteer.empty()) {
      const line_unit& lu = plan.unit_data[u];
      long long v = lu.volunteers;
      doc.h(2, "The leading group");
      doc.p(v == 0 ? std::string("None of your people offered to help yet: find the active ones "
                                 "as you explain the tasks.")
                   : fmt::format("{} of your people said they will help: the nucleus of your "
                                 "leading group.",
                                 v));
      if (!lu.contacts.empty()) {
        doc.p("Those who gave a contact and agreed to share it:");
        doc.ul(lu.contacts);
      }
    }
    if (!ou.children.empty()) {
      doc.h(2, "What your sub-units were asked");
      std::vector<std::vector<cell>> rows;
      for (int c : ou.children) {
        const org_unit& cu = org.units[static_cast<std::size_t>(c)];
        std::size_t cb = plan.unit_first[static_cast<std::size_t>(c)],
                    ce = plan.unit_first[static_cast<std::size_t>(c) + 1];
        std::string tasks;
        for (std::size_t i = cb; i < ce; ++i) {
          const directive& d = plan.directives[i];
          tasks += fmt::format("{}{}. {} ({})", tasks.empty() ? "" : "; ", d.order,
                               task_title(line.themes[static_cast<std::size_t>(d.theme)]),
                               line.has_ideas ? fmt::format("{} of its people", d.unit_respondents)
                                              : fmt::format("{} ideas", d.unit_ideas));
        }
        bool cp = cb < ce && plan.directives[cb].pilot;
        rows.push_back({{cu.name, stem[static_cast<std::size_t>(c)] + ".html"}, {cu.head, {}},
                        {cp ? "pilot" : "roll-out", {}}, {tasks, {}}});
      }
      doc.tbl({"Sub-unit", "Head", "Phase", "Tasks in order"}, std::move(rows));
    }
    doc.h(2, "Dates");
    if (b < e) {
      const directive& d = plan.directives[b];
      doc.ul({fmt::format("Start: {}", format_date(d.start)),
              fmt::format("Check-ups: {}", dates_of(d.checkups)),
              fmt::format("Due: {}", format_date(d.due))});
    }
    doc.h(2, "How to report back");
    std::string to = ou.parent_index >= 0
                         ? fmt::format(" and send it to {}, head of {}",
                                       org.units[static_cast<std::size_t>(ou.parent_index)].head,
                                       org.units[static_cast<std::size_t>(ou.parent_index)].name)
                         : std::string();
    doc.p(fmt::format(
        "At each check-up, fill in {}-report.csv{}. It has a row for every task and check-up date. "
        "Fill in: date (the day you report, YYYY-MM-DD); status (not-started, in-progress, done "
        "or blocked); progress (0 to 100, how far the task has come); support (0 to 100, the "
        "share of your people who back it); notes (what your people say, in their words: the "
        "notes go into the next cycle). Leave the other columns as they are.",
        stem[u], to));
    write_file(dir, stem[u] + ".md", to_markdown(doc), count);
    write_file(dir, stem[u] + ".html", to_html(doc), count);

    // The report template.
    std::string csv =
        "directive,unit,theme,task,tier,order,phase,checkup,date,status,progress,support,notes\n";
    for (std::size_t i = b; i < e; ++i) {
      const directive& d = plan.directives[i];
      const line_theme& t = line.themes[static_cast<std::size_t>(d.theme)];
      for (long long c : d.checkups) {
        csv += csv_field(d.id) + "," + csv_field(ou.name) + "," + csv_field(t.id) + "," +
               csv_field(task_title(t)) + "," + d.tier + "," + std::to_string(d.order) + "," +
               (d.pilot ? "pilot" : "rollout") + "," + format_date(c) + ",,,,,\n";
      }
    }
    write_file(dir, stem[u] + "-report.csv", csv, count);
  }

  // The index.
  document idx;
  idx.title = "Directives: " + task_title(central);
  idx.h(1, idx.title);
  idx.p(origin);
  idx.p(fmt::format("{} units, {} directives. Start {}; check-ups every {} days; due {}.",
                    org.units.size(), plan.directives.size(), format_date(plan.start),
                    plan.checkup_every, format_date(plan.due)));
  if (!plan.pilots.empty()) {
    idx.h(2, "Pilot units");
    idx.p(fmt::format("The pilots start on {}; the roll-out to the other units on {}.",
                      format_date(plan.start), format_date(plan.rollout_start)));
    std::vector<std::string> items;
    for (const auto& p : plan.pilots)
      items.push_back(org.units[static_cast<std::size_t>(p.unit)].name + ": " + p.reason);
    idx.ul(std::move(items));
  }
  idx.h(2, "The tasks, in the line's order");
  {
    std::vector<std::string> items;
    for (int t : plan.tasks) {
      const line_theme& th = line.themes[static_cast<std::size_t>(t)];
      items.push_back(fmt::format("{}: {} ({}; {} people in {} units)", th.tier, task_title(th),
                                  th.label, th.respondents, th.units));
    }
    idx.ul(std::move(items));
  }
  if (!plan.unknown_units.empty()) {
    idx.h(2, "Units in the answers but not in the organisation");
    std::vector<std::string> items;
    for (const auto& x : plan.unknown_units)
      items.push_back(fmt::format("{}: {} ideas of {} people, no directives", x.name, x.ideas,
                                  x.respondents));
    idx.ul(std::move(items));
  }
  idx.h(2, "Units");
  std::vector<std::vector<cell>> rows;
  for (std::size_t u = 0; u < org.units.size(); ++u) {
    const org_unit& ou = org.units[u];
    std::size_t b = plan.unit_first[u], e = plan.unit_first[u + 1];
    bool pilot = b < e && plan.directives[b].pilot;
    rows.push_back({{ou.name, stem[u] + ".html"},
                    {ou.parent, {}},
                    {ou.head, {}},
                    {ou.responsible, {}},
                    {pilot ? "pilot" : "roll-out", {}},
                    {std::to_string(unit_people(plan, static_cast<int>(u))), {}},
                    {std::to_string(e - b), {}},
                    {"letter", stem[u] + ".md"},
                    {"report", stem[u] + "-report.csv"}});
  }
  idx.tbl({"Unit", "Parent", "Head", "Responsible", "Phase", "Answered", "Directives", "Markdown",
           "Template"},
          std::move(rows));
  write_file(dir, "index.md", to_markdown(idx), count);
  write_file(dir, "index.html", to_html(idx), count);
  // One sync for all the files, instead of one per file.
  int fd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0 || ::syncfs(fd) != 0) {
    int e = errno;
    if (fd >= 0) ::close(fd);
    throw io_error(dir, std::string("cannot sync: ") + std::strerror(e));
  }
  ::close(fd);
  return count;
}

}  // namespace ml
