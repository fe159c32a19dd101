"""The shape of a scored article, as typed dicts: what ``Scorer.score`` returns.

The same shape comes from the API (``POST /v1/score``), the command line and the library;
the README ("The result object") says what each field means, docs/LABELS.md what the labels
mean. Offsets are Python string indices (Unicode code points) into the submitted text.
Scores are probabilities rounded to 4 places; ``labels`` are those at or above the model's
thresholds; tension is in [-1, 1] (``scoring.labels.tension``).
"""
from __future__ import annotations

from typing import NotRequired, TypedDict


class Span(TypedDict):
    start: int
    end: int
    text: str
    implied: NotRequired[bool]  # a country's mention only: true for "the two leaders", "the President" ...


class Item(TypedDict):
    """One explanation item: a word, word pair or lexicon category, its contribution to the
    label's logit (``weight``), and where it occurs (``[start, end]`` pairs)."""

    feature: str
    weight: float
    spans: list[tuple[int, int]]


class Passage(TypedDict, total=False):
    index: int
    start: int
    end: int
    text: str
    countries: list[str]  # ISO 3166-1 alpha-3 codes found in the passage
    scores: dict[str, float]  # label -> probability
    labels: list[str]
    explanations: dict[str, list[Item]]  # label -> strongest items (only when explained)


class Country(TypedDict):
    code: str
    name: str
    mentions: list[Span]
    scores: dict[str, float]
    labels: list[str]
    tension: float
    evidence: list[int]  # passage indexes, strongest first
    # from its pairs: coercion_agent, coercion_target, human_rights_responsible,
    # human_rights_raiser, alliance_partner -> the other countries (only roles it has)
    roles: dict[str, list[str]]


class Organisation(TypedDict):
    code: str
    name: str
    mentions: list[Span]


class PairExplanation(TypedDict):
    """Why a pair carries a label: its score is ``passage_score * relation``; ``items`` are the
    cues that tied the label to the two countries in that passage."""

    passage: int
    passage_score: float
    relation: float
    items: list[Item]


class Pair(TypedDict, total=False):
    pair: list[str]  # two codes, alphabetical
    scores: dict[str, float]  # pair-level: the label holds between the two
    labels: list[str]
    tension: float
    evidence: list[int]
    agents: dict[str, list[str]]  # coercion / human_rights -> the member(s) responsible
    explanations: dict[str, PairExplanation]  # per label carried (only when explained)


class Result(TypedDict):
    id: str | None
    model: dict[str, str]  # version, sha256
    passages: list[Passage]
    countries: list[Country]
    organisations: list[Organisation]
    pairs: list[Pair]  # sorted by |tension|, largest first
