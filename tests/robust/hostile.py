#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Hostile text through a whole cycle (issue 6): answers, unit names, heads, column headers
and report notes carrying script tags, HTML, CSV formulas, bidi overrides, terminal escape
sequences, control characters, NUL bytes and invalid UTF-8, and units named like paths or
Windows device names. Then a check per output kind, on everything the four tools write:

  jsonl     every line of every record file is a JSON object in valid UTF-8 (control
            characters escaped, never raw)
  terminal  standard error and ml-gather --columns: no escape sequence, bell, NUL or bidi
            control reaches the terminal raw
  html      letters, index and the review: no element, attribute or URL from the input
            (no '<script', no 'javascript:', no raw '<' from an answer); a CSP that allows
            nothing; no bidi or control characters
  markdown  letters and index: no raw HTML from the input, no bidi or control characters
  csv       report templates and --format csv: no cell that a spreadsheet would run as a
            formula (=, +, -, @, tab, CR first) unless it is a plain number
  files     every file name in --out-dir is plain ASCII, not hidden, not a device name,
            inside the folder, unique, and each unit has its own

  hostile.py --tools DIR
"""
import argparse
import csv
import html.parser
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fixtures  # noqa: E402
from fixtures import check, checked  # noqa: E402

fixtures.QUIET_OK = True  # a count per output kind instead

ENV = dict(os.environ, ML_SALT="hostile-test-salt", LC_ALL="C.UTF-8")

UNITS = ["../../x", "CON", "nul.txt", "<script>alert('u')</script>", "=HYPERLINK(\"http://e.x\")",
         "a\u202eexe.txt", ".hidden", "Ashby", "ashby", "x" * 300, "lpt1", "@SUM(A1)", "-2+3",
         "tab\there", "\u0000nul", "emoji \U0001F525 site"]
TEXTS = [
    "<script>alert('x')</script> the toilets are broken",
    "<img src=x onerror=alert(1)> heating broken",
    "[click](javascript:alert(1)) rota late",
    "=cmd|' /C calc'!A0 pay is low",
    "+SUM(1+1) breaks are short",
    "-2+3 managers shout",
    "@SUM(A1) lights in the car park",
    "\tleading tab agency staff",
    "\u202eevil\u202c bidi override in the toilets",
    "escape \u001b[31mred\u001b]0;title\u0007 heating",
    "nul \u0000 byte in the rota",
    "</td></tr></table><h1>big</h1> targets",
    "**bold** _it_ `code` # heading | pipe | table",
    "&amp; &lt; entity heating",
]




def run(cmd, codes=(0,)):
    r = subprocess.run(cmd, env=ENV, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    if not check(r.returncode in codes, f"run: {os.path.basename(cmd[0])} exit {r.returncode}: "
                                        f"{r.stderr.decode(errors='replace')[-400:]}"):
        raise SystemExit(1)
    return r


TERMINAL_BAD = re.compile(rb"[\x00-\x08\x0b-\x1f\x7f]|\xc2[\x80-\x9f]|\xe2\x80[\xaa-\xae\x8e\x8f]"
                          rb"|\xe2\x81[\xa6-\xa9]")
TEXT_BAD = re.compile("[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u202a-\u202e"
                      "\u2066-\u2069]")


def check_terminal(name, data):
    m = TERMINAL_BAD.search(data)
    check(m is None, f"terminal: {name} has {m.group(0) if m else ''!r} raw")


def check_jsonl(path):
    with open(path, "rb") as f:
        for n, raw in enumerate(f, 1):
            try:
                rec = json.loads(raw.decode("utf-8"))
            except (UnicodeDecodeError, ValueError) as e:
                check(False, f"jsonl: {path}:{n}: {e}")
                return
            if not check(isinstance(rec, dict), f"jsonl: {path}:{n} is not an object"):
                return
            check(b"\x00" not in raw and not re.search(rb"[\x00-\x1f]", raw.rstrip(b"\r\n")),
                  f"jsonl: {path}:{n} has a raw control character")


class Elements(html.parser.HTMLParser):
    """The elements, attributes and heading texts of an HTML page, as a browser sees them."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags, self.attrs, self.headings, self._in_h = set(), [], [], False

    def handle_starttag(self, tag, attrs):
        self.tags.add(tag)
        self.attrs += [(tag, k, v or "") for k, v in attrs]
        self._in_h = tag in ("h1", "h2", "h3")

    def handle_endtag(self, tag):
        self._in_h = False

    def handle_data(self, data):
        if self._in_h:
            self.headings.append(data.strip())


def check_html(path):
    text = open(path, encoding="utf-8").read()
    e = Elements()
    e.feed(text)
    bad_tags = e.tags & {"script", "img", "iframe", "object", "embed", "form", "input", "base",
                         "video", "audio", "link", "frame"}
    check(not bad_tags, f"html: {path} has the elements {sorted(bad_tags)} from the input")
    bad = [(t, k, v) for t, k, v in e.attrs
           if k.startswith("on") or v.strip().lower().startswith(("javascript:", "data:"))]
    check(not bad, f"html: {path} has the attributes {bad[:3]} from the input")
    check("big" not in e.headings, f"html: {path} lets an answer close the table and add a heading")
    check("default-src 'none'" in text, f"html: {path} has its CSP")
    m = TEXT_BAD.search(text)
    check(m is None, f"html: {path} has the control {m.group(0) if m else ''!r}")


def check_markdown(path):
    text = open(path, encoding="utf-8").read()
    low = text.lower()
    check("<script" not in low and "<img" not in low and "](javascript:" not in low,
          f"markdown: {path} has raw HTML or a script link from the input")
    m = TEXT_BAD.search(text)
    check(m is None, f"markdown: {path} has the control {m.group(0) if m else ''!r}")


NUMBER = re.compile(r"^[-+]?\d+(\.\d+)?$")


def check_csv(path):
    with open(path, encoding="utf-8", newline="") as f:
        bad = [(n, cell[:40]) for n, row in enumerate(csv.reader(f), 1) for cell in row
               if cell and cell[0] in "=+-@\t\r" and not NUMBER.match(cell)]
    check(not bad, f"csv: {path}: formula cells {bad[:3]}")


RESERVED = {"con", "prn", "aux", "nul"} | {f"{p}{i}" for p in ("com", "lpt") for i in range(10)}


def check_files(folder, units):
    names = os.listdir(folder)
    for name in names:
        stem = name.split(".")[0].lower()
        check(re.fullmatch(r"[A-Za-z0-9][A-Za-z0-9._-]*", name) is not None and len(name) <= 255,
              f"files: {name!r} is not a plain file name")
        check(stem not in RESERVED, f"files: {name!r} is a Windows device name")
        check(os.path.realpath(os.path.join(folder, name)).startswith(os.path.realpath(folder)),
              f"files: {name!r} is outside the folder")
    letters = [n for n in names if n.endswith(".html") and n != "index.html"]
    check(len(letters) == len(units), f"files: {len(letters)} letters for {len(units)} units")
    lower = [n.lower() for n in names]
    check(len(set(lower)) == len(lower), "files: two names differ only by case")


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tools", required=True)
    a = ap.parse_args()
    t = {k: os.path.join(a.tools, "ml-" + k) for k in ("gather", "concentrate", "dispatch", "review")}
    w = tempfile.mkdtemp(prefix="ml-hostile-")
    keep = os.environ.get("ML_KEEP")
    try:
        # Two exports: one in UTF-8 with hostile text, one with invalid UTF-8 bytes.
        export = os.path.join(w, "export.csv")
        units = [u.replace("\u0000", "") for u in UNITS]
        with open(export, "w", encoding="utf-8", newline="") as f:
            wr = csv.writer(f, lineterminator="\n")
            wr.writerow(["Timestamp", "Which site do you work at?",
                         "\u001b[31mWhat is the biggest problem?\u0007",
                         "<b>What should we campaign for first?</b>"])
            for i in range(240):
                wr.writerow([f"2026/03/{1 + i % 28:02d} 9:{i % 60:02d}:00 AM GMT",
                             UNITS[i % len(UNITS)], TEXTS[i % len(TEXTS)] + f" {i % 7}",
                             TEXTS[(i * 5 + 3) % len(TEXTS)]])
        bad = os.path.join(w, "bad-bytes.csv")
        with open(bad, "wb") as f:
            f.write(b"Timestamp,Which site do you work at?,What is the biggest problem?\n")
            for i in range(30):
                f.write(b"2026/03/01 9:00:00 AM GMT,Ashby,the heating \xff\xfe is broken \xc3(" +
                        str(i).encode() + b"\n")
        org = os.path.join(w, "org.csv")
        with open(org, "w", encoding="utf-8", newline="") as f:
            wr = csv.writer(f, lineterminator="\n")
            wr.writerow(["unit", "parent", "head", "responsible", "contact", "members"])
            wr.writerow(["Branch", "", "<script>alert('head')</script>", "=1+1", "", ""])
            for u in units:
                wr.writerow([u, "Branch", "\u202eHead\u202c " + u[:20], "@Steward", "", "12"])
        p = {k: os.path.join(w, v) for k, v in {
            "ideas": "ideas.jsonl", "rejects": "rejects.jsonl", "line": "line.jsonl",
            "directives": "directives.jsonl", "csv": "directives.csv", "letters": "letters",
            "review": "review.jsonl", "html": "review.html", "next": "next-ideas.jsonl",
            "rrej": "review-rejects.jsonl"}.items()}
        stderr = {}
        r = run([t["gather"], "--columns", export])
        check_terminal("ml-gather --columns (stdout)", r.stdout)
        stderr["ml-gather --columns"] = r.stderr
        stderr["ml-gather"] = run([t["gather"], "-o", p["ideas"], "--rejects", p["rejects"],
                                   export, bad]).stderr
        stderr["ml-concentrate"] = run([t["concentrate"], "-o", p["line"], p["ideas"]]).stderr
        stderr["ml-dispatch"] = run([t["dispatch"], "--org", org, "--start", "2026-03-02",
                                     "--out-dir", p["letters"], "-o", p["directives"],
                                     p["line"]]).stderr
        stderr["ml-dispatch --format csv"] = run([t["dispatch"], "--org", org, "--start",
                                                  "2026-03-02", "--format", "csv", "-o", p["csv"],
                                                  p["line"]]).stderr
        reports = fixtures.fill_reports(p["letters"], os.path.join(w, "reports"), 9)
        for i, path in enumerate(reports):  # every filled row gets a hostile note
            with open(path, encoding="utf-8", newline="") as f:
                rows = list(csv.reader(f))
            col = rows[0].index("notes")
            for j, row in enumerate(rows[1:]):
                if row[rows[0].index("status")]:
                    row[col] = TEXTS[(i + j) % len(TEXTS)]
            with open(path, "w", encoding="utf-8", newline="") as f:
                csv.writer(f, lineterminator="\n").writerows(rows)
        stderr["ml-review"] = run([t["review"], "--directives", p["directives"], "--as-of",
                                   "2026-04-30", "--html", p["html"], "--emit-ideas", p["next"],
                                   "--rejects", p["rrej"], "-o", p["review"]] + reports,
                                  codes=(0, 1)).stderr
        for name, data in stderr.items():
            check_terminal(f"{name} (stderr)", data)
        for k in ("ideas", "rejects", "line", "directives", "review", "next", "rrej"):
            check_jsonl(p[k])
        letters = p["letters"]
        for name in sorted(os.listdir(letters)):
            path = os.path.join(letters, name)
            if name.endswith(".html"):
                check_html(path)
            elif name.endswith(".md"):
                check_markdown(path)
            elif name.endswith(".csv"):
                check_csv(path)
        check_html(p["html"])
        check_csv(p["csv"])
        check_files(letters, ["Branch"] + units)
        # The hostile text arrived (escaped), so the checks above looked at it.
        html = "".join(open(os.path.join(letters, n), encoding="utf-8").read()
                       for n in os.listdir(letters) if n.endswith(".html"))
        check("&lt;script&gt;" in html, "html: the script tags arrive escaped")
        md = "".join(open(os.path.join(letters, n), encoding="utf-8").read()
                     for n in os.listdir(letters) if n.endswith(".md"))
        check("script" in md, "markdown: the script tag's text arrives (escaped)")
        check("'=HYPERLINK" in open(p["csv"], encoding="utf-8").read()
              or "'=cmd" in open(p["csv"], encoding="utf-8").read(),
              "csv: a formula arrives neutralised")
    finally:
        if not keep:
            shutil.rmtree(w, ignore_errors=True)
    print("checked: " + ", ".join(f"{k} {v}" for k, v in sorted(checked.items())))
    return fixtures.finish("hostile.py")


if __name__ == "__main__":
    sys.exit(main())
