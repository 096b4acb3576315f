#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Show that the commands in the EXAMPLES section of a man page work: each `$ ` command of
its .EX blocks (with its `\\` continuation lines) is run with bash, in order, in one scratch
folder where `examples/` is the source tree's, with the tool's folder first on PATH and
ML_SALT=massline-example-salt. Every command must exit 0, and a file it writes with `>` or
`-o` must not be empty.

Each --setup command runs first, in the same way, for what the page says the examples
assume (for ml-concentrate(1): the ideas of the examples in ideas.jsonl); it must exit 0
too. Its output is not shown unless it fails.

Usage: run_man_examples.py [--setup COMMAND]... PAGE TOOL SOURCE_DIR
"""
import argparse
import os
import re
import subprocess
import sys
import tempfile

ESCAPES = [("\\-", "-"), ("\\(dq", '"'), ("\\(aq", "'"), ("\\(rs", "\\"), ("\\e", "\\"),
           ("\\&", ""), ("\\|", ""), ("\\fB", ""), ("\\fR", ""), ("\\fI", "")]


def unroff(line: str) -> str:
    for roff, text in ESCAPES:
        line = line.replace(roff, text)
    return line


def commands(page: str):
    with open(page, encoding="utf-8") as f:
        lines = f.read().splitlines()
    in_examples = in_ex = False
    out = []
    for line in lines:
        if line.startswith(".SH "):
            in_examples = line[4:].strip() == "EXAMPLES"
            continue
        if not in_examples:
            continue
        if line.startswith(".EX"):
            in_ex = True
            continue
        if line.startswith(".EE"):
            in_ex = False
            continue
        if not in_ex:
            continue
        text = unroff(line)
        if out and out[-1].endswith("\\"):
            out[-1] = out[-1][:-1] + " " + text.strip()
        elif text.startswith("$ "):
            out.append(text[2:])
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description="Runs the EXAMPLES of a man page.")
    parser.add_argument("--setup", action="append", default=[], metavar="COMMAND",
                        help="a command to run first (repeatable)")
    parser.add_argument("page")
    parser.add_argument("tool")
    parser.add_argument("source")
    args = parser.parse_args()
    page, tool, source = args.page, os.path.abspath(args.tool), os.path.abspath(args.source)
    cmds = commands(page)
    if not cmds:
        print(f"{page}: no commands found in EXAMPLES")
        return 1
    status = 0
    with tempfile.TemporaryDirectory(prefix="ml-man-examples-") as tmp:
        os.symlink(os.path.join(source, "examples"), os.path.join(tmp, "examples"))
        env = dict(os.environ, ML_SALT="massline-example-salt", HOME=tmp,
                   PATH=os.path.dirname(tool) + os.pathsep + os.environ.get("PATH", ""))
        env.pop("ML_SALT_FILE", None)
        env.pop("XDG_CONFIG_HOME", None)
        for cmd in args.setup:
            run = subprocess.run(["bash", "-o", "pipefail", "-c", cmd], cwd=tmp, env=env,
                                 capture_output=True, text=True, timeout=300)
            if run.returncode != 0:
                print(f"FAIL: setup command exited with {run.returncode}: {cmd}\n"
                      f"{run.stdout}{run.stderr}")
                return 1
            print(f"(setup) {cmd}")
        for cmd in cmds:
            run = subprocess.run(["bash", "-o", "pipefail", "-c", cmd], cwd=tmp, env=env,
                                 capture_output=True, text=True, timeout=120)
            print(f"$ {cmd}\n  -> exit {run.returncode}")
            if run.returncode != 0:
                print(f"FAIL: exit status {run.returncode}\n{run.stderr}")
                status = 1
                continue
            for target in re.findall(r"(?:>>?|(?<!\S)-o)\s*([\w.\-/]+)", cmd):
                path = os.path.join(tmp, target)
                if not os.path.isfile(path) or os.path.getsize(path) == 0:
                    print(f"FAIL: {target} was not written")
                    status = 1
        print(f"{len(cmds)} commands run")
    return status


if __name__ == "__main__":
    sys.exit(main())
