#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Size tests for the tools (issue 6): inputs far outside the usual, each either handled
within bounded memory or refused with a clear message (exit 65, file:line), never a crash
or an out-of-memory kill. Peak memory is each run's own (wait4), checked against a bound
unless --no-memory-bounds (sanitizer builds use several times the memory).

  big-cell    one answer of --cell-mb MB (default 100) through ml-gather, ml-concentrate and
              ml-dispatch: kept whole, byte for byte; quotes and letters show an excerpt
  wide        10,000 columns: every non-empty answer becomes one idea
  deep        arrays and objects nested 200,000 levels in every reader: refused (65)
  no-newline  --lines rows (default 1,000,000) with no final newline: the last row counts
  long-line   a JSON Lines line over 256 MiB: refused (65) without holding it whole
  large       (--large-gb N, off by default) an export of N GB through ml-gather, and an
              idea stream of N GB through ml-concentrate

  size.py --tools DIR [--only NAME]... [--cell-mb N] [--lines N] [--large-gb N]
          [--no-memory-bounds] [--report FILE]

--report appends a Markdown table row per run (input, seconds, peak MB): bench/size.sh
uses it for the figures in docs/robustness.md.
"""
import argparse
import csv
import hashlib
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fixtures  # noqa: E402
from fixtures import check  # noqa: E402

ENV = dict(os.environ, ML_SALT="robustness-test-salt", LC_ALL="C.UTF-8")
WORDS = ("heating broken rota late toilets dirty pay low breaks short managers shout lights "
         "car park agency staff targets cold unsafe ladder forklift training").split()
report_rows = []
opts = None




# Runs a command and prints its exit status and its own peak memory (wait4): from a small
# fresh interpreter, so that the test's own memory is not counted in the child's peak.
LAUNCHER = """
import os, subprocess, sys
p = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL)
_, status, usage = os.wait4(p.pid, 0)
print(os.waitstatus_to_exitcode(status), usage.ru_maxrss, file=sys.stderr)
"""


def measure(cmd, what, input_bytes=None):
    """Runs cmd; returns (exit status, stderr text, seconds, peak MB of that process)."""
    start = time.monotonic()
    r = subprocess.run([sys.executable, "-c", LAUNCHER] + cmd, env=ENV, stdout=subprocess.DEVNULL,
                       stderr=subprocess.PIPE)
    took = time.monotonic() - start
    lines = r.stderr.decode(errors="replace").rstrip("\n").split("\n")
    code, kb = (int(x) for x in lines[-1].split())
    err = "\n".join(lines[:-1])
    peak = kb / 1024
    size = f"{input_bytes / 1e6:,.0f} MB" if input_bytes else ""
    report_rows.append(f"| {what} | {size} | {code} | {took:.2f} | {peak:,.0f} |")
    print(f"     {what}: exit {code}, {took:.2f} s, peak {peak:,.0f} MB", flush=True)
    return code, err, took, peak


def bounded(peak, limit_mb, what):
    if opts.no_memory_bounds:
        return
    check(peak < limit_mb, f"{what}: peak memory {peak:,.0f} MB < {limit_mb:,} MB")




def test_big_cell(t, work):
    n = opts.cell_mb * 1_000_000
    rng = random.Random(1)
    chunk = " ".join(rng.choice(WORDS + ['"quoted"', "comma,", "line\nbreak", "é"])
                     for _ in range(50_000))
    cell = (chunk * (n // len(chunk) + 1))[:n]
    cell = cell.strip()
    path = os.path.join(work, "big-cell.csv")
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\r\n")
        w.writerow(["Timestamp", "Which site do you work at?",
                    "What is the biggest problem at your site right now?"])
        w.writerow(["2026/03/01 9:00:00 AM GMT", "Site 0000", cell])
        for r in range(40):
            w.writerow([f"2026/03/01 9:{r:02d}:00 AM GMT", f"Site {r % 3:04d}",
                        " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 9)))])
    size = os.path.getsize(path)
    # ml-gather tidies whitespace; the text is otherwise the answer, whole.
    want = hashlib.sha256(fixtures_tidy(cell).encode()).digest()
    del cell, chunk
    ideas = os.path.join(work, "big-ideas.jsonl")
    code, err, _, peak = measure([t["gather"], "-q", "-o", ideas, path],
                                 f"ml-gather, one {opts.cell_mb} MB answer", size)
    check(code == 0, f"big-cell: ml-gather takes a {opts.cell_mb} MB answer ({err.strip()[:200]})")
    bounded(peak, 6 * opts.cell_mb + 200, "big-cell: ml-gather")
    got = [r["text"] for r in fixtures.records(ideas) if r["type"] == "idea" and len(r["text"]) > 1000]
    check(len(got) == 1 and hashlib.sha256(got[0].encode()).digest() == want,
          f"big-cell: the answer is kept whole ({len(got[0]) if got else 0:,} characters)")
    line = os.path.join(work, "big-line.jsonl")
    code, err, _, peak = measure([t["concentrate"], "-q", "-o", line, ideas],
                                 f"ml-concentrate, one {opts.cell_mb} MB idea",
                                 os.path.getsize(ideas))
    check(code == 0, f"big-cell: ml-concentrate ({err.strip()[:200]})")
    bounded(peak, 5 * opts.cell_mb + 200, "big-cell: ml-concentrate")
    records = fixtures.records(line)
    big_id = next(r["id"] for r in records if r.get("type") == "idea" and len(r["text"]) > 1000)
    quotes = [q for r in records if r.get("type") == "theme" for q in r["quotes"]]
    check(all(len(q["text"].encode()) <= 2004 for q in quotes)
          and all(q["text"].endswith("\u2026") for q in quotes if q["idea"] == big_id),
          f"big-cell: ml-concentrate's quotes are at most 2,000 bytes, the long answer's an "
          f"excerpt ({sum(q['idea'] == big_id for q in quotes)} of {len(quotes)} quotes)")
    big = [r for r in records if r.get("type") == "idea" and len(r["text"]) > 1000]
    check(len(big) == 1 and big[0]["text"] == got[0],
          "big-cell: ml-concentrate passes the idea on whole")
    org = os.path.join(work, "big-org.csv")
    fixtures.write_org(org, 3)
    out = os.path.join(work, "big-directives.jsonl")
    code, err, _, peak = measure([t["dispatch"], "-q", "--org", org, "--start", "2026-03-02",
                                  "--out-dir", os.path.join(work, "big-letters"), "-o", out,
                                  line], f"ml-dispatch, one {opts.cell_mb} MB idea",
                                 os.path.getsize(line))
    check(code == 0, f"big-cell: ml-dispatch ({err.strip()[:200]})")
    bounded(peak, 5 * opts.cell_mb + 200, "big-cell: ml-dispatch")
    letters = os.path.join(work, "big-letters")
    largest = max(os.path.getsize(os.path.join(letters, n)) for n in os.listdir(letters))
    check(largest < 200_000, f"big-cell: the letters quote an excerpt (largest {largest:,} bytes)")


def fixtures_tidy(s):
    """What ml-gather's whitespace tidying makes of the generated cell (runs of spaces and
    tabs become one space, each line is trimmed)."""
    lines = [" ".join(x.split()) for x in s.replace("\r\n", "\n").split("\n")]
    return "\n".join(lines).strip()


def test_wide(t, work):
    rng = random.Random(2)
    path = os.path.join(work, "wide.csv")
    questions = 9998
    answers = 0
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(["Timestamp", "Which site do you work at?"]
                   + [f"What do you think about issue {i}?" for i in range(questions)])
        for r in range(200):
            row = []
            for _ in range(questions):
                if rng.random() < 0.3:
                    row.append(" ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 9))))
                    answers += 1
                else:
                    row.append("")
            w.writerow([f"2026/03/01 9:{r % 60:02d}:00 AM GMT", f"Site {r % 7}"] + row)
    out = os.path.join(work, "wide.jsonl")
    code, err, _, peak = measure([t["gather"], "-o", out, path],
                                 "ml-gather, 10,000 columns x 200 rows", os.path.getsize(path))
    check(code == 0, f"wide: ml-gather reads 10,000 columns ({err.strip()[-200:]})")
    bounded(peak, 400, "wide: ml-gather")
    n = sum(1 for _ in open(out, encoding="utf-8")) - 1
    check(n == answers, f"wide: every answer is an idea ({n:,} of {answers:,})")


def test_deep(t, work):
    d = 200_000
    arr = "[" * d + "]" * d
    obj = '{"a":' * d + "1" + "}" * d
    header = '{"type":"header","v":1,"tool":"ml-gather","version":"0.1.0"}\n'
    rows = [{"site": f"S{i % 4}", "What is the biggest problem?": " ".join(
        random.Random(i).choice(WORDS) for _ in range(6))} for i in range(30)]
    flat = ",".join(json.dumps(r) for r in rows)
    files = {
        "export.json": "[" + flat + ',{"site":"A","What is the biggest problem?":"x","x":'
                       + arr + "}]",
        "export.jsonl": "\n".join(json.dumps(r) for r in rows) + '\n{"site":"A","x":' + obj
                        + "}\n",
        "envelope.json": '{"count":31,"results":[' + flat + ',{"x":' + arr + "}]}",
        "ideas.jsonl": header + '{"type":"idea","id":"i-1","text":"heating","theme":"t-1","x":'
                       + arr + "}\n",
        "org.json": '[{"unit":"A","head":"x","x":' + obj + "}]",
        "org.jsonl": '{"unit":"A","head":"x"}\n{"unit":"B","head":"y","x":' + arr + "}\n",
        "reports.jsonl": '{"type":"report","directive":"d-1","x":' + arr + "}\n",
    }
    for name, text in files.items():
        with open(os.path.join(work, name), "w", encoding="utf-8") as f:
            f.write(text)
    p = lambda n: os.path.join(work, n)  # noqa: E731
    small = fixtures.cycle(t, p("deep-cycle"), 300, 5, 7)
    org = p("org.csv")
    fixtures.write_org(org, 2)
    runs = [
        ("ml-gather", [t["gather"], "-o", p("o1"), p("export.json")], "export.json:1"),
        ("ml-gather", [t["gather"], "-o", p("o2"), p("export.jsonl")], "export.jsonl:31"),
        ("ml-gather", [t["gather"], "-o", p("o3"), p("envelope.json")], "envelope.json"),
        ("ml-concentrate", [t["concentrate"], "-o", p("o4"), p("ideas.jsonl")], "ideas.jsonl:2"),
        ("ml-dispatch", [t["dispatch"], "--org", org, "-o", p("o5"), p("ideas.jsonl")],
         "ideas.jsonl:2"),
        ("ml-dispatch", [t["dispatch"], "--org", p("org.json"), "-o", p("o6"), p("ideas.jsonl")],
         "org.json"),
        ("ml-dispatch", [t["dispatch"], "--org", p("org.jsonl"), "-o", p("o7"),
                         p("ideas.jsonl")], "org.jsonl:2"),
        ("ml-review", [t["review"], "--as-of", "2026-04-30", "-o", p("o8"), p("ideas.jsonl")],
         "ideas.jsonl:2"),
        ("ml-review", [t["review"], "--as-of", "2026-04-30", "--directives",
                       small["directives"], "-o", p("o9"), p("reports.jsonl")], "reports.jsonl:1"),
    ]
    for tool, cmd, where in runs:
        code, err, _, peak = measure(cmd, f"{tool}, nested 200,000 levels ({where})")
        check(code == 65 and where in err and "nested more than 64 levels" in err,
              f"deep: {tool} refuses {where} with 65 and a message ({code}: {err.strip()[:200]})")
        bounded(peak, 300, f"deep: {tool}")
        out = cmd[cmd.index("-o") + 1]
        check(not os.path.exists(out), f"deep: {tool} writes no output")


def test_no_newline(t, work):
    rows = opts.lines
    path = os.path.join(work, "no-newline.csv")
    fixtures.write_export(path, rows, 4, units=50, final_newline=False)
    with open(path, "rb") as f:
        f.seek(-200, os.SEEK_END)
        tail = f.read()
    check(not tail.endswith(b"\n"), "no-newline: the export has no final newline")
    out = os.path.join(work, "no-newline.jsonl")
    code, err, _, peak = measure([t["gather"], "-o", out, path],
                                 f"ml-gather, {rows:,} rows, no final newline",
                                 os.path.getsize(path))
    check(code == 0 and f"{rows} rows = " in err,
          f"no-newline: ml-gather counts every row ({err.strip()[-200:]})")
    bounded(peak, 200, "no-newline: ml-gather")
    last_row = rows + 1  # the header is row 1
    with open(out, "rb") as f:
        f.seek(-64_000, os.SEEK_END)
        tail = f.read().decode(errors="replace").splitlines()[-10:]
    check(any(f'"row":{last_row},' in x for x in tail),
          f"no-newline: the last row ({last_row}) gives its ideas")
    # The ideas, as one JSON Lines input with no final newline, through ml-concentrate.
    with open(out, "rb+") as f:
        f.seek(-1, os.SEEK_END)
        f.truncate()
    ideas = sum(1 for _ in open(out, encoding="utf-8")) - 1
    line = os.path.join(work, "no-newline-line.jsonl")
    code, err, _, peak = measure([t["concentrate"], "-o", line, out],
                                 f"ml-concentrate, {ideas:,} ideas, no final newline",
                                 os.path.getsize(out))
    check(code == 0 and f"{ideas} ideas" in err,
          f"no-newline: ml-concentrate reads every idea ({err.strip()[-200:]})")
    bounded(peak, 200 + ideas * 0.0008, "no-newline: ml-concentrate")


def test_long_line(t, work):
    path = os.path.join(work, "long-line.jsonl")
    with open(path, "wb") as f:
        f.write(b'{"type":"header","v":1,"tool":"ml-gather","version":"0.1.0"}\n')
        f.write(b'{"type":"idea","id":"i-1","text":"')
        block = b"x" * (1 << 20)
        for _ in range(260):
            f.write(block)
        f.write(b'"}\n')
    for tool in ("concentrate", "dispatch", "review"):
        cmd = [t[tool], "-o", os.path.join(work, "ll-out")]
        if tool == "dispatch":
            org = os.path.join(work, "ll-org.csv")
            fixtures.write_org(org, 2)
            cmd += ["--org", org]
        if tool == "review":
            cmd += ["--as-of", "2026-04-30"]
        code, err, _, peak = measure(cmd + [path], f"ml-{tool}, a 260 MiB line",
                                     os.path.getsize(path))
        check(code == 65 and "long-line.jsonl:2: a line longer than" in err,
              f"long-line: ml-{tool} refuses it with 65 and a message ({code}: "
              f"{err.strip()[:200]})")
        bounded(peak, 700, f"long-line: ml-{tool}")


def test_large(t, work):
    """--large-gb GB of export through ml-gather (ideas to /dev/null: they would be about
    six times the input), and an idea stream of that size through ml-concentrate."""
    unit = os.path.join(work, "large-unit.csv")
    fixtures.write_export(unit, 200_000, 5, units=500)
    with open(unit, "rb") as f:
        header, body = f.read().split(b"\r\n", 1)
    os.remove(unit)

    def export(path, target):
        """Copies of the rows, each copy from other people (their e-mail addresses differ),
        so that no copy is a re-submission of another."""
        copies = 0
        with open(path, "wb") as f:
            f.write(header + b"\r\n")
            while f.tell() < target:
                f.write(body.replace(b"@example.org", b"@c%d.example.org" % copies))
                copies += 1
        return copies * 200_000

    target = int(opts.large_gb * 1e9)
    path = os.path.join(work, "large.csv")
    rows = export(path, target)
    size = os.path.getsize(path)
    code, err, _, peak = measure([t["gather"], "-o", "/dev/null", path],
                                 f"ml-gather, {rows:,} rows", size)
    check(code == 0 and f"{rows} rows = " in err,
          f"large: ml-gather reads {size / 1e9:.1f} GB ({err.strip()[-200:]})")
    # Streaming, but for the exact-duplicate index: 8-18 bytes an answer (two a row here).
    bounded(peak, 100 + rows * 2 * 20 / 1e6, "large: ml-gather")
    # An idea stream of the same size: the ideas of an export about a seventh as large.
    rows = export(path, target // 7)
    ideas = os.path.join(work, "large-ideas.jsonl")
    code, err, _, _ = measure([t["gather"], "-q", "-o", ideas, path], "ml-gather (for the next)")
    os.remove(path)
    n = sum(1 for _ in open(ideas, "rb")) - 1
    code, err, _, peak = measure([t["concentrate"], "-o", "/dev/null", ideas],
                                 f"ml-concentrate, {n:,} ideas", os.path.getsize(ideas))
    check(code == 0 and f"{n} ideas" in err, f"large: ml-concentrate reads {n:,} ideas "
                                             f"({err.strip()[-200:]})")
    os.remove(ideas)


def main():
    global opts
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tools", required=True)
    ap.add_argument("--only", action="append")
    ap.add_argument("--cell-mb", type=int, default=100)
    ap.add_argument("--lines", type=int, default=1_000_000)
    ap.add_argument("--large-gb", type=float, default=0)
    ap.add_argument("--no-memory-bounds", action="store_true")
    ap.add_argument("--work", help="scratch folder (default: a new one under TMPDIR)")
    ap.add_argument("--report", help="append the measurements to this Markdown file")
    opts = ap.parse_args()
    t = {k: os.path.join(opts.tools, "ml-" + k)
         for k in ("gather", "concentrate", "dispatch", "review")}
    work = tempfile.mkdtemp(prefix="ml-size-", dir=opts.work)
    tests = {"big-cell": test_big_cell, "wide": test_wide, "deep": test_deep,
             "no-newline": test_no_newline, "long-line": test_long_line}
    if opts.large_gb:
        tests["large"] = test_large
    try:
        for name, fn in tests.items():
            if not opts.only or name in opts.only:
                fn(t, work)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    if opts.report:
        with open(opts.report, "a", encoding="utf-8") as f:
            f.write("\n".join(report_rows) + "\n")
    return fixtures.finish("size.py")


if __name__ == "__main__":
    sys.exit(main())
