#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""The baseline a data person would write for ml-dispatch's core job, in plain Python (a
benchmark peer, not a reference): read the line (JSONL) and the organisation (CSV), count
each unit's people and ideas per theme, and write, for every unit and every task (central,
secondary, tertiary), one directive record with the head and responsible person, the call,
the unit's counts, up to 3 of its quotes, the check-up dates and its idea ids. It checks
nothing (no cycles, no duplicates), picks no pilots, counts no sub-units' people, writes
no letters: less work than ml-dispatch does.

Usage: peer_dispatch.py ORG LINE START > DIRECTIVES
"""
import csv
import datetime
import json
import sys
from collections import defaultdict


def main():
    org_path, line_path, start = sys.argv[1:4]
    with open(org_path, encoding="utf-8", newline="") as f:
        org = list(csv.DictReader(f))
    themes, by_unit = [], defaultdict(lambda: defaultdict(list))
    with open(line_path, encoding="utf-8") as f:
        for line in f:
            r = json.loads(line)
            if r["type"] == "theme":
                themes.append(r)
            elif r["type"] == "idea" and r.get("unit") and r.get("theme"):
                by_unit[r["unit"]][r["theme"]].append(r)
    tasks = [t for t in themes if t["tier"] in ("central", "secondary", "tertiary")]
    day0 = datetime.date.fromisoformat(start)
    due = day0 + datetime.timedelta(days=84)
    checkups = [(day0 + datetime.timedelta(days=d)).isoformat() for d in range(14, 84, 14)]
    checkups.append(due.isoformat())
    out = sys.stdout
    for u in org:
        mine = by_unit.get(u["unit"], {})
        for order, t in enumerate(tasks, 1):
            ideas = mine.get(t["id"], [])
            people = {i["respondent"] for i in ideas}
            d = {"type": "directive", "unit": u["unit"],
                 "to": {"head": u["head"], "responsible": u["responsible"] or None},
                 "theme": t["id"], "tier": t["tier"], "order": order,
                 "call": f"{t['phrase']} ({t['label']}): {t['support']['respondents']} people",
                 "guidance": {"respondents": len(people), "ideas": len(ideas),
                              "quotes": [i["text"] for i in ideas[:3]]},
                 "start": start, "checkup": checkups, "due": due.isoformat(),
                 "ideas": [i["id"] for i in ideas]}
            out.write(json.dumps(d, separators=(",", ":"), ensure_ascii=False) + "\n")


if __name__ == "__main__":
    main()
