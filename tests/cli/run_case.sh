#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Runs golden end-to-end cases of the tools (Miller style: one folder per behaviour).
#
#   tests/cli/run_case.sh ML_GATHER CASE_DIR...
#   ML_REGEN=1 tests/cli/run_case.sh ML_GATHER CASE_DIR...   # rewrite expout/experr/expcode
#
# ML_GATHER is the ml-gather binary; ml-concentrate, ml-dispatch and ml-review are
# $ML_CONCENTRATE, $ML_DISPATCH and $ML_REVIEW when those are set (CMake sets them), else the
# ones next to ML_GATHER.
#
# A case folder holds `cmd` (a bash snippet), `expout`, `experr`, `expcode`, a one-line
# `README` ("Show that ..."), and the input files it needs. The snippet runs in a scratch
# copy of the folder (so that -o, --rejects and `ls` never touch the source tree, and cases
# can run in parallel), with $ML_GATHER, $ML_CONCENTRATE, $ML_DISPATCH and $ML_REVIEW set to
# the binaries,
# $ML_CLI_INPUTS to tests/cli/inputs (fixtures shared by cases: copy them into the scratch
# folder before use, so that messages name them without a path), ML_SALT=test-salt,
# NO_COLOR=1, TZ=UTC, LC_ALL=C.UTF-8, HOME in the scratch folder, and stdin from /dev/null.
# Its stdout,
# stderr and exit status must equal expout, experr and expcode exactly; on a mismatch the
# runner prints a unified diff and fails. With ML_REGEN=1 it writes what it got instead,
# to be reviewed with `git diff tests/cli`.
set -u

if [ $# -lt 2 ]; then
  echo "usage: $0 ML_GATHER CASE_DIR..." >&2
  exit 64
fi
bin=$1
shift
case "$bin" in /*) ;; *) bin=$PWD/$bin ;; esac
if [ ! -x "$bin" ]; then
  echo "$0: $bin: not an executable" >&2
  exit 66
fi
concentrate=${ML_CONCENTRATE:-$(dirname "$bin")/ml-concentrate}
case "$concentrate" in /*) ;; *) concentrate=$PWD/$concentrate ;; esac
dispatch=${ML_DISPATCH:-$(dirname "$bin")/ml-dispatch}
case "$dispatch" in /*) ;; *) dispatch=$PWD/$dispatch ;; esac
review=${ML_REVIEW:-$(dirname "$bin")/ml-review}
case "$review" in /*) ;; *) review=$PWD/$review ;; esac

failed=0
cli_dir=$(cd "$(dirname "$0")" && pwd)
scratch=
trap 'rm -rf "$scratch"' EXIT
trap 'exit 130' INT TERM
for dir in "$@"; do
  dir=${dir%/}
  name=$(basename "$dir")
  if [ ! -f "$dir/cmd" ]; then
    echo "FAIL $name: no cmd in $dir" >&2
    failed=1
    continue
  fi
  if [ ! -x "$concentrate" ] && grep -q ML_CONCENTRATE "$dir/cmd"; then
    echo "FAIL $name: $concentrate: not an executable (build it, or set ML_CONCENTRATE)" >&2
    failed=1
    continue
  fi
  scratch=$(mktemp -d "${TMPDIR:-/tmp}/ml-cli-$name.XXXXXX")
  work=$scratch/$name
  mkdir "$work" "$scratch/home"
  # Copy the inputs (not the expected files, so that regenerating never changes what `ls`
  # in a cmd sees).
  (cd "$dir" && tar cf - --exclude=expout --exclude=experr --exclude=expcode .) |
    (cd "$work" && tar xf -)
  (
    cd "$work" || exit 70
    unset ML_SALT_FILE ML_REGEN ML_PROFILE
    export ML_GATHER=$bin ML_CONCENTRATE=$concentrate ML_DISPATCH=$dispatch ML_REVIEW=$review
    export ML_SALT=test-salt NO_COLOR=1 TZ=UTC LC_ALL=C.UTF-8 HOME=$scratch/home
    export TERM=dumb ML_CLI_TOOLS=$cli_dir/tools  # scripts shared by cases
    export ML_CLI_INPUTS=$cli_dir/inputs          # fixtures shared by cases
    exec bash ./cmd </dev/null >"$scratch/out" 2>"$scratch/err"
  )
  echo $? >"$scratch/code"

  if [ "${ML_REGEN:-}" = 1 ]; then
    cp "$scratch/out" "$dir/expout"
    cp "$scratch/err" "$dir/experr"
    cp "$scratch/code" "$dir/expcode"
    echo "REGEN $name"
  else
    ok=1
    for f in out err code; do
      exp=$dir/exp$f
      if [ ! -f "$exp" ]; then
        echo "FAIL $name: missing $exp (run with ML_REGEN=1 to create it)"
        ok=0
        continue
      fi
      if ! cmp -s "$exp" "$scratch/$f"; then
        case $f in
          out) what=stdout ;;
          err) what=stderr ;;
          *) what="exit status" ;;
        esac
        echo "FAIL $name: $what differs (--- expected, +++ actual):"
        diff -u --label "$name/exp$f" --label "actual" "$exp" "$scratch/$f"
        ok=0
      fi
    done
    if [ $ok = 1 ]; then
      echo "PASS $name"
    else
      echo "cmd was:"
      sed 's/^/  /' "$dir/cmd"
      failed=1
    fi
  fi
  rm -rf "$scratch"
done
exit $failed
