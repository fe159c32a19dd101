"""Check the format of a labelling output file: ``python -m training.labelcheck OUT [--input IN]``.

Labellers run this on what they wrote (docs/labelling.md). It checks form only, never the
judgments: one JSON object a line; 0/1 passage labels; sorted, unique, known ISO alpha-3
country codes; one ``pairs`` entry for every pair of the listed countries, codes in
alphabetical order; pair labels among the three labels and among the passage's own labels;
agents only for coercion and human_rights, only for labels the pair carries, and only
members of the pair. With ``--input`` it also checks that every input passage marked
``"todo": true`` (or every input passage, when none is marked) has exactly one output line.
Prints one line per problem and exits 1 when there are any.
"""
from __future__ import annotations

import argparse
import json
import sys
from itertools import combinations

from scoring.labels import AGENT_LABELS, LABELS



def known_codes() -> set[str]:
    from scoring.actors import default_recognizer

    rec = default_recognizer()
    return {c for c, kind in rec._kinds.items() if kind == "country"}


def check_row(row: dict, codes: set[str], passage_labels: list[str] | None = None) -> list[str]:
    """Problems with one output row (empty when it is well-formed)."""
    problems = []
    if not isinstance(row.get("id"), str):
        return ["no string 'id'"]
    for label in LABELS:
        if label in row and row[label] not in (0, 1):
            problems.append(f"{label} must be 0 or 1")
    countries = row.get("countries")
    if not isinstance(countries, list) or any(not isinstance(c, str) for c in countries):
        return problems + ["'countries' must be a list of codes"]
    if countries != sorted(set(countries)):
        problems.append("'countries' must be sorted without duplicates")
    problems += [f"unknown country code {c!r}" for c in countries if c not in codes]
    own = passage_labels if passage_labels is not None else [l for l in LABELS if row.get(l) == 1]
    pairs = row.get("pairs")
    if not isinstance(pairs, list):
        return problems + ["'pairs' must be a list"]
    expected = {tuple(p) for p in combinations(sorted(set(countries)), 2)}
    seen = set()
    for p in pairs:
        pair = tuple(p.get("pair", ())) if isinstance(p, dict) else ()
        if len(pair) != 2 or list(pair) != sorted(pair) or pair[0] == pair[1]:
            problems.append(f"pair {pair!r}: two different codes in alphabetical order")
            continue
        if pair not in expected:
            problems.append(f"pair {'-'.join(pair)} is not a pair of the passage's countries")
        if pair in seen:
            problems.append(f"pair {'-'.join(pair)} listed twice")
        seen.add(pair)
        labels = p.get("labels")
        if not isinstance(labels, list) or any(l not in LABELS for l in labels):
            problems.append(f"pair {'-'.join(pair)}: labels must be a list of {', '.join(LABELS)}")
            continue
        problems += [f"pair {'-'.join(pair)}: {l} is not among the passage's labels"
                     for l in labels if l not in own]
        agents = p.get("agents", {})
        if not isinstance(agents, dict):
            problems.append(f"pair {'-'.join(pair)}: agents must be an object")
            continue
        for label, who in agents.items():
            if label not in AGENT_LABELS:
                problems.append(f"pair {'-'.join(pair)}: agents only for coercion and human_rights")
            elif label not in labels:
                problems.append(f"pair {'-'.join(pair)}: agents for {label}, which the pair does not carry")
            elif not isinstance(who, list) or not who or any(c not in pair for c in who):
                problems.append(f"pair {'-'.join(pair)}: {label} agents must be one or both members")
        for label in AGENT_LABELS:
            if label in labels and not agents.get(label):
                problems.append(f"pair {'-'.join(pair)}: carries {label} but names no agent")
    problems += [f"pair {'-'.join(p)} missing" for p in sorted(expected - seen)]
    return problems


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m training.labelcheck", description=__doc__.split("\n")[0])
    ap.add_argument("output", help="the labelling output (JSON lines)")
    ap.add_argument("--input", help="the input it labels (JSON lines): checks coverage")
    args = ap.parse_args(argv)
    codes = known_codes()
    given: dict[str, dict] = {}
    if args.input:
        with open(args.input, encoding="utf-8") as f:
            given = {r["id"]: r for r in map(json.loads, filter(str.strip, f))}
    problems, ids = [], []
    with open(args.output, encoding="utf-8") as f:
        for n, line in enumerate(f, 1):
            if not line.strip():
                continue
            try:
                row = json.loads(line)
            except ValueError as exc:
                problems.append(f"line {n}: not JSON ({exc})")
                continue
            ids.append(row.get("id"))
            own = given.get(row.get("id"), {}).get("labels")
            if own is not None and any(l in row for l in LABELS):
                own = None  # the row states its own passage labels
            problems += [f"line {n} ({row.get('id')}): {p}" for p in check_row(row, codes, own)]
    if given:
        todo = [i for i, r in given.items() if r.get("todo", True)]
        missing = [i for i in todo if i not in set(ids)]
        problems += [f"no output line for {i}" for i in missing]
        problems += [f"{i}: more than one output line" for i in {i for i in ids if ids.count(i) > 1}]
        problems += [f"{i}: not in the input" for i in ids if i not in given]
    for p in problems:
        print(p)
    print(f"{len(ids)} lines, {len(problems)} problems", file=sys.stderr)
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
