"""Explain passage scores: which features pushed each label's score up (or down), and where.

The model is linear in its features, so the explanation is exact: for passage ``i`` and
label ``l`` the contribution of feature ``j`` is ``X[i, j] * coef[l, j]``, and the
contributions of all features plus the label's intercept add up to the logit whose sigmoid
is the score. :func:`contributions` returns them all; :func:`top_features` the strongest
few, with the character spans (into the submitted text) where each feature occurs.
"""
from __future__ import annotations

import numpy as np


def display_name(feature: str) -> str:
    """``w:coast guard`` -> ``coast guard``; lexicon features keep their ``cameo:`` prefix."""
    return feature[2:] if feature.startswith("w:") else feature


def contributions(X, coef: np.ndarray, row: int, label: int) -> dict[int, float]:
    """Every non-zero feature contribution of one passage to one label's logit."""
    lo, hi = X.indptr[row], X.indptr[row + 1]
    cols = X.indices[lo:hi]
    vals = X.data[lo:hi] * coef[label, cols]
    return {int(c): float(v) for c, v in zip(cols, vals)}


def top_features(X, coef: np.ndarray, where_rows: list[dict], feature_names: list[str], offsets: list[int],
                 labels: tuple[str, ...], k: int = 5, negative: bool = False) -> list[dict]:
    """Per passage: ``{label: [{"feature", "weight", "spans"}, ...]}``, strongest first.

    ``weight`` is the feature's contribution to the label's logit. Positive contributions
    come first (up to ``k``); with ``negative`` the ``k`` most negative follow them.
    ``offsets[i]`` is passage ``i``'s start in the submitted text, so spans are absolute.
    """
    out = []
    indptr, indices, data = X.indptr, X.indices, X.data
    for row in range(X.shape[0]):
        lo, hi = indptr[row], indptr[row + 1]
        cols = indices[lo:hi]
        vals = data[lo:hi]
        where = where_rows[row]
        base = offsets[row]
        per_label = {}
        contrib = vals[None, :] * coef[:, cols]  # (labels, nnz)
        for li, label in enumerate(labels):
            c = contrib[li]
            items = []
            if len(c):
                order = np.argsort(-c, kind="stable")
                picks = [j for j in order[:k] if c[j] > 0]
                if negative:
                    picks += [j for j in order[::-1][:k] if c[j] < 0]
                for j in picks:
                    col = int(cols[j])
                    items.append({
                        "feature": display_name(feature_names[col]),
                        "weight": round(float(c[j]), 4),
                        "spans": [[base + s, base + e] for s, e in where.get(col, ())],
                    })
            per_label[label] = items
        out.append(per_label)
    return out
