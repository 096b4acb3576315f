#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Speed and memory of ml-dispatch (a benchmark, not a test): organisations of 10,000 and
# 100,000 units with a line of 10 themes, against bench/peer_dispatch.py (the plain Python
# a data person would write for the core of the job) in the same run. See bench/README.md.
set -euo pipefail

usage() {
  cat <<'USAGE'
Usage: bench/dispatch.sh [--sizes UNITS:IDEAS,...] [--reps N] [--no-peer] [--work DIR]

For each size, makes (or reuses) an organisation and a line with bench/gen_org_line.py
(UNITS units under 100 regions and one top unit, 10 themes, IDEAS ideas, seed 1), then times
  ml-dispatch -q --org ORG --start 2026-03-02 --directives-only LINE > OUT   (--reps times)
  ml-dispatch ... --out-dir DIR (letters, templates, index; once, sizes up to 10,000 units)
  peer_dispatch.py ORG LINE 2026-03-02 > OUT                                   (once)
under GNU time and prints one table (also WORK/dispatch.md): units, ideas, directives,
ml s, ml MB, output MB, peer s, peer MB, speed-up (peer s / ml s), letters s.

Options:
  --sizes LIST  comma list of UNITS:IDEAS (default 10000:100000,100000:100000,100000:1000000)
  --reps N      timed runs of ml-dispatch per size (default 3; median reported)
  --no-peer     ml-dispatch only
  --work DIR    work directory (default bench/work)
  -h, --help    this text
Environment: ML_DISPATCH (default build/tools/ml-dispatch). Needs GNU time and python3.
USAGE
}

die() { echo "dispatch: $*" >&2; exit 1; }
root=$(cd "$(dirname "$0")/.." && pwd)
sizes="10000:100000,100000:100000,100000:1000000"
reps=3
peer=1
work="$root/bench/work"
while (($#)); do
  case "$1" in
    --sizes) [[ $# -ge 2 ]] || die "--sizes needs a value"; sizes=$2; shift 2 ;;
    --reps) [[ $# -ge 2 ]] || die "--reps needs a value"; reps=$2; shift 2 ;;
    --no-peer) peer=0; shift ;;
    --work) [[ $# -ge 2 ]] || die "--work needs a value"; work=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; exit 64 ;;
  esac
done
[[ "$reps" =~ ^[1-9][0-9]*$ ]] || die "--reps must be a positive integer"
/usr/bin/time --version 2>&1 | grep -q GNU || die "GNU time is needed at /usr/bin/time: apt-get install -y time"
ml=${ML_DISPATCH:-$root/build/tools/ml-dispatch}
[[ -x "$ml" ]] || die "no ml-dispatch at $ml; build it first (./setup.sh)"
mkdir -p "$work/dispatch"
work=$(cd "$work" && pwd)
d="$work/dispatch"
cp "$ml" "$d/ml-dispatch.snapshot"
ml="$d/ml-dispatch.snapshot"
trap 'rm -f "$d/ml-dispatch.snapshot"; rm -rf "$d/letters"' EXIT
load_start=$(cut -d" " -f1-3 /proc/loadavg)

# timed LABEL CMD...: stdout to $d/out; appends "LABEL seconds peak_kib" to $d/times.
timed() {
  local label=$1 t0 t1
  shift
  t0=$(date +%s%N)
  /usr/bin/time -f '%M' -o "$d/time.tmp" "$@" >"$d/out" 2>"$d/err" || { cat "$d/err" >&2; die "failed: $*"; }
  t1=$(date +%s%N)
  echo "$label $(( (t1 - t0) / 1000000 )) $(cat "$d/time.tmp")" >>"$d/times"
}

rows=()
IFS=, read -r -a list <<<"$sizes"
for size in "${list[@]}"; do
  units=${size%%:*} ideas=${size##*:}
  [[ "$units" =~ ^[0-9]+$ && "$ideas" =~ ^[0-9]+$ && "$units" -gt 101 ]] || die "bad size '$size' (UNITS:IDEAS, UNITS > 101)"
  org="$d/org-$units.csv" line="$d/line-$units-$ideas.jsonl"
  if [[ ! -s "$org" || ! -s "$line" ]]; then
    echo "dispatch: generating $units units, $ideas ideas ..." >&2
    python3 "$root/bench/gen_org_line.py" --units "$units" --regions 100 --themes 10 \
      --ideas "$ideas" --seed 1 --org "$org.part" --line "$line.part"
    mv "$org.part" "$org"
    mv "$line.part" "$line"
  fi
  cat "$org" "$line" >/dev/null
  rm -f "$d/times"
  for ((r = 1; r <= reps; r++)); do
    timed ml "$ml" -q --org "$org" --start 2026-03-02 --directives-only "$line"
  done
  directives=$(grep -c '"type":"directive"' "$d/out")
  out_mb=$(( $(stat -c %s "$d/out") / 1000000 ))
  letters="-"
  if ((units <= 10000)); then
    rm -rf "$d/letters"
    timed letters "$ml" -q --org "$org" --start 2026-03-02 --directives-only --out-dir "$d/letters" "$line"
    letters=$(awk '$1 == "letters" { printf "%.2f (%d files)", $2 / 1000, 0 }' "$d/times")
    letters="${letters% (0 files)} ($(ls "$d/letters" | wc -l) files)"
  fi
  if ((peer)); then
    timed peer python3 "$root/bench/peer_dispatch.py" "$org" "$line" 2026-03-02
  fi
  row=$(awk -v units="$units" -v ideas="$ideas" -v dirs="$directives" -v omb="$out_mb" -v letters="$letters" '
    $1 == "ml" { t[++n] = $2; if ($3 > mm) mm = $3 }
    $1 == "peer" { ps = $2; pm = $3 }
    END {
      # median of the ml runs
      for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (t[j] < t[i]) { x = t[i]; t[i] = t[j]; t[j] = x }
      med = t[int((n + 1) / 2)] / 1000
      printf "| %d | %d | %d | %.2f | %.0f | %d | %s | %s | %s | %s |", units, ideas, dirs, med, mm * 1024 / 1e6, omb,
        ps ? sprintf("%.2f", ps / 1000) : "-", pm ? sprintf("%.0f", pm * 1024 / 1e6) : "-",
        ps ? sprintf("%.1fx", ps / 1000 / med) : "-", letters
    }' "$d/times")
  echo "dispatch: $row" >&2
  rows+=("$row")
done

{
  echo "# ml-dispatch speed and memory"
  echo
  echo "- date: $(date -u '+%Y-%m-%d %H:%M UTC'), commit $(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)"
  echo "- machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $(nproc) CPUs; load average $load_start at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end"
  echo "- ml: ml-dispatch -q --org ORG --start 2026-03-02 --directives-only LINE, $reps runs, median wall; letters: the same with --out-dir, once"
  echo "- peer: bench/peer_dispatch.py ORG LINE 2026-03-02 (plain Python, less work: no checks, pilots, sub-unit counts or letters), once"
  echo "- s: wall seconds; MB: peak RSS (GNU time), 10^6 bytes; output MB: ml-dispatch's directive stream"
  echo
  echo "| units | ideas | directives | ml s | ml MB | output MB | peer s | peer MB | speed-up | letters s |"
  echo "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|"
  printf '%s\n' "${rows[@]}"
} >"$work/dispatch.md"
cat "$work/dispatch.md"
