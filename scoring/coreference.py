"""The two countries a passage refers to without naming them: "the two sides", "both countries".

Readouts and wire copy name two countries once and then say "the two leaders agreed ...",
"both sides reaffirmed ...", "the two countries' cooperation ...". A labeller reads those
passages as about the two countries (docs/LABELS.md, "Countries and pairs": something that
stands for the country), so the pair table should too. ``two_sides`` finds such a phrase ("the
leaders" too, not "the leaders of Congress" or "in Congress", nor "both sides of the river")
and, when the passage before it and its own passage up to it name exactly two countries, gives
the phrase to each of the two that its own passage does not name already: a ``Mention`` with
kind ``"country"`` and the phrase as its text, so the passage model, the pairs and the
explanations read it like any other mention. When those passages name fewer than two, the two
the article's first passage with a country names stand in, if it names exactly two, ends
before the phrase and includes the nearer one: a readout opens "President Biden spoke with
Prime Minister Sudani of Iraq" and says "The leaders discussed the crisis in Gaza" four
passages on. Otherwise, with one country, or three or more, the phrase is left alone: "both
sides" of a civil war, or of a summit of five, is no pair.

``with_two_sides`` is what ``scoring.scorer`` (on every article) and
``training.corpus.passage_mentions`` call, so the models learn from the mentions the service
finds.
"""
from __future__ import annotations

import operator
import re
from bisect import bisect_left

from scoring.actors import Mention

_WHO = (r"(?:sides|countries|nations|governments|leaders|presidents|prime ministers|foreign ministers|"
        r"defen[cs]e ministers|ministers|neighbou?rs|allies|states|delegations|heads of state)\b")
# "the two sides", "both countries", "both the leaders": each pattern opens with a literal, which
# the regex engine finds fast (a pattern opening with a word boundary is tried at every place)
# and the words after a phrase that make it someone else's: "both sides of the river", "the leaders
# of Congress", "the leaders at the G20" (not "the two sides at the talks agreed")
_PHRASES = ((re.compile(r"two " + _WHO), ("the ", "The "), (" of ",)),
            (re.compile(r"oth(?: the)? " + _WHO), ("b", "B"), (" of ",)),
            (re.compile(r"leaders\b"), ("the ", "The "), (" of ", " at ", " in ")))
_START = operator.attrgetter("start")


def _phrases(text: str) -> list[tuple[int, int, str]]:
    """(start, end, phrase) of every "the two sides" and the like, sorted, not overlapping
    ("both the leaders", not also its "the leaders")."""
    out = []
    for pattern, heads, not_after in _PHRASES:
        back = len(heads[0])
        for m in pattern.finditer(text):
            s = m.start() - back
            if (s >= 0 and text[s:m.start()] in heads and (s == 0 or not text[s - 1].isalnum())
                    and not text.startswith(not_after, m.end())):
                out.append((s, m.end(), text[s:m.end()]))
    kept, end = [], 0
    for hit in sorted(out):
        if hit[0] >= end:
            kept.append(hit)
            end = hit[1]
    return kept


def _lead(countries: list[Mention], spans: list[tuple[int, int]]) -> tuple[set[str], int] | None:
    """The two countries the article's first passage with a country names, when it names two,
    and where that passage ends (a phrase stands for them only after it: "The leaders met. Biden
    spoke with Kishida of Japan." says nothing back): "President Biden spoke with Prime
    Minister Kishida of Japan" opens a readout."""
    if not countries:
        return None
    first = next((span for span in spans if span[0] <= countries[0].start < span[1]), None)
    if first is None:
        return None
    codes = {m.code for m in countries if first[0] <= m.start < first[1]}
    return (codes, first[1]) if len(codes) == 2 else None


def two_sides(text: str, mentions: list[Mention], spans: list[tuple[int, int]]) -> list[Mention]:
    """The mentions ``mentions`` (sorted by start) gain for "the two sides" and the like in
    ``text``, cut into passages ``spans`` (``scoring.segment``); sorted by start."""
    hits = _phrases(text)
    if not hits:
        return []
    countries = [m for m in mentions if m.kind == "country"]
    starts = [m.start for m in countries]
    span_starts = [s for s, _ in spans]
    lead = _lead(countries, spans)
    out: list[Mention] = []
    for start, end, phrase in hits:
        at = bisect_left(span_starts, start + 1) - 1  # the passage holding the phrase
        if at < 0:
            continue
        own_start = spans[at][0]
        window_start = spans[at - 1][0] if at > 0 else own_start
        before = countries[bisect_left(starts, window_start):bisect_left(starts, start)]
        codes = {m.code for m in before}
        if len(codes) < 2 and lead and lead[0] >= codes and start >= lead[1]:
            codes = lead[0]  # a readout's "the two leaders" four passages after it named them
        if len(codes) != 2:
            continue
        own = {m.code for m in countries[bisect_left(starts, own_start):bisect_left(starts, spans[at][1])]}
        for code in sorted(codes - own):
            out.append(Mention(code, "country", start, end, phrase))
    return out


def with_two_sides(text: str, mentions: list[Mention], spans: list[tuple[int, int]]) -> list[Mention]:
    """``mentions`` (sorted by start) and those ``two_sides`` gives, sorted by start."""
    implied = two_sides(text, mentions, spans)
    return sorted(mentions + implied, key=_START) if implied else mentions
