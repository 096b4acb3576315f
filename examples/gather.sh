#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The main job on the examples: gathers every example export (one per survey platform, all
# from the same eight depots) into one idea stream, with every rejected row or answer and
# its reason in a second file, and shows ml-gather's closing tally.
#
#   examples/gather.sh [OUT_DIR] [OPTION...]
#
# OUT_DIR defaults to examples/out; OPTIONs (arguments that begin with '-') are passed on to
# ml-gather, for example -q or --threads 1.
#
# Environment:
#   ML_GATHER  the ml-gather to run: a path, or a command on PATH (default:
#              build/tools/ml-gather, made by ./setup.sh)
#   ML_SALT    the pseudonym salt. The script sets a fixed example value when it is unset, so
#              that the example output is the same on every machine. Never do that with real
#              data: there, let ml-gather keep its salt file, or pass a secret of your own.
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
root="$(dirname "$here")"
gather="${ML_GATHER:-$root/build/tools/ml-gather}"
export ML_SALT="${ML_SALT:-massline-example-salt}"

if [[ "$gather" == */* ]]; then
  [[ "$gather" == /* ]] || gather="$PWD/$gather"  # the script changes directory below
  found=$([[ -x "$gather" ]] && echo yes || true)
else
  found=$(command -v "$gather" >/dev/null && echo yes || true)
fi
if [[ -z "$found" ]]; then
  echo "gather.sh: $gather not found; run ./setup.sh first, or set ML_GATHER" >&2
  exit 66
fi
out="$here/out"
if [[ $# -gt 0 && "$1" != -* ]]; then
  out="$1"
  shift
fi
mkdir -p "$out"
out="$(cd "$out" && pwd)"

# Run from examples/ so that source.file in the records reads "google-forms.csv", the same
# wherever the repository is checked out.
cd "$here"
exports=(google-forms.csv microsoft-forms.xlsx typeform.csv surveymonkey.csv qualtrics.csv
         limesurvey.csv kobotoolbox.csv kobotoolbox.json polis-comments.csv)
"$gather" -o "$out/ideas.jsonl" --rejects "$out/rejects.jsonl" "$@" "${exports[@]}"

for arg in "$@"; do
  [[ "$arg" == -q || "$arg" == --quiet ]] && exit 0
done
ideas=$(grep -c '"type":"idea"' "$out/ideas.jsonl" || true)
rejects=$(grep -c '"type":"reject"' "$out/rejects.jsonl" || true)
echo "gather.sh: $ideas ideas in $out/ideas.jsonl, $rejects rejects in $out/rejects.jsonl" >&2
