#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Sets up (Debian packages, build), then runs every test: unit, golden CLI cases, man page
# lint and the examples; then builds everything again with AddressSanitizer and
# UndefinedBehaviorSanitizer (build-asan/, the asan-ubsan preset) and runs the whole suite
# there too: any sanitizer report fails the run. ML_TEST_SANITIZE=0 skips that second pass.
set -euo pipefail
cd "$(dirname "$0")"
./setup.sh
jobs=$(nproc)
ctest --test-dir build --output-on-failure -j "$jobs"
if [[ "${ML_TEST_SANITIZE:-1}" != 0 ]]; then
  echo "test.sh: the whole suite again, built with ASan and UBSan (ML_TEST_SANITIZE=0 skips it)" >&2
  cmake --preset asan-ubsan >/dev/null
  cmake --build build-asan
  ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 \
    ctest --test-dir build-asan --output-on-failure -j "$jobs"
fi
