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

_BOUNDARY = re.compile(
    r"""[.!?…](?<![.!?…][.!?…])      # the first of a run of punctuation (keeps the scan linear;
                                     # a leading character class lets re skip ahead fast)
        [.!?…]*+                     # the rest of the run, never given back
        [\"'”’)\]]*+                 # closing quotes or brackets
        (?=\s+[\"'“‘(\[]*[A-Z0-9À-ÖØ-Þ])  # white space, then a sentence opener
    """,
    re.VERBOSE,
)
_PARAGRAPH = re.compile(r"\n[ \t\r\f\v]*\n\s*")
_NON_SPACE = re.compile(r"\S")


def _is_abbreviation(text: str, stop: int) -> bool:
    """True when the full stop at ``text[stop]`` belongs to an abbreviation or initial."""
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


def _sentence_ends(text: str, start: int, end: int) -> list[int]:
    ends = []
    for m in _BOUNDARY.finditer(text, start, end):
        stop = m.start()
        if text[stop] == "." and m.group().startswith(".") and len(m.group().rstrip("\"'”’)]")) == 1:
            if _is_abbreviation(text, stop):
                continue
        ends.append(m.end())
    return ends


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
        start = b_start
        for end in _sentence_ends(text, b_start, b_end) + [b_end]:
            s, e = _trim(text, start, end)
            if e - s > max_chars:
                spans.extend(_cap(text, s, e, max_chars))
            elif e > s:
                spans.append((s, e))
            start = end
    return spans
