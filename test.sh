#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Sets up (Debian packages, build), then runs every test: unit, golden CLI cases, man page
# lint and the examples.
set -euo pipefail
cd "$(dirname "$0")"
./setup.sh
ctest --test-dir build --output-on-failure -j "$(nproc)"
