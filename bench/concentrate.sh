#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Speed and memory of ml-concentrate (a benchmark, not a test): on generated idea sets of
# about 10k, 100k and 1M ideas, ml-concentrate against peer_sklearn.py (TF-IDF + LSA(100)
# + k-means told k=40) on the same ideas, in the same run. See bench/README.md.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: bench/concentrate.sh [--sizes 10k,100k,1M] [--reps N] [--peer-reps N] [--no-peer]
                            [--ml-args "ARGS"] [--work DIR]

For each size, makes (or reuses) a gold idea set with
  gen_survey.py --rows R --units 120 --themes 40 --seed 1 --ideas GOLD
(R chosen for about that many ideas, 2.208 ideas a row), converts it to idea records
(type, id, text, respondent, unit; the theme kept in a side file), then times
  ml-concentrate -q -j NPROC ARGS IDEAS > LINE                 (--reps times)
  peer_sklearn.py GOLD --variants lsa --k 40                   (--peer-reps times)
under GNU time (wall seconds, peak RSS) and prints one table (also WORK/concentrate.md):
  ideas | ml s | ml MB | peer s | peer MB | speed-up | ml AMI/ARI | peer AMI/ARI | ml themes
      | ml unassigned %
Median wall time, largest peak RSS; speed-up = peer s / ml s. AMI/ARI against the
generator's themes (41 labels: 40 themes and the noise label -1); ml-concentrate's
unassigned ideas count as one extra cluster.

Options:
  --sizes LIST      comma list of 10k, 100k, 1M, or plain idea counts (default 10k,100k,1M)
  --reps N          timed runs of ml-concentrate per size (default 3; median reported)
  --peer-reps N     timed runs of the peer per size (default 1; 1M takes ~2 min and 4 GB)
  --no-peer         ml-concentrate only
  --ml-args "ARGS"  extra arguments for ml-concentrate (split on blanks)
  --work DIR        work directory (default bench/work); inputs cached in WORK/concentrate
  -h, --help        this text

Environment:
  ML_SHARED        the shared folder with tools/gen_survey.py and tools/peer_sklearn.py
                   (default: ../shared from the repository root)
  ML_CONCENTRATE   the binary (default: build/tools/ml-concentrate)
  ML_PYTHON        a Python 3 with scikit-learn (default: the first of python3,
                   /usr/bin/python3 that imports sklearn)
Needs GNU time (/usr/bin/time) and scikit-learn (apt-get install -y time python3-sklearn).
EOF
}

die() { echo "concentrate: $*" >&2; exit 1; }
posint() { [[ "$2" =~ ^[1-9][0-9]*$ ]] || die "$1 must be a positive integer, not '$2'"; }

root=$(cd "$(dirname "$0")/.." && pwd)
sizes_opt="10k,100k,1M"
reps=3
peer_reps=1
peer=1
ml_args=""
work="$root/bench/work"
while (($#)); do
  case "$1" in
    --sizes) [[ $# -ge 2 ]] || die "--sizes needs a value"; sizes_opt=$2; shift 2 ;;
    --reps) [[ $# -ge 2 ]] || die "--reps needs a value"; reps=$2; shift 2 ;;
    --peer-reps) [[ $# -ge 2 ]] || die "--peer-reps needs a value"; peer_reps=$2; shift 2 ;;
    --no-peer) peer=0; shift ;;
    --ml-args) [[ $# -ge 2 ]] || die "--ml-args needs a value"; ml_args=$2; shift 2 ;;
    --work) [[ $# -ge 2 ]] || die "--work needs a value"; work=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; exit 64 ;;
  esac
done
posint --reps "$reps"
posint --peer-reps "$peer_reps"

units=120 themes=40 seed=1
shared=${ML_SHARED:-$root/../shared}
gen="$shared/tools/gen_survey.py"
peer_py="$shared/tools/peer_sklearn.py"
if [[ ! -f "$gen" ]]; then
  echo "concentrate: skipped: the survey generator is not at $gen (set ML_SHARED)"
  exit 0
fi
if ((peer)) && [[ ! -f "$peer_py" ]]; then
  echo "concentrate: no peer at $peer_py; running without it"
  peer=0
fi
if ! /usr/bin/time --version 2>&1 | grep -q GNU; then
  die "GNU time is needed at /usr/bin/time: apt-get install -y time"
fi
py=""
for c in "${ML_PYTHON:-}" python3 /usr/bin/python3; do
  if [[ -n "$c" ]] && command -v "$c" >/dev/null && "$c" -c 'import sklearn' 2>/dev/null; then
    py=$c
    break
  fi
done
[[ -n "$py" ]] || die "no Python 3 with scikit-learn found (apt-get install -y python3-sklearn, or set ML_PYTHON)"
ml=${ML_CONCENTRATE:-$root/build/tools/ml-concentrate}
[[ -x "$ml" ]] || die "no ml-concentrate at $ml; build it first (./setup.sh)"
read -r -a ml_extra <<<"$ml_args"

# Sizes -> target idea counts -> generator rows (the generator gives 2.208 gold ideas a
# row at these settings: 22,081 ideas for 10,000 rows).
targets=()
IFS=, read -r -a req <<<"$sizes_opt"
for s in "${req[@]}"; do
  case "${s,,}" in
    *k) n=${s%[kK]}; posint --sizes "$n"; targets+=($((n * 1000))) ;;
    *m) n=${s%[mM]}; posint --sizes "$n"; targets+=($((n * 1000000))) ;;
    *) posint --sizes "$s"; targets+=("$s") ;;
  esac
done

mkdir -p "$work/concentrate"
work=$(cd "$work" && pwd)
cd_="$work/concentrate"
threads=$(nproc)
load_start=$(cut -d" " -f1-3 /proc/loadavg)
echo "concentrate: machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $threads CPUs (nproc), load average $load_start"

# Run a snapshot of the binary, so that a rebuild during the run cannot mix two builds.
built=$(date -u -r "$ml" '+%Y-%m-%d %H:%M:%S UTC')
ml_src=$ml
cp "$ml" "$work/ml-concentrate.speed.snapshot"
ml="$work/ml-concentrate.speed.snapshot"
trap 'rm -f "$work/ml-concentrate.speed.snapshot" "$cd_"/*.tmp "$cd_"/*.part' EXIT

# timed OUT_PREFIX CMD...: runs CMD under GNU time; appends "NANOSECONDS PEAK_KIB" to
# OUT_PREFIX.times. stdout goes to OUT_PREFIX.out, stderr to OUT_PREFIX.err.
timed() {
  local p=$1 t0 t1
  shift
  t0=$(date +%s%N)
  if ! /usr/bin/time -f '%e %M' -o "$p.time.tmp" "$@" >"$p.out" 2>"$p.err"; then
    echo "concentrate: failed: $*" >&2
    tail -5 "$p.err" >&2
    return 1
  fi
  t1=$(date +%s%N)
  echo "$((t1 - t0)) $(awk 'END { print $2 }' "$p.time.tmp")" >>"$p.times"
}

done_rows=()
for target in "${targets[@]}"; do
  rows=$(( (target * 1000 + 1104) / 2208 ))
  gold="$cd_/gold-$rows.jsonl"
  stamp="$gold.stamp"
  params="rows=$rows units=$units themes=$themes seed=$seed"
  if [[ -f "$gold" && -f "$stamp" ]] && grep -qxF "$params" "$stamp" \
      && [[ "$(sed -n 's/^bytes=//p' "$stamp")" == "$(stat -c %s "$gold")" ]] \
      && [[ -f "$cd_/ideas-$rows.ideas.jsonl" && -f "$cd_/ideas-$rows.truth.tsv" ]]; then
    echo "concentrate: reusing $gold ($params)"
  else
    echo "concentrate: generating $gold ($params) ..."
    rm -f "$gold" "$stamp"
    "$py" "$gen" --rows "$rows" --units "$units" --themes "$themes" --seed "$seed" \
      --out /dev/null --truth /dev/null --ideas "$gold.part" >&2
    mv "$gold.part" "$gold"
    "$py" "$root/bench/shorttext_to_ideas.py" --gold "$gold" --prefix "$cd_/ideas-$rows" >/dev/null
    printf '%s\nbytes=%s\n' "$params" "$(stat -c %s "$gold")" >"$stamp"
  fi
  ideas="$cd_/ideas-$rows.ideas.jsonl"
  n=$(wc -l <"$ideas")
  cat "$ideas" "$gold" >/dev/null  # into the page cache

  p="$cd_/run-$rows"
  rm -f "$p".ml.* "$p".peer.*
  for ((r = 1; r <= reps; r++)); do
    timed "$p.ml" "$ml" -q -j "$threads" "${ml_extra[@]}" "$ideas"
    printf 'concentrate: %9d ideas  ml-concentrate rep %d/%d  %s\n' "$n" "$r" "$reps" \
      "$(awk 'END { printf "%.3f s %.1f MB", $1 / 1e9, $2 * 1024 / 1e6 }' "$p.ml.times")"
  done
  "$py" "$root/bench/score_line.py" "$p.ml.out" "$cd_/ideas-$rows.truth.tsv" >"$p.ml.score"
  echo "concentrate: $n ideas  ml-concentrate score $(cat "$p.ml.score")"
  rm -f "$p.ml.out"
  if ((peer)); then
    for ((r = 1; r <= peer_reps; r++)); do
      timed "$p.peer" "$py" "$peer_py" "$gold" --variants lsa --k "$themes" \
        --text-field text --label-field theme --name "ideas-$rows" --json-out "$p.peer.json"
      printf 'concentrate: %9d ideas  peer rep %d/%d  %s  %s\n' "$n" "$r" "$peer_reps" \
        "$(awk 'END { printf "%.3f s %.1f MB", $1 / 1e9, $2 * 1024 / 1e6 }' "$p.peer.times")" \
        "$(grep -F '=> lsa' "$p.peer.out" | sed 's/^ *//')"
    done
  fi
  done_rows+=("$rows")
done

commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
if git -C "$root" status --porcelain --untracked-files=no 2>/dev/null | grep -q .; then
  commit="$commit (with uncommitted changes)"
fi
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
load="$load_start at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end"
mem=$(awk '/MemTotal/ { printf "%.1f GiB", $2 / 1048576 }' /proc/meminfo)

ROWS="${done_rows[*]}" CD="$cd_" WORK="$work" REPS="$reps" PEER_REPS="$peer_reps" PEER="$peer" \
COMMIT="$commit" LOAD="$load" CPU="$cpu" NPROC="$threads" MEM="$mem" PY_V="$("$py" --version 2>&1)" \
ML_V="$("$ml" --version 2>/dev/null | head -1 || echo "?") ($ml_src, built $built)" \
ML_ARGS="-q -j $threads${ml_args:+ $ml_args}" \
"$py" - <<'PY'
import datetime, json, os, statistics

env = os.environ
cd = env["CD"]


def runs(path):
    if not os.path.exists(path):
        return None
    rs = [l.split() for l in open(path) if l.strip()]
    return statistics.median(int(r[0]) / 1e9 for r in rs), max(int(r[1]) for r in rs) * 1024 / 1e6


rows = []
for r in env["ROWS"].split():
    n = sum(1 for _ in open(f"{cd}/ideas-{r}.truth.tsv"))
    ml = runs(f"{cd}/run-{r}.ml.times")
    sc = json.load(open(f"{cd}/run-{r}.ml.score"))
    peer = runs(f"{cd}/run-{r}.peer.times")
    pj = f"{cd}/run-{r}.peer.json"
    pres = None
    if peer and os.path.exists(pj):
        pres = json.loads(open(pj).read().splitlines()[-1])["results"]["lsa"]
    rows.append([
        f"{n:,}", f"{ml[0]:.2f}", f"{ml[1]:.0f}",
        f"{peer[0]:.2f}" if peer else "-", f"{peer[1]:.0f}" if peer else "-",
        f"{peer[0] / ml[0]:.1f}x" if peer else "-",
        f"{sc['ami']:.3f} / {sc['ari']:.3f}",
        f"{pres['ami']:.3f} / {pres['ari']:.3f}" if pres else "-",
        str(sc["themes"]), f"{100 * sc['unassigned_share']:.1f}"])

head = ["ideas", "ml s", "ml MB", "peer s", "peer MB", "speed-up", "ml AMI / ARI",
        "peer AMI / ARI", "ml themes", "ml unassigned %"]
meta = [
    f"date: {datetime.datetime.now().astimezone().strftime('%Y-%m-%d %H:%M %Z')}, commit {env['COMMIT']}",
    f"machine: {env['CPU']}, {env['NPROC']} CPUs (nproc), {env['MEM']} RAM; load average {env['LOAD']}",
    f"ml-concentrate: {env['ML_V']}; arguments: {env['ML_ARGS']}; {env['REPS']} runs, median wall",
    ("peer: peer_sklearn.py GOLD --variants lsa --k 40 (TF-IDF + LSA(100) + k-means, n_init 3); "
     f"{env['PEER_REPS']} run(s), median wall; {env['PY_V']}") if env["PEER"] == "1" else "peer: not run",
    "input: gen_survey.py --units 120 --themes 40 --seed 1 gold ideas; labels = the 40 themes and noise (-1)",
    "s: wall seconds of the whole process (reading and writing, Python start-up for the peer);"
    " MB: peak RSS from GNU time, 10^6 bytes; speed-up = peer s / ml s",
    "AMI/ARI: sklearn; ml-concentrate's unassigned ideas count as one extra cluster",
]
w = [max(len(h), *(len(x[c]) for x in rows)) for c, h in enumerate(head)]
print()
for m in meta: print(m)
print()
print("  ".join(h.rjust(w[c]) for c, h in enumerate(head)))
for x in rows:
    print("  ".join(v.rjust(w[c]) for c, v in enumerate(x)))
with open(f"{env['WORK']}/concentrate.md", "w") as md:
    md.write("# ml-concentrate speed and memory\n\n")
    for m in meta: md.write(f"- {m}\n")
    md.write("\n| " + " | ".join(head) + " |\n")
    md.write("|" + "|".join(["---:"] * len(head)) + "|\n")
    for x in rows: md.write("| " + " | ".join(x) + " |\n")
print(f"\nconcentrate: table written to {env['WORK']}/concentrate.md")
PY
