"""scoring.coreference: "the two sides" stands for the two countries just named, and only then."""
from __future__ import annotations

import pytest

from scoring.actors import find_actors
from scoring.coreference import two_sides
from scoring.segment import segment


def implied(text):
    return [(m.code, m.text) for m in two_sides(text, find_actors(text), segment(text))]


@pytest.mark.parametrize("text,expected", [
    # two countries in the passage before: the phrase stands for both
    ("President Biden spoke with Prime Minister Kishida of Japan. The two leaders reaffirmed their alliance.",
     [("JPN", "The two leaders"), ("USA", "The two leaders")]),
    ("Greece and Turkey met in Athens. Both sides agreed to talk again.",
     [("GRC", "Both sides"), ("TUR", "Both sides")]),
    # its own passage names one of them: the phrase gives only the other
    ("Egypt and Turkey had cut ties. Turkey said both countries would restore ambassadors.",
     [("EGY", "both countries")]),
    # ... and none when it names both
    ("Egypt and Turkey said the two countries would restore ambassadors.", []),
    # a readout: the two its opening passage names, however far back, when nearer passages name
    # no other pair ("Gaza" is a place the leaders discussed)
    ("President Biden spoke with Prime Minister Sudani of Iraq. They discussed energy. The leaders discussed "
     "the crisis in Gaza.", [("IRQ", "The leaders"), ("USA", "The leaders")]),
    ("Storms hit Chile and Peru. Thousands fled the coast. The two sides met.",
     [("CHL", "The two sides"), ("PER", "The two sides")]),
    # an aside on where the two sides met is still the two sides
    ("Greece and Turkey met in Athens. The two sides at the talks agreed to meet again.",
     [("GRC", "The two sides"), ("TUR", "The two sides")]),
    # "both the leaders" is one phrase, not also its "the leaders"
    ("President Biden spoke with Prime Minister Kishida of Japan. They discussed energy. Both the leaders agreed.",
     [("JPN", "Both the leaders"), ("USA", "Both the leaders")]),
    # ... but the two the passage before names come first
    ("Biden met Kishida of Japan. France and Germany talked. The two leaders agreed.",
     [("DEU", "The two leaders"), ("FRA", "The two leaders")]),
])
def test_the_two_sides_are_the_two_countries_just_named(text, expected):
    assert implied(text) == expected


@pytest.mark.parametrize("text", [
    "Government troops fought rebels in Sudan. Both sides accused each other.",  # one country
    "Leaders of France, Germany and Italy met. The two sides agreed.",  # three: which two?
    "The two sides agreed to meet again.",  # nothing named before
    # two passages back, and not the two the article opens with
    "Brazil signed a deal. Storms hit Chile and Peru. Thousands fled the coast. The two sides met.",
    "Biden met Kishida of Japan. They discussed trade. The leaders of Congress objected.",  # "leaders of"
    "Biden met Kishida of Japan. Farmers on both sides of the river protested.",  # "both sides of"
    # the opening pair stands in only after it is named, not before
    "The leaders met on Monday. President Biden spoke with Prime Minister Kishida of Japan.",
    "Biden met Kishida of Japan. Weather. More weather. The leaders in Congress objected.",  # "leaders in"
])
def test_no_two_countries_no_pair(text):
    assert implied(text) == []


def test_the_scorer_pairs_the_two_sides():
    from scoring.scorer import Scorer

    result = Scorer.load().score("President Biden spoke with Prime Minister Kishida of Japan. "
                                 "The two leaders reaffirmed their alliance.", published="2023-05-01")
    assert result["passages"][1]["countries"] == ["JPN", "USA"]
    assert ["JPN", "USA"] in [p["pair"] for p in result["pairs"]]
    japan = next(c for c in result["countries"] if c["code"] == "JPN")
    assert "The two leaders" in [m["text"] for m in japan["mentions"]]
