"""Explain passage scores: which words pushed each label's score up (or down), and where.

The model is linear in its features, so the explanation is exact. A passage's logit for a
label is the intercept plus the contributions of:
- each sparse feature ``j`` (word, word pair, ``cameo:`` lexicon category):
  ``X[i, j] * coef[label, j]``;
- each token that carries a word vector: its share of the dense block,
  ``factor * vectors[row] @ coef[label, dense]`` (see ``scoring.features.Spans``).
A word's unigram contribution and its word-vector shares are reported together, under the
word itself. :func:`explain_rows` with ``k=None`` returns every item, and those add up,
with the intercept, to the logit whose sigmoid is the score (tests check it).

The work is done for a whole batch at once with numpy (contributions, merging, top-k per
passage); Python only builds the few items that are returned, with their spans.
"""
from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from .features import Featurizer, Spans, run_starts


def display_name(feature: str) -> str:
    """``w:coast guard`` -> ``coast guard``; lexicon features keep their ``cameo:`` prefix."""
    return feature[2:] if feature.startswith("w:") else feature


def _projection(featurizer: Featurizer, coef: np.ndarray) -> np.ndarray:
    """coef[:, dense] @ vectors.T, cached per (featuriser, coef) pair: (labels, table rows)."""
    key = id(coef)
    cache = featurizer.__dict__.setdefault("_projection_cache", {})
    got = cache.get(key)
    if got is None or got[0] is not coef:
        table, dense = featurizer.tables().vec_table, coef[:, featurizer.n_sparse_:].T
        # in slices of rows: the whole table in float64 would take ~100 MB at once
        proj = np.vstack([table.float32(slice(i, i + 8192)).astype(np.float64) @ dense
                          for i in range(0, len(table.words), 8192)])
        got = (coef, np.ascontiguousarray(proj.T))  # rows per label: cheap to gather from
        cache.clear()  # one model's at a time; a thread reading another's keeps its own copy
        cache[key] = got
    return got[1]


def _ranked(row: np.ndarray, value: np.ndarray, k: int | None) -> np.ndarray:
    """Positions of the k largest ``value`` per row (all, with k=None), rows ascending."""
    if not len(value):
        return np.zeros(0, dtype=np.int64)
    # one argsort on a single float key: row first, then larger value first
    key = row + (1.0 - value / (value.max() * (1 + 1e-9)))
    order = np.argsort(key, kind="stable")
    if k is None:
        return order
    at = np.arange(len(order))
    first = np.maximum.accumulate(np.where(run_starts(row[order]), at, 0))  # where each position's row begins
    return order[at - first < k]


def _unique(code: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Where each distinct code first occurs, in ascending code order, and each code's rank
    among them: ``np.unique(code, return_index=True, return_inverse=True)[1:]``, with numpy's
    stable sort, several times faster on these codes (they come in runs already sorted)."""
    order = np.argsort(code, kind="stable")
    new = run_starts(code[order])
    inverse = np.empty(len(code), dtype=np.int64)
    inverse[order] = np.cumsum(new) - 1
    return order[new], inverse


def _picks(row: np.ndarray, sums: np.ndarray, k: int | None, negative: bool) -> np.ndarray:
    """Indices of each row's k largest positive (then k most negative) sums, rows ascending."""
    pos_idx = np.flatnonzero(sums > 0)
    pos = pos_idx[_ranked(row[pos_idx], sums[pos_idx], k)]
    if not negative and k is not None:
        return pos
    neg_idx = np.flatnonzero(sums < 0)
    neg = neg_idx[_ranked(row[neg_idx], -sums[neg_idx], k)]
    both = np.concatenate([pos, neg])
    # positives (largest first) before negatives (most negative first) within each row
    kind = np.concatenate([np.zeros(len(pos), dtype=np.int64), np.ones(len(neg), dtype=np.int64)])
    final = np.lexsort((np.arange(len(both)), kind, row[both]))
    return both[final]


def _display_names(featurizer: Featurizer) -> list[str]:
    """Display name per explanation key (sparse columns, then vector-table words), cached."""
    cached = featurizer.__dict__.get("_display_cache")
    if cached is None:
        t = featurizer.tables()
        cached = [display_name(n) for n in featurizer.feature_names_[:featurizer.n_sparse_]] + list(t.vec_words or [])
        featurizer.__dict__["_display_cache"] = cached
    return cached


def explain_rows(X, coef: np.ndarray, spans: Spans, featurizer: Featurizer, offsets: list[int],
                 labels: tuple[str, ...], k: int | None = 5, negative: bool = False) -> list[dict]:
    """Per passage: ``{label: [{"feature", "weight", "spans"}, ...]}``, strongest first.

    ``spans`` is a list of ``(start, end)`` pairs (JSON: ``[[start, end], ...]``).

    ``weight`` is the item's contribution to the label's logit. The ``k`` largest positive
    contributions come first; with ``negative`` the ``k`` most negative follow them. With
    ``k=None`` every non-zero item is returned, unrounded. ``offsets[i]`` is passage ``i``'s
    start in the submitted text, so spans are absolute. ``X`` is the feature matrix or just
    its sparse block (``transform(..., split=True)[0]``): the word-vector columns are
    explained through ``spans``.
    """
    X = X if sp.issparse(X) and X.format == "csr" else sp.csr_matrix(X)
    n = X.shape[0]
    t = featurizer.tables()
    n_sparse = featurizer.n_sparse_
    rows_s = np.repeat(np.arange(n), np.diff(X.indptr))
    cols_s, data_s = X.indices.astype(np.int64), X.data
    if X.shape[1] > n_sparse:  # the whole matrix: its word-vector columns are explained below
        mask = cols_s < n_sparse
        rows_s, cols_s, data_s = rows_s[mask], cols_s[mask], data_s[mask]
    n_vec = len(spans.vec_id) if featurizer.use_vectors else 0
    # every contribution, (labels, entries): the sparse cells, then the tokens' vector shares
    contrib = np.empty((len(labels), len(cols_s) + n_vec))
    np.multiply(coef.take(cols_s, axis=1), data_s, out=contrib[:, :len(cols_s)])
    rows_all, keys_all = rows_s, cols_s
    if n_vec:
        proj = _projection(featurizer, coef)
        np.multiply(proj.take(spans.vec_id, axis=1), spans.vec_factor, out=contrib[:, len(cols_s):])
        vec_keys = t.vec_col[spans.vec_id]
        vec_keys = np.where(vec_keys >= 0, vec_keys, n_sparse + spans.vec_id)
        rows_all = np.concatenate([rows_s, spans.vec_row])
        keys_all = np.concatenate([cols_s, vec_keys])
    width = n_sparse + (len(t.vec_words) if t.vec_words is not None else 0)

    # occurrences sorted by (passage, key), so the spans of any item are one slice
    occ_code = spans.occ_row * width + spans.occ_key
    occ_order = np.argsort(occ_code, kind="stable")
    occ_sorted = occ_code[occ_order]
    base = np.asarray(offsets, dtype=np.int64)[spans.occ_row[occ_order]] if len(occ_order) else occ_order
    occ_start = spans.occ_start[occ_order] + base
    occ_end = spans.occ_end[occ_order] + base

    # one entry per (passage, item): word, word pair, lexicon category or vector-only word
    code = rows_all * width + keys_all
    first, inverse = _unique(code)
    uniq, u_row, u_key = code[first], rows_all[first], keys_all[first]
    # each item's occurrences, occ_sorted[lo_all[i]:hi_all[i]]; from Featurizer.transform the
    # items are exactly the distinct occurrences, which spares the binary searches
    lo_all = np.flatnonzero(run_starts(occ_sorted))
    if len(lo_all) == len(uniq) and np.array_equal(occ_sorted[lo_all], uniq):
        hi_all = np.append(lo_all[1:], len(occ_sorted))
    else:
        lo_all = np.searchsorted(occ_sorted, uniq, "left")
        hi_all = np.searchsorted(occ_sorted, uniq, "right")
    display = _display_names(featurizer)

    per_label = []
    passages = np.arange(n + 1)
    for li in range(len(labels)):
        sums = np.bincount(inverse, weights=contrib[li], minlength=len(uniq))
        idx = _picks(u_row, sums, k, negative)
        weights = np.round(sums[idx], 4) if k is not None else sums[idx]
        # the picked items' spans, gathered in one go: item i owns pairs[bounds[i]:bounds[i+1]]
        lo, count = lo_all[idx], hi_all[idx] - lo_all[idx]
        bounds = np.zeros(len(idx) + 1, dtype=np.int64)
        np.cumsum(count, out=bounds[1:])
        occ = np.arange(bounds[-1]) + np.repeat(lo - bounds[:-1], count)
        pairs = list(zip(occ_start[occ].tolist(), occ_end[occ].tolist()))
        ends = bounds.tolist()
        items = [{"feature": display[key], "weight": w, "spans": pairs[a:b]}
                 for key, w, a, b in zip(u_key[idx].tolist(), weights.tolist(), ends, ends[1:])]
        cut = np.searchsorted(u_row[idx], passages).tolist()  # rows ascending: each passage one slice
        per_label.append([items[a:b] for a, b in zip(cut, cut[1:])])
    return [dict(zip(labels, row)) for row in zip(*per_label)] if per_label else [{} for _ in range(n)]
