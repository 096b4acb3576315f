// SPDX-License-Identifier: Apache-2.0
// ml-concentrate: an idea stream in, a line out: themes in rank order with one central task.
#include <ml/cli.hpp>
#include <ml/concentrate.hpp>

static const char* const examples = R"(Examples:
  ml-concentrate ideas.jsonl > line.jsonl
  ml-gather survey.csv | ml-concentrate | ml-dispatch --org org.csv
  ml-concentrate --themes 12 --min-size 5 -o line.jsonl ideas.jsonl
  ml-concentrate --codebook categories.csv --previous last-cycle.jsonl ideas.jsonl
  ml-concentrate --stance "How much do you agree?" --no-ideas ideas.jsonl

Exit status: 0 ok; 64 usage; 65 bad data (file:line on stderr, no output written);
66 an input is missing; 70 internal error; 73 cannot create output; 74 I/O error;
130 interrupted. See ml-concentrate(1) and ml-records(5).)";

int main(int argc, char** argv) {
  ml::concentrate_options o;
  CLI::App app{"Concentrate scattered ideas into a few themes with one central task.\n"
               "Reads idea records (as ml-gather writes them) and writes the line: a summary,\n"
               "the themes in rank order (central, secondary, tertiary, other), the ideas in\n"
               "no theme, then every idea annotated with its theme.",
               "ml-concentrate"};
  ml::cli::setup(app, examples);
  app.add_option("inputs", o.inputs, "Idea streams to read; '-' or none reads stdin");
  app.add_option("-o,--output", o.output, "Write the line to FILE (atomically) instead of stdout")
      ->option_text("FILE");
  app.add_option("--themes", o.themes, "Make exactly K themes (default: find the number)")
      ->option_text("K")->check(CLI::Range(1, 100000));
  app.add_option("--min-size", o.min_size,
                 "Smallest theme, in ideas (default: 2, or one in 500 distinct texts)")
      ->option_text("N")->check(CLI::Range(1, 100000000));
  app.add_option("--secondary", o.secondary, "Secondary themes after the central one (default 3)")
      ->option_text("N")->check(CLI::Range(0, 1000));
  app.add_option("--tertiary", o.tertiary, "Tertiary themes after the secondary ones (default 5)")
      ->option_text("N")->check(CLI::Range(0, 1000));
  app.add_option("--lang", o.lang,
                 "Language of the ideas (en, es, fr, de, pt, it, nl, ...); default: detect per idea")
      ->option_text("CODE");
  app.add_option("--stopwords", o.stopwords_file, "Also ignore the words in FILE (one per line)")
      ->option_text("FILE");
  app.add_option("--stance", o.stance,
                 "The rating NAME (under \"ratings\") that holds each idea's stance")
      ->option_text("NAME");
  app.add_option("--codebook", o.codebook,
                 "Assign ideas matching FILE's named themes first (CSV or JSON)")
      ->option_text("FILE");
  app.add_option("--previous", o.previous,
                 "The previous cycle's line: keep its theme ids, mark new/continuing/merged/split")
      ->option_text("FILE");
  bool no_ideas = false;
  app.add_flag("--no-ideas", no_ideas, "Write only the line, not the annotated ideas");
  app.add_option("--encoding", o.encoding,
                 "Input encoding (utf-8, windows-1252, ...); default: UTF-8, detected")
      ->option_text("NAME");
  app.add_option("--dims", o.dims, "LSA dimensions (default 100)")
      ->option_text("N")->check(CLI::Range(2, 1000));
  app.add_option("--seed", o.seed, "Seed for the randomized steps (default 1)")->option_text("N");
  app.add_option("-j,--threads", o.threads,
                 "Worker threads (default: one per core); output does not depend on it")
      ->option_text("N")->check(CLI::Range(0, 256));
  return ml::cli::run(app, argc, argv, [&] {
    o.ideas = !no_ideas;
    return ml::run_concentrate(o);
  });
}
