"""Training writes complete, verifiable, deterministic bundles atomically; evaluation reproduces them."""
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from scoring.model import Model, ModelError, sha256_file
from training import corpus, evaluate, train

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture(scope="module")
def small_data(tmp_path_factory) -> Path:
    rows = corpus.load()
    picked = [r for r in rows if r["split"] == "train"][:500] + [r for r in rows if r["split"] == "dev"][:150] \
        + [r for r in rows if r["split"] == "test"][:100]
    path = tmp_path_factory.mktemp("data") / "passages.jsonl"
    path.write_text("".join(json.dumps(r) + "\n" for r in picked), encoding="utf-8")
    return path


def _train(data, models, version, *extra):
    argv = ["--data", str(data), "--models", str(models), "--version", version,
            "--candidates", "words+lexicon/logreg", "--folds", "3", *extra]
    assert train.main(argv) == 0
    return models / version


def _train_in_subprocess(data, models, version, hash_seed):
    env = dict(os.environ, PYTHONHASHSEED=str(hash_seed))
    proc = subprocess.run([sys.executable, "-m", "training.train", "--data", str(data), "--models", str(models),
                           "--version", version, "--candidates", "words+lexicon+vectors/logreg", "--folds", "3"],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    return models / version


def test_bundle_manifest_pointer_and_determinism(small_data, tmp_path):
    models = tmp_path / "models"
    # separate processes with different hash seeds: no dict or set order may leak into the bytes
    a = _train_in_subprocess(small_data, models, "a", 1)
    b = _train_in_subprocess(small_data, models, "b", 2)
    assert (models / "CURRENT").read_text().strip() == "b"
    man = json.loads((a / "manifest.json").read_text())
    for key in ("version", "created", "labels", "thresholds", "sha256", "training_data", "libraries",
                "hyperparameters", "metrics", "selection", "tension_formula"):
        assert key in man
    assert man["sha256"] == sha256_file(a / "model.joblib")
    assert man["training_data"]["sha256"] == corpus.file_sha256(small_data)
    assert set(man["metrics"]) >= {"dev", "test"}
    # same data and seed: the same model bytes
    assert sha256_file(a / "model.joblib") == sha256_file(b / "model.joblib")
    model = Model.load("a", models=models)
    assert model.labels == ("alliance", "coercion", "human_rights")


def test_no_promote_keeps_current(small_data, tmp_path):
    models = tmp_path / "models"
    _train(small_data, models, "first")
    _train(small_data, models, "second", "--no-promote")
    assert (models / "CURRENT").read_text().strip() == "first"


def test_crash_while_writing_leaves_nothing_loadable(small_data, tmp_path, monkeypatch):
    models = tmp_path / "models"
    _train(small_data, models, "good")

    def crash(*args, **kwargs):
        raise KeyboardInterrupt("killed mid-write")

    monkeypatch.setattr(train, "save_bundle", crash)
    with pytest.raises(KeyboardInterrupt):
        train.main(["--data", str(small_data), "--models", str(models), "--version", "bad",
                    "--candidates", "words+lexicon/logreg", "--folds", "3"])
    assert not (models / "bad").exists()
    assert [p.name for p in models.iterdir() if p.name.startswith(".tmp")] == []
    assert (models / "CURRENT").read_text().strip() == "good"
    Model.load(models=models)


def test_existing_version_is_not_overwritten(small_data, tmp_path):
    models = tmp_path / "models"
    _train(small_data, models, "same")
    with pytest.raises(SystemExit):
        _train(small_data, models, "same")


def test_committed_model_reproduces_its_manifest_metrics():
    model = Model.load()
    rows_all = corpus.load()
    assert corpus.file_sha256() == model.manifest["training_data"]["sha256"], \
        "training/data/passages.jsonl changed since the committed model was trained: retrain (README)"
    for split in ("dev", "test"):
        rows = [r for r in rows_all if r["split"] == split]
        got = evaluate.evaluate(model, rows, [])["reports"]["model"]
        want = model.manifest["metrics"][split]
        for label in model.labels:
            for key in ("f1", "roc_auc", "average_precision", "brier"):
                assert got["labels"][label][key] == pytest.approx(want["labels"][label][key], abs=1e-4), (split, label, key)


def test_evaluate_cli_writes_json(tmp_path, capsys):
    out = tmp_path / "eval.json"
    assert evaluate.main(["--split", "dev", "--source", "voa", "--json", str(out), "--worst", "3"]) == 0
    data = json.loads(out.read_text())
    assert set(data["reports"]) == {"model", "keyword", "majority"}
    assert len(data["worst_errors"]) == 3
    printed = capsys.readouterr().out
    assert "keyword" in printed and "majority" in printed


def test_train_refuses_missing_data(tmp_path, capsys):
    assert train.main(["--data", str(tmp_path / "nope.jsonl"), "--models", str(tmp_path)]) == 2
    assert "not found" in capsys.readouterr().err



def test_threshold_is_the_middle_of_the_best_plateau_not_a_lone_spike():
    """A narrow F1 spike on dev (one threshold that happens to split two tight clusters) does
    not pull the threshold to it; the broad plateau does."""
    from training.metrics import best_f1_threshold, label_metrics

    # 5 positives at 0.30 just above 10 negatives at 0.29: F1 0.98 at exactly 0.30 only;
    # 45 positives at 0.70-0.90 and 2 negatives at 0.40-0.50: F1 0.947 anywhere in 0.51-0.70
    p = np.r_[np.full(5, 0.30), np.linspace(0.70, 0.90, 45), np.full(10, 0.29), [0.40, 0.50]]
    y = np.r_[np.ones(50), np.zeros(12)].astype(int)
    assert best_f1_threshold(y, p, window=0) == 0.30  # the plain argmax takes the spike
    t = best_f1_threshold(y, p)
    assert 0.50 < t <= 0.70
    assert round(label_metrics(y, p, t)["f1"], 3) == 0.947


def test_both_agents_threshold_pools_the_training_pairs_scored_out_of_fold():
    """With no dev pairs at all, the training pairs' out-of-fold agent probabilities alone
    decide the threshold: both members are agents of the two fights (0.9/0.85, 0.8/0.75), one
    is of the two attacks (0.9/0.2, 0.3/0.95)."""
    from types import SimpleNamespace

    from training.pairs import best_both_threshold

    prob = np.array([[0.9, 0.85], [0.9, 0.2], [0.8, 0.75], [0.3, 0.95]])
    truth = np.array([[1, 1], [1, 0], [1, 1], [0, 1]])
    model = SimpleNamespace(both_threshold=0.5)
    t = best_both_threshold(model, [], [], np.zeros((0, 3)), also=(prob, truth))
    assert 0.3 < t <= 0.75 and model.both_threshold == t
