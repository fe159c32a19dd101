"""Bad input never breaks the scoring endpoints: property-based tests over the request schema.

Whatever a pipeline scraped and sent, ``POST /v1/score`` and ``POST /v1/score/batch`` answer
either a correct result (200) or a problem+json error saying what is wrong (400, 413, 415,
422) — never a 500, never a stack trace. Hypothesis generates the bodies: text made of
random Unicode, control characters and NUL, right-to-left and zero-width marks, emoji,
combining marks, lone surrogates (escaped in the JSON, as a scraper's encoder would send
them), very long words, text with no sentence punctuation, only white space, only numbers,
HTML and markdown; arbitrary JSON values, deep nesting, huge numbers, NaN and Infinity,
duplicate keys, and raw bytes that are not JSON or not UTF-8.

A 200 is checked for correctness, not only for shape: it validates against
``ResultSchema`` / ``BatchResultSchema``, every passage, mention and explanation offset
indexes the submitted text (``text[start:end]`` is the quoted string), and a batch returns
its results in input order. Limits: body, text length and batch size each answer 413
beyond their documented limit, before any scoring is done, and exactly-at-the-limit input
is scored.

Bounded: at most ``EXAMPLES`` examples per property, no deadline; the file takes well
under a minute.
"""
from __future__ import annotations

import io
import json
import math
import os
import time
from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings, strategies as st

from app import create_app
from scoring.segment import segment
from scoring.schemas import (
    MAX_BATCH,
    MAX_BODY_BYTES,
    MAX_ID_CHARS,
    MAX_PASSAGES,
    MAX_TEXT_CHARS,
    BatchResultSchema,
    ResultSchema,
)

EXAMPLES = 150
FIXTURES = Path(__file__).parent / "fixtures"
PROBLEM = "application/problem+json"
ALLOWED = {200, 400, 413, 415, 422}
DERANDOMIZE = bool(os.environ.get("CI"))  # CI: the same examples every run; locally: new ones each run
_SLOW_OK = [HealthCheck.too_slow, HealthCheck.data_too_large]
FUZZ = settings(max_examples=EXAMPLES, deadline=None, derandomize=DERANDOMIZE, suppress_health_check=_SLOW_OK)


@pytest.fixture(scope="module")
def client():
    app = create_app({"LOG_LEVEL": "CRITICAL", "TENSION_STORE": "off"})
    assert app.extensions["tension.models"].scorer is not None, "the committed model must load"
    return app.test_client()


# ---- strategies ------------------------------------------------------------------------

_CONTROL = st.sampled_from([chr(c) for c in (*range(0x00, 0x20), *range(0x7F, 0xA0))])
_BIDI_AND_INVISIBLE = st.sampled_from(list("\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
                                           "\u2066\u2067\u2068\u2069\u2028\u2029\u00ad\ufeff\u061c"))
_EMOJI = st.sampled_from(["\U0001F600", "\U0001F1FA\U0001F1F8", "\U0001F468\u200d\U0001F469\u200d\U0001F467",
                          "\u2764\ufe0f", "\U0001F44D\U0001F3FD", "\U0001FAE0"])
_SURROGATE = st.integers(0xD800, 0xDFFF).map(chr)
_COMBINING = st.integers(0x0300, 0x036F).map(chr)
_ANY_CHAR = st.characters(codec=None, exclude_categories=())  # every code point, surrogates included
_WORDS = st.sampled_from([
    "Japan", "China", "the U.S.", "Russia", "Ukraine", "North Korea", "Taiwan", "Mr.", "Gen.", "U.N.", "EU",
    "Beijing", "Kyiv", "sanctions", "troops", "attacked", "signed", "defence pact", "detained", "activists",
    "said", "and", "the", "in", "...", "!", "?", "…", "\u201cquote\u201d", "(", ")", "Hello.", "1989", "3.5%",
])
_MARKUP = st.sampled_from([
    "<p>", "</p>", "<script>alert(1)</script>", "&amp;", "&#x202e;", "<br/>", "<a href='javascript:x'>", "-->",
    "# ", "## Heading\n", "**bold**", "_em_", "`code`", "```\n", "> ", "- ", "1. ", "[link](http://x)", "|a|b|\n",
])
_SPACE = st.sampled_from([" ", "  ", "\n", "\n\n", "\t", "\r\n", "\u00a0", "\u3000", "\u2003", "\x0b", "\x0c"])
_LONG_WORD = st.builds(lambda c, n: c * n, st.sampled_from(["a", "x", "\u00e9", "\u4e2d", "9", "-", "_"]),
                       st.integers(100, 5000))
_NUMBERS = st.lists(st.one_of(st.integers(), st.floats(allow_nan=False).map(repr)), min_size=1, max_size=30) \
    .map(lambda xs: " ".join(map(str, xs)))

_FRAGMENT = st.one_of(_WORDS, _SPACE, _CONTROL, _BIDI_AND_INVISIBLE, _EMOJI, _SURROGATE, _COMBINING, _MARKUP,
                      st.text(_ANY_CHAR, max_size=20), _LONG_WORD, _NUMBERS)


@st.composite
def article_texts(draw):
    """Text a scraper could send: mixtures of the fragments above, or one degenerate kind."""
    kind = draw(st.sampled_from(["mixed", "mixed", "mixed", "any", "whitespace", "numbers", "no_punctuation",
                                 "long_word", "markup"]))
    if kind == "mixed":
        return "".join(draw(st.lists(_FRAGMENT, min_size=1, max_size=40)))
    if kind == "any":
        return draw(st.text(_ANY_CHAR, min_size=1, max_size=300))
    if kind == "whitespace":
        return "".join(draw(st.lists(_SPACE, min_size=1, max_size=30)))
    if kind == "numbers":
        return draw(_NUMBERS)
    if kind == "no_punctuation":
        words = draw(st.lists(st.sampled_from(["Japan", "China", "troops", "talks", "the", "and", "Russia",
                                               "sanctions", "Kyiv", "allies"]), min_size=1, max_size=600))
        return " ".join(words)
    if kind == "long_word":
        return draw(_LONG_WORD)
    return "".join(draw(st.lists(st.one_of(_MARKUP, _WORDS, _SPACE), min_size=1, max_size=40)))


_DATES = st.one_of(st.none(), st.dates().map(str), st.text(max_size=12), st.just("2025-02-30"), st.just(""),
                   st.integers(), st.just("2025-03-01T12:00:00Z"))
_IDS = st.one_of(st.none(), st.text(_ANY_CHAR, max_size=MAX_ID_CHARS + 5), st.integers(), st.booleans())


@st.composite
def articles(draw, valid_only: bool = False):
    """An article object; with ``valid_only`` one the schema accepts (text may still be blank)."""
    art = {"text": draw(article_texts())}
    if valid_only:
        for key, strat in (("id", st.one_of(st.none(), st.text(_ANY_CHAR, max_size=MAX_ID_CHARS))),
                           ("title", st.one_of(st.none(), st.text(_ANY_CHAR, max_size=200))),
                           ("published", st.one_of(st.none(), st.dates().map(str))),
                           ("explain", st.booleans())):
            if draw(st.booleans()):
                art[key] = draw(strat)
        return art
    for key, strat in (("id", _IDS), ("title", _IDS), ("published", _DATES),
                       ("explain", st.one_of(st.booleans(), st.integers(-2, 2), st.text(max_size=5))),
                       ("text", st.one_of(article_texts(), st.integers(), st.none(), st.lists(st.text(), max_size=2)))):
        if draw(st.integers(0, 4)) == 0:
            art[key] = draw(strat)
    if draw(st.integers(0, 9)) == 0:
        art[draw(st.text(_ANY_CHAR, min_size=1, max_size=10))] = draw(st.integers())
    if draw(st.integers(0, 9)) == 0:
        del art["text"]
    return art


_JSON = st.recursive(
    st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=True, allow_infinity=True),
              st.text(_ANY_CHAR, max_size=30)),
    lambda kids: st.one_of(st.lists(kids, max_size=4),
                           st.dictionaries(st.text(_ANY_CHAR, max_size=8), kids, max_size=4)),
    max_leaves=25,
)


def _dumps(obj) -> bytes:
    """JSON as a scraper's encoder writes it: non-ASCII and lone surrogates as \\u escapes, NaN allowed."""
    return json.dumps(obj, ensure_ascii=True, allow_nan=True).encode("ascii")


# ---- checks ---------------------------------------------------------------------------

def _post(client, path, data: bytes, content_type="application/json"):
    resp = client.post(path, data=data, content_type=content_type)
    _post_checked(resp)
    return resp


def _post_checked(resp):
    """The response is a result or a problem; returns the parsed body."""
    assert resp.status_code in ALLOWED, (resp.status_code, resp.get_data(as_text=True)[:500])
    text = resp.get_data(as_text=True)
    assert "Traceback" not in text and 'File "' not in text
    if resp.status_code != 200:
        assert resp.mimetype == PROBLEM, resp.mimetype
        problem = json.loads(text)
        assert problem["status"] == resp.status_code and problem["title"] and problem["detail"].strip()
        assert set(problem) <= {"type", "title", "status", "detail", "errors"}
        return problem
    assert resp.mimetype == "application/json"
    return json.loads(text)


def _check_result(result: dict, art: dict) -> None:
    """A 200 result is the right shape and every offset points into the submitted text."""
    assert ResultSchema().validate(result) == {}, ResultSchema().validate(result)
    art = json.loads(_dumps(art))  # the article as the server decoded it: "\ud800\udc00" is one character
    text = art["text"]
    assert result["id"] == art.get("id")
    passages = result["passages"]
    assert passages, "a text with something other than white space yields at least one passage"
    last_end = 0
    for i, p in enumerate(passages):
        assert p["index"] == i
        assert last_end <= p["start"] < p["end"] <= len(text)
        assert text[p["start"]:p["end"]] == p["text"]
        assert p["text"] == p["text"].strip() or not p["text"].strip()
        last_end = p["end"]
        for score in p["scores"].values():
            assert 0.0 <= score <= 1.0 and math.isfinite(score)
        for feats in p.get("explanations", {}).values():
            for feat in feats:
                for start, end in feat["spans"]:
                    assert p["start"] <= start < end <= p["end"], (feat, p["start"], p["end"])
        if art.get("explain", True) is False:
            assert "explanations" not in p
    # every non-blank character of the text lies in some passage
    covered = sum(p["end"] - p["start"] for p in passages)
    assert covered <= len(text)
    for actor in result["countries"] + result["organisations"]:
        for m in actor["mentions"]:
            assert 0 <= m["start"] < m["end"] <= len(text) and text[m["start"]:m["end"]] == m["text"]
    codes = {c["code"] for c in result["countries"]}
    for pair in result["pairs"]:
        assert len(pair["pair"]) == 2 and pair["pair"] == sorted(pair["pair"]) and set(pair["pair"]) <= codes
        assert -1.0 <= pair["tension"] <= 1.0
        assert all(0 <= e < len(passages) for e in pair["evidence"])


def _blank(text) -> bool:
    return isinstance(text, str) and not text.strip()


# ---- properties: single article --------------------------------------------------------

@FUZZ
@given(art=articles(valid_only=True))
@example(art={"text": "\x00"})
@example(art={"text": "\ud800"})
@example(art={"text": "\u202eRussia\u202c \u05d9\u05e9\u05e8\u05d0\u05dc \U0001F600 China"})
@example(art={"text": "a" * 20_000})
@example(art={"text": "Japan China Russia " * 3000})
@example(art={"text": "<script>alert('x')</script><p>China &amp; Japan</p>"})
@example(art={"text": "12345 67890 3.14159"})
@example(art={"text": " \n\t\u3000"})
def test_valid_articles_are_scored_correctly(client, art):
    resp = _post(client, "/v1/score", _dumps(art))
    if _blank(art["text"]):
        assert resp.status_code == 422 and "text" in resp.get_json(force=True)["errors"]
    else:
        assert resp.status_code == 200, resp.get_data(as_text=True)[:300]
        _check_result(resp.get_json(), art)


@FUZZ
@given(body=st.one_of(articles(), _JSON))
def test_any_json_body_gets_a_result_or_a_clear_error(client, body):
    resp = _post(client, "/v1/score", _dumps(body))
    if resp.status_code == 200:
        _check_result(resp.get_json(), body)


@FUZZ
@given(raw=st.one_of(
    st.binary(max_size=300),
    st.text(_ANY_CHAR, max_size=200).map(lambda s: s.encode("utf-8", "surrogatepass")),
    st.builds(lambda a, cut: _dumps(a)[:cut], articles(), st.integers(0, 60)),  # truncated JSON
))
def test_bytes_that_are_not_json_get_400_or_422(client, raw):
    resp = _post(client, "/v1/score", raw)
    if resp.status_code == 200:  # the bytes happened to be a valid article
        _check_result(resp.get_json(), json.loads(raw))


@settings(max_examples=60, deadline=None, derandomize=DERANDOMIZE)
@given(key=st.text(_ANY_CHAR, min_size=1, max_size=10), nested=st.booleans())
def test_duplicate_keys_are_refused(client, key, nested):
    pair = f"{json.dumps(key)}: 1, {json.dumps(key)}: 2"
    raw = ('{"articles": [{"text": "Japan.", ' + pair + "}]}") if nested else ('{"text": "Japan.", ' + pair + "}")
    body = _post(client, "/v1/score/batch" if nested else "/v1/score", raw.encode()).get_json(force=True)
    assert body["status"] == 400 and "repeats the key" in body["detail"]


@pytest.mark.parametrize("depth", [10, 100, 1000, 10_000, 100_000])
@pytest.mark.parametrize("opener,closer", [("[", "]"), ('{"a":', "}")])
def test_deeply_nested_json_is_refused_cleanly(client, depth, opener, closer):
    raw = (opener * depth + "1" + closer * depth).encode()
    resp = _post(client, "/v1/score", raw)
    assert resp.status_code in (400, 422)
    resp = _post(client, "/v1/score", b'{"text": "Japan.", "id": ' + raw + b"}")
    assert resp.status_code in (400, 422)


@pytest.mark.parametrize("number", [
    "1" * 5000, "-" + "9" * 5000, "1e400", "-1e400", "1e-400", "NaN", "Infinity", "-Infinity", "0." + "0" * 5000 + "1",
    "12345678901234567890123456789012345678901234567890",
])
@pytest.mark.parametrize("field", ["text", "id", "explain", "published", "extra"])
def test_huge_and_special_numbers_are_refused_cleanly(client, number, field):
    raw = ('{"text": "Japan.", "' + field + '": ' + number + "}") if field != "text" else '{"text": ' + number + "}"
    resp = _post(client, "/v1/score", raw.encode())
    if number in ("1e-400", "0." + "0" * 5000 + "1") and field == "explain":
        assert resp.status_code == 200  # it is 0, which a boolean field reads as false
    elif number in ("NaN", "Infinity", "-Infinity", "1e400", "-1e400") or len(number.lstrip("-")) > 100 and \
            number.lstrip("-").isdigit():
        body = resp.get_json(force=True)  # not JSON, or not representable: refused by the parser, whatever the field
        assert body["status"] == 400 and "number" in body["detail"], body
    else:
        assert resp.status_code == 422


@pytest.mark.parametrize("ctype", ["text/plain", "application/x-www-form-urlencoded", "multipart/form-data",
                                   "application/xml", "", "application/jsonp"])
def test_wrong_content_type_is_415(client, ctype):
    resp = _post(client, "/v1/score", b'{"text": "Japan."}', content_type=ctype)
    assert resp.status_code == 415


# ---- properties: batches -----------------------------------------------------------------

@settings(max_examples=80, deadline=None, derandomize=DERANDOMIZE, suppress_health_check=_SLOW_OK)
@given(arts=st.lists(articles(valid_only=True), min_size=1, max_size=8))
def test_valid_batches_are_scored_in_order(client, arts):
    resp = _post(client, "/v1/score/batch", _dumps({"articles": arts}))
    blank = [i for i, a in enumerate(arts) if _blank(a["text"])]
    if blank:
        assert resp.status_code == 422
        assert str(blank[0]) in json.dumps(resp.get_json(force=True)["errors"])
        return
    assert resp.status_code == 200
    body = resp.get_json()
    assert BatchResultSchema().validate(body) == {}
    assert len(body["results"]) == len(arts)
    for result, art in zip(body["results"], arts):
        _check_result(result, art)


@settings(max_examples=EXAMPLES, deadline=None, derandomize=DERANDOMIZE, suppress_health_check=_SLOW_OK)
@given(body=st.one_of(
    st.fixed_dictionaries({"articles": st.lists(st.one_of(articles(), _JSON), max_size=6)}),
    st.fixed_dictionaries({"articles": _JSON}),
    st.dictionaries(st.text(max_size=10), _JSON, max_size=3),
    _JSON,
))
def test_any_batch_body_gets_a_result_or_a_clear_error(client, body):
    resp = _post(client, "/v1/score/batch", _dumps(body))
    if resp.status_code == 200:
        results = resp.get_json()["results"]
        assert len(results) == len(body["articles"])
        for result, art in zip(results, body["articles"]):
            _check_result(result, art)


# ---- size limits: 413 beyond each, before any work ---------------------------------------

@pytest.fixture()
def spy(client, monkeypatch):
    """Counts calls into the engine, so a test can prove a refusal happened before any scoring."""
    holder = client.application.extensions["tension.models"]
    calls = []
    original = holder.scorer.score_batch

    def counting(arts, *a, **k):
        calls.append(len(arts))
        return original(arts, *a, **k)

    monkeypatch.setattr(holder.scorer, "score_batch", counting)
    return calls


def test_text_at_the_limit_is_scored_and_one_more_character_is_413(client, spy):
    text = ("Japan and China held talks while Russia massed troops near Ukraine " * 3000)[:MAX_TEXT_CHARS]
    assert _post(client, "/v1/score", _dumps({"text": text})).status_code == 200
    assert spy == [1]
    body = _post(client, "/v1/score", _dumps({"text": text + "x"})).get_json(force=True)
    assert body["status"] == 413 and str(MAX_TEXT_CHARS) in body["detail"]
    body = _post(client, "/v1/score/batch", _dumps({"articles": [{"text": "Japan."}, {"text": text + "x"}]})) \
        .get_json(force=True)
    assert body["status"] == 413 and "articles[1]" in body["detail"]
    assert spy == [1], "over-long texts must be refused before scoring"


def test_text_limit_counts_characters_not_bytes(client, spy):
    text = "\u4e2d" * MAX_TEXT_CHARS  # 3 bytes each in UTF-8, 6 as \\u escapes: still under the body limit
    assert len(_dumps({"text": text})) <= MAX_BODY_BYTES
    assert _post(client, "/v1/score", _dumps({"text": text})).status_code == 200
    assert _post(client, "/v1/score", _dumps({"text": text + "\u4e2d"})).status_code == 413


def test_batch_at_the_limit_is_scored_and_one_more_article_is_413(client, spy):
    arts = [{"text": f"Japan and China signed accord number {i}.", "id": str(i)} for i in range(MAX_BATCH)]
    resp = _post(client, "/v1/score/batch", _dumps({"articles": arts}))
    assert resp.status_code == 200 and [r["id"] for r in resp.get_json()["results"]] == [a["id"] for a in arts]
    body = _post(client, "/v1/score/batch", _dumps({"articles": arts + [{"text": "x"}]})).get_json(force=True)
    assert body["status"] == 413 and str(MAX_BATCH) in body["detail"]
    assert spy == [MAX_BATCH]


class _CountingStream(io.BytesIO):
    """A request body that records how many bytes the server read from it."""

    read_bytes = 0

    def read(self, size=-1):
        data = super().read(size)
        self.read_bytes += len(data)
        return data

    def readline(self, size=-1):
        data = super().readline(size)
        self.read_bytes += len(data)
        return data


def test_body_over_the_limit_is_413_before_it_is_read(client, spy):
    big = b'{"text": "' + b"a" * MAX_BODY_BYTES + b'"}'
    # with a Content-Length over the limit: refused without reading a byte
    stream = _CountingStream(big)
    resp = client.post("/v1/score", input_stream=stream, content_type="application/json",
                       headers={"Content-Length": str(len(big))})
    body = _post_checked(resp)
    assert body["status"] == 413 and str(MAX_BODY_BYTES) in body["detail"]
    assert stream.read_bytes == 0
    # without a Content-Length (chunked): refused as soon as the limit is crossed while reading
    stream = _CountingStream(big + b" " * MAX_BODY_BYTES)
    resp = client.post("/v1/score", input_stream=stream, content_type="application/json",
                       environ_overrides={"wsgi.input_terminated": True}, headers={"Transfer-Encoding": "chunked"})
    assert _post_checked(resp)["status"] == 413
    assert stream.read_bytes <= MAX_BODY_BYTES + (1 << 16)
    assert spy == []


def test_passages_at_the_limit_are_scored_and_one_more_is_413(client, spy):
    sentence = "Japan met China. "  # 17 characters: 10,000 of them fit in one text
    text = sentence * MAX_PASSAGES
    assert len(segment(text)) == MAX_PASSAGES and len(text) <= MAX_TEXT_CHARS
    resp = _post(client, "/v1/score", _dumps({"text": text, "explain": False}))
    assert resp.status_code == 200 and len(resp.get_json()["passages"]) == MAX_PASSAGES
    body = _post(client, "/v1/score", _dumps({"text": text + "Russia too."})).get_json(force=True)
    assert body["status"] == 413 and str(MAX_PASSAGES) in body["detail"] and "passages" in body["detail"]
    half = sentence * (MAX_PASSAGES // 2)
    body = _post(client, "/v1/score/batch", _dumps({"articles": [{"text": half}, {"text": half + "One more."}]})) \
        .get_json(force=True)
    assert body["status"] == 413 and "passages" in body["detail"]
    assert spy == [1], "over the passage limit must be refused before scoring"


def test_id_and_title_over_their_limits_are_422(client, spy):
    body = _post(client, "/v1/score", _dumps({"text": "Japan.", "id": "i" * (MAX_ID_CHARS + 1)})).get_json(force=True)
    assert body["status"] == 422 and "id" in body["errors"]
    body = _post(client, "/v1/score", _dumps({"text": "Japan.", "title": "t" * 1001})).get_json(force=True)
    assert body["status"] == 422 and "title" in body["errors"]
    assert spy == []


def test_limits_are_documented_in_the_openapi_document(client):
    spec = client.get("/openapi.json").get_json()
    info = spec["info"]["description"]
    for limit in (f"{MAX_BODY_BYTES} bytes", f"{MAX_TEXT_CHARS} characters", f"{MAX_BATCH} articles"):
        assert limit in info
    text = spec["components"]["schemas"]["Article"]["properties"]["text"]
    assert text["maxLength"] == MAX_TEXT_CHARS and text["minLength"] == 1
    assert spec["components"]["schemas"]["Batch"]["properties"]["articles"]["maxItems"] == MAX_BATCH
    assert f"{MAX_PASSAGES} passages" in info


# ---- worst cases at the limit are answered in bounded time -------------------------------

WORST_CASE_SECONDS = 10.0


@pytest.mark.parametrize("name,unit", [
    ("full stops", "."), ("exclamation marks", "!"), ("ellipses", "\u2026"),
    ("mixed terminal punctuation", "?!.\u2026"),
    ("abbreviations", "U.S. "), ("initials", "A. "), ("titles", "Mr. "), ("short sentences", "A b. "),
    ("one long word", "a"), ("no punctuation", "Japan China talks "), ("paragraph breaks", "\n \n"),
    ("closing quotes", '."'), ("countries", "Russia Ukraine China Japan "), ("NUL", "\x00"), ("markup", "<p>&amp;"),
    ("datelines", "SEOUL, Japan - "), ("capitals and states", "Seoul Tokyo Beijing Moscow Kyiv Japan "),
    ("a list of capitals", "Seoul and Tokyo and Beijing and Moscow and "),
    ("capitals after a state", "Japan and Seoul, "),
    ("a news article", (FIXTURES / "article_defence_talks.txt").read_text(encoding="utf-8") + "\n\n"),
])
def test_worst_case_texts_at_the_limit_are_answered_quickly(client, name, unit):
    text = (unit * (MAX_TEXT_CHARS // len(unit) + 1))[:MAX_TEXT_CHARS]
    t0 = time.perf_counter()
    resp = _post(client, "/v1/score", _dumps({"text": text, "explain": True}))
    elapsed = time.perf_counter() - t0
    assert resp.status_code in (200, 413, 422)  # 413: more than MAX_PASSAGES passages
    assert elapsed < WORST_CASE_SECONDS, f"{name}: {elapsed:.1f} s for {MAX_TEXT_CHARS} characters"
