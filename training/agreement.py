"""Agreement between the two labelling passes: ``python -m training.agreement``.

Compares the second, independent pass (``training/labels/pass2*.jsonl``) with the first
pass on the same passages and prints Cohen's kappa per label, raw agreement, exact
agreement on the country lists, and the number of passages where the passes disagree (those
are adjudicated in ``training/labels/adjudicated.jsonl``). ``--json`` prints JSON, and
``--disagreements FILE`` writes the disagreeing passages for adjudication.
"""
from __future__ import annotations

import argparse
import json
import sys

from sklearn.metrics import cohen_kappa_score

from scoring.labels import LABELS
from training import corpus


def load_passes():
    first = {}
    for path in sorted(corpus.LABEL_DIR.glob("pass1_*.jsonl")):
        first.update({r["id"]: r for r in corpus.read_jsonl(path)})
    second = {}
    for path in sorted(corpus.LABEL_DIR.glob("pass2*.jsonl")):
        second.update({r["id"]: r for r in corpus.read_jsonl(path)})
    return first, second


def agreement() -> dict:
    first, second = load_passes()
    ids = sorted(i for i in second if i in first)
    out = {"passages": len(ids), "labels": {}}
    for label in LABELS:
        a = [int(first[i][label]) for i in ids]
        b = [int(second[i][label]) for i in ids]
        out["labels"][label] = {
            "kappa": round(float(cohen_kappa_score(a, b)), 3),
            "agreement": round(sum(x == y for x, y in zip(a, b)) / len(ids), 3),
            "positives_first": sum(a), "positives_second": sum(b),
        }
    out["countries_exact_agreement"] = round(
        sum(sorted(first[i]["countries"]) == sorted(second[i]["countries"]) for i in ids) / len(ids), 3)
    out["disagreements"] = [i for i in ids if any(int(first[i][l]) != int(second[i][l]) for l in LABELS)]
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m training.agreement")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--disagreements", help="write disagreeing passages (with both judgments) to this file")
    args = ap.parse_args(argv)
    res = agreement()
    if args.disagreements:
        first, second = load_passes()
        text = {r["id"]: r for r in corpus.build_passage_texts()}
        with open(args.disagreements, "w", encoding="utf-8") as f:
            for i in res["disagreements"]:
                f.write(json.dumps({"id": i, "title": text[i]["title"], "text": text[i]["text"],
                                    "first": {l: first[i][l] for l in LABELS} | {"note": first[i].get("note", "")},
                                    "second": {l: second[i][l] for l in LABELS} | {"note": second[i].get("note", "")}},
                                   ensure_ascii=False) + "\n")
    if args.json:
        print(json.dumps(res, indent=2))
        return 0
    print(f"{res['passages']} passages labelled twice")
    print(f"{'label':<14}{'kappa':>8}{'agree':>8}{'pos 1st':>9}{'pos 2nd':>9}")
    for label, m in res["labels"].items():
        print(f"{label:<14}{m['kappa']:>8.3f}{m['agreement']:>8.3f}{m['positives_first']:>9}{m['positives_second']:>9}")
    print(f"country lists identical: {res['countries_exact_agreement']:.3f}")
    print(f"passages with a label disagreement: {len(res['disagreements'])}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
