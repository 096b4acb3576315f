#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Show that the OPTIONS section of a man page documents exactly the long options that the
tool's --help lists: none missing, none left over after an option was removed.

Usage: check_help_flags.py TOOL PAGE
"""
import re
import subprocess
import sys

LONG = re.compile(r"(?<![\w-])--[a-z][a-z0-9-]*")


def roff_to_text(line: str) -> str:
    """Just enough roff unescaping to find option names."""
    return line.replace("\\-", "-").replace("\\&", "").replace("\\fB", "").replace(
        "\\fR", "").replace("\\fI", "").replace("\\c", "")


def section(page_lines, name):
    out, inside = [], False
    for line in page_lines:
        if line.startswith(".SH "):
            inside = line[4:].strip().strip('"') == name
            continue
        if inside:
            out.append(line)
    return out


def main() -> int:
    tool, page = sys.argv[1], sys.argv[2]
    run = subprocess.run([tool, "--help"], capture_output=True, text=True)
    if run.returncode != 0:
        print(f"{tool} --help exited with {run.returncode}:\n{run.stderr}")
        return 1
    # Options are the lines of the option table ("  -o,--output FILE   Write ..."), not the
    # examples in the footer.
    help_flags = set()
    for line in run.stdout.splitlines():
        m = re.match(r"\s+((?:-\w,)?--[a-z][a-z0-9-]*)", line)
        if m:
            help_flags.update(LONG.findall(m.group(1)))
    if not help_flags:
        print(f"no long options found in {tool} --help:\n{run.stdout}")
        return 1

    with open(page, encoding="utf-8") as f:
        lines = f.read().splitlines()
    options = section(lines, "OPTIONS")
    if not options:
        print(f"{page}: no OPTIONS section")
        return 1
    # The options the page documents: the tags of its .TP entries.
    documented, anywhere = set(), set()
    for i, line in enumerate(options):
        text = roff_to_text(line)
        anywhere.update(LONG.findall(text))
        if i > 0 and options[i - 1].startswith(".TP") and not line.startswith(".TP"):
            documented.update(LONG.findall(text))

    status = 0
    for flag in sorted(help_flags - documented):
        print(f"{page}: OPTIONS does not document {flag}, which '{tool} --help' lists")
        status = 1
    for flag in sorted(documented - help_flags):
        print(f"{page}: OPTIONS documents {flag}, which '{tool} --help' does not list")
        status = 1
    if status == 0:
        print(f"{len(help_flags)} long options, all documented: {' '.join(sorted(help_flags))}")
    return status


if __name__ == "__main__":
    sys.exit(main())
