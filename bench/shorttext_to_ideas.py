#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Turn a labelled text set into ml-concentrate idea records, with the labels kept apart.

Usage:
  shorttext_to_ideas.py --tsv FILE            --prefix OUT   # `label<TAB>text` lines (rakib sets)
  shorttext_to_ideas.py --txt FILE --gnd FILE --prefix OUT   # one text / one label a line (STC2)
  shorttext_to_ideas.py --gold FILE           --prefix OUT   # gen_survey.py --ideas output

Writes, for the items kept:
  OUT.ideas.jsonl  {"type":"idea","id":...,"text":...,"respondent":...,"unit":...}; no label
  OUT.truth.tsv    id<TAB>label, the side file score_line.py reads
  OUT.txt          (not --gold) the texts, one a line, for peer_sklearn.py --txt
  OUT.labels       (not --gold) the labels, one a line, for peer_sklearn.py --labels
and prints one JSON line: {"n": kept, "dropped_empty": ..., "labels": distinct labels}.

Text sets: the id is "i-N" and the respondent "r-N" with N the 1-based line number, the
unit null. A leading byte-order mark is dropped, a trailing CR removed and any other CR
turned into a space (so that the .txt file has exactly one text a line for the peer,
which reads with universal newlines). Texts that are empty after str.strip() are dropped,
the rule peer_sklearn.py applies, so both tools score the same items.
Gold ideas: id = idea_id, respondent, unit and text as generated, label = theme.
Standard library only.
"""
import argparse
import json
import sys


def clean(text: str) -> str:
    if text.endswith("\r"):
        text = text[:-1]
    return text.replace("\r", " ")


def read_lines(path: str) -> list:
    # Split on LF only, so that a stray CR inside a line cannot shift the numbering.
    with open(path, "rb") as f:
        data = f.read()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    lines = data.decode("utf-8", errors="replace").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def text_items(args) -> list:
    """(line number, text, label) of every line."""
    items = []
    if args.tsv:
        for n, line in enumerate(read_lines(args.tsv), 1):
            label, sep, text = line.partition("\t")
            if not sep:
                sys.exit(f"{args.tsv}:{n}: no TAB between label and text")
            items.append((n, clean(text), label.strip()))
    else:
        texts = read_lines(args.txt)
        labels = [l.strip() for l in read_lines(args.gnd)]
        if len(texts) != len(labels):
            sys.exit(f"{args.txt} has {len(texts)} lines but {args.gnd} has {len(labels)}")
        items = [(n, clean(t), lab) for n, (t, lab) in enumerate(zip(texts, labels), 1)]
    return items


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    src = ap.add_mutually_exclusive_group(required=True)
    src.add_argument("--tsv", help="label<TAB>text lines")
    src.add_argument("--txt", help="one text a line (with --gnd)")
    src.add_argument("--gold", help="gen_survey.py --ideas JSON Lines")
    ap.add_argument("--gnd", help="one label a line, aligned with --txt")
    ap.add_argument("--prefix", required=True, help="output path prefix")
    args = ap.parse_args()
    if args.txt and not args.gnd:
        ap.error("--txt needs --gnd")

    kept = dropped = 0
    labels = set()
    p = args.prefix
    ideas = open(p + ".ideas.jsonl", "w", encoding="utf-8")
    truth = open(p + ".truth.tsv", "w", encoding="utf-8")
    if args.gold:
        with open(args.gold, encoding="utf-8") as f:
            for line in f:
                if not line.strip():
                    continue
                o = json.loads(line)
                text = o.get("text") or ""
                if not text.strip():
                    dropped += 1
                    continue
                rec = {"type": "idea", "id": str(o["idea_id"]), "text": text,
                       "respondent": o.get("respondent"), "unit": o.get("unit")}
                ideas.write(json.dumps(rec, ensure_ascii=False) + "\n")
                label = str(o["theme"])
                truth.write(f"{rec['id']}\t{label}\n")
                labels.add(label)
                kept += 1
    else:
        txt = open(p + ".txt", "w", encoding="utf-8")
        lab = open(p + ".labels", "w", encoding="utf-8")
        for n, text, label in text_items(args):
            if not text.strip():
                dropped += 1
                continue
            rec = {"type": "idea", "id": f"i-{n}", "text": text, "respondent": f"r-{n}",
                   "unit": None}
            ideas.write(json.dumps(rec, ensure_ascii=False) + "\n")
            truth.write(f"i-{n}\t{label}\n")
            txt.write(text + "\n")
            lab.write(label + "\n")
            labels.add(label)
            kept += 1
        txt.close()
        lab.close()
    ideas.close()
    truth.close()
    print(json.dumps({"n": kept, "dropped_empty": dropped, "labels": len(labels)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
