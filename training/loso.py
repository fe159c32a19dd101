"""How the scores carry to a publisher the model never saw: leave one source out, and
measure per source and per decade.

``leave_one_source_out(rows, ...)`` trains, for every real source S of the corpus (VOA,
Wikinews, US presidential addresses, the White House, the State Department, the CIA World
Factbook ...), the passage model and the pair model on the *train* split of every other
source (written passages included), with the same pipeline as ``training.train``
(cross-validated C, Platt calibration folded into the weights), chooses the thresholds on
the pooled *dev* split of those other sources, and measures on every passage of S, which
the model never saw: per-label and macro precision, recall, F1, ROC-AUC and calibration
error, beside the keyword and majority baselines; pair-level F1 beside the co-occurrence
rule. ``by_decade`` and ``by_source`` split one model's scores by the decade of the story and
by source.

Used by ``python -m training.evaluate --loso`` (and ``--by-decade``); the candidate
(features and classifier) and the source weighting are those of the model being evaluated.
"""
from __future__ import annotations

import time
from typing import Callable

import numpy as np

from scoring.labels import LABELS
from training import baselines, corpus
from training import pairs as pair_training
from training.metrics import best_f1_threshold, calibration_floor, report
from training.recipes import fit_candidate, fit_features

WRITTEN = "written"


def real_sources(rows: list[dict]) -> list[str]:
    return sorted({r["source"] for r in rows if r["source"] != WRITTEN})


def decade(row: dict) -> str | None:
    """``"1990s"`` for a story published in 1990-1999; None for written passages or no date."""
    published = row.get("published")
    if not published or len(str(published)) < 4 or not str(published)[:4].isdigit():
        return None
    return f"{str(published)[:3]}0s"


def source_weights(rows: list[dict], scheme: str) -> np.ndarray:
    """Per-passage sample weights: ``none`` (all 1), or ``sqrt``: each source's passages
    weigh (n_mean / n_source) ** 0.5, so a large source counts less per passage and a small
    one more, without any source outweighing its data; the mean weight stays 1."""
    if scheme == "none":
        return np.ones(len(rows))
    if scheme != "sqrt":
        raise ValueError(f"unknown source weighting {scheme!r} (none, sqrt)")
    counts: dict[str, int] = {}
    for r in rows:
        counts[r["source"]] = counts.get(r["source"], 0) + 1
    mean = len(rows) / len(counts)
    w = np.array([(mean / counts[r["source"]]) ** 0.5 for r in rows])
    return w * (len(rows) / w.sum())


def fit_without(rows: list[dict], mentions: list, left_out: str, candidate, weighting: str, seed: int,
                folds: int, min_df: int):
    """Passage and pair model trained without ``left_out``: (featurizer, coef, intercept,
    thresholds, pair model)."""
    train = [i for i, r in enumerate(rows) if r["split"] == "train" and r["source"] != left_out]
    dev = [i for i, r in enumerate(rows) if r["split"] == "dev" and r["source"] != left_out]
    tr_rows, dev_rows = [rows[i] for i in train], [rows[i] for i in dev]
    tr_ment, dev_ment = [mentions[i] for i in train], [mentions[i] for i in dev]
    docs_tr, docs_dev = corpus.to_docs(tr_rows, tr_ment), corpus.to_docs(dev_rows, dev_ment)
    feat, Xtr, (Xdev,) = fit_features(candidate, docs_tr, [docs_dev], min_df)
    groups = np.array([r["story_id"] for r in tr_rows])
    coef, intercept, _, oof = fit_candidate(candidate, Xtr, corpus.label_matrix(tr_rows), groups, seed, folds,
                                            sample_weight=source_weights(tr_rows, weighting))
    Zdev = np.asarray(Xdev @ coef.T) + intercept
    Pdev = 1.0 / (1.0 + np.exp(-Zdev))
    Ydev = corpus.label_matrix(dev_rows)
    thresholds = np.array([best_f1_threshold(Ydev[:, j], Pdev[:, j]) for j in range(len(LABELS))])
    pair_model, _ = pair_training.fit_tuned(tr_rows, tr_ment, oof, dev_rows, dev_ment, Zdev, seed=seed, folds=folds)
    return feat, coef, intercept, thresholds, pair_model


def leave_one_source_out(rows: list[dict], candidate, weighting: str = "none", seed: int = 13, folds: int = 5,
                         min_df: int = 2, sources: list[str] | None = None, measure: str = "all",
                         progress: Callable[[str], None] | None = None, mentions: list | None = None) -> dict:
    """Per real source: the model trained without it, measured on all of its passages
    (``measure="all"``), or only on its dev split (``"dev"``: for choosing a recipe, so the
    test split stays unseen)."""
    mentions = corpus.passage_mentions(rows) if mentions is None else mentions
    out = {}
    for source in sources or real_sources(rows):
        t = time.time()
        feat, coef, intercept, thresholds, pair_model = fit_without(rows, mentions, source, candidate, weighting,
                                                                     seed, folds, min_df)
        test = [i for i, r in enumerate(rows) if r["source"] == source and measure in ("all", r["split"])]
        te_rows, te_ment = [rows[i] for i in test], [mentions[i] for i in test]
        docs = corpus.to_docs(te_rows, te_ment)
        Z = np.asarray(feat.transform(docs) @ coef.T) + intercept
        P = 1.0 / (1.0 + np.exp(-Z))
        Y = corpus.label_matrix(te_rows)
        others = [r for r in rows if r["split"] == "train" and r["source"] != source]
        prevalence = corpus.label_matrix(others).mean(axis=0)
        out[source] = {
            "passages": len(te_rows),
            "calibration_floor": calibration_floor(P),
            "positives": {label: int(Y[:, j].sum()) for j, label in enumerate(LABELS)},
            "thresholds": {label: float(t_) for label, t_ in zip(LABELS, thresholds)},
            "model": report(Y, P, thresholds, LABELS),
            "keyword": report(Y, baselines.keyword_scores(docs), baselines.KEYWORD_THRESHOLDS, LABELS),
            "majority": report(Y, baselines.majority_scores(len(te_rows), prevalence), baselines.majority_thresholds(),
                               LABELS),
            "pairs": pair_training.report(pair_model, te_rows, te_ment, Z, thresholds),
        }
        if progress:
            m = out[source]["model"]["macro"]
            progress(f"left out {source}: {len(te_rows)} passages, macro ROC-AUC {m['roc_auc']:.3f}, "
                     f"F1 {m['f1']:.3f}, calibration error {m['calibration_error']:.3f} ({time.time() - t:.0f}s)")
    return out


def split_by(rows: list[dict], Y: np.ndarray, P: np.ndarray, thresholds, key: Callable[[dict], str | None]) -> dict:
    """One model's report per group of passages (``key`` gives a passage's group; None skips it)."""
    groups: dict[str, list[int]] = {}
    for i, r in enumerate(rows):
        k = key(r)
        if k is not None:
            groups.setdefault(k, []).append(i)
    return {k: {"passages": len(ix), "positives": {label: int(Y[ix, j].sum()) for j, label in enumerate(LABELS)},
                "model": report(Y[ix], P[ix], thresholds, LABELS), "calibration_floor": calibration_floor(P[ix])}
            for k, ix in sorted(groups.items())}


def format_groups(title: str, groups: dict, with_baselines: bool = False) -> str:
    """A text table: one line per group with macro ROC-AUC, F1 and calibration error (ECE)
    beside the error a perfectly calibrated model would show on as many passages (floor), and
    the per-label F1 (``-`` where a label has no positives in the group)."""
    head = (f"{title:<16}{'passages':>9}{'ROC-AUC':>9}{'F1':>7}{'ECE':>7}{'floor':>7}  "
            + "".join(f"{'F1 ' + l[:8]:>13}" for l in LABELS))
    if with_baselines:
        head += f"{'keyword F1':>12}{'pair F1':>9}{'co-occ F1':>10}"
    lines = [head]

    def num(v):
        return "    -" if v is None else f"{v:.3f}"
    for k, g in groups.items():
        m = g["model"]
        per = "".join(f"{(num(m['labels'][l]['f1']) if g['positives'][l] else '-'):>13}" for l in LABELS)
        line = (f"{k:<16}{g['passages']:>9}{num(m['macro']['roc_auc']):>9}{num(m['macro']['f1']):>7}"
                f"{num(m['macro']['calibration_error']):>7}{num(g['calibration_floor']):>7}  {per}")
        if with_baselines:
            line += (f"{num(g['keyword']['macro']['f1']):>12}{num(g['pairs']['macro_f1']['model']):>9}"
                     f"{num(g['pairs']['macro_f1']['co_occurrence']):>10}")
        lines.append(line)
    return "\n".join(lines)
