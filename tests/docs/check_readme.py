#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Show that the README's walk-through shows what the tools really print: every command of
its ```console blocks is run (after examples/gather.sh, in a scratch copy of examples/) and
its output compared with the lines shown under it, where a line "..." stands for any number
of lines and "..." inside a line for any text; every ```json line must be a record that
examples/gather.sh wrote.

Usage: check_readme.py SOURCE_DIR ML_GATHER
"""
import os
import re
import subprocess
import sys
import tempfile


def blocks(readme):
    """(language, lines) of each fenced block."""
    out, lang, body = [], None, []
    for line in readme.splitlines():
        stripped = line.strip()
        if lang is None and stripped.startswith("```"):
            lang, body = stripped[3:].strip(), []
        elif lang is not None and stripped == "```":
            out.append((lang, body))
            lang = None
        elif lang is not None:
            body.append(line)
    return out


def pattern(expected_lines):
    parts = []
    for line in expected_lines:
        if line.strip() == "...":
            parts.append(r"(?:[^\n]*\n)*?")
        else:
            parts.append(".*?".join(re.escape(p) for p in line.split("...")) + r"\n")
    return re.compile("".join(parts))


def main() -> int:
    source, gather = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2])
    with open(os.path.join(source, "README.md"), encoding="utf-8") as f:
        readme = f.read()
    status = 0
    with tempfile.TemporaryDirectory(prefix="ml-readme-") as tmp:
        examples = os.path.join(tmp, "examples")
        os.mkdir(examples)
        for name in os.listdir(os.path.join(source, "examples")):
            if name not in ("out", ".gitignore"):
                os.symlink(os.path.join(source, "examples", name), os.path.join(examples, name))
        # The salt of examples/gather.sh, so that pseudonyms match what the README shows.
        env = dict(os.environ, ML_GATHER=gather, HOME=tmp, ML_SALT="massline-example-salt",
                   PATH=os.path.dirname(gather) + os.pathsep + os.environ.get("PATH", ""))
        for var in ("ML_SALT_FILE", "XDG_CONFIG_HOME"):
            env.pop(var, None)
        ran = 0
        for lang, body in blocks(readme):
            if lang == "console":
                cmds = []  # (command, expected lines)
                for line in body:
                    if line.startswith("$ "):
                        cmds.append((line[2:], []))
                    elif cmds:
                        cmds[-1][1].append(line)
                for cmd, expected in cmds:
                    run = subprocess.run(["bash", "-o", "pipefail", "-c", cmd], cwd=tmp, env=env,
                                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                         text=True, timeout=120)
                    ran += 1
                    actual = run.stdout if run.stdout.endswith("\n") or not run.stdout else \
                        run.stdout + "\n"
                    if run.returncode != 0:
                        print(f"FAIL: README command exited with {run.returncode}: {cmd}\n{actual}")
                        status = 1
                    elif not pattern(expected).fullmatch(actual):
                        print(f"FAIL: README shows other output for: {cmd}\n--- README:\n"
                              + "\n".join(expected) + f"\n--- actual:\n{actual}")
                        status = 1
            elif lang == "json":
                ideas_path = os.path.join(examples, "out", "ideas.jsonl")
                written = set()
                if os.path.exists(ideas_path):
                    with open(ideas_path, encoding="utf-8") as f:
                        written = set(f.read().splitlines())
                for line in body:
                    if line not in written:
                        print(f"FAIL: README shows a record that examples/gather.sh did not "
                              f"write:\n{line}")
                        status = 1
        print(f"{ran} README commands run")
        if ran == 0:
            status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
