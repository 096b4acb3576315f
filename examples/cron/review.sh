#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The weekly review, for cron: reviews every report the units have sent back so far, keeps
# the history in a state folder, and says something (cron mails what a job prints) only when
# something needs attention or went wrong.
#
#   examples/cron/review.sh DIRECTIVES REPORTS_DIR WORK_DIR
#
# DIRECTIVES is what ml-dispatch wrote; REPORTS_DIR holds the units' filled-in templates
# (*.csv) and report records (*.jsonl); WORK_DIR gets state/ (the history), review.jsonl,
# review.html, rejects.jsonl and, dated, the notes as ideas for the next ml-concentrate
# (ideas-YYYY-MM-DD.jsonl). Exit status: 0 quiet, nothing needs attention; 1 something
# does (the escalations are printed); anything else is ml-review's error, printed as well.
#
# Environment: ML_REVIEW, the ml-review to run (default: ml-review on PATH).
set -euo pipefail

if [[ $# -ne 3 ]]; then
  echo "usage: $0 DIRECTIVES REPORTS_DIR WORK_DIR" >&2
  exit 64
fi
directives=$1 reports=$2 work=$3
review=${ML_REVIEW:-ml-review}
mkdir -p "$work"
today=$(date -u +%Y-%m-%d)
shopt -s nullglob
files=("$reports"/*.csv "$reports"/*.jsonl)
if ((${#files[@]} == 0)); then
  echo "review.sh: no reports in $reports yet" >&2
  exit 0
fi

status=0
"$review" -q --directives "$directives" --state "$work/state" --as-of "$today" \
  --rejects "$work/rejects.jsonl" --emit-ideas "$work/ideas-$today.jsonl" \
  --html "$work/review.html" -o "$work/review.jsonl" "${files[@]}" || status=$?

case $status in
  0) ;;
  1)
    echo "The review of $today needs attention (details: $work/review.html):"
    python3 - "$work/review.jsonl" <<'PY'
import json
import sys

with open(sys.argv[1], encoding="utf-8") as f:
    for line in f:
        r = json.loads(line)
        if r.get("of") != "theme":
            continue
        if r["escalation"] >= 2 or r["recommendation"] in ("adjust", "re-concentrate"):
            p = r["problem"]
            units = ", ".join(p["units"][:10])
            print(f"- level {r['escalation']}: {r['task']}: {p['duration']} {p['scope']} problem "
                  f"({units}) -> {r['recommendation']}: {r['reason']}")
PY
    ;;
  *) echo "review.sh: ml-review failed with status $status" >&2 ;;
esac
if [[ -s "$work/rejects.jsonl" ]]; then
  echo "$(wc -l <"$work/rejects.jsonl") report rows were rejected: see $work/rejects.jsonl"
fi
exit "$status"
