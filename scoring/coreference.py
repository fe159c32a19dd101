"""Countries a passage refers to without naming them: "the two sides", "the President".

Readouts and wire copy name two countries once and then say "the two leaders agreed ...",
"both sides reaffirmed ...", "the two countries' cooperation ...". A labeller reads those
passages as about the two countries (docs/LABELS.md, "Countries and pairs": something that
stands for the country), so the pair table should too. ``two_sides`` finds such a phrase ("the
leaders" too, not "the leaders of Congress" or "in Congress", nor "both sides of the river";
and a readout's "They discussed ...", "They reaffirmed ...", not "They said")
and, when the passage before it and its own passage up to it name exactly two countries, gives
the phrase to each of the two that its own passage does not name already: a ``Mention`` with
kind ``"country"`` and the phrase as its text, so the passage model, the pairs and the
explanations read it like any other mention. When those passages name fewer than two, the two
the article's first passage with a country names stand in, if it names exactly two, ends
before the phrase and includes the nearer one: a readout opens "President Biden spoke with
Prime Minister Sudani of Iraq" and says "The leaders discussed the crisis in Gaza" four
passages on. Otherwise, with one country, or three or more, the phrase is left alone: "both
sides" of a civil war, or of a summit of five, is no pair.

``titles`` does the same for an office named by its title alone: "The President and the Prime
Minister welcomed ..." after "President Biden spoke with Prime Minister Sudani of Iraq", or
"the foreign minister said" after "Foreign Minister Wang Yi". A title stands for the country of
the nearest office holder before it who was named with that title ("President Biden",
"Prime Minister Sudani of Iraq", "Iraq's prime minister, Mohammed Shia al-Sudani"; not "former
President Bush", nor a deputy: "Deputy Foreign Minister Ryabkov", "Vice-President Harris"), and
is left alone when none was, or when words after it make it another office ("the
Secretary-General", "the president of the club", "the President Biden"), a name after it says
whose it is ("The President, Emmanuel Macron, replied"), or the nearest holder was named in one
passage with a holder of the same title from another country ("President Biden met President
Xi of China": which one, the words do not say).

``with_coreference`` is what ``scoring.scorer`` (on every article) and
``training.corpus.passage_mentions`` call, so the models learn from the mentions the service
finds.
"""
from __future__ import annotations

import operator
import re
from bisect import bisect_left, bisect_right

from scoring.actors import Mention

_WHO = (r"(?:sides|countries|nations|governments|leaders|presidents|prime ministers|foreign ministers|"
        r"defen[cs]e ministers|ministers|neighbou?rs|allies|states|delegations|heads of state)\b")
# "the two sides", "both countries", "both the leaders": each pattern opens with a literal, which
# the regex engine finds fast (a pattern opening with a word boundary is tried at every place)
# and the words after a phrase that make it someone else's: "both sides of the river", "the leaders
# of Congress", "the leaders at the G20" (not "the two sides at the talks agreed")
# A readout's "They discussed ..." too, with the verbs readouts use of the two leaders, not those
# news writes of anyone ("They said", "They urged a ceasefire", "They called for a boycott")
_READOUT_VERBS = (r"(?:also |further |then |both )?(?:discussed|agreed|reaffirmed|committed|welcomed|underscored|"
                  r"emphasi[sz]ed|expressed|noted|pledged|highlighted|exchanged|reviewed|stressed|affirmed|"
                  r"underlined|shared|recogni[sz]ed|spoke)\b")
_PHRASES = ((re.compile(r"two " + _WHO), ("the ", "The "), (" of ",)),
            (re.compile(r"oth(?: the)? " + _WHO), ("b", "B"), (" of ",)),
            (re.compile(r"leaders\b"), ("the ", "The "), (" of ", " at ", " in ")),
            (re.compile(r"hey(?= " + _READOUT_VERBS + ")"), ("T",), ()))
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


# an office by its title; the holder's title as the text writes it before a name, and the
# anaphor's (a capital or, for the offices news writes in lower case, none); its words may be
# broken across lines ("Prime\nMinister"), so _key reads them with single spaces
_TITLE = (r"(?:Vice President|Deputy President|Deputy Prime Minister|President|Prime Minister|Secretary of State"
          r"|Secretary|Foreign Minister|Foreign Secretary|Defen[cs]e Minister|Defen[cs]e Secretary|Chancellor|King"
          r"|Queen|Crown Prince|Emir|Premier)")
_TITLE_LOWER = r"(?:vice president|president|prime minister|foreign minister|defen[cs]e minister|chancellor|premier)"
_TITLE, _TITLE_LOWER = _TITLE.replace(" ", r"\s+"), _TITLE_LOWER.replace(" ", r"\s+")
# a holder: the title right before the name ("Prime Minister Kishida", "President Joe R. Biden"),
# or before a name "of" the country ("Prime Minister Sudani of Iraq", "President Joseph R. Biden,
# Jr., of the United States"), not a former one; and a country's title after it ("Iraq's prime
# minister, Mohammed al-Sudani"). Without "of", a comma or a possessive ends the name: the country
# after it is someone else's ("Under President Obama, Cuba ...", "President Bush's Iraq war")
_HOLDER_TITLE = re.compile(_TITLE + r"\s+")
# the words and dashes before a title that make it someone else's office: "former President Bush",
# "Deputy Foreign Minister Ryabkov", "Vice‐President Harris" (any hyphen, or an en dash)
_DASHES = "-‐‑–"
_NOT_HOLDER = re.compile(r"\b(?:former|vice|deputy|assistant)\s+$", re.IGNORECASE)
_TO_NAME = re.compile(r"(?:[A-Z][\w'’.-]*,?\s+){0,4}of\s+(?:the\s+)?|(?:[A-Z](?:[\w.-]|['’](?!s\b))*\s+){0,4}")
# words a name is not made of, which a title-case headline writes with capitals: "President Vows
# To Defend Taiwan" names no Taiwanese president
_NOT_NAME_WORDS = frozenset("""to in on at for and the with as by from will would must may can not no says said
vows vowed warns warned urges urged calls called meets met visits visited tells told backs backed slams signs
signed plans seeks rejects rejected accuses accused threatens threatened orders ordered""".split())
_HOLDER_AFTER = re.compile(r"['’]s?\s+(?:new\s+)?(" + _TITLE + "|" + _TITLE_LOWER + r")\b")
# "the President", "The prime minister" (a pattern opening with a literal is fast: "he" here),
# not "the Secretary-General", "the president of the club", "the President Biden era"
_ANAPHOR = re.compile(r"he\s+(" + _TITLE + "|" + _TITLE_LOWER + r")\b(?![" + _DASHES + r"]|\s+(?:of\b|[A-Z]))")
_CANONICAL = {"secretary of state": "secretary", "defense minister": "defence minister",
              "defense secretary": "defence secretary"}


def _key(title: str) -> str:
    low = " ".join(title.lower().split())
    return _CANONICAL.get(low, low)


def _anaphors(text: str) -> list[tuple[int, int, str]]:
    """(start, end, title key) of every "the President", "The prime minister" and the like."""
    return [(a.start() - 1, a.end(), _key(a.group(1))) for a in _ANAPHOR.finditer(text)
            if a.start() and text[a.start() - 1] in "Tt" and (a.start() == 1 or not text[a.start() - 2].isalnum())]


def _holders(text: str, countries: list[Mention], starts: list[int], spans: list[tuple[int, int]],
             span_starts: list[int]) -> list[tuple[int, str, str]]:
    """(start, title key, code), sorted, of every country mention (``countries``, starting at
    ``starts``) named with an office's title in its passage (of ``spans``, starting at
    ``span_starts``)."""
    out = []
    for t in _HOLDER_TITLE.finditer(text):
        s = t.start()
        if s and (text[s - 1].isalnum() or text[s - 1] in _DASHES) or _NOT_HOLDER.search(text, max(0, s - 16), s):
            continue  # "Vice-President", "former President Bush", "Deputy Foreign Minister Ryabkov"
        i = bisect_left(starts, s)
        at = bisect_right(span_starts, s) - 1
        # the name is in the title's passage: "with the Foreign Minister Tuesday. Pakistan said" names no holder
        if (i < len(countries) and at >= 0 and countries[i].start < spans[at][1]
                and (countries[i].start == s  # the mention opens with it: "President Biden"
                     or (_TO_NAME.fullmatch(text, t.end(), countries[i].start)
                         and _NOT_NAME_WORDS.isdisjoint(text[t.end():countries[i].start].lower().split())))):
            out.append((countries[i].start, _key(t.group().rstrip()), countries[i].code))
    for m in countries:
        a = _HOLDER_AFTER.match(text, m.end)
        if a:
            out.append((m.start, _key(a.group(1)), m.code))
    return sorted(out)


def titles(text: str, mentions: list[Mention], spans: list[tuple[int, int]]) -> list[Mention]:
    """The mentions ``mentions`` (sorted by start) gain for "the President" and the like in
    ``text``, cut into passages ``spans``; sorted by start."""
    anaphors = _anaphors(text)
    if not anaphors:
        return []
    countries = [m for m in mentions if m.kind == "country"]
    starts = [m.start for m in countries]
    span_starts = [s for s, _ in spans]
    holders = _holders(text, countries, starts, spans, span_starts)
    if not holders:
        return []
    by_key: dict[str, tuple[list[int], list[str]]] = {}  # a bisect finds the nearest: no scan per anaphor
    for s, k, c in holders:
        by_key.setdefault(k, ([], []))[0].append(s)
        by_key[k][1].append(c)
    out: list[Mention] = []
    for start, end, key in anaphors:
        held = by_key.get(key)
        i = bisect_left(held[0], start) if held else 0  # the nearest holder of that title before it
        at = bisect_left(span_starts, start + 1) - 1
        if not i or at < 0:
            continue
        code = held[1][i - 1]
        # two holders of the title named in one passage ("President Biden met President Xi of
        # China"): which one "the President" is, the words do not say
        where = span_starts[bisect_left(span_starts, held[0][i - 1] + 1) - 1]
        j = bisect_left(held[0], where)
        if any(c != code for c in held[1][j:i]):
            continue
        name = bisect_left(starts, end + 2)  # "The President, Emmanuel Macron, replied": the name's country
        if text.startswith(", ", end) and name < len(starts) and starts[name] == end + 2:
            continue
        own = countries[bisect_left(starts, spans[at][0]):bisect_left(starts, spans[at][1])]
        if all(m.code != code for m in own):
            out.append(Mention(code, "country", start, end, text[start:end]))
    return out


def with_coreference(text: str, mentions: list[Mention], spans: list[tuple[int, int]]) -> list[Mention]:
    """``mentions`` (sorted by start) and those ``two_sides`` and ``titles`` give, sorted by start."""
    implied = two_sides(text, mentions, spans) + titles(text, mentions, spans)
    return sorted(mentions + implied, key=_START) if implied else mentions
