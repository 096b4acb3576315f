#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Runs every libFuzzer target for SECONDS (default 60) on a copy of its seed corpus
# (fuzz/corpus/TARGET), ML_FUZZ_JOBS at a time (default 1), and prints executions and
# findings per target, in the order given. A crash, leak, timeout or sanitizer report stops
# that target, leaves its input in WORK/TARGET/ (crash-*, leak-*, timeout-*) and makes the
# script exit 1.
#
#   cmake --preset fuzz && cmake --build build-fuzz    # clang, everything instrumented
#   fuzz/run.sh [SECONDS] [TARGET...]
#
# Environment: ML_FUZZ_BUILD (default build-fuzz), ML_FUZZ_WORK (default build-fuzz/work),
# ML_FUZZ_JOBS (targets run at once; CI runs two, one per core).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-60}
shift || true
targets=("$@")
((${#targets[@]})) || targets=(csv encoding records json xlsx org reports text)
build=${ML_FUZZ_BUILD:-$root/build-fuzz}
work=${ML_FUZZ_WORK:-$build/work}
jobs=${ML_FUZZ_JOBS:-1}

# fuzz_one TARGET: runs it; writes its summary line to WORK/TARGET/summary, exits 1 on a finding.
fuzz_one() {
  local t=$1 bin="$build/fuzz/fuzz_$1" log="$work/$1/log" result
  mkdir -p "$work/$t/corpus"
  cp -n "$root/fuzz/corpus/$t/"* "$work/$t/corpus/" 2>/dev/null || true
  if (cd "$work/$t" && ASAN_OPTIONS=detect_leaks=1 "$bin" -max_total_time="$seconds" \
      -max_len=65536 -timeout=20 -rss_limit_mb=2048 -print_final_stats=1 corpus >"$log" 2>&1); then
    result=ok
  else
    result="FINDING (see $log and $work/$t/)"
  fi
  local runs cov
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 || true)
  printf 'fuzz %-9s %10s executions in %ss, %s, corpus %s files: %s\n' "$t" "${runs:-?}" \
    "$seconds" "${cov:-cov: ?}" "$(ls "$work/$t/corpus" | wc -l)" "$result" >"$work/$t/summary"
  [[ $result == ok ]]
}

for t in "${targets[@]}"; do
  [[ -x "$build/fuzz/fuzz_$t" ]] || {
    echo "run.sh: no $build/fuzz/fuzz_$t; build it: cmake --preset fuzz && cmake --build build-fuzz" >&2
    exit 66
  }
  rm -f "$work/$t/summary"
done
status=0
running=0
for t in "${targets[@]}"; do
  if ((running >= jobs)); then
    wait -n || status=1
    running=$((running - 1))
  fi
  fuzz_one "$t" &
  running=$((running + 1))
done
while ((running > 0)); do
  wait -n || status=1
  running=$((running - 1))
done
for t in "${targets[@]}"; do cat "$work/$t/summary"; done
exit $status
