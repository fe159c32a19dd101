"""Aggregate passage and pair scores into per-country and per-pair results (docs/LABELS.md).

- A country is involved in a passage when one of its mentions lies inside the passage. Its
  score for a label is the highest passage score of that label among the passages that
  involve it (one clear passage is enough evidence; many weak ones do not add up to a strong
  one); its labels are those whose score reaches the model's threshold.
- A pair is two different countries involved in the same passage; unordered, written with
  the codes in alphabetical order. A passage with one country makes no pair. A pair's score
  for a label is the highest *pair-level* probability (scoring/pairs.py: the label holds
  between those two) over its passages, and its labels are those at or above the pair
  thresholds. For coercion and human_rights it carries, ``agents`` names the member(s) the
  strongest passage holds responsible, and ``explanations`` the cues that tied the label to
  the two countries there.
- Tension follows ``scoring.labels.tension``; evidence lists passage indexes, strongest first.
- A country's ``roles`` come from the pairs it is in: ``coercion_agent`` (the countries it
  coerces), ``coercion_target`` (those coercing it), ``human_rights_responsible`` (the
  countries raising, acting on, or whose people suffer, its abuses), ``human_rights_raiser``
  (those it holds responsible) and ``alliance_partner``.
"""
from __future__ import annotations

from typing import Callable, NamedTuple

import numpy as np

from .labels import AGENT_LABELS, tension
from .pairs import PairRow


class PairScores(NamedTuple):
    """The pair-level scores of one article's pairs (``rows[k].passage`` is the article's
    passage index): probabilities (pairs, labels), who the agents are per agent label, the
    relation probabilities (pairs, labels), and
    ``explain(k, label index)``, the explanation items of one pair (``None``: no explanations)."""

    rows: list[PairRow]
    P: np.ndarray
    agents: np.ndarray  # (pairs, agent labels): 0 member a, 1 member b, 2 both (PairModel.agents)
    relation: np.ndarray
    explain: Callable[[int, int], list[dict]] | None


def _summary(rows: list[int], P: list[list[float]], peak: list[float], labels, thresholds) -> dict:
    best = P[rows[0]] if len(rows) == 1 else [max(column) for column in zip(*[P[r] for r in rows])]
    scores = {label: round(b, 4) for label, b in zip(labels, best)}
    return {
        "scores": scores,
        "labels": [label for label, b, t in zip(labels, best, thresholds) if b >= t],
        "tension": tension(scores),
        "evidence": sorted(rows, key=lambda r: -peak[r]),  # stable: ties keep passage order
    }


_ROLE = {("coercion", True): "coercion_agent", ("coercion", False): "coercion_target",
         ("human_rights", True): "human_rights_responsible", ("human_rights", False): "human_rights_raiser"}


def _pair_summaries(scores: PairScores, labels, thresholds, passage_P: list[list[float]]) -> list[dict]:
    rows = scores.rows
    by_pair: dict[tuple[str, str], list[int]] = {}
    for k, row in enumerate(rows):
        key = (row.a, row.b)
        if key in by_pair:
            by_pair[key].append(k)
        else:
            by_pair[key] = [k]
    P = scores.P.tolist()
    agent_columns = [(ai, label, labels.index(label)) for ai, label in enumerate(AGENT_LABELS)]
    out = []
    for (a, b), ks in by_pair.items():
        if len(ks) == 1:  # most pairs are named in one passage
            k = ks[0]
            best_k = [k] * len(labels)
            best = P[k]
            evidence = [rows[k].passage]
        else:
            best_k = [max(ks, key=lambda k: P[k][j]) for j in range(len(labels))]  # first of ties, as argmax
            best = [P[k][j] for j, k in enumerate(best_k)]
            evidence = []
            for k in sorted(ks, key=lambda k: -max(P[k])):
                p = rows[k].passage
                if p not in evidence:
                    evidence.append(p)
        pair_scores = {label: round(v, 4) for label, v in zip(labels, best)}
        carried = [label for label, v, t in zip(labels, best, thresholds) if v >= t]
        agents = {}
        for ai, label, j in agent_columns:
            if label in carried:
                who = int(scores.agents[best_k[j], ai])
                agents[label] = [a, b] if who == 2 else [a] if who == 0 else [b]
        item = {"pair": [a, b], "scores": pair_scores, "labels": carried, "tension": tension(pair_scores),
                "evidence": evidence, "agents": agents}
        if scores.explain is not None:
            expl = {}
            for label in carried:
                j = labels.index(label)
                k = best_k[j]
                p = rows[k].passage
                expl[label] = {"passage": p, "passage_score": round(passage_P[p][j], 4),
                               "relation": round(float(scores.relation[k, j]), 4), "items": scores.explain(k, j)}
            item["explanations"] = expl
        out.append(item)
    out.sort(key=lambda p: (-abs(p["tension"]), p["pair"]))
    return out


def _roles(pairs: list[dict]) -> dict[str, dict[str, list[str]]]:
    roles: dict[str, dict[str, set]] = {}
    for p in pairs:
        a, b = p["pair"]
        for me, other in ((a, b), (b, a)):
            for label in p["labels"]:
                if label == "alliance":
                    role = "alliance_partner"
                else:
                    agents = p["agents"].get(label, [])
                    if me in agents and other in agents:
                        role = _ROLE[(label, True)]  # both: each is agent and target
                        roles.setdefault(me, {}).setdefault(_ROLE[(label, False)], set()).add(other)
                    else:
                        role = _ROLE[(label, me in agents)]
                roles.setdefault(me, {}).setdefault(role, set()).add(other)
    return {code: {role: sorted(v) for role, v in sorted(r.items())} for code, r in roles.items()}


def countries_and_pairs(passage_countries: list[list[str]], P: np.ndarray, labels, thresholds,
                        pair_scores: PairScores, pair_thresholds):
    """``(countries, pairs)``: ``{code: summary}`` and a list of pair summaries by |tension|.

    ``P`` is the article's passages x labels score matrix; ``pair_scores`` the pair-level
    scores of its pairs. An article has tens of passages and a few countries, so plain Python
    on lists beats numpy calls per summary here.
    """
    by_country: dict[str, list[int]] = {}
    for i, codes in enumerate(passage_countries):
        for code in codes:
            by_country.setdefault(code, []).append(i)
    if not by_country:
        return {}, []
    rows = P.tolist()
    peak = [max(r) for r in rows]
    thresholds = [float(t) for t in thresholds]
    countries = {code: _summary(r, rows, peak, labels, thresholds) for code, r in by_country.items()}
    pairs = _pair_summaries(pair_scores, list(labels), [float(t) for t in pair_thresholds], rows)
    roles = _roles(pairs)
    for code, summary in countries.items():
        summary["roles"] = roles.get(code, {})
    return countries, pairs
