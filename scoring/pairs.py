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
from itertools import combinations
from typing import NamedTuple

import numpy as np
import scipy.sparse as sp

from .labels import AGENT_LABELS

_TOKEN = re.compile(r"\w+|[^\w\s]")
_COORD = frozenset({"and", ",", "&", "/", "-", "–", "—", "or", "‑"})
_QUOTES = frozenset({'"', "“", "”", "‘", "’", "'"})
_CLAUSE = frozenset({";", "while", "whereas", "but", "although", "though", "meanwhile", "separately"})
_MAX_BETWEEN = 12  # words between the mentions that count as cues (the nearest to either side)
_MAX_COMBOS = 4  # mention pairs of one country pair whose cues count (the nearest)
_WINDOW = 4  # tokens after (before) a mention whose verb categories are its "then:" ("after verb:") cues


class Cue(NamedTuple):
    name: str
    spans: tuple[tuple[int, int], ...]  # in passage offsets


class PairRow(NamedTuple):
    """One pair of one passage: its codes (alphabetical), its relation cues, and the agent cues
    of each member (``agent_a`` for ``a``, ``agent_b`` for ``b``)."""

    passage: int
    a: str
    b: str
    cues: list[Cue]
    agent_a: list[Cue]
    agent_b: list[Cue]


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


def _verb_links(toks, units, country_tok, lexicon) -> list[tuple[frozenset, frozenset, str, tuple[int, int]]]:
    """Shallow subject-verb-object links, as dictionary event coders read them: for every verb of
    the CAMEO lexicon, the countries of the nearest mention before it (its subject, with the
    mentions listed with it: "Japan and Australia signed") and after it (its object), within
    ``_REACH`` tokens and no clause break; a passive "was shelled by Russia" swaps them.
    Returns (subject codes, object codes, category, verb span)."""
    if not units:
        return []
    # mentions listed together ("India, Japan and Australia") form one group
    group = [0] * len(units)
    for j in range(1, len(units)):
        gap = [toks[i][0] for i in range(units[j - 1][1], units[j][0])]
        group[j] = group[j - 1] if gap and all(w in _LIST for w in gap) and len(gap) <= 3 else group[j - 1] + 1
    codes_of = {}
    for j, u in enumerate(units):
        codes_of.setdefault(group[j], set()).add(u[2])
    starts = [u[0] for u in units]
    out = []
    for k, (w, s, e) in enumerate(toks):
        category = lexicon.get(w) if k not in country_tok else None
        if not category:
            continue
        j = bisect_left(starts, k) - 1  # the nearest mention ending before the verb
        subj = obj = frozenset()
        if j >= 0 and k - units[j][1] <= _REACH and not any(toks[i][0] in _BREAK for i in range(units[j][1], k)):
            subj = frozenset(codes_of[group[j]])
        m = bisect_right(starts, k)  # the nearest mention after it
        if m < len(units) and units[m][0] - k <= _REACH and \
                not any(toks[i][0] in _BREAK for i in range(k + 1, units[m][0])):
            after = frozenset(codes_of[group[m]])
            if toks[units[m][0] - 1][0] == "by" and units[m][0] - k <= 3:  # passive: "shelled by Russia"
                subj, obj = after, subj
            else:
                obj = after
        if subj and obj and subj != obj:
            out.append((subj - obj, obj - subj, category, (s, e)))
        elif subj or obj:
            out.append((subj, obj, category, (s, e)))
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
    sorted), with its cues. Empty with fewer than two countries."""
    codes = sorted({c for _, _, c in mentions})
    if len(codes) < 2:
        return []
    toks = [(m.group().lower(), m.start(), m.end()) for m in _TOKEN.finditer(text)]
    starts = [t[1] for t in toks]
    ends = [t[2] for t in toks]
    # each mention as a token range [i0, i1); tokens inside a mention read as COUNTRY
    units = []
    country_tok: set[int] = set()
    for s, e, c in mentions:
        i0, i1 = bisect_right(ends, s), bisect_left(starts, e)
        if i0 >= i1:
            continue
        units.append((i0, i1, c, s, e))
        country_tok.update(range(i0, i1))
    if len({u[2] for u in units}) < 2:
        return []
    n_countries = "n:" + (str(len(codes)) if len(codes) < 4 else "4+")
    lexicon = _single_word_lexicon()
    by_code: dict[str, list] = {}
    for u in units:
        by_code.setdefault(u[2], []).append(u)

    def word(i):
        if i < 0 or i >= len(toks):
            return None
        return "COUNTRY" if i in country_tok else toks[i][0]

    links = _verb_links(toks, units, country_tok, lexicon)

    memo: dict = {}

    def neighbours(u, tag):
        """Cues of one mention (memoised): the word before and after, possessive, sentence-initial."""
        key = (u[0], tag)
        got = memo.get(key)
        if got is None:
            got = memo[key] = _neighbours(u, tag)
        return got

    def _neighbours(u, tag):
        i0, i1, _, s, e = u
        out = []
        j = i0 - 1
        w = word(j)
        if w is not None:
            out.append(Cue(f"{tag} before:{w}", ((toks[j][1], toks[j][2]),)))
        if i0 <= 1 and (i0 == 0 or toks[0][0] in ("the", '"', "“")):
            out.append(Cue(f"{tag} opens the sentence", ((s, e),)))
        k = i1
        w = word(k)
        if w == "'" or w == "’":
            if word(k + 1) == "s":
                out.append(Cue(f"{tag} possessive", ((toks[k][1], toks[k + 1][2]),)))
                k += 2
                w = word(k)
        if w is not None:
            out.append(Cue(f"{tag} after:{w}", ((toks[k][1], toks[k][2]),)))
        for j in range(k, min(k + 2, len(toks))):  # "Russian jets", "Palestinian homes", "Chinese coast guard"
            kind = _NOUN_CLASS.get(toks[j][0]) if j not in country_tok else None
            if kind:
                out.append(Cue(f"{tag} then:{kind}", ((toks[j][1], toks[j][2]),)))
                break
        # what it does and what is done to it: verb categories just after and just before it
        for k in range(k, min(k + _WINDOW, len(toks))):
            category = lexicon.get(toks[k][0]) if k not in country_tok else None
            if category:
                out.append(Cue(f"{tag} then:{category}", ((toks[k][1], toks[k][2]),)))
        for k in range(max(0, i0 - _WINDOW), i0):
            category = lexicon.get(toks[k][0]) if k not in country_tok else None
            if category:
                out.append(Cue(f"{tag} after verb:{category}", ((toks[k][1], toks[k][2]),)))
        return out

    def pair_cues(ua, ub):
        """Cues of one mention of a and one of b: (relation cues, a's directional cues, b's)."""
        first, second = (ua, ub) if ua[0] < ub[0] else (ub, ua)
        between = range(first[1], second[0])
        gap_span = ((first[4], second[3]),)
        cues = [Cue("gap:" + _gap_bucket(len(between)), gap_span)]
        words = [word(i) for i in between]
        if words and all(w in _COORD or w == "COUNTRY" for w in words) and len(words) <= 6:
            cues.append(Cue("coordinated", gap_span))
        if any(w == "COUNTRY" for w in words):
            cues.append(Cue("another country between", gap_span))
        if any(w in _QUOTES for w in words):
            cues.append(Cue("quote between", gap_span))
        if any(w in _CLAUSE for w in words):
            cues.append(Cue("clause break between", gap_span))
        near = list(between) if len(between) <= _MAX_BETWEEN else \
            list(between)[:_MAX_BETWEEN // 2] + list(between)[-_MAX_BETWEEN // 2:]
        seen = set()
        for i in near:
            w = word(i)
            if w is None or w == "COUNTRY" or not w[0].isalnum() or w in seen:
                continue
            seen.add(w)
            span = ((toks[i][1], toks[i][2]),)
            cues.append(Cue("between:" + w, span))
            category = lexicon.get(w)
            if category:  # the CAMEO category carries the cue to verbs training never saw
                cues.append(Cue("between:" + category, span))
        cues += neighbours(first, "first") + neighbours(second, "second")
        directed = [c for c in cues if c.name.startswith("between:")]

        def side(me):
            d = "forward:" if me is first else "backward:"
            return ([Cue("is first" if me is first else "is second", ((me[3], me[4]),))]
                    + [Cue(d + c.name[len("between:"):], c.spans) for c in directed])

        return cues, side(ua), side(ub)

    def member_cues(code, tag):
        """Every mention of a member ("own" or "other" side), not only the nearest (memoised)."""
        key = (code, tag)
        got = memo.get(key)
        if got is None:
            got = [c for u in by_code[code] for c in neighbours(u, tag)]
            if tag == "own" and units[0][2] == code:
                got.append(Cue("is the passage's first country", ((units[0][3], units[0][4]),)))
            memo[key] = got
        return got

    rows = []
    for a, b in combinations(codes, 2):
        if a not in by_code or b not in by_code:
            continue
        # every mention of a with every mention of b (the nearest first): "Ukraine was shelled by
        # Russia, and Kyiv's allies ..." reads "was shelled by" even though "Russia, and Kyiv" is nearer
        combos = sorted(((ub[0] - ua[1] if ua[0] < ub[0] else ua[0] - ub[1]), ua, ub)
                        for ua in by_code[a] for ub in by_code[b])[:_MAX_COMBOS]
        cues, side_a, side_b = [Cue(n_countries, ())], [], []
        for _, ua, ub in combos:
            c, sa, sb = pair_cues(ua, ub)
            cues += c
            side_a += sa
            side_b += sb

        def agent_cues(code_me, code_other, directed):
            return directed + member_cues(code_me, "own") + member_cues(code_other, "other")

        # who does what to whom: the verbs whose subject and object hold the two countries
        for subj, obj, category, span in links:
            sp_ = (span,)
            if (a in subj and b in obj) or (b in subj and a in obj):
                cues.append(Cue("linked by:" + category, sp_))
                for code, side in ((a, side_a), (b, side_b)):
                    side.append(Cue(("subject of:" if code in subj else "object of:") + category, sp_))
            elif a in subj and b in subj:
                cues.append(Cue("both subjects of:" + category, sp_))
                side_a.append(Cue("co-subject of:" + category, sp_))
                side_b.append(Cue("co-subject of:" + category, sp_))
            elif a in obj and b in obj:
                cues.append(Cue("both objects of:" + category, sp_))
            elif (a in subj or b in subj) and obj:  # one of them acts on a third country
                cues.append(Cue("one acts on a third:" + category, sp_))
                (side_a if a in subj else side_b).append(Cue("acts on a third:" + category, sp_))
            elif (a in obj or b in obj) and subj:
                cues.append(Cue("a third acts on one:" + category, sp_))
                (side_a if a in obj else side_b).append(Cue("a third acts on it:" + category, sp_))

        rows.append(PairRow(row, a, b, cues, agent_cues(a, b, side_a), agent_cues(b, a, side_b)))
    return rows


@dataclass
class CueVocabulary:
    """Cue name -> column, learned from training pairs (cues seen at least ``min_count`` times)."""

    min_count: int = 2
    columns_: dict[str, int] = field(default_factory=dict)
    names_: list[str] = field(default_factory=list)

    def fit(self, cue_lists: list[list[Cue]]) -> "CueVocabulary":
        counts: dict[str, int] = {}
        for cues in cue_lists:
            for name in {c.name for c in cues}:
                counts[name] = counts.get(name, 0) + 1
        self.names_ = sorted(n for n, k in counts.items() if k >= self.min_count)
        self.columns_ = {n: i for i, n in enumerate(self.names_)}
        return self

    def transform(self, cue_lists: list[list[Cue]]) -> sp.csr_matrix:
        """Binary CSR matrix (rows x cues); a cue named twice in a row counts once."""
        columns = self.columns_
        indptr = [0]
        indices: list[int] = []
        for cues in cue_lists:
            cols = sorted({columns[c.name] for c in cues if c.name in columns})
            indices += cols
            indptr.append(len(indices))
        data = np.ones(len(indices))
        return sp.csr_matrix((data, np.asarray(indices, dtype=np.int32), np.asarray(indptr, dtype=np.int64)),
                             shape=(len(cue_lists), len(self.names_)))


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

    def agents(self, rows: list[PairRow]) -> np.ndarray:
        """(pairs, agent labels): 0 when member a is the agent, 1 member b, 2 both."""
        if not rows:
            return np.zeros((0, len(AGENT_LABELS)), dtype=np.int64)
        A = self.agent_vocab.transform([c for r in rows for c in (r.agent_a, r.agent_b)])
        out = np.empty((len(rows), len(AGENT_LABELS)), dtype=np.int64)
        for j, label in enumerate(AGENT_LABELS):
            prob = self.agent_proba(label, A).reshape(-1, 2)
            both = (prob >= self.both_threshold).all(axis=1)
            out[:, j] = np.where(both, 2, np.where(prob[:, 0] >= prob[:, 1], 0, 1))
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

    def contributions(self, cues: list[Cue], label: int) -> list[tuple[str, float, tuple]]:
        """Every cue's contribution to one pair's relation logit for one label:
        ``(name, weight, spans)``; with the intercept they add up to that logit."""
        spans: dict[str, set] = {}
        for c in cues:  # a cue named several times (several mentions) counts once, with all its spans
            spans.setdefault(c.name, set()).update(c.spans)
        columns, weights = self.vocab.columns_, self.coef[label]
        items = []
        for name, where in spans.items():
            j = columns.get(name)
            if j is not None and weights[j]:
                items.append((name, float(weights[j]), tuple(sorted(where))))
        return items


def explain_pair(model: PairModel, row: PairRow, label: int, offset: int, k: int = 5) -> list[dict]:
    """The ``k`` cues that raised one pair's relation score for a label the most, as
    explanation items ``{"feature", "weight", "spans"}`` (spans absolute: ``offset`` is the
    passage's start in the article)."""
    items = [it for it in model.contributions(row.cues, label) if it[1] > 0]
    items.sort(key=lambda it: -it[1])
    return [{"feature": name, "weight": round(w, 4), "spans": [(s + offset, e + offset) for s, e in spans]}
            for name, w, spans in items[:k]]
