// SPDX-License-Identifier: Apache-2.0
// ml-review: the check-ups, early warning, and the next turn of the spiral.
#include <ml/cli.hpp>
#include <ml/review.hpp>

static const char* const examples = R"(Examples:
  ml-review --directives directives.jsonl reports/*.csv > review.jsonl
  ml-review --directives directives.jsonl --as-of 2026-04-01 --html review.html reports/*.csv
  ml-review --directives directives.jsonl --state ~/.local/share/massline/cycle1 \
            --rejects rejects.jsonl --emit-ideas next-ideas.jsonl reports/*.csv
  ml-review directives.jsonl reports.jsonl | grep '"of":"theme"'

Exit status: 0 nothing needs attention; 1 something does (an escalation of level 2 or more,
or a theme to adjust or re-concentrate); 64 usage; 65 bad data (file:line on stderr); 66 an
input is missing; 70 internal error; 73 cannot create output; 74 I/O error; 130
interrupted. See ml-review(1) and ml-records(5).)";

int main(int argc, char** argv) {
  ml::review_options o;
  CLI::App app{"Review the check-ups: how each directive stands, which problems are isolated,\n"
               "local or widespread, temporary or prolonged, and what to do about each theme.\n"
               "Reads the directives (as ml-dispatch writes them) and the units' reports (the\n"
               "CSV templates filled in, or report records); the reports' notes become ideas.",
               "ml-review"};
  ml::cli::setup(app, examples);
  app.add_option("inputs", o.inputs,
                 "Report files (CSV or JSONL; JSONL may also hold the directives); '-' is stdin");
  app.add_option("--directives", o.directives, "The directives (ml-dispatch's output)")
      ->option_text("FILE");
  app.add_option("-o,--output", o.output, "Write the review to FILE (atomically) instead of stdout")
      ->option_text("FILE");
  app.add_option("--as-of", o.as_of, "Review as of DATE (YYYY-MM-DD; default today, UTC)")
      ->option_text("DATE");
  app.add_option("--rejects", o.rejects, "Write the rejected report rows to FILE, not the stream")
      ->option_text("FILE");
  app.add_option("--emit-ideas", o.emit_ideas,
                 "Write the reports' notes as idea records to FILE, not the stream")
      ->option_text("FILE");
  app.add_option("--html", o.html, "Also write a self-contained HTML report to FILE")
      ->option_text("FILE");
  app.add_option("--state", o.state,
                 "Keep the history of check-ups in DIR (append-only, locked), for cron")
      ->option_text("DIR");
  app.add_option("--prolonged", o.prolonged,
                 "Check-ups in trouble in a row that make a problem prolonged (default 2)")
      ->option_text("N")->check(CLI::Range(1, 1000));
  app.add_option("--few", o.few, "At most N units in trouble is a local problem (default 3)")
      ->option_text("N")->check(CLI::Range(1, 1000000));
  app.add_option("--grace", o.grace, "Days after a check-up that a report still counts (default 3)")
      ->option_text("DAYS")->check(CLI::Range(0, 365));
  app.add_option("--behind", o.behind,
                 "Progress points below the expected that count as behind (default 10)")
      ->option_text("N")->check(CLI::Range(0, 100));
  app.add_option("--encoding", o.encoding, "Encoding of the inputs (default: UTF-8, detected)")
      ->option_text("NAME");
  return ml::cli::run(app, argc, argv, [&] { return ml::run_review(o); });
}
