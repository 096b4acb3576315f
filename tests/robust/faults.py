#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Fault tests for all four tools (issue 6), on a generated cycle (fixtures.py):

  full      standard output and -o FILE on a full device (/dev/full): exit 74 and a message
  keep-old  -o FILE over an old file, the write failing half way (the file size limit,
            RLIMIT_FSIZE, stands in for a full disk): exit 74, the old file intact, no
            temporary file left
  kill      a run killed (SIGKILL) at a random moment while it writes -o FILE (and
            ml-dispatch's letters): every file is the old one or the new one, whole
  missing   a missing input among several: exit 66, as each man page documents
  state     ml-review --state killed at random moments, again and again, then run to
            the end: the history is the one an uninterrupted run writes, and a run after
            it finds every row known; concurrent runs on one state likewise

  faults.py --tools DIR [--only NAME] [--kills N] [--seed S]
"""
import argparse
import os
import random
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import fixtures  # noqa: E402
from fixtures import check, read  # noqa: E402

ENV = dict(os.environ, ML_SALT="robustness-test-salt", LC_ALL="C.UTF-8")
NL = b"\n"






def leftovers(directory):
    return sorted(n for n in os.listdir(directory) if ".tmp-" in n)


def commands(t, p, out):
    """Each tool's run on the cycle, writing its main output to `out`."""
    return {
        "ml-gather": [t["gather"], "-q", "-o", out, p["export"]],
        "ml-concentrate": [t["concentrate"], "-q", "-o", out, p["ideas"]],
        "ml-dispatch": [t["dispatch"], "-q", "--org", p["org"], "--start", "2026-03-02",
                        "-o", out, p["line"]],
        "ml-review": [t["review"], "-q", "--directives", p["directives"], "--as-of",
                      "2026-04-30", "-o", out] + p["report_files"],
    }


def to_stdout(cmd):
    i = cmd.index("-o")
    return cmd[:i] + cmd[i + 2:]


def ok_status(tool, code):
    # ml-review exits 1 when something needs attention: a finished run all the same.
    return code == 0 or (tool == "ml-review" and code == 1)


def test_full(t, p, work):
    for tool, cmd in commands(t, p, "/dev/full").items():
        r = fixtures.run(cmd, env=ENV)
        err = r.stderr.decode(errors="replace")
        check(r.returncode == 74 and "/dev/full" in err and "No space left" in err,
              f"full: {tool} -o /dev/full exits 74 naming the file and the cause "
              f"(got {r.returncode}: {err.strip()[:200]})")
        with open("/dev/full", "wb") as full:
            r = fixtures.run(to_stdout(cmd), env=ENV, stdout=full)
        err = r.stderr.decode(errors="replace")
        check(r.returncode == 74 and "No space left" in err,
              f"full: {tool} > /dev/full exits 74 with a message "
              f"(got {r.returncode}: {err.strip()[:200]})")


def limit_file_size(limit):
    def pre():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    return pre


def test_keep_old(t, p, work):
    d = os.path.join(work, "keep-old")
    os.makedirs(d)
    out = os.path.join(d, "out.jsonl")
    old = b'{"old":"this must survive"}\n'
    for tool, cmd in commands(t, p, out).items():
        with open(out, "wb") as f:
            f.write(old)
        full = fixtures.run(cmd, env=ENV)
        size = os.path.getsize(out)
        check(ok_status(tool, full.returncode) and size > 8192,
              f"keep-old: {tool} writes {size} bytes without a limit")
        with open(out, "wb") as f:
            f.write(old)
        r = fixtures.run(cmd, env=ENV, preexec_fn=limit_file_size(size // 2))
        err = r.stderr.decode(errors="replace")
        # The write that fails may be the output's or a temporary file's (ml-concentrate and
        # ml-dispatch spool records): either is named, with the cause.
        check(r.returncode == 74 and ("out.jsonl" in err or "temporary file" in err)
              and "File too large" in err,
              f"keep-old: {tool} exits 74 naming the file when the disk fills half way "
              f"(got {r.returncode}: {err.strip()[:200]})")
        check(read(out) == old, f"keep-old: {tool} leaves the old file intact")
        check(not leftovers(d), f"keep-old: {tool} leaves no temporary file ({leftovers(d)})")


def snapshot(directory):
    return {n: read(os.path.join(directory, n)) for n in os.listdir(directory)
            if ".tmp-" not in n}


def kill_delay(k, kills, took, rng):
    """The k-th of `kills` moments, spread over 0 to 1.5 times a run's length (so that
    some kills land before the end, in the writing, and some after), with jitter."""
    return max(0.0, took * 1.5 * (k + rng.uniform(-0.5, 0.5)) / kills)


def test_kill(t, p, work, kills, rng):
    d = os.path.join(work, "kill")
    os.makedirs(d)
    out = os.path.join(d, "out.jsonl")
    letters = os.path.join(d, "letters")
    cmds = commands(t, p, out)
    cmds["ml-dispatch"] = cmds["ml-dispatch"][:-1] + ["--out-dir", letters, p["line"]]
    for tool, cmd in cmds.items():
        # The old files: another run's (a different start date for ml-dispatch, other
        # options elsewhere), so that old and new differ.
        old_cmd = list(cmd)
        if tool == "ml-dispatch":
            old_cmd[old_cmd.index("--start") + 1] = "2026-01-05"
        elif tool == "ml-review":
            old_cmd[old_cmd.index("--as-of") + 1] = "2026-04-01"
        else:
            old_cmd = [c for c in cmd if c != "-q"] + ["--version"]
        shutil.rmtree(letters, ignore_errors=True)
        if "--version" in old_cmd:
            with open(out, "wb") as f:
                f.write(b'{"old":"file"}\n')
        else:
            fixtures.run(old_cmd, env=ENV)
        old, old_letters = read(out), (snapshot(letters) if os.path.isdir(letters) else {})
        start = time.monotonic()
        r = fixtures.run(cmd, env=ENV)
        took = time.monotonic() - start
        new, new_letters = read(out), (snapshot(letters) if os.path.isdir(letters) else {})
        check(ok_status(tool, r.returncode) and new != old, f"kill: {tool} runs in {took:.2f} s")
        seen = {"old": 0, "new": 0, "killed while running": 0}
        for k in range(kills):
            with open(out, "wb") as f:
                f.write(old)
            for n, b in old_letters.items():
                with open(os.path.join(letters, n), "wb") as f:
                    f.write(b)
            proc = subprocess.Popen(cmd, env=ENV, stdout=subprocess.DEVNULL,
                                    stderr=subprocess.DEVNULL)
            time.sleep(kill_delay(k, kills, took, rng))
            if proc.poll() is None:
                seen["killed while running"] += 1
            proc.kill()
            proc.wait()
            got = read(out)
            if got == old:
                seen["old"] += 1
            elif got == new:
                seen["new"] += 1
            else:
                check(False, f"kill: {tool} left a file that is neither old nor new "
                             f"({len(got)} bytes)")
            if os.path.isdir(letters):
                for n, b in snapshot(letters).items():
                    if b != old_letters.get(n) and b != new_letters.get(n):
                        check(False, f"kill: ml-dispatch left letter {n} half written")
            for n in leftovers(d) + (leftovers(letters) if os.path.isdir(letters) else []):
                path = os.path.join(d, n)
                os.remove(path if os.path.exists(path) else os.path.join(letters, n))
        check(seen["killed while running"] > 0 and seen["old"] + seen["new"] == kills,
              f"kill: {tool} killed {kills} times ({seen}): always the old or the new file")


def test_missing(t, p, work):
    d = os.path.join(work, "missing")
    os.makedirs(d)
    out = os.path.join(d, "out.jsonl")
    nope = os.path.join(d, "no-such-file.jsonl")
    cases = {
        # Gathers the files that are there, reports the missing one, exits 66.
        "ml-gather": ([t["gather"], "-q", "-o", out, p["export"], nope, p["export"]], "written"),
        # Opens every input first: nothing is written.
        "ml-concentrate": ([t["concentrate"], "-q", "-o", out, p["ideas"], nope], "nothing"),
        "ml-dispatch": ([t["dispatch"], "-q", "--org", p["org"], "-o", out, p["line"], nope],
                        "nothing"),
        "ml-review": ([t["review"], "-q", "--directives", p["directives"], "--as-of",
                       "2026-04-30", "-o", out] + p["report_files"][:2] + [nope]
                      + p["report_files"][2:], "nothing"),
    }
    for tool, (cmd, expect) in cases.items():
        if os.path.exists(out):
            os.remove(out)
        r = fixtures.run(cmd, env=ENV)
        err = r.stderr.decode(errors="replace")
        check(r.returncode == 66 and "no-such-file.jsonl" in err,
              f"missing: {tool} exits 66 naming the missing input (got {r.returncode}: "
              f"{err.strip()[:200]})")
        if expect == "written":
            ideas = sum(1 for _ in open(out, encoding="utf-8")) if os.path.exists(out) else 0
            check(ideas > 1, f"missing: {tool} still gathers the other inputs ({ideas} lines)")
        else:
            check(not os.path.exists(out), f"missing: {tool} writes nothing")


def review_cmd(t, p, state, out):
    return [t["review"], "-q", "--directives", p["directives"], "--as-of", "2026-04-30",
            "--state", state, "-o", out] + p["report_files"]


def test_state(t, p, work, kills, rng):
    d = os.path.join(work, "state")
    os.makedirs(d)
    ref_state, ref_out = os.path.join(d, "ref"), os.path.join(d, "ref-1.jsonl")
    r = fixtures.run(review_cmd(t, p, ref_state, ref_out), env=ENV)
    check(ok_status("ml-review", r.returncode), "state: an uninterrupted run")
    history = read(os.path.join(ref_state, "checkups.jsonl"))
    rows = history.count(b"\n")
    check(rows > 100, f"state: the history has {rows} rows")
    again = os.path.join(d, "ref-2.jsonl")
    fixtures.run(review_cmd(t, p, ref_state, again), env=ENV)
    check(read(os.path.join(ref_state, "checkups.jsonl")) == history,
          "state: a second run adds nothing")
    second = read(again)

    start = time.monotonic()
    fixtures.run(review_cmd(t, p, os.path.join(d, "timing"), os.path.join(d, "t.jsonl")),
                 env=ENV)
    took = time.monotonic() - start
    state, out = os.path.join(d, "killed"), os.path.join(d, "killed.jsonl")
    killed_running = 0
    for k in range(kills):
        proc = subprocess.Popen(review_cmd(t, p, state, out), env=ENV,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        time.sleep(kill_delay(k, kills, took, rng))
        killed_running += proc.poll() is None
        proc.kill()
        proc.wait()
        if rng.random() < 0.3:  # sometimes it runs to the end in between
            fixtures.run(review_cmd(t, p, state, out), env=ENV)
    r = fixtures.run(review_cmd(t, p, state, out), env=ENV)
    check(ok_status("ml-review", r.returncode), "state: a run after the kills finishes")
    got = read(os.path.join(state, "checkups.jsonl"))
    check(sorted(got.splitlines()) == sorted(history.splitlines()),
          f"state: killed {kills} times ({killed_running} while running), the history is "
          f"the uninterrupted run's ({got.count(NL)} rows, expected {rows})")
    fixtures.run(review_cmd(t, p, state, out), env=ENV)
    check(read(out) == second, "state: then every row is known, as after an uninterrupted run")

    # Concurrent runs on one state folder: they take turns; the history has each row once.
    state = os.path.join(d, "concurrent")
    procs = [subprocess.Popen(review_cmd(t, p, state, os.path.join(d, f"c{i}.jsonl")),
                              env=ENV, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
             for i in range(4)]
    codes = [proc.wait() for proc in procs]
    check(all(ok_status("ml-review", c) for c in codes), f"state: 4 concurrent runs ({codes})")
    got = read(os.path.join(state, "checkups.jsonl"))
    check(sorted(got.splitlines()) == sorted(history.splitlines()),
          "state: 4 concurrent runs write the history once")
    firsts = sum(read(os.path.join(d, f"c{i}.jsonl")) == read(ref_out) for i in range(4))
    seconds = sum(read(os.path.join(d, f"c{i}.jsonl")) == second for i in range(4))
    check(firsts == 1 and seconds == 3,
          f"state: one concurrent run counts the rows new, the others known ({firsts}, "
          f"{seconds})")


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--tools", required=True, help="the folder with ml-gather and the others")
    ap.add_argument("--only", action="append", help="run only this test (repeatable)")
    ap.add_argument("--kills", type=int, default=12, help="kills per tool (default 12)")
    ap.add_argument("--rows", type=int, default=20000, help="rows of the export")
    ap.add_argument("--seed", type=int, default=6)
    a = ap.parse_args()
    t = {k: os.path.join(a.tools, "ml-" + k)
         for k in ("gather", "concentrate", "dispatch", "review")}
    rng = random.Random(a.seed)
    work = tempfile.mkdtemp(prefix="ml-faults-")
    try:
        p = fixtures.cycle(t, os.path.join(work, "cycle"), a.rows, 200, a.seed)
        tests = {
            "full": lambda: test_full(t, p, work),
            "keep-old": lambda: test_keep_old(t, p, work),
            "kill": lambda: test_kill(t, p, work, a.kills, rng),
            "missing": lambda: test_missing(t, p, work),
            "state": lambda: test_state(t, p, work, a.kills, rng),
        }
        for name, fn in tests.items():
            if not a.only or name in a.only:
                fn()
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return fixtures.finish("faults.py", f" (seed {a.seed})")


if __name__ == "__main__":
    sys.exit(main())
