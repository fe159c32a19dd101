"""Agreement between the two labelling passes: ``python -m training.agreement``.

Passage labels: compares the second, independent pass (``training/labels/pass2*.jsonl``)
with the first pass on the same passages and prints Cohen's kappa per label, raw agreement,
exact agreement on the country lists, and the number of passages where the passes disagree
(those are adjudicated in ``training/labels/adjudicated.jsonl``).

Pair labels: compares ``training/labels/pairs/pass2.jsonl`` with the first pass over the
same passages, on the pairs both passes list: kappa per label, and agent agreement (of the
pairs both give coercion, or human_rights, the share with the same agents). Disagreements
are adjudicated in ``training/labels/pairs/adjudicated.jsonl``.

Other publishers and decades (``training/data/stories``): compares
``training/labels/stories/pass2_*.jsonl`` with the first pass, per source, on passage labels
and on pair labels and agents (``story_agreement``). Disagreements are adjudicated in
``training/labels/stories/adjudicated.jsonl``.

``--json`` prints JSON; ``--disagreements FILE``, ``--pair-disagreements FILE`` and
``--story-disagreements FILE`` write the disagreeing passages, with both judgments, for
adjudication.
"""
from __future__ import annotations

import argparse
import json
import sys

from sklearn.metrics import cohen_kappa_score

from scoring.labels import AGENT_LABELS, LABELS
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


def load_pair_passes() -> tuple[dict, dict]:
    first: dict[str, dict] = {}
    for path in sorted(corpus.PAIR_DIR.glob("pass1_*.jsonl")):
        first.update({r["id"]: r for r in corpus.read_jsonl(path)})
    second_path = corpus.PAIR_DIR / "pass2.jsonl"
    second = {r["id"]: r for r in corpus.read_jsonl(second_path)} if second_path.exists() else {}
    return first, second


def _pair_map(row: dict) -> dict[tuple[str, str], dict]:
    return {tuple(p["pair"]): p for p in row.get("pairs", [])}


def pair_agreement() -> dict:
    first, second = load_pair_passes()
    ids = sorted(i for i in second if i in first)
    out: dict = {"passages": len(ids), "labels": {}}
    common = []  # (id, pair, first judgment, second judgment)
    for i in ids:
        a, b = _pair_map(first[i]), _pair_map(second[i])
        common += [(i, pair, a[pair], b[pair]) for pair in sorted(set(a) & set(b))]
    out["pairs"] = len(common)
    if not common:
        return out
    out["labels"], agents = _pair_label_agreement(common)
    out.update(agents)
    disagree = set()
    for i, pair, p1, p2 in common:
        if sorted(p1["labels"]) != sorted(p2["labels"]) or \
                {k: sorted(v) for k, v in p1.get("agents", {}).items() if v} != \
                {k: sorted(v) for k, v in p2.get("agents", {}).items() if v}:
            disagree.add(i)
    out["passages_with_a_pair_disagreement"] = sorted(disagree)
    return out


def _pair_label_agreement(common: list[tuple]) -> tuple[dict, dict]:
    """On pairs both passes list (``(id, pair, first, second)``): per label kappa, raw
    agreement and positives; and per agent label, the share of pairs both gave the label
    with the same agents."""
    labels = {}
    for label in LABELS:
        x = [int(label in p1["labels"]) for _, _, p1, _ in common]
        y = [int(label in p2["labels"]) for _, _, _, p2 in common]
        labels[label] = {"kappa": _kappa(x, y) if common else None,
                         "agreement": round(sum(u == v for u, v in zip(x, y)) / len(x), 3) if common else None,
                         "positives_first": sum(x), "positives_second": sum(y)}
    agents = {}
    for label in AGENT_LABELS:
        both = [(p1, p2) for _, _, p1, p2 in common if label in p1["labels"] and label in p2["labels"]]
        same = sum(sorted(p1.get("agents", {}).get(label, [])) == sorted(p2.get("agents", {}).get(label, []))
                   for p1, p2 in both)
        agents[f"agents_{label}"] = {"pairs_both_labelled": len(both),
                                     "same_agents": round(same / len(both), 3) if both else None}
    return labels, agents


def _kappa(x: list[int], y: list[int]) -> float | None:
    return round(float(cohen_kappa_score(x, y)), 3) if len(set(x) | set(y)) > 1 else None


def _compare(first: dict, second: dict, ids: list[str]) -> dict:
    """Passage-label and pair agreement of two passes over the same passages."""
    out: dict = {"passages": len(ids), "labels": {}, "pair_labels": {}}
    for label in LABELS:
        a = [int(first[i][label]) for i in ids]
        b = [int(second[i][label]) for i in ids]
        out["labels"][label] = {"kappa": _kappa(a, b), "agreement": round(sum(x == y for x, y in zip(a, b)) / len(ids), 3),
                                "positives_first": sum(a), "positives_second": sum(b)}
    out["countries_exact_agreement"] = round(
        sum(sorted(first[i]["countries"]) == sorted(second[i]["countries"]) for i in ids) / len(ids), 3)
    common = [(i, pair, p1, p2) for i in ids for pair, p1 in _pair_map(first[i]).items()
              if (p2 := _pair_map(second[i]).get(pair)) is not None]
    out["pairs"] = len(common)
    out["pair_labels"], agents = _pair_label_agreement(common)
    out.update(agents)
    out["disagreements"] = sorted(
        i for i in ids
        if any(int(first[i][l]) != int(second[i][l]) for l in LABELS)
        or any(sorted(p1["labels"]) != sorted(p2["labels"])
               or {k: sorted(v) for k, v in p1.get("agents", {}).items() if v}
               != {k: sorted(v) for k, v in p2.get("agents", {}).items() if v}
               for j, _, p1, p2 in common if j == i))
    return out


def story_passes() -> tuple[dict, dict]:
    """The first and second passes over ``training/data/stories``: passage id -> row."""
    return tuple({r["id"]: r for path in sorted(corpus.STORY_LABEL_DIR.glob(f"pass{k}_*.jsonl"))
                  for r in corpus.read_jsonl(path)} for k in (1, 2))


def story_agreement() -> dict:
    """Per source of ``training/data/stories``: the second pass against the first; for a source
    whose second pass is spread over several files (samples drawn at different times), also
    each file's share on its own, keyed ``"<source>: <file stem>"``."""
    first, second = story_passes()
    file_of = {r["id"]: path.stem for path in sorted(corpus.STORY_LABEL_DIR.glob("pass2_*.jsonl"))
               for r in corpus.read_jsonl(path)}
    source_of = {f"{s['id']}-{i:03d}": s["source"] for s in corpus.other_stories()
                 for i in range(len(corpus.segment(s["text"])))}
    by_source: dict[str, list[str]] = {}
    by_file: dict[str, dict[str, list[str]]] = {}
    for i in sorted(second):
        if i in first and i in source_of:
            by_source.setdefault(source_of[i], []).append(i)
            by_file.setdefault(source_of[i], {}).setdefault(file_of[i], []).append(i)
    out = {}
    for source, ids in sorted(by_source.items()):
        out[source] = _compare(first, second, ids)
        if len(by_file[source]) > 1:
            for stem, part in sorted(by_file[source].items()):
                out[f"{source}: {stem}"] = _compare(first, second, part)
    return out


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(prog="python -m training.agreement")
    ap.add_argument("--json", action="store_true")
    ap.add_argument("--disagreements", help="write disagreeing passages (with both judgments) to this file")
    ap.add_argument("--pair-disagreements", help="write passages whose pair labels or agents disagree to this file")
    ap.add_argument("--story-disagreements",
                    help="write the other-source passages whose two passes disagree (labels, pairs or agents) to this file")
    args = ap.parse_args(argv)
    res = agreement()
    res["pairs"] = pair_agreement()
    res["stories"] = story_agreement()
    if args.story_disagreements:
        first, second = story_passes()
        text = {r["id"]: r for r in corpus.story_passage_texts(corpus.other_stories())}
        with open(args.story_disagreements, "w", encoding="utf-8") as f:
            for source, m in res["stories"].items():
                if ": " in source:  # one second-pass file's share, already under its source
                    continue
                for i in m["disagreements"]:
                    f.write(json.dumps({"id": i, "source": source, "title": text[i]["title"], "text": text[i]["text"],
                                        "first": first[i], "second": second[i]}, ensure_ascii=False) + "\n")
    if args.pair_disagreements:
        first, second = load_pair_passes()
        rows = {r["id"]: r for r in corpus.load()}
        with open(args.pair_disagreements, "w", encoding="utf-8") as f:
            for i in res["pairs"]["passages_with_a_pair_disagreement"]:
                row = rows.get(i, {})
                f.write(json.dumps({"id": i, "text": row.get("text"), "labels": row.get("labels"),
                                    "countries": first[i]["countries"],
                                    "first": {"pairs": first[i]["pairs"], "note": first[i].get("note", "")},
                                    "second": {"pairs": second[i]["pairs"], "note": second[i].get("note", "")}},
                                   ensure_ascii=False) + "\n")
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
    pa = res["pairs"]
    print(f"\npair labels: {pa['passages']} passages, {pa.get('pairs', 0)} pairs labelled twice")
    print(f"{'label':<14}{'kappa':>8}{'agree':>8}{'pos 1st':>9}{'pos 2nd':>9}")
    for label, m in pa.get("labels", {}).items():
        kappa = f"{m['kappa']:.3f}" if m["kappa"] is not None else "-"
        print(f"{label:<14}{kappa:>8}{m['agreement']:>8.3f}{m['positives_first']:>9}{m['positives_second']:>9}")
    for label in AGENT_LABELS:
        m = pa.get(f"agents_{label}")
        if m:
            print(f"agents of {label}: same in {m['same_agents']} of {m['pairs_both_labelled']} pairs both gave {label}")
    print(f"passages with a pair disagreement: {len(pa.get('passages_with_a_pair_disagreement', []))}")
    if res["stories"]:
        print("\nother publishers and decades, per source (passage labels; pair labels; agents):")
        print(f"{'source':<22}{'passages':>9}{'pairs':>7}  " + "".join(f"{l[:9]:>10}" for l in LABELS)
              + "  " + "".join(f"{'pair ' + l[:4]:>10}" for l in LABELS) + f"{'agents c':>10}{'agents h':>10}{'disagree':>9}")

        def fmt(v):
            return "-" if v is None else f"{v:.3f}"
        for source, m in res["stories"].items():
            print(f"{source:<22}{m['passages']:>9}{m['pairs']:>7}  "
                  + "".join(f"{fmt(m['labels'][l]['kappa']):>10}" for l in LABELS) + "  "
                  + "".join(f"{fmt(m['pair_labels'][l]['kappa']):>10}" for l in LABELS)
                  + f"{fmt(m['agents_coercion']['same_agents']):>10}{fmt(m['agents_human_rights']['same_agents']):>10}"
                  + f"{len(m['disagreements']):>9}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
