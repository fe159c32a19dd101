"""The passage model's recipes and how one is fitted: ``CANDIDATES`` (feature set x
classifier) and ``fit_candidate`` (per label: C chosen by cross-validation on train grouped
by story, Platt calibration folded into the linear weights, optional per-passage sample
weights). Used by ``training.train`` (choose and fit the shipped model) and ``training.loso``
(refit the same recipe without one source).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold
from sklearn.svm import LinearSVC

from scoring.features import Featurizer
from scoring.labels import LABELS

C_GRID = (0.25, 1.0, 4.0, 16.0)


@dataclass(frozen=True)
class Candidate:
    name: str
    use_words: bool
    use_lexicon: bool
    classifier: str  # "logreg" | "svm"
    chars: bool = False  # add character n-grams (comparison only: not traceable to words)
    use_vectors: bool = False  # add the idf-weighted mean word vector (scoring/vectors/)
    vector_scale: float = 0.5

    @property
    def explainable(self) -> bool:
        return not self.chars


CANDIDATES = (
    Candidate("words+lexicon/logreg", True, True, "logreg"),
    Candidate("words/logreg", True, False, "logreg"),
    Candidate("lexicon/logreg", False, True, "logreg"),
    Candidate("words+lexicon/svm", True, True, "svm"),
    Candidate("words+chars/logreg", True, False, "logreg", chars=True),
    Candidate("words+lexicon+vectors/logreg", True, True, "logreg", use_vectors=True, vector_scale=0.5),
    Candidate("words+lexicon+vectors1/logreg", True, True, "logreg", use_vectors=True, vector_scale=1.0),
    Candidate("words+vectors/logreg", True, False, "logreg", use_vectors=True, vector_scale=0.5),
    Candidate("words+lexicon+vectors/svm", True, True, "svm", use_vectors=True, vector_scale=0.5),
)


def _classifier(kind: str, C: float, seed: int):
    if kind == "svm":
        return LinearSVC(C=C / 8, class_weight="balanced", random_state=seed, max_iter=5000)
    return LogisticRegression(C=C, class_weight="balanced", solver="liblinear", random_state=seed, max_iter=2000)


def _char_block(train_texts, other_texts_list):
    from sklearn.feature_extraction.text import TfidfVectorizer

    vec = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 5), min_df=2, sublinear_tf=True, lowercase=True)
    Xtr = vec.fit_transform(train_texts)
    return Xtr, [vec.transform(t) for t in other_texts_list]


def fit_features(cand: Candidate, docs_train, docs_others, min_df: int):
    """The candidate's featuriser fitted on ``docs_train``: (featuriser, train matrix, [the
    matrix of each list in ``docs_others``])."""
    feat = Featurizer(min_df=min_df, use_words=cand.use_words, use_lexicon=cand.use_lexicon,
                      use_vectors=cand.use_vectors, vector_scale=cand.vector_scale)
    Xtr = feat.fit_transform(docs_train)
    Xothers = [feat.transform(d) for d in docs_others]
    if cand.chars:
        Ctr, Cothers = _char_block([d.text for d in docs_train], [[d.text for d in o] for o in docs_others])
        Xtr = sp.hstack([Xtr, Ctr]).tocsr()
        Xothers = [sp.hstack([X, C]).tocsr() for X, C in zip(Xothers, Cothers)]
    return feat, Xtr, Xothers


def _platt(z: np.ndarray, y: np.ndarray, seed: int, sample_weight: np.ndarray | None = None) -> tuple[float, float]:
    lr = LogisticRegression(C=1e4, solver="lbfgs", random_state=seed).fit(z.reshape(-1, 1), y, sample_weight=sample_weight)
    return float(lr.coef_[0, 0]), float(lr.intercept_[0])


def fit_candidate(cand: Candidate, X, Y, groups, seed: int, folds: int, sample_weight: np.ndarray | None = None):
    """Per label: CV-chosen C, Platt-calibrated linear weights. Returns (coef, intercept, info,
    out-of-fold calibrated logits of the training passages (n, labels)). ``sample_weight``
    (per passage; ``training.loso.source_weights``) weighs the fits, the choice of C and the
    calibration."""
    from sklearn.metrics import average_precision_score

    cv = GroupKFold(n_splits=folds)
    splits = list(cv.split(X, Y[:, 0], groups))
    coefs, intercepts, info, oof_logits = [], [], {}, []
    for j, label in enumerate(LABELS):
        y = Y[:, j]
        best = None
        for C in C_GRID:
            oof = np.zeros(len(y))
            for tr, va in splits:
                if y[tr].min() == y[tr].max():
                    continue
                clf = _classifier(cand.classifier, C, seed).fit(
                    X[tr], y[tr], sample_weight=None if sample_weight is None else sample_weight[tr])
                oof[va] = clf.decision_function(X[va])
            ap = average_precision_score(y, oof, sample_weight=sample_weight) if 0 < y.sum() < len(y) else 0.0
            if best is None or ap > best[0] + 1e-9:
                best = (ap, C, oof)
        ap, C, oof = best
        a, b = _platt(oof, y, seed, sample_weight)
        clf = _classifier(cand.classifier, C, seed).fit(X, y, sample_weight=sample_weight)
        w = np.asarray(clf.coef_).ravel()
        coefs.append(a * w)
        intercepts.append(a * float(np.ravel(clf.intercept_)[0]) + b)
        oof_logits.append(a * oof + b)
        info[label] = {"C": C, "cv_average_precision": round(float(ap), 4), "platt": [round(a, 4), round(b, 4)]}
    return np.vstack(coefs), np.array(intercepts), info, np.vstack(oof_logits).T
