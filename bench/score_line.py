#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Score an ml-concentrate line against true labels.

Usage: score_line.py LINE.jsonl TRUTH.tsv [--name NAME]

LINE.jsonl is ml-concentrate's output; what is read is the annotated idea records at its
end (type "idea", with "theme": "t-..." or null), i.e. a map idea id -> theme id.
TRUTH.tsv has one `id<TAB>label` line per idea given to ml-concentrate.
Ideas with "theme": null (unassigned) count as ONE extra cluster.

Prints one JSON line: n, labels, themes (theme records in the line), unassigned,
unassigned_share, ami, ari, nmi (sklearn.metrics: adjusted_mutual_info_score,
adjusted_rand_score, normalized_mutual_info_score; default arithmetic averaging).
Exits 1 when an idea of TRUTH.tsv is missing from the line, or is there twice.
"""
import argparse
import json
import sys

UNASSIGNED = "\0unassigned"  # cannot clash with a theme id


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("line")
    ap.add_argument("truth")
    ap.add_argument("--name", default="")
    args = ap.parse_args()

    from sklearn.metrics import adjusted_mutual_info_score as ami
    from sklearn.metrics import adjusted_rand_score as ari
    from sklearn.metrics import normalized_mutual_info_score as nmi

    truth = {}
    with open(args.truth, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line:
                i, _, label = line.partition("\t")
                truth[i] = label

    assigned = {}
    themes = 0
    twice = 0
    with open(args.line, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            o = json.loads(line)
            t = o.get("type")
            if t == "theme":
                themes += 1
            elif t == "idea":
                i = str(o.get("id"))
                if i in assigned:
                    twice += 1
                th = o.get("theme")
                assigned[i] = UNASSIGNED if th is None else str(th)

    missing = [i for i in truth if i not in assigned]
    if missing or twice:
        print(f"score_line: {args.line}: {len(missing)} of {len(truth)} ideas missing "
              f"(first: {missing[:3]}), {twice} annotated twice", file=sys.stderr)
        return 1

    ids = list(truth)
    y = [truth[i] for i in ids]
    p = [assigned[i] for i in ids]
    un = sum(1 for x in p if x == UNASSIGNED)
    out = {"name": args.name, "n": len(ids), "labels": len(set(y)), "themes": themes,
           "clusters_scored": len(set(p)), "unassigned": un,
           "unassigned_share": round(un / len(ids), 4) if ids else 0.0,
           "ami": round(float(ami(y, p)), 4), "ari": round(float(ari(y, p)), 4),
           "nmi": round(float(nmi(y, p)), 4)}
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
