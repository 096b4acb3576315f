#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Runs every libFuzzer target for SECONDS (default 60) on a copy of its seed corpus
# (fuzz/corpus/TARGET), one after the other, and prints executions and findings per target.
# A crash, leak, timeout or sanitizer report stops that target, leaves its input in
# WORK/TARGET/ (crash-*, leak-*, timeout-*) and makes the script exit 1.
#
#   cmake --preset fuzz && cmake --build build-fuzz    # clang, everything instrumented
#   fuzz/run.sh [SECONDS] [TARGET...]
#
# Environment: ML_FUZZ_BUILD (default build-fuzz), ML_FUZZ_WORK (default build-fuzz/work).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
seconds=${1:-60}
shift || true
targets=("$@")
((${#targets[@]})) || targets=(csv encoding records xlsx org reports)
build=${ML_FUZZ_BUILD:-$root/build-fuzz}
work=${ML_FUZZ_WORK:-$build/work}
status=0
for t in "${targets[@]}"; do
  bin="$build/fuzz/fuzz_$t"
  [[ -x "$bin" ]] || { echo "run.sh: no $bin; build it: cmake --preset fuzz && cmake --build build-fuzz" >&2; exit 66; }
  mkdir -p "$work/$t/corpus"
  cp -n "$root/fuzz/corpus/$t/"* "$work/$t/corpus/" 2>/dev/null || true
  log="$work/$t/log"
  if (cd "$work/$t" && ASAN_OPTIONS=detect_leaks=1 "$bin" -max_total_time="$seconds" \
      -max_len=65536 -timeout=20 -rss_limit_mb=2048 -print_final_stats=1 corpus >"$log" 2>&1); then
    result=ok
  else
    result="FINDING (see $log and $work/$t/)"
    status=1
  fi
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
  printf 'fuzz %-9s %10s executions in %ss, %s, corpus %s files: %s\n' "$t" "${runs:-?}" \
    "$seconds" "${cov:-cov: ?}" "$(ls "$work/$t/corpus" | wc -l)" "$result"
done
exit $status
