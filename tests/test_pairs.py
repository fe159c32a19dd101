"""Pair labels and agents (docs/LABELS.md, "Pairs and roles") on the committed model.

Every example of the guideline's pair section, and the patterns news under-represents: two
sides against a third, a passive, a list of five countries, a passage with one country. Each
test asserts the pair labels and the agents the guideline gives. Where the committed model
still gets one wrong, the test is marked ``xfail(strict=True)`` with what goes wrong: it
keeps asserting the guideline, and fails the run as soon as a model gets it right, so the
mark is removed then (README, "Pairs: what fails"). The cue extraction itself
(scoring/pairs.py) is checked on its own at the end.
"""
from __future__ import annotations

import numpy as np
import pytest

from scoring.pairs import CueVocabulary, passage_pairs


def _pairs(scorer, text: str) -> dict[tuple[str, str], dict]:
    return {tuple(p["pair"]): p for p in scorer.score(text)["pairs"]}


# ---- the guideline's examples -----------------------------------------------------------------

@pytest.mark.xfail(strict=True, reason="AUS-CHN alliance 0.47 and CHN-IND 0.42 against the pair threshold 0.36 "
                                       "(relation 0.48 / 0.42 against 0.96 for AUS-IND): the 'talks that also "
                                       "covered X' cue is weak")
def test_allied_pair_only_not_the_topic(scorer):
    pairs = _pairs(scorer, "India and Australia agreed to deepen defence ties at talks that also covered China.")
    assert pairs[("AUS", "IND")]["labels"] == ["alliance"]
    assert pairs[("AUS", "CHN")]["labels"] == [] and pairs[("CHN", "IND")]["labels"] == []


@pytest.mark.xfail(strict=True, reason="EST-RUS coercion 0.16 against the pair threshold 0.26, and the pair "
                                       "reads as allied (0.50 against 0.36): the passage scores alliance 0.57 and "
                                       "coercion 0.34 (threshold 0.38); 'jets' and 'airspace' lean to alliance "
                                       "(air policing, arms deals) in six words with nothing else")
def test_coercion_agent_one_member(scorer):
    pairs = _pairs(scorer, "Russian jets entered Estonian airspace.")
    pair = pairs[("EST", "RUS")]
    assert pair["labels"] == ["coercion"]
    assert pair["agents"] == {"coercion": ["RUS"]}


def test_rights_concern_raised_by_two_against_the_responsible(scorer):
    pairs = _pairs(scorer, "Canada and Britain condemned Iran's execution of protesters.")
    for pair in (("CAN", "IRN"), ("GBR", "IRN")):
        assert "human_rights" in pairs[pair]["labels"], pair
        assert pairs[pair]["agents"]["human_rights"] == ["IRN"]
    assert "human_rights" not in pairs[("CAN", "GBR")]["labels"]


@pytest.mark.xfail(strict=True, reason="no pair gets alliance: the passage scores it 0.27 against 0.35 ('in "
                                       "consultation with' is weak evidence), and the relation model does not tell the "
                                       "topic ('its Venezuela policy') from the partners (USA-VEN 0.21 above COL-USA "
                                       "0.18)")
def test_topic_of_consultation_pairs_with_nothing(scorer):
    result = scorer.score("Washington is reviewing its Venezuela policy in consultation with Bogota and Brasilia.")
    pairs = {tuple(p["pair"]): p for p in result["pairs"]}
    assert {c["code"] for c in result["countries"]} == {"BRA", "COL", "USA", "VEN"}
    for pair in (("BRA", "COL"), ("BRA", "USA"), ("COL", "USA")):
        assert pairs[pair]["labels"] == ["alliance"], pair
    for pair in (("BRA", "VEN"), ("COL", "VEN"), ("USA", "VEN")):
        assert pairs[pair]["labels"] == [], pair


def test_fighting_between_them_makes_both_agents(scorer):
    pair = _pairs(scorer, "Fighting between Armenian and Azerbaijani troops along the border killed dozens of "
                          "soldiers on both sides.")[("ARM", "AZE")]
    assert "coercion" in pair["labels"]
    assert pair["agents"]["coercion"] == ["ARM", "AZE"]


# ---- what news under-represents --------------------------------------------------------------

@pytest.mark.xfail(strict=True, reason="JPN-PHL gets coercion 0.38 (pair threshold 0.26, agent JPN), from the "
                                       "Philippine boat being the object of 'blasted' (a third country's act); its "
                                       "alliance (0.46) and CHN-PHL (coercion 0.94, agent CHN) are right")
def test_two_sides_against_a_third(scorer):
    pairs = _pairs(scorer, "Japan and the Philippines vowed to stand together against China's coercion after "
                           "Chinese coast guard ships blasted a Philippine supply boat with water cannon.")
    assert "alliance" in pairs[("JPN", "PHL")]["labels"]
    assert "coercion" not in pairs[("JPN", "PHL")]["labels"]  # they oppose a third's coercion together
    assert "coercion" in pairs[("CHN", "PHL")]["labels"]
    assert pairs[("CHN", "PHL")]["agents"]["coercion"] == ["CHN"]
    assert "alliance" not in pairs[("CHN", "JPN")]["labels"]


def test_passive_names_the_agent_after_by(scorer):
    pair = _pairs(scorer, "Ukraine was shelled by Russia overnight, killing four civilians in Kharkiv.")[("RUS", "UKR")]
    assert "coercion" in pair["labels"]
    assert pair["agents"]["coercion"] == ["RUS"]


def test_list_of_five_countries(scorer):
    text = ("The foreign ministers of Australia, Japan, India, the United States and South Korea signed a joint "
            "statement pledging closer maritime security cooperation.")
    result = scorer.score(text)
    assert {c["code"] for c in result["countries"]} == {"AUS", "IND", "JPN", "KOR", "USA"}
    pairs = {tuple(p["pair"]): p for p in result["pairs"]}
    assert len(pairs) == 10
    for pair, item in pairs.items():
        assert item["labels"] == ["alliance"], pair
        assert item["agents"] == {}


def test_one_country_makes_no_pair(scorer):
    result = scorer.score("Myanmar's military detained dozens of activists in Yangon.")
    assert [c["code"] for c in result["countries"]] == ["MMR"]
    assert result["pairs"] == []
    assert "human_rights" in result["countries"][0]["labels"]


# ---- result shape, roles, tension ---------------------------------------------------------------

def test_roles_follow_the_pairs(scorer):
    result = scorer.score("Chinese coast guard ships rammed a Philippine supply boat near Second Thomas Shoal.")
    [pair] = result["pairs"]
    assert pair["labels"] == ["coercion"] and pair["agents"] == {"coercion": ["CHN"]}
    roles = {c["code"]: c["roles"] for c in result["countries"]}
    assert roles["CHN"] == {"coercion_agent": ["PHL"]}
    assert roles["PHL"] == {"coercion_target": ["CHN"]}


def test_pair_explanations_point_at_the_words_between_and_around(scorer):
    text = "Russian troops shelled Ukrainian positions near Kharkiv."
    pair = scorer.score(text)["pairs"][0]
    expl = pair["explanations"]["coercion"]
    assert expl["passage"] == 0
    assert expl["passage_score"] * expl["relation"] == pytest.approx(pair["scores"]["coercion"], abs=2e-4)
    assert expl["items"], "a carried label is explained by cues"
    for item in expl["items"]:
        assert item["weight"] > 0
        for start, end in item["spans"]:
            assert 0 <= start < end <= len(text)
    assert not scorer.score(text, explain=False)["pairs"][0].get("explanations")


def test_tension_of_a_pair_both_allied_and_coerced_is_not_nothing():
    from scoring.labels import tension

    mixed = tension({"alliance": 0.9, "coercion": 0.9, "human_rights": 0.0})
    assert mixed > 0.3  # partners in a dispute read as tense
    assert tension({"alliance": 0.0, "coercion": 0.0, "human_rights": 0.0}) == 0.0
    assert tension({"alliance": 1.0, "coercion": 0.0, "human_rights": 0.0}) == -1.0
    assert tension({"alliance": 0.0, "coercion": 1.0, "human_rights": 0.0}) == 1.0
    assert tension({"alliance": 1.0, "coercion": 1.0, "human_rights": 0.0}) == 0.5
    grid = np.linspace(0, 1, 11)
    for a in grid:  # rises with hostility, falls with alliance
        values = [tension({"alliance": a, "coercion": c, "human_rights": 0.0}) for c in grid]
        assert values == sorted(values)


def test_model_endpoint_returns_the_tension_rule(client):
    body = client.get("/v1/model").get_json()
    assert "alliance / 2" in body["tension_formula"] and "partners in a dispute" in body["tension_rule"]
    assert set(body["pair_thresholds"]) == {"alliance", "coercion", "human_rights"}


# ---- cue extraction ----------------------------------------------------------------------------

def test_cues_read_the_words_between_and_around_the_nearest_mentions():
    text = "Ukraine was shelled by Russia, and Kyiv's allies protested."
    mentions = [(0, 7, "UKR"), (23, 29, "RUS"), (35, 39, "UKR")]
    [row] = passage_pairs(text, mentions)
    assert (row.a, row.b) == ("RUS", "UKR")
    names = {c.name for c in row.cues}
    assert {"between:was", "between:shelled", "between:by", "second before:by", "n:2"} <= names
    agent_rus = {c.name for c in row.agent_a}
    assert "own before:by" in agent_rus and "is second" in agent_rus
    assert "own possessive" in {c.name for c in row.agent_b}  # "Kyiv's": every mention of the member counts
    by = next(c for c in row.cues if c.name == "second before:by")
    assert [text[s:e] for s, e in by.spans] == ["by"]


def test_cues_of_the_nearest_mentions_order_prominence_and_short_gaps():
    text = "China warned Japan, and China sent ships past Japan's islands as Australia watched."
    mentions = [(0, 5, "CHN"), (13, 18, "JPN"), (24, 29, "CHN"), (46, 51, "JPN"), (65, 74, "AUS")]
    rows = {(r.a, r.b): r for r in passage_pairs(text, mentions)}
    chn_jpn = {c.name: c for c in rows["CHN", "JPN"].cues}
    # the first and second countries named; neither is named more than the other
    assert "ranks:0-1" in chn_jpn and "one is the most named" not in chn_jpn
    assert "befores:^|warned" in chn_jpn  # the nearest two: "China warned Japan"
    assert [text[s:e] for s, e in chn_jpn["befores:^|warned"].spans] == ["China", "warned"]
    assert "between2:warned" not in chn_jpn  # a gap of one word has no bigram
    aus_jpn = {c.name: c for c in rows["AUS", "JPN"].cues}
    assert "ranks:1-2" in aus_jpn
    assert {"between2:'_s", "between2:s_islands", "between2:islands_as"} <= set(aus_jpn)
    assert [text[s:e] for s, e in aus_jpn["between2:islands_as"].spans] == ["islands", "as"]
    long_gap = "Japan protested on Monday after days of talks in the capital that went nowhere with China."
    [row] = passage_pairs(long_gap, [(0, 5, "JPN"), (84, 89, "CHN")])
    assert not any(c.name.startswith("between2:") for c in row.cues)  # more than eight tokens between


def test_the_most_named_country_is_a_cue():
    text = "Russia struck Kyiv as Russia massed troops and Ukraine and Poland conferred."
    mentions = [(0, 6, "RUS"), (14, 18, "UKR"), (22, 28, "RUS"), (47, 54, "UKR"), (59, 65, "POL")]
    rows = {(r.a, r.b): r for r in passage_pairs(text, mentions)}
    assert "one is the most named" not in {c.name for c in rows["RUS", "UKR"].cues}  # two each
    text = "Russia struck Kyiv as Russia massed troops and Poland conferred."
    mentions = [(0, 6, "RUS"), (14, 18, "UKR"), (22, 28, "RUS"), (47, 53, "POL")]
    rows = {(r.a, r.b): r for r in passage_pairs(text, mentions)}
    assert "one is the most named" in {c.name for c in rows["POL", "RUS"].cues}
    assert "one is the most named" not in {c.name for c in rows["POL", "UKR"].cues}


def test_coordinated_mentions_and_single_country_passages():
    text = "Japan and Australia signed a pact."
    [row] = passage_pairs(text, [(0, 5, "JPN"), (10, 19, "AUS")])
    assert "coordinated" in {c.name for c in row.cues}
    assert passage_pairs("Japan signed a pact with Japan.", [(0, 5, "JPN"), (25, 30, "JPN")]) == []


def test_vocabulary_counts_each_cue_once_per_pair():
    text = "Japan and Australia signed a pact."
    rows = passage_pairs(text, [(0, 5, "JPN"), (10, 19, "AUS")]) * 2
    vocab = CueVocabulary(min_count=2).fit([r.cues for r in rows])
    X = vocab.transform([r.cues for r in rows])
    assert X.shape == (2, len(vocab.names_)) and X.max() == 1.0
