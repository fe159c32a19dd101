"""Explain passage scores: which words pushed each label's score up (or down), and where.

The model is linear in its features, so the explanation is exact. A passage's logit for a
label is the intercept plus the contributions of:
- each sparse feature ``j`` (word, word pair, ``cameo:`` lexicon category):
  ``X[i, j] * coef[label, j]``;
- each word that carries a word vector: its share of the dense block,
  ``factor * vectors[row] @ coef[label, dense]`` (see ``scoring.features.Spans``).
A word's unigram contribution and its word-vector share are reported together, under the
word itself. :func:`explain_rows` with ``k=None`` returns every item, and those add up,
with the intercept, to the logit whose sigmoid is the score (tests check it).
"""
from __future__ import annotations

import numpy as np

from .features import Featurizer, Spans, load_vectors


def display_name(feature: str) -> str:
    """``w:coast guard`` -> ``coast guard``; lexicon features keep their ``cameo:`` prefix."""
    return feature[2:] if feature.startswith("w:") else feature


def explain_rows(X, coef: np.ndarray, spans: Spans, featurizer: Featurizer, offsets: list[int],
                 labels: tuple[str, ...], k: int | None = 5, negative: bool = False) -> list[dict]:
    """Per passage: ``{label: [{"feature", "weight", "spans"}, ...]}``, strongest first.

    ``weight`` is the item's contribution to the label's logit. The ``k`` largest positive
    contributions come first; with ``negative`` the ``k`` most negative follow them. With
    ``k=None`` every non-zero item is returned. ``offsets[i]`` is passage ``i``'s start in the
    submitted text, so spans are absolute.
    """
    names = featurizer.feature_names_
    n_sparse = featurizer.n_sparse_
    dense_w = coef[:, n_sparse:]
    table = load_vectors()[1] if featurizer.use_vectors else None
    out = []
    indptr, indices, data = X.indptr, X.indices, X.data
    for row in range(X.shape[0]):
        lo, hi = indptr[row], indptr[row + 1]
        cols = indices[lo:hi]
        keep = cols < n_sparse
        cols, vals = cols[keep], data[lo:hi][keep]
        contrib = vals[None, :] * coef[:, cols]  # (labels, nnz)
        base = offsets[row]
        where = spans.where[row]
        keys = [display_name(names[c]) for c in cols]
        item_spans = {key: [[base + s, base + e] for s, e in where.get(int(c), ())] for key, c in zip(keys, cols)}
        words = spans.words[row]
        if words and table is not None:
            vec_rows = np.fromiter((w[2] for w in words), dtype=np.int64, count=len(words))
            factors = np.fromiter((w[3] for w in words), dtype=np.float64, count=len(words))
            shares = (table[vec_rows] @ dense_w.T) * factors[:, None]  # (words, labels)
        per_label = {}
        for li, label in enumerate(labels):
            totals: dict[str, float] = dict(zip(keys, contrib[li].tolist()))
            if words and table is not None:
                for (word, (s, e), _, _), share in zip(words, shares[:, li].tolist()):
                    totals[word] = totals.get(word, 0.0) + share
                    spans_of = item_spans.setdefault(word, [])
                    span = [base + s, base + e]
                    if span not in spans_of:
                        spans_of.append(span)
            ranked = sorted(totals.items(), key=lambda kv: -kv[1])
            if k is None:
                picks = [kv for kv in ranked if kv[1] != 0.0]
            else:
                picks = [kv for kv in ranked[:k] if kv[1] > 0]
                if negative:
                    picks += [kv for kv in ranked[::-1][:k] if kv[1] < 0]
            per_label[label] = [{"feature": key, "weight": round(w, 4) if k is not None else w,
                                 "spans": sorted(item_spans.get(key, []))} for key, w in picks]
        out.append(per_label)
    return out
