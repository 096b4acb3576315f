#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Show that the HTML the tools write is valid and safe: runs examples/cycle.sh (letters,
index, review report) and a dispatch and review of hostile names and notes, then checks
every .html file with HTML Tidy (no error, no warning) and that none holds a script, an
outside resource or markup from the data.

Usage: check_html.py SOURCE_DIR ML_GATHER ML_CONCENTRATE ML_DISPATCH ML_REVIEW
Exit 77 (skipped) when tidy is not installed (apt-get install -y tidy).
"""
import glob
import os
import re
import shutil
import subprocess
import sys
import tempfile

HOSTILE_LINE = (
    '{"type":"theme","id":"t-1","rank":1,"tier":"central","label":"<b>x</b>","keywords":[],'
    '"phrase":"<script>alert(1)</script>","support":{"respondents":1,"ideas":1,"units":1},'
    '"units":{"<u>":1},"quotes":[],"ideas":["i-1"]}\n'
    '{"type":"idea","id":"i-1","text":"<img src=x onerror=alert(1)> \\u202e","respondent":"r",'
    '"unit":"<u>","theme":"t-1"}\n')


def main() -> int:
    if shutil.which("tidy") is None:
        print("skipped: tidy is not installed (apt-get install -y tidy)")
        return 77
    source, gather, concentrate, dispatch, review = (os.path.abspath(a) for a in sys.argv[1:6])
    failures = []
    with tempfile.TemporaryDirectory(prefix="ml-html-") as tmp:
        env = dict(os.environ, ML_GATHER=gather, ML_CONCENTRATE=concentrate,
                   ML_DISPATCH=dispatch, ML_REVIEW=review)
        run = subprocess.run(["bash", os.path.join(source, "examples", "cycle.sh"),
                              os.path.join(tmp, "cycle"), "-q"],
                             capture_output=True, text=True, env=env, timeout=300)
        if run.returncode != 0:
            print(run.stderr)
            print("FAIL: examples/cycle.sh exited with", run.returncode)
            return 1
        hostile = os.path.join(tmp, "hostile")
        os.mkdir(hostile)
        with open(os.path.join(hostile, "line.jsonl"), "w", encoding="utf-8") as f:
            f.write(HOSTILE_LINE)
        with open(os.path.join(hostile, "org.csv"), "w", encoding="utf-8") as f:
            f.write('unit,head,responsible\n<u>,"<i>boss</i>","=1+1"\n')
        subprocess.run([dispatch, "-q", "--org", "org.csv", "--start", "2026-03-02",
                        "--out-dir", "letters", "-o", "directives.jsonl", "line.jsonl"],
                       cwd=hostile, check=True, timeout=60)
        with open(os.path.join(hostile, "letters", "u-report.csv"), encoding="utf-8") as f:
            template = f.read().splitlines()
        with open(os.path.join(hostile, "report.csv"), "w", encoding="utf-8") as f:
            f.write(template[0] + "\n")
            cells = template[1].split(",")
            cells[8:] = ["2026-03-16", "in-progress", "10", "20", "<script>x</script>"]
            f.write(",".join(cells) + "\n")
        r = subprocess.run([review, "-q", "--directives", "directives.jsonl", "--as-of",
                            "2026-03-20", "--html", "review.html", "-o", "review.jsonl",
                            "report.csv"], cwd=hostile, timeout=60)
        if r.returncode not in (0, 1):
            failures.append(f"ml-review on the hostile reports exited with {r.returncode}")
        pages = sorted(glob.glob(os.path.join(tmp, "cycle", "letters", "*.html")) +
                       [os.path.join(tmp, "cycle", "review.html")] +
                       glob.glob(os.path.join(hostile, "letters", "*.html")) +
                       [os.path.join(hostile, "review.html")])
        for page in pages:
            name = os.path.relpath(page, tmp)
            t = subprocess.run(["tidy", "-q", "-e", page], capture_output=True, text=True)
            if t.returncode != 0:
                failures.append(f"{name}: tidy says:\n{t.stderr}")
            with open(page, encoding="utf-8") as f:
                html = f.read()
            if re.search(r"<script|<img|<iframe|<b>|<i>|<u>|javascript:|https?://", html):
                failures.append(f"{name}: holds markup, a script or an outside resource")
            if "\u202e" in html:
                failures.append(f"{name}: holds a bidi override character")
        print(f"checked {len(pages)} pages")
    for f in failures:
        print("FAIL:", f)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
