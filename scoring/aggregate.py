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


def _summary(rows: list[int], P: np.ndarray, labels, thresholds) -> dict:
    sub = P[rows]
    best = sub.max(axis=0)
    scores = {label: round(float(best[j]), 4) for j, label in enumerate(labels)}
    strongest = sorted(rows, key=lambda r: (-float(P[r].max()), r))
    return {
        "scores": scores,
        "labels": [label for j, label in enumerate(labels) if best[j] >= thresholds[j]],
        "tension": tension(scores),
        "evidence": strongest,
    }


def countries_and_pairs(passage_countries: list[list[str]], P: np.ndarray, labels, thresholds):
    """``(countries, pairs)``: ``{code: summary}`` and a list of pair summaries by |tension|."""
    by_country: dict[str, list[int]] = {}
    by_pair: dict[tuple[str, str], list[int]] = {}
    for i, codes in enumerate(passage_countries):
        for code in codes:
            by_country.setdefault(code, []).append(i)
        for a, b in combinations(sorted(set(codes)), 2):
            by_pair.setdefault((a, b), []).append(i)
    countries = {code: _summary(rows, P, labels, thresholds) for code, rows in by_country.items()}
    pairs = [{"pair": list(pair), **_summary(rows, P, labels, thresholds)} for pair, rows in by_pair.items()]
    pairs.sort(key=lambda p: (-abs(p["tension"]), p["pair"]))
    return countries, pairs
