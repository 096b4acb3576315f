#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Show that examples/cycle.sh, the README's main job, works: it gathers the example exports
and concentrates them into a line that keeps the promises of ml-records(5) and DESIGN.md,
checked here from the outside, whatever themes the clustering finds:

- the line is a header, one summary, the themes in rank order, one unassigned record, the
  ideas, and nothing else; exactly one central theme, then secondary, tertiary and other
  in that order and in the numbers the options give;
- nothing is lost: every idea gathered is passed on, byte for byte, with a theme field
  added, and is in exactly one theme or in the unassigned record; the summary, the
  tally on stderr and the records agree;
- each theme's support, units, score and quotes are what its ideas say, and the themes are
  ranked by score (breadth first);
- the summary on stdout names the central theme;
- the output is byte-identical from run to run and whatever the number of threads, and a
  second concentration of the same ideas with --previous keeps every theme and its id;
- the dispatch to examples/org.csv: every unit gets exactly one central task first, then the
  line's secondary and tertiary tasks and its local concerns, addressed to its head and
  responsible person as the organisation file names them; every directive's ideas are its
  unit's (or its sub-units') ideas of its theme, and its counts are what they say; the
  pilots are few and say why; the line rides along unchanged; a letter, a report template
  per unit and an index are written; the dispatch is byte-identical from run to run;
- the review of examples/reports/: every directive is reviewed once, the report rows add up
  (read = new + known + blank + rejected, and the report files hold that many rows), every
  theme review's problem lists exactly the units whose directive on it is in trouble, and
  every note became one idea.

Usage: check_cycle.py SOURCE_DIR ML_GATHER ML_CONCENTRATE ML_DISPATCH ML_REVIEW
"""
import csv
import json
import math
import os
import re
import subprocess
import sys
import tempfile

TALLY = re.compile(r"^ml-concentrate: (\d+) ideas: (\d+) in (\d+) themes, (\d+) unassigned$")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
TIERS = ["central", "secondary", "tertiary", "other"]
DISPATCH = "ml-dispatch"
REVIEW = "ml-review"

failures = []


def fail(message):
    failures.append(message)
    print("FAIL: " + message)


def run_cycle(source, gather, concentrate, out_dir, *options):
    env = dict(os.environ, ML_GATHER=gather, ML_CONCENTRATE=concentrate, ML_DISPATCH=DISPATCH,
               ML_REVIEW=REVIEW)
    env.pop("ML_SALT", None)  # the scripts' own example salt
    return subprocess.run(["bash", os.path.join(source, "examples", "cycle.sh"), out_dir,
                           *options], capture_output=True, text=True, env=env, timeout=300)


def read_lines(path):
    with open(path, encoding="utf-8") as f:
        text = f.read()
    if text and not text.endswith("\n"):
        fail(f"{os.path.basename(path)} does not end with a newline")
    return text.splitlines()


def check_structure(records, secondary=3, tertiary=5):
    """Checks the order of the records; returns (summary, themes, unassigned, ideas)."""
    kinds = [r.get("type") for r in records]
    if kinds[:2] != ["header", "summary"]:
        fail(f"the line does not start with a header and a summary: {kinds[:2]}")
    header = records[0]
    if header.get("tool") != "ml-concentrate" or header.get("v") != 1:
        fail(f"bad header: {header}")
    n_themes = 0
    while 2 + n_themes < len(kinds) and kinds[2 + n_themes] == "theme":
        n_themes += 1
    at = 2 + n_themes
    if at >= len(kinds) or kinds[at] != "unassigned":
        fail(f"the themes are not followed by one unassigned record (found {kinds[at:at + 1]})")
        return None
    rest = kinds[at + 1:]
    if any(k != "idea" for k in rest):
        fail(f"records after the unassigned one that are not ideas: {sorted(set(rest) - {'idea'})}")
    summary, themes, unassigned = records[1], records[2:at], records[at]
    ideas = records[at + 1:]

    ranks = [t["rank"] for t in themes]
    if ranks != list(range(1, len(themes) + 1)):
        fail(f"theme ranks are not 1..{len(themes)}: {ranks}")
    tiers = [t["tier"] for t in themes]
    want = (["central"] + ["secondary"] * secondary + ["tertiary"] * tertiary
            + ["other"] * len(themes))[:len(themes)]
    if tiers != want:
        fail(f"tiers {tiers}, expected {want}")
    if themes and tiers.count("central") != 1:
        fail("not exactly one central theme")
    ids = [t["id"] for t in themes]
    if len(set(ids)) != len(ids) or any(not re.fullmatch(r"t-[0-9a-f]{12}(-\d+)?", i)
                                        for i in ids):
        fail(f"theme ids are not unique t-<12 hex>: {ids}")
    return summary, themes, unassigned, ideas


def check_line(ideas_path, line_path, stderr):
    gathered = [line for line in read_lines(ideas_path) if '"type":"idea"' in line]
    line_text = read_lines(line_path)
    records = [json.loads(line) for line in line_text]
    parts = check_structure(records)
    if parts is None:
        return None
    summary, themes, unassigned, ideas = parts
    found = EMAIL.findall("\n".join(line_text))
    if found:
        fail(f"line.jsonl holds e-mail addresses: {sorted(set(found))}")

    # Nothing lost: every idea passed on byte for byte, with its theme added at the end.
    idea_lines = line_text[len(line_text) - len(ideas):]
    if len(idea_lines) != len(gathered):
        fail(f"line.jsonl passes on {len(idea_lines)} ideas, ml-gather wrote {len(gathered)}")
    for before, after, rec in zip(gathered, idea_lines, ideas):
        theme = json.dumps(rec.get("theme"))
        if after != before[:-1] + ',"theme":' + theme + "}":
            fail(f"idea {rec.get('id')} was not passed on unchanged with its theme added:\n"
                 f"  {before}\n  {after}")
            break
    by_id = {r["id"]: r for r in ideas}
    position = {r["id"]: n for n, r in enumerate(ideas)}
    membership = {}
    for t in themes:
        for i in t["ideas"]:
            if i in membership:
                fail(f"idea {i} is in {membership[i]} and {t['id']}")
            membership[i] = t["id"]
    for i in unassigned["ideas"]:
        if i in membership:
            fail(f"idea {i} is in {membership[i]} and unassigned")
        membership[i] = None
    if set(membership) != set(by_id):
        missing = sorted(set(by_id) - set(membership))[:3]
        extra = sorted(set(membership) - set(by_id))[:3]
        fail(f"themes and unassigned do not list every idea once (missing {missing}, "
             f"unknown {extra})")
    for i, rec in by_id.items():
        if i in membership and rec.get("theme") != membership[i]:
            fail(f"idea {i} has theme {rec.get('theme')!r}, but is listed under "
                 f"{membership[i]!r}")
            break

    # The summary, the unassigned record and the tally agree with the records.
    respondents = {r["respondent"] or "\x1f" + r["id"] for r in ideas}
    units = {r["unit"] for r in ideas if r["unit"] is not None}
    themed = sum(len(t["ideas"]) for t in themes)
    expect = {"ideas": len(ideas), "respondents": len(respondents), "units": len(units),
              "themes": len(themes), "themed": themed, "unassigned": len(unassigned["ideas"]),
              "central": themes[0]["id"] if themes else None}
    for key, value in expect.items():
        if summary.get(key) != value:
            fail(f"summary {key} is {summary.get(key)!r}, the records say {value!r}")
    if unassigned["count"] != len(unassigned["ideas"]) or \
            sum(unassigned["reasons"].values()) != unassigned["count"]:
        fail(f"the unassigned record does not add up: {unassigned['count']}, "
             f"{unassigned['reasons']}, {len(unassigned['ideas'])} ids")
    if sum(summary["languages"].values()) != len(ideas):
        fail(f"summary languages {summary['languages']} do not add up to {len(ideas)} ideas")
    tallies = [m.groups() for m in map(TALLY.match, stderr.splitlines()) if m]
    want = (str(len(ideas)), str(themed), str(len(themes)), str(len(unassigned["ideas"])))
    if tallies != [want]:
        fail(f"the tally on stderr says {tallies}, the line says {[want]}")

    # Each theme's evidence is what its ideas say; the ranking is breadth first.
    for t in themes:
        members = [by_id[i] for i in t["ideas"] if i in by_id]
        people = {r["respondent"] or "\x1f" + r["id"] for r in members}
        per_unit = {}
        for r in members:
            per_unit.setdefault(r["unit"], set()).add(r["respondent"] or "\x1f" + r["id"])
        named = {u: len(p) for u, p in per_unit.items() if u is not None}
        score = sum(math.sqrt(len(p)) for p in per_unit.values())
        sup = t["support"]
        checks = [("support.ideas", sup["ideas"], len(members)),
                  ("support.respondents", sup["respondents"], len(people)),
                  ("support.units", sup["units"], len(named)),
                  ("units", t["units"], named)]
        for what, got, value in checks:
            if got != value:
                fail(f"theme {t['rank']} ({t['label']}): {what} is {got}, its ideas say {value}")
        if abs(t["score"] - score) > 0.001:
            fail(f"theme {t['rank']}: score {t['score']}, its ideas give {score:.3f}")
        if abs(sup["respondent_share"] - len(people) / len(respondents)) > 0.0001:
            fail(f"theme {t['rank']}: respondent_share {sup['respondent_share']}")
        if list(t["units"].values()) != sorted(t["units"].values(), reverse=True):
            fail(f"theme {t['rank']}: units not in order of respondents: {t['units']}")
        if t["ideas"] != sorted(t["ideas"], key=lambda i: position.get(i, -1)):
            fail(f"theme {t['rank']}: ideas not in input order")
        if not 1 <= len(t["quotes"]) <= 5:
            fail(f"theme {t['rank']}: {len(t['quotes'])} quotes")
        for q in t["quotes"]:
            r = by_id.get(q["idea"])
            if r is None or q["idea"] not in t["ideas"] or \
                    (q["text"], q["unit"], q["respondent"]) != (r["text"], r["unit"],
                                                                r["respondent"]):
                fail(f"theme {t['rank']}: quote {q} is not one of its ideas as written")
        if not t["label"] or not t["keywords"] or not t["phrase"]:
            fail(f"theme {t['rank']}: no label, keywords or phrase")
        if t["source"] != "cluster" or t["cycle"] != {"status": "new"}:
            fail(f"theme {t['rank']}: source {t['source']}, cycle {t['cycle']}")
    key = [(-t["score"], -t["support"]["respondents"], -t["support"]["ideas"], t["id"])
           for t in themes]
    if key != sorted(key):
        fail("themes are not ranked by score, respondents, ideas, id")
    return summary, themes


def check_dispatch(source, out, stdout):
    """Checks directives.jsonl and the letters against the line and examples/org.csv."""
    with open(os.path.join(source, "examples", "org.csv"), encoding="utf-8") as f:
        org = list(csv.DictReader(f))
    parent = {u["unit"]: u["parent"] for u in org}
    line_text = read_lines(os.path.join(out, "line.jsonl"))
    text = read_lines(os.path.join(out, "directives.jsonl"))
    records = [json.loads(x) for x in text]
    kinds = [r["type"] for r in records]
    if kinds[:2] != ["header", "dispatch"] or records[0].get("tool") != "ml-dispatch":
        fail(f"directives.jsonl does not start with ml-dispatch's header and a dispatch record")
        return
    n_dir = kinds.count("directive")
    n_brief = kinds.count("brief")
    if kinds[2:2 + n_dir] != ["directive"] * n_dir or \
            kinds[2 + n_dir:2 + n_dir + n_brief] != ["brief"] * n_brief:
        fail("directives.jsonl is not header, dispatch, directives, briefs, then the line")
    if text[2 + n_dir + n_brief:] != line_text[1:]:
        fail("the line's records do not ride along unchanged after the directives")
    line = [json.loads(x) for x in line_text]
    themes = {r["id"]: r for r in line if r["type"] == "theme"}
    ideas = {r["id"]: r for r in line if r["type"] == "idea"}
    dispatch = records[1]
    directives = records[2:2 + n_dir]

    def under(unit, top):
        while unit:
            if unit == top:
                return True
            unit = parent.get(unit)
        return False

    by_unit = {}
    for d in directives:
        by_unit.setdefault(d["unit"], []).append(d)
    if list(by_unit) != [u["unit"] for u in org]:
        fail(f"directives are not given unit by unit in the organisation's order: {list(by_unit)}")
    tasks = dispatch["tasks"]
    central = [t for t in themes.values() if t["tier"] == "central"]
    if tasks[:1] != [central[0]["id"]] or \
            sorted(tasks) != sorted(t["id"] for t in themes.values()
                                    if t["tier"] in ("central", "secondary", "tertiary")):
        fail(f"the dispatch's tasks are not the line's central, secondary and tertiary themes")
    pilots = {p["unit"] for p in dispatch["pilots"]}
    if not 0 < len(pilots) <= 3 or any(not p["reason"] for p in dispatch["pilots"]):
        fail(f"pilots: {dispatch['pilots']}")
    order_of_tier = {"central": 0, "secondary": 1, "tertiary": 2, "local": 3}
    for u in org:
        mine = by_unit.get(u["unit"], [])
        if [d["order"] for d in mine] != list(range(1, len(mine) + 1)):
            fail(f"{u['unit']}: orders are not 1..{len(mine)}")
        if [d["tier"] for d in mine].count("central") != 1 or mine[0]["tier"] != "central" or \
                mine[0]["theme"] != tasks[0]:
            fail(f"{u['unit']}: not exactly one central task, first")
        tiers = [order_of_tier[d["tier"]] for d in mine]
        if tiers != sorted(tiers):
            fail(f"{u['unit']}: tiers out of order: {[d['tier'] for d in mine]}")
        if sorted(d["theme"] for d in mine if d["tier"] != "local") != sorted(tasks):
            fail(f"{u['unit']}: does not get every task once")
        for d in mine:
            if d["to"] != {"head": u["head"], "responsible": u["responsible"] or None,
                           "contact": u["contact"] or None}:
                fail(f"{d['id']}: addressed to {d['to']}, the organisation says {u}")
            if d["phase"] != ("pilot" if u["unit"] in pilots else "rollout"):
                fail(f"{d['id']}: phase {d['phase']}")
            if (d["phase"] == "pilot") != ("pilot" in d) or \
                    d["start"] != (dispatch["start"] if d["phase"] == "pilot"
                                   else dispatch["rollout_start"]) or \
                    d["checkup"][-1] != d["due"] != "" or d["due"] != dispatch["due"]:
                fail(f"{d['id']}: dates or pilot reason wrong")
            mine_ideas = [ideas[i] for i in d["ideas"]]
            if any(i["theme"] != d["theme"] or not under(i["unit"], u["unit"])
                   for i in mine_ideas):
                fail(f"{d['id']}: lists ideas that are not its unit's ideas of its theme")
            every = [i for i in ideas.values()
                     if i["theme"] == d["theme"] and i["unit"] and under(i["unit"], u["unit"])]
            if len(every) != len(mine_ideas) or d["guidance"]["ideas"] != len(every):
                fail(f"{d['id']}: {len(mine_ideas)} ideas listed, {len(every)} behind it")
            people = {i["respondent"] for i in every}
            if d["guidance"]["respondents"] != len(people):
                fail(f"{d['id']}: guidance says {d['guidance']['respondents']} people, "
                     f"the ideas say {len(people)}")
            if any(q["idea"] not in d["ideas"] for q in d["guidance"]["quotes"]):
                fail(f"{d['id']}: quotes an idea that is not behind it")
            if d["call"]["label"] != themes[d["theme"]]["label"]:
                fail(f"{d['id']}: the call is not the theme's")
    briefs = [r for r in records if r["type"] == "brief"]
    if sorted(b["unit"] for b in briefs) != sorted({u["parent"] for u in org if u["parent"]}):
        fail("not one brief for each unit with sub-units")
    letters = os.path.join(out, "letters")
    names = set(os.listdir(letters)) if os.path.isdir(letters) else set()
    want = {"index.md", "index.html"}
    for u in org:
        stem = re.sub(r"[^\w]+", "-", u["unit"]).strip("-")
        want |= {stem + ".md", stem + ".html", stem + "-report.csv"}
    if names != want:
        fail(f"letters/: {sorted(names ^ want)} differ")
    if not any(x.startswith("dispatch   ") for x in stdout.splitlines()):
        fail("cycle.sh's summary does not show the dispatch")


def check_review(source, out):
    """Checks review.jsonl and next-ideas.jsonl against the directives and the reports."""
    records = [json.loads(x) for x in read_lines(os.path.join(out, "review.jsonl"))]
    directives = [json.loads(x) for x in read_lines(os.path.join(out, "directives.jsonl"))]
    directives = [d for d in directives if d["type"] == "directive"]
    if records[0].get("tool") != "ml-review" or records[1].get("of") != "summary":
        fail("review.jsonl does not start with ml-review's header and the summary")
        return
    summary = records[1]
    reviewed = [r for r in records if r.get("of") == "directive"]
    if sorted(r["directive"] for r in reviewed) != sorted(d["id"] for d in directives):
        fail("review.jsonl does not review every directive exactly once")
    t = summary["reports"]
    rows, notes = 0, 0
    reports = os.path.join(source, "examples", "reports")
    for name in sorted(os.listdir(reports)):
        with open(os.path.join(reports, name), encoding="utf-8-sig", newline="") as f:
            for row in csv.DictReader(f):
                rows += 1
                notes += bool(row["notes"].strip())
    if t["read"] != rows or t["read"] != t["accepted"] + t["known"] + t["blank"] + t["rejected"]:
        fail(f"the review's report tally does not add up: {t}, {rows} rows in the files")
    ideas = read_lines(os.path.join(out, "next-ideas.jsonl"))
    if len(ideas) != notes:
        fail(f"{notes} notes in the reports, {len(ideas)} ideas emitted")
    status = {r["directive"]: r["status"] for r in reviewed}
    trouble = {"behind", "stalled", "blocked", "no-report", "overdue"}
    for r in records:
        if r.get("of") != "theme":
            continue
        want = sorted(d["unit"] for d in directives
                      if d["theme"] == r["theme"] and status[d["id"]] in trouble)
        if sorted(r["problem"]["units"]) != want:
            fail(f"theme {r['theme']}: problem units {r['problem']['units']}, in trouble {want}")


def main() -> int:
    global DISPATCH, REVIEW
    source, gather, concentrate, DISPATCH, REVIEW = (os.path.abspath(a) if os.sep in a else a
                                                     for a in sys.argv[1:6])
    with tempfile.TemporaryDirectory(prefix="ml-cycle-") as tmp:
        first, second = os.path.join(tmp, "a"), os.path.join(tmp, "b")
        run = run_cycle(source, gather, concentrate, first)
        sys.stdout.write(run.stderr + run.stdout)
        if run.returncode != 0:
            fail(f"examples/cycle.sh exited with {run.returncode}")
            return 1
        checked = check_line(os.path.join(first, "ideas.jsonl"),
                             os.path.join(first, "line.jsonl"), run.stderr)
        if checked is None:
            return 1
        summary, themes = checked
        out = run.stdout.splitlines()
        if not themes or len(out) < 2 or not out[0].startswith("The line: ") or \
                out[1].split(None, 1) != ["central", themes[0]["label"]]:
            fail(f"cycle.sh's summary does not name the central theme first:\n{run.stdout}")
        shown = sum(1 for t in themes if t["tier"] in ("central", "secondary", "tertiary"))
        for t in themes[1:shown]:
            if not any(line.startswith(f"{t['tier']:<10} {t['label']}  (") for line in out):
                fail(f"cycle.sh's summary does not show theme {t['rank']}: {t['label']}")

        check_dispatch(source, first, run.stdout)
        check_review(source, first)

        line = os.path.join(first, "line.jsonl")
        for label, options in (("a second run", ()), ("--threads 1", ("--threads", "1"))):
            again = run_cycle(source, gather, concentrate, second, "-q", *options)
            if again.returncode != 0:
                fail(f"examples/cycle.sh -q {' '.join(options)} exited with {again.returncode}")
            for name in ("line.jsonl", "directives.jsonl", "letters/Dunmore.html",
                         "review.jsonl", "review.html", "next-ideas.jsonl"):
                with open(os.path.join(first, name), "rb") as a, \
                        open(os.path.join(second, name), "rb") as b:
                    if a.read() != b.read():
                        fail(f"{name} differs in {label} on the same input")

        # The spiral on the same ideas: every theme continues, with its id.
        run = subprocess.run([concentrate, "-q", "--no-ideas", "--previous", line,
                              os.path.join(first, "ideas.jsonl")],
                             capture_output=True, text=True, timeout=300)
        if run.returncode != 0:
            fail(f"ml-concentrate --previous exited with {run.returncode}: {run.stderr}")
        else:
            records = [json.loads(x) for x in run.stdout.splitlines()]
            again = [r for r in records if r["type"] == "theme"]
            if [t["id"] for t in again] != [t["id"] for t in themes]:
                fail("with --previous on the same ideas, the theme ids changed")
            for t in again:
                if t["cycle"] != {"status": "continuing", "previous": [t["id"]],
                                  "change": {"respondents": 0, "ideas": 0}}:
                    fail(f"with --previous on the same ideas, theme {t['rank']} is {t['cycle']}")
            if records[1].get("vanished") != []:
                fail(f"with --previous on the same ideas, themes vanished: "
                     f"{records[1].get('vanished')}")
    if not failures:
        print(f"ok: {summary['ideas']} ideas in {summary['themes']} themes and "
              f"{summary['unassigned']} unassigned, and it all adds up")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
