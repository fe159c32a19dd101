"""Split an article into passages (sentences) with character offsets.

A passage is the unit that gets labelled and scored (see docs/LABELS.md): one sentence,
as a span ``(start, end)`` of Python string indices into the text as submitted, trimmed
of surrounding white space. The same function cuts the training corpus and the articles
the service scores, so training and serving see the same units.

Rules, in order:
- line breaks that leave an empty line (paragraphs) always end a passage;
- a sentence ends at ``.``, ``!``, ``?`` or ``…`` (plus closing quotes/brackets) followed
  by white space and then something that can open a sentence (capital letter, digit, quote,
  bracket), unless the word before the full stop is a known abbreviation ("U.S.", "Mr.",
  "Gen.", "Jan.") or a single initial ("John F. Kennedy");
- a passage longer than ``max_chars`` is cut at the last white space before the limit, so
  text with no punctuation at all still yields bounded passages.
Never raises on any ``str``.
"""
from __future__ import annotations

import re

MAX_PASSAGE_CHARS = 1000

# Words that end with a full stop without ending the sentence. Compared case-sensitively
# against the word before the stop, with the stop removed.
_ABBREVIATIONS = frozenset(
    """Mr Mrs Ms Dr Prof Sr Jr St Mt Ft Gen Lt Col Maj Capt Cmdr Adm Sgt Cpl Pvt Gov Sen Rep
    Rev Hon Pres Amb Sec Gov Supt Insp Det Brig Messrs Mme Mlle No Nos Vol Art Sec Fig Ch Pp
    Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec Mon Tue Tues Wed Thu Thur Thurs Fri Sat Sun
    Co Corp Inc Ltd Bros Dept Univ Assn Ave Blvd Rd vs etc approx est al cf e.g i.e
    U.S U.N U.K E.U U.S.A U.A.E D.C N.Y L.A a.m p.m A.M P.M""".split()
)
# "U.S." ends sentences often enough ("... sanctions on the U.S. The ...") that we only keep
# it open when the next word is lower case or another capitalised name; handled below.
_DOTTED = re.compile(r"(?:[A-Za-z]\.){2,}$")


def _boundary(stop: str) -> re.Pattern:
    """The end of a sentence at the punctuation character ``stop``: the first of a run of
    punctuation, the rest of the run, closing quotes or brackets, then white space (group 1:
    where it ends, the next sentence starts) and something that can open a sentence.

    One pattern per character, each opening with it: the regex engine finds a literal fast,
    where it tries a leading character class at every character of the text.
    """
    c = re.escape(stop)
    return re.compile(c + r"(?<![.!?…]" + c + r""")[.!?…]*+[\"'”’)\]]*+(?=(\s+)[\"'“‘(\[]*[A-Z0-9À-ÖØ-Þ])""")


_FULL_STOP = _boundary(".")
_OTHER_STOPS = {c: _boundary(c) for c in "!?…"}
_PARAGRAPH = re.compile(r"\n[ \t\r\f\v]*\n\s*")
_NON_SPACE = re.compile(r"\S")


# How the abbreviations end: the last three characters of those of three or more, lower-cased
# (the comparison below ignores case for some), and those of two. A quick no for most words.
_TAILS = frozenset(a[-3:].lower() for a in _ABBREVIATIONS if len(a) > 2)
_PAIRS = frozenset(a for a in _ABBREVIATIONS if len(a) == 2)


def _is_abbreviation(text: str, stop: int) -> bool:
    """True when the full stop at ``text[stop]`` belongs to an abbreviation or initial."""
    tail = text[stop - 3:stop]
    if stop >= 3 and not (tail[2].isupper() or tail[1:] in _PAIRS or tail.lower() in _TAILS):
        return False  # the word ends as no abbreviation does, nor as an initial
    # the run of non-space characters ending with the stop, at most 60 back (str.rsplit: C speed)
    window = text[max(0, stop - 60):stop + 1].rsplit(None, 1)
    if not window:
        return False
    word = window[-1].lstrip("\"'“‘([")
    bare = word.rstrip(".")
    if len(bare) == 1 and bare.isalpha() and bare.isupper():
        return True  # an initial: "John F. Kennedy"
    if bare in _ABBREVIATIONS or bare.lower() in {"e.g", "i.e", "etc", "approx"}:
        # Dotted country abbreviations end a sentence when the next word opens one on its
        # own; we treat them as sentence ends only before a clear opener word.
        if _DOTTED.search(word):
            return not _next_word_opens_sentence(text, stop + 1)
        return True
    return False


_OPENERS = frozenset(
    """The A An In On At But And It He She They We I This That These Those His Her Their Its
    There Officials Meanwhile However Last Earlier Later After Before When While Since As
    According If Under Both Some Many Most Such Still Yet Also Now Then Today""".split()
)


_NEXT_WORD = re.compile(r"\s+[\"'“‘(]*([A-Za-z]+)")


def _next_word_opens_sentence(text: str, pos: int) -> bool:
    m = _NEXT_WORD.match(text, pos)
    return bool(m) and m.group(1) in _OPENERS


def _sentence_ends(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Each sentence that ends inside ``text[start:end]`` as (its end, the next one's start)."""
    # a full stop ends one unless it stands alone ("." but not ".." or ".?") after an abbreviation
    ends = [m.span(1) for m in _FULL_STOP.finditer(text, start, end)
            if text[m.start() + 1] in ".!?…" or not _is_abbreviation(text, m.start())]
    others = [m.span(1) for c, boundary in _OTHER_STOPS.items() if text.find(c, start, end) >= 0  # rare: look first
              for m in boundary.finditer(text, start, end)]
    return sorted(ends + others) if others else ends


def _trim(text: str, start: int, end: int) -> tuple[int, int]:
    """``(start, end)`` without the white space at either side (regex and rstrip: C speed)."""
    m = _NON_SPACE.search(text, start, end)
    if not m:
        return start, start
    start = m.start()
    return start, start + len(text[start:end].rstrip())


def _cap(text: str, start: int, end: int, max_chars: int):
    """Yield (start, end) pieces of at most max_chars, cut at white space when possible."""
    while end - start > max_chars:
        cut = start + max_chars
        space = max(text.rfind(" ", start + 1, cut), text.rfind("\n", start + 1, cut))
        if space > start + max_chars // 2:
            cut = space
        piece = _trim(text, start, cut)
        if piece[1] > piece[0]:
            yield piece
        start = cut
    piece = _trim(text, start, end)
    if piece[1] > piece[0]:
        yield piece


def segment(text: str, max_chars: int = MAX_PASSAGE_CHARS) -> list[tuple[int, int]]:
    """Return the passages of ``text`` as ``(start, end)`` index pairs, in order."""
    if not isinstance(text, str) or not text:
        return []
    spans: list[tuple[int, int]] = []
    blocks: list[tuple[int, int]] = []
    pos = 0
    for m in _PARAGRAPH.finditer(text):
        blocks.append((pos, m.start()))
        pos = m.end()
    blocks.append((pos, len(text)))
    for b_start, b_end in blocks:
        first = _NON_SPACE.search(text, b_start, b_end)
        if first is None:
            continue
        start = first.start()  # passages start and end at non-space: they need no trimming
        for end, next_start in _sentence_ends(text, start, b_end):
            spans.append((start, end))
            start = next_start
        spans.append((start, start + len(text[start:b_end].rstrip())))
    if any(e - s > max_chars for s, e in spans):
        spans = [piece for s, e in spans for piece in _cap(text, s, e, max_chars)]
    return spans
