"""One-off converter: PETRARCH2 / Phoenix actor dictionaries -> scoring/data/phoenix_people.tsv.

Usage::

    python tools/convert_phoenix.py DICTIONARY_DIR [--out scoring/data/phoenix_people.tsv]

DICTIONARY_DIR holds ``Phoenix.Countries.actors.txt`` and ``Phoenix.International.actors.txt``
(Open Event Data Alliance, MIT licence, see scoring/data/LICENSE-phoenix.txt). The run-time
recogniser never reads that directory; it reads only the TSV written here, which is committed.

What is kept: *people* who held a dated government or military role (CAMEO role codes
``GOV*`` except ``GOVLEG``/``GOVJUD``, ``MIL*``, ``SPY*``) in a country we cover, or a dated
role in an international organisation we code (UN, NATO, EU, ...). Elites out of office
(``ELI``), opposition, rebels, undated institutions and country/city name lists are dropped:
country names, capitals and institutions are curated by hand in scoring/data/countries.txt.

Date handling: TABARI dates are ``YYMMDD`` or ``YYYYMMDD``; two-digit years ``<= 15`` are read
as 20YY, others as 19YY. ``>D`` means "from D" and is closed at 2014-12-31 (the dictionaries
stop in early 2014 and often leave ranges open long after the person left office); ``<D``
means "until D"; an undated role is dropped for people (we cannot tell when it applied).
Output columns: code, ranges (``YYYYMMDD-YYYYMMDD`` joined by ``,``), names joined by ``|``.
"""
from __future__ import annotations

import argparse
import re
import sys
from collections import defaultdict
from pathlib import Path

OPEN_END = "20141231"
OPEN_START = "19000101"

# Phoenix / CAMEO non-ISO or historical codes -> the code we use.
CODE_MAP = {"USR": "RUS", "SUN": "RUS", "KSV": "XKX", "YUG": "SRB", "DDR": "DEU", "CSK": "CZE"}

# CAMEO IGO codes (longest prefix wins) -> our organisation codes.
IGO_MAP = {
    "IGOUNOIAE": "IAEA", "IGOUNOHLHWHO": "WHO", "IGOUNOREFHCR": "UNHCR", "IGOUNOKID": "UNICEF",
    "IGOUNOLABILO": "ILO", "IGOUNOHRIHCH": "OHCHR", "IGOUNOJUDICJ": "ICJ", "IGOUNOWFP": "WFP",
    "IGOUNODEVWBK": "WORLDBANK", "IGOUNOWBK": "WORLDBANK", "IGOUNO": "UN", "IGOWSTNAT": "NATO",
    "IGOEUREEC": "EU", "IGOSEAASN": "ASEAN", "IGOAFRAFU": "AU", "IGOAFROAU": "AU",
    "IGOBUSIMF": "IMF", "IGOJUDICC": "ICC", "IGOBUSOPC": "OPEC", "IGOOAS": "OAS",
    "IGOMEAARL": "ARABLEAGUE", "IGOBUSWTO": "WTO", "IGOWAFWAS": "ECOWAS", "IGOSAFDEVSAD": "SADC",
    "IGOEAFEAC": "EAC", "IGOSASSAA": "SAARC",
}

_CODE = re.compile(r"\[([A-Z]{3}[A-Z]*)\s*([^\]]*)\]")
_NAME_OK = re.compile(r"^[A-Z][A-Z0-9'.\- ]*$")


def _date(s: str) -> str | None:
    s = s.strip()
    if re.fullmatch(r"\d{8}", s):
        return s
    if re.fullmatch(r"\d{6}", s):
        yy = int(s[:2])
        return ("20" if yy <= 15 else "19") + s
    return None


def parse_range(spec: str) -> tuple[str, str] | None:
    """TABARI date restriction -> (from, to) as YYYYMMDD strings, or None if undated/bad."""
    spec = spec.strip()
    if not spec:
        return None
    if spec.startswith(">"):
        d = _date(spec[1:])
        return (d, OPEN_END) if d else None
    if spec.startswith("<"):
        d = _date(spec[1:])
        return (OPEN_START, d) if d else None
    if "-" in spec:
        a, b = spec.split("-", 1)
        da, db = _date(a), _date(b)
        if da and db and da <= db:
            return da, db
    return None


def _clean_name(raw: str) -> str | None:
    raw = raw.split("#", 1)[0].strip().strip("+").strip()
    raw = raw.rstrip("_").strip()
    if not raw or "(" in raw or "," in raw or "/" in raw:
        return None
    name = raw.replace("_", " ").strip()
    name = re.sub(r"\s+", " ", name)
    if not _NAME_OK.match(name):
        return None
    return name.title().replace("'S ", "'s ")


def _role_target(code: str, countries: set[str]) -> str | None:
    """CAMEO code -> our code if it is a role that stands for the state/organisation."""
    if code.startswith("IGO"):
        for prefix in sorted(IGO_MAP, key=len, reverse=True):
            if code.startswith(prefix):
                return IGO_MAP[prefix]
        return None
    country, role = CODE_MAP.get(code[:3], code[:3]), code[3:]
    if country not in countries:
        return None
    if role.startswith("GOV") and not role.startswith(("GOVLEG", "GOVJUD")):
        return country
    if role.startswith(("MIL", "SPY")):
        return country
    return None


def parse_file(path: Path, countries: set[str]):
    """Yield (names, [(target, from, to), ...]) for every entry of a TABARI .actors file."""
    names: list[str] = []
    roles: list[tuple[str, str, str]] = []

    def flush():
        if names and roles:
            yield list(dict.fromkeys(names)), roles[:]

    for line in path.read_text(encoding="utf-8", errors="replace").splitlines():
        if not line.strip() or line.lstrip().startswith("#"):
            continue
        body = line.split("#", 1)[0]
        first = line[0]
        if first not in "+ \t[":
            yield from flush()
            names, roles = [], []
            n = _clean_name(body.split("[", 1)[0])
            if n:
                names.append(n)
        elif first == "+":
            n = _clean_name(body.split("[", 1)[0])
            if n:
                names.append(n)
        for code, spec in _CODE.findall(body):
            target = _role_target(code, countries)
            rng = parse_range(spec)
            if target and rng:
                roles.append((target, rng[0], rng[1]))
    yield from flush()


def load_country_codes(repo: Path) -> set[str]:
    text = (repo / "scoring" / "data" / "countries.txt").read_text(encoding="utf-8")
    return set(re.findall(r"^([A-Z]{3})\s", text, re.M))


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("dictionary_dir", type=Path)
    repo = Path(__file__).resolve().parent.parent
    ap.add_argument("--out", type=Path, default=repo / "scoring" / "data" / "phoenix_people.tsv")
    args = ap.parse_args(argv)
    countries = load_country_codes(repo)
    people: dict[tuple, list] = {}
    for fname in ("Phoenix.Countries.actors.txt", "Phoenix.International.actors.txt"):
        for names, roles in parse_file(args.dictionary_dir / fname, countries):
            by_target = defaultdict(set)
            for target, a, b in roles:
                by_target[target].add((a, b))
            for target, ranges in by_target.items():
                key = (target, names[0])
                entry = people.setdefault(key, [set(), []])
                entry[0] |= ranges
                for n in names:
                    if n not in entry[1]:
                        entry[1].append(n)
    lines = [
        "# Office holders converted from the PETRARCH2/Phoenix actor dictionaries (MIT licence,",
        "# Copyright (c) 2014 Open Event Data Alliance; see LICENSE-phoenix.txt). Generated by",
        "# tools/convert_phoenix.py - do not edit by hand; add people to officeholders.txt instead.",
        "# code\tranges (from-to, YYYYMMDD)\tnames",
    ]
    for (target, _), (ranges, names) in sorted(people.items()):
        rs = ",".join(f"{a}-{b}" for a, b in sorted(ranges))
        lines.append(f"{target}\t{rs}\t{'|'.join(names)}")
    args.out.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"wrote {len(people)} people to {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
