// SPDX-License-Identifier: Apache-2.0
// ml-dispatch: the line goes back to the units, through their heads.
#include <ml/cli.hpp>
#include <ml/dispatch.hpp>

static const char* const examples = R"(Examples:
  ml-dispatch --org org.csv --start 2026-03-02 line.jsonl > directives.jsonl
  ml-gather survey.csv | ml-concentrate | ml-dispatch --org org.csv --out-dir letters/
  ml-dispatch --org org.csv --pilot Ashby --pilot Carrow --pilot-weeks 3 line.jsonl
  ml-dispatch --org org.json --pilots 0 --due 2026-06-01 --format csv -o directives.csv line.jsonl
  ml-dispatch --org org.csv --volunteer "How would you like to get involved?" line.jsonl

Exit status: 0 ok; 64 usage; 65 bad data (the organisation file or the line; file:line on
stderr, no output written); 66 an input is missing; 70 internal error; 73 cannot create
output; 74 I/O error; 130 interrupted. See ml-dispatch(1) and ml-records(5).)";

int main(int argc, char** argv) {
  ml::dispatch_options o;
  CLI::App app{"Send the line back to the units, through their heads.\n"
               "Reads the line that ml-concentrate writes and the organisation (--org); writes,\n"
               "for every unit, one central task, then the secondary and tertiary tasks and the\n"
               "unit's own concerns, each addressed to its head and responsible person, with\n"
               "the general call and guidance from the unit's own people.",
               "ml-dispatch"};
  ml::cli::setup(app, examples);
  app.add_option("inputs", o.inputs, "The line to read; '-' or none reads stdin");
  app.add_option("--org", o.org,
                 "The organisation: CSV or JSON with unit, parent, head, responsible, contact, "
                 "members (required)")
      ->option_text("FILE");
  app.add_option("-o,--output", o.output,
                 "Write the directives to FILE (atomically) instead of stdout")
      ->option_text("FILE");
  app.add_option("--out-dir", o.out_dir,
                 "Also write a letter per unit (Markdown, HTML), an index and report templates")
      ->option_text("DIR");
  app.add_option("--format", o.format, "jsonl (records, the default) or csv (one spreadsheet)")
      ->option_text("FORMAT");
  app.add_option("--pilots", o.pilots,
                 "Pilot units to choose (default 3 with 10 units or more, else 0; 0: none)")
      ->option_text("N")->check(CLI::Range(0, 1000000));
  app.add_option("--pilot", o.pilot_units, "Make UNIT a pilot (repeatable; instead of choosing)")
      ->option_text("UNIT")->allow_extra_args(false);
  app.add_flag("--force", o.force, "Allow more than 3 pilots, or more than a third of the units");
  app.add_option("--start", o.start, "The day the pilots start (YYYY-MM-DD; default today, UTC)")
      ->option_text("DATE");
  app.add_option("--pilot-weeks", o.pilot_weeks, "Weeks of the pilot phase (default 4)")
      ->option_text("N")->check(CLI::Range(1, 520));
  app.add_option("--checkup-every", o.checkup_every, "Days between check-ups (default 14)")
      ->option_text("DAYS")->check(CLI::Range(1, 3650));
  app.add_option("--due", o.due, "When the tasks are due (YYYY-MM-DD; default 12 weeks after the start)")
      ->option_text("DATE");
  app.add_option("--quotes", o.quotes, "A unit's own quotes per directive (default 3)")
      ->option_text("N")->check(CLI::Range(0, 100));
  app.add_option("--local", o.local, "The unit's own concerns outside the line, at most (default 2)")
      ->option_text("N")->check(CLI::Range(0, 100));
  app.add_option("--local-min", o.local_min,
                 "People of a unit who must raise a concern for it to count (default 2)")
      ->option_text("N")->check(CLI::Range(1, 1000000));
  app.add_option("--volunteer", o.volunteer,
                 "The answer NAME that says who will help (a segment or a question)")
      ->option_text("NAME");
  app.add_option("--contact", o.contact, "The answer NAME that holds a volunteer's contact")
      ->option_text("NAME");
  app.add_option("--contact-consent", o.contact_consent,
                 "The yes/no answer NAME: may the contact be shared (contacts listed only if yes)")
      ->option_text("NAME");
  app.add_flag("--directives-only", o.directives_only,
               "Write only the dispatch records, not the line's records after them");
  app.add_option("--encoding", o.encoding, "Input encoding (default: UTF-8, detected)")
      ->option_text("NAME");
  return ml::cli::run(app, argc, argv, [&] { return ml::run_dispatch(o); });
}
