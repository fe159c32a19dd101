"""The analyst page at ``/`` in a real browser: headless Chromium (Debian ``chromium`` and
``chromium-driver``) driven by Selenium, against the app served on a loopback port.

What is checked, as a person would use the page: paste the README example article, press
"Score article", see passages and evidence highlighted and the pair rows; choose a pair with
the mouse and with the keyboard and see its evidence passages highlighted; offsets stay right
with emoji and other astral characters; server errors show their ``detail``; the API key box
works when keys are enabled; the "Over time" tab draws a pair's timeline from the store
endpoints' contract and says so plainly when the store is not enabled (404 / 503); the page
fits a phone-width screen; the browser logs no error (so nothing broke the CSP).
Screenshots go to ``test-artifacts/`` (``TENSION_UPDATE_SCREENSHOT=1`` also refreshes
``docs/screenshot.png``). Skipped only when Chromium is not installed.
"""
from __future__ import annotations

import json
import os
import shutil
import threading
import urllib.request
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import parse_qs

import pytest

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "test-artifacts"
CHROMIUM = "/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else shutil.which("chromium")
CHROMEDRIVER = "/usr/bin/chromedriver" if os.path.exists("/usr/bin/chromedriver") else shutil.which("chromedriver")
PUBLISHED = "2025-03-30"
API_KEY = "page-test-key-7f3a"

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Chromium is not installed (Debian package 'chromium'; scripts/test installs it)")

if CHROMIUM is not None:
    from selenium import webdriver
    from selenium.webdriver.chrome.options import Options
    from selenium.webdriver.chrome.service import Service
    from selenium.common.exceptions import NoSuchElementException, StaleElementReferenceException
    from selenium.webdriver.common.by import By
    from selenium.webdriver.common.keys import Keys
    from selenium.webdriver.support.ui import WebDriverWait


# ---- servers ------------------------------------------------------------------------------

@contextmanager
def serve(wsgi_app):
    """Serve ``wsgi_app`` on a free 127.0.0.1 port in a thread; yields the base URL."""
    from werkzeug.serving import WSGIRequestHandler, make_server

    class Quiet(WSGIRequestHandler):
        def log_request(self, *args, **kwargs):
            pass

    srv = make_server("127.0.0.1", 0, wsgi_app, threaded=True, request_handler=Quiet)
    thread = threading.Thread(target=srv.serve_forever, name="page-test-server", daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{srv.server_port}"
    finally:
        srv.shutdown()
        thread.join(5)


POINTS = [
    {"start": "2025-01-06", "articles": 3, "mean": {"alliance": 0.61, "coercion": 0.20, "human_rights": 0.05},
     "max": {"alliance": 0.97, "coercion": 0.41, "human_rights": 0.10}, "tension_mean": -0.35,
     "evidence": {"article_id": "voa-101", "passage": 0}},
    {"start": "2025-01-13", "articles": 0, "mean": None, "max": None, "tension_mean": None, "evidence": None},
    {"start": "2025-01-20", "articles": 5, "mean": {"alliance": 0.12, "coercion": 0.72, "human_rights": 0.18},
     "max": {"alliance": 0.30, "coercion": 0.95, "human_rights": 0.44}, "tension_mean": 0.58,
     "evidence": {"article_id": "voa-140", "passage": 2},
     "agents": {"coercion": {"CHN": 4, "JPN": 1}, "human_rights": {"CHN": 0, "JPN": 0}}},
    {"start": "2025-01-27", "articles": 1, "mean": {"alliance": 0.40, "coercion": 0.40, "human_rights": 0.02},
     "max": {"alliance": 0.40, "coercion": 0.40, "human_rights": 0.02}, "tension_mean": 0.02,
     "evidence": {"article_id": "voa-152", "passage": 1}},
]
WINDOW_PAIRS = [
    {"pair": ["CHN", "JPN"], "articles": 9, "tension_mean": 0.58, "max": {"alliance": 0.3, "coercion": 0.95, "human_rights": 0.44}},
    {"pair": ["MMR", "USA"], "articles": 2, "tension_mean": 0.21, "max": {"alliance": 0.1, "coercion": 0.2, "human_rights": 0.9}},
    {"pair": ["JPN", "USA"], "articles": 7, "tension_mean": -0.71, "max": {"alliance": 0.99, "coercion": 0.3, "human_rights": 0.1}},
]


class StoreEndpoints:
    """Test double for the store endpoints (GET /v1/pairs, GET /v1/pairs/{A}-{B}/timeline),
    answering with their documented contract (``mode='data'``) or as a server without a store
    (``mode=404`` / ``503``); every other path goes to the real app. Records the queries."""

    def __init__(self, app, mode):
        self.app, self.mode, self.calls = app, mode, []

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if path == "/v1/pairs" or (path.startswith("/v1/pairs/") and path.endswith("/timeline")):
            query = {k: v[0] for k, v in parse_qs(environ.get("QUERY_STRING", "")).items()}
            self.calls.append((path, query))
            if self.mode in (404, 503):
                detail = ("No such endpoint; see /openapi.json or /docs for the API." if self.mode == 404 else
                          "The article store is not enabled on this server: set TENSION_STORE_URL to enable it.")
                body = {"type": "about:blank", "title": "Error", "status": self.mode, "detail": detail}
                return self._send(start_response, f"{self.mode} X", body, "application/problem+json")
            if path == "/v1/pairs":
                off, lim = int(query.get("offset", 0)), int(query.get("limit", 20))
                body = {"pairs": WINDOW_PAIRS[off:off + lim], "total": len(WINDOW_PAIRS)}
            else:
                a, b = path[len("/v1/pairs/"):-len("/timeline")].split("-")
                body = {"pair": [a, b], "interval": query.get("interval", "week"), "total": len(POINTS) + 6,
                        "points": POINTS}
            return self._send(start_response, "200 OK", body, "application/json")
        return self.app(environ, start_response)

    @staticmethod
    def _send(start_response, status, body, ctype):
        data = json.dumps(body).encode()
        start_response(status, [("Content-Type", ctype), ("Content-Length", str(len(data)))])
        return [data]


@pytest.fixture(scope="module")
def flask_app():
    from app import create_app

    return create_app({"LOG_LEVEL": "WARNING"})


@pytest.fixture(scope="module")
def server(flask_app):
    """The app as deployed without a store: the store endpoints answer 503."""
    store = StoreEndpoints(flask_app.wsgi_app, 503)
    with serve(store) as url:
        yield url, store


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    assert CHROMEDRIVER, "chromedriver is missing: install the Debian package 'chromium-driver' (scripts/test does)"
    opts = Options()
    opts.binary_location = CHROMIUM
    for flag in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync",
                 "--disable-extensions", "--lang=en-US", "--window-size=1280,900",
                 f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"):
        opts.add_argument(flag)
    opts.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(options=opts, service=Service(executable_path=CHROMEDRIVER))
    driver.set_page_load_timeout(20)
    driver.set_script_timeout(10)
    try:
        yield driver
    finally:
        driver.quit()


# ---- helpers --------------------------------------------------------------------------------

def wait(driver, predicate, timeout=10, message=""):
    """Until ``predicate(driver)`` holds; an element the page re-rendered meanwhile (stale) or
    has not drawn yet counts as not yet."""
    return WebDriverWait(driver, timeout, poll_frequency=0.05,
                         ignored_exceptions=(NoSuchElementException, StaleElementReferenceException)
                         ).until(lambda d: predicate(d), message)


def api_score(base, text, published=None):
    body = {"text": text, "explain": True}
    if published:
        body["published"] = published
    req = urllib.request.Request(f"{base}/v1/score", data=json.dumps(body).encode(),
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=10) as resp:
        return json.loads(resp.read())


def open_page(driver, url):
    driver.get(url)
    wait(driver, lambda d: d.execute_script("return document.documentElement.dataset.ready === 'true'"),
         message="the page's script did not start")
    driver.get_log("browser")  # drop anything logged before this test


def paste(driver, text):
    """Put ``text`` in the article box the way a paste does (one input event, not keystrokes)."""
    box = driver.find_element(By.ID, "article-text")
    driver.execute_script(
        "arguments[0].value = arguments[1]; arguments[0].dispatchEvent(new Event('input', {bubbles: true}));",
        box, text)


def score(driver):
    driver.find_element(By.ID, "score-button").click()
    wait(driver, lambda d: d.find_element(By.ID, "results").is_displayed()
         or d.find_element(By.ID, "score-error").is_displayed(), message="no result and no error shown")


def browser_errors(driver):
    return [e for e in driver.get_log("browser") if e.get("level") == "SEVERE"]


def pieces(driver):
    """Every marked piece of the article: (classes, data-start, data-end, text)."""
    return driver.execute_script("""
        return Array.from(document.querySelectorAll('#article [data-start]')).map(
            n => [n.className, Number(n.dataset.start), Number(n.dataset.end), n.textContent]);""")


def article_plain_text(driver):
    """The article view's text without the badges and code tags the page adds."""
    return driver.execute_script("""
        const c = document.getElementById('article').cloneNode(true);
        c.querySelectorAll('.badge, .tag').forEach(n => n.remove());
        return c.textContent;""")


def evidence_indexes(driver):
    return driver.execute_script("""
        return Array.from(document.querySelectorAll('#article .psg.is-evidence'))
            .map(n => [Number(n.dataset.index), Number(n.dataset.rank)]);""")


def check_offsets(driver, text, result):
    """The page's marks sit exactly on the API's code point offsets."""
    assert article_plain_text(driver) == text
    marked = pieces(driver)
    assert marked, "nothing is marked in the article"
    for classes, start, end, shown in marked:
        assert shown == text[start:end], (classes, start, end, shown)
    covered = {}
    for classes, start, end, _ in marked:
        for cls in classes.split():
            covered.setdefault(cls, set()).update(range(start, end))
    for country in result["countries"]:
        for m in country["mentions"]:
            assert text[m["start"]:m["end"]] == m["text"]
            assert set(range(m["start"], m["end"])) <= covered.get("ctry", set()), m
    for p in result["passages"]:
        for label in p["labels"]:
            for f in p["explanations"][label]:
                if f["weight"] > 0:
                    for s, e in f["spans"]:
                        assert set(range(s, e)) <= covered.get(f"ev-{label}", set()), (label, f["feature"])


def screenshot(driver, name, full=True):
    ARTIFACTS.mkdir(exist_ok=True)
    if full:
        width = driver.execute_script("return window.innerWidth")
        height = driver.execute_script("return document.documentElement.scrollHeight")
        driver.set_window_size(driver.get_window_size()["width"], min(max(height + 100, 600), 4000))
        wait(driver, lambda d: d.execute_script("return window.innerWidth") == width)
    driver.execute_script("window.scrollTo(0, 0); document.querySelectorAll('.table-wrap').forEach(n => n.scrollLeft = 0);")
    path = ARTIFACTS / name
    assert driver.save_screenshot(str(path)), f"no screenshot written to {path}"
    return path


# ---- tests ----------------------------------------------------------------------------------

def test_readme_article_highlights_pairs_and_evidence(browser, server, defence_article):
    base, _ = server
    browser.set_window_size(1280, 900)
    open_page(browser, base + "/")
    assert browser.find_element(By.LINK_TEXT, "API docs").get_attribute("href") == base + "/docs"

    expected = api_score(base, defence_article, PUBLISHED)
    wait(browser, lambda d: f"Model {expected['model']['version']}" in d.find_element(By.ID, "model-info").text,
         message="the model version is not shown")

    paste(browser, defence_article)
    browser.execute_script("document.getElementById('article-date').value = arguments[0]", PUBLISHED)
    score(browser)
    assert not browser.find_element(By.ID, "score-error").is_displayed()

    # passages: one element each, coloured by label, scores in the hover text, badges naming labels
    psgs = browser.find_elements(By.CSS_SELECTOR, "#article .psg")
    assert len(psgs) == len(expected["passages"])
    labelled = [p for p in expected["passages"] if p["labels"]]
    assert labelled, "the README example should have labelled passages"
    for p in labelled:
        node = browser.find_element(By.CSS_SELECTOR, f'#article .psg[data-index="{p["index"]}"]')
        for label in p["labels"]:
            assert f"lab-{label}" in node.get_attribute("class")
            assert f"{label.replace('_', ' ')} {p['scores'][label]:.2f}" in node.get_attribute("title")
        badges = [b.text for b in node.find_elements(By.CSS_SELECTOR, ".badge")]
        assert len(badges) == len(p["labels"])
    assert browser.find_elements(By.CSS_SELECTOR, "#article .ev")
    check_offsets(browser, defence_article, expected)
    codes = {t.text for t in browser.find_elements(By.CSS_SELECTOR, "#article .tag:not(.tag-org)")}
    assert codes == {c["code"] for c in expected["countries"]}

    # tap (click) a passage: its scores appear in the detail box
    first = labelled[0]
    browser.find_element(By.CSS_SELECTOR, f'#article .psg[data-index="{first["index"]}"]').click()
    detail = browser.find_element(By.ID, "passage-detail")
    assert detail.is_displayed() and f"Passage {first['index'] + 1}" in detail.text

    # pair rows, most tense first, with a bar per label and one for tension
    rows = browser.find_elements(By.CSS_SELECTOR, "#pairs tbody tr")
    want = sorted(expected["pairs"], key=lambda p: (-p["tension"], "\u2013".join(p["pair"])))
    assert [r.get_attribute("data-pair") for r in rows] == ["-".join(p["pair"]) for p in want]
    assert len(rows[0].find_elements(By.CSS_SELECTOR, ".bar")) == 4

    # who does what to whom: an arrow from the agent for each agent label a pair carries
    arrows = {}
    for p in want:
        a, b = p["pair"]
        for label, who in p["agents"].items():
            node = browser.find_element(By.CSS_SELECTOR,
                                        f'tr[data-pair="{a}-{b}"] .direction[data-label="{label}"] [aria-hidden="true"]')
            arrows[(a, b, label)] = node.text
            expect = f"{a} \u2194 {b}" if len(who) == 2 else f"{who[0]} \u2192 {b if who[0] == a else a}"
            assert node.text == expect
    assert arrows.get(("CHN", "JPN", "coercion")) == "CHN \u2192 JPN", arrows  # the coast-guard incursion
    assert len(browser.find_elements(By.CSS_SELECTOR, "#pairs .direction")) == len(arrows)

    # click a pair: exactly its evidence passages are highlighted, strongest first
    target = next(p for p in want if p["pair"] == ["JPN", "USA"])
    row = browser.find_element(By.CSS_SELECTOR, 'tr[data-pair="JPN-USA"] td:nth-child(2)')
    row.click()
    assert evidence_indexes(browser) == [[i, r + 1] for r, i in enumerate(target["evidence"])]
    assert "focus-mode" in browser.find_element(By.ID, "article").get_attribute("class")
    assert browser.find_element(By.CSS_SELECTOR, 'tr[data-pair="JPN-USA"] .pair-btn').get_attribute("aria-pressed") == "true"
    assert f"JPN\u2013USA: {len(target['evidence'])} evidence passage" in browser.find_element(By.ID, "pair-status").text
    dimmed = browser.execute_script("""
        return Array.from(document.querySelectorAll('#article .psg:not(.is-evidence)'))
            .every(n => Number(getComputedStyle(n).opacity) < 0.5);""")
    assert dimmed, "passages outside the pair's evidence are not dimmed"
    shot = screenshot(browser, "page.png")
    if os.environ.get("TENSION_UPDATE_SCREENSHOT") == "1":
        shutil.copy(shot, ROOT / "docs" / "screenshot.png")
    browser.set_window_size(1280, 900)

    # keyboard: Space on another pair's button selects it, Enter on it again clears
    other = next(p for p in want if p["pair"] != ["JPN", "USA"] and p["evidence"])
    button = browser.find_element(By.CSS_SELECTOR, f'tr[data-pair="{"-".join(other["pair"])}"] .pair-btn')
    button.send_keys(Keys.SPACE)
    wait(browser, lambda d: evidence_indexes(d) == [[i, r + 1] for r, i in enumerate(other["evidence"])],
         message="Space on a pair did not highlight its evidence")
    assert browser.switch_to.active_element == button
    button.send_keys(Keys.ENTER)
    wait(browser, lambda d: evidence_indexes(d) == [], message="Enter on the selected pair did not clear it")
    assert "focus-mode" not in browser.find_element(By.ID, "article").get_attribute("class")
    assert browser_errors(browser) == []


def test_offsets_survive_emoji_and_astral_characters(browser, server):
    base, _ = server
    text = ("\U0001F600\U0001F1EF\U0001F1F5 TOKYO \u2014 Japan \U0001F91D and the United States \U0001D4B0 agreed "
            "on Tuesday to deepen their defence cooperation and to hold joint exercises.\n\n"
            "\U0001F6A2\U0001F6A2 Chinese coast guard ships entered Japanese waters \U0001F620 and chased "
            "Japanese fishing boats, Japan's coast guard said. \U0001F30A\n\n"
            "Security forces in Myanmar \U0001F6A8 detained pro-democracy activists, rights groups said.")
    assert len(text) < len(text.encode("utf-16-le")) // 2  # astral characters: JS indexes differ
    browser.set_window_size(1280, 900)
    open_page(browser, base + "/")
    expected = api_score(base, text)
    paste(browser, text)
    score(browser)
    assert browser.find_element(By.ID, "results").is_displayed()
    check_offsets(browser, text, expected)
    mentions = {m["text"] for c in expected["countries"] for m in c["mentions"]}
    assert {"Japan", "United States", "Chinese"} <= mentions
    for c in expected["countries"]:
        for m in c["mentions"]:
            shown = browser.execute_script("""
                return Array.from(document.querySelectorAll('#article .ctry'))
                    .filter(n => Number(n.dataset.start) >= arguments[0] && Number(n.dataset.end) <= arguments[1])
                    .map(n => n.textContent).join('');""", m["start"], m["end"])
            assert shown == m["text"]
    assert "Warning" not in browser.find_element(By.ID, "score-status").text
    assert browser_errors(browser) == []


def test_implied_mentions_are_marked_as_such(browser, server):
    base, _ = server
    text = ("President Biden spoke with Prime Minister Kishida of Japan.\n\n"
            "The two leaders reaffirmed their alliance.")
    open_page(browser, base + "/")
    paste(browser, text)
    score(browser)
    assert browser.find_element(By.ID, "results").is_displayed()
    marked = browser.execute_script("""
        return Array.from(document.querySelectorAll('#article .ctry'))
            .map(n => [n.textContent, n.classList.contains('implied'), n.title]);""")
    named = {t: (implied, title) for t, implied, title in marked}
    assert named["The two leaders"][0] is True and "implied" in named["The two leaders"][1]
    assert named["Japan"][0] is False and "implied" not in named["Japan"][1]
    tags = browser.execute_script("return Array.from(document.querySelectorAll('#article .tag')).map(n => n.textContent)")
    assert "\u2248JPN" in tags and "JPN" in tags  # "The two leaders ≈JPN", "Japan JPN"
    assert browser_errors(browser) == []


def test_errors_show_the_servers_detail(browser, server):
    base, _ = server
    open_page(browser, base + "/")
    browser.find_element(By.ID, "score-button").click()
    err = browser.find_element(By.ID, "score-error")
    assert err.is_displayed() and "text box is empty" in err.text
    assert browser.switch_to.active_element == browser.find_element(By.ID, "article-text")

    paste(browser, "Japan " * 40_000)  # 240,000 characters: over the 200,000 limit
    score(browser)
    assert err.is_displayed()
    assert "over the limit of 200000 characters" in err.text, err.text
    assert err.get_attribute("role") == "alert"
    assert not browser.find_element(By.ID, "results").is_displayed()


def test_api_key_is_asked_for_and_sent(browser, tmp_path, defence_article):
    from app import create_app

    keyed = create_app({"LOG_LEVEL": "WARNING", "API_KEYS": [API_KEY]})
    with serve(keyed) as base:
        open_page(browser, base + "/")
        wait(browser, lambda d: d.find_element(By.ID, "key-need").is_displayed(),
             message="the page did not notice that the server asks for a key")
        paste(browser, defence_article)
        score(browser)
        err = browser.find_element(By.ID, "score-error")
        assert "A valid API key is required" in err.text
        key_input = browser.find_element(By.ID, "api-key")
        assert browser.switch_to.active_element == key_input
        key_input.send_keys(API_KEY, Keys.ENTER)
        assert browser.execute_script("return sessionStorage.getItem('tension.apiKey')") == API_KEY
        score(browser)
        assert not err.is_displayed()
        assert browser.find_elements(By.CSS_SELECTOR, "#pairs tbody tr")
        browser.find_element(By.ID, "key-forget").click()
        assert browser.execute_script("return sessionStorage.getItem('tension.apiKey')") is None
        browser.execute_script("sessionStorage.clear()")


@pytest.mark.parametrize("status", [404, 503])
def test_over_time_tab_says_when_the_store_is_off(browser, flask_app, status):
    store = StoreEndpoints(flask_app.wsgi_app, status)
    with serve(store) as base:
        open_page(browser, base + "/")
        tab = browser.find_element(By.ID, "tab-article")
        tab.send_keys(Keys.ARROW_RIGHT)  # keyboard: arrows move between tabs
        time_tab = browser.find_element(By.ID, "tab-time")
        assert time_tab.get_attribute("aria-selected") == "true"
        assert browser.switch_to.active_element == time_tab
        assert browser.find_element(By.ID, "panel-time").is_displayed()
        assert not browser.find_element(By.ID, "panel-article").is_displayed()
        note = browser.find_element(By.ID, "store-note")
        wait(browser, lambda d: note.is_displayed(), message="no note when the store endpoints are off")
        assert f"HTTP {status}" in note.text and "not available" in note.text
        assert not browser.find_element(By.ID, "window-error").is_displayed()

        for field, value in (("tl-a", "usa"), ("tl-b", "jpn")):
            browser.find_element(By.ID, field).send_keys(value)
        browser.find_element(By.CSS_SELECTOR, "#timeline-form button[type=submit]").click()
        wait(browser, lambda d: len(store.calls) == 2)
        assert not browser.find_element(By.ID, "timeline").is_displayed()
        assert not browser.find_element(By.ID, "timeline-error").is_displayed()
        assert note.is_displayed()
        assert browser_errors(browser) == [] or all(str(status) in e["message"] for e in browser_errors(browser))


def test_over_time_tab_draws_window_and_timeline(browser, flask_app):
    store = StoreEndpoints(flask_app.wsgi_app, "data")
    with serve(store) as base:
        browser.set_window_size(1280, 900)
        open_page(browser, base + "/#time")
        wait(browser, lambda d: len(d.find_elements(By.CSS_SELECTOR, "#window-pairs tbody tr")) == len(WINDOW_PAIRS),
             message="the pair window table did not fill")
        assert not browser.find_element(By.ID, "store-note").is_displayed()
        assert store.calls[0] == ("/v1/pairs", {"sort": "tension", "order": "desc", "limit": "20", "offset": "0"})

        browser.find_element(By.ID, "win-from").send_keys("")  # focusable
        browser.execute_script("document.getElementById('win-from').value = '2025-01-01';"
                               "document.getElementById('win-to').value = '2025-01-31';")
        browser.find_element(By.ID, "win-sort").send_keys("coercion")
        browser.find_element(By.CSS_SELECTOR, "#window-form button[type=submit]").click()
        wait(browser, lambda d: len(store.calls) == 2)
        assert store.calls[1][1] == {"from": "2025-01-01", "to": "2025-01-31", "sort": "coercion", "order": "desc",
                                     "limit": "20", "offset": "0"}

        # keyboard: Enter on a pair of the window draws its timeline for the same window
        # the table is drawn again when the second window's pairs arrive: press Enter on the row
        # as it is then (a row of the first drawing goes stale, and the wait tries again)
        wait(browser, lambda d: d.find_element(By.CSS_SELECTOR, 'tr[data-pair="CHN-JPN"] .pair-btn')
             .send_keys(Keys.ENTER) is None)
        figure = browser.find_element(By.ID, "timeline")
        wait(browser, lambda d: figure.is_displayed(), message="no timeline drawn")
        path, query = store.calls[-1]
        assert path == "/v1/pairs/CHN-JPN/timeline"
        assert query == {"from": "2025-01-01", "to": "2025-01-31", "interval": "week"}

        svg = browser.find_element(By.CSS_SELECTOR, "#timeline-chart svg")
        assert svg.get_attribute("role") == "img"
        assert "Timeline of CHN\u2013JPN" in browser.find_element(By.CSS_SELECTOR, "#timeline-chart svg title").get_attribute("textContent")
        with_articles = [p for p in POINTS if p["articles"]]
        assert len(browser.find_elements(By.CSS_SELECTOR, "#timeline-chart .tension-pt")) == len(with_articles)
        for shape in ("circle", "triangle", "square"):
            assert len(browser.find_elements(By.CSS_SELECTOR, f"#timeline-chart .mk-{shape}")) == len(with_articles)
        # the week without articles breaks the lines instead of dropping to zero
        d = browser.find_element(By.CSS_SELECTOR, "#timeline-chart .tension-line").get_attribute("d")
        assert d.count("M") == 2 and d.count("L") == 1
        assert len(browser.find_elements(By.CSS_SELECTOR, "#timeline-chart .articles rect")) == len(POINTS)
        assert "first 4 of 10 weeks" in browser.find_element(By.ID, "timeline-status").text
        table_rows = browser.execute_script(
            "return Array.from(document.querySelectorAll('#timeline-table tbody tr')).map(r => r.textContent)")
        assert len(table_rows) == len(POINTS)
        assert "article voa-140, passage 3" in table_rows[2]
        assert "coercion by CHN 4, JPN 1" in table_rows[2]  # who does what to whom, per interval

        # a typed pair in either order, sorted to the API's alphabetical form; bad codes are refused here
        for field, value in (("tl-a", "usa"), ("tl-b", "jpn")):
            box = browser.find_element(By.ID, field)
            box.clear()
            box.send_keys(value)
        browser.execute_script("document.getElementById('tl-interval').value = 'month'")
        browser.find_element(By.ID, "tl-b").send_keys(Keys.ENTER)
        wait(browser, lambda d: store.calls[-1][0] == "/v1/pairs/JPN-USA/timeline")
        assert store.calls[-1][1]["interval"] == "month"
        n_calls = len(store.calls)
        box = browser.find_element(By.ID, "tl-b")
        box.clear()
        box.send_keys("U1", Keys.ENTER)
        err = browser.find_element(By.ID, "timeline-error")
        assert err.is_displayed() and "three-letter country codes" in err.text
        assert len(store.calls) == n_calls
        screenshot(browser, "page-timeline.png")
        browser.set_window_size(1280, 900)
        assert browser_errors(browser) == []


def test_phone_width_is_readable(browser, server, defence_article):
    base, _ = server
    browser.set_window_size(390, 844)
    try:
        open_page(browser, base + "/")
        paste(browser, defence_article)
        score(browser)
        rows = browser.find_elements(By.CSS_SELECTOR, "#pairs tbody tr")
        assert rows
        rows[0].find_element(By.CSS_SELECTOR, ".pair-btn").click()
        assert evidence_indexes(browser)
        # nothing sticks out sideways: only the table scrolls inside its own box
        overflow = browser.execute_script(
            "return document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"the page is {overflow}px wider than a phone screen"
        width = browser.execute_script("return document.getElementById('article').getBoundingClientRect().width")
        assert width >= 300
        font = browser.execute_script("return parseFloat(getComputedStyle(document.getElementById('article')).fontSize)")
        assert font >= 14
        screenshot(browser, "page-phone.png")
        assert browser_errors(browser) == []
    finally:
        browser.set_window_size(1280, 900)


def test_page_is_served_with_the_api_headers(server):
    base, _ = server
    with urllib.request.urlopen(base + "/", timeout=5) as resp:
        html = resp.read().decode()
        csp = resp.headers["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "<script>" not in html and "http://" not in html and "https://" not in html
    for asset in ("/static/js/main.js", "/static/page.css"):
        with urllib.request.urlopen(base + asset, timeout=5) as resp:
            assert resp.status == 200
            assert resp.headers["Content-Type"].split(";")[0] in ("text/javascript", "application/javascript", "text/css")
