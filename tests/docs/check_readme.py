#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Show that the README's walk-through shows what the tools really print: every command of
its ```console blocks is run, in order, in a scratch folder holding a copy of examples/
(so that examples/gather.sh and examples/cycle.sh write there), with the tools first on
PATH, and its output compared with the lines shown under it, where a line "..." stands for
any number of lines and "..." inside a line for any text.

A ```json block is either records, one per line, each of which must be a line that the
commands before it wrote into examples/out/ (ideas.jsonl or line.jsonl), or one record
spread over several lines and trimmed: it must be a record of examples/out/ with some of its
fields left out and some of its lists cut short (the same theme rank for a theme record,
else the same id), and it must be laid out as `layout` lays it out.

With ML_REGEN=1 (or --regen), README.md is rewritten instead with what the commands print
now, for review with `git diff README.md`: an output that still matches is kept as it is;
otherwise its lines are replaced, keeping each shown line that still matches the line it
stands for, a leading "..." line (when the line after it still matches), and writing the
scratch folder as "...". A trimmed record is replaced by the record of the same rank or id,
trimmed the same way. Single-line records are never rewritten.

Usage: check_readme.py [--regen] SOURCE_DIR ML_GATHER [ML_CONCENTRATE [ML_DISPATCH [ML_REVIEW]]]
(the tools default to those next to ML_GATHER.)
"""
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile


def blocks(lines):
    """(language, first body line index, end index, indent) of each fenced block; a block
    inside a list item is indented like its fence."""
    out, lang, start, indent = [], None, 0, ""
    for n, line in enumerate(lines):
        stripped = line.strip()
        if lang is None and stripped.startswith("```"):
            lang, start = stripped[3:].strip(), n + 1
            indent = line[:len(line) - len(line.lstrip())]
        elif lang is not None and stripped == "```":
            out.append((lang, start, n, indent))
            lang = None
    return out


def line_pattern(line):
    return re.compile(".*?".join(re.escape(p) for p in line.split("...")))


def pattern(expected_lines):
    parts = []
    for line in expected_lines:
        if line.strip() == "...":
            parts.append(r"(?:[^\n]*\n)*?")
        else:
            parts.append(".*?".join(re.escape(p) for p in line.split("...")) + r"\n")
    return re.compile("".join(parts))


def regenerate(expected, actual, scratch):
    """New lines to show for a command whose output no longer matches `expected`."""
    actual = [line.replace(scratch, "...") for line in actual]
    start, keep = 0, []
    if len(expected) > 1 and expected[0].strip() == "..." and expected[1].strip() != "...":
        anchor = line_pattern(expected[1])
        for n, line in enumerate(actual):
            if anchor.fullmatch(line):
                start, keep, expected = n, ["..."], expected[1:]
                break
    for n, line in enumerate(actual[start:]):
        shown = expected[n] if n < len(expected) else None
        if shown is not None and shown.strip() != "..." and line_pattern(shown).fullmatch(line):
            keep.append(shown)
        else:
            keep.append(line)
    return keep


def layout(record):
    """A record spread over lines for reading: one field a line, lists of objects one
    object a line."""
    def dump(v):
        return json.dumps(v, ensure_ascii=False)
    fields = []
    for key, value in record.items():
        if isinstance(value, list) and value and all(isinstance(v, dict) for v in value):
            inner = ",\n".join("    " + dump(v) for v in value)
            fields.append(f"  {dump(key)}: [\n{inner}\n  ]")
        else:
            fields.append(f"  {dump(key)}: {dump(value)}")
    return ["{"] + ",\n".join(fields).split("\n") + ["}"]


def fits(shown, real):
    """True when `shown` is `real` with fields left out and lists cut short."""
    if isinstance(shown, dict):
        if not isinstance(real, dict) or not set(shown) <= set(real):
            return False
        order = [k for k in real if k in shown]
        return order == list(shown) and all(fits(shown[k], real[k]) for k in shown)
    if isinstance(shown, list):
        return isinstance(real, list) and len(shown) <= len(real) and \
            all(fits(a, b) for a, b in zip(shown, real))
    return type(shown) is type(real) and shown == real


def trim(real, shape):
    """`real` cut to the shape of `shape`: its fields, its list lengths."""
    if isinstance(shape, dict) and isinstance(real, dict):
        return {k: trim(real[k], shape[k]) for k in real if k in shape}
    if isinstance(shape, list) and isinstance(real, list):
        like = shape[0] if shape else None
        return [trim(r, shape[n] if n < len(shape) else like)
                for n, r in enumerate(real[:len(shape)])]
    return real


def same_record(shown, real):
    if shown.get("type") != real.get("type"):
        return False
    if shown.get("type") == "theme":
        return shown.get("rank") == real.get("rank")
    return shown.get("id") == real.get("id")


def written(examples):
    lines = []
    for name in ("ideas.jsonl", "line.jsonl"):
        path = os.path.join(examples, "out", name)
        if os.path.exists(path):
            with open(path, encoding="utf-8") as f:
                lines += f.read().splitlines()
    return lines


def main() -> int:
    args = [a for a in sys.argv[1:] if a != "--regen"]
    regen = "--regen" in sys.argv[1:] or os.environ.get("ML_REGEN") == "1"
    source, gather = os.path.abspath(args[0]), os.path.abspath(args[1])
    concentrate = os.path.abspath(args[2]) if len(args) > 2 else \
        os.path.join(os.path.dirname(gather), "ml-concentrate")
    dispatch = os.path.abspath(args[3]) if len(args) > 3 else \
        os.path.join(os.path.dirname(gather), "ml-dispatch")
    review = os.path.abspath(args[4]) if len(args) > 4 else \
        os.path.join(os.path.dirname(gather), "ml-review")
    readme_path = os.path.join(source, "README.md")
    with open(readme_path, encoding="utf-8") as f:
        lines = f.read().split("\n")
    status, rewritten = 0, 0
    with tempfile.TemporaryDirectory(prefix="ml-readme-") as tmp:
        tmp = os.path.realpath(tmp)
        examples = os.path.join(tmp, "examples")
        os.mkdir(examples)
        for name in os.listdir(os.path.join(source, "examples")):
            if name not in ("out", ".gitignore"):
                os.symlink(os.path.join(source, "examples", name), os.path.join(examples, name))
        # The salt of examples/gather.sh, so that pseudonyms match what the README shows.
        path = os.pathsep.join(dict.fromkeys([os.path.dirname(gather),
                                              os.path.dirname(concentrate),
                                              os.path.dirname(dispatch)]))
        env = dict(os.environ, ML_GATHER=gather, ML_CONCENTRATE=concentrate,
                   ML_DISPATCH=dispatch, ML_REVIEW=review, HOME=tmp,
                   ML_SALT="massline-example-salt",
                   PATH=path + os.pathsep + os.environ.get("PATH", ""))
        for var in ("ML_SALT_FILE", "XDG_CONFIG_HOME", "ML_REGEN", "ML_PROFILE"):
            env.pop(var, None)
        ran = 0
        # Rewritten from the end, so that the line numbers of earlier blocks stay right.
        edits = []  # (start, end, new lines)
        for lang, start, end, indent in blocks(lines):
            body = [line[len(indent):] if line.startswith(indent) else line
                    for line in lines[start:end]]
            if lang == "console":
                cmds = []  # (command, first line of its output, expected lines)
                for n, line in enumerate(body):
                    if line.startswith("$ "):
                        cmds.append((line[2:], start + n + 1, []))
                    elif cmds:
                        cmds[-1][2].append(line)
                for cmd, first, expected in cmds:
                    run = subprocess.run(["bash", "-o", "pipefail", "-c", cmd], cwd=tmp, env=env,
                                         stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                                         text=True, timeout=300)
                    ran += 1
                    actual = run.stdout if run.stdout.endswith("\n") or not run.stdout else \
                        run.stdout + "\n"
                    if run.returncode != 0:
                        print(f"FAIL: README command exited with {run.returncode}: {cmd}\n{actual}")
                        status = 1
                    elif not pattern(expected).fullmatch(actual):
                        if regen:
                            edits.append((first, first + len(expected),
                                          regenerate(expected, actual.splitlines(), tmp), indent))
                            print(f"REGEN output of: {cmd}")
                            continue
                        print(f"FAIL: README shows other output for: {cmd}\n--- README:\n"
                              + "\n".join(expected) + f"\n--- actual:\n{actual}")
                        status = 1
            elif lang == "json":
                records = written(examples)
                try:
                    shown = json.loads("\n".join(body))
                    spread = len(body) > 1 and isinstance(shown, dict)
                except json.JSONDecodeError:
                    spread = False
                if not spread:
                    for line in body:
                        if line not in records:
                            print(f"FAIL: README shows a record that the commands before it "
                                  f"did not write:\n{line}")
                            status = 1
                    continue
                real = next((r for r in map(json.loads, records) if same_record(shown, r)),
                            None)
                if real is None:
                    print(f"FAIL: no {shown.get('type')} record of rank {shown.get('rank')} or "
                          f"id {shown.get('id')} in examples/out/ for the README's record "
                          f"that begins\n" + "\n".join(body[:4]))
                    status = 1
                elif not fits(shown, real) or body != layout(shown):
                    if regen:
                        edits.append((start, end, layout(trim(real, shown)), indent))
                        print(f"REGEN {shown.get('type')} record")
                        continue
                    print("FAIL: the README's record is not a trimmed copy of this one, laid "
                          "out one field a line (ML_REGEN=1 rewrites it):\n"
                          + "\n".join(layout(trim(real, shown))))
                    status = 1
        print(f"{ran} README commands run")
        if ran == 0:
            status = 1
        if edits:
            for begin, end, new, indent in sorted(edits, reverse=True):
                lines[begin:end] = [indent + line if line else line for line in new]
            tmp_path = readme_path + ".tmp-regen"
            with open(tmp_path, "w", encoding="utf-8") as f:
                f.write("\n".join(lines))
            shutil.move(tmp_path, readme_path)
            rewritten = len(edits)
            print(f"rewrote {rewritten} outputs in {readme_path}; review with git diff")
    return status


if __name__ == "__main__":
    sys.exit(main())
