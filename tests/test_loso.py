"""Leave-one-source-out evaluation, source weights, and the split by source and decade."""
import numpy as np
import pytest

from training import corpus, loso
from training.recipes import CANDIDATES


def test_decade_of_a_story_and_none_for_written_passages():
    assert loso.decade({"published": "1991-02-27"}) == "1990s"
    assert loso.decade({"published": "2009-06-04"}) == "2000s"
    assert loso.decade({"published": None}) is None
    assert loso.decade({}) is None


def test_sqrt_source_weights_lower_a_large_source_and_keep_the_mean_at_one():
    rows = [{"source": "big"}] * 90 + [{"source": "small"}] * 10
    w = loso.source_weights(rows, "sqrt")
    assert w.mean() == pytest.approx(1.0)
    assert w[0] < 1.0 < w[-1]
    assert w[-1] / w[0] == pytest.approx(3.0)  # (90 / 10) ** 0.5
    assert (loso.source_weights(rows, "none") == 1).all()
    with pytest.raises(ValueError, match="unknown source weighting"):
        loso.source_weights(rows, "cubic")


def test_split_by_groups_reports_and_skips_passages_without_a_group():
    rows = [{"source": "a"}, {"source": "a"}, {"source": "b"}, {"source": None}]
    Y = np.array([[1, 0, 0], [0, 1, 0], [1, 1, 0], [0, 0, 1]])
    P = np.array([[0.9, 0.2, 0.1], [0.1, 0.8, 0.1], [0.2, 0.7, 0.1], [0.1, 0.1, 0.9]])
    groups = loso.split_by(rows, Y, P, [0.5, 0.5, 0.5], lambda r: r["source"])
    assert list(groups) == ["a", "b"]
    assert groups["a"]["passages"] == 2 and groups["a"]["positives"]["human_rights"] == 0
    # a label with no positives in the group has no F1 to average into the macro
    assert groups["a"]["model"]["macro"]["f1"] == pytest.approx(1.0)
    table = loso.format_groups("source", groups)
    assert table.splitlines()[1].startswith("a ") and " - " in table.splitlines()[1] + " "


def test_leaving_a_source_out_trains_without_it_and_measures_only_it():
    rows = corpus.load()
    picked = []
    for source in ("voa", "whitehouse"):
        for split in corpus.SPLITS:
            picked += [r for r in rows if r["source"] == source and r["split"] == split][:120]
    picked += [r for r in rows if r["source"] == "written"][:300]
    cand = next(c for c in CANDIDATES if c.name == "words+lexicon/logreg")
    res = loso.leave_one_source_out(picked, cand, sources=["whitehouse"], folds=3)
    assert list(res) == ["whitehouse"]
    got = res["whitehouse"]
    assert got["passages"] == sum(r["source"] == "whitehouse" for r in picked)
    assert set(got) >= {"model", "keyword", "majority", "pairs", "thresholds"}
    assert 0.0 <= got["model"]["macro"]["roc_auc"] <= 1.0
    dev_only = loso.leave_one_source_out(picked, cand, sources=["whitehouse"], folds=3, measure="dev")
    assert dev_only["whitehouse"]["passages"] == sum(r["source"] == "whitehouse" and r["split"] == "dev"
                                                     for r in picked)


def test_calibration_floor_shrinks_with_more_passages_and_is_zero_for_certain_scores():
    from training.metrics import calibration_floor

    rng = np.random.default_rng(1)
    small, large = rng.random((40, 3)), rng.random((4000, 3))
    assert calibration_floor(large) < calibration_floor(small)
    assert calibration_floor(np.zeros((50, 3))) == 0.0
    assert calibration_floor(small) == calibration_floor(small)  # seeded


def _recipe(name, weighting, aps):
    return {"candidate": name, "source_weighting": weighting, "mean_macro_average_precision": float(np.mean(aps)),
            "per_source": {s: {"macro_average_precision": ap} for s, ap in zip("abcd", aps)}}


def test_loso_selection_takes_the_simplest_recipe_within_one_standard_error_of_the_best():
    from training.train import simplest_within_one_se

    plain = _recipe("logreg", "none", [0.70, 0.60, 0.80, 0.50])
    weighted = _recipe("logreg", "sqrt", [0.72, 0.59, 0.81, 0.49])  # ahead by less than the noise
    other = _recipe("svm", "none", [0.60, 0.50, 0.70, 0.40])  # behind on every source
    assert simplest_within_one_se([plain, weighted, other]) is plain
    clearly = _recipe("logreg", "sqrt", [0.80, 0.70, 0.90, 0.60])  # ahead on every source by 0.10
    assert simplest_within_one_se([plain, clearly, other]) is clearly
    # among recipes tied with the best, no weights first, then the earlier candidate
    assert simplest_within_one_se([weighted, _recipe("svm", "none", [0.72, 0.59, 0.81, 0.49])])["candidate"] == "svm"
