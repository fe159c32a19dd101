"""Train, select, calibrate and write a model bundle: ``python -m training.train``.

What it does, in order (each step prints a progress line to stderr):
1. loads ``training/data/passages.jsonl`` and finds the country mentions of every passage
   with the same recogniser as the service (they are masked as ``COUNTRY`` tokens);
2. for every candidate (feature set x classifier: word n-grams, the CAMEO lexicon, word
   vectors, logistic regression or a linear SVM; character n-grams with
   ``--compare-chars``) and every label, picks the
   regularisation strength by cross-validation on train, grouped by story (a story never
   sits on both sides of a fold), scored by average precision;
3. calibrates each label with Platt scaling fitted on the out-of-fold scores of train,
   folded into the linear weights (so explanations stay exact);
4. chooses the candidate with the best macro average precision on dev; a candidate whose
   features cannot be traced to words in the passage (character n-grams) is only chosen
   when it beats the best traceable one by more than ``--explainable-margin``. With
   ``--select loso`` the candidate *and* the source weighting (``--source-weighting``, the
   choices to compare) are chosen first, by leave-one-source-out results on dev
   (``training.loso``: for each real source, trained without it and measured on its dev
   split; of the recipes within one standard error of the best mean macro average precision
   over sources, the simplest: ``simplest_within_one_se``), so the recipe is the one that
   carries best to a publisher it never saw; the shipped model is trained so (minutes);
5. picks each label's decision threshold on dev (the middle of the best F1 plateau: F1 averaged
   over +-0.05 around each threshold; ties go to the value nearest 0.5);
6. measures dev and test once, and writes ``models/<version>/`` (``model.joblib`` +
   ``manifest.json``) atomically, then points ``models/CURRENT`` at it (unless
   ``--no-promote``).

Deterministic: the same data, options and seed give the same model bytes.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import sys
import time
from datetime import datetime, timezone
from pathlib import Path

import numpy as np

from scoring.features import VECTORS_PATH
from scoring.labels import LABELS, TENSION_FORMULA, TENSION_RULE
from scoring.model import CHECKOUT_MODELS_DIR, FORMAT_VERSION, MANIFEST_FILE, POINTER_FILE, save_bundle, sha256_file
from training import corpus
from training import pairs as pair_training
from training.metrics import best_f1_threshold, report
from training.recipes import C_GRID, CANDIDATES, fit_candidate, fit_features


def progress(msg: str) -> None:
    print(f"[train {time.strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


def _proba(X, coef, intercept) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-(np.asarray(X @ coef.T) + intercept)))


def _round(obj):
    if isinstance(obj, float):
        return round(obj, 4)
    if isinstance(obj, dict):
        return {k: _round(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_round(v) for v in obj]
    return obj


def output_dir(given: Path | None) -> Path:
    """Where a new bundle goes: ``--models``, else ``$TENSION_MODELS_DIR``, else the checkout's
    models/ (running from a checkout), else ./models (never inside an installed package)."""
    if given:
        return Path(given).resolve()
    if os.environ.get("TENSION_MODELS_DIR"):
        return Path(os.environ["TENSION_MODELS_DIR"]).resolve()
    if (CHECKOUT_MODELS_DIR.parent / "pyproject.toml").is_file():
        return CHECKOUT_MODELS_DIR
    return Path("models").resolve()


def write_bundle(models: Path, version: str, feat, coef, intercept, manifest: dict, promote: bool,
                 pair_model=None) -> Path:
    """Write models/<version>/ atomically (temp dir + rename), then repoint CURRENT atomically."""
    models.mkdir(parents=True, exist_ok=True)
    final = models / version
    if final.exists():
        raise SystemExit(f"error: models/{version} already exists; pass another --version or delete it")
    tmp = models / f".tmp-{version}-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    try:
        manifest["sha256"] = save_bundle(tmp, feat, coef, intercept, LABELS, pair_model)
        manifest["model_bytes"] = (tmp / "model.joblib").stat().st_size
        with open(tmp / MANIFEST_FILE, "w", encoding="utf-8") as f:
            json.dump(manifest, f, indent=2, sort_keys=True)
            f.write("\n")
            f.flush()
            os.fsync(f.fileno())
        os.rename(tmp, final)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    if promote:
        pointer_tmp = models / f".{POINTER_FILE}.{os.getpid()}"
        pointer_tmp.write_text(version + "\n", encoding="utf-8")
        os.replace(pointer_tmp, models / POINTER_FILE)
    return final


def simplest_within_one_se(table: list[dict]) -> dict:
    """The recipe ``--select loso`` takes: of the rows of ``table`` (one per recipe, in the order
    tried, each with ``per_source`` macro average precision), the simplest whose mean falls short
    of the best by no more than the standard error of that shortfall over the sources (the
    one-standard-error rule): a lead smaller than its own noise is no reason for more moving
    parts. Simplest: no source weights before ``sqrt``, then the earlier candidate."""
    def ap(row, source):
        return row["per_source"][source]["macro_average_precision"]

    top = max(table, key=lambda r: r["mean_macro_average_precision"])
    sources = [s for s in top["per_source"] if ap(top, s) is not None]
    within = []
    for k, row in enumerate(table):
        gaps = np.array([ap(top, s) - ap(row, s) for s in sources if ap(row, s) is not None])
        se = float(gaps.std(ddof=1) / np.sqrt(len(gaps))) if len(gaps) > 1 else 0.0
        if len(gaps) and float(gaps.mean()) <= se + 1e-12:
            within.append(((row["source_weighting"] != "none", k), row))
    return min(within, key=lambda x: x[0])[1]


def main(argv: list[str] | None = None, prog: str = "python -m training.train") -> int:
    ap = argparse.ArgumentParser(prog=prog, description=__doc__.split("\n")[0],
                                 epilog="example: tension train --data my_passages.jsonl --models ./models")
    ap.add_argument("--data", type=Path, default=corpus.PASSAGES, help="labelled passages (JSON lines)")
    ap.add_argument("--models", type=Path, default=None, help="models directory (default: $TENSION_MODELS_DIR, else the checkout's models/, else ./models)")
    ap.add_argument("--version", default=None,
                    help="bundle name (default: m-<UTC time>-<data sha256 prefix>-s<seed>)")
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--folds", type=int, default=5, help="cross-validation folds on train")
    ap.add_argument("--min-df", type=int, default=2, help="minimum passages a word feature must occur in")
    ap.add_argument("--candidates", default="all", help="comma-separated candidate names, or 'all'")
    ap.add_argument("--compare-chars", action="store_true",
                    help="also fit the character n-gram candidate (a comparison only; takes minutes)")
    ap.add_argument("--explainable-margin", type=float, default=0.01)
    ap.add_argument("--select", choices=("dev", "loso"), default="dev",
                    help="choose the recipe on the dev split (fast), or by leave-one-source-out dev results (minutes)")
    ap.add_argument("--source-weighting", default="none",
                    help="per-source sample weights: none or sqrt; with --select loso, a comma-separated list to compare")
    ap.add_argument("--no-promote", action="store_true", help="write the bundle but leave models/CURRENT alone")
    args = ap.parse_args(argv)

    t0 = time.time()
    if not args.data.exists():
        print(f"error: {args.data} not found; run `python -m training.corpus` first", file=sys.stderr)
        return 2
    rows = corpus.load(args.data)
    data_sha = corpus.file_sha256(args.data)
    split_rows = {s: [r for r in rows if r["split"] == s] for s in corpus.SPLITS}
    for s, rs in split_rows.items():
        if not rs:
            print(f"error: the {s} split of {args.data} is empty", file=sys.stderr)
            return 2
    progress(f"loaded {len(rows)} passages ({', '.join(f'{s}={len(r)}' for s, r in split_rows.items())})")
    mentions = {s: corpus.passage_mentions(rs) for s, rs in split_rows.items()}
    docs = {s: corpus.to_docs(rs, mentions[s]) for s, rs in split_rows.items()}
    Y = {s: corpus.label_matrix(rs) for s, rs in split_rows.items()}
    groups = np.array([r["story_id"] for r in split_rows["train"]])
    progress("country mentions found and masked")

    wanted = [c for c in CANDIDATES if args.candidates == "all" or c.name in args.candidates.split(",")]
    wanted = [c for c in wanted if args.compare_chars or not c.chars]
    if not wanted:
        print(f"error: no candidate matches {args.candidates!r}; known: {', '.join(c.name for c in CANDIDATES)}", file=sys.stderr)
        return 2
    weightings = args.source_weighting.split(",")
    for w in weightings:
        if w not in ("none", "sqrt"):
            print(f"error: unknown --source-weighting {w!r}; use none, sqrt or both (none,sqrt)", file=sys.stderr)
            return 2
    loso_table = None
    if args.select == "loso":
        from training import loso

        if len(loso.real_sources(rows)) < 2:
            print("error: --select loso needs passages from two or more real sources", file=sys.stderr)
            return 2
        every_mention = corpus.passage_mentions(rows)
        loso_table = []
        for cand in [c for c in wanted if c.explainable]:
            for w in weightings:
                per = loso.leave_one_source_out(rows, cand, weighting=w, seed=args.seed, folds=args.folds,
                                                min_df=args.min_df, measure="dev", mentions=every_mention)
                aps = [g["model"]["macro"]["average_precision"] for g in per.values()
                       if g["model"]["macro"]["average_precision"] is not None]
                loso_table.append({"candidate": cand.name, "source_weighting": w,
                                   "mean_macro_average_precision": float(np.mean(aps)),
                                   "per_source": {s: {"macro_average_precision": g["model"]["macro"]["average_precision"],
                                                      "macro_roc_auc": g["model"]["macro"]["roc_auc"],
                                                      "passages": g["passages"]} for s, g in per.items()}})
                progress(f"leave-one-source-out dev: {cand.name}, source weighting {w}: mean macro AP "
                         f"{loso_table[-1]['mean_macro_average_precision']:.3f}")
        best = simplest_within_one_se(loso_table)
        wanted = [c for c in wanted if c.name == best["candidate"]]
        weightings = [best["source_weighting"]]
    weighting = weightings[0]
    from training.loso import source_weights

    train_weights = source_weights(split_rows["train"], weighting)
    results = []
    for i, cand in enumerate(wanted, 1):
        t = time.time()
        feat, Xtr, (Xdev,) = fit_features(cand, docs["train"], [docs["dev"]], args.min_df)
        coef, intercept, info, oof = fit_candidate(cand, Xtr, Y["train"], groups, args.seed, args.folds,
                                                   sample_weight=None if weighting == "none" else train_weights)
        Pdev = _proba(Xdev, coef, intercept)
        dev = report(Y["dev"], Pdev, [0.5] * len(LABELS), LABELS)
        results.append({"candidate": cand, "feat": feat, "coef": coef, "intercept": intercept, "info": info, "dev": dev,
                        "Pdev": Pdev, "oof": oof})
        progress(f"candidate {i}/{len(wanted)} {cand.name}: dev macro AP {dev['macro']['average_precision']:.3f}, "
                 f"ROC-AUC {dev['macro']['roc_auc']:.3f}, {len(feat.feature_names_)} features ({time.time() - t:.1f}s)")

    def dev_ap(r):
        return r["dev"]["macro"]["average_precision"]

    explainable = [r for r in results if r["candidate"].explainable]
    best_any = max(results, key=dev_ap)
    best_expl = max(explainable, key=dev_ap) if explainable else best_any
    chosen = best_any if dev_ap(best_any) > dev_ap(best_expl) + args.explainable_margin else best_expl
    why = (f"best dev macro average precision ({dev_ap(chosen):.3f})" if chosen is best_any else
           f"best explainable candidate on dev macro average precision ({dev_ap(chosen):.3f}); "
           f"{best_any['candidate'].name} scored {dev_ap(best_any):.3f}, within the {args.explainable_margin} margin "
           "that does not justify features that cannot be traced to words")
    if loso_table is not None:
        why = (f"the simplest recipe within one standard error of the best mean macro average precision over "
               f"sources left out, on their dev splits ({best['mean_macro_average_precision']:.4f}, source "
               f"weighting {weighting})")
    progress(f"chose {chosen['candidate'].name}: {why}")
    if chosen["candidate"].chars:
        print("error: a character n-gram candidate won by a wide margin; it cannot be served with exact word "
              "explanations. Re-run with --explainable-margin 1 or --candidates excluding it.", file=sys.stderr)
        return 3

    thresholds = [best_f1_threshold(Y["dev"][:, j], chosen["Pdev"][:, j]) for j in range(len(LABELS))]
    progress("thresholds on dev (best smoothed F1): " + ", ".join(f"{l}={t:.2f}" for l, t in zip(LABELS, thresholds)))
    feat, coef, intercept = chosen["feat"], chosen["coef"], chosen["intercept"]
    metrics = {}
    for split in ("dev", "test"):
        P = _proba(feat.transform(docs[split]), coef, intercept)
        metrics[split] = report(Y[split], P, thresholds, LABELS)
        voa = np.array([r["source"] == "voa" for r in split_rows[split]])
        if voa.any() and not voa.all():
            metrics[f"{split}_voa_only"] = report(Y[split][voa], P[voa], thresholds, LABELS)
    progress(f"test macro F1 {metrics['test']['macro']['f1']:.3f}, macro ROC-AUC {metrics['test']['macro']['roc_auc']:.3f}")

    # the pair model: on train with the passages' out-of-fold logits, thresholds on train's pairs scored
    # out-of-fold pooled with dev's
    logits = {s: np.asarray(feat.transform(docs[s]) @ coef.T) + intercept for s in ("dev", "test")}
    logits["train"] = chosen["oof"]
    pair_model, pair_info = pair_training.fit_tuned(split_rows["train"], mentions["train"], logits["train"],
                                                    split_rows["dev"], mentions["dev"], logits["dev"],
                                                    seed=args.seed, folds=args.folds)
    progress(f"pair model: {pair_info['pairs']} training pairs, {pair_info['cues']} cues; thresholds on train "
             "(out-of-fold) and dev "
             + ", ".join(f"{l}={t:.2f}" for l, t in zip(LABELS, pair_model.thresholds)))
    for split in ("dev", "test"):
        metrics[f"{split}_pairs"] = pair_training.report(pair_model, split_rows[split], mentions[split], logits[split],
                                                         thresholds)
    progress(f"test pair macro F1 {metrics['test_pairs']['macro_f1']['model']:.3f} "
             f"(co-occurrence {metrics['test_pairs']['macro_f1']['co_occurrence']:.3f})")

    import joblib
    import scipy
    import sklearn

    cand = chosen["candidate"]
    version = args.version or f"m-{time.strftime('%Y%m%d-%H%M%S', time.gmtime())}-{data_sha[:8]}-s{args.seed}"
    manifest = {
        "version": version,
        "format_version": FORMAT_VERSION,
        "created": datetime.now(timezone.utc).replace(microsecond=0).isoformat(),
        "labels": list(LABELS),
        "thresholds": {l: t for l, t in zip(LABELS, thresholds)},
        "threshold_rule": "per label, the threshold in [0.05, 0.95] (step 0.01) with the best F1 on dev averaged over the "
                          "thresholds 0.05 either side; ties nearest 0.5",
        "tension_formula": TENSION_FORMULA,
        "tension_rule": TENSION_RULE,
        "pair_thresholds": {l: float(t) for l, t in zip(LABELS, pair_model.thresholds)},
        "pair_threshold_rule": "as threshold_rule, on the training pairs scored out-of-fold (passage and relation) "
                               "pooled with the dev pairs",
        "pair_model": pair_info,
        "training_data": {"path": str(args.data.as_posix()), "sha256": data_sha,
                          "passages": {s: len(r) for s, r in split_rows.items()}},
        "libraries": {"python": platform.python_version(), "scikit-learn": sklearn.__version__, "numpy": np.__version__,
                      "scipy": scipy.__version__, "joblib": joblib.__version__},
        "hyperparameters": {"candidate": cand.name, "features": {"words": cand.use_words, "lexicon": cand.use_lexicon,
                            "ngram_range": [1, 2], "min_df": args.min_df, "country_mentions_masked": True,
                                         "word_vectors": ({"file": "scoring/vectors/wordvec_128.npz", "sha256": sha256_file(VECTORS_PATH),
                                                           "scale": cand.vector_scale} if cand.use_vectors else None)},
                            "classifier": cand.classifier, "class_weight": "balanced", "seed": args.seed,
                            "source_weighting": weighting,
                            "folds": args.folds, "C_grid": list(C_GRID), "per_label": chosen["info"],
                            "n_features": len(feat.feature_names_)},
        "selection": {"rule": ("mean macro average precision over real sources left out in turn, on the dev "
                               "split of the source left out (training.loso), among explainable candidates and "
                               "source weightings: the simplest recipe (no weights first, then the candidates' "
                               "order) within one standard error, over the sources, of the best"
                               if loso_table is not None else
                               "best dev macro average precision among explainable candidates, unless a "
                               f"non-explainable one beats it by more than {args.explainable_margin}"),
                      "leave_one_source_out_dev": loso_table,
                      "why": why,
                      "candidates": [{"name": r["candidate"].name, "dev_macro_average_precision": dev_ap(r),
                                      "dev_macro_roc_auc": r["dev"]["macro"]["roc_auc"],
                                      "cv": r["info"]} for r in results]},
        "metrics": metrics,
        "training_seconds": round(time.time() - t0, 1),
    }
    manifest = _round(manifest)
    path = write_bundle(output_dir(args.models), version, feat, coef, intercept, manifest, not args.no_promote,
                        pair_model)
    progress(f"wrote {path} ({manifest['model_bytes']} bytes){'' if args.no_promote else ' and pointed CURRENT at it'} "
             f"in {time.time() - t0:.1f}s")
    print(json.dumps({"version": version, "path": str(path), "test_macro": metrics["test"]["macro"]}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
