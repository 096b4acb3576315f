#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Sets up (Debian packages, build), then runs every test: unit, golden CLI cases, man page
# lint, the examples and the robustness tests; then builds the libFuzzer targets with clang
# (build-fuzz/, the fuzz preset) and runs each briefly on its committed corpus
# (ML_TEST_FUZZ_SECONDS, default 30; two at a time); then builds everything again with
# AddressSanitizer and UndefinedBehaviorSanitizer (build-asan/, the asan-ubsan preset) and
# runs the whole suite there too: any sanitizer report or fuzzing finding fails the run.
# ML_TEST_FUZZ=0 skips the fuzzing, ML_TEST_SANITIZE=0 the sanitizer pass.
set -euo pipefail
cd "$(dirname "$0")"
fuzz=${ML_TEST_FUZZ:-1}
if [[ "$fuzz" != 0 ]]; then
  ./setup.sh --with-fuzz
else
  ./setup.sh
fi
jobs=$(nproc)
ctest --test-dir build --output-on-failure -j "$jobs"
if [[ "$fuzz" != 0 ]]; then
  echo "test.sh: each fuzzer for ${ML_TEST_FUZZ_SECONDS:-30} s on its corpus (ML_TEST_FUZZ=0 skips it)" >&2
  cmake --preset fuzz >/dev/null
  cmake --build build-fuzz
  rm -rf build-fuzz/work
  ML_FUZZ_JOBS="$jobs" fuzz/run.sh "${ML_TEST_FUZZ_SECONDS:-30}"
fi
if [[ "${ML_TEST_SANITIZE:-1}" != 0 ]]; then
  echo "test.sh: the whole suite again, built with ASan and UBSan (ML_TEST_SANITIZE=0 skips it)" >&2
  cmake --preset asan-ubsan >/dev/null
  cmake --build build-asan
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --test-dir build-asan --output-on-failure -j "$jobs"
fi
