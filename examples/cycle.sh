#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The main job on the examples, as far as the tools go: gathers every example export into
# one idea stream (examples/gather.sh, with its tally), concentrates the ideas into the line
# (a summary, the themes in rank order, the ideas in no theme, then the ideas annotated with
# their theme), dispatches the line to the units of examples/org.csv through their heads
# (directives, letters, report templates), reviews the units' example check-up reports
# (examples/reports/, as of 2026-04-30), and prints it all in a few lines: the central theme
# with its support and a representative answer, the secondary and tertiary themes, one line
# each, the dispatch (directives, pilots, dates), then the review: the problems found, their
# escalation and what to do.
#
#   examples/cycle.sh [OUT_DIR] [OPTION...]
#
# OUT_DIR defaults to examples/out: it gets ideas.jsonl and rejects.jsonl (from ml-gather),
# line.jsonl (from ml-concentrate), directives.jsonl and letters/ (from ml-dispatch),
# review.jsonl, review.html and next-ideas.jsonl (from ml-review).
# OPTIONs (arguments that begin with '-') are passed on to ml-concentrate, for example
# --themes 6; -q also quietens ml-gather, ml-dispatch and ml-review.
#
# Environment:
#   ML_GATHER       the ml-gather to run: a path, or a command on PATH (default:
#                   build/tools/ml-gather, made by ./setup.sh)
#   ML_CONCENTRATE  the ml-concentrate to run, likewise (default:
#                   build/tools/ml-concentrate)
#   ML_DISPATCH     the ml-dispatch to run, likewise (default: build/tools/ml-dispatch)
#   ML_REVIEW       the ml-review to run, likewise (default: build/tools/ml-review)
#   ML_START        the day the pilots start (default 2026-03-02, so that the example's
#                   dates are the same on every machine; ml-dispatch's own default is today)
#   ML_SALT         the pseudonym salt. The script sets a fixed example value when it is
#                   unset, so that the example output is the same on every machine. Never
#                   do that with real data.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
concentrate="${ML_CONCENTRATE:-$root/build/tools/ml-concentrate}"
dispatch="${ML_DISPATCH:-$root/build/tools/ml-dispatch}"
review="${ML_REVIEW:-$root/build/tools/ml-review}"
export ML_SALT="${ML_SALT:-massline-example-salt}"

# find_tool VAR NAME: makes a relative path absolute and checks the tool is there.
find_tool() {
  local -n tool=$1
  local found
  if [[ "$tool" == */* ]]; then
    [[ "$tool" == /* ]] || tool="$PWD/$tool"
    found=$([[ -x "$tool" ]] && echo yes || true)
  else
    found=$(command -v "$tool" >/dev/null && echo yes || true)
  fi
  if [[ -z "$found" ]]; then
    echo "cycle.sh: $tool not found; run ./setup.sh first, or set $2" >&2
    exit 66
  fi
}
find_tool concentrate ML_CONCENTRATE
find_tool dispatch ML_DISPATCH
find_tool review ML_REVIEW
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

# 3. Dispatch, to the units of the example organisation.
"$dispatch" "${quiet[@]}" --org "$here/org.csv" --start "${ML_START:-2026-03-02}" \
  --out-dir "$out/letters" -o "$out/directives.jsonl" "$out/line.jsonl"
echo "cycle.sh: the directives are in $out/directives.jsonl, the letters in $out/letters/" >&2

# 4. Review the example check-up reports. Exit status 1 means that something needs
# attention (the example has two problems that do); anything else is an error.
status=0
"$review" "${quiet[@]}" --directives "$out/directives.jsonl" --as-of 2026-04-30 \
  --html "$out/review.html" --emit-ideas "$out/next-ideas.jsonl" -o "$out/review.jsonl" \
  "$here"/reports/*.csv || status=$?
if [[ $status -ne 0 && $status -ne 1 ]]; then
  exit "$status"
fi
echo "cycle.sh: the review is in $out/review.jsonl and $out/review.html" >&2

# 5. The line, its dispatch and the review in a few lines, on stdout.
python3 - "$out/line.jsonl" "$out/directives.jsonl" "$out/review.jsonl" <<'PYTHON'
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

dispatch, directives = None, []
with open(sys.argv[2], encoding="utf-8") as f:
    for line in f:
        record = json.loads(line)
        if record.get("type") == "dispatch":
            dispatch = record
        elif record.get("type") == "directive":
            directives.append(record)
        elif record.get("type") not in ("header", "brief"):
            break
d = dispatch
units_reached = len({x["unit"] for x in directives})
print(f"dispatch   {plural(len(directives), 'directive')} to the heads of {units_reached} units, "
      f"one central task each; due {d['due']}")
if d["pilots"]:
    names = ", ".join(p["unit"] for p in d["pilots"])
    print(f"pilots     {names}: from {d['start']}, roll-out from {d['rollout_start']}")
for x in d["unknown_units"]:
    print(f"missing    unit {x['unit']} is not in the organisation ({plural(x['ideas'], 'idea')})")

with open(sys.argv[3], encoding="utf-8") as f:
    reviews = [json.loads(line) for line in f]
summary = next(r for r in reviews if r.get("of") == "summary")
counts = ", ".join(f"{n} {s}" for s, n in sorted(summary["statuses"].items(), key=lambda x: -x[1]))
print(f"review     as of {summary['as_of']}: {counts}")
for r in reviews:
    if r.get("of") == "theme" and r["escalation"] >= 2:
        p = r["problem"]
        print(f"escalation {r['escalation']} {r['task']}: {p['duration']} {p['scope']} problem in "
              f"{plural(len(p['units']), 'unit')} -> {r['recommendation']}")
if not summary["attention"]:
    print("review     nothing needs attention")
PYTHON
