#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Conservation as a property (issue 6): over randomised generated cycles (fixtures.py,
one per seed, with awkward text, re-submissions, empty rows and list answers), every
program accounts for everything it reads, and runs are byte-identical across repetitions
and thread counts. The checks recount from the inputs, independently of the tools' tallies:

  ml-gather       every data row is kept (it has ideas) or rejected with a reason; every
                  non-empty answer cell is one or more ideas or a reject with a reason;
                  nothing else comes out; the tally's figures are these counts
  ml-concentrate  every idea comes out once, with its id, in a theme of the line or in
                  none; the themes' idea counts and the unassigned count add up to the
                  ideas; rejects pass through untouched
  ml-dispatch     every unit of the organisation gets each task of the line once (the
                  central one first); each directive's people and ideas are recounted from
                  the line's ideas (a unit's own and its sub-units'); the ideas of units in
                  the organisation, of unknown units and of none add up to the line's
  ml-review       report rows read = new + known + blank + rejected, and the rows counted
                  are the rows in the files; --rejects holds one record per rejected row

  conservation.py --tools DIR [--seeds N] [--first-seed S]
"""
import argparse
import collections
import csv
import os
import random
import re
import shutil
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fixtures  # noqa: E402
from fixtures import check, failures, read, records  # noqa: E402

fixtures.QUIET_OK = True  # a line per seed instead

ENV = dict(os.environ, ML_SALT="conservation-test-salt", LC_ALL="C.UTF-8")








def run_ok(cmd, what, codes=(0,)):
    r = fixtures.run(cmd, env=ENV)
    if not check(r.returncode in codes, f"{what}: exit {r.returncode}: "
                                        f"{r.stderr.decode(errors='replace')[-300:]}"):
        raise SystemExit(1)
    return r.stderr.decode(errors="replace")


def gather(t, w, export, seed):
    outs = {}
    for label, extra in [("j1", ["-j", "1"]), ("j1 again", ["-j", "1"]), ("j2", ["-j", "2"]),
                         ("j4", ["-j", "4"])]:
        ideas, rejects = os.path.join(w, f"ideas-{label}.jsonl"), os.path.join(w, f"rej-{label}.jsonl")
        err = run_ok([t["gather"], *extra, "-o", ideas, "--rejects", rejects, export],
                     f"seed {seed}: ml-gather {label}")
        outs[label] = (read(ideas), read(rejects), err)
    base = outs["j1"]
    for label, o in outs.items():
        check(o[:2] == base[:2], f"seed {seed}: ml-gather {label} output is byte-identical to -j 1")
    ideas = [r for r in records(os.path.join(w, "ideas-j1.jsonl")) if r["type"] == "idea"]
    rejects = records(os.path.join(w, "rej-j1.jsonl"))
    with open(export, encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    header, body = rows[0], rows[1:]
    qcols = {header.index(q): q for q in fixtures.QUESTIONS}
    row_rejects = {r["row"]: r["reason"] for r in rejects if r.get("column") is None}
    idea_cells = collections.Counter((i["source"]["row"], i["source"]["column"]) for i in ideas)
    cell_rejects = collections.Counter((r["row"], r["column"]) for r in rejects
                                       if r.get("column") is not None)
    check(all(r.get("reason") for r in rejects), f"seed {seed}: every reject has a reason")
    answers = 0
    for n, row in enumerate(body, start=2):
        # A kept row may have no ideas (every answer a re-submission or a non-answer), but
        # its answers are then rejected one by one.
        has = any((n, q) in idea_cells or (n, q) in cell_rejects for q in qcols.values())
        if not check(has != (n in row_rejects),
                     f"seed {seed}: row {n} is kept or rejected, once ({has}, "
                     f"{row_rejects.get(n)})"):
            continue
        if n in row_rejects:
            continue
        for c, q in qcols.items():
            text = row[c].strip()
            if not text:
                check((n, q) not in idea_cells and (n, q) not in cell_rejects,
                      f"seed {seed}: row {n} '{q}' is empty and gives nothing")
                continue
            answers += 1
            check(idea_cells[(n, q)] + cell_rejects[(n, q)] >= 1,
                  f"seed {seed}: row {n} '{q}' ({text[:40]!r}) became an idea or a reject")
    extra = set(idea_cells) | set(cell_rejects)
    check(all(2 <= n < len(body) + 2 and q in qcols.values() for n, q in extra),
          f"seed {seed}: no idea or reject from a cell that is not an answer")
    tally = re.search(r"(\d+) rows = (\d+) kept \+ (\d+) rejected.*?(\d+) answers -> (\d+) items "
                      r"= (\d+) ideas \+ (\d+) rejected", base[2])
    if check(tally is not None, f"seed {seed}: ml-gather prints its tally"):
        rows_n, kept, rej, ans, items, ideas_n, item_rej = map(int, tally.groups())
        check((rows_n, kept, rej) == (len(body), len(body) - len(row_rejects), len(row_rejects)),
              f"seed {seed}: tally rows {tally.group(0)} vs {len(body)} rows, "
              f"{len(row_rejects)} rejected")
        check((ans, ideas_n, item_rej) == (answers, len(ideas), len(rejects) - len(row_rejects))
              and items == ideas_n + item_rej,
              f"seed {seed}: tally answers {tally.group(0)} vs {answers} answers, "
              f"{len(ideas)} ideas")
    return os.path.join(w, "ideas-j1.jsonl"), os.path.join(w, "rej-j1.jsonl")


def concentrate(t, w, ideas_path, rejects_path, seed):
    both = os.path.join(w, "ideas-and-rejects.jsonl")
    with open(both, "wb") as f:
        f.write(read(ideas_path) + b"".join(
            line for line in read(rejects_path).splitlines(keepends=True)
            if b'"type":"header"' not in line))
    outs = []
    for label, extra in [("j1", ["-j", "1"]), ("j1 again", ["-j", "1"]), ("j2", ["-j", "2"]),
                         ("j3", ["-j", "3"])]:
        line = os.path.join(w, f"line-{label}.jsonl")
        run_ok([t["concentrate"], "-q", *extra, "-o", line, both], f"seed {seed}: ml-concentrate")
        outs.append(read(line))
    check(all(o == outs[0] for o in outs),
          f"seed {seed}: ml-concentrate is byte-identical across repetitions and -j 1, 2, 3")
    line = os.path.join(w, "line-j1.jsonl")
    recs = records(line)
    ins = [r for r in records(ideas_path) if r["type"] == "idea"]
    rej_in = [r for r in records(rejects_path) if r["type"] == "reject"]
    outs_ideas = [r for r in recs if r["type"] == "idea"]
    themes = {r["id"]: r for r in recs if r["type"] == "theme"}
    unassigned = next(r for r in recs if r["type"] == "unassigned")
    check(sorted(i["id"] for i in ins) == sorted(i["id"] for i in outs_ideas),
          f"seed {seed}: every idea comes out once ({len(ins)} in, {len(outs_ideas)} out)")
    check(all(i.get("theme") in themes for i in outs_ideas if i.get("theme") is not None),
          f"seed {seed}: every idea's theme is in the line")
    by_theme = collections.Counter(i.get("theme") for i in outs_ideas)
    check(all(themes[k]["support"]["ideas"] == by_theme[k] for k in themes),
          f"seed {seed}: each theme's idea count is its ideas")
    check(sum(by_theme[k] for k in themes) + unassigned["count"] == len(ins)
          and unassigned["count"] == by_theme[None],
          f"seed {seed}: themes' ideas + unassigned {unassigned['count']} = {len(ins)} ideas")
    strip = lambda r: {k: v for k, v in r.items() if k != "theme"}  # noqa: E731
    by_id = {i["id"]: i for i in ins}
    check(all(strip(o) == strip(by_id[o["id"]]) for o in outs_ideas),
          f"seed {seed}: ideas pass through unchanged but for their theme")
    rej_out = [r for r in recs if r["type"] == "reject"]
    check(rej_out == rej_in, f"seed {seed}: {len(rej_in)} rejects pass through untouched")
    return line


def dispatch(t, w, line, org, seed):
    outs = []
    for i in range(2):
        out = os.path.join(w, f"directives-{i}.jsonl")
        run_ok([t["dispatch"], "-q", "--org", org, "--start", "2026-03-02", "-o", out, line],
               f"seed {seed}: ml-dispatch")
        outs.append(read(out))
    check(outs[0] == outs[1], f"seed {seed}: ml-dispatch is byte-identical across repetitions")
    recs = records(os.path.join(w, "directives-0.jsonl"))
    d = next(r for r in recs if r["type"] == "dispatch")
    directives = [r for r in recs if r["type"] == "directive"]
    with open(org, encoding="utf-8", newline="") as f:
        units = list(csv.DictReader(f))
    parent = {u["unit"]: u["parent"] for u in units}
    ideas = [r for r in records(line) if r["type"] == "idea"]
    check(d["ideas"] == len(ideas), f"seed {seed}: dispatch counts {d['ideas']} of {len(ideas)} ideas")
    known = sum(1 for i in ideas if i.get("unit") in parent)
    unknown = sum(x["ideas"] for x in d["unknown_units"])
    check(known + unknown + d["no_unit_ideas"] == len(ideas),
          f"seed {seed}: ideas of known {known} + unknown {unknown} + no unit "
          f"{d['no_unit_ideas']} = {len(ideas)}")
    check(len(directives) == d["directives"], f"seed {seed}: the dispatch counts its directives")

    def ancestors(u):
        while u:
            yield u
            u = parent.get(u) or None
    people, count = collections.defaultdict(set), collections.Counter()
    for i in ideas:
        if i.get("unit") in parent and i.get("theme"):
            for a in ancestors(i["unit"]):
                count[(a, i["theme"])] += 1
                people[(a, i["theme"])].add(i.get("respondent"))
    per_unit = collections.defaultdict(list)
    for x in directives:
        per_unit[x["unit"]].append(x)
    for u in parent:
        got = per_unit.get(u, [])
        tasks = [x["theme"] for x in got if x["tier"] != "local"]
        check(sorted(tasks) == sorted(d["tasks"]) and got and got[0]["tier"] == "central"
              and got[0]["order"] == 1,
              f"seed {seed}: unit {u} gets each task once, the central one first")
        for x in got:
            key = (u, x["theme"])
            check(x["guidance"]["ideas"] == count[key]
                  and x["guidance"]["respondents"] == len(people[key]),
                  f"seed {seed}: {u} {x['theme']}: guidance {x['guidance']['ideas']} ideas, "
                  f"{x['guidance']['respondents']} people; recounted {count[key]}, "
                  f"{len(people[key])}")
    return os.path.join(w, "directives-0.jsonl")


def review(t, w, p, seed):
    outs = []
    for i in range(2):
        out, rej = os.path.join(w, f"review-{i}.jsonl"), os.path.join(w, f"review-rej-{i}.jsonl")
        err = run_ok([t["review"], "--directives", p["directives"], "--as-of", "2026-04-30",
                      "--rejects", rej, "-o", out] + p["report_files"],
                     f"seed {seed}: ml-review", codes=(0, 1))
        outs.append((read(out), read(rej)))
    check(outs[0] == outs[1], f"seed {seed}: ml-review is byte-identical across repetitions")
    rows = 0
    for path in p["report_files"]:
        with open(path, encoding="utf-8", newline="") as f:
            rows += len(list(csv.reader(f))) - 1
    s = next(r for r in records(os.path.join(w, "review-0.jsonl")) if r.get("of") == "summary")
    r = s["reports"]
    check(r["read"] == rows, f"seed {seed}: ml-review reads {r['read']} of {rows} report rows")
    check(r["accepted"] + r["known"] + r["blank"] + r["rejected"] == r["read"],
          f"seed {seed}: rows {r['read']} = new {r['accepted']} + known {r['known']} + blank "
          f"{r['blank']} + rejected {r['rejected']}")
    rejected = [x for x in records(os.path.join(w, "review-rej-0.jsonl")) if x["type"] == "reject"]
    check(len(rejected) == r["rejected"] and all(x.get("reason") for x in rejected),
          f"seed {seed}: --rejects holds the {r['rejected']} rejected rows, with reasons")
    return r


def spoil_reports(paths, seed):
    """Makes some report rows bad (unknown directive, bad status, bad percentage, bad
    date), so that rejection is exercised too."""
    rng = random.Random(seed)
    for path in paths:
        with open(path, encoding="utf-8", newline="") as f:
            rows = list(csv.reader(f))
        col = {h: i for i, h in enumerate(rows[0])}
        for row in rows[1:]:
            if not row[col["status"]] or rng.random() > 0.15:
                continue
            k = rng.randrange(4)
            if k == 0:
                row[col["directive"]] = "d-0000000000000000"
            elif k == 1:
                row[col["status"]] = "maybe"
            elif k == 2:
                row[col["progress"]] = "150"
            else:
                row[col["date"]] = "31/31/2026"
        with open(path, "w", encoding="utf-8", newline="") as f:
            csv.writer(f, lineterminator="\n").writerows(rows)


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tools", required=True)
    ap.add_argument("--seeds", type=int, default=8)
    ap.add_argument("--first-seed", type=int, default=1)
    a = ap.parse_args()
    t = {k: os.path.join(a.tools, "ml-" + k)
         for k in ("gather", "concentrate", "dispatch", "review")}
    work = tempfile.mkdtemp(prefix="ml-conservation-")
    try:
        for seed in range(a.first_seed, a.first_seed + a.seeds):
            rng = random.Random(seed)
            rows, units = rng.choice([1, 7, 120, 900, 3000, 20000]), rng.randint(1, 40)
            w = os.path.join(work, str(seed))
            os.makedirs(w)
            export, org = os.path.join(w, "export.csv"), os.path.join(w, "org.csv")
            fixtures.write_export(export, rows, seed, units, hazards=rng.choice([0.0, 0.05, 0.3]))
            # Some units of the answers are not in the organisation, some units have no answers.
            fixtures.write_org(org, max(1, units + rng.randint(-3, 3)))
            before = len(failures)
            ideas, rejects = gather(t, w, export, seed)
            if not any(r["type"] == "idea" for r in records(ideas)):
                print(f"ok   seed {seed}: {rows} rows, no ideas: ml-gather only")
                continue
            line = concentrate(t, w, ideas, rejects, seed)
            directives = dispatch(t, w, line, org, seed)
            letters = os.path.join(w, "letters")
            run_ok([t["dispatch"], "-q", "--org", org, "--start", "2026-03-02", "--out-dir",
                    letters, "-o", os.path.join(w, "d.jsonl"), line], f"seed {seed}: letters")
            reports = fixtures.fill_reports(letters, os.path.join(w, "reports"), seed)
            spoil_reports(reports, seed)
            r = review(t, w, {"directives": directives, "report_files": reports}, seed)
            if len(failures) == before:
                ideas_n = sum(1 for x in records(ideas) if x["type"] == "idea")
                print(f"ok   seed {seed}: {rows} rows, {units} units, {ideas_n} ideas, "
                      f"{r['read']} report rows ({r['rejected']} bad): all four tools conserve")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return fixtures.finish("conservation.py")


if __name__ == "__main__":
    sys.exit(main())
