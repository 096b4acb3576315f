#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The main job on the examples, as far as the tools go: gathers every example export into
# one idea stream (examples/gather.sh, with its tally), concentrates the ideas into the line
# (a summary, the themes in rank order, the ideas in no theme, then the ideas annotated with
# their theme), and prints the line in a few lines: the central theme with its support and
# a representative answer, then the secondary and tertiary themes, one line each.
#
#   examples/cycle.sh [OUT_DIR] [OPTION...]
#
# OUT_DIR defaults to examples/out: it gets ideas.jsonl and rejects.jsonl (from ml-gather)
# and line.jsonl (from ml-concentrate). OPTIONs (arguments that begin with '-') are passed
# on to ml-concentrate, for example --themes 6 or --no-ideas; -q also quietens ml-gather.
#
# Environment:
#   ML_GATHER       the ml-gather to run: a path, or a command on PATH (default:
#                   build/tools/ml-gather, made by ./setup.sh)
#   ML_CONCENTRATE  the ml-concentrate to run, likewise (default:
#                   build/tools/ml-concentrate)
#   ML_SALT         the pseudonym salt. The script sets a fixed example value when it is
#                   unset, so that the example output is the same on every machine. Never
#                   do that with real data.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
concentrate="${ML_CONCENTRATE:-$root/build/tools/ml-concentrate}"
export ML_SALT="${ML_SALT:-massline-example-salt}"

if [[ "$concentrate" == */* ]]; then
  [[ "$concentrate" == /* ]] || concentrate="$PWD/$concentrate"
  found=$([[ -x "$concentrate" ]] && echo yes || true)
else
  found=$(command -v "$concentrate" >/dev/null && echo yes || true)
fi
if [[ -z "$found" ]]; then
  echo "cycle.sh: $concentrate not found; run ./setup.sh first, or set ML_CONCENTRATE" >&2
  exit 66
fi
if ! command -v python3 >/dev/null; then
  echo "cycle.sh: python3 not found (apt-get install -y python3, or run ./setup.sh)" >&2
  exit 69
fi
out="$here/out"
if [[ $# -gt 0 && "$1" != -* ]]; then
  out="$1"
  shift
fi
quiet=()
for arg in "$@"; do
  [[ "$arg" == -q || "$arg" == --quiet ]] && quiet=(-q)
done

# 1. Gather (ML_GATHER, when set, is passed on through the environment).
"$here/gather.sh" "$out" "${quiet[@]}"
out="$(cd "$out" && pwd)"

# 2. Concentrate.
"$concentrate" -o "$out/line.jsonl" "$@" "$out/ideas.jsonl"

echo "cycle.sh: the line is in $out/line.jsonl" >&2

# 3. The line in a few lines, on stdout. Only the records before the ideas are needed.
python3 - "$out/line.jsonl" <<'PYTHON'
import json
import sys

path = sys.argv[1]
summary, themes, unassigned = None, [], None
with open(path, encoding="utf-8") as f:
    for line in f:
        record = json.loads(line)
        kind = record.get("type")
        if kind == "summary":
            summary = record
        elif kind == "theme":
            themes.append(record)
        elif kind == "unassigned":
            unassigned = record
            break


def plural(n, word):
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


s = summary
print(f"The line: {plural(s['themes'], 'theme')} from {plural(s['ideas'], 'idea')} of "
      f"{s['respondents']} people in {plural(s['units'], 'unit')}")
for t in themes:
    p = t["support"]
    if t["tier"] == "central":
        print(f"central    {t['label']}")
        print(f"           {p['respondents']} people ({p['respondent_share']:.0%}) in {p['units']} "
              f"of {s['units']} units, {plural(p['ideas'], 'idea')}: \"{t['phrase']}\"")
    elif t["tier"] in ("secondary", "tertiary"):
        print(f"{t['tier']:<10} {t['label']}  ({p['respondents']} people, "
              f"{plural(p['units'], 'unit')}, {plural(p['ideas'], 'idea')})")
others = sum(1 for t in themes if t["tier"] == "other")
if others:
    print(f"other      {plural(others, 'theme')} more")
if unassigned and unassigned["count"]:
    reasons = ", ".join(f"{r} {n}" for r, n in unassigned["reasons"].items())
    print(f"unassigned {plural(unassigned['count'], 'idea')} ({reasons})")
PYTHON
