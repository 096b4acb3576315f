# SPDX-License-Identifier: Apache-2.0
"""Generated inputs for the robustness tests (tests/robust/): survey exports, an
organisation, and a whole cycle's files, from a seed, so that a failure can be replayed.

Nothing here comes from real people: the answers are built from a small vocabulary of
workplace problems, a few languages and some deliberately awkward text (quotes, commas,
newlines in a field, HTML, formulas, bidi controls, empty and non-answers)."""
import collections
import csv
import json
import os
import random
import subprocess
import sys

PROBLEMS = [
    ("the heating in the loading bay is broken", "fix the heating"),
    ("rotas come out too late to plan childcare", "publish rotas two weeks ahead"),
    ("pick rate targets are impossible to meet", "scrap the pick rate targets"),
    ("the toilets are filthy and out of order", "fix the toilets"),
    ("we get no proper break on long shifts", "a paid break every four hours"),
    ("agency staff are paid less for the same work", "equal pay for agency staff"),
    ("the car park is unlit at night", "lights in the car park"),
    ("managers shout at people on the floor", "respect on the shop floor"),
]
FILLER = ["really", "honestly", "every week", "again", "since November", "for months",
          "at our site", "on nights", "on days", "still", "and nobody listens"]
AWKWARD = [
    '<script>alert("x")</script> the toilets',
    "=HYPERLINK(\"http://evil.example\",\"click\") pay",
    "\u202eevil\u202c rota text",
    "line one\nline two, with a comma",
    'a "quoted" word; and a semicolon',
    "Las letrinas están sucias",
    "Toalety są brudne",
    "n/a",
    "",
    "   ",
]


def answer(rng):
    if rng.random() < 0.08:
        return rng.choice(AWKWARD)
    problem, demand = rng.choice(PROBLEMS)
    text = problem if rng.random() < 0.6 else demand
    if rng.random() < 0.5:
        text += " " + rng.choice(FILLER)
    if rng.random() < 0.1:
        text = text.capitalize() + "."
    return text


def unit_names(units):
    return [f"Site {i:04d}" for i in range(units)]


QUESTIONS = ["What is the biggest problem at your site right now?",
             "What should we campaign for first?"]


def write_export(path, rows, seed, units=20, final_newline=True, hazards=0.0):
    """A Google Forms style CSV: timestamp, e-mail, site, rating and two free-text
    questions (QUESTIONS). With `hazards` (a probability), rows are also repeated exactly
    (re-submissions), left empty, or answered with a numbered list. Returns the number of
    data rows."""
    rng = random.Random(seed)
    sites = unit_names(units)
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\r\n")
        w.writerow(["Timestamp", "Email Address", "Which site do you work at?",
                    "How safe do you feel at work? (1 = not at all, 5 = completely)"] + QUESTIONS)
        previous = None
        for r in range(rows):
            row = [f"2026/03/{1 + r % 28:02d} {r % 12 + 1}:{r % 60:02d}:00 AM GMT",
                   f"person{r}@example.org", rng.choice(sites), str(rng.randint(1, 5)),
                   answer(rng), answer(rng)]
            if hazards and previous and rng.random() < hazards:
                row = list(previous)
            elif hazards and rng.random() < hazards:
                row[4] = row[5] = ""
            elif hazards and rng.random() < hazards:
                row[4] = f"1) {answer(rng)} 2) {answer(rng)} 3) {answer(rng)}"
            w.writerow(row)
            previous = row
    if not final_newline:
        with open(path, "rb+") as f:
            f.seek(-2, os.SEEK_END)
            f.truncate()
    return rows


def write_org(path, units=20):
    """A branch, two regions and `units` sites split between them."""
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["unit", "parent", "head", "responsible", "contact", "members"])
        w.writerow(["Branch", "", "Ruth Branch", "Secretary", "", ""])
        w.writerow(["North", "Branch", "Sam North", "Organiser", "", ""])
        w.writerow(["South", "Branch", "Ana South", "Organiser", "", ""])
        for i, name in enumerate(unit_names(units)):
            w.writerow([name, "North" if i % 2 == 0 else "South", f"Head {i}", "Steward", "",
                        str(10 + i % 40)])


def fill_reports(letters_dir, out_dir, seed, as_of="2026-04-30"):
    """Fills every report template in letters_dir (UNIT-report.csv) with check-ups up to
    as_of: random statuses, progress and support, some notes. Returns the paths written."""
    rng = random.Random(seed)
    os.makedirs(out_dir, exist_ok=True)
    paths = []
    for name in sorted(os.listdir(letters_dir)):
        if not name.endswith("-report.csv"):
            continue
        with open(os.path.join(letters_dir, name), encoding="utf-8", newline="") as f:
            rows = list(csv.reader(f))
        header, body = rows[0], rows[1:]
        col = {h: i for i, h in enumerate(header)}
        for row in body:
            if row[col["checkup"]] > as_of or rng.random() < 0.2:
                continue
            row[col["date"]] = row[col["checkup"]]
            row[col["status"]] = rng.choice(["in-progress", "in-progress", "done", "blocked",
                                             "not-started"])
            row[col["progress"]] = str(rng.randint(0, 100))
            row[col["support"]] = str(rng.randint(0, 100))
            if rng.random() < 0.2:
                row[col["notes"]] = answer(rng)
        path = os.path.join(out_dir, name)
        with open(path, "w", encoding="utf-8", newline="") as f:
            csv.writer(f, lineterminator="\n").writerows([header] + body)
        paths.append(path)
    return paths


# The checks of a test script: each prints "ok" or "FAIL" (only "FAIL" with QUIET_OK), and
# finish() turns the failures into the exit status.
QUIET_OK = False
failures = []
checked = collections.Counter()  # checks made, by the text before the first ':'


def check(ok, what):
    checked[what.split(":")[0]] += 1
    if not ok or not QUIET_OK:
        print(("ok   " if ok else "FAIL ") + what, flush=True)
    if not ok:
        failures.append(what)
    return ok


def finish(script, detail=""):
    """The exit status of a test script: 1 (with a line on stderr) if a check failed."""
    if failures:
        print(f"{script}: {len(failures)} checks failed{detail}", file=sys.stderr)
        return 1
    return 0


def read(path):
    with open(path, "rb") as f:
        return f.read()


def records(path):
    """The records of a JSON Lines file, blank lines skipped."""
    with open(path, encoding="utf-8") as f:
        return [json.loads(x) for x in f if x.strip()]


def run(cmd, **kw):
    """Runs a tool; returns the CompletedProcess (stdout and stderr as bytes)."""
    return subprocess.run(cmd, stdout=kw.pop("stdout", subprocess.PIPE),
                          stderr=kw.pop("stderr", subprocess.PIPE), **kw)


def cycle(tools, work, rows, units, seed):
    """Writes a whole cycle into `work`: export.csv, org.csv, ideas.jsonl, rejects.jsonl,
    line.jsonl, directives.jsonl, letters/, reports/. Returns a dict of the paths."""
    os.makedirs(work, exist_ok=True)
    p = {k: os.path.join(work, v) for k, v in {
        "export": "export.csv", "org": "org.csv", "ideas": "ideas.jsonl",
        "rejects": "rejects.jsonl", "line": "line.jsonl", "directives": "directives.jsonl",
        "letters": "letters", "reports": "reports"}.items()}
    write_export(p["export"], rows, seed, units)
    write_org(p["org"], units)
    env = dict(os.environ, ML_SALT="robustness-test-salt")
    steps = [
        [tools["gather"], "-q", "-o", p["ideas"], "--rejects", p["rejects"], p["export"]],
        [tools["concentrate"], "-q", "-o", p["line"], p["ideas"]],
        [tools["dispatch"], "-q", "--org", p["org"], "--start", "2026-03-02",
         "--out-dir", p["letters"], "-o", p["directives"], p["line"]],
    ]
    for cmd in steps:
        r = run(cmd, env=env)
        if r.returncode != 0:
            raise RuntimeError(f"{' '.join(cmd)}: exit {r.returncode}\n{r.stderr.decode()}")
    p["report_files"] = fill_reports(p["letters"], p["reports"], seed)
    return p
