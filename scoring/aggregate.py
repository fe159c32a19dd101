"""Aggregate passage scores into per-country and per-pair results (docs/LABELS.md).

- A country is involved in a passage when one of its mentions lies inside the passage.
- A pair is two different countries involved in the same passage; unordered, written with
  the codes in alphabetical order. A passage with one country makes no pair.
- A country's or pair's score for a label is the highest score of that label among the
  passages that involve it: one clear passage is enough evidence, and many weak ones do
  not add up to a strong one.
- Its labels are those whose aggregated score reaches the model's threshold; its tension
  follows ``scoring.labels.tension``; its evidence lists the passages involved, strongest
  first (by the passage's highest label score).
"""
from __future__ import annotations

from itertools import combinations

import numpy as np

from .labels import tension


def _summary(rows: list[int], P: list[list[float]], peak: list[float], labels, thresholds) -> dict:
    best = P[rows[0]] if len(rows) == 1 else [max(column) for column in zip(*[P[r] for r in rows])]
    scores = {label: round(b, 4) for label, b in zip(labels, best)}
    return {
        "scores": scores,
        "labels": [label for label, b, t in zip(labels, best, thresholds) if b >= t],
        "tension": tension(scores),
        "evidence": sorted(rows, key=lambda r: -peak[r]),  # stable: ties keep passage order
    }


def countries_and_pairs(passage_countries: list[list[str]], P: np.ndarray, labels, thresholds):
    """``(countries, pairs)``: ``{code: summary}`` and a list of pair summaries by |tension|.

    ``P`` is the article's passages x labels score matrix. An article has tens of passages
    and a few countries, so plain Python on lists beats numpy calls per summary here.
    """
    by_country: dict[str, list[int]] = {}
    by_pair: dict[tuple[str, str], list[int]] = {}
    for i, codes in enumerate(passage_countries):
        for code in codes:
            by_country.setdefault(code, []).append(i)
        if len(codes) > 1:
            for a, b in combinations(sorted(set(codes)), 2):
                by_pair.setdefault((a, b), []).append(i)
    if not by_country:
        return {}, []
    rows = P.tolist()
    peak = [max(r) for r in rows]
    thresholds = [float(t) for t in thresholds]
    countries = {code: _summary(r, rows, peak, labels, thresholds) for code, r in by_country.items()}
    pairs = [{"pair": list(pair), **_summary(r, rows, peak, labels, thresholds)} for pair, r in by_pair.items()]
    pairs.sort(key=lambda p: (-abs(p["tension"]), p["pair"]))
    return countries, pairs
