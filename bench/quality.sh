#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Theme quality of ml-concentrate (a benchmark, not a test): on the labelled short-text
# sets of ../shared/data/shorttext, ml-concentrate (number of themes found by itself)
# against peer_sklearn.py's TF-IDF + LSA(100) + k-means told the true number of labels,
# in the same run. Scores: AMI and ARI against the labels. See bench/README.md.
set -euo pipefail

usage() {
  cat <<'EOF'
Usage: bench/quality.sh [--sets a,b] [--ml-args "ARGS"] [--no-peer] [--work DIR]

For each labelled set: converts it to idea records (id i-LINE, respondent r-LINE, the
label kept in a side file), runs `ml-concentrate -q -j NPROC ARGS` (number of themes
found by itself), scores it with bench/score_line.py (AMI, ARI; unassigned ideas count
as one extra cluster), runs the peer
  peer_sklearn.py --txt SET.txt --labels SET.labels --variants lsa   (told the true k)
on the same texts, and prints one table (also written to WORK/quality.md):
  set | ideas | labels | ml themes | unassigned % | ml AMI | ml ARI | peer AMI | peer ARI
      | ml s | peer s | target met
target met: ml AMI >= peer AMI, ml ARI >= peer ARI, themes <= 2 x labels, unassigned <= 20%.

Sets (names for --sets, case-insensitive):
  agnews          rakib/agnewsdataraw-8000          (label<TAB>text)
  googlenews-ts   rakib/TS                          (label<TAB>text)
  googlenews-t    rakib/T                           (label<TAB>text)
  googlenews-s    rakib/S                           (label<TAB>text)
  tweet           rakib/tweet-original-order.txt    (label<TAB>text)
  searchsnippets  stc2/SearchSnippets.txt + stc2/SearchSnippets_gnd.txt
  biomedical      stc2/Biomedical.txt + stc2/Biomedical_gnd.txt

Options:
  --sets a,b        only these sets (default: all)
  --ml-args "ARGS"  extra arguments for ml-concentrate (split on blanks), e.g. "--dims 150"
  --no-peer         do not run the peer; show the peer figures cached by the last run
                    that ran it (WORK/quality/SET.peer.json), marked with *
  --work DIR        work directory (default bench/work)
  -h, --help        this text

Environment:
  ML_SHORTTEXT     the short-text folder (default: ML_SHARED/data/shorttext)
  ML_SHARED        the shared folder (default: ../shared from the repository root)
  ML_CONCENTRATE   the binary (default: build/tools/ml-concentrate)
  ML_PYTHON        a Python 3 with scikit-learn (default: the first of python3,
                   /usr/bin/python3 that imports sklearn)
Needs GNU time (/usr/bin/time) and scikit-learn (apt-get install -y time python3-sklearn).
EOF
}

die() { echo "quality: $*" >&2; exit 1; }

root=$(cd "$(dirname "$0")/.." && pwd)
sets_opt=""
ml_args=""
peer=1
work="$root/bench/work"
while (($#)); do
  case "$1" in
    --sets) [[ $# -ge 2 ]] || die "--sets needs a value"; sets_opt=$2; shift 2 ;;
    --ml-args) [[ $# -ge 2 ]] || die "--ml-args needs a value"; ml_args=$2; shift 2 ;;
    --no-peer) peer=0; shift ;;
    --work) [[ $# -ge 2 ]] || die "--work needs a value"; work=$2; shift 2 ;;
    -h|--help) usage; exit 0 ;;
    *) usage >&2; exit 64 ;;
  esac
done

shared=${ML_SHARED:-$root/../shared}
data=${ML_SHORTTEXT:-$shared/data/shorttext}
if [[ ! -d "$data" ]]; then
  echo "quality: skipped: no short-text sets at $data (set ML_SHORTTEXT or ML_SHARED)"
  exit 0
fi
peer_py="$shared/tools/peer_sklearn.py"
if ((peer)) && [[ ! -f "$peer_py" ]]; then
  echo "quality: no peer at $peer_py (set ML_SHARED); running without it"
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

# set key -> display name and source files ("tsv FILE" or "txt FILE GND").
all_sets=(agnews googlenews-ts googlenews-t googlenews-s tweet searchsnippets biomedical)
declare -A display=(
  [agnews]=AgNews [googlenews-ts]=GoogleNews-TS [googlenews-t]=GoogleNews-T
  [googlenews-s]=GoogleNews-S [tweet]=Tweet [searchsnippets]=SearchSnippets
  [biomedical]=Biomedical)
declare -A source=(
  [agnews]="tsv rakib/agnewsdataraw-8000" [googlenews-ts]="tsv rakib/TS"
  [googlenews-t]="tsv rakib/T" [googlenews-s]="tsv rakib/S"
  [tweet]="tsv rakib/tweet-original-order.txt"
  [searchsnippets]="txt stc2/SearchSnippets.txt stc2/SearchSnippets_gnd.txt"
  [biomedical]="txt stc2/Biomedical.txt stc2/Biomedical_gnd.txt")
sets=()
if [[ -n "$sets_opt" ]]; then
  IFS=, read -r -a req <<<"$sets_opt"
  for s in "${req[@]}"; do
    s=${s,,}
    [[ -n "${display[$s]:-}" ]] || die "unknown set '$s' (known: ${all_sets[*]})"
    sets+=("$s")
  done
else
  sets=("${all_sets[@]}")
fi

mkdir -p "$work/quality"
work=$(cd "$work" && pwd)
qd="$work/quality"

# Run a snapshot of the binary, so that a rebuild during the run cannot mix two builds.
built=$(date -u -r "$ml" '+%Y-%m-%d %H:%M:%S UTC')
ml_src=$ml
cp "$ml" "$work/ml-concentrate.quality.snapshot"
ml="$work/ml-concentrate.quality.snapshot"
trap 'rm -f "$work/ml-concentrate.quality.snapshot" "$qd"/*.tmp' EXIT

threads=$(nproc)
load_start=$(cut -d" " -f1-3 /proc/loadavg)
echo "quality: machine: $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//'), $threads CPUs (nproc), load average $load_start"
ran=()
for s in "${sets[@]}"; do
  read -r kind f1 f2 <<<"${source[$s]}"
  if [[ ! -f "$data/$f1" || ( "$kind" == txt && ! -f "$data/$f2" ) ]]; then
    echo "quality: ${display[$s]}: skipped, $data/$f1${f2:+ or $data/$f2} absent"
    continue
  fi
  p="$qd/$s"
  rm -f "$p.ml.json" "$p.ml.failed"
  if [[ "$kind" == tsv ]]; then
    conv=$("$py" "$root/bench/shorttext_to_ideas.py" --tsv "$data/$f1" --prefix "$p")
  else
    conv=$("$py" "$root/bench/shorttext_to_ideas.py" --txt "$data/$f1" --gnd "$data/$f2" --prefix "$p")
  fi
  echo "$conv" >"$p.conv.json"
  echo "quality: ${display[$s]}: $conv"

  # ml-concentrate: wall time from date(1), peak RSS from GNU time.
  t0=$(date +%s%N)
  if /usr/bin/time -f '%e %M' -o "$p.time.tmp" \
      "$ml" -q -j "$threads" "${ml_extra[@]}" "$p.ideas.jsonl" >"$p.line.jsonl" 2>"$p.ml.stderr"; then
    t1=$(date +%s%N)
    score=$("$py" "$root/bench/score_line.py" "$p.line.jsonl" "$p.truth.tsv" --name "$s")
    printf '%s\n' "$score" | "$py" -c '
import json, sys
r = json.loads(sys.stdin.read())
r["wall_s"] = round(int(sys.argv[1]) / 1e9, 3)
r["rss_mb"] = round(int(sys.argv[2]) * 1024 / 1e6, 1)
print(json.dumps(r))' "$((t1 - t0))" "$(awk 'END { print $2 }' "$p.time.tmp")" >"$p.ml.json"
    echo "quality: ${display[$s]}: ml-concentrate $(cat "$p.ml.json")"
  else
    rc=$?
    echo "$rc" >"$p.ml.failed"
    echo "quality: ${display[$s]}: ml-concentrate failed (status $rc):" >&2
    tail -5 "$p.ml.stderr" >&2
  fi

  if ((peer)); then
    rm -f "$p.peer.tmp"
    t0=$(date +%s%N)
    if /usr/bin/time -f '%e %M' -o "$p.ptime.tmp" "$py" "$peer_py" --txt "$p.txt" --labels "$p.labels" \
        --variants lsa --name "$s" --json-out "$p.peer.tmp" >"$p.peer.log" 2>&1; then
      t1=$(date +%s%N)
      "$py" -c '
import json, sys
r = json.loads(open(sys.argv[1]).read().splitlines()[-1])
r["wall_s"] = round(int(sys.argv[2]) / 1e9, 3)
r["rss_mb_time"] = round(int(sys.argv[3]) * 1024 / 1e6, 1)
print(json.dumps(r))' "$p.peer.tmp" "$((t1 - t0))" "$(awk 'END { print $2 }' "$p.ptime.tmp")" >"$p.peer.json"
      echo "quality: ${display[$s]}: peer $(grep -F '=> lsa' "$p.peer.log" | sed 's/^ *//')"
    else
      echo "quality: ${display[$s]}: the peer failed; see $p.peer.log" >&2
      rm -f "$p.peer.json"
    fi
  fi
  ran+=("$s")
done
((${#ran[@]})) || { echo "quality: no set found under $data"; exit 0; }

commit=$(git -C "$root" rev-parse --short HEAD 2>/dev/null || echo unknown)
if git -C "$root" status --porcelain --untracked-files=no 2>/dev/null | grep -q .; then
  commit="$commit (with uncommitted changes)"
fi
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
load="$load_start at the start, $(cut -d' ' -f1-3 /proc/loadavg) at the end"
names=""
for s in "${ran[@]}"; do names+="$s=${display[$s]}"$'\n'; done

NAMES="$names" QD="$qd" WORK="$work" PEER="$peer" COMMIT="$commit" LOAD="$load" CPU="$cpu" NPROC="$threads" \
ML_V="$("$ml" --version 2>/dev/null | head -1 || echo "?") ($ml_src, built $built)" \
ML_ARGS="-q -j $threads${ml_args:+ $ml_args}" PY_V="$("$py" --version 2>&1)" \
"$py" - <<'PY'
import datetime, json, os

env = os.environ
qd = env["QD"]
rows = []
met_all = []
for pair in env["NAMES"].split("\n"):
    if not pair:
        continue
    key, name = pair.split("=", 1)
    conv = json.load(open(f"{qd}/{key}.conv.json"))
    ml = json.load(open(f"{qd}/{key}.ml.json")) if os.path.exists(f"{qd}/{key}.ml.json") else None
    pj = f"{qd}/{key}.peer.json"
    peer = json.load(open(pj)) if os.path.exists(pj) else None
    cached = peer is not None and env["PEER"] == "0"
    star = "*" if cached else ""
    labels = conv["labels"]
    r = [name, f"{conv['n']:,}", str(labels)]
    if ml:
        r += [str(ml["themes"]), f"{100 * ml['unassigned_share']:.1f}",
              f"{ml['ami']:.3f}", f"{ml['ari']:.3f}"]
    else:
        r += ["failed", "-", "-", "-"]
    pa = pr = None
    if peer:
        lsa = peer["results"]["lsa"]
        pa, pr = lsa["ami"], lsa["ari"]
        if peer["n"] != conv["n"]:
            star += "!"  # the peer scored a different number of items
        r += [f"{pa:.3f}{star}", f"{pr:.3f}{star}"]
    else:
        r += ["-", "-"]
    r.append(f"{ml['wall_s']:.2f}" if ml else "-")
    r.append(f"{peer['wall_s']:.2f}{star}" if peer else "-")
    if not ml:
        met = "no (failed)"
    else:
        why = []
        if pa is not None and ml["ami"] < pa: why.append("AMI")
        if pr is not None and ml["ari"] < pr: why.append("ARI")
        if ml["themes"] > 2 * labels: why.append("themes")
        if ml["unassigned_share"] > 0.20: why.append("unassigned")
        if why:
            met = "no (" + ", ".join(why) + ")"
        elif pa is None:
            met = "? (no peer)"
        else:
            met = "yes"
    met_all.append(met)
    rows.append(r)

head = ["set", "ideas", "labels", "ml themes", "unassigned %", "ml AMI", "ml ARI",
        "peer AMI", "peer ARI", "ml s", "peer s", "target met"]
for r, m in zip(rows, met_all):
    r.append(m)
n_met = sum(1 for m in met_all if m == "yes")
meta = [
    f"date: {datetime.datetime.now().astimezone().strftime('%Y-%m-%d %H:%M %Z')}, commit {env['COMMIT']}",
    f"machine: {env['CPU']}, {env['NPROC']} CPUs (nproc); load average {env['LOAD']}",
    f"ml-concentrate: {env['ML_V']}; arguments: {env['ML_ARGS']} (number of themes found by itself)",
    "peer: peer_sklearn.py --variants lsa (TF-IDF + LSA(100) + k-means, n_init 3, seed 0), told the true k; "
    + env["PY_V"],
    "AMI/ARI: sklearn adjusted_mutual_info_score / adjusted_rand_score; ml's unassigned ideas count as one extra cluster",
    "target met: ml AMI >= peer AMI, ml ARI >= peer ARI, themes <= 2 x labels, unassigned <= 20%",
    "s: wall seconds of the whole process (reading, writing and, for the peer, Python start-up included)",
]
if env["PEER"] == "0":
    meta.append("peer not run (--no-peer): * marks figures cached from the last run that ran it")
if any("!" in c for r in rows for c in r):
    meta.append("! the peer scored a different number of items than ml-concentrate")
summary = f"target met on {n_met} of {len(rows)} sets"

w = [max(len(h), *(len(r[c]) for r in rows)) for c, h in enumerate(head)]
print()
for m in meta: print(m)
print()
def line(cells):
    return "  ".join(x.ljust(w[c]) if c in (0, 11) else x.rjust(w[c])
                     for c, x in enumerate(cells)).rstrip()
print(line(head))
for r in rows:
    print(line(r))
print()
print(summary)

with open(f"{env['WORK']}/quality.md", "w") as md:
    md.write("# ml-concentrate theme quality\n\n")
    for m in meta: md.write(f"- {m}\n")
    md.write("\n| " + " | ".join(head) + " |\n")
    md.write("|" + "|".join(["---"] + ["---:"] * (len(head) - 2) + ["---"]) + "|\n")
    for r in rows: md.write("| " + " | ".join(r) + " |\n")
    md.write(f"\n{summary}\n")
print(f"\nquality: table written to {env['WORK']}/quality.md")
PY
