// SPDX-License-Identifier: Apache-2.0
// ml-gather: survey exports in, one idea record per answer out (JSON Lines).
#include <malloc.h>

#include <ml/cli.hpp>
#include <ml/gather.hpp>

static const char* const examples = R"(Examples:
  ml-gather responses.csv > ideas.jsonl
  ml-gather --unit "Which site?" -o ideas.jsonl --rejects rejects.jsonl forms/*.csv kobo.json
  ml-gather --text "What should change?" --consent "I agree to take part" export.xlsx
  ml-gather --columns survey.csv            # show how each column will be read
  gunzip -c export.tsv.gz | ml-gather - --rejects rejects.jsonl > ideas.jsonl

Exit status: 0 ok; 64 usage; 65 bad data (file:line on stderr, no output written);
66 an input is missing (the others are still gathered); 70 internal error;
73 cannot create output; 74 I/O error; 130 interrupted.
See ml-gather(1) and ml-records(5).)";

int main(int argc, char** argv) {
  // One malloc arena for all threads: batches are filled on one thread and freed on another,
  // and per-thread arenas kept ~10 MB more at a million rows for no gain in speed.
  mallopt(M_ARENA_MAX, 1);
  ml::gather_options o;
  CLI::App app{"Gather the ideas of many people from survey exports into an idea stream.\n"
               "Reads CSV, TSV, XLSX, JSON and JSON Lines from Google Forms, Microsoft Forms,\n"
               "Typeform, SurveyMonkey, Qualtrics, LimeSurvey, KoboToolbox/ODK, Pol.is and\n"
               "plain spreadsheets. Respondents are pseudonymous and e-mails and phone numbers\n"
               "in answers are redacted by default.",
               "ml-gather"};
  ml::cli::setup(app, examples);
  app.add_option("inputs", o.inputs, "Export files to read; '-' or none reads stdin");
  app.add_option("-o,--output", o.output, "Write ideas to FILE (atomically) instead of stdout")
      ->option_text("FILE");
  app.add_option("--rejects", o.rejects, "Write every rejected row or answer, with its reason, to FILE")
      ->option_text("FILE");
  app.add_option("--encoding", o.encoding,
                 "Input encoding (utf-8, windows-1252, utf-16le, ...); default: detect")
      ->option_text("NAME");
  app.add_option("--platform", o.platform,
                 "Read as this platform's export instead of detecting it (plain, google-forms, "
                 "microsoft-forms, typeform, surveymonkey, qualtrics, limesurvey, kobotoolbox, "
                 "odk, polis, redcap, surveygizmo)")
      ->option_text("NAME");
  app.add_option("--sheet", o.sheet, "XLSX: read the sheet called NAME (default: the first)")
      ->option_text("NAME");
  app.add_option("--text", o.text_columns,
                 "Only COL gives ideas (repeatable; by header text or internal name)")
      ->option_text("COL")->allow_extra_args(false);
  app.add_option("--unit", o.unit_column, "COL names each respondent's unit")->option_text("COL");
  app.add_option("--respondent", o.respondent_column, "COL identifies the respondent")
      ->option_text("COL");
  app.add_option("--time", o.time_column, "COL holds the response time")->option_text("COL");
  app.add_option("--segment", o.segment_columns, "COL is a category (repeatable)")
      ->option_text("COL")->allow_extra_args(false);
  app.add_option("--rating", o.rating_columns, "COL is a numeric rating (repeatable)")
      ->option_text("COL")->allow_extra_args(false);
  app.add_option("--skip", o.skip_columns, "Ignore COL (repeatable)")
      ->option_text("COL")->allow_extra_args(false);
  app.add_option("--consent", o.consent_column,
                 "Reject rows whose answer in COL is not a yes (reason no-consent)")
      ->option_text("COL");
  app.add_option("--withdrawn", o.withdrawn_file,
                 "FILE lists respondents (raw id, e-mail or pseudonym, one per line) to remove")
      ->option_text("FILE");
  app.add_option("--salt", o.salt, "Secret for pseudonyms (default: $ML_SALT or the salt file)")
      ->option_text("TEXT");
  app.add_option("--salt-file", o.salt_file,
                 "Salt file (default: $ML_SALT_FILE or ~/.config/massline/salt, made on first use)")
      ->option_text("FILE");
  app.add_flag("--keep-pii", o.keep_pii, "Do not redact e-mail addresses and phone numbers in answers");
  app.add_flag("--keep-test", o.keep_test,
               "Keep rows the platform marks as preview or test (rejected by default)");
  app.add_flag("--no-split", o.no_split, "Keep numbered or bulleted answers whole");
  app.add_flag("--columns", o.list_columns,
               "Print how each column would be read (role and why) and exit");
  app.add_option("--sample-rows", o.sample_rows,
                 "Rows looked at to decide what each column holds")
      ->option_text("N")->check(CLI::Range(1, 10000000));
  app.add_option("-j,--threads", o.threads,
                 "Worker threads (default: one per core, at most 8); output does not depend on it")
      ->option_text("N")->check(CLI::Range(0, 256));
  app.add_option("--index-memory", o.index_memory,
                 "Memory for the re-submission check (default 20M); past it the rest goes "
                 "through temporary files, written at the end; output does not depend on it")
      ->option_text("SIZE")
      ->check(CLI::Validator(
          [](std::string& v) {
            return v.find('-') == std::string::npos
                       ? std::string()
                       : "a size cannot be negative: give bytes or K, M, G (e.g. 20M, 1G; 0 "
                         "goes to temporary files from the first idea)";
          },
          "SIZE"))
      ->transform(CLI::AsSizeValue(false));
  app.add_option("--temp-dir", o.temp_dir,
                 "Folder for those files (default: $TMPDIR, else /tmp)")
      ->option_text("DIR");
  return ml::cli::run(app, argc, argv, [&] { return ml::run_gather(o); });
}
