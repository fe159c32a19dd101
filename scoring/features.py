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

- ``vec:0`` ... ``vec:127`` (with ``use_vectors``): the idf-weighted mean of the passage's
  word vectors (scoring/vectors/), scaled to length ``vector_scale``. Words the model never
  saw in training still count through their vectors.

Values: sublinear tf times idf, the word and lexicon blocks each L2-normalised per passage.
``transform`` works on a whole batch at once: numpy finds the tokens and the token ids of
most (ASCII words of up to sixteen letters, by their packed bytes), Python looks the others
up by their string (a dict look-up), everything else is numpy and scipy on the batch. ``tokens`` and
``feature_names`` are the passage-at-a-time definitions it must equal (training counts
document frequencies with them; tests/test_features.py compares the two). With
``spans=True`` it also returns what explanations need to point at the words (:class:`Spans`).
"""
from __future__ import annotations

import math
import re
from bisect import bisect_left, bisect_right
from collections import Counter
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import chain, repeat
from pathlib import Path
from typing import NamedTuple, Sequence

import numpy as np
import scipy.sparse as sp

COUNTRY_TOKEN = "COUNTRY"
_TOKEN = re.compile(r"\w++(?:['’]\w++)*+")  # possessive: nothing to give back, 10% faster
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


class Tokens(NamedTuple):
    """A passage's tokens: lower-case words and their start/end offsets in the passage."""

    words: list[str]
    starts: list[int]
    ends: list[int]


def _normal(word: str) -> str:
    word = _DIGITS.sub("0", word.replace("’", "'"))
    return word[:-2] if word.endswith("'s") else word


def tokens(doc: Doc) -> Tokens:
    """Lower-case tokens with their spans; each country mention becomes one COUNTRY token.

    Digits become ``0`` and a possessive ``'s`` is dropped ("China's" -> ``COUNTRY`` when
    it is a mention, "party's" -> ``party``).
    """
    text = doc.text
    low = text.lower()
    if len(low) == len(text):
        found = list(_TOKEN.finditer(low))
        words = [m.group() for m in found]
    else:  # a few characters change length when lower-cased: keep the original offsets
        found = list(_TOKEN.finditer(text))
        words = [m.group().lower() for m in found]
    starts = [m.start() for m in found]
    ends = [m.end() for m in found]
    words = [w if w.isalpha() else _normal(w) for w in words]
    for ms, me in reversed(doc.mentions):
        i0 = bisect_right(ends, ms)
        i1 = bisect_left(starts, me)
        if i0 < i1:
            words[i0:i1] = [COUNTRY_TOKEN]
            starts[i0:i1] = [ms]
            ends[i0:i1] = [me]
    return Tokens(words, starts, ends)


@lru_cache(maxsize=1)
def _word_chars() -> np.ndarray:
    """Per code point below U+10000: whether ``\\w`` matches it (found by the regex itself)."""
    table = np.zeros(0x10000, dtype=bool)
    for m in re.finditer(r"\w+", "".join(map(chr, range(0x10000)))):
        table[m.start():m.end()] = True
    return table


class _Batch(NamedTuple):
    """A batch of passages as one text, and its raw tokens (before normalisation and mentions)."""

    text: str  # the passages joined by newlines (a newline never joins two tokens), perhaps lower-cased
    code: np.ndarray  # its code points, lower-cased but in passages whose length lower-casing
    # changes ("İ"): those keep their case (``cased``)
    starts: np.ndarray  # each token's start and end in the text
    ends: np.ndarray
    doc_start: np.ndarray  # where each passage starts in the text
    cased: np.ndarray  # tokens of passages that keep their case in the text (see _batch_tokens)

    def words(self, which: np.ndarray) -> list[str]:
        """The lower-case strings of tokens ``which``, as :func:`tokens` finds them."""
        text = self.text
        return [text[a:b].lower() for a, b in zip(self.starts[which].tolist(), self.ends[which].tolist())]


def _batch_tokens(texts: list[str]) -> _Batch:
    """The raw tokens of a batch of passages, as :func:`tokens` finds them.

    numpy marks the characters of tokens (word characters, and an apostrophe between two) in
    the code points of the whole batch, which gives the tokens' offsets without building a
    string per token and per gap, as the regex would.
    """
    n = len(texts)
    doc_start = np.zeros(n, dtype=np.int64)
    if n:
        np.cumsum(np.fromiter(map(len, texts), dtype=np.int64, count=n)[:-1] + 1, out=doc_start[1:])
    text = "\n".join(texts)
    code = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4")
    odd: list[int] = []  # passages that change length when lower-cased
    if all(chr(c).lower() == chr(c) for c in np.unique(code[code > 127]).tolist()):
        code = code + 32 * ((code - 65) < 26).view(np.uint8)  # "A".."Z": the only letters to lower-case
    else:  # str.lower knows the others (and the final sigma)
        text = text.lower()
        if len(text) != len(code):  # passages that change length keep their case, for the original offsets
            lowered = [x.lower() for x in texts]
            odd = [i for i, (a, b) in enumerate(zip(texts, lowered)) if len(a) != len(b)]
            text = "\n".join(b if len(a) == len(b) else a for a, b in zip(texts, lowered))
        code = np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype="<u4")
    word = np.take(_word_chars(), code, mode="clip")
    astral = code > 0xFFFF  # beyond the table (emoji, rare scripts): each distinct one asked once
    if astral.any():
        chars, where = np.unique(code[astral], return_inverse=True)
        word[astral] = np.array([_TOKEN.fullmatch(chr(c)) is not None for c in chars.tolist()])[where]
    apostrophe = (code[1:-1] == ord("'")) | (code[1:-1] == ord("’"))
    in_token = np.zeros(len(code) + 2, dtype=bool)  # per character, with one False either side
    in_token[1:-1] = word
    in_token[2:-2] |= apostrophe & word[:-2] & word[2:]
    edges = np.flatnonzero(in_token[1:] != in_token[:-1])  # where tokens start and end, in turn
    starts, ends = edges[0::2].copy(), edges[1::2].copy()
    cased = np.zeros(0, dtype=np.int64)
    if odd:  # ... and their tokens are lower-cased one by one, as tokens() does
        tok_row = np.searchsorted(doc_start, starts, "right") - 1
        cased = np.flatnonzero(np.isin(tok_row, odd))
    return _Batch(text, code, starts, ends, doc_start, cased)


def _country_tokens(ids: np.ndarray, starts: np.ndarray, ends: np.ndarray, ms: np.ndarray, me: np.ndarray,
                    country: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Replace the tokens each mention ``[ms, me)`` overlaps by one ``country`` token, as
    :func:`tokens` does (mentions sorted, in batch offsets)."""
    i0 = np.searchsorted(ends, ms, "right")
    i1 = np.searchsorted(starts, me, "left")
    ok = i0 < i1
    # a mention listed twice (the same span) replaces the same tokens again, to the same
    # result: only the first counts, so that it does not force the slow path below
    distinct = np.ones(len(ms), dtype=bool)
    distinct[1:] = (ms[1:] != ms[:-1]) | (me[1:] != me[:-1])
    ok &= distinct
    # two mentions that share a token ("States'Japan") or overlap (the later one's COUNTRY
    # token takes the earlier one's span, as in tokens()): one by one
    if np.any(i0[ok][1:] < i1[ok][:-1]) or np.any(ms[distinct][1:] < me[distinct][:-1]):
        ids_l, starts_l, ends_l = ids.tolist(), starts.tolist(), ends.tolist()
        for s, e in zip(ms[::-1].tolist(), me[::-1].tolist()):
            a, b = bisect_right(ends_l, s), bisect_left(starts_l, e)
            if a < b:
                ids_l[a:b], starts_l[a:b], ends_l[a:b] = [country], [s], [e]
        return (np.asarray(ids_l, dtype=np.int64), np.asarray(starts_l, dtype=np.int64),
                np.asarray(ends_l, dtype=np.int64))
    i0, i1 = i0[ok], i1[ok]
    cover = np.zeros(len(ids) + 1, dtype=np.int64)
    np.add.at(cover, i0 + 1, 1)
    np.add.at(cover, i1, -1)
    keep = np.cumsum(cover[:-1]) <= 0
    ids, starts, ends = ids.copy(), starts.copy(), ends.copy()
    ids[i0], starts[i0], ends[i0] = country, ms[ok], me[ok]
    return ids[keep], starts[keep], ends[keep]


class Lexicon(NamedTuple):
    """CAMEO phrases (up to three words) -> feature name, and the longest phrase per first word."""

    phrases: dict[str, str]
    longest: dict[str, int]

    def matches(self, words: list[str]) -> list[tuple[str, int, int]]:
        """Greedy longest-first matches as (feature name, first token, last token + 1)."""
        out = []
        phrases = self.phrases
        n = len(words)
        nxt = 0  # first token not yet inside a match
        for i, k in enumerate(map(self.longest.get, words)):
            if k is None or i < nxt:
                continue
            for size in range(min(k, n - i), 0, -1):
                name = phrases.get(words[i] if size == 1 else " ".join(words[i:i + size]))
                if name:
                    out.append((name, i, i + size))
                    nxt = i + size
                    break
        return out


@lru_cache(maxsize=4)
def load_lexicon(path: str = str(LEXICON_PATH)) -> Lexicon:
    """The CAMEO verb lexicon folded into ``CAMEO_GROUPS`` categories."""
    phrases: dict[str, str] = {}
    longest: dict[str, int] = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            if line.startswith("#"):
                continue
            phrase, _, code = line.rstrip("\n").partition("\t")
            words = phrase.split(" ")
            if len(words) > 3:
                continue
            for k in (code[:4], code[:3], code[:2]):
                if k in CAMEO_GROUPS:
                    phrases[phrase] = CAMEO_GROUPS[k]
                    longest[words[0]] = max(longest.get(words[0], 0), len(words))
                    break
    return Lexicon(phrases, longest)


def feature_names(words: list[str], lexicon: Lexicon | None) -> set[str]:
    """Every feature name a passage has (used to count document frequencies when fitting)."""
    names = {"w:" + w for w in words}
    names.update("w:" + a + " " + b for a, b in zip(words, words[1:]))
    if lexicon:
        names.update(name for name, _, _ in lexicon.matches(words))
    return names


class VectorTable(NamedTuple):
    """The word-vector table as stored (scoring/vectors/): ``rows`` int8 with a per-dimension
    ``scale`` (tools/build_word_vectors.py), or plain float rows and no scale. Kept so in
    memory (a quarter of float32); ``float32(rows)`` gives the vectors of some rows."""

    words: list[str]
    rows: np.ndarray
    scale: np.ndarray | None

    def float32(self, which=slice(None)) -> np.ndarray:
        out = self.rows[which].astype(np.float32)
        if self.scale is not None:
            out *= self.scale
        return out


@lru_cache(maxsize=2)
def load_vector_table(path: str = str(VECTORS_PATH)) -> VectorTable:
    """The word-vector table of scoring/vectors/ (one per process and path)."""
    with np.load(path, allow_pickle=False) as data:
        words = data["words"].tolist()
        rows = data["vectors"]
        scale = data["scale"].astype(np.float32) if "scale" in data.files else None
    return VectorTable(words, rows, scale)


def load_vectors(path: str = str(VECTORS_PATH)) -> tuple[dict[str, int], np.ndarray]:
    """Word -> row, and the whole word-vector table as float32."""
    table = load_vector_table(path)
    return {w: i for i, w in enumerate(table.words)}, table.float32()


class Spans(NamedTuple):
    """What explanations need from ``transform(spans=True)``, as flat arrays for the batch.

    Occurrences (``occ_*``): every place a sparse feature occurs (``key`` = its column) or a
    word known only by its vector occurs (``key`` = ``n_sparse_`` + its vector-table row),
    with its passage and its start/end offsets in the passage.
    Vector shares (``vec_*``): one entry per token that carries a word vector: its passage,
    its vector-table row, and the factor such that the passage's dense block is
    ``sum(factor * vectors[vec_id])``; a token's share of a label's logit is therefore
    ``factor * vectors[vec_id] @ coef[label, dense columns]``, exactly.
    """

    occ_row: np.ndarray
    occ_key: np.ndarray
    occ_start: np.ndarray
    occ_end: np.ndarray
    vec_row: np.ndarray
    vec_id: np.ndarray
    vec_factor: np.ndarray


class _Tables(NamedTuple):
    """Look-up tables derived from a fitted vocabulary, keyed by token id.

    Every word the model can use (a unigram or a bigram half, a word with a vector, a word of
    a lexicon phrase, ``COUNTRY``) has a token id; ``unknown`` is the id of all other words.
    Per token id: its unigram column and its vector-table row (-1: none). Bigrams and lexicon
    phrases are integer keys made of their token ids, in hash tables (:class:`_IntMap`).
    ``raw_ids`` caches the token id of raw lower-cased words (before ``_normal``) as the
    batches meet them, starting with the vocabulary's long and non-ASCII words; ``packed_ids``
    holds those of its words of up to sixteen ASCII letters, keyed by their bytes as two
    integers (zero-padded).
    """

    word_id: dict[str, int]
    raw_ids: dict[str, int]
    packed_ids: _IntMap
    unknown: int
    uni_col: np.ndarray
    vec_row: np.ndarray
    bigram_cols: _IntMap
    bigram_first: np.ndarray  # per token id: begins / ends some bigram of the vocabulary
    bigram_second: np.ndarray
    lexicon_first: np.ndarray  # per token id: begins some lexicon phrase
    lexicon_cols: tuple[_IntMap, ...]  # per phrase length 1..3
    vec_table: VectorTable | None
    vec_weight: np.ndarray | None  # idf weight per vector-table row
    vec_col: np.ndarray | None  # unigram column of each vector-table row, -1 when none
    vec_words: list[str] | None


# masks of eight bytes read as one integer (native byte order, like the packed words)
_PREFIX = np.array([b"\xff" * k for k in range(9)], dtype="S8").view(np.uint64)  # the first k bytes
_HIGH_BITS = np.frombuffer(b"\x80" * 8, dtype=np.uint64)[0]  # each byte's top bit: not ASCII
_RAW_CACHE_LIMIT = 200_000  # raw words remembered beyond the vocabulary (about 20 MB at most)


class _IntMap:
    """Distinct keys -> integer values, looked up many at a time. A key is a non-negative
    integer (keys of shape ``(n,)``), or a column of them (``(k, n)``: a word's bytes as two).

    A hash table with open addressing (linear probing) in a numpy array, at most a quarter
    full: a look-up costs one or two vectorised probes per batch, where a binary search of
    sorted keys costs about twenty scattered reads per key. A slot holds the key's integers
    and the value side by side, so that a probe reads one place in memory, not one per column.
    """

    def __init__(self, keys, values):
        values = np.asarray(values, dtype=np.int64)
        columns = np.atleast_2d(np.asarray(keys, dtype=np.int64))
        k = len(columns)
        bits = max(4, (4 * len(values)).bit_length())
        self._shift = np.uint64(64 - bits)
        self._mask = (1 << bits) - 1
        table = np.full((1 << bits, k + 1), -1, dtype=np.int64)  # (key..., value); key -1: an empty slot
        slot = self._slot(columns)
        pending = np.arange(len(values))
        while len(pending):  # each round, one key takes each wanted free slot; the rest move on
            s = slot[pending]
            free = np.flatnonzero(table[s, 0] < 0)
            taken, first = np.unique(s[free], return_index=True)
            table[taken, :k] = columns[:, pending[free[first]]].T
            table[taken, k] = values[pending[free[first]]]
            waiting = np.ones(len(pending), dtype=bool)
            waiting[free[first]] = False
            pending = pending[waiting]
            slot[pending] = (slot[pending] + 1) & self._mask
        self._slots = table.view(np.dtype((np.void, table.itemsize * (k + 1)))).ravel()  # one item per slot

    def _slot(self, columns: np.ndarray) -> np.ndarray:
        # Fibonacci hashing: the top bits of key * 2^64 / golden ratio (wrapping uint64), the
        # columns folded in one after the other
        golden = np.uint64(0x9E3779B97F4A7C15)
        h = columns[0].astype(np.uint64)
        for column in columns[1:]:
            h = (h * golden) ^ column.astype(np.uint64)
        return ((h * golden) >> self._shift).astype(np.int64)

    def _probe(self, slot: np.ndarray, columns: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Per slot: its value, whether it holds the query key (its columns), whether it is taken."""
        entry = self._slots[slot].view(np.int64).reshape(-1, len(columns) + 1)
        hit = entry[:, 0] == columns[0]
        for j in range(1, len(columns)):
            hit &= entry[:, j] == columns[j]
        return entry[:, -1], hit, entry[:, 0] >= 0

    def get(self, query: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """``(found, value)`` per query key (>= 0, like the keys): whether it is a key, and its
        value (else -1)."""
        assert not query.size or query.min() >= 0, "-1 marks an empty slot: keys are never negative"
        columns = np.atleast_2d(query)
        slot = self._slot(columns)
        value, found, taken = self._probe(slot, columns)
        todo = np.flatnonzero(taken & ~found)  # an occupied slot of another key: probe the next one
        slot = slot[todo]
        while len(todo):  # (few: the table is at most a quarter full)
            slot = (slot + 1) & self._mask
            v, hit, taken = self._probe(slot, columns.take(todo, axis=1))
            found[todo[hit]] = True
            value[todo[hit]] = v[hit]
            go = taken & ~hit
            todo, slot = todo[go], slot[go]
        return found, np.where(found, value, -1)


def run_starts(ordered: np.ndarray) -> np.ndarray:
    """Where each run of equal values begins in a sorted array, as a mask (the first value
    always does): what ``np.unique`` finds after its sort, for callers that sorted already."""
    new = np.empty(len(ordered), dtype=bool)
    new[:1] = True
    np.not_equal(ordered[1:], ordered[:-1], out=new[1:])
    return new


def _distinct(ids: np.ndarray, size: int) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(ids, return_inverse=True)`` for ids in ``range(size)``, without sorting (the
    two tables of ``size`` cost more than a sort when ``ids`` are few: a single passage)."""
    if len(ids) * 64 < size:
        return np.unique(ids, return_inverse=True)
    seen = np.zeros(size, dtype=bool)
    seen[ids] = True
    uniq = np.flatnonzero(seen)
    rank = np.empty(size, dtype=np.int64)
    rank[uniq] = np.arange(len(uniq))
    return uniq, rank[ids]


def _concat_columns(n: int, width: int, blocks: list[tuple[np.ndarray, np.ndarray, np.ndarray]]) -> sp.csr_matrix:
    """One CSR matrix from row-aligned CSR blocks whose columns are disjoint and ascending.

    Cheaper than scipy's addition or hstack for the small batches of single requests: one
    scatter per block, no sort.
    """
    counts = [np.diff(ip) for ip, _, _ in blocks]
    per_row = np.sum(counts, axis=0) if blocks else np.zeros(n, dtype=np.int64)
    indptr = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(per_row, out=indptr[1:])
    indices = np.empty(indptr[-1], dtype=np.int32)
    data = np.empty(indptr[-1])
    before = np.zeros(n, dtype=np.int64)  # per row, the entries of the blocks before
    for (ip, ind, dat), cnt in zip(blocks, counts):
        # entry j of row r goes to indptr[r] + before[r] + (j - ip[r])
        pos = np.arange(len(ind)) + np.repeat(indptr[:-1] + before - ip[:-1], cnt)
        indices[pos] = ind
        data[pos] = dat
        before += cnt
    X = sp.csr_matrix((data, indices, indptr), shape=(n, width))
    X.has_sorted_indices = True
    return X


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
    word_idf_: dict[str, float] = field(default_factory=dict)

    def __getstate__(self):
        state = dict(self.__dict__)
        state.pop("_tables_cache", None)  # derived look-up tables are rebuilt on first use
        return state

    def fit(self, docs: Sequence[Doc]) -> "Featurizer":
        lexicon = load_lexicon() if self.use_lexicon else None
        df: Counter = Counter()
        for doc in docs:
            df.update(feature_names(tokens(doc).words, lexicon))
        n = len(docs)
        names = sorted(k for k, v in df.items()
                       if (k.startswith("cameo:") or (self.use_words and v >= self.min_df)))
        self.vocabulary_ = {k: i for i, k in enumerate(names)}
        self.idf_ = np.array([math.log((1 + n) / (1 + df[k])) + 1.0 for k in names])
        self.max_idf_ = math.log(1 + n) + 1.0
        # idf of every word seen (kept or not), so word vectors are weighted like words
        self.word_idf_ = {k[2:]: math.log((1 + n) / (1 + df[k])) + 1.0 for k in sorted(df)
                          if k.startswith("w:") and " " not in k and df[k] >= self.min_df}
        self.n_sparse_ = len(names)
        dims = load_vector_table().rows.shape[1] if self.use_vectors else 0
        self.feature_names_ = names + [f"vec:{d}" for d in range(dims)]
        self.__dict__.pop("_tables_cache", None)
        return self

    def tables(self) -> _Tables:
        """Look-up tables derived from the vocabulary (built once per process, not pickled)."""
        cached = self.__dict__.get("_tables_cache")
        if cached is not None:
            return cached
        word_id: dict[str, int] = {}

        def tid(word: str) -> int:
            return word_id.setdefault(word, len(word_id))

        unigram, bigram, lexicon_col = {}, {}, {}
        for name, j in self.vocabulary_.items():
            if name.startswith("w:"):
                (bigram if " " in name else unigram)[name[2:]] = j
            else:
                lexicon_col[name] = j
        for w in unigram:
            tid(w)
        for pair in bigram:
            for w in pair.split(" "):
                tid(w)
        tid(COUNTRY_TOKEN)
        vec_words = vec_table = None
        if self.use_vectors:
            vec_table = load_vector_table()
            vec_words = vec_table.words
            for w in vec_words:
                tid(w)
        lexicon = load_lexicon() if self.use_lexicon else None
        phrase_ids = []
        if lexicon is not None:
            for phrase, name in lexicon.phrases.items():
                phrase_ids.append(([tid(w) for w in phrase.split(" ")], lexicon_col.get(name, -1)))
        unknown = len(word_id)
        base = unknown + 1
        uni_col = np.full(base, -1, dtype=np.int64)
        for w, j in unigram.items():
            uni_col[word_id[w]] = j
        halves = np.asarray([[word_id[w] for w in p.split(" ")] for p in bigram], dtype=np.int64).reshape(-1, 2)
        bigram_cols = _IntMap(halves[:, 0] * base + halves[:, 1], list(bigram.values()))
        bigram_first = np.zeros(base, dtype=bool)
        bigram_second = np.zeros(base, dtype=bool)
        bigram_first[halves[:, 0]] = True
        bigram_second[halves[:, 1]] = True
        lexicon_first = np.zeros(base, dtype=bool)
        lexicon_first[[ids[0] for ids, _ in phrase_ids]] = True
        by_len: list[tuple[list[int], list[int]]] = [([], []), ([], []), ([], [])]
        for ids, col in phrase_ids:
            key = 0
            for i in ids:
                key = key * base + i
            by_len[len(ids) - 1][0].append(key)
            by_len[len(ids) - 1][1].append(col)
        lexicon_cols = tuple(_IntMap(k, c) for k, c in by_len)
        vec_row = np.full(base, -1, dtype=np.int64)
        vec_weight = vec_col = None
        if vec_words is not None:
            for i, w in enumerate(vec_words):
                vec_row[word_id[w]] = i
            vec_weight = np.array([self.word_idf_.get(w, self.max_idf_) for w in vec_words])
            vec_col = np.array([unigram.get(w, -1) for w in vec_words], dtype=np.int64)
        plain = {w: i for w, i in word_id.items() if w.isalpha() and w.islower()}
        packable = [w for w in plain if len(w) <= 16 and w.isascii()]
        packed_ids = _IntMap(np.array([w.encode() for w in packable], dtype="S16").view(np.int64).reshape(-1, 2).T,
                             [plain[w] for w in packable])
        # the string look-up starts with the words the packed look-up cannot find (it learns the
        # others as batches meet them in capitals): a smaller dict in every worker
        raw_ids = {w: i for w, i in plain.items() if len(w) > 16 or not w.isascii()}
        cached = _Tables(word_id, raw_ids, packed_ids, unknown, uni_col, vec_row, bigram_cols, bigram_first,
                         bigram_second, lexicon_first, lexicon_cols,
                         vec_table, vec_weight, vec_col, vec_words)
        self.__dict__["_tables_cache"] = cached
        return cached

    def _token_ids(self, t: _Tables, batch: _Batch) -> np.ndarray:
        """Token id per raw token (normalised as :func:`tokens` does).

        Most tokens are ASCII words of up to sixteen letters: their code points, packed eight
        bytes to an integer, find their id in ``t.packed_ids`` without a string being made. The
        others are looked up by their string.
        """
        starts, code = batch.starts, batch.code
        length = batch.ends - starts
        ids = np.full(len(starts), -1, dtype=np.int64)
        short = np.flatnonzero(length <= 16)
        # one byte per character, 0xFF for any beyond ASCII; sixteen from each token's start, read
        # as two (unaligned) integers, and only the token's own bytes kept
        text = np.full(len(code) + 16, 0xFF, dtype=np.uint8)
        np.copyto(text[:len(code)], code, casting="unsafe", where=code < 128)
        eight = np.ndarray(len(code) + 9, np.uint64, text, strides=(1,))  # the eight bytes from each offset
        at, size = starts[short], length[short]
        packed = np.zeros((2, len(at)), dtype=np.uint64)
        np.bitwise_and(eight[at], _PREFIX[np.minimum(size, 8)], out=packed[0])
        long = np.flatnonzero(size > 8)  # (few)
        packed[1, long] = eight[at[long] + 8] & _PREFIX[size[long] - 8]
        plain = np.flatnonzero(((packed[0] | packed[1]) & _HIGH_BITS) == 0)
        found, known = t.packed_ids.get(packed.take(plain, axis=1).view(np.int64))
        ids[short[plain[found]]] = known[found]
        ids[batch.cased] = -1
        rest = np.flatnonzero(ids < 0)
        words = batch.words(rest)
        rest_ids = np.fromiter(map(t.raw_ids.get, words, repeat(-1)), dtype=np.int64, count=len(words))
        for i in np.flatnonzero(rest_ids < 0).tolist():  # not met yet: normalise, look up, remember
            w = words[i]
            v = t.raw_ids.get(w)
            if v is None:
                v = t.word_id.get(w if w.isalpha() else _normal(w), t.unknown)
                if len(t.raw_ids) < len(t.word_id) + _RAW_CACHE_LIMIT:
                    t.raw_ids[w] = v
            rest_ids[i] = v
        ids[rest] = rest_ids
        return ids

    def transform(self, docs: Sequence[Doc], spans: bool = False, split: bool = False):
        """CSR matrix (passages x features); with ``spans`` also a :class:`Spans`.

        With ``split`` the matrix comes as its two blocks, ``(sparse, dense)``: the CSR matrix
        of the sparse columns and the word-vector columns as a dense array (``None`` without
        vectors). ``Model.logits`` takes either form; scoring uses the split one, which spares
        copying every passage's dense values into the sparse matrix.

        The batch is tokenised as one text, by numpy; Python touches only the tokens it
        cannot identify by their packed bytes, to find their token id; bigrams, lexicon
        phrases and columns are numpy look-ups on the batch. The result equals :func:`tokens` plus
        :func:`feature_names` applied passage by passage (``tests/test_features.py``).
        """
        t = self.tables()
        n = len(docs)
        base = t.unknown + 1
        batch = _batch_tokens([d.text for d in docs])
        ids = self._token_ids(t, batch)
        starts, ends, doc_start = batch.starts, batch.ends, batch.doc_start
        n_mentions = [len(d.mentions) for d in docs]
        if sum(n_mentions):  # each country mention becomes one COUNTRY token
            m = np.fromiter(chain.from_iterable(chain.from_iterable(d.mentions for d in docs)), np.int64).reshape(-1, 2)
            shift = np.repeat(doc_start, n_mentions)
            ids, starts, ends = _country_tokens(ids, starts, ends, m[:, 0] + shift, m[:, 1] + shift,
                                                t.word_id[COUNTRY_TOKEN])
        n_tok = len(ids)
        row = np.repeat(np.arange(n), np.diff(np.searchsorted(starts, doc_start), append=n_tok))  # each token's passage
        same = row[1:] == row[:-1]  # token i and i+1 are in one passage
        uni = t.uni_col[ids]
        bi = np.full(max(n_tok - 1, 0), -1, dtype=np.int64)
        maybe = np.flatnonzero(t.bigram_first[ids[:-1]] & t.bigram_second[ids[1:]] & same)  # not across passages
        bi[maybe] = t.bigram_cols.get(ids[maybe] * base + ids[maybe + 1])[1]
        u_pos = np.flatnonzero(uni >= 0)
        b_pos = np.flatnonzero(bi >= 0)
        blocks = []
        lexicon = self.use_lexicon
        if lexicon:  # lexicon columns ("cameo:...") sort before word columns ("w:...")
            lex = self._lexicon_matches(t, ids, row)
            blocks.append(self._tfidf(row[lex[:, 1]], lex[:, 0], n, self.lexicon_weight))
        blocks.append(self._tfidf(np.concatenate([row[u_pos], row[b_pos]]), np.concatenate([uni[u_pos], bi[b_pos]]),
                                  n, 1.0))
        empty_i, empty_f = np.zeros(0, dtype=np.int64), np.zeros(0)
        vec_parts = (empty_i, empty_i, empty_f)
        v_pos = empty_i
        dense = None
        if t.vec_table is not None:
            vid = t.vec_row[ids]
            v_pos = np.flatnonzero(vid >= 0)
            v_rows, v_ids = row[v_pos], vid[v_pos]
            weights = t.vec_weight[v_ids]
            # weighted sum of the table rows per passage, in float64 (exact explanations): each
            # distinct word's row is converted once, then one sparse x dense product
            uniq, inverse = _distinct(v_ids, len(t.vec_words))
            w_ptr = np.zeros(n + 1, dtype=np.int64)  # tokens are in passage order: CSR as they are
            np.cumsum(np.bincount(v_rows, minlength=n), out=w_ptr[1:])
            W = sp.csr_matrix((weights, inverse, w_ptr), shape=(n, len(uniq)))
            mean = np.asarray(W @ t.vec_table.float32(uniq).astype(np.float64))
            total = np.bincount(v_rows, weights=weights, minlength=n)
            total[total == 0] = 1.0
            mean /= total[:, None]
            norm = np.sqrt(np.einsum("ij,ij->i", mean, mean))
            norm[norm == 0] = 1.0
            dense = mean * (self.vector_scale / norm)[:, None]
            vec_parts = (v_rows, v_ids, weights * (self.vector_scale / (total * norm))[v_rows])
        if split:
            X = (_concat_columns(n, self.n_sparse_, blocks), dense)
        else:
            if dense is not None:
                d = dense.shape[1]
                blocks.append((np.arange(0, n * d + 1, d), np.tile(np.arange(self.n_sparse_, self.n_sparse_ + d), n),
                               dense.ravel()))
            X = _concat_columns(n, len(self.feature_names_), blocks)
        if not spans:
            return X
        s_a = starts - doc_start[row]
        e_a = ends - doc_start[row]
        o_row = [row[u_pos], row[b_pos]]
        o_key = [uni[u_pos], bi[b_pos]]
        o_s = [s_a[u_pos], s_a[b_pos]]
        o_e = [e_a[u_pos], e_a[b_pos + 1]]
        if lexicon and len(lex):
            o_row.append(row[lex[:, 1]])
            o_key.append(lex[:, 0])
            o_s.append(s_a[lex[:, 1]])
            o_e.append(e_a[lex[:, 2]])
        if len(v_pos):  # words known only by their vectors are occurrences too
            only = t.vec_col[vec_parts[1]] < 0
            o_row.append(vec_parts[0][only])
            o_key.append(self.n_sparse_ + vec_parts[1][only])
            o_s.append(s_a[v_pos[only]])
            o_e.append(e_a[v_pos[only]])
        return X, Spans(np.concatenate(o_row), np.concatenate(o_key), np.concatenate(o_s),
                        np.concatenate(o_e), *vec_parts)

    @staticmethod
    def _lexicon_matches(t: _Tables, ids: np.ndarray, row: np.ndarray) -> np.ndarray:
        """Lexicon matches as rows (column, first token, last token), as :meth:`Lexicon.matches`.

        Greedy, longest phrase first, left to right, never across passages. Phrases of a
        category the vocabulary lacks still take their words (column -1, dropped after).
        Only tokens that begin some phrase are looked up.
        """
        n_tok = len(ids)
        base = t.unknown + 1
        cand = np.flatnonzero(t.lexicon_first[ids])
        size = np.zeros(len(cand), dtype=np.int64)
        col = np.full(len(cand), -1, dtype=np.int64)
        key = ids[cand]
        for k, cols in enumerate(t.lexicon_cols, start=1):
            if k > 1:
                nxt = cand + (k - 1)
                inside = nxt < n_tok
                inside[inside] = row[nxt[inside]] == row[cand[inside]]
                key = key * base + ids[np.minimum(nxt, n_tok - 1)]
            found, cols_k = cols.get(key)
            hit = found & inside if k > 1 else found
            size[hit] = k  # longer phrases overwrite shorter ones
            col[hit] = cols_k[hit]
        pick = np.flatnonzero(size)
        start, stop = cand[pick], cand[pick] + size[pick]
        # a match overlapping an earlier one is taken only if that one was not: resolve the
        # greedy order in Python, but only inside runs of overlapping matches (rare)
        reach = np.maximum.accumulate(stop)
        clash = np.flatnonzero(start[1:] < reach[:-1]) + 1
        if len(clash):
            keep = np.ones(len(pick), dtype=bool)
            nxt_free = -1
            for j in sorted(set(clash.tolist()) | set((clash - 1).tolist())):
                if start[j] < nxt_free:
                    keep[j] = False
                else:
                    nxt_free = stop[j]
            pick = pick[keep]
        first = cand[pick]
        found = np.stack([col[pick], first, first + size[pick] - 1], axis=1)
        return found[found[:, 0] >= 0]

    def _tfidf(self, rows: np.ndarray, cols: np.ndarray, n: int, scale: float):
        """One block's CSR arrays (indptr, indices, data) from its (row, column) occurrences:
        sublinear tf x idf, each row scaled to L2 length ``scale`` (empty rows stay empty)."""
        width = self.n_sparse_
        # np.unique(..., return_counts=True), with numpy's stable sort: much faster on these
        # codes, which come in runs already sorted by row
        codes = np.sort(rows * width + cols, kind="stable")  # row-major: CSR order
        first = np.flatnonzero(run_starts(codes))
        cells, counts = codes[first], np.diff(first, append=len(codes))
        r, c = cells // width, cells % width
        data = (1.0 + np.log(counts)) * self.idf_[c]
        norms = np.sqrt(np.bincount(r, weights=data * data, minlength=n))
        norms[norms == 0] = 1.0
        data *= (scale / norms)[r]
        indptr = np.zeros(n + 1, dtype=np.int64)
        np.cumsum(np.bincount(r, minlength=n), out=indptr[1:])
        return indptr, c, data

    def fit_transform(self, docs: Sequence[Doc]):
        return self.fit(docs).transform(docs)
