"""Evaluate a model bundle against two baselines: ``python -m training.evaluate``.

    python -m training.evaluate                                  # CURRENT model, test split
    python -m training.evaluate --model m-1a2b3c4d-s13 --split dev --source voa --json out.json

For each label: precision, recall and F1 at the model's shipped threshold, ROC-AUC, average
precision, Brier score, calibration error and the confusion counts; macro averages; the
same for the keyword-lexicon baseline and the majority (constant) baseline on the same
passages, side by side; then, on the passages with two or more labelled countries, pair-level
precision, recall and F1 per label against the co-occurrence rule (every pair takes its
passage's labels) and agent accuracy for coercion and human_rights (``training.pairs.report``);
then the same scores split by source (with each source's calibration error) and by the decade
of the story; then the model's worst errors (confident false positives and negatives).
``--loso`` adds leave-one-source-out results (``training.loso``): for every real source, the
model's recipe (its candidate and source weighting, from its manifest) retrained without that
source and measured on all of its passages, beside the keyword baseline and, for pairs, the
co-occurrence rule; it takes about ten seconds a source. ``--json`` also writes everything as JSON. ``--data`` takes any JSON-lines file
of labelled passages in the corpus format (``text``, ``labels``, ``split``, ...), so users
can evaluate on their own data.
"""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

from scoring.labels import AGENT_LABELS, LABELS
from scoring.model import Model, ModelError
from training import baselines, corpus, loso
from training import pairs as pair_training
from training.metrics import format_table, report


def worst_errors(rows, Y, P, thresholds, n: int) -> list[dict]:
    errs = []
    for j, label in enumerate(LABELS):
        for i in range(len(rows)):
            pred = P[i, j] >= thresholds[j]
            if pred != bool(Y[i, j]):
                errs.append({"id": rows[i].get("id"), "label": label, "kind": "false positive" if pred else "false negative",
                             "score": round(float(P[i, j]), 4), "text": rows[i]["text"][:300],
                             "margin": abs(float(P[i, j]) - thresholds[j])})
    errs.sort(key=lambda e: -e["margin"])
    return errs[:n]


def evaluate(model: Model, rows: list[dict], train_rows: list[dict]) -> dict:
    mentions = corpus.passage_mentions(rows)
    docs = corpus.to_docs(rows, mentions)
    Y = corpus.label_matrix(rows)
    logits = model.logits(model.featurizer.transform(docs))
    P = 1.0 / (1.0 + np.exp(-logits))
    prevalence = corpus.label_matrix(train_rows).mean(axis=0) if train_rows else Y.mean(axis=0)
    reports = {
        "model": report(Y, P, model.thresholds, LABELS),
        "keyword": report(Y, baselines.keyword_scores(docs), baselines.KEYWORD_THRESHOLDS, LABELS),
        "majority": report(Y, baselines.majority_scores(len(rows), prevalence), baselines.majority_thresholds(), LABELS),
    }
    pairs = pair_training.report(model.pairs, rows, mentions, logits, model.thresholds)
    # the same pair model given the labelled passage labels (an oracle passage model): how much
    # of the pair error is the passage model's, how much the relation model's
    oracle = pair_training.report(model.pairs, rows, mentions, np.where(Y > 0, 30.0, -30.0), model.thresholds)
    pairs["with_labelled_passage_labels"] = {
        "macro_f1": oracle["macro_f1"], **{label: {k: v["f1"] for k, v in oracle[label].items()} for label in LABELS}}
    return {"reports": reports, "pairs": pairs, "Y": Y, "P": P}


def format_pairs(pairs: dict) -> str:
    lines = [f"pairs: {pairs['passages']} passages with two or more countries, {pairs['labelled_pairs']} labelled "
             f"pairs, {pairs['found_pairs']} found by the recogniser",
             f"{'label':<14}{'model P':>9}{'R':>7}{'F1':>7}   {'co-occurrence P':>16}{'R':>7}{'F1':>7}{'support':>9}"]
    for label in LABELS:
        m, c = pairs[label]["model"], pairs[label]["co_occurrence"]
        lines.append(f"{label:<14}{m['precision']:>9.3f}{m['recall']:>7.3f}{m['f1']:>7.3f}   "
                     f"{c['precision']:>16.3f}{c['recall']:>7.3f}{c['f1']:>7.3f}{m['support']:>9}")
    lines.append(f"{'macro F1':<14}{pairs['macro_f1']['model']:>23.3f}   {pairs['macro_f1']['co_occurrence']:>30.3f}")
    oracle = pairs.get("with_labelled_passage_labels")
    if oracle:
        lines.append(f"{'gold passages':<14}{oracle['macro_f1']['model']:>23.3f}   {oracle['macro_f1']['co_occurrence']:>30.3f}"
                     "   (macro F1 given the labelled passage labels)")
    for label in AGENT_LABELS:
        a = pairs[f"agent_accuracy_{label}"]
        acc = "-" if a["accuracy"] is None else f"{a['accuracy']:.3f}"
        lines.append(f"agent accuracy, {label}: {acc} on {a['pairs']} labelled pairs the recogniser finds "
                     f"(of {a['labelled_pairs']})")
    return "\n".join(lines)


def main(argv=None, prog: str = "python -m training.evaluate") -> int:
    ap = argparse.ArgumentParser(prog=prog, description=__doc__.split("\n")[0],
                                 epilog="example: tension evaluate --split dev --json out.json")
    ap.add_argument("--model", default=None, help="model version in the models directory (default: CURRENT)")
    ap.add_argument("--models", default=None, help="models directory (default: ./models)")
    ap.add_argument("--data", type=Path, default=corpus.PASSAGES, help="labelled passages (JSON lines)")
    ap.add_argument("--split", default="test", help="train, dev, test or all (default: test)")
    ap.add_argument("--source", default="all",
                    help="a source (voa, wikinews, us_president, whitehouse, state_dept, cia_factbook, written) or all")
    ap.add_argument("--loso", action="store_true",
                    help="also retrain without each real source in turn and measure on it (about 10 s a source)")
    ap.add_argument("--worst", type=int, default=10, help="how many worst errors to list")
    ap.add_argument("--json", type=Path, default=None, help="also write the results as JSON here")
    args = ap.parse_args(argv)

    try:
        model = Model.load(version=args.model, models=args.models)
    except ModelError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if not args.data.exists():
        print(f"error: {args.data} not found", file=sys.stderr)
        return 2
    rows_all = corpus.load(args.data)
    rows = [r for r in rows_all if (args.split == "all" or r.get("split") == args.split)
            and (args.source == "all" or r.get("source") == args.source)]
    if not rows:
        print(f"error: no passages with split={args.split} source={args.source} in {args.data}", file=sys.stderr)
        return 2
    train_rows = [r for r in rows_all if r.get("split") == "train"]
    res = evaluate(model, rows, train_rows)
    reports = res["reports"]
    worst = worst_errors(rows, res["Y"], res["P"], model.thresholds, args.worst)

    print(f"model {model.version} on {len(rows)} passages (split={args.split}, source={args.source}, data={args.data})")
    print(format_table(reports, LABELS))
    print(format_pairs(res["pairs"]))
    by_source = loso.split_by(rows, res["Y"], res["P"], model.thresholds, lambda r: r.get("source"))
    by_decade = loso.split_by(rows, res["Y"], res["P"], model.thresholds, loso.decade)
    print("\nby source (ECE: calibration error, macro over labels):")
    print(loso.format_groups("source", by_source))
    print("\nby decade of the story (written passages have none):")
    print(loso.format_groups("decade", by_decade))
    loso_res = None
    if args.loso:
        from training.recipes import CANDIDATES

        recipe = model.manifest.get("hyperparameters", {})
        cand = next((c for c in CANDIDATES if c.name == recipe.get("candidate")), None)
        if cand is None:
            print(f"error: the model's candidate {recipe.get('candidate')!r} is not one training.train knows",
                  file=sys.stderr)
            return 2
        loso_res = loso.leave_one_source_out(rows_all, cand, weighting=recipe.get("source_weighting", "none"),
                                             seed=recipe.get("seed", 13), folds=recipe.get("folds", 5),
                                             min_df=recipe.get("features", {}).get("min_df", 2),
                                             progress=lambda m: print(m, file=sys.stderr, flush=True))
        print(f"\nleave one source out ({cand.name}, source weighting {recipe.get('source_weighting', 'none')}): "
              "trained on the train split of every other source, thresholds on their pooled dev split, "
              "measured on every passage of the source left out:")
        print(loso.format_groups("left out", loso_res, with_baselines=True))
    print("\nworst errors of the model:")
    for e in worst:
        print(f"  {e['kind']:<15} {e['label']:<13} score {e['score']:.3f}  {e['id']}: {e['text'][:110]}")
    if args.json:
        payload = {"model": model.version, "split": args.split, "source": args.source, "passages": len(rows),
                   "data_sha256": corpus.file_sha256(args.data), "reports": reports, "pairs": res["pairs"],
                   "by_source": by_source, "by_decade": by_decade, "leave_one_source_out": loso_res,
                   "worst_errors": [{k: v for k, v in e.items() if k != "margin"} for e in worst]}
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")
        print(f"wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
