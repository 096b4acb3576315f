#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The largest inputs tried, with time and peak memory (docs/robustness.md): the robustness
# size tests at full size plus a GB-scale export and idea stream, on the release build.
#
#   bench/size.sh [GB]      # default 2: a 2 GB export, a 2 GB idea stream
#
# Needs about 4x GB of free space under TMPDIR. Prints a Markdown table (input, size, exit,
# seconds, peak MB) and writes it to build/bench-size.md.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
gb=${1:-2}
mkdir -p "$root/build"
out="$root/build/bench-size.md"
{
  echo "| run | input | exit | s | peak MB |"
  echo "|---|---:|---:|---:|---:|"
} >"$out"
python3 "$root/tests/robust/size.py" --tools "$root/build/tools" --large-gb "$gb" --report "$out"
cat "$out"
