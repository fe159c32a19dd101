"""The engine end to end on the committed model: result shape, the README example, batching."""
import numpy as np
import pytest

from scoring.labels import LABELS, tension


def _pair(result, a, b):
    for p in result["pairs"]:
        if p["pair"] == sorted([a, b]):
            return p
    raise AssertionError(f"no pair {a}-{b} in {[p['pair'] for p in result['pairs']]}")


def test_result_shape(scorer, defence_article):
    r = scorer.score(defence_article, id="fixture-1")
    assert r["id"] == "fixture-1"
    assert r["model"] == {"version": scorer.model.version, "sha256": scorer.model.sha256}
    for i, p in enumerate(r["passages"]):
        assert p["index"] == i
        assert defence_article[p["start"]:p["end"]] == p["text"]
        assert set(p["scores"]) == set(LABELS)
        assert all(0.0 <= v <= 1.0 for v in p["scores"].values())
        assert set(p["explanations"]) == set(LABELS)
        for label, feats in p["explanations"].items():
            for f in feats:
                assert f["weight"] > 0
                for s, e in f["spans"]:
                    assert p["start"] <= s < e <= p["end"]
    for c in r["countries"]:
        for m in c["mentions"]:
            assert defence_article[m["start"]:m["end"]] == m["text"]
    tensions = [abs(p["tension"]) for p in r["pairs"]]
    assert tensions == sorted(tensions, reverse=True)
    for p in r["pairs"]:
        assert p["pair"] == sorted(p["pair"]) and p["pair"][0] != p["pair"][1]
        assert -1.0 <= p["tension"] <= 1.0
        assert p["tension"] == tension(p["scores"])
        for idx in p["evidence"]:
            assert set(p["pair"]) <= set(r["passages"][idx]["countries"])


def test_readme_example_allies_cooperate_incursion_is_coercive_detention_is_rights(scorer, defence_article):
    r = scorer.score(defence_article)
    allies = _pair(r, "JPN", "USA")
    assert "alliance" in allies["labels"] and allies["tension"] < 0
    incursion = _pair(r, "CHN", "JPN")
    assert "coercion" in incursion["labels"] and incursion["tension"] > 0.3
    assert incursion["agents"] == {"coercion": ["CHN"]}  # China's coast guard entered Japan's waters
    assert "coercion" not in allies["labels"] and allies["agents"] == {}
    roles = {c["code"]: c["roles"] for c in r["countries"]}
    assert roles["CHN"]["coercion_agent"] == ["JPN"] and roles["JPN"]["coercion_target"] == ["CHN"]
    myanmar = next(c for c in r["countries"] if c["code"] == "MMR")
    assert "human_rights" in myanmar["labels"]
    # the evidence passages are the ones that say so
    first = r["passages"][incursion["evidence"][0]]["text"]
    assert "coast guard" in first
    rights = r["passages"][myanmar["evidence"][0]]
    assert "detained" in rights["text"]
    words = {f["feature"] for f in rights["explanations"]["human_rights"]}
    assert any("detain" in w or "activist" in w or "charge" in w or "rights" in w for w in words), words


def test_batch_equals_single(scorer, defence_article):
    arts = [{"id": "a", "text": defence_article}, {"id": "b", "text": "Nothing here."},
            {"id": "c", "text": "Russia shelled Ukrainian towns overnight, Kyiv said."}]
    batch = scorer.score_batch(arts)
    for art, res in zip(arts, batch):
        assert res == scorer.score(art["text"], id=art["id"])


def test_text_without_countries_or_passages(scorer):
    r = scorer.score("   ")
    assert r["passages"] == [] and r["pairs"] == [] and r["countries"] == []
    r = scorer.score("The weather was mild and the markets were calm.")
    assert r["pairs"] == [] and r["countries"] == []


def test_explain_off_leaves_out_explanations(scorer, defence_article):
    r = scorer.score(defence_article, explain=False)
    assert all("explanations" not in p for p in r["passages"])
    with_expl = scorer.score(defence_article)
    assert [p["scores"] for p in r["passages"]] == [p["scores"] for p in with_expl["passages"]]


def test_negative_explanations_on_request(scorer, defence_article):
    r = scorer.score(defence_article, negative=True)
    weights = [f["weight"] for p in r["passages"] for f in p["explanations"]["alliance"]]
    assert any(w < 0 for w in weights)


def test_published_date_is_parsed(scorer):
    r = scorer.score("Japan and Australia signed a defence pact.", published="2024-05-01")
    assert r["passages"]
    with pytest.raises(ValueError):
        scorer.score("Japan.", published="yesterday")
