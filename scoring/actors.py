"""Find the countries and international bodies a news text mentions, with character offsets.

Every score is attached to countries (ISO 3166-1 alpha-3; ``XKX`` for Kosovo) and pairs of
them, so this is the step that decides which countries a passage involves (docs/LABELS.md,
"Countries and pairs"). ``find_actors(text, date)`` returns one ``Mention`` per mention:
``code``, ``kind`` (``"country"`` or ``"organisation"``), ``start``/``end`` (Python string
indices into ``text``) and the matched ``text``. What is recognised, and the rules for the
hard cases, are documented in docs/actors.md; the data lives in scoring/data/.

How it works:
- the text is mapped, one character for one character, to lower-case ASCII-ish letters and
  digits with every other character turned into a space, so offsets never move;
- one Aho-Corasick automaton (pyahocorasick) holds every surface form padded with spaces,
  so it only ever matches whole words; at each position the longest form that passes the
  capitalisation check wins ("Papua New Guinea" over "Guinea", "South China Sea" over
  "China");
- small context rules then run on the few candidates found: capitals only count when
  used for the state ("Beijing said", "ties with Moscow"), office holders only when in
  office at ``date``, bare surnames only when unambiguous or confirmed by a full mention
  earlier in the text, ambiguous forms ("Korea", "Congo") from the rest of the text.
Never raises on any ``str``.
"""
from __future__ import annotations

import bisect
import datetime as _dt
import functools
import hashlib
import logging
import marshal
import operator
import os
import pickle
import re
import threading
import unicodedata
from collections import defaultdict
from pathlib import Path
from typing import NamedTuple

import ahocorasick
import numpy as np

DATA_DIR = Path(__file__).resolve().parent / "data"
_FORMAT = "actors-cache-v2"
OPEN_END = 99991231

# Sense kinds stored in the automaton payloads.
NAME, ADJ, CAPITAL, SEAT, AMBIG, BLOCK, PERSON, SHORT, CONFIRM = range(9)


class Mention(NamedTuple):
    """One mention of a country or international body: ``text[start:end] == text`` of the mention."""

    code: str
    kind: str  # "country" | "organisation"
    start: int
    end: int
    text: str


# Mention from a (code, kind, start, end, text) tuple without the keyword-argument handling of
# Mention(...): half the cost, on ~40 mentions an article
_new_mention = functools.partial(tuple.__new__, Mention)


# --------------------------------------------------------------------------- normalising

def _build_table() -> dict[int, str]:
    table = {}
    for cp in range(0x3040):
        ch = chr(cp)
        if ch.isalnum():
            base = unicodedata.normalize("NFKD", ch)[0].lower()
            table[cp] = base if len(base) == 1 else ch
        else:
            table[cp] = " "
    table[ord("ı")] = "i"
    for cp in range(0xFF00, 0xFFF0):  # full-width forms
        ch = unicodedata.normalize("NFKC", chr(cp))
        table[cp] = ch.lower() if len(ch) == 1 and ch.isalnum() else " "
    return table


_TABLE = _build_table()
# the same mapping as an array over the Basic Multilingual Plane, for whole articles: one
# numpy gather instead of a dict look-up per character (8x faster on a 4 KB article)
_BMP = np.arange(0x10000, dtype=np.uint32)
_BMP[list(_TABLE)] = [ord(c) for c in _TABLE.values()]
_BMP16 = _BMP.astype(np.uint16)  # (it maps the plane into itself)


def normalise(s: str) -> str:
    """Same-length form used for matching: lower case, accents dropped, punctuation -> ' '."""
    if len(s) < 256:
        return s.translate(_TABLE)
    # nearly every text is in the Basic Multilingual Plane: UTF-16, two bytes a character, is
    # shorter to convert and needs no clipping of codes beyond the table
    b = s.encode("utf-16-le", "surrogatepass")
    if len(b) == 2 * len(s):
        out = _BMP16[np.frombuffer(b, dtype=np.uint16)].tobytes().decode("utf-16-le", "surrogatepass")
        if len(out) == len(s):  # not so when two lone surrogates in a row decode as one character
            return out
    code = np.frombuffer(s.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)
    out = np.where(code < 0x10000, _BMP[np.minimum(code, 0xFFFF)], code)
    return out.tobytes().decode("utf-32-le", "surrogatepass")


def _key(form: str) -> str:
    return " " + normalise(form).strip() + " "


@functools.lru_cache(maxsize=4096)
def _form_key(form: str) -> str:
    """A listed form, normalised and stripped (forms are few: memoised)."""
    return normalise(form).strip()


# --------------------------------------------------------------------------- context words

_STATE_VERBS = frozenset("""
said says say saying warned warns warn warning accused accuses accuse announced announces
denied denies deny rejected rejects reject insisted insists urged urges called calls condemned
condemns protested protests responded responds claimed claims demanded demands threatened
threatens imposed imposes sanctioned sought seeks seek refused refuses agreed agrees signed
signs backed backs supported supports opposed opposes opposes wants wanted plans planned
hopes hoped vowed vows pledged pledges promised promises expelled expels recalled recalls
summoned summons retaliated retaliates criticized criticised criticizes criticises welcomed
welcomes dismissed dismisses blamed blames confirmed confirms decided decides launched
launches deployed deploys sent sends views viewed considers considered regards believes
believed fears feared maintains maintained argued argues asked asks told tells pressed
presses pushed pushes approved approves ordered orders reacted reacts retorted objected
objects countered counters lodged halted halts suspended suspends banned bans blocked blocks
restricted restricts recognized recognised recognizes recognises reaffirmed reiterated
stressed emphasized emphasised declined declines offered offers proposed proposes invited
invites hosted hosts joined joins sided tried tries attempted aims aimed intends intended
alleged alleges slammed slams struck strikes attacked attacks invaded invades annexed
annexes seized seizes vetoed vetoes abstained voted votes accepted accepts responded
negotiated negotiates mediated brokered expressed expresses issued issues released
went goes activated appeared appears seemed seems remains remained continues continued needs
needed knows knew expects expected tested tests bought buys purchased acquired acquires
warning insisting threatening demanding pushing pressing seeking urging accusing
say warn accuse announce deny reject insist urge call condemn protest respond claim demand
threaten impose sanction seek refuse agree sign back support oppose want plan hope vow pledge
promise expel recall summon retaliate criticize criticise welcome dismiss blame confirm decide
launch deploy send view consider regard believe fear maintain argue ask tell press push approve
order react object counter halt suspend ban block restrict recognize recognise reaffirm stress
decline offer propose invite host join try attempt aim intend allege strike attack invade annex
seize veto vote accept negotiate mediate express issue release end lift allow act sell buy
step move go need expect test activate cut deepened deepen deepens strengthened strengthen
strengthens improved improve boosted boost expanded expand held hold reached reach
fired fires fire test shelled shells shell bombed bombs bomb bombarded bombards detained detains
detain arrested arrests arrest executed executes jailed jails conducted conducts conduct
mobilized mobilised mobilizes mobilises massed masses raided raids downed intercepted intercepts
staged stages dispatched dispatches flew sailed withdrew withdraws withdraw pulled retaliate
escalated escalates provoked provokes reviewing reviews reviewed review consulting consults consulted
negotiating shared shares provided provides gave gives hinted hints refrained refrains signaled signalled signals pursued
""".split())
# what may stand between a subject and its verb: the auxiliaries, and the adverbs that go with them
_AUX_VERBS = frozenset("has have had will would could can may might must should did does do is was are were be "
                       "being been".split())
_AUX = _AUX_VERBS | frozenset("""also already repeatedly quickly immediately strongly not never previously
recently now still again reportedly officially publicly firmly swiftly further n't then""".split())
# past forms after "has" / "had" that say what a city went through or holds, not what a state did:
# "Baghdad has suffered a wave of bombings", "Tokyo has recorded 30 cases"
_PLACE_PERFECTS = frozenset("suffered experienced witnessed endured recorded attracted sweltered".split())
_STATE_NOUNS = frozenset("""government governments regime administration authorities officials
leadership leaders diplomats negotiators envoy envoys policymakers military""".split())
_REL_NOUNS = frozenset("""ties relations talks dialogue pressure sanctions tensions tension deal
agreement rift row dispute cooperation alliance partnership engagement negotiations contacts
friction spat standoff confrontation relationship channel channels rapprochement détente
detente hostility rivalry challenge threat message warning blow rebuke snub concession
concessions overture overtures appeal request offer signal response frustration anger consultation
consultations coordination influence ally allies shift pivot closer""".split())
# what may stand between a capital and its verb: "Ankara, too, is", "Cairo last year signed", "Tokyo and
# Washington shared"
_BETWEEN_SUBJECT_AND_VERB = re.compile(
    r"\s*,\s*(?:too|also|however|meanwhile|in turn|for its part|in response|in return)\s*,"
    r"|\s+(?:last|this|next|earlier this|late last|early|late)\s+(?:year|week|month|spring|summer|autumn|fall|winter)\b"
    r"|\s+(?:so far|on (?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)|in turn|in response)\b"
    r"|\s+(?:and|or)\s+[A-Z][\w.]*(?=\s+[a-z])")
# what is named after the city where it was held or signed: "the Doha Agreement", "the Paris accord"
_VENUE_NOUNS = frozenset("""agreement agreements accord accords talks process declaration summit protocol protocols
conference format round rounds""".split())
_REL_PREPS = frozenset("with on from to toward towards against by between of".split())
_BEFORE_OK = frozenset("between against by".split())
# a capital after these is a place, even when a verb follows ("residents of Tokyo fired up ...")
_PLACE_PREPS = frozenset("of in at near outside around from across into through within".split())
# seats of government that are buildings or streets, and the words that make them a place
_BUILDINGS = frozenset(_form_key(f) for f in """White House|the White House|Oval Office|Whitehall|Downing Street|
10 Downing Street|Kremlin|the Kremlin|Pentagon|the Pentagon|Capitol Hill|Elysee|Elysee Palace|Élysée Palace|Blue House|
Casa Rosada|Planalto|Palazzo Chigi|Zhongnanhai|Malacanang Palace|Miraflores Palace""".replace("\n", "").split("|"))
_BUILDING_PREPS = frozenset("in at inside outside near around into".split())
_AFTER_A_PLACE = frozenset("""a an the on in at for with to from by after before during since until and or but
where when while""".split())
_MOTION_VERBS = frozenset("walked walk walking marched march marching ran drove rode paraded".split())
_EVENT_NOUNS = frozenset("""meeting meetings meet met talks conference briefing summit ceremony reception dinner
lunch visit session""".split())
# the destination of a visit: "visited Beijing", "a visit to Moscow" (state visits only: see _visits)
_VISIT_VERBS = frozenset("visited visiting visit visits toured touring".split())
_VISIT_NOUNS = frozenset("visit visits trip trips tour journey".split())
_HYPHEN_STATE = frozenset("backed led brokered sponsored funded allied aligned friendly controlled imposed".split())
_LIST_GAP = re.compile(r"\s*(?:and|or|,|&|/|-|–|—|,\s*and)\s*$|^\s*(?:and|or|,|&|/|-|–|—|,\s*and)\s*")
_GAP_ONLY = re.compile(r"^\s*(?:and|or|,|&|/|-|–|—|, and|, or)\s*$")
_GAP_WORD = 5  # the longest separator _GAP_ONLY allows (", and")


def _gap_bound(text: str, pos: int, step: int) -> int:
    """How far from ``pos`` (backwards with step -1) a ``_GAP_ONLY`` gap can reach: white space,
    at most ``_GAP_WORD`` characters of separator, white space. A bound, not an exact match."""
    n = len(text)
    if step < 0:
        while pos > 0 and text[pos - 1].isspace():
            pos -= 1
        pos = max(0, pos - _GAP_WORD)
        while pos > 0 and text[pos - 1].isspace():
            pos -= 1
    else:
        while pos < n and text[pos].isspace():
            pos += 1
        pos = min(n, pos + _GAP_WORD)
        while pos < n and text[pos].isspace():
            pos += 1
    return pos

_WORD_AFTER = re.compile(r"[\s\"'“”‘’(]*([^\W_]+(?:'t)?)", re.U)
_WORD_AT = re.compile(r"[^\W_]+", re.U)
_log = logging.getLogger(__name__)
# the word before a position, read backwards: non-word characters, then letters or digits
_WORD_BEFORE_REVERSED = re.compile(r"[^\w]*([^\W_]+)", re.U)

_US_STATES = (
    "Alabama|Alaska|Arizona|Arkansas|California|Colorado|Connecticut|Delaware|Florida|Hawaii|"
    "Idaho|Illinois|Indiana|Iowa|Kansas|Kentucky|Louisiana|Maine|Maryland|Massachusetts|"
    "Michigan|Minnesota|Mississippi|Missouri|Montana|Nebraska|Nevada|New Hampshire|New York|"
    "North Carolina|North Dakota|Ohio|Oklahoma|Oregon|Pennsylvania|Rhode Island|"
    "South Carolina|South Dakota|Tennessee|Texas|Utah|Vermont|Virginia|West Virginia|"
    "Wisconsin|Wyoming|Ala\\.|Ariz\\.|Ark\\.|Calif\\.|Colo\\.|Conn\\.|Del\\.|Fla\\.|Ga\\.|Ill\\.|"
    "Ind\\.|Kan\\.|Ky\\.|La\\.|Md\\.|Mass\\.|Mich\\.|Minn\\.|Miss\\.|Mo\\.|Mont\\.|Neb\\.|"
    "Nev\\.|N\\.H\\.|N\\.J\\.|N\\.M\\.|N\\.Y\\.|N\\.C\\.|N\\.D\\.|Okla\\.|Ore\\.|Pa\\.|R\\.I\\.|"
    "S\\.C\\.|S\\.D\\.|Tenn\\.|Tex\\.|Va\\.|Vt\\.|Wash\\.|Wis\\.|Wyo\\."
)
_AFTER_US_STATE = re.compile(r",\s*(?:" + _US_STATES + r")(?![\w])")
# before an ambiguous form (the "?" lines of countries.txt), a body that is not the state's: "the
# Texas Senate", "the state Senate", "the Faculty Senate", "the Continental Congress"
_SUBNATIONAL_BEFORE = re.compile(r"(?:\b(?:" + _US_STATES + r")|\b(?:[Ss]tate|[Ss]tudent|[Ff]aculty|[Uu]niversity"
                                 r"|[Aa]cademic|[Yy]outh|[Pp]rovincial|[Cc]ity|[Cc]ontinental))\s+\Z")
_GA_CITY_BEFORE = re.compile(
    r"(?:Atlanta|Athens|Augusta|Columbus|Macon|Savannah|Albany|Marietta|Rome|Valdosta|Dalton|"
    r"Gainesville|Alpharetta|Roswell|Smyrna|Decatur|Kennesaw|Jonesboro|Brunswick),\s*$")


def _at_word_start(alternatives: str) -> str:
    """The regex ``\\b(?:A|B|...)`` for alternatives that each open with a letter, written so that
    the engine can skip straight to those first letters: the word boundary is asserted after the
    first letter (``A(?<!\\w.)...``). With ``\\b`` in front it tried every alternative at every word
    boundary: a third of a millisecond on a 4 KB article."""
    alts = alternatives.split("|")
    if not all(a[:1].isalpha() for a in alts):
        raise ValueError("each alternative must open with a letter")
    return "(?:" + "|".join(a[0] + r"(?<!\w.)" + a[1:] for a in alts) + ")"


_GA_US_CUES = re.compile(_at_word_start(
    r"Atlanta|Savannah|Fulton County|Cobb County|Gwinnett|DeKalb|Kemp|Raffensperger|Warnock|"
    r"Ossoff|Peach State|Stacey Abrams|Marjorie Taylor Greene|Herschel Walker|Ga\.|Governor|Gov\.|"
    r"Republican|Republicans|Democrat|Democrats|Democratic|GOP|U\.S\. state|US state|county|counties|"
    r"Senate race|Bulldogs|Falcons|Braves|" + _US_STATES.replace("Georgia|", "")))
_GA_GEO_CUES = re.compile(_at_word_start(
    r"Tbilisi|Georgian Dream|Caucasus|Abkhazia|South Ossetia|Ossetia|Saakashvili|Kobakhidze|"
    r"Ivanishvili|Zourabichvili|Kavelashvili|Garibashvili|Batumi|Kutaisi|Black Sea|Kremlin|Moscow|"
    r"Russia|Russian|Armenia|Azerbaijan|Ukraine|European Union|EU|NATO|lari") + r"\b")
_TURKEY_FOOD_AFTER = frozenset("""dinner dinners sandwich sandwiches breast breasts meat farm farms
farmer farmers feathers pardon pardons leg legs gravy stuffing roast day trot vulture vultures
hunting hunters hunter baster bacon burger burgers flock flocks feast feasts gobble carcass
carcasses drumstick drumsticks bird birds poult poults platter slices recipe recipes""".split())
_TURKEY_FOOD_BEFORE = frozenset("""roast roasted wild smoked frozen stuffed carve carved carving
thanksgiving christmas pardoned pardon fried deep ground sliced whole cooked""".split())
_TURKEY_COUNTRY_CUES = re.compile(r"\b(?:Ankara|Istanbul|Turkish|Erdo[gğ]an|T[üu]rkiye|Turks)\b")
_PLACE_NOUNS = frozenset("""airport airports streets street mayor city subway metro residents
downtown district districts neighborhood neighbourhood neighborhoods suburbs suburb hospitals
hospital skyline population outskirts restaurants hotels streets traffic university stock
marathon police governor""".split())
# a country's name or demonym followed by one of these (capitalised) names a feature, not the state
_FEATURE_NOUNS = frozenset("""Sea Ocean Harbor Harbour Strait Straits Gulf Channel Basin Peninsula Highlands
Riviera Alps Plateau Bay Lake River Creek Falls Mountains Mountain Hills Valley Quarter Town Village
Springs Beach Heights Island Islands""".split())
# ... or, as a title, by one of these: a newspaper, an airline, a police force ("the Yemen Post",
# "China Daily", "Kenya Airways", "Scotland Yard"), which is not the state acting
_ORG_NOUNS = frozenset("""Post Times Herald Tribune Gazette Daily Journal Telegraph Observer Airlines Airways Yard
Presse""".split())
# ... or by a currency ("US$ 30 billion", "US dollars", "Chilean pesos"): money, not the state
_CURRENCY_NOUNS = frozenset("""dollar dollars peso pesos yuan yen rupee rupees rouble roubles ruble rubles rand
franc francs krona kronor krone kroner lira dinar dinars riyal riyals shekel shekels won euro euros""".split())
# ... or it sits inside a proper name (a run of capitalised words, "of" / "for" / "and" / "de"
# between them) with one of these heads: an organisation that is not the state ("the Church of
# Scotland", "the New Zealand Labour Party", "Pakistan Institute of Medical Sciences", "the
# Canadian Curling Hall of Fame", "Miss Russia"). Heads that can be the state (Police, Army,
# Forces, Bank, Court, Council, Committee, Ministry) are not listed.
_NONSTATE_HEADS = _ORG_NOUNS | frozenset("""Party Church Institute Alliance Association Federation Society
Foundation Hall Centre Center News Press Hospital University College Company Corporation Ltd Pte Inc Museum Network
Club League Olympic Open Prix Idol Miss Trust Group Holdings Federación Partido Fame Team Forum Movement Front
Coalition Expo Radio Television TV Petroleum Gymnastics Swimming Athletics Basketball Hockey Rugby Cricket Cycling
Rowing Skating Skiing Triathlon Liberation""".split())
_NAME_LINKS = frozenset({"of", "for", "and", "de", "&"})
_NAME_REACH = 80  # characters before a mention that ``_inside_organisation_name`` reads
# the capitalised words (and link words between them) right after a mention, up to six
_NAME_RUN_AFTER = re.compile(r"(?: (?:[A-Z][\w'’-]*|of|for|and|de|&)){1,6}")
# ... or by one of these (any case): a subdivision of it or of another state
_ADMIN_NOUNS = frozenset("province provinces oblast governorate prefecture".split())
# ... or preceded by one of these (capitalised): a neighbourhood or a region ("Little Italy", "East Azerbaijan")
_PLACE_PREFIXES = frozenset("Little East West North South Upper Lower Nova".split())
_PLACE_PREFIX_TUPLE = tuple(_PLACE_PREFIXES)  # for str.endswith
# the words after a country's word that make it part of another name, as written and in any case
_PLACE_WORDS_AFTER = _FEATURE_NOUNS | _ORG_NOUNS
_PLACE_WORDS_AFTER_ANY_CASE = _ADMIN_NOUNS | _CURRENCY_NOUNS
# after a capital's possessive, another state's mission there: "Madrid's US embassy", "Ankara's
# U.S. consulate" (not "Moscow's embassy in Washington", the state's own)
_FOREIGN_MISSION = re.compile(r"\s+(?:[A-Z][\w.]*\s+){1,2}(?:[Ee]mbass(?:y|ies)|[Cc]onsulates?)\b")
# what a city's possessive names when it is the city, not the state: "Rome's new mayor", "Paris's metro"
_LOCAL_NOUNS = frozenset("""mayor mayors mayoral council councillors city homelessness homeless housing rents
transit buses bus subway metro underground tube trams schools school parks zoo museum museums tourism tourists
restaurants nightlife streets neighbourhoods neighborhoods suburbs residents population traffic smog pollution
marathon olympics stadium football soccer club team airport airports hospitals police firefighters skyline
outskirts downtown thoroughfare thoroughfares avenues boulevards squares landmarks districts shops pubs bars
cafes square locality localities area areas quarter gate gates slum slums ambulance ambulances""".split())
_LOCAL_OR_PLACE_NOUNS = _LOCAL_NOUNS | _PLACE_NOUNS
_TITLE_WORDS = frozenset("""president prime minister mr mrs ms dr sen senator gen general
chairman leader premier chancellor secretary ambassador envoy king queen prince emir sultan
sheikh field marshal minister spokesman spokeswoman spokesperson foreign defense defence
supreme""".split())
_PERSONLIKE = frozenset({"jordan", "chad", "georgia"})
# a country's word right after one of these is a person's name: "Colonel Jordan", "Mr French"
_PERSON_TITLES = frozenset("""mr mrs ms miss dr sir lady lord judge justice detective officer coach professor prof
colonel col captain capt sergeant sgt lieutenant lt corporal private admiral commander""".split())
# a country's adjective as a language, by the words after it: "Spanish-speaking", "Spanish was spoken"
_LANGUAGE_AFTER = re.compile(r"(?:[-‑–](?:speaking|speakers?|language|languages|dubbed|subtitled)\b"
                             r"|\s+(?:language|languages|speakers?|translation|translations|subtitles|dialects?)\b"
                             r"|\s+(?:is|was|are|were)\s+(?:\w+ly\s+|still\s+|also\s+|not\s+){0,2}spoken\b)")
_LANGUAGE_AFTER_INITIALS = frozenset("lstdiwa")
_ACRONYM_GAPS = frozenset(f"{c} " for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ")  # "BBC Scotland": a capital, a space
# ... and by the words before it: "speak Japanese", "in fluent French"
_LANGUAGE_BEFORE = frozenset("""speak speaks spoke spoken speaking fluent translated translate translating written
learn learning learned learnt teach teaches taught teaching""".split())
# the words before a language or a person's name, as the text writes them: "speak", "Colonel", "Mr."
_WORDS_BEFORE_NOT_STATE = _LANGUAGE_BEFORE | frozenset(
    f"{t.capitalize()}{dot}" for t in _PERSON_TITLES for dot in ("", "."))
# the X of "an X-American broadcaster", "X-Americans" is a heritage (the American a nationality);
# not in "the Spanish-American War", "Iranian-American relations" (two states, the words after say so)
_HERITAGE_SECOND = frozenset("American Americans Canadian Canadians Australian Australians Briton Britons".split())
_BILATERAL_NOUNS = frozenset("""war wars alliance alliances treaty summit trade border relations relationship
agreement agreements pact cooperation co-operation partnership conflict dispute disputes negotiations accord
accords commission joint military defense defence friendship rivalry axis deal deals front talks ties tensions
security exercises drills""".split())
_GIVEN_NAMES = frozenset("""michael vernon barbara eddie deandre jim jimmy chris mike john james
robert david brian kevin lady hamilton""".split())
_CAP_BEFORE_OK = frozenset("""kingdom republic state president king queen emir prime minister
neighbouring neighboring including include like unlike both visit visiting to from in on at
for with and or but the a an of by as via into onto across over under near than about against
between among""".split())
# Acronyms that are also ordinary words: need the surrounding text not to be all capitals.
_ALLCAPS_RISKY = frozenset({"US", "WHO", "AU", "CAR", "ROC", "IT", "ROK", "PLA", "SCO", "OAS", "EAC"})


def _word_after(text: str, pos: int, window: int = 40):
    m = _WORD_AFTER.match(text, pos, min(len(text), pos + window))
    return (m.group(1), m.start(1)) if m else (None, pos)


def _word_before(text: str, pos: int, window: int = 40):
    """The last word (letters, digits) before ``pos`` with only non-word characters after it
    up to ``pos``, within ``window``: ``(word, start)`` or ``(None, pos)``. One anchored match
    on the reversed window: searching forwards for the word and the end retried every start."""
    lo = max(0, pos - window)
    m = _WORD_BEFORE_REVERSED.match(text[lo:pos][::-1])
    if not m:
        return None, pos
    start = pos - m.end(1)
    return text[start:pos - m.start(1)], start


# a title right before a surname that otherwise needs its full name first ("President Bush")
_OFFICE_TITLES = frozenset("""president minister secretary chancellor premier taoiseach king queen emir
sultan ambassador envoy spokesman spokeswoman spokesperson undersecretary""".split())


# an official named by country and office: "Somali Foreign Minister Ali Jangeli", "Turkey's interior
# minister, Besir Atalay", "Ali Jangeli, Somali Foreign Minister" (docs/actors.md, "Officials")
_OFFICE_MODS = (r"(?:(?i:deputy|vice|acting|chief|senior|top|special|foreign|defen[cs]e|interior|home|finance|justice"
                r"|health|trade|economy|economic|energy|education|information|security|national|state|u\.?n\.?|prime"
                r"|ministry|affairs|council|government|cabinet|presidential|embassy|army|navy|military|police"
                r"|children's|children’s|nuclear|chief)\s+){0,4}")
_OFFICE_HEAD = (r"(?i:president|prime\s+minister|premier|chancellor|minister|(?:under-?)?secretary|ambassador|envoy"
                r"|spokes(?:man|woman|person)|taoiseach|negotiator|representative|counterpart|security\s+advis[eo]r"
                r"|attorney\s+general)\b(?:\s+(?:to|of|for)\s+(?:the\s+)?[A-Z]\w*(?:\s+[A-Z]\w*){0,2})?")
# a capital letter, also with an accent ("Álvaro", "Łukasz", "Şahin"): the Latin letters with an upper case
_UPPER = "[" + "".join(c for c in map(chr, [*range(0x41, 0x250), *range(0x1E00, 0x1F00)]) if c.isupper()) + "]"
_NAME_WORD = rf"(?:(?:al|el|bin|ibn|de|da|del|van|von|Ould|Sheikh|Sheik)[- ])?{_UPPER}[\w’'.-]*[\w’']"
_PERSON_NAME = rf"({_NAME_WORD}(?:\s+{_NAME_WORD}){{0,4}})"
# the words that end the office's name in _OFFICE_HEAD, found by the matcher with the country names
_OFFICE_WORDS = """president minister premier chancellor secretary ambassador envoy spokesman spokeswoman
spokesperson undersecretary taoiseach negotiator representative counterpart adviser advisor general""".split()
_OFFICIAL_AFTER = re.compile(rf"(?:['’]s)?\s+{_OFFICE_MODS}{_OFFICE_HEAD},?\s+{_PERSON_NAME}")
_OFFICIAL_BEFORE = re.compile(rf"(?<![\w’'.-]){_PERSON_NAME},\s+\Z")
_SPACES = re.compile(r"\s+")
_OFFICE_AFTER_MENTION = re.compile(rf"(?:['’]s)?\s+{_OFFICE_MODS}{_OFFICE_HEAD}")
# not an official of the state now: "former Somali minister", "opposition leader"
_NOT_IN_OFFICE = frozenset("former ex late then opposition rebel exiled ousted deposed self-declared".split())
# characters that glue a surname to the word before or after it: "Al-Jangeli", "Jangeli-Smith"
_START = operator.itemgetter(0)  # a (start, end, code) span's start
_END = operator.itemgetter(1)  # ... its end
_CODE = operator.itemgetter(2)  # ... and its code
_LONGEST_KEY = 200  # characters: no mention is longer
_GLUED_BEFORE = re.compile(r"[\w’'-]")
_GLUED_AFTER = re.compile(r"[\w-]")
_RANKS = frozenset("""general major-general lieutenant-general brigadier brigadier-general colonel lieutenant
lt lt-gen gen col maj capt captain major admiral rear-admiral vice-admiral commander marshal sergeant""".split())
_OUSTED = re.compile(r",?\s+(?:was\s+|had\s+been\s+|has\s+been\s+|is\s+being\s+)?"
                     r"(?:ousted|deposed|overthrown|toppled|removed)\b")
_NOT_NAMES = frozenset("""Monday Tuesday Wednesday Thursday Friday Saturday Sunday January February March April
May June July August September October November December The A An He She It They This That These Those His
Her Their In On At And But Mr Mrs Ms Dr""".split())


def _office_title_before(text: str, s: int) -> bool:
    """An office title right before ``s``: "President Bush", "Foreign Minister Lavrov" (not "Mr.":
    a private person may share an official's surname)."""
    before, bpos = _word_before(text, s, 20)
    return bool(before) and before.lower() in _OFFICE_TITLES and text[bpos + len(before):s] in (" ", ". ")


def _is_cap(word: str | None) -> bool:
    return bool(word) and word[0].isupper()


def _in_a_name_run(text: str, s: int, e: int) -> bool:
    """Cheap test before ``_inside_organisation_name`` (most mentions fail it): a capitalised
    word or "of" right after the mention, or "of", "de", "for" or a capitalised word ("Miss
    Russia", "Cricket Australia", "Fan Expo Canada") right before it."""
    if text[e:e + 1] == " " and (text[e + 1:e + 2].isupper() or text.startswith(("of ", "for ", "de "), e + 1)):
        return True
    if s < 3 or text[s - 1] != " ":
        return False
    if text.endswith(("of ", "de ", "for "), 0, s):
        return True
    return text[s - 2:s - 1].isalpha() and text[text.rfind(" ", max(0, s - 24), s - 1) + 1].isupper()


def _sentence_initial(text: str, pos: int) -> bool:
    """True when the word at ``pos`` opens a sentence (or the text)."""
    i = pos - 1
    while i >= 0 and text[i] in " \t\"'“‘(":
        i -= 1
    return i < 0 or text[i] in ".!?\n:;—–-"


def _heritage_or_language_compound(text: str, e: int) -> bool:
    """The hyphen after a country's word at ``e`` makes it a heritage (the "Iranian" of "an
    Iranian-American broadcaster", "Vietnamese-Americans", who are American) or a language
    ("Spanish-speaking", "Somali-language"), not the state; two states stay: "the
    Spanish-American War", "Iranian-American relations"."""
    m = _WORD_AT.match(text, e + 1)
    if not m:
        return False
    if m.group() in _HERITAGE_SECOND:
        return _heritage_after(text, m.end(), m.group())
    return bool(_LANGUAGE_AFTER.match(text, e))


def _language_after(text: str, s: int, e: int) -> bool:
    """The words after a country's adjective make it a language: "Spanish was still spoken",
    "French speakers", "a Somali translation", "Cyprus (Greek: Kypros)"."""
    if text[e:e + 1] == ":":
        return text[s - 1:s] == "("
    return text[e + 1:e + 2] in _LANGUAGE_AFTER_INITIALS and bool(_LANGUAGE_AFTER.match(text, e))


def _heritage_after(text: str, pos: int, second: str) -> bool:
    """Whether "X-American" ending at ``pos`` is a heritage (not two states): a plural
    ("Vietnamese-Americans") or not followed by a word of relations between states."""
    if second.endswith("s"):
        return True
    nxt, _ = _word_after(text, pos, 30)
    return not (nxt and nxt.lower() in _BILATERAL_NOUNS)


# --------------------------------------------------------------------------- data loading

class _Person:
    __slots__ = ("name", "code", "ranges", "forms", "shorts", "confirms", "curated")

    def __init__(self, name, code, curated):
        self.name, self.code, self.curated = name, code, curated
        self.ranges: list[tuple[int, int]] = []
        self.forms: list[str] = []
        self.shorts: list[str] = []
        self.confirms: list[str] = []



def _valid(ranges, day: int | None) -> bool:
    return day is None or any(a <= day <= b for a, b in ranges)


def _weight(ranges) -> int:
    """Approximate days in office, used to choose between offices when date is None."""
    total = 0
    for a, b in ranges:
        b = min(b, 20260101)
        total += (b // 10000 - a // 10000) * 365 + ((b // 100) % 100 - (a // 100) % 100) * 30
    return total


_FAMILY_NAME_FIRST = frozenset({"CHN", "TWN", "KOR", "PRK"})  # names written family name first


def _surname_confirms(full_name: str, code: str) -> list[str]:
    """The forms of a full name's surname that a full mention confirms: "Nouri al-Maliki" ->
    "al-Maliki", "Maliki"; "Alvaro Uribe Velez" -> "Velez"; family name first for Chinese and
    Korean names ("Xi Jinping" -> "Xi" is too short: none)."""
    toks = [t for t in full_name.split() if t.lower().strip(".") not in _SUFFIXES]
    if len(toks) < 2:
        return []
    last = toks[0] if code in _FAMILY_NAME_FIRST else toks[-1]
    out = []
    if _surname_form_ok(last):
        out.append(last)
        head, dash, rest = last.partition("-")
        if dash and head.lower() in _PARTICLES and len(rest) >= 4 and _surname_form_ok(rest):
            out.append(rest)  # "al-Maliki" -> "Maliki"
    if len(toks) >= 3 and toks[-2].lower() in _PARTICLES:
        out.append(toks[-2] + " " + toks[-1])
    return out


def _father_family_name(full_name: str, given: set[str]) -> list[str]:
    """A Spanish name without the mother's family name, as the news writes it: "Alvaro Uribe
    Velez" -> "Alvaro Uribe" (whose surname "Uribe" it then confirms); "Jose Dario Uribe Escobar"
    -> "Jose Dario Uribe". Only where the word before the last is no one's given name in the
    dictionaries ("Juan Manuel Santos" keeps its three words) nor a particle ("Marco Del Pont")."""
    toks, head = full_name.split(), []
    if len(toks) == 4 and toks[1].lower() in given:
        head, toks = toks[:1], toks[1:]
    elif len(toks) != 3:
        return []
    father = toks[-2]
    if not father[:1].isupper() or father.lower() in given or father.lower() in _PARTICLES or not _surname_form_ok(father):
        return []
    return [" ".join(head + toks[:-1])]


def _surname_form_ok(form: str) -> bool:
    """A surname that a full mention of its holder may confirm for the rest of the text: three
    letters or more, not a name too many share; an English word ("Gates") of four letters or more."""
    key = normalise(form).strip()
    if key in _COMMON:
        return len(key) >= 4 and key not in _SHARED_NAMES
    return len(form) >= 3


# what follows a surname that is an English word when it opens a sentence: "Gates said", "Bush
# then commended", "Rice's trip" (not "Gates of the city", "Brown rice"); a word in -s only when
# it is one of the state verbs ("Gates warns", not "Rice prices rose": _does_after)
_REPORTING_AFTER = re.compile(r"(?:['’]s?|,|\s+(?:[a-z]+ed|said|told|has|had|was|is|will|would"
                              r"|also|did|does|then|later|again|now|went|met|spoke|wrote|gave|took|made|sent|\(\w+\))\b)")
_WORD_IN_S_AFTER = re.compile(r"\s+([a-z]+s)\b")


def _does_after(text: str, e: int) -> bool:
    """What follows ``e`` is something a person does or has (``_REPORTING_AFTER``, or a state
    verb in -s: "Gates warns")."""
    if _REPORTING_AFTER.match(text, e):
        return True
    m = _WORD_IN_S_AFTER.match(text, e)
    return m is not None and m.group(1) in _STATE_VERBS


_TITLE_ABBREVIATIONS = frozenset("mr mrs ms dr sec sen rep gov pres gen".split())  # "said Mr. Bush."
_DATE_AFTER = re.compile(r"\s+\d")
_DATE_BEFORE = frozenset("in since until till early late mid last next this during through".split())
# a day before a month, and a part of the year: "on 8 May", "the 29th of May", "by the end of May"
_DAY_BEFORE = re.compile(r"\d(?:st|nd|rd|th)?(?:\s+of)?\s+\Z")
_PART_OF_BEFORE = re.compile(r"(?i:end|start|beginning|middle|month|half|rest)\s+of\s+\Z")


def _common_word_surname_ok(text: str, s: int, e: int) -> bool:
    """A confirmed surname that is also an English word stands for its holder at ``s:e`` unless
    it opens a sentence with nothing after it that a person does ("Gates of the city ..."), is
    the second word of another name ("met Bill Gates"; at a sentence's start only without a verb
    after it: "Later Gates said" cannot be told from "Bill Gates said"), or is a month ("in
    May", "May 5", "8 May", "the end of May")."""
    if normalise(text[s:e]).strip() not in _COMMON_WORDS:
        return True
    before, bpos = _word_before(text, s, 20)
    low = before.lower() if before else ""
    if low in _DATE_BEFORE or _DATE_AFTER.match(text, e):
        return False
    near = text[max(0, s - 20):s]
    if _DAY_BEFORE.search(near) or _PART_OF_BEFORE.search(near):
        return False
    if before and text[bpos + len(before):s] == " " and _is_cap(before) and low not in _TITLE_WORDS \
            and low not in _CAP_BEFORE_OK:  # "Bill Gates", or "Later Gates said"
        return _sentence_initial(text, bpos) and _does_after(text, e)
    return not _sentence_initial(text, s) or low in _TITLE_ABBREVIATIONS or _does_after(text, e)


def _parse_blocks(path: Path):
    """Yield (code, display, field, form) from countries.txt / organisations.txt."""
    code = display = None
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.split(" #", 1)[0].rstrip() if not raw.lstrip().startswith("#") else ""
        if not line.strip():
            continue
        if line.startswith("? "):
            forms, codes = line[2:].rsplit(":", 1)
            for f in forms.split(";"):
                yield " ".join(codes.split()), None, "ambig", f.strip()
            continue
        if line.startswith("- "):
            for f in line[2:].split(";"):
                yield None, None, "block", f.strip()
            continue
        if not line[0].isspace():
            code, display = line.split(None, 1)
            yield code, display, "display", display
            continue
        field, forms = line.strip().split(":", 1)
        for f in forms.split(";"):
            if f.strip():
                yield code, display, field.strip(), f.strip()


def _day(s: str) -> int:
    return OPEN_END if s == "-" else int(s.replace("-", ""))


_TITLES = frozenset("""mr mr. mrs ms dr president prime minister foreign defense defence secretary
general gen. gen king queen prince sheikh emir sultan senator sen. vice premier chancellor
chairman chief deputy acting former the of state us u.s. american minister's""".split())
_SUFFIXES = frozenset({"jr", "jr.", "sr", "sr.", "ii", "iii", "iv"})
_PARTICLES = frozenset("al el bin ibn ben abu van von der de da di du la le dos das del".split())
# English words that are also surnames ("Gates", "Brown", "Rice"): a surname like these stands
# alone only once the text has named its holder in full and only when written with a capital
# (_common_word_surname_ok); the one-word names of the dictionaries never do
_COMMON_WORDS = frozenset("""
about above after again against all also always among and another any are around away back bad
bank bay bell best better big bill bird black blue bond born both box boy bright brown bush but
call can card care case cash chance change charge church city clean clear close cold cook cross
day dean deal dear earl early east easy end even every fair faith fall far field fine fish fisher
fox frank free friend gate gates general gift glad god gold good grace grand grant gray great
green grey guard hall hand happy hard hart hay head heart help here high hill hold home hope
house hunt hunter iron james john joy just keen key kind king knight lake lamb land lane large
last law lead lee less light like lion little long lord love low luck major man mark marsh mason
may mercy might miles mill miller moon moore more moss much must new news nice noble north now
oak old one open page park part pay peace pearl penny people pike plain player poor pope post
pound power price prince queen rain ray read reed rich ring river rock rose round royal rush
sage saint sale salt sand say sea see senior service shaw short silver small smith snow so
south spring stand star state steel stone storm strong summer sun swan sweet tall than that the
this time tower town trade true turner under union upon vale van very wall ward warden water way
weaver well wells west white wild will win winter wise wolf wood woods word work world worth
wright young yes""".split())
# names too many people share to stand for one office holder, ever ("Khan", "Kim"), and words that
# are everyday capitalised words at a sentence's start or are titles ("Said", "Than", "Major")
_SHARED_NAMES = frozenset("""ali khan ahmed ahmad mohammed mohammad muhammad hassan hussein abdullah omar
said saleh salem musa hamid karim nasser rahman abdul kim lee park li wang zhang liu chen yang
singh kumar das shah islam rao
james john mark frank bill will may ray grant lee said than fall call sale union king queen prince major
general state pope lord saint senior""".split())
_COMMON = _COMMON_WORDS | _SHARED_NAMES


def _load():
    """Parse the data files -> (automaton, senses, persons, names)."""
    senses: dict[str, list] = defaultdict(list)
    forms_case: dict[str, list[str]] = defaultdict(list)
    names: dict[str, str] = {}
    kinds: dict[str, str] = {}

    def add(form: str, sense: tuple):
        k = _key(form)
        if k.strip() == "":
            return
        if sense not in senses[k]:
            senses[k].append(sense)
        forms_case[k].append(form)

    regions: list[str] = []
    spanish: set[str] = set()  # countries whose people carry two family names, the father's first
    languages: list[str] = []  # country adjectives that are also languages' names ("spanish")
    for raw in (DATA_DIR / "places.txt").read_text(encoding="utf-8").splitlines():
        line = raw.split("  #", 1)[0].strip()
        if line.startswith("never: "):  # a place that carries a country's name: never the country
            add(line[7:], (BLOCK, None, line[7:]))
        elif line.startswith("region: "):
            regions.append(line[8:])
        elif line.startswith("language: "):
            languages.append(_form_key(line[10:]))
        elif line.startswith("spanish-names: "):
            spanish.add(line[15:])

    for fname, kind in (("countries.txt", "country"), ("organisations.txt", "organisation")):
        for code, display, field, form in _parse_blocks(DATA_DIR / fname):
            if field == "ambig":
                add(form, (AMBIG, tuple(code.split()), form))
            elif field == "block":
                add(form, (BLOCK, None, form))
            else:
                names.setdefault(code, display)
                kinds[code] = kind
                f = {"display": NAME, "name": NAME, "adj": ADJ, "capital": CAPITAL, "seat": SEAT}[field]
                add(form, (f, code, form))

    persons: list[_Person] = []
    curated_full: set[tuple[str, str]] = set()
    by_name: dict[tuple[str, str], _Person] = {}
    for raw in (DATA_DIR / "officeholders.txt").read_text(encoding="utf-8").splitlines():
        if not raw.strip() or raw.lstrip().startswith("#"):
            continue
        head, forms = raw.split("|", 1)
        code, a, b = head.split()
        forms = [f.strip() for f in forms.split(";") if f.strip()]
        canon = forms[0].rstrip("*").lstrip("~")
        p = by_name.get((code, canon))
        if p is None:
            p = by_name[(code, canon)] = _Person(canon, code, True)
            persons.append(p)
        p.ranges.append((_day(a), _day(b)))
        for f in forms:
            if f.endswith("*"):
                p.shorts.append(f[:-1])
            elif f.startswith("~"):
                p.confirms.append(f[1:])
            else:
                p.forms.append(f)
            curated_full.add((code, _key(f.rstrip("*").lstrip("~"))))
    same: dict[str, list[_Person]] = defaultdict(list)
    for p in persons:  # one person holding offices under several codes shares short forms
        same[p.name].append(p)
    for group in same.values():
        shorts = list(dict.fromkeys(f for p in group for f in p.shorts))
        confirms = list(dict.fromkeys(f for p in group for f in p.confirms))
        for p in group:
            p.shorts, p.confirms = shorts[:], confirms[:]
    for p in persons:
        if not p.forms and p.shorts:
            p.forms.append(p.shorts[0])
        # a curated full name confirms its surname for the rest of a text, as Phoenix names do
        # (not a family name written first: "Wang", "Kim" are shared by too many)
        if p.code not in _FAMILY_NAME_FIRST:
            p.confirms += [f for f in _surname_confirms(p.name, p.code) if f not in p.confirms and f not in p.shorts]

    phoenix = [raw.split("\t") for raw in (DATA_DIR / "phoenix_people.tsv").read_text(encoding="utf-8").splitlines()
               if raw and not raw.startswith("#")]
    given = {forms.split(None, 1)[0].lower() for _, _, forms in phoenix if " " in forms.split("|", 1)[0]}
    for code, ranges, forms in phoenix:
        forms = forms.split("|")
        if any((code, _key(f)) in curated_full for f in forms):
            continue  # curated entry supersedes
        father = _father_family_name(forms[0], given) if code in spanish else []
        p = _Person(forms[0], code, False)
        for r in ranges.split(","):
            x, y = r.split("-")
            p.ranges.append((int(x), int(y)))
        for f in forms:
            toks = [t for t in normalise(f).split() if t not in _TITLES]
            if len(toks) >= 2:
                p.forms.append(f)
            elif len(toks) == 1 and len(toks[0]) >= 4 and toks[0] not in _COMMON and len(f.split()) == 1:
                p.shorts.append(f)
        if p.forms:
            p.confirms += _surname_confirms(p.forms[0], code)
        for f in father:  # "Alvaro Uribe", which confirms "Uribe"
            p.forms.append(f)
            p.confirms += [c for c in _surname_confirms(f, code) if c not in p.confirms]
        if p.forms or p.shorts:
            persons.append(p)

    place_keys = {k for k, ss in senses.items() if ss}
    short_owners: dict[str, set[int]] = defaultdict(set)
    for i, p in enumerate(persons):
        for f in p.shorts:
            short_owners[_key(f)].add(i)
    for i, p in enumerate(persons):
        for f in p.forms:
            k = _key(f)
            if k in place_keys and len(k.split()) == 1:
                continue
            add(f, (PERSON, i, f))
        for f in p.shorts:
            k = _key(f)
            if k in place_keys:
                continue
            owners = short_owners[k]
            # Phoenix one-word names must be unique across everyone to stand alone.
            if p.curated or len(owners) == 1:
                add(f, (SHORT, i, f))
            else:
                add(f, (CONFIRM, i, f))
        for f in p.confirms:
            k = _key(f)
            if k in place_keys:
                continue
            add(f, (CONFIRM, i, f))

    for word in _OFFICE_WORDS:  # no sense: the matcher reports where offices are named (_officials)
        k = _key(word)
        if k not in senses:
            senses[k] = []
    keys = list(senses)
    auto = ahocorasick.Automaton(ahocorasick.STORE_INTS)
    for i, k in enumerate(keys):
        auto.add_word(k, i)
    auto.make_automaton()
    offices = {_key(w) for w in _OFFICE_WORDS}
    table = tuple((tuple(senses[k]), len(k) - 2, k in offices) for k in keys)
    people = tuple(
        (p.name, p.code, tuple(sorted(p.ranges)), tuple(_key(f) for f in p.confirms + p.shorts))
        for p in persons
    )
    return auto, table, people, names, kinds, tuple(regions), tuple(languages)


def _data_files() -> list[Path]:
    return [DATA_DIR / n for n in
            ("countries.txt", "organisations.txt", "officeholders.txt", "phoenix_people.tsv", "places.txt")]


def _cache_path() -> Path | None:
    """Where the built recogniser is cached: keyed by a hash of the data files and this module."""
    root = os.environ.get("SCORING_ACTORS_CACHE")
    if root == "":
        return None
    if root is None:
        root = os.path.join(os.environ.get("XDG_CACHE_HOME") or os.path.expanduser("~/.cache"),
                            "scoring-actors")
    h = hashlib.sha1(_FORMAT.encode())
    for f in _data_files() + [Path(__file__)]:
        h.update(f.read_bytes())
    return Path(root) / f"actors-{h.hexdigest()[:16]}.bin"


def _load_cached():
    """Load the built recogniser from the cache, building (and caching) it when missing.

    The cache is only an accelerator: it is derived from the committed data files, never
    committed, and any failure to read or write it falls back to building in memory.
    """
    try:
        path = _cache_path()
    except OSError:
        path = None
    if path is not None and path.exists():
        try:
            with open(path, "rb") as fh:
                auto = pickle.load(fh)
                rest = marshal.loads(fh.read())
            return (auto, *rest)
        except Exception:  # noqa: BLE001 - corrupt or stale cache: rebuild
            pass
    built = _load()
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_suffix(f".{os.getpid()}.tmp")
            with open(tmp, "wb") as fh:
                pickle.dump(built[0], fh, protocol=pickle.HIGHEST_PROTOCOL)
                fh.write(marshal.dumps(built[1:]))
            os.replace(tmp, path)
            for old in path.parent.glob("actors-*.bin"):  # caches of earlier data or code (12 MB each)
                if old != path:
                    old.unlink(missing_ok=True)
        except Exception:  # noqa: BLE001 - read-only home etc.: just don't cache
            pass
    return built


# --------------------------------------------------------------------------- recogniser

_CASE_SPECS: dict[str, tuple[bool, tuple[int, ...]]] = {}


def _case_spec(form: str) -> tuple[bool, tuple[int, ...]]:
    """(is_acronym, positions that must be upper case) for a listed form, memoised."""
    spec = _CASE_SPECS.get(form)
    if spec is None:
        letters = [c for c in form if c.isalpha()]
        acronym = len(letters) >= 2 and all(c.isupper() for c in letters)
        if acronym:
            pos = tuple(i for i, c in enumerate(form) if c.isalpha())
        else:
            pos = tuple(i for i, c in enumerate(form) if c.isupper() and (i == 0 or form[i - 1] == " "))
        spec = _CASE_SPECS[form] = (acronym, pos)
    return spec


def _case_ok(form: str, span: str) -> bool:
    """Capitalisation in the text must agree with the listed form: every word written with
    a capital in the form needs a capital in the text; acronyms need all capitals."""
    acronym, pos = _case_spec(form)
    if acronym and "." in form and span != form and span != form.rstrip("."):
        return False  # "A.U." must not match "a U.S. official"
    n = len(span)
    for i in pos:
        if i < n and not span[i].isupper():
            return False
    return True


def _classify(senses: tuple) -> tuple[int, object]:
    """How ``Recognizer._find`` treats a span with these senses, and what it needs for that:
    (BLOCK, None), (NAME, (code, form)) for any place sense, (CAPITAL, code), (AMBIG, codes),
    or (PERSON, whether a full-name sense is among them); in that order of precedence."""
    kinds = {x[0] for x in senses}
    if BLOCK in kinds:
        return BLOCK, None
    for x in senses:
        if x[0] in (NAME, ADJ, SEAT):
            return NAME, (x[1], x[2])
    for kind in (CAPITAL, AMBIG):
        for x in senses:
            if x[0] == kind:
                return kind, x[1]
    return PERSON, PERSON in kinds


class _PlaceForm(NamedTuple):
    """A country's name, adjective or seat as ``Recognizer._find`` meets it in a text: its code
    and which of ``_place_ok``'s rules can apply to it (worked out once per form and spelling)."""

    code: str
    risky: bool  # an acronym that is also a word ("US", "IT"): only outside all-capital text
    allcaps: bool  # written in capitals in this span
    building: bool  # a building or street (_BUILDINGS)
    language: bool  # also a language's name, or a person's (_PERSONLIKE)
    personlike: bool  # also a person's name ("Jordan", "Chad")
    us: bool  # the United States itself: never placed in one of its states


_SENSES_OK_LIMIT = 20_000  # memoised (key, span) -> senses whose capitals fit: ~400 bytes each, ~8 MB at most


def _to_day(date) -> int | None:
    if date is None:
        return None
    try:
        return date.year * 10000 + date.month * 100 + date.day
    except AttributeError:
        return None


class Recognizer:
    """Country / organisation recogniser. Build once (``Recognizer()``), call ``find``."""

    def __init__(self, use_cache: bool = True):
        built = _load_cached() if use_cache else _load()
        self._auto, self._table, self._persons, self._names, self._kinds, regions, languages = built
        self._languages = frozenset(languages)
        # "London, Ontario", "Paris, Texas", "LEBANON, Pa." : a region after a comma places the name
        self._in_region = re.compile(r",\s*(?:" + "|".join(re.escape(r) for r in sorted(regions, key=len, reverse=True))
                                     + "|" + _US_STATES + r")(?![\w])")
        self._senses_ok: dict[tuple[int, str], tuple] = {}

    # -- public ------------------------------------------------------------------
    def name(self, code: str) -> str:
        return self._names.get(code, code)

    def find(self, text: str, date: _dt.date | None = None) -> list[Mention]:
        if not isinstance(text, str) or not text:
            return []
        try:
            return self._find(text, _to_day(date))
        except Exception:  # noqa: BLE001 - a recogniser must never take the service down, but says so
            _log.exception("country recogniser failed; no actors for this text", extra={"chars": len(text)})
            return []

    # -- matching ------------------------------------------------------------------
    def _candidates(self, norm: str):
        """(start, -length, table index) of every listed key found in the text, given as
        ``normalise(text)``, sorted: by start, the longest first; and the starts of the office
        words (``_OFFICE_WORDS``)."""
        norm = " " + norm + " "
        hits = []
        offices = []
        table = self._table
        for end, idx in self._auto.iter(norm):
            senses, length, office = table[idx]
            if senses:
                hits.append((end - length - 1, -length, idx))  # end is the trailing pad: -1
            if office:
                offices.append(end - length - 1)
        hits.sort()  # (nearly sorted already: the matcher reports them by end)
        return hits, offices

    def _pick(self, text: str, hits) -> list:
        """Longest case-compatible key at each start, left to right, not overlapping."""
        chosen = []
        last_end = 0
        senses_ok = self._senses_ok
        for s, minus_length, idx in hits:
            if s < last_end:  # (also the shorter keys at a start where a longer one fitted)
                continue
            e = s - minus_length
            span = text[s:e]
            fit = senses_ok.get((idx, span))
            if fit is None:  # depends only on the key's senses and the span's capitals: memoised
                ok = tuple(x for x in self._table[idx][0] if x[0] == BLOCK or _case_ok(x[2], span))
                fit = (ok, self._classify(ok, span)) if ok else None
                if len(senses_ok) >= _SENSES_OK_LIMIT:
                    senses_ok.clear()
                senses_ok[(idx, span)] = fit or ()
            if fit:
                if text[e:e + 1] == "." and fit[0][0][2].endswith("."):
                    e += 1
                chosen.append((s, e, *fit))
                last_end = e
        return chosen

    def _classify(self, senses: tuple, span: str) -> tuple[int, object]:
        """``_classify``, with what the senses and this span decide once, not at every mention: a
        place's ``(code, form)`` becomes the ``_PlaceForm`` that ``_place_ok`` reads, a person's
        flag ``(full name among the senses, only surnames that need confirming)``."""
        what, first = _classify(senses)
        if what == PERSON:  # whether a full name is among the senses, whether only confirmable surnames are
            return what, (first, all(x[0] == CONFIRM for x in senses))
        if what != NAME:
            return what, first
        code, form = first
        low = _form_key(form)
        return what, _PlaceForm(
            code,
            risky=span.replace(".", "") in _ALLCAPS_RISKY, allcaps=span.isupper(),
            building=low in _BUILDINGS, language=low in self._languages or low in _PERSONLIKE,
            personlike=low in _PERSONLIKE, us=low in ("united states", "us", "u s", "america"))

    def _allcaps_context(self, text: str, s: int, e: int) -> bool:
        """The words around the span, those of two letters or more, are all in capitals."""
        after, _ = _word_after(text, e)
        if after and len(after) > 1 and after.isalpha() and not after.isupper():
            return False  # "U.S. President": the word before need not be read
        before, _ = _word_before(text, s)
        caps = [w for w in (before, after) if w and len(w) > 1 and w.isalpha()]
        return bool(caps) and all(w.isupper() for w in caps)

    def _find(self, text: str, day: int | None) -> list[Mention]:
        norm = normalise(text)  # same length as text: a span's key is a slice of it
        hits, offices = self._candidates(norm)
        chosen = self._pick(text, hits)
        out: list[tuple[int, int, str]] = []  # (start, end, code)
        pending_caps: list[tuple[int, int, str]] = []
        visits: list[tuple[int, int, str]] = []
        ambig: list[tuple[int, int, tuple]] = []
        confirmed: dict[str, int] = {}
        people: set[int] = set()  # where the persons found start
        for s, e, senses, (what, first) in chosen:
            if what == NAME:  # a place: a country's name, adjective or seat of government
                if first.risky and self._allcaps_context(text, s, e):
                    continue
                if self._place_ok(text, s, e, first):
                    out.append((s, e, first.code))
            elif what == BLOCK:
                continue
            elif what == CAPITAL:
                if self._capital_ok(text, s, e):
                    out.append((s, e, first))
                elif self._visit_destination(text, s):
                    visits.append((s, e, first))
                else:
                    pending_caps.append((s, e, first))
            elif what == AMBIG:
                if not self._names_a_place(text, s, e) and not _SUBNATIONAL_BEFORE.search(text, max(0, s - 30), s):
                    ambig.append((s, e, first))
            else:
                full, confirm_only = first
                key = " " + norm[s:e].strip() + " "
                titled = False
                if confirm_only:  # most surnames: skip unless confirmed or titled
                    titled = _office_title_before(text, s)
                    held = confirmed.get(key)
                    if not titled and (held is None or self._family_name_shared(text, text[s:e], held)
                                       or not _common_word_surname_ok(text, s, e)):
                        continue
                if not full and self._inside_other_name(text, s, e):
                    continue  # "Ambassador Song Kim": another person's surname
                code = self._person(senses, day, confirmed, key, titled)
                if code:
                    out.append((s, e, code))
                    people.add(s)
        out = self._lists(text, out, pending_caps)
        out += self._visits(text, out, visits)
        out = self._local_places(text, chosen, out)
        out = self._text_rules(text, out, day)
        out += self._resolve_ambiguous(out, ambig, day)
        out += self._officials(text, offices, out, people)
        out = self._trim_articles(text, out)
        out.sort()
        kinds = self._kinds
        return [_new_mention((c, kinds.get(c, "country"), s, e, text[s:e])) for s, e, c in out]

    def _officials(self, text: str, heads: list[int], out: list, people: set[int]) -> list[tuple[int, int, str]]:
        """Officials the dictionaries do not hold, named by their country and office: the name
        after "Somali Foreign Minister", "Turkey's interior minister,", "his Sudanese
        counterpart," or before ", Somali Foreign Minister" stands for that country, and its
        surname does for the rest of the text ("Jangeli said"). Not a former official or an
        opposition figure (LABELS.md), not a person's aide ("Sarkozy spokeswoman"), not an
        officer by rank, not one the text says was ousted ("... Ben Ali ousted from office", "has
        been removed"); a name another mention already covers is left alone. The dictionaries'
        dates do not overrule the text's title: they miss too many terms ("Norwegian Foreign
        Minister Jonas Gahr Støre" in 2009)."""
        found: list[tuple[int, int, str]] = []
        if not heads or not out:
            return found
        by_end = sorted(out, key=_END)
        ends = list(map(_END, by_end))
        near = set()  # the mentions an office word follows within reach: the only ones to read
        for h in heads:
            near.update(range(bisect.bisect_left(ends, h - 90), bisect.bisect_right(ends, h)))

        def free(s: int, e: int) -> bool:
            for j in range(bisect.bisect_right(ends, s), len(ends)):  # the mentions ending after s
                if by_end[j][0] < e:
                    return False
                if ends[j] > e + _LONGEST_KEY:
                    break
            return not any(fs < e and s < fe for fs, fe, _ in found)

        for k in sorted(near):
            s, e, code = by_end[k]
            if s in people or self._kinds.get(code, "country") != "country":
                continue
            m = _OFFICIAL_AFTER.match(text, e)
            if m is None and not (text[s - 2:s] in (", ", ",\u00a0") and _OFFICE_AFTER_MENTION.match(text, e)):
                continue
            before, bpos = _word_before(text, s, 20)
            if before and before.lower() in _NOT_IN_OFFICE:
                continue
            if (before and _is_cap(before) and text[bpos + len(before):s] in (" ", "-")
                    and before.lower() not in _CAP_BEFORE_OK
                    and (text[bpos - 1:bpos] == "-" or not _sentence_initial(text, bpos))):
                continue  # inside another name: "NARAL Pro-Choice America President ..."
            if m:
                span = self._name_span(text, m.start(1), m.group(1))
            else:
                b = self._name_before_comma(text, s)
                span = b and self._name_span(text, b.start(1), b.group(1))
            if span and free(*span) and not _OUSTED.match(text, span[1]):
                found.append((*span, code))
        if not found:
            return found
        surnames = {}
        for s, e, code in found:
            last = text[s:e].split()[-1]
            for form in {last, last.partition("-")[2] if last[:3].lower() in ("al-", "el-") else ""}:
                if form not in _NOT_NAMES and _surname_form_ok(form):
                    surnames.setdefault(form, (e, code))
        for form, (after, code) in surnames.items():  # later bare mentions: "Jangeli said"
            i = text.find(form, after)
            while i >= 0:
                j = i + len(form)
                if ((i == 0 or not _GLUED_BEFORE.match(text, i - 1)) and not _GLUED_AFTER.match(text, j)
                        and free(i, j) and not self._inside_other_name(text, i, j)
                        and _common_word_surname_ok(text, i, j)):
                    found.append((i, j, code))
                i = text.find(form, j)
        return found

    @staticmethod
    def _name_before_comma(text: str, s: int):
        """The match of a name that ends in the ", " right before ``s`` ("Ali Jangeli, Somali
        ..."), or None; tried only at the last few word starts, leftmost first (a search over
        the whole window costs more than the rest of the rule)."""
        lo = max(0, s - 80)
        starts = [lo] + [m.end() for m in _SPACES.finditer(text, lo, s - 2)]
        for st in starts[-10:]:
            b = _OFFICIAL_BEFORE.match(text, st, s)
            if b:
                return b
        return None

    @staticmethod
    def _name_span(text: str, start: int, name: str) -> tuple[int, int] | None:
        """The person's name in a matched run of capitalised words, or None: the run stops
        before a word that is no name ("Tuesday", "The"), and needs two words or a name-like one."""
        words = name.split()
        keep = []
        if words and words[0].rstrip(".").lower() in _RANKS:
            return None  # an officer: "Major-General Kevin Bergner" (not an official of the state here)
        for w in words:
            if w.rstrip(".") in _NOT_NAMES:
                break
            keep.append(w)
        if not keep:
            return None
        text_name = " ".join(keep)
        if not text.startswith(text_name, start):  # the run had line breaks or double spaces in it
            text_name = keep[0]
        return start, start + len(text_name.rstrip("’'."))

    def _family_name_shared(self, text: str, surname: str, held: int) -> bool:
        """A family name written first ("Kim", "Wang") that the text also gives to someone other
        than the office holder who confirmed it ("Kim Jong Un" ... "Kim Jong Nam", "Kim Chol"):
        the bare name is then anyone's."""
        name, code = self._persons[held][:2]
        if code not in _FAMILY_NAME_FIRST:
            return False
        own = normalise(name).strip()
        for m in re.finditer(re.escape(surname) + r"(?:[ -][A-Z][\w’'-]*){1,2}", text):
            full = normalise(m.group()).strip()
            if not own.startswith(full) and not full.startswith(own):
                return True
        return False

    @staticmethod
    def _inside_other_name(text, s, e) -> bool:
        """A bare surname glued to other capitalised name words belongs to someone else."""
        if text[s:e].isupper():
            return False
        before, bpos = _word_before(text, s, 30)
        if (before and text[bpos + len(before):s] == " " and _is_cap(before)
                and before.lower() not in _TITLE_WORDS and before.lower() not in _CAP_BEFORE_OK
                and not _sentence_initial(text, bpos)):
            return True
        after, apos = _word_after(text, e, 30)
        return bool(after) and text[e:apos] == " " and _is_cap(after) and not after.isupper()

    @staticmethod
    def _trim_articles(text, out):
        """"the Kremlin" -> "Kremlin": the article is not part of the name."""
        for i, (s, e, c) in enumerate(out):
            if e - s > 4 and text[s:s + 4].lower() == "the " and text[s + 4].isalnum():
                out[i] = s + 4, e, c
        return out

    # -- persons -------------------------------------------------------------------
    def _person(self, senses, day, confirmed, key, titled: bool = False) -> str | None:
        """The country of the office holder a person-name span stands for, or None. A full name
        confirms its short forms for the rest of the text; a surname that needs confirming also
        counts after an office title ("President Bush"), as long as one holder of that surname was
        in office at the date, and then confirms itself."""
        people = self._persons
        full = [x[1] for x in senses if x[0] == PERSON]
        if full:
            for i in full:  # a full mention confirms this person's short forms
                for k in people[i][3]:
                    confirmed[k] = i
            return self._pick_code([i for i in full if _valid(people[i][2], day)], day)
        pid = confirmed.get(key)
        if pid is not None:
            return self._pick_code([pid] if _valid(people[pid][2], day) else [], day)
        short = [x[1] for x in senses if x[0] == SHORT]
        if short:
            return self._pick_code([i for i in short if _valid(people[i][2], day)], day)
        if titled and len(key) - 2 >= 4:  # not "President Lee": too many share it
            valid = [x[1] for x in senses if x[0] == CONFIRM and _valid(people[x[1]][2], day)]
            code = self._pick_code(valid, day)
            if code is not None and len({people[i][0] for i in valid}) == 1:
                confirmed[key] = valid[0]
            return code
        return None

    def _pick_code(self, ids, day) -> str | None:
        if not ids:
            return None
        people = self._persons
        codes = {people[i][1] for i in ids}
        if len(codes) == 1:
            return people[ids[0]][1]
        if day is None and len({people[i][0] for i in ids}) == 1:
            # archive use, one person with several offices: the office held longest
            return people[max(ids, key=lambda i: _weight(people[i][2]))][1]
        return None

    # -- places ----------------------------------------------------------------------
    @staticmethod
    def _names_a_place(text: str, s: int, e: int) -> bool:
        """The country's name is part of a place's or a title's: "the Irish Sea", "Dutch Harbor",
        "the Congo River", "East Azerbaijan province", "Little Italy", "the Yemen Post",
        "Agence France-Presse", "Scotland Yard"; or of an amount of money: "US$ 30 billion",
        "US dollars", "Chilean pesos"."""
        nxt = text[e:e + 1]
        if nxt == " ":
            m = _WORD_AT.match(text, e + 1)
            if m and (m[0] in _PLACE_WORDS_AFTER or m[0].lower() in _PLACE_WORDS_AFTER_ANY_CASE):
                return True
        elif nxt == "$":
            return True
        elif nxt == "-":  # "Agence France-Presse"
            m = _WORD_AT.match(text, e + 1)
            if m and m[0] in _ORG_NOUNS:
                return True
        if s < 2 or text[s - 1] != " " or not text.endswith(_PLACE_PREFIX_TUPLE, 0, s - 1):
            return False  # (the test below, for the few that end like a prefix)
        k = text.rfind(" ", max(0, s - 8), s - 1)  # the prefixes are short words: "Little", "East"
        return text[k + 1:s - 1].lstrip("\"'“‘(") in _PLACE_PREFIXES

    @staticmethod
    def _inside_organisation_name(text: str, s: int, e: int) -> bool:
        """The country's name is part of a proper name whose head is an organisation that is not
        the state (``_NONSTATE_HEADS``): "the Church of Scotland", "New Zealand Labour Party"."""
        after = _NAME_RUN_AFTER.match(text, e)
        if after and not _NONSTATE_HEADS.isdisjoint(after.group().split()):
            return True
        if text[s - 1:s] != " ":
            return False
        linked = False
        for word in text[max(0, s - _NAME_REACH):s].split(" ")[-2:-8:-1]:  # the words before, nearest first
            if word in _NONSTATE_HEADS and word != "Team":  # "Team USA" is the national team
                return True
            if word[:1].isupper() and word.isalpha():
                linked = False
            elif word in _NAME_LINKS and not linked:
                linked = True  # "Church of Scotland": a link word counts only between capitals
            else:
                return False
        return False

    def _place_ok(self, text: str, s: int, e: int, place: _PlaceForm) -> bool:
        """Whether a country's name or adjective at ``text[s:e]`` stands for the state."""
        code, _risky, allcaps, building, language, personlike, us = place
        if self._names_a_place(text, s, e):
            return False
        if _in_a_name_run(text, s, e) and self._inside_organisation_name(text, s, e):
            return False
        nxt = text[e:e + 1]
        if nxt == "," and not us and _AFTER_US_STATE.match(text, e):
            return False  # "Lebanon, Pennsylvania"
        if building and self._building_as_place(text, s, e):
            return False  # "walked to the White House", "signed in the Oval Office"
        if nxt and nxt in "-‑–" and _heritage_or_language_compound(text, e):
            return False  # "an Iranian-American broadcaster", "Spanish-speaking"
        if language:
            if nxt in " (:" and _language_after(text, s, e):
                return False  # "Spanish was still spoken", "Cyprus (Greek: Kypros)"
            if text[s - 1:s] == " " and (text[text.rfind(" ", max(0, s - 16), s - 1) + 1:s - 1].lstrip("\n\"“(")
                                        in _WORDS_BEFORE_NOT_STATE):
                return False  # "speak Japanese", "in fluent French", "Mr. French", "Colonel Jordan's attorney"
        if text[s - 2:s] in _ACRONYM_GAPS and not allcaps:
            word = text[text.rfind(" ", max(0, s - 8), s - 1) + 1:s - 1]
            if 2 <= len(word) <= 6 and word.isupper() and word.isalpha() and not self._auto.exists(_key(word)):
                return False  # an organisation's branch: "BBC Scotland", "RSPB Scotland" (not "US", "EU")
        if personlike and not allcaps:
            before, bpos = _word_before(text, s, 30)
            if before and text[bpos + len(before):s] == " ":
                if before.lower() in _GIVEN_NAMES:
                    return False
                if (_is_cap(before) and before.lower() not in _CAP_BEFORE_OK
                        and not _sentence_initial(text, bpos)):
                    return False
            after, apos = _word_after(text, e, 30)
            if after and text[e:apos] == " " and _is_cap(after) and after not in ("King", "Valley"):
                return False
        if code == "TUR" and not allcaps:
            after, apos = _word_after(text, e, 30)
            before, _ = _word_before(text, s, 30)
            if after and after.lower() in _TURKEY_FOOD_AFTER and text[e:apos] == " ":
                return False
            if before and before.lower() in _TURKEY_FOOD_BEFORE:
                return False
            window = text[max(0, s - 200): e + 200]
            if "Thanksgiving" in window and not _TURKEY_COUNTRY_CUES.search(text):
                return False
        if code == "GEO" and _GA_CITY_BEFORE.search(text, max(0, s - 30), s):
            return False
        return True

    def _capital_ok(self, text: str, s: int, e: int) -> bool:
        if text[max(0, s - 4):s].lower() == "pro-" or text[max(0, s - 5):s].lower() == "anti-":
            return True  # "pro-Beijing candidates", "anti-Moscow protests": the state's side
        if text[e:e + 1] in ("-", "‑", "–"):  # "Moscow-backed", not "Beijing-based"
            nxt, npos = _word_after(text, e + 1)
            if nxt and _is_cap(nxt):  # "Tokyo-Seoul ties"
                nxt2, _ = _word_after(text, npos + len(nxt))
                return bool(nxt2) and nxt2.lower() in _REL_NOUNS
            return bool(nxt) and nxt.lower() in _HYPHEN_STATE
        after, apos = _word_after(text, e)
        gap = text[e:apos]
        if gap[:1] in "'’" and after and after.lower() == "s" and not gap.strip("'’"):
            if _FOREIGN_MISSION.match(text, apos + 1):
                return False  # "Madrid's US embassy": another state's mission in the city
            return not self._local_matter(text, apos + 1)  # "Moscow's position", not "Rome's new mayor"
        if gap.strip(" \t") == "" and after:
            low = after.lower()
            if low in _VENUE_NOUNS and text[max(0, s - 4):s].lower() == "the ":
                return False  # the venue: "the Doha Agreement", "the Minsk accords", "the Doha talks"
            if low in _STATE_NOUNS or low in _REL_NOUNS:
                return True
            if _is_cap(after) and not after.isupper():
                return False  # part of a longer name: "Tokyo Electric"
        if self._acts(text, e) and not self._after_place_preposition(text, s):
            return True  # the capital acts: "Pyongyang fired", not "residents of Tokyo fired"
        before, bpos = _word_before(text, s)
        if before and text[bpos + len(before):s].strip(" \t") == "":
            low = before.lower()
            if low in _BEFORE_OK or low in _STATE_VERBS:
                return True
            if low in _REL_PREPS:
                prev, _ = _word_before(text, bpos)
                local = (gap.strip(" \t") == "" and after is not None
                         and after.lower() in _LOCAL_OR_PLACE_NOUNS)
                if prev and prev.lower() in _REL_NOUNS and not local:
                    return True  # "allies of Tehran", not "the anger of Paris residents"
        return False

    @staticmethod
    def _acts(text: str, pos: int) -> bool:
        """A verb of what a state does follows ``pos`` (the end of a capital), past auxiliaries
        and what may stand between a subject and its verb: "Pyongyang fired", "Beijing has
        hinted", "Cairo last year signed", "Ankara, too, is warning", "Ankara had been looking",
        "Tokyo and Washington shared". A verb is one of ``_STATE_VERBS``, or a past form after
        "has" or "had" ("has hinted", "has also complained"), or an -ing form after "be" or
        "been" ("could be learning"); not a passive ("Paris was flooded"), nor what befalls a
        city ("Baghdad has suffered", _PLACE_PERFECTS)."""
        hops, last_aux = 0, ""
        while hops < 5:
            m = _BETWEEN_SUBJECT_AND_VERB.match(text, pos)
            if m:
                pos, hops = m.end(), hops + 1
                continue
            word, wpos = _word_after(text, pos, 20)
            if not word or text[pos:wpos].strip(" \t"):
                return False
            low = word.lower()
            if low in _STATE_VERBS:
                return True
            if low in _AUX:  # an adverb keeps the auxiliary before it: "has also complained"
                pos, hops, last_aux = wpos + len(word), hops + 1, low if low in _AUX_VERBS else last_aux
                continue
            if not word.islower() or len(low) <= 4 or text[pos - 1:pos] == ",":
                return False
            if low.endswith("ing"):  # not after "is" or "was" alone: "Canberra was leading by three"
                return last_aux in ("be", "been")
            return (low.endswith("ed") and last_aux in ("has", "have", "had")  # not passive: "Paris was flooded"
                    and low not in _PLACE_PERFECTS)  # nor what befalls a city: "Baghdad has suffered"
        return False

    @staticmethod
    def _local_matter(text: str, pos: int) -> bool:
        """The words after a city's possessive name a local matter: "Rome's new mayor",
        "London's homelessness programmes" (up to two words before it, not counting the words
        of a proper name: "Islamabad's Benazir Bhutto International Airport", "Kabul's western
        Dasht-e-Barchi neighborhood"), not a state matter: "Beijing's coast guard", "Moscow's
        invasion", "Moscow's Foreign Ministry"."""
        words = names = 0
        while words < 3 and names < 5:
            if text[pos:pos + 1] == "-":  # inside a hyphenated name: "Dasht-e-Barchi"
                pos += 1
            nxt, npos = _word_after(text, pos)
            if not nxt:
                return False
            low = nxt.lower()
            if low in _LOCAL_OR_PLACE_NOUNS:
                return True
            if low in _STATE_NOUNS or low in _REL_NOUNS:
                return False
            if nxt[:1].isupper():
                names += 1
            else:
                words += 1
            pos = npos + len(nxt)
        return False

    @staticmethod
    def _building_as_place(text: str, s: int, e: int) -> bool:
        """A seat of government named as the place something happens or someone goes: "signed
        in the Oval Office", "marched to the White House", "ended at Whitehall" — not "officials
        at the White House", "a statement from the Kremlin", "a visit to the White House", "a news
        conference at the Pentagon", "in the Pentagon budget"."""
        before, bpos = _word_before(text, s)
        if before and before.lower() == "the" and text[bpos + 3:s] == " ":
            before, bpos = _word_before(text, bpos)
        if not before or not text[bpos + len(before):bpos + len(before) + 1].isspace():
            return False
        low = before.lower()
        prev, _ = _word_before(text, bpos)
        prev = (prev or "").lower()
        if not (low in _BUILDING_PREPS and prev not in _STATE_NOUNS
                or low in ("to", "toward", "towards") and prev in _MOTION_VERBS):
            return False
        if _EVENT_NOUNS.intersection(text[max(0, bpos - 40):bpos].lower().split()[-4:]):
            return False  # "a news conference at the Pentagon", "a meeting with you in the Oval Office"
        after, apos = _word_after(text, e)  # not a modifier: "in the Pentagon budget"
        return not (after and text[e:apos] == " " and after.islower() and not after.endswith("ing")
                    and after not in _AFTER_A_PLACE)

    @staticmethod
    def _after_place_preposition(text: str, s: int) -> bool:
        before, bpos = _word_before(text, s)
        if not (before and before.lower() in _PLACE_PREPS and text[bpos + len(before):s].strip(" \t") == ""):
            return False
        prev, _ = _word_before(text, bpos)
        return not (prev and prev.lower() in _STATE_NOUNS)  # "officials in Washington said" is the state

    def _local_places(self, text, chosen, out):
        """The article's own locale: a name it places in a US state, a Canadian province or an
        Australian state ("London, Ontario", "Paris, Texas", a dateline "PARIS, Texas -") is that
        place everywhere in the article, so its bare mentions later ("London police said") do
        not stand for the namesake state."""
        local = set()
        for s, e, _senses, (what, _first) in chosen:
            if text[e:e + 1] == "," and what in (NAME, CAPITAL) and self._in_region.match(text, e):
                local.add(normalise(text[s:e]).strip())
        if not local:
            return out
        return [m for m in out if normalise(text[m[0]:m[1]]).strip() not in local]

    @staticmethod
    def _visit_destination(text: str, s: int) -> bool:
        """The capital is what is visited: "visited Beijing", "a visit to Moscow", "trip to Tokyo"."""
        before, bpos = _word_before(text, s)
        if not before or text[bpos + len(before):s].strip(" \t"):
            return False
        low = before.lower()
        if low in _VISIT_VERBS:
            return True
        if low == "to":
            prev, _ = _word_before(text, bpos)
            return bool(prev) and prev.lower() in _VISIT_NOUNS
        return False

    @staticmethod
    def _visits(text, out, visits):
        """A visit's destination stands for its state when the visitor is a state: another
        country's mention (name, office holder, capital ...) in the same sentence ("Lula
        visited Beijing", "On a visit to Moscow, Modi ..."); "She visited Paris" stays a place."""
        if not visits:
            return []
        accepted = []
        for s, e, code in visits:
            start = max(text.rfind(c, 0, s) for c in ".!?\n") + 1
            stops = [i for i in (text.find(c, e) for c in ".!?\n") if i >= 0]
            stop = min(stops) if stops else len(text)
            if any(start <= ms and me <= stop and c != code for ms, me, c in out):
                accepted.append((s, e, code))
        return accepted

    def _lists(self, text, out, pending):
        """Capitals listed with accepted states count too: "between Japan and Seoul".

        A pending capital is accepted when a mention with another code — accepted, or a
        capital accepted by this rule — sits next to it with only a list separator between
        (``_GAP_ONLY``). Only mentions ending (starting) within white space and one
        separator before (after) it can qualify, so they are found by bisection, and
        acceptance spreads along lists breadth-first: linear in the mentions, where
        comparing every capital with every mention until nothing changed took minutes on
        200,000 characters of datelines ("SEOUL, Japan - " repeated).
        """
        if not pending:
            return out
        # (start, end, code, index in pending or None for an accepted mention)
        spans = [(s, e, c, None) for s, e, c in out] + [(s, e, c, i) for i, (s, e, c) in enumerate(pending)]
        by_end = sorted(spans, key=_END)
        ends = list(map(_END, by_end))
        by_start = sorted(spans, key=_START)
        starts = list(map(_START, by_start))
        neighbours: list[list[int | None]] = [[] for _ in pending]  # their indices in pending, or None
        for i, (s, e, code) in enumerate(pending):
            lo = _gap_bound(text, s, -1)
            for span in by_end[bisect.bisect_left(ends, lo):bisect.bisect_right(ends, s)]:
                if span[2] != code and _GAP_ONLY.match(text[span[1]:s]):
                    neighbours[i].append(span[3])
            hi = _gap_bound(text, e, 1)
            for span in by_start[bisect.bisect_left(starts, e):bisect.bisect_right(starts, hi)]:
                if span[2] != code and _GAP_ONLY.match(text[e:span[0]]):
                    neighbours[i].append(span[3])
        accepted = [None in js for js in neighbours]
        queue = [i for i, ok in enumerate(accepted) if ok]
        while queue:
            i = queue.pop()
            for j in neighbours[i]:
                if j is not None and not accepted[j]:
                    accepted[j] = True
                    queue.append(j)
        return out + [cap for cap, ok in zip(pending, accepted) if ok]

    def _text_rules(self, text, out, day):
        if "GEO" in map(_CODE, out):
            us = len(_GA_US_CUES.findall(text))
            geo = len(_GA_GEO_CUES.findall(text))
            if us > geo:
                out = [m for m in out if m[2] != "GEO" or "Tbilisi" in text[m[0]:m[1]]]
        return out

    def _resolve_ambiguous(self, out, ambig, day):
        res = []
        if not ambig:
            return res
        present = set(map(_CODE, out))
        for s, e, codes in ambig:
            hits = [c for c in codes if c in present]
            if len(hits) == 1:
                res.append((s, e, hits[0]))
            elif not hits and codes == ("COD", "COG"):  # "Congo" alone
                zaire = day is not None and 19711027 <= day < 19970517
                res.append((s, e, "COG" if zaire else "COD"))
        return res


# --------------------------------------------------------------------------- module API

_DEFAULT: Recognizer | None = None
_LOCK = threading.Lock()


def default_recognizer() -> Recognizer:
    global _DEFAULT
    if _DEFAULT is None:
        with _LOCK:
            if _DEFAULT is None:
                _DEFAULT = Recognizer()
    return _DEFAULT


def find_actors(text: str, date: _dt.date | None = None) -> list[Mention]:
    """Mentions of countries and international bodies in ``text``, sorted by start.

    Each :class:`Mention` has ``code`` (ISO 3166-1 alpha-3 for a country, a short code such
    as ``"UN"`` or ``"NATO"`` for an organisation), ``kind`` (``"country"`` or
    ``"organisation"``), ``start``/``end`` (string indices into ``text``) and the matched
    ``text``. ``date``, the article's publication date, makes office holders count only if
    they held office that day. Call it on a whole article, not a sentence: several rules
    read the rest of the text. Never raises. docs/actors.md says what is recognised.
    """
    if not isinstance(text, str) or not text:
        return []
    return default_recognizer().find(text, date)


def country_name(code: str) -> str:
    """Display name for a code ("JPN" -> "Japan", "NATO" -> "North Atlantic ..."); else the code."""
    try:
        return default_recognizer().name(code)
    except Exception:  # noqa: BLE001
        return code if isinstance(code, str) else str(code)
