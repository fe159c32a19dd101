"""Who does what to whom: pair-level labels and agents for every pair of countries in a passage.

A passage's labels say what it signals; a pair carries a label only where that label holds
*between its two countries* (docs/LABELS.md, "Pairs and roles"). This module reads where the
two mentions sit in the passage and turns that into cues, named so that a person can read
them (``between:against``, ``coordinated``, ``second after:by`` ...), each with the spans of
the words it comes from:

- the words (and their CAMEO verb categories) between the nearest mentions of the two, for
  every such pair of mentions up to ``_MAX_COMBOS``; the gap's length, "X and Y"
  coordination ("Japan and Australia", "U.S.-Japan"), a clause break or a quote between them,
  the number of countries;
- for the nearest two mentions: which countries the passage names first and most ("ranks:0-1",
  "one is the most named"), the words before both together ("befores:by|against"), and each
  two tokens in a row between them when the gap is short ("between2:launched_strikes");
- the word before and after each mention ("against Y", "by X", "X said", "X's ships"), the
  kind of noun after it ("Russian jets": armed forces or state; "Palestinian homes": people
  or territory), the verb categories just after and before it, whether it opens the sentence;
- shallow subject-verb-object links over the CAMEO verbs (``_verb_links``): "Ukraine was
  shelled by Russia" links Russia (subject) to Ukraine (object) by ``cameo:19_fight``;
  "Japan and Australia signed" makes both subjects.

:class:`PairModel` is linear, like the passage model, and crosses the cues with the
passage's own evidence by multiplying: a pair's probability for a label is

    P(passage signals the label) x sigmoid(sum_j cue_j * w_j + b)

the second factor (the relation) fitted on the pairs of passages that do signal the label:
how likely the label, when the passage has it, holds between *these* two. Each factor is
exactly explained, the first by the passage's words (``explain``), the second by the cues and
their spans. For coercion and human_rights an agent model gives each member the probability
that it is the one who coerces or is responsible, from the same cues read from that member's
side (its own neighbours, the other's, the words between in its direction,
``forward:attacked`` when it comes first, and whether it is a verb's subject or object).
Models are fitted by ``training/train.py`` and stored in the same bundle as
the passage model.
"""
from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import accumulate, combinations, compress
from typing import NamedTuple

import numpy as np
import scipy.sparse as sp

from .labels import AGENT_LABELS

_SPLIT = re.compile(r"(\w+|[^\w\s])")  # tokens, kept by re.split between the gaps around them
COUNTRY = "COUNTRY"
_COORD = frozenset({"and", ",", "&", "/", "-", "–", "—", "or", "‑"})
_QUOTES = frozenset({'"', "“", "”", "‘", "’", "'"})
_CLAUSE = frozenset({";", "while", "whereas", "but", "although", "though", "meanwhile", "separately"})
_MAX_BETWEEN = 12  # words between the mentions that count as cues (the nearest to either side)
_MAX_COMBOS = 4  # mention pairs of one country pair whose cues count (the nearest)
_MAX_BIGRAM_GAP = 8  # tokens between the nearest mentions up to which their bigrams are cues
_WINDOW = 4  # tokens after (before) a mention whose verb categories are its "then:" ("after verb:") cues


class Cue(NamedTuple):
    name: str
    spans: tuple[tuple[int, int], ...]  # in passage offsets


class PairRow(NamedTuple):
    """One pair of one passage: its codes (alphabetical) and the names of its relation cues;
    ``cues`` gives them with their spans, ``agent_a`` and ``agent_b`` the agent cues of ``a``
    and of ``b`` (``agent_names`` their names only, what the agent model reads), all read from
    the passage when asked for and memoised in ``reading`` (the scorer needs spans only for the
    pairs it explains, agents only for pairs that carry coercion or human_rights)."""

    passage: int
    a: str
    b: str
    names: list[str]
    reading: "_Reading"

    @property
    def cues(self) -> list[Cue]:
        return [Cue(n, w) for n, w in zip(*self.reading.relation(self.a, self.b))]

    @property
    def agent_a(self) -> list[Cue]:
        return self.reading.agent_cues(self.a, self.b)

    @property
    def agent_b(self) -> list[Cue]:
        return self.reading.agent_cues(self.b, self.a)

    @property
    def agent_names(self) -> tuple[list[str], list[str]]:
        """The names of ``agent_a`` and of ``agent_b`` (all the agent model reads)."""
        return self.reading.agent(self.a, self.b)[0], self.reading.agent(self.b, self.a)[0]


# a clause or relative clause starts: the verb's subject or object is not beyond it
_BREAK = frozenset({";", ".", ":", "while", "whereas", "but", "although", "though", "meanwhile", "said", "says",
                    "that", "which", "who", "where", "when"})
_LIST = frozenset({",", "and", "&", "/", "-", "–", "or", "‑", "the"})
_REACH = 8  # tokens a verb's subject or object may be from it
# what a country mention names, by the noun after it: those who wield force, and those it falls on
_NOUN_CLASS = {
    **dict.fromkeys("""forces troops army military soldiers jets warplanes aircraft planes drones navy warships
    warship ships vessels coast guard police authorities commandos militia militias artillery missiles
    rockets bombers fighters fighter tanks marines paratroopers security government regime officials
    courts court""".split(), "armed forces or state"),
    **dict.fromkeys("""civilians people residents homes houses villages towns citizens nationals protesters
    activists journalists reporters prisoners detainees workers families children women refugees migrants
    fishermen sailors crew hostages students dissidents lawyer lawyers minority muslims christians
    airspace waters territory soil border embassy consulate vessel boat fishing""".split(), "people or territory"),
}


def _verb_links(words, cats, spans, units) -> list[tuple[frozenset, frozenset, str, tuple[int, int]]]:
    """Shallow subject-verb-object links, as dictionary event coders read them: for every verb of
    the CAMEO lexicon (``cats``: each token's category, None for other words and mentions), the
    countries of the nearest mention before it (its subject, with the mentions listed with it:
    "Japan and Australia signed") and after it (its object), within ``_REACH`` tokens and no
    clause break; a passive "was shelled by Russia" swaps them.
    Returns (subject codes, object codes, category, verb span)."""
    if not units:
        return []
    # mentions listed together ("India, Japan and Australia") form one group
    group = [0] * len(units)
    for j in range(1, len(units)):
        gap = words[units[j - 1][1]:units[j][0]]
        group[j] = group[j - 1] if gap and len(gap) <= 3 and all(w in _LIST for w in gap) else group[j - 1] + 1
    codes_of = {}
    for j, u in enumerate(units):
        codes_of.setdefault(group[j], set()).add(u[2])
    starts = [u[0] for u in units]
    out = []
    for k in compress(range(len(cats)), cats):  # the verbs
        category = cats[k]
        j = bisect_left(starts, k) - 1  # the nearest mention ending before the verb
        subj = obj = frozenset()
        if j >= 0 and k - units[j][1] <= _REACH and _BREAK.isdisjoint(words[units[j][1]:k]):
            subj = frozenset(codes_of[group[j]])
        m = bisect_right(starts, k)  # the nearest mention after it
        if m < len(units) and units[m][0] - k <= _REACH and _BREAK.isdisjoint(words[k + 1:units[m][0]]):
            after = frozenset(codes_of[group[m]])
            if words[units[m][0] - 1] == "by" and units[m][0] - k <= 3:  # passive: "shelled by Russia"
                subj, obj = after, subj
            else:
                obj = after
        if subj and obj and subj != obj:
            out.append((subj - obj, obj - subj, category, spans[k]))
        elif subj or obj:
            out.append((subj, obj, category, spans[k]))
    return out


@lru_cache(maxsize=1)
def _single_word_lexicon() -> dict[str, str]:
    """One-word CAMEO verb phrases -> their category (``cameo:19_fight``), from scoring/lexicon/."""
    from .features import load_lexicon

    return {p: name for p, name in load_lexicon().phrases.items() if " " not in p}


def _gap_bucket(n: int) -> str:
    return "0" if n == 0 else "1-2" if n <= 2 else "3-5" if n <= 5 else "6-10" if n <= 10 else "11+"


def passage_pairs(text: str, mentions: list[tuple[int, int, str]], row: int = 0) -> list[PairRow]:
    """Every pair of different countries among ``mentions`` ((start, end, code), passage offsets,
    sorted), with its relation cues; each row's agent cues are read when first asked for.
    Empty with fewer than two countries."""
    if len({c for _, _, c in mentions}) < 2:
        return []
    reading = _Reading(text, mentions)
    if len(reading.by_code) < 2:
        return []
    return [PairRow(row, a, b, reading.relation(a, b)[0], reading)
            for a, b in combinations(sorted(reading.by_code), 2)]


class _Reading:
    """One passage read once for all its pairs: its tokens (country mentions read as
    COUNTRY), their CAMEO verb categories, the mentions as token ranges, the verb links, and
    each mention's neighbour cues (memoised, without their side's tag). Each pair's relation is
    memoised too: the scorer explains a pair from the very cues it scored it by."""

    __slots__ = ("words", "spans", "cats", "units", "by_code", "links", "n_countries", "rank", "most_named",
                 "_near", "_combos", "_members", "_gaps", "_sides", "_relations")

    def __init__(self, text: str, mentions: list[tuple[int, int, str]]):
        is_ascii = text.isascii()  # lowering an ASCII text keeps its length and its tokens
        parts = _SPLIT.split(text.lower() if is_ascii else text)  # gap, token, gap, token, ..., gap
        bounds = list(accumulate(map(len, parts)))
        starts, ends = bounds[0:-1:2], bounds[1::2]
        words = parts[1::2] if is_ascii else list(map(str.lower, parts[1::2]))
        units = []
        for s, e, c in mentions:
            i0, i1 = bisect_right(ends, s), bisect_left(starts, e)
            if i0 >= i1:
                continue
            units.append((i0, i1, c, s, e))
            words[i0:i1] = [COUNTRY] * (i1 - i0)  # tokens inside a mention read as COUNTRY
        self.words = words
        self.spans = list(zip(starts, ends))
        self.cats = list(map(_single_word_lexicon().get, words))  # COUNTRY is no verb
        self.units = units
        by_code: dict[str, list] = {}
        for u in units:
            by_code.setdefault(u[2], []).append(u)
        self.by_code = by_code
        n = len({c for _, _, c in mentions})
        self.n_countries = "n:" + (str(n) if n < 4 else "4+")
        self.links = _verb_links(words, self.cats, self.spans, units) if len(by_code) > 1 else []
        self.rank = {c: k for k, c in enumerate(by_code)}  # by first mention (dicts keep insertion order)
        counts = sorted((len(v), c) for c, v in by_code.items())
        self.most_named = counts[-1][1] if len(counts) < 2 or counts[-1][0] > counts[-2][0] else None
        self._near: dict[int, tuple[list[str], list[tuple]]] = {}
        self._combos: dict[tuple[str, str], list] = {}
        self._members: dict[tuple[str, str], tuple[list[str], list[tuple]]] = {}
        self._gaps: dict[tuple[int, int], tuple[list[str], list[tuple]]] = {}
        self._sides: dict[tuple[int, str], tuple[list[str], list[tuple]]] = {}
        self._relations: dict[tuple[str, str], tuple[list[str], list[tuple]]] = {}

    def _neighbours(self, u) -> tuple[list[str], list[tuple]]:
        """Cues of one mention as (names after the side's tag, spans): the word before and after,
        possessive, the noun class and verb categories after it, verbs before it, sentence-initial."""
        got = self._near.get(u[0])
        if got is not None:
            return got
        words, spans, cats = self.words, self.spans, self.cats
        n = len(words)
        i0, i1, _, s, e = u
        names, where = [], []
        if i0 > 0:
            names.append(" before:" + words[i0 - 1])
            where.append((spans[i0 - 1],))
        if i0 <= 1 and (i0 == 0 or words[0] in ("the", '"', "“")):
            names.append(" opens the sentence")
            where.append(((s, e),))
        k = i1
        if k < n and words[k] in ("'", "’") and k + 1 < n and words[k + 1] == "s":
            names.append(" possessive")
            where.append(((spans[k][0], spans[k + 1][1]),))
            k += 2
        if k < n:
            names.append(" after:" + words[k])
            where.append((spans[k],))
        for j in range(k, min(k + 2, n)):  # "Russian jets", "Palestinian homes", "Chinese coast guard"
            kind = _NOUN_CLASS.get(words[j])
            if kind:
                names.append(" then:" + kind)
                where.append((spans[j],))
                break
        # what it does and what is done to it: verb categories just after and just before it
        for j in range(k, min(k + _WINDOW, n)):
            if cats[j]:
                names.append(" then:" + cats[j])
                where.append((spans[j],))
        for j in range(max(0, i0 - _WINDOW), i0):
            if cats[j]:
                names.append(" after verb:" + cats[j])
                where.append((spans[j],))
        got = self._near[u[0]] = names, where
        return got

    def _side(self, u, tag: str) -> tuple[list[str], list[tuple]]:
        """One mention's neighbour cues under its side's tag, as (names, spans) (memoised)."""
        key = (u[0], tag)
        got = self._sides.get(key)
        if got is None:
            names, where = self._neighbours(u)
            got = self._sides[key] = [tag + suffix for suffix in names], where
        return got

    def combos(self, a: str, b: str) -> list:
        """Every mention of a with every mention of b, the nearest ``_MAX_COMBOS`` first: "Ukraine
        was shelled by Russia, and Kyiv's allies ..." reads "was shelled by" even though
        "Russia, and Kyiv" is nearer."""
        key = (a, b)
        got = self._combos.get(key)
        if got is None:
            mentions_a, mentions_b = self.by_code[a], self.by_code[b]
            if len(mentions_a) == len(mentions_b) == 1:  # most pairs: one mention each
                got = self._combos[key] = [(mentions_a[0], mentions_b[0])]
                return got
            got = self._combos[key] = [
                (ua, ub) for _, ua, ub in sorted(((ub[0] - ua[1] if ua[0] < ub[0] else ua[0] - ub[1]), ua, ub)
                                                 for ua in mentions_a for ub in mentions_b)[:_MAX_COMBOS]]
        return got

    def _between(self, first, second) -> tuple[list[str], list[tuple]]:
        """The cues (names, spans) of the words between one mention and the next one of the
        other country (memoised)."""
        key = (first[0], second[0])
        got = self._gaps.get(key)
        if got is not None:
            return got
        words, spans = self.words, self.spans
        lo, hi = first[1], second[0]
        gap = words[lo:hi]
        gap_span = ((first[4], second[3]),)
        names = ["gap:" + _gap_bucket(hi - lo)]
        where = [gap_span]
        if gap and len(gap) <= 6 and all(w in _COORD or w == COUNTRY for w in gap):
            names.append("coordinated")
            where.append(gap_span)
        if COUNTRY in gap:
            names.append("another country between")
            where.append(gap_span)
        if not _QUOTES.isdisjoint(gap):
            names.append("quote between")
            where.append(gap_span)
        if not _CLAUSE.isdisjoint(gap):
            names.append("clause break between")
            where.append(gap_span)
        near = range(lo, hi) if hi - lo <= _MAX_BETWEEN else \
            [*range(lo, lo + _MAX_BETWEEN // 2), *range(hi - _MAX_BETWEEN // 2, hi)]
        seen = set()
        cats = self.cats
        for i in near:
            w = words[i]
            if w == COUNTRY or not w[0].isalnum() or w in seen:
                continue
            seen.add(w)
            span = (spans[i],)
            names.append("between:" + w)
            where.append(span)
            if cats[i]:  # the CAMEO category carries the cue to verbs training never saw
                names.append("between:" + cats[i])
                where.append(span)
        self._gaps[key] = names, where
        return names, where

    def relation(self, a: str, b: str) -> tuple[list[str], list[tuple]]:
        """The cues of whether a label holds between a and b, as (names, spans) (memoised)."""
        key = (a, b)
        got = self._relations.get(key)
        if got is not None:
            return got
        names = [self.n_countries]
        where: list[tuple] = [()]
        combos = self.combos(a, b)
        self._nearest(*combos[0], a, b, names, where)
        for ua, ub in combos:
            first, second = (ua, ub) if ua[0] < ub[0] else (ub, ua)
            n, w = self._between(first, second)
            names += n
            where += w
            for u, tag in ((first, "first"), (second, "second")):
                n, w = self._side(u, tag)
                names += n
                where += w
        # who does what to whom: the verbs whose subject and object hold the two countries
        for subj, obj, category, span in self.links:
            if (a in subj and b in obj) or (b in subj and a in obj):
                kind = "linked by:"
            elif a in subj and b in subj:
                kind = "both subjects of:"
            elif a in obj and b in obj:
                kind = "both objects of:"
            elif (a in subj or b in subj) and obj:  # one of them acts on a third country
                kind = "one acts on a third:"
            elif (a in obj or b in obj) and subj:
                kind = "a third acts on one:"
            else:
                continue
            names.append(kind + category)
            where.append((span,))
        got = self._relations[key] = names, where
        return got

    def _nearest(self, ua, ub, a: str, b: str, names: list[str], where: list[tuple]) -> None:
        """Cues of the pair's nearest two mentions, appended to ``names`` and ``where``: which
        countries the passage names first ("ranks:0-1": the first and second it names) and
        whether one of the two is the one it names most; the words before both mentions
        together ("befores:by|against"); and, when at most ``_MAX_BIGRAM_GAP`` tokens lie
        between them, each two tokens in a row there ("between2:launched_strikes")."""
        words, spans = self.words, self.spans
        ra, rb = sorted((min(self.rank[a], 2), min(self.rank[b], 2)))
        both = ((ua[3], ua[4]), (ub[3], ub[4]))
        names.append(f"ranks:{ra}-{rb}")
        where.append(both)
        if self.most_named in (a, b):
            u = ua if self.most_named == a else ub
            names.append("one is the most named")
            where.append(((u[3], u[4]),))
        first, second = (ua, ub) if ua[0] < ub[0] else (ub, ua)
        before = []
        for u in (first, second):
            if u[0] > 0:
                before.append((words[u[0] - 1], spans[u[0] - 1]))
            else:
                before.append(("^", (u[3], u[4])))
        names.append(f"befores:{before[0][0]}|{before[1][0]}")
        where.append((before[0][1], before[1][1]))
        gap = [i for i in range(first[1], second[0]) if words[i] != COUNTRY]
        if len(gap) <= _MAX_BIGRAM_GAP:
            for i, j in zip(gap, gap[1:]):
                names.append(f"between2:{words[i]}_{words[j]}")
                where.append((spans[i], spans[j]))

    def _member(self, code: str, tag: str) -> tuple[list[str], list[tuple]]:
        """Every mention of a member ("own" or "other" side), not only the nearest, as (names,
        spans) (memoised)."""
        key = (code, tag)
        got = self._members.get(key)
        if got is None:
            names, where = [], []
            for u in self.by_code[code]:
                near, spans = self._neighbours(u)
                names += [tag + name for name in near]
                where += spans
            if tag == "own" and self.units[0][2] == code:
                u = self.units[0]
                names.append("is the passage's first country")
                where.append(((u[3], u[4]),))
            got = self._members[key] = names, where
        return got

    def agent(self, me: str, other: str) -> tuple[list[str], list[tuple]]:
        """The cues of whether ``me`` is the agent in its pair with ``other``, as (names, spans):
        its own side of the words between them (``forward:attacked`` when it comes first), its
        role in the verb links, and the neighbours of every mention of it and of the other."""
        names, where = [], []
        a, b = (me, other) if me < other else (other, me)
        for ua, ub in self.combos(a, b):
            mine = ua if me == a else ub
            first, second = (ua, ub) if ua[0] < ub[0] else (ub, ua)
            d = "forward:" if mine is first else "backward:"
            names.append("is first" if mine is first else "is second")
            where.append(((mine[3], mine[4]),))
            for name, w in zip(*self._between(first, second)):
                if name.startswith("between:"):
                    names.append(d + name[8:])
                    where.append(w)
        for subj, obj, category, span in self.links:
            if (me in subj and other in obj) or (other in subj and me in obj):
                name = ("subject of:" if me in subj else "object of:") + category
            elif me in subj and other in subj:
                name = "co-subject of:" + category
            elif me in obj and other in obj:
                continue
            elif (me in subj or other in subj) and obj:
                if me not in subj:
                    continue
                name = "acts on a third:" + category
            elif (me in obj or other in obj) and subj:
                if me not in obj:
                    continue
                name = "a third acts on it:" + category
            else:
                continue
            names.append(name)
            where.append((span,))
        n, w = self._member(me, "own")
        names += n
        where += w
        n, w = self._member(other, "other")
        return names + n, where + w

    def agent_cues(self, me: str, other: str) -> list[Cue]:
        """:meth:`agent` as cues."""
        return [Cue(name, where) for name, where in zip(*self.agent(me, other))]


@dataclass
class CueVocabulary:
    """Cue name -> column, learned from training pairs (cues seen at least ``min_count`` times)."""

    min_count: int = 2
    columns_: dict[str, int] = field(default_factory=dict)
    names_: list[str] = field(default_factory=list)

    def fit(self, cue_lists: list[list[Cue]] | list[list[str]]) -> "CueVocabulary":
        """Learn the columns from rows of cues (or of cue names)."""
        counts: dict[str, int] = {}
        for cues in cue_lists:
            for name in set(_names(cues)):  # a cue named twice in a row counts once
                counts[name] = counts.get(name, 0) + 1
        self.names_ = sorted(n for n, k in counts.items() if k >= self.min_count)
        self.columns_ = {n: i for i, n in enumerate(self.names_)}
        return self

    def transform(self, cue_lists: list[list[Cue]] | list[list[str]]) -> sp.csr_matrix:
        """Binary CSR matrix (rows x cues) of rows of cues or of cue names; a cue named twice
        in a row counts once."""
        get = self.columns_.get
        indptr = [0]
        indices: list[int] = []
        for cues in cue_lists:
            cols = set(map(get, _names(cues)))
            cols.discard(None)  # not in the vocabulary
            indices += sorted(cols)
            indptr.append(len(indices))
        data = np.ones(len(indices))
        return sp.csr_matrix((data, np.asarray(indices, dtype=np.int32), np.asarray(indptr, dtype=np.int64)),
                             shape=(len(cue_lists), len(self.names_)))


def _names(cues: list) -> list[str]:
    """The names of a row of cues, or the row itself when it is names already."""
    return cues if not cues or isinstance(cues[0], str) else [c.name for c in cues]


@dataclass
class PairModel:
    """Linear relation and agent models (see the module docstring); fitted by training/train.py.

    A pair's probability for a label is the passage's probability for it times the relation
    probability ``sigmoid(cues @ coef[label] + intercept[label])``: how likely the label, if
    the passage signals it, holds between these two. ``agent_coef[label]`` /
    ``agent_intercept[label]`` over ``agent_vocab`` give each member's agent probability.
    """

    labels: tuple[str, ...]
    vocab: CueVocabulary
    coef: np.ndarray  # (labels, cues)
    intercept: np.ndarray  # (labels,)
    thresholds: np.ndarray  # (labels,) on the pair probability
    agent_vocab: CueVocabulary
    agent_coef: dict[str, np.ndarray]
    agent_intercept: dict[str, float]
    both_threshold: float = 0.5  # both members are agents when both reach it (chosen on dev)

    def agents(self, rows: list[PairRow], only: np.ndarray | None = None) -> np.ndarray:
        """(pairs, agent labels): 0 when member a is the agent, 1 member b, 2 both; with
        ``only`` (row indices), read just those rows and give the others -1."""
        out = np.full((len(rows), len(AGENT_LABELS)), -1, dtype=np.int64)
        which = np.arange(len(rows)) if only is None else np.asarray(only, dtype=np.int64)
        if not len(which):
            return out
        A = self.agent_vocab.transform([names for k in which for names in rows[k].agent_names])
        for j, label in enumerate(AGENT_LABELS):
            out[which, j] = agent_choice(self.agent_proba(label, A).reshape(-1, 2), self.both_threshold)
        return out

    def relation_logits(self, X: sp.csr_matrix) -> np.ndarray:
        """(pairs, labels): the relation part of each pair's score."""
        return np.asarray(X @ self.coef.T) + self.intercept

    def proba(self, X: sp.csr_matrix, passage_proba: np.ndarray) -> np.ndarray:
        """(pairs, labels) pair probabilities; ``passage_proba`` is each pair's passage's (pairs, labels)."""
        return passage_proba / (1.0 + np.exp(-self.relation_logits(X)))

    def agent_proba(self, label: str, A: sp.csr_matrix) -> np.ndarray:
        z = np.asarray(A @ self.agent_coef[label]).ravel() + self.agent_intercept[label]
        return 1.0 / (1.0 + np.exp(-z))


def agent_choice(prob: np.ndarray, both_threshold: float) -> np.ndarray:
    """Who the agents are, from each pair's two member agent probabilities (pairs, 2): 2 (both)
    when both reach ``both_threshold``, else 0 (member a) or 1 (member b), the likelier one."""
    both = (prob >= both_threshold).all(axis=1)
    return np.where(both, 2, np.where(prob[:, 0] >= prob[:, 1], 0, 1))


def explain_pair(model: PairModel, row: PairRow, label: int, offset: int, k: int = 5) -> list[dict]:
    """The ``k`` cues that raised one pair's relation score for a label the most, as
    explanation items ``{"feature", "weight", "spans"}`` (spans absolute: ``offset`` is the
    passage's start in the article)."""
    # each distinct cue's weight once (a cue named for several mentions counts once, with all its
    # spans), straight from the memoised relation; spans only for the top k
    names, wheres = row.reading.relation(row.a, row.b)
    get, weights = model.vocab.columns_.get, model.coef[label]
    weight: dict[str, float] = {}
    for name in names:
        if name not in weight:
            j = get(name)
            weight[name] = 0.0 if j is None else float(weights[j])
    top = sorted((it for it in weight.items() if it[1] > 0), key=lambda it: -it[1])[:k]  # stable: ties keep cue order
    spans: dict[str, set] = {name: set() for name, _ in top}
    for name, where in zip(names, wheres):
        if name in spans:
            spans[name].update(where)
    return [{"feature": name, "weight": round(w, 4), "spans": [(s + offset, e + offset) for s, e in sorted(spans[name])]}
            for name, w in top]
