#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Makes an organisation and a line for bench/dispatch.sh (a benchmark input, not a test):
UNITS units under one top unit and REGIONS regions, and a line of THEMES themes (one central,
three secondary, the rest tertiary but the last, which is other) with IDEAS ideas, each of a
random unit of the lowest level and a respondent who gave two ideas, annotated with a theme
drawn with falling weights. Deterministic for a given --seed.

Usage: gen_org_line.py --units N --regions R --themes T --ideas N --seed S --org ORG --line LINE
"""
import argparse
import json
import random


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--units", type=int, default=100000)
    ap.add_argument("--regions", type=int, default=100)
    ap.add_argument("--themes", type=int, default=10)
    ap.add_argument("--ideas", type=int, default=1000000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--org", required=True)
    ap.add_argument("--line", required=True)
    a = ap.parse_args()
    rnd = random.Random(a.seed)
    leaves = a.units - a.regions - 1
    with open(a.org, "w", encoding="utf-8") as f:
        f.write("unit,parent,head,responsible,members\nHQ,,Head of HQ,Secretary,\n")
        for r in range(a.regions):
            f.write(f"Region {r},HQ,Head of region {r},Organiser {r},\n")
        for u in range(leaves):
            f.write(f"Unit {u},Region {u % a.regions},Head {u},Rep {u},{rnd.randint(5, 500)}\n")
    tiers = ["central"] + ["secondary"] * 3 + ["tertiary"] * max(a.themes - 5, 0) + ["other"]
    tiers = tiers[:a.themes]
    ideas, members, people, units = [], [[] for _ in range(a.themes)], \
        [set() for _ in range(a.themes)], [dict() for _ in range(a.themes)]
    for i in range(a.ideas):
        u = rnd.randrange(leaves)
        t = min(int(rnd.expovariate(0.3)), a.themes - 1)
        ideas.append((i, u, t))
        members[t].append(i)
        people[t].add(i // 2)
        units[t][f"Unit {u}"] = units[t].get(f"Unit {u}", 0) + 1
    with open(a.line, "w", encoding="utf-8") as f:
        f.write('{"type":"header","v":1,"tool":"ml-concentrate","version":"0.1.0"}\n')
        for t in range(a.themes):
            rec = {"type": "theme", "id": f"t-{t:012x}", "rank": t + 1, "tier": tiers[t],
                   "label": f"keyword{t} / other{t}", "keywords": [f"keyword{t}", f"other{t}"],
                   "phrase": f"Phrase of theme {t}",
                   "support": {"respondents": len(people[t]), "ideas": len(members[t]),
                               "units": len(units[t])},
                   "units": units[t], "quotes": [], "ideas": [f"i-{i:016x}" for i in members[t]]}
            f.write(json.dumps(rec, separators=(",", ":")) + "\n")
        for i, u, t in ideas:
            f.write(json.dumps({"type": "idea", "id": f"i-{i:016x}",
                                "text": f"An idea about theme {t}, number {i}.",
                                "respondent": f"r-{i // 2:016x}", "unit": f"Unit {u}",
                                "theme": f"t-{t:012x}"}, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()
