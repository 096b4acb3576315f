// SPDX-License-Identifier: Apache-2.0
// ml-review --html: a self-contained report (no scripts, no outside resources): escalations
// first, SVG charts of progress by theme and by unit and of support over the check-ups, and
// the units' own words. Every text is escaped.
#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cmath>

#include "ml/output.hpp"
#include "ml/render.hpp"
#include "ml/timefmt.hpp"
#include "review_detail.hpp"

namespace ml::detail {

namespace {

const char* status_colour(const std::string& s) {
  if (s == "done") return "#2e7d32";
  if (s == "on-track") return "#66bb6a";
  if (s == "pending") return "#bdbdbd";
  if (s == "behind") return "#f9a825";
  if (s == "stalled") return "#ef6c00";
  if (s == "no-report") return "#8d6e63";
  if (s == "blocked") return "#c62828";
  if (s == "overdue") return "#6a1b9a";
  return "#9e9e9e";
}

const char* level_name(int level) {
  switch (level) {
    case 0: return "none";
    case 1: return "watch";
    case 2: return "attention";
    case 3: return "urgent";
    default: return "critical";
  }
}

std::string progress_chart(const review_model& m) {
  const int row = 26, left = 260, width = 420;
  int h = row * static_cast<int>(m.theme_reviews.size()) + 30;
  std::string s = fmt::format(
      "<svg role=\"img\" aria-label=\"Progress by theme\" width=\"{}\" height=\"{}\" "
      "viewBox=\"0 0 {} {}\">\n",
      left + width + 60, h, left + width + 60, h);
  int y = 10;
  for (const auto& t : m.theme_reviews) {
    std::string name = t.task.size() > 40 ? t.task.substr(0, 37) + "..." : t.task;
    s += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\" font-size=\"12\">{}</text>\n",
                     left - 8, y + 14, html_escape(name));
    s += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"16\" fill=\"#eee\"/>\n", left,
                     y + 2, width);
    s += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{:.1f}\" height=\"16\" fill=\"{}\"/>\n", left,
                     y + 2, width * t.progress / 100.0, t.level >= 2 ? "#c62828" : "#2e7d32");
    s += fmt::format("<line x1=\"{0:.1f}\" x2=\"{0:.1f}\" y1=\"{1}\" y2=\"{2}\" stroke=\"#000\" "
                     "stroke-width=\"2\"/>\n",
                     left + width * t.expected / 100.0, y, y + 20);
    s += fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"12\">{:.0f}%</text>\n", left + width + 6,
                     y + 14, t.progress);
    y += row;
  }
  s += fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"11\" fill=\"#555\">bar: mean progress; "
                   "black line: expected by now</text>\n",
                   left, y + 12);
  s += "</svg>\n";
  return s;
}

std::string unit_grid(const review_model& m, std::size_t max_units) {
  // Units with trouble first, then the others, at most max_units rows.
  std::vector<std::size_t> order(m.unit_reviews.size());
  for (std::size_t i = 0; i < order.size(); ++i) order[i] = i;
  std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
    return m.unit_reviews[a].troubled > m.unit_reviews[b].troubled;
  });
  if (order.size() > max_units) order.resize(max_units);
  std::vector<std::string> themes;
  for (const auto& t : m.theme_reviews) themes.push_back(t.theme);
  const int cell = 22, left = 200, top = 20;
  int w = left + cell * static_cast<int>(themes.size()) + 10;
  int h = top + cell * static_cast<int>(order.size()) + 10;
  std::string s = fmt::format(
      "<svg role=\"img\" aria-label=\"Status by unit and theme\" width=\"{}\" height=\"{}\" "
      "viewBox=\"0 0 {} {}\">\n",
      w, h, w, h);
  for (std::size_t c = 0; c < themes.size(); ++c)
    s += fmt::format("<text x=\"{}\" y=\"14\" font-size=\"11\" text-anchor=\"middle\">{}</text>\n",
                     left + cell * static_cast<int>(c) + cell / 2, c + 1);
  std::map<std::pair<std::string, std::string>, std::string> status;
  for (std::size_t i = 0; i < m.directives.size(); ++i)
    status[{m.directives[i].unit, m.directives[i].theme}] = m.status[i].status;
  int y = top;
  for (std::size_t i : order) {
    const auto& u = m.unit_reviews[i];
    std::string name = u.unit.size() > 28 ? u.unit.substr(0, 25) + "..." : u.unit;
    s += fmt::format("<text x=\"{}\" y=\"{}\" text-anchor=\"end\" font-size=\"12\">{}</text>\n",
                     left - 6, y + 15, html_escape(name));
    for (std::size_t c = 0; c < themes.size(); ++c) {
      auto it = status.find({u.unit, themes[c]});
      if (it == status.end()) continue;
      s += fmt::format("<rect x=\"{}\" y=\"{}\" width=\"{}\" height=\"{}\" fill=\"{}\"><title>{}"
                       "</title></rect>\n",
                       left + cell * static_cast<int>(c) + 1, y + 1, cell - 2, cell - 2,
                       status_colour(it->second), html_escape(it->second));
    }
    y += cell;
  }
  s += "</svg>\n";
  return s;
}

std::string support_chart(const review_model& m) {
  long long first = -1, last = -1;
  for (const auto& [theme, pts] : m.support_series)
    for (const auto& [d, v] : pts) {
      if (first < 0 || d < first) first = d;
      if (d > last) last = d;
    }
  if (first < 0) return "<p>No unit has reported its support yet.</p>\n";
  if (last == first) last = first + 1;
  const int left = 40, width = 560, height = 200, top = 10;
  std::string s = fmt::format(
      "<svg role=\"img\" aria-label=\"Support over the check-ups\" width=\"{}\" height=\"{}\" "
      "viewBox=\"0 0 {} {}\">\n",
      left + width + 20, top + height + 40, left + width + 20, top + height + 40);
  for (int p = 0; p <= 100; p += 50) {
    double y = top + height - height * p / 100.0;
    s += fmt::format("<line x1=\"{}\" x2=\"{}\" y1=\"{:.1f}\" y2=\"{:.1f}\" stroke=\"#ddd\"/>"
                     "<text x=\"{}\" y=\"{:.1f}\" font-size=\"11\" text-anchor=\"end\">{}%</text>\n",
                     left, left + width, y, y, left - 4, y + 4, p);
  }
  s += fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"11\">{}</text>", left, top + height + 16,
                   format_date(first));
  s += fmt::format("<text x=\"{}\" y=\"{}\" font-size=\"11\" text-anchor=\"end\">{}</text>\n",
                   left + width, top + height + 16, format_date(last));
  static const char* palette[] = {"#1565c0", "#c62828", "#2e7d32", "#ef6c00", "#6a1b9a",
                                  "#00838f", "#5d4037", "#ad1457", "#827717", "#37474f"};
  std::size_t k = 0;
  for (const auto& t : m.theme_reviews) {
    auto it = m.support_series.find(t.theme);
    const char* colour = palette[k++ % 10];
    if (it == m.support_series.end()) continue;
    std::string pts;
    for (const auto& [d, v] : it->second)
      pts += fmt::format("{}{:.1f},{:.1f}", pts.empty() ? "" : " ",
                         left + width * static_cast<double>(d - first) / static_cast<double>(last - first),
                         top + height - height * v / 100.0);
    s += fmt::format("<polyline fill=\"none\" stroke=\"{}\" stroke-width=\"2\" points=\"{}\"><title>"
                     "{}</title></polyline>\n",
                     colour, pts, html_escape(t.task));
  }
  s += "</svg>\n<p class=\"legend\">";
  k = 0;
  for (const auto& t : m.theme_reviews)
    s += fmt::format("<span style=\"color:{}\">&#9632;</span> {} &nbsp; ", palette[k++ % 10],
                     html_escape(t.task));
  s += "</p>\n";
  return s;
}

}  // namespace

void write_review_html(const std::string& path, const review_model& m) {
  std::string s = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
  s += "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n";
  s += "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src "
       "'unsafe-inline'\">\n";
  s += fmt::format("<title>Review as of {}</title>\n", format_date(m.as_of));
  s += "<style>body{font-family:system-ui,sans-serif;max-width:60rem;margin:2rem auto;padding:0 "
       "1rem;color:#222;line-height:1.45}table{border-collapse:collapse;width:100%}th,td{border:"
       "1px solid #ccc;padding:.3rem .5rem;text-align:left;vertical-align:top}th{background:"
       "#f3f3f3}.lvl3,.lvl4{background:#fde0e0}.lvl2{background:#fff3d6}blockquote{margin:.4rem "
       "0;padding:.2rem .8rem;border-left:4px solid #888;background:#f7f7f7}.legend{font-size:"
       ".9rem}</style>\n</head>\n<body>\n";
  s += fmt::format("<h1>Review as of {}</h1>\n", format_date(m.as_of));
  std::map<std::string, int> statuses;
  for (const auto& st : m.status) ++statuses[st.status];
  std::string counts;
  for (const auto& [k, v] : statuses) counts += fmt::format("{}{} {}", counts.empty() ? "" : ", ", v, k);
  s += fmt::format("<p>{} directives: {}. {} report rows read: {} new, {} already known, {} "
                   "rejected.</p>\n",
                   m.directives.size(), html_escape(counts), m.read, m.accepted, m.duplicates,
                   m.rejected);
  s += m.attention ? "<p><strong>Something needs attention.</strong></p>\n"
                   : "<p>Nothing needs attention.</p>\n";
  s += "<h2>Escalations</h2>\n";
  std::vector<const review_model::theme_review*> order;
  for (const auto& t : m.theme_reviews) order.push_back(&t);
  std::stable_sort(order.begin(), order.end(),
                   [](const auto* a, const auto* b) { return a->level > b->level; });
  s += "<table>\n<thead><tr><th>Task</th><th>Level</th><th>Problem</th><th>Units in trouble"
       "</th><th>Recommendation</th></tr></thead>\n<tbody>\n";
  for (const auto* t : order) {
    std::string units;
    for (std::size_t i = 0; i < t->troubled_units.size() && i < 12; ++i)
      units += (i ? ", " : "") + t->troubled_units[i];
    if (t->troubled_units.size() > 12) units += fmt::format(" and {} more", t->troubled_units.size() - 12);
    s += fmt::format("<tr class=\"lvl{}\"><td>{}</td><td>{} ({})</td><td>{}</td><td>{}</td>"
                     "<td><strong>{}</strong>: {}{}</td></tr>\n",
                     t->level, html_escape(t->task), t->level, level_name(t->level),
                     t->scope.empty() ? "none" : html_escape(t->duration + ", " + t->scope),
                     html_escape(units), html_escape(t->recommendation), html_escape(t->reason),
                     t->alternatives.empty()
                         ? std::string()
                         : html_escape(fmt::format(" (alternatives: {})",
                                                   fmt::join(t->alternatives, ", "))));
  }
  s += "</tbody>\n</table>\n";
  s += "<h2>Progress by theme</h2>\n" + progress_chart(m);
  s += "<h2>Status by unit</h2>\n<p>Columns are the tasks in order (1 is the central task); "
       "units with trouble first.</p>\n" + unit_grid(m, 60);
  s += "<p class=\"legend\">";
  for (const char* st : {"done", "on-track", "pending", "behind", "stalled", "no-report",
                         "blocked", "overdue"})
    s += fmt::format("<span style=\"color:{}\">&#9632;</span> {} &nbsp; ", status_colour(st), st);
  s += "</p>\n<h2>Support over the check-ups</h2>\n" + support_chart(m);
  s += "<h2>In the units' own words</h2>\n";
  if (m.words.empty()) s += "<p>No notes yet.</p>\n";
  for (const auto& [unit, text] : m.words)
    s += fmt::format("<blockquote>\u201C{}\u201D \u2014 {}</blockquote>\n", html_escape(text),
                     html_escape(unit));
  s += "</body>\n</html>\n";
  output out(path);
  out.write(s);
  out.commit();
}

}  // namespace ml::detail
