"""Places that carry a country's name are never that country (scoring/actors.py, issue 16).

Every example of the issue, a test of each rule with a counterpart that must keep its
country, and the generated data: every ISO 3166-2 subdivision whose name carries a country's
name or demonym is listed in scoring/data/places.txt and found as no country.
"""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from scoring.actors import DATA_DIR, find_actors

ROOT = Path(__file__).resolve().parent.parent


def countries(text: str) -> list[tuple[str, str]]:
    return [(m.code, m.text) for m in find_actors(text) if m.kind == "country"]


@pytest.mark.parametrize("text,expected", [
    ("The British Columbia government raised taxes.", []),
    ("The restaurant in Little Italy reopened.", []),
    ("Quakes struck East Azerbaijan province in Iran.", [("IRN", "Iran")]),
    ("The Dutch Harbor fishing fleet in Alaska stayed in port.", []),
    ("Flooding hit London, Ontario, on Monday. London police said two roads were closed.", []),
    ("PARIS, Texas — Paris's mayor said the county fair would open on Friday.", []),
    ("Rome's new mayor took office on Monday.", []),
    ("London's homelessness programmes grew last year.", []),
    ("Paris's metro was closed by a strike.", []),
])
def test_the_issue_examples(text, expected):
    assert countries(text) == expected


@pytest.mark.parametrize("place,state", [
    # a feature named after a country / the country itself
    ("Ferries crossed the Irish Sea.", "Irish troops crossed the border."),
    # a neighbourhood / the country
    ("Crowds filled Little Italy.", "Italy said it would send ships."),
    ("Crowds filled “Little Italy” and (Little Italy) again.", "“Italy said it would send ships.”"),
    # a subdivision with a direction and an administrative noun / the country
    ("West Azerbaijan province was hit by floods.", "Azerbaijan said it would retaliate."),
    # a place the article locates elsewhere / the capital used for the state
    ("LONDON, Ontario - The council met. London officials said taxes would rise.",
     "London officials said sanctions would rise."),
    # a city's local matter / a state matter under the same possessive
    ("Moscow's new mayor opened a park.", "Moscow's invasion of Ukraine continued."),
    ("Beijing's subway carried 10 million riders.", "Beijing's coast guard shadowed the ships."),
    # a newspaper, an airline or a police force by its title / the state
    ("Hakim Almasmari, of the Yemen Post, said.", "Yemen posted troops on the border."),
    ("As ordered by Scotland Yard, the event went ahead.", "Scotland voted to stay."),
    ("Kenya Airways cancelled two flights.", "Kenya recalled its ambassador."),
    # a territory named after the state that holds it / that state
    ("Waves hit French Polynesia.", "French warships arrived."),
    # an amount of money / the state
    ("Trade rose to US$30 billion and 350,000 Chilean pesos.", "US troops and Chilean officials met."),
    ("They raised 500 billion US dollars.", "The US raised tariffs."),
    # a news agency's title after a hyphen / the state, and two states joined by a hyphen
    ("Agence France-Presse reported the attack.", "U.S.-Japan talks resumed."),
])
def test_each_rule_and_its_counterpart(place, state):
    assert countries(place) == []
    assert countries(state), f"the state was lost: {state}"


def _tool():
    spec = importlib.util.spec_from_file_location("build_place_names", ROOT / "tools" / "build_place_names.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_subdivision_that_collides_with_a_country_form_is_listed_and_never_a_country():
    pytest.importorskip("pycountry")
    tool = _tool()
    colliding = tool.subdivisions_carrying_a_country(tool.country_forms())
    listed = {line[len("never: "):].split("  #", 1)[0]
              for line in (DATA_DIR / "places.txt").read_text(encoding="utf-8").splitlines()
              if line.startswith("never: ")}
    assert len(colliding) >= 30  # British Columbia, New South Wales, Western Australia, American Samoa ...
    assert {"British Columbia", "New South Wales", "Western Australia", "New Mexico"} <= set(colliding)
    colliding.update(tool.territories_carrying_a_country(tool.country_forms()))
    assert {"French Polynesia", "French Guiana"} <= set(colliding)
    missing = sorted(set(colliding) - listed)
    assert not missing, f"rerun tools/build_place_names.py: {missing}"
    wrong = {}
    for name in sorted(colliding):
        found = countries(f"Officials in {name} said the roads would reopen.")
        if found:
            wrong[name] = found
    assert not wrong, wrong


@pytest.mark.parametrize("which", ["dev", "test", "test2"])
def test_geoparsing_gold_resolves_to_spans_in_its_articles(which, capsys):
    from training import geoparse

    assert geoparse.main(["--set", which, "--check"]) == 0
    assert "0 problems" in capsys.readouterr().err


def test_geoparse_agreement_counts_shared_and_lone_mentions():
    from training.geoparse import agreement

    arts = [{"id": "a", "text": "France and Chad met; Chad said so."}]
    first = {"a": [{"text": "France", "nth": 0, "code": "FRA"}, {"text": "Chad", "nth": 0, "code": "TCD"}]}
    second = {"a": [{"text": "France", "nth": 0, "code": "FRA"}, {"text": "Chad", "nth": 1, "code": "TCD"}]}
    res = agreement(arts, first, second)
    assert (res["both"], res["only_first"], res["only_second"]) == (1, 1, 1)
    assert res["f1"] == 0.5
    assert {d["marked_by"] for d in res["disagreements"]} == {"first", "second"}


@pytest.mark.parametrize("which", ["dev", "test", "test2"])
def test_committed_geoparsing_gold_is_what_its_passes_and_adjudication_build(which, tmp_path):
    from training import geoparse

    prefix = "" if which == "dev" else f"{which}_"
    out = tmp_path / "gold.jsonl"
    assert geoparse.main(["--set", which, "--build-gold", "--gold", str(out)]) == 0
    assert out.read_text(encoding="utf-8") == (geoparse.DIR / f"{prefix}gold.jsonl").read_text(encoding="utf-8")
