#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
# Checks that every tally line adds up, that the total is the sum of the files, and that the
# counts match the records written. Usage: check_tally.py TALLY IDEAS REJECTS
import json
import re
import sys

LINE = re.compile(
    r"^ml-gather: (?P<file>.+?): (?P<rows>\d+) rows = (?P<kept>\d+) kept \+ (?P<rrej>\d+) rejected"
    r"(?: \((?P<rreasons>[^)]*)\))?; (?P<answers>\d+) answers -> (?P<items>\d+) items = "
    r"(?P<ideas>\d+) ideas \+ (?P<irej>\d+) rejected(?: \((?P<ireasons>[^)]*)\))?")


def reasons(s):
    out = {}
    for part in (s or "").split(", "):
        if part:
            k, v = part.rsplit(" ", 1)
            out[k] = int(v)
    return out


tallies = {}
for line in open(sys.argv[1]):
    m = LINE.match(line)
    if not m:
        continue
    t = {k: int(v) for k, v in m.groupdict().items() if v and v.isdigit()}
    t["rreasons"], t["ireasons"] = reasons(m["rreasons"]), reasons(m["ireasons"])
    tallies[m["file"]] = t
    ok = (t["rows"] == t["kept"] + t["rrej"] and t["rrej"] == sum(t["rreasons"].values())
          and t["items"] == t["ideas"] + t["irej"] and t["irej"] == sum(t["ireasons"].values()))
    print(f"{m['file']}: {'adds up' if ok else 'DOES NOT ADD UP'}")

total = tallies.pop("total")
for key in ("rows", "kept", "rrej", "answers", "items", "ideas", "irej"):
    s = sum(t[key] for t in tallies.values())
    if s != total[key]:
        print(f"total {key} is {total[key]}, the files sum to {s}")
ideas = sum(1 for l in open(sys.argv[2]) if json.loads(l)["type"] == "idea")
rejects = [json.loads(l) for l in open(sys.argv[3])]
print(f"ideas written: {ideas}, tally: {total['ideas']}")
print(f"rejects written: {len(rejects)}, tally: {total['rrej'] + total['irej']}")
by_reason = {}
for r in rejects:
    by_reason[r["reason"]] = by_reason.get(r["reason"], 0) + 1
want = dict(total["rreasons"])
for k, v in total["ireasons"].items():
    want[k] = want.get(k, 0) + v
print("reasons match" if by_reason == want else f"reasons differ: {by_reason} vs {want}")
