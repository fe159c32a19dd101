"""A bounded soak: thousands of mixed requests from several threads over loopback HTTP.

The app runs in a threaded Werkzeug server on 127.0.0.1 (an ephemeral port) inside the
test process; ``THREADS`` clients send ``THREADS * PER_THREAD`` requests over real sockets:
single articles of several kinds, batches, health and model reads, and the usual bad
requests (not JSON, wrong content type, schema errors, over the text limit). Every request
must get exactly the answer its kind calls for (200, or the expected 4xx problem+json):
zero errors, zero exceptions.

Memory: the model is loaded and a warm-up round has run before the first measurement; the
process's resident set size (``VmRSS`` from /proc) may then grow by at most
``RSS_GROWTH_LIMIT_MB`` over the whole soak, and the open file descriptors and threads
must come back to where they were. Bounded: the soak stops at ``TIME_LIMIT_S`` whatever
happens (and fails if it had to).
"""
from __future__ import annotations

import gc
import http.client
import json
import os
import threading
import time
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from app import create_app
from scoring.schemas import MAX_TEXT_CHARS

THREADS = 6
PER_THREAD = 600  # 3600 requests in the measured phase
WARMUP_PER_THREAD = 60
RSS_GROWTH_LIMIT_MB = 16
TIME_LIMIT_S = 90
FIXTURES = Path(__file__).parent / "fixtures"


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def _fds() -> int:
    return len(os.listdir("/proc/self/fd"))


def _workload() -> list[tuple[str, str, bytes | None, str, int]]:
    """(method, path, body, content type, expected status) — one round of the mix."""
    article = (FIXTURES / "article_defence_talks.txt").read_text(encoding="utf-8")
    j = lambda obj: json.dumps(obj).encode()  # noqa: E731
    return [
        ("POST", "/v1/score", j({"text": article, "id": "defence"}), "application/json", 200),
        ("POST", "/v1/score", j({"text": "Russia shelled Ukrainian cities; China urged restraint.", "explain": False}),
         "application/json", 200),
        ("POST", "/v1/score", j({"text": "\u202eJapan \U0001F600 <b>China</b>\x00 \ud800 " * 20}),
         "application/json", 200),
        ("POST", "/v1/score", j({"text": "no punctuation at all just words about Japan and Korea " * 40}),
         "application/json", 200),
        ("POST", "/v1/score/batch", j({"articles": [{"text": article[:400], "id": str(i)} for i in range(5)]}),
         "application/json", 200),
        ("GET", "/readyz", None, "", 200),
        ("GET", "/v1/model", None, "", 200),
        ("POST", "/v1/score", b"{not json", "application/json", 400),
        ("POST", "/v1/score", b'{"text": "a", "text": "b"}', "application/json", 400),
        ("POST", "/v1/score", b"text=Japan", "application/x-www-form-urlencoded", 415),
        ("POST", "/v1/score", j({"text": "   "}), "application/json", 422),
        ("POST", "/v1/score/batch", j({"articles": []}), "application/json", 422),
        ("POST", "/v1/score", j({"text": "x" * (MAX_TEXT_CHARS + 1)}), "application/json", 413),
        ("GET", "/v1/nothing", None, "", 404),
    ]


def _client(port: int, rounds: int, offset: int, errors: list, counts: list, deadline: float) -> None:
    mix = _workload()
    done = 0
    try:
        for i in range(rounds):
            if time.monotonic() > deadline:
                errors.append("time limit reached")
                return
            method, path, body, ctype, expected = mix[(i + offset) % len(mix)]
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            try:
                headers = {"Content-Type": ctype} if ctype else {}
                conn.request(method, path, body=body, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
            finally:
                conn.close()
            if resp.status != expected:
                errors.append(f"{method} {path}: {resp.status} (expected {expected}): {data[:200]!r}")
                continue
            ctype_out = resp.getheader("Content-Type", "")
            want = "application/json" if expected == 200 else "application/problem+json"
            if not ctype_out.startswith(want):
                errors.append(f"{method} {path}: content type {ctype_out}")
                continue
            parsed = json.loads(data)
            if expected != 200 and parsed.get("status") != expected:
                errors.append(f"{method} {path}: problem body {parsed}")
            done += 1
    except Exception as exc:  # a client-side failure is an error of the soak too
        errors.append(f"{type(exc).__name__}: {exc}")
    finally:
        counts.append(done)


def _round(port: int, per_thread: int) -> tuple[list, int, float]:
    errors: list = []
    counts: list = []
    deadline = time.monotonic() + TIME_LIMIT_S
    t0 = time.perf_counter()
    threads = [threading.Thread(target=_client, args=(port, per_thread, k * 5, errors, counts, deadline))
               for k in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(TIME_LIMIT_S + 30)
    assert not any(t.is_alive() for t in threads), "a client thread hung"
    return errors, sum(counts), time.perf_counter() - t0


@pytest.fixture()
def server():
    app = create_app({"LOG_LEVEL": "WARNING", "TENSION_STORE": "off"})
    assert app.extensions["tension.models"].scorer is not None, "the committed model must load"
    srv = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True)
    thread.start()
    try:
        yield srv.server_port
    finally:
        srv.shutdown()
        srv.server_close()
        thread.join(10)


def test_soak_thousands_of_mixed_requests_without_errors_or_growth(server):
    errors, n, _ = _round(server, WARMUP_PER_THREAD)
    assert errors == [], errors[:5]
    gc.collect()
    time.sleep(0.2)
    rss0, fds0, threads0 = _rss_mb(), _fds(), threading.active_count()

    errors, n, elapsed = _round(server, PER_THREAD)
    gc.collect()
    time.sleep(0.5)  # the server's handler threads finish closing their sockets
    rss1, fds1, threads1 = _rss_mb(), _fds(), threading.active_count()
    print(f"\nsoak: {n} requests from {THREADS} threads in {elapsed:.1f} s ({n / elapsed:.0f}/s); "
          f"RSS {rss0:.1f} -> {rss1:.1f} MB ({rss1 - rss0:+.1f}); fds {fds0} -> {fds1}; "
          f"threads {threads0} -> {threads1}")

    assert errors == [], f"{len(errors)} errors, first: {errors[:5]}"
    assert n == THREADS * PER_THREAD
    assert rss1 - rss0 < RSS_GROWTH_LIMIT_MB, f"RSS grew {rss1 - rss0:.1f} MB over {n} requests"
    assert fds1 <= fds0 + 2, f"file descriptors {fds0} -> {fds1}"
    assert threads1 <= threads0 + 1, f"threads {threads0} -> {threads1}"
