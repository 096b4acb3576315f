#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Show that examples/gather.sh, the first half of the README's main job (examples/cycle.sh,
checked by check_cycle.py), works: it gathers every example export without error, its tally
adds up line by line and in total, the output files hold exactly what the tally says, no
e-mail address leaks into them, the ideas of each export are the same whether it is gathered
alone or with the others, and the output is byte-identical from run to run and whatever the
number of threads.

Usage: check_examples.py SOURCE_DIR ML_GATHER
"""
import json
import os
import re
import subprocess
import sys
import tempfile

TALLY = re.compile(
    r"^ml-gather: (?P<file>.+?): (?P<rows>\d+) rows = (?P<kept>\d+) kept \+ (?P<rrej>\d+) rejected"
    r"(?: \((?P<rreasons>[^)]*)\))?; (?P<answers>\d+) answers -> (?P<items>\d+) items = "
    r"(?P<ideas>\d+) ideas \+ (?P<irej>\d+) rejected(?: \((?P<ireasons>[^)]*)\))?(?P<rest>.*)$")
EMAIL = re.compile(r"[\w.+-]+@[\w-]+\.[\w.-]+")
EXPORTS = ["google-forms.csv", "microsoft-forms.xlsx", "typeform.csv", "surveymonkey.csv",
           "qualtrics.csv", "limesurvey.csv", "kobotoolbox.csv", "kobotoolbox.json",
           "polis-comments.csv"]
UNITS = {"Ashby", "Brookfield", "Carrow", "Dunmore", "Eastgate", "Fenwick", "Glenholm",
         "Harbourside"}

failures = []


def fail(message):
    failures.append(message)
    print("FAIL: " + message)


def reasons(text):
    out = {}
    for part in (text or "").split(", "):
        if part:
            name, count = part.rsplit(" ", 1)
            out[name] = int(count)
    return out


def passed_on(rest):
    m = re.search(r"(\d+) stream records passed on", rest)
    return int(m.group(1)) if m else 0


def run_gather(source, gather, out_dir, *options):
    env = dict(os.environ, ML_GATHER=gather)
    env.pop("ML_SALT", None)  # the script's own example salt
    return subprocess.run(["bash", os.path.join(source, "examples", "gather.sh"), out_dir,
                           *options], capture_output=True, text=True, env=env, timeout=120)


def alone(source, gather, export):
    """The idea lines of one export gathered on its own, as gather.sh would."""
    env = dict(os.environ, ML_SALT="massline-example-salt")
    run = subprocess.run([gather, "-q", export], capture_output=True, text=True, env=env,
                         cwd=os.path.join(source, "examples"), timeout=120)
    if run.returncode != 0:
        fail(f"ml-gather {export} alone exited with {run.returncode}: {run.stderr}")
    return [line for line in run.stdout.splitlines() if '"type":"idea"' in line]


def check_tally(stderr):
    """Checks each tally line; returns them by file name."""
    lines = {}
    for line in stderr.splitlines():
        if ": warning: " in line:
            # The one warning the examples are meant to show (see the README).
            if "consent" not in line:
                fail(f"unexpected warning: {line}")
            continue
        if ": error: " in line:
            fail(f"error: {line}")
            continue
        m = TALLY.match(line)
        if not m:
            continue
        t = {k: int(v) for k, v in m.groupdict().items()
             if k in ("rows", "kept", "rrej", "answers", "items", "ideas", "irej")}
        t["rreasons"], t["ireasons"] = reasons(m["rreasons"]), reasons(m["ireasons"])
        t["passed"] = passed_on(m["rest"])
        name = m["file"]
        if t["rows"] != t["kept"] + t["rrej"]:
            fail(f"{name}: rows {t['rows']} != kept {t['kept']} + rejected {t['rrej']}")
        if t["items"] != t["ideas"] + t["irej"]:
            fail(f"{name}: items {t['items']} != ideas {t['ideas']} + rejected {t['irej']}")
        if sum(t["rreasons"].values()) != t["rrej"]:
            fail(f"{name}: row reasons {t['rreasons']} do not add up to {t['rrej']}")
        if sum(t["ireasons"].values()) != t["irej"]:
            fail(f"{name}: item reasons {t['ireasons']} do not add up to {t['irej']}")
        if t["items"] < t["answers"]:
            fail(f"{name}: fewer items ({t['items']}) than answers ({t['answers']})")
        lines[name] = t
    return lines


def main() -> int:
    source, gather = sys.argv[1], sys.argv[2]
    if os.sep in gather:
        gather = os.path.abspath(gather)
    with tempfile.TemporaryDirectory(prefix="ml-examples-") as tmp:
        first, second = os.path.join(tmp, "a"), os.path.join(tmp, "b")
        run = run_gather(source, gather, first)
        sys.stdout.write(run.stderr)
        if run.returncode != 0:
            fail(f"examples/gather.sh exited with {run.returncode}")
            return 1
        tally = check_tally(run.stderr)

        files = [f for f in tally if f != "total"]
        if files != EXPORTS:
            fail(f"tally lines for {files}, expected one for each of {EXPORTS}")
        total = tally.get("total")
        if total is None:
            fail("no total tally line")
            return 1
        for key in ("rows", "kept", "rrej", "answers", "items", "ideas", "irej", "passed"):
            s = sum(tally[f][key] for f in files)
            if s != total[key]:
                fail(f"total {key} is {total[key]}, the files add up to {s}")
        for f in files:
            if tally[f]["ideas"] == 0:
                fail(f"{f} gave no ideas")

        ideas_path = os.path.join(first, "ideas.jsonl")
        rejects_path = os.path.join(first, "rejects.jsonl")
        with open(ideas_path, encoding="utf-8") as fh:
            ideas_text = fh.read()
        with open(rejects_path, encoding="utf-8") as fh:
            rejects_text = fh.read()
        for name, text in (("ideas.jsonl", ideas_text), ("rejects.jsonl", rejects_text)):
            if text and not text.endswith("\n"):
                fail(f"{name} does not end with a newline")
            found = EMAIL.findall(text)
            if found:
                fail(f"{name} holds e-mail addresses: {sorted(set(found))}")

        records = [json.loads(line) for line in ideas_text.splitlines()]
        if not records or records[0] != {"type": "header", "v": 1, "tool": "ml-gather",
                                          "version": records[0].get("version")}:
            fail(f"ideas.jsonl does not start with a header record: {records[:1]}")
        ideas = [r for r in records if r.get("type") == "idea"]
        if len(ideas) != total["ideas"]:
            fail(f"ideas.jsonl holds {len(ideas)} ideas, the tally says {total['ideas']}")
        if len(records) != 1 + total["ideas"] + total["passed"]:
            fail(f"ideas.jsonl holds {len(records)} records, expected 1 + {total['ideas']} "
                 f"+ {total['passed']}")
        ids = [r["id"] for r in ideas]
        if len(set(ids)) != len(ids):
            fail("idea ids are not unique")
        for r in ideas:
            where = f"{r.get('source', {}).get('file')}:{r.get('source', {}).get('row')}"
            if list(r)[:10] != ["type", "id", "text", "respondent", "unit", "question", "time",
                                "segments", "ratings", "source"]:
                fail(f"{where}: idea fields out of order: {list(r)}")
            if not re.fullmatch(r"i-[0-9a-f]{16}", r["id"]):
                fail(f"{where}: bad id {r['id']!r}")
            if not isinstance(r["respondent"], str) or not re.fullmatch(r"r-[0-9a-f]{16}",
                                                                         r["respondent"]):
                fail(f"{where}: respondent is not a pseudonym: {r['respondent']!r}")
            if not r["text"].strip():
                fail(f"{where}: empty text")
            if r["unit"] is not None and r["unit"] not in UNITS:
                fail(f"{where}: unit {r['unit']!r} is not one of the example depots")
            if r["source"]["platform"] == "plain":
                fail(f"{where}: platform not detected")
        rejects = [json.loads(line) for line in rejects_text.splitlines()]
        want = total["rrej"] + total["irej"]
        if len(rejects) != want or any(r.get("type") != "reject" for r in rejects):
            fail(f"rejects.jsonl holds {len(rejects)} records, the tally says {want} rejects")
        by_reason = {}
        for r in rejects:
            by_reason[r["reason"]] = by_reason.get(r["reason"], 0) + 1
        if by_reason != {**total["rreasons"], **total["ireasons"]}:
            fail(f"rejects by reason {by_reason} differ from the tally "
                 f"{ {**total['rreasons'], **total['ireasons']} }")

        # What one export gives must not depend on the others gathered with it.
        if os.environ.get("ML_SALT", "massline-example-salt") == "massline-example-salt":
            for export in EXPORTS:
                together = [line for line in ideas_text.splitlines()
                            if json.loads(line).get("source", {}).get("file") == export]
                by_itself = alone(source, gather, export)
                if together != by_itself:
                    diff = [line for line in together if line not in by_itself][:2]
                    fail(f"{export}: its ideas differ when it is gathered with the other exports "
                         f"({len(together)} lines, {len(by_itself)} alone); for instance "
                         f"{diff}")

        for label, options in (("a second run", ()), ("--threads 1", ("--threads", "1"))):
            again = run_gather(source, gather, second, *options)
            if again.returncode != 0:
                fail(f"examples/gather.sh {' '.join(options)} exited with {again.returncode}")
            for name in ("ideas.jsonl", "rejects.jsonl"):
                with open(os.path.join(first, name), "rb") as a, open(
                        os.path.join(second, name), "rb") as b:
                    if a.read() != b.read():
                        fail(f"{name} differs in {label} on the same input")
    if not failures:
        print(f"ok: {total['rows']} rows, {total['ideas']} ideas, "
              f"{total['rrej'] + total['irej']} rejects, and it all adds up")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
