"""The two countries a passage refers to without naming them: "the two sides", "both countries".

Readouts and wire copy name two countries once and then say "the two leaders agreed ...",
"both sides reaffirmed ...", "the two countries' cooperation ...". A labeller reads those
passages as about the two countries (docs/LABELS.md, "Countries and pairs": something that
stands for the country), so the pair table should too. ``two_sides`` finds such a phrase and,
when the passage before it and its own passage up to it name exactly two countries, gives
the phrase to each of the two that its own passage does not name already: a ``Mention``
with kind ``"country"`` and the phrase as its text, so the passage model, the pairs and the
explanations read it like any other mention. With one country before it, or three or more,
the phrase is left alone: "both sides" of a civil war, or of a summit of five, is no pair.

Used by ``scoring.scorer`` on every article and by ``training.corpus.passage_mentions``, so
the models learn from the same mentions the service finds.
"""
from __future__ import annotations

import re
from bisect import bisect_left

from scoring.actors import Mention

_TWO = re.compile(
    r"\b(?:[Tt]he two|[Bb]oth(?: the)?) (?:sides|countries|nations|governments|leaders|presidents|"
    r"prime ministers|foreign ministers|defen[cs]e ministers|ministers|neighbou?rs|allies|states|"
    r"delegations|heads of state)\b")


def two_sides(text: str, mentions: list[Mention], spans: list[tuple[int, int]]) -> list[Mention]:
    """The mentions ``mentions`` (sorted by start) gain for "the two sides" and the like in
    ``text``, cut into passages ``spans`` (``scoring.segment``); sorted by start."""
    if "two " not in text and "oth " not in text:
        return []
    countries = [m for m in mentions if m.kind == "country"]
    starts = [m.start for m in countries]
    span_starts = [s for s, _ in spans]
    out: list[Mention] = []
    for hit in _TWO.finditer(text):
        at = bisect_left(span_starts, hit.start() + 1) - 1  # the passage holding the phrase
        if at < 0:
            continue
        own_start = spans[at][0]
        window_start = spans[at - 1][0] if at > 0 else own_start
        before = countries[bisect_left(starts, window_start):bisect_left(starts, hit.start())]
        codes = {m.code for m in before}
        if len(codes) != 2:
            continue
        own = {m.code for m in countries[bisect_left(starts, own_start):bisect_left(starts, spans[at][1])]}
        for code in sorted(codes - own):
            out.append(Mention(code, "country", hit.start(), hit.end(), hit.group()))
    return out
