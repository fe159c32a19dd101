"""scoring.coreference: "the two sides" stands for the two countries just named, and "the
President" for the country of the president named before it; only then."""
from __future__ import annotations

import pytest

from scoring.actors import find_actors
from scoring.coreference import titles, two_sides
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
    ("President Biden spoke with Prime Minister Sudani of Iraq. Energy was on the agenda. The leaders discussed "
     "the crisis in Gaza.", [("IRQ", "The leaders"), ("USA", "The leaders")]),
    ("Storms hit Chile and Peru. Thousands fled the coast. The two sides met.",
     [("CHL", "The two sides"), ("PER", "The two sides")]),
    # an aside on where the two sides met is still the two sides
    ("Greece and Turkey met in Athens. The two sides at the talks agreed to meet again.",
     [("GRC", "The two sides"), ("TUR", "The two sides")]),
    # "both the leaders" is one phrase, not also its "the leaders"
    ("President Biden spoke with Prime Minister Kishida of Japan. Energy was on the agenda. Both the leaders agreed.",
     [("JPN", "Both the leaders"), ("USA", "Both the leaders")]),
    # ... but the two the passage before names come first
    ("Biden met Kishida of Japan. France and Germany talked. The two leaders agreed.",
     [("DEU", "The two leaders"), ("FRA", "The two leaders")]),
    # a readout's "They" with a readout's verb
    ("President Biden spoke with Prime Minister Kishida of Japan. They reaffirmed the alliance.",
     [("JPN", "They"), ("USA", "They")]),
    ("Greece and Turkey met in Athens. They also discussed migration.", [("GRC", "They"), ("TUR", "They")]),
])
def test_the_two_sides_are_the_two_countries_just_named(text, expected):
    assert implied(text) == expected


@pytest.mark.parametrize("text", [
    "Government troops fought rebels in Sudan. Both sides accused each other.",  # one country
    "Leaders of France, Germany and Italy met. The two sides agreed.",  # three: which two?
    "The two sides agreed to meet again.",  # nothing named before
    # two passages back, and not the two the article opens with
    "Brazil signed a deal. Storms hit Chile and Peru. Thousands fled the coast. The two sides met.",
    "Biden met Kishida of Japan. Trade was on the agenda. The leaders of Congress objected.",  # "leaders of"
    "Biden met Kishida of Japan. Farmers on both sides of the river protested.",  # "both sides of"
    # the opening pair stands in only after it is named, not before
    "The leaders met on Monday. President Biden spoke with Prime Minister Kishida of Japan.",
    "Biden met Kishida of Japan. Weather. More weather. The leaders in Congress objected.",  # "leaders in"
    "Greece and Turkey met in Athens. They said nothing.",  # "They said": news writes it of anyone
    # ... and "They urged", of aid workers here
    "Israel and Iran traded strikes overnight. Aid workers in Gaza said food was running out. They urged a ceasefire.",
    "Greece and Turkey met in Athens. Protesters gathered outside, and they discussed it.",  # not a readout's "They"
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
    # the result says which mentions name the country and which only stand for it
    assert {m["text"]: m.get("implied", False) for m in japan["mentions"]} == {
        "Kishida": False, "Japan": False, "The two leaders": True}


def titled(text, published="2023-05-01"):
    from scoring.scorer import parse_date

    return [(m.code, m.text) for m in titles(text, find_actors(text, date=parse_date(published)), segment(text))]


@pytest.mark.parametrize("text,expected", [
    # a readout: each title stands for the country of the holder named with it
    ("President Biden spoke with Prime Minister Sudani of Iraq.\n\nThe President and the Prime Minister welcomed "
     "the return of security.", [("USA", "The President"), ("IRQ", "the Prime Minister")]),
    ("Secretary of State Blinken met Foreign Minister Wang Yi in Beijing.\n\nThe Secretary raised the fentanyl "
     "trade.", [("USA", "The Secretary")]),
    # news writes the office in lower case, and may name the holder after the country
    ("Iraq's prime minister, Mohammed Shia al-Sudani, flew to Tehran on Monday.\n\nThe prime minister signed a "
     "gas deal.", [("IRQ", "The prime minister")]),
    # the nearest holder of that title, not the first
    ("President Biden spoke on Monday.\n\nPresident Ruto of Kenya arrived on Tuesday.\n\nThe president thanked "
     "the troops.", [("KEN", "The president")]),
])
def test_a_title_stands_for_its_holder_country(text, expected):
    assert titled(text) == expected


@pytest.mark.parametrize("text", [
    "The President spoke first.",  # no holder named
    "Former President Bush visited Kenya.\n\nThe President praised the troops.",  # a former holder
    "President Biden met the Secretary-General.",  # another office
    "President Biden visited.\n\nThe president of the club resigned.",  # "of": another president
    # two presidents named together: which one "the President" is, the words do not say
    "President Biden met President Xi Jinping of China.\n\nThe President said ties were strong.",
    "Prime Minister Kishida of Japan spoke.\n\nThe President was absent.",  # no president named
    "President Biden spoke.\n\nThe President Trump era is over.",  # a name after it
    "President Biden spoke.\n\nThe President said the U.S. would help.",  # its own passage names the country
    # a comma or a possessive ends the holder's name: the country after it is not the holder's
    "Under President Obama, Cuba and the United States restored ties in 2015.\n\nThe President said on Monday "
    "he would visit.",
    "President Bush's Iraq war cost trillions.\n\nThe President said on Monday it was a mistake.",
    # a title that ends its sentence has no name: the country the next sentence opens with is not its holder's
    "The talks were led by the Foreign Minister Tuesday. Pakistan said it was ready.\n\nThe Foreign Minister "
    "said no.",
    "Biden spoke with the President Monday. China said the call was useful.\n\nThe President said it went well.",
    # a title-case headline: its capitals are no name
    "President Vows To Defend Taiwan\n\nThe president said the island would be protected.",
])
def test_no_holder_no_country(text):
    assert titled(text) == []


def test_given_names_and_initials_before_the_known_name():
    assert titled("President Joe R. Biden spoke with Prime Minister Kishida.\n\nThe President said no.") == [
        ("USA", "The President")]


@pytest.mark.parametrize("text", [
    # a name right after it says whose office it is, and gives that country itself
    "President Biden met Macron on Monday.\n\nThe President, Emmanuel Macron, replied on Tuesday.",
    "Kenya's president, William Ruto, flew in.\n\nThe president, Yoweri Museveni, met him at the airport.",
])
def test_a_name_after_the_title_is_its_holder(text):
    assert titled(text) == []


@pytest.mark.parametrize("text,expected", [
    # a deputy is not the holder: the title stands for the holder named before the deputy
    ("Foreign Minister Wang Yi met Deputy Foreign Minister Sergei Ryabkov of Russia in Beijing.\n\nThe Foreign "
     "Minister said ties were strong.", [("CHN", "The Foreign Minister")]),
    # ... whatever dash joins "Vice" to the title
    ("President Ruto of Kenya met Vice\u2010President Kamala Harris.\n\nThe President thanked the troops.",
     [("KEN", "The President")]),
    ("President Ruto of Kenya met Vice\u2013President Kamala Harris.\n\nThe President thanked the troops.",
     [("KEN", "The President")]),
])
def test_a_deputy_is_not_the_holder(text, expected):
    assert titled(text) == expected


def test_under_a_president_is_a_holder():
    # "under" is no deputy's title
    assert titled("Troops left under President Biden's order.\n\nThe President said it was right.") == [
        ("USA", "The President")]


@pytest.mark.parametrize("text,expected", [
    # a title broken across lines, in the holder's title or in the anaphor
    ("Prime\nMinister Kishida spoke on Monday.\n\nThe Prime Minister said so.", [("JPN", "The Prime Minister")]),
    ("Prime Minister Kishida spoke on Monday.\n\nThe Prime\nMinister said so.", [("JPN", "The Prime\nMinister")]),
    ("President Biden spoke on Monday.\n\nLater the\nPresident said so.", [("USA", "the\nPresident")]),
])
def test_a_title_across_a_line_break(text, expected):
    assert titled(text) == expected


def test_many_titles_cost_linear_time():
    import time

    text = "President Biden said so. The President said it. " * 8000  # 390,000 characters
    mentions, spans = find_actors(text), segment(text)
    began = time.perf_counter()
    found = titles(text, mentions, spans)
    assert time.perf_counter() - began < 0.25  # ~0.05 s; a scan of the holders per anaphor took ~0.8 s
    assert len(found) == 8000 and found[0] == ("USA", "country", 25, 38, "The President")
