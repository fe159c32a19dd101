"""Turn passages into one sparse feature matrix, and remember where each feature occurs.

Training (``training/train.py``) and serving (``scoring/scorer.py``) both call this module,
so the two cannot drift apart. A passage reaches it as a :class:`Doc`: its text plus the
spans of the country mentions inside it (relative to the passage). Features:

- ``w:<token>`` and ``w:<token> <token>``: word unigrams and bigrams, lower-cased. Each
  country mention is replaced by the single token ``COUNTRY`` first, so the model learns
  "COUNTRY coast guard rammed" rather than "China": the scores must carry over to countries
  and decades the training data under-represents.
- ``cameo:<code>``: how many phrases of the CAMEO verb lexicon (PETRARCH2, see
  scoring/lexicon/NOTICE.md) of each event category occur, e.g. ``cameo:19`` (fight),
  ``cameo:173`` (arrest, detain), ``cameo:06`` (material cooperation).

Values: sublinear tf times idf, each block L2-normalised per passage. Every feature value
comes with the character spans where it occurs (``analyze(..., spans=True)``), which is what
explanations highlight.
"""
from __future__ import annotations

import math
import re
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Iterable, NamedTuple, Sequence

import numpy as np
import scipy.sparse as sp

COUNTRY_TOKEN = "COUNTRY"
_TOKEN = re.compile(r"\w+(?:['’]\w+)*")
_DIGITS = re.compile(r"\d")
LEXICON_PATH = Path(__file__).parent / "lexicon" / "cameo_verbs.tsv"
VECTORS_PATH = Path(__file__).parent / "vectors" / "wordvec_128.npz"

# CAMEO codes folded into the event categories used as lexicon features. Keys are code
# prefixes, longest first wins; values are the feature name.
CAMEO_GROUPS = {
    "03": "cameo:03_intend_cooperate", "04": "cameo:04_consult", "05": "cameo:05_diplomatic_coop",
    "06": "cameo:06_material_coop", "07": "cameo:07_aid", "08": "cameo:08_yield",
    "10": "cameo:10_demand", "11": "cameo:11_disapprove", "12": "cameo:12_reject",
    "13": "cameo:13_threaten", "14": "cameo:14_protest", "15": "cameo:15_force_posture",
    "16": "cameo:16_reduce_relations", "17": "cameo:17_coerce", "171": "cameo:171_seize",
    "172": "cameo:172_restrict", "173": "cameo:173_arrest", "174": "cameo:174_expel",
    "175": "cameo:175_repress", "18": "cameo:18_assault", "1822": "cameo:1822_torture",
    "181": "cameo:181_abduct", "19": "cameo:19_fight", "20": "cameo:20_mass_violence",
}


class Doc(NamedTuple):
    """A passage as the featuriser sees it: text and country-mention spans within it."""

    text: str
    mentions: tuple[tuple[int, int], ...] = ()


def tokens(doc: Doc) -> list[tuple[str, int, int]]:
    """Lower-case tokens with their spans; each country mention becomes one COUNTRY token."""
    text, mentions = doc.text, doc.mentions
    out: list[tuple[str, int, int]] = []
    mi = 0
    n_mentions = len(mentions)
    for m in _TOKEN.finditer(text):
        s, e = m.span()
        while mi < n_mentions and mentions[mi][1] <= s:
            mi += 1
        if mi < n_mentions and mentions[mi][0] < e:
            ms, me = mentions[mi]
            if not out or out[-1][1] != ms:
                out.append((COUNTRY_TOKEN, ms, me))
            continue
        tok = m.group().lower().replace("’", "'")
        if tok.endswith("'s"):
            tok = tok[:-2]
        out.append((_DIGITS.sub("0", tok), s, e))
    return out


@lru_cache(maxsize=4)
def load_lexicon(path: str = str(LEXICON_PATH)) -> dict[str, str]:
    """Phrase -> feature name, for phrases of up to three words."""
    lexicon: dict[str, str] = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("#"):
                continue
            phrase, _, code = line.rstrip("\n").partition("\t")
            if phrase.count(" ") > 2:
                continue
            for k in (code[:4], code[:3], code[:2]):
                if k in CAMEO_GROUPS:
                    lexicon[phrase] = CAMEO_GROUPS[k]
                    break
    return lexicon


def analyze(toks: list[tuple[str, int, int]], lexicon: dict[str, str] | None, spans: bool = False):
    """Feature name -> count (and, with ``spans``, feature name -> list of (start, end))."""
    words = [t[0] for t in toks]
    counts: Counter = Counter("w:" + w for w in words)
    counts.update("w:" + a + " " + b for a, b in zip(words, words[1:]))
    where: dict[str, list[tuple[int, int]]] = {}
    if spans:
        for i, (w, s, e) in enumerate(toks):
            where.setdefault("w:" + w, []).append((s, e))
            if i + 1 < len(toks):
                where.setdefault("w:" + w + " " + toks[i + 1][0], []).append((s, toks[i + 1][2]))
    if lexicon:
        n = len(words)
        i = 0
        while i < n:
            matched = 0
            for k in (3, 2, 1):
                if i + k <= n:
                    name = lexicon.get(" ".join(words[i:i + k]))
                    if name:
                        counts[name] += 1
                        if spans:
                            where.setdefault(name, []).append((toks[i][1], toks[i + k - 1][2]))
                        matched = k
                        break
            i += matched or 1
    return (counts, where) if spans else counts


@lru_cache(maxsize=2)
def load_vectors(path: str = str(VECTORS_PATH)) -> tuple[dict[str, int], np.ndarray]:
    """Word -> row, and the word-vector table (float32), from scoring/vectors/."""
    with np.load(path, allow_pickle=False) as data:
        words = data["words"]
        vectors = data["vectors"].astype(np.float32)
    return {str(w): i for i, w in enumerate(words)}, vectors


class Spans(NamedTuple):
    """Where each feature of each passage occurs, for explanations (``transform(spans=True)``).

    ``where[i]``: sparse column -> list of (start, end) within passage ``i``.
    ``words[i]``: the passage's tokens that carry a word vector, as
    ``(word, (start, end), vector row, factor)``: the dense block of row ``i`` is
    ``sum(factor * vectors[row])`` over them, so a token's share of a label's logit is
    ``factor * vectors[row] @ coef[label, dense columns]`` exactly.
    """

    where: list[dict[int, list[tuple[int, int]]]]
    words: list[list[tuple[str, tuple[int, int], int, float]]]


@dataclass
class Featurizer:
    """Vocabulary and idf learned from training passages; stateless afterwards.

    Parameters follow scikit-learn's convention: set in ``__init__``, never changed by
    ``fit``; learned state ends with ``_``. Columns: the sparse features
    (``feature_names_[:n_sparse_]``), then, with ``use_vectors``, ``vec:0`` ... ``vec:D-1``.
    """

    min_df: int = 2
    use_words: bool = True
    use_lexicon: bool = True
    lexicon_weight: float = 1.0
    use_vectors: bool = False
    vector_scale: float = 0.5
    vocabulary_: dict[str, int] = field(default_factory=dict)
    idf_: np.ndarray | None = None
    feature_names_: list[str] = field(default_factory=list)
    n_sparse_: int = 0
    max_idf_: float = 1.0

    @property
    def lexicon(self) -> dict[str, str] | None:
        return load_lexicon() if self.use_lexicon else None

    @property
    def vectors(self) -> tuple[dict[str, int], np.ndarray] | None:
        return load_vectors() if self.use_vectors else None

    def _keep(self, name: str) -> bool:
        return self.use_words or name.startswith("cameo:")

    def fit(self, docs: Sequence[Doc]) -> "Featurizer":
        df: Counter = Counter()
        lexicon = self.lexicon
        for doc in docs:
            df.update(k for k in analyze(tokens(doc), lexicon) if self._keep(k) or k.startswith("w:"))
        n = len(docs)
        names = sorted(k for k, v in df.items() if self._keep(k) and (v >= self.min_df or k.startswith("cameo:")))
        self.vocabulary_ = {k: i for i, k in enumerate(names)}
        self.idf_ = np.array([math.log((1 + n) / (1 + df[k])) + 1.0 for k in names])
        self.max_idf_ = math.log(1 + n) + 1.0
        self.n_sparse_ = len(names)
        dims = self.vectors[1].shape[1] if self.use_vectors else 0
        self.feature_names_ = names + [f"vec:{d}" for d in range(dims)]
        return self

    def _word_weight(self, word: str) -> float:
        j = self.vocabulary_.get("w:" + word)
        return float(self.idf_[j]) if j is not None else self.max_idf_

    def transform(self, docs: Iterable[Doc], spans: bool = False):
        """CSR matrix (passages x features); with ``spans`` also a :class:`Spans`."""
        vocab, idf = self.vocabulary_, self.idf_
        lexicon = self.lexicon
        vec = self.vectors
        n_sparse = self.n_sparse_
        indptr = [0]
        indices: list[int] = []
        data: list[float] = []
        where_rows, word_rows = [], []
        for doc in docs:
            toks = tokens(doc)
            res = analyze(toks, lexicon, spans)
            counts, where = res if spans else (res, None)
            cols, vals, lex_cols, lex_vals = [], [], [], []
            for name, c in counts.items():
                j = vocab.get(name)
                if j is None:
                    continue
                v = (1.0 + math.log(c)) * idf[j]
                if name[0] == "c":
                    lex_cols.append(j)
                    lex_vals.append(v)
                else:
                    cols.append(j)
                    vals.append(v)
            norm = math.sqrt(sum(v * v for v in vals)) or 1.0
            vals = [v / norm for v in vals]
            if lex_vals:
                lnorm = math.sqrt(sum(v * v for v in lex_vals)) / self.lexicon_weight
                vals += [v / lnorm for v in lex_vals]
                cols += lex_cols
            order = sorted(range(len(cols)), key=cols.__getitem__)
            indices += [cols[k] for k in order]
            data += [vals[k] for k in order]
            words_here = []
            if vec is not None:
                index, table = vec
                rows, weights, kept = [], [], []
                for t in toks:
                    r = index.get(t[0]) if t[0] != COUNTRY_TOKEN else None
                    if r is not None:
                        rows.append(r)
                        weights.append(self._word_weight(t[0]))
                        kept.append(t)
                if rows:
                    w = np.asarray(weights) / sum(weights)
                    m = w @ table[rows]
                    scale = self.vector_scale / (float(np.sqrt(m @ m)) or 1.0)
                    indices += range(n_sparse, n_sparse + table.shape[1])
                    data += (m * scale).tolist()
                    if spans:
                        words_here = [(t[0], (t[1], t[2]), r, float(wi * scale)) for t, r, wi in zip(kept, rows, w)]
            indptr.append(len(indices))
            if spans:
                where_rows.append({vocab[k]: v for k, v in where.items() if k in vocab})
                word_rows.append(words_here)
        X = sp.csr_matrix(
            (np.asarray(data, dtype=np.float64), np.asarray(indices, dtype=np.int32), np.asarray(indptr, dtype=np.int64)),
            shape=(len(indptr) - 1, len(self.feature_names_)),
        )
        return (X, Spans(where_rows, word_rows)) if spans else X

    def fit_transform(self, docs: Sequence[Doc]):
        return self.fit(docs).transform(docs)
