"""The serving fast paths keep their meaning (see docs/performance.md).

- ``/v1/score`` and ``/v1/score/batch`` serialise results with orjson: the body must be the
  same JSON value as the engine's result (what ``jsonify`` would have sent), UTF-8 encoded,
  including non-ASCII text and every passage, explanation and pair.
- gunicorn.conf.py warms every worker (one small score in ``post_worker_init``) before it
  accepts requests: each worker logs a ``warm_up`` event, and the first request after
  ``/readyz`` is served by a warmed worker.
"""
from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
TEXT = ("Japan and China held talks in Tōkyō on Monday. Beijing said the coast guard would "
        "continue patrols near the Senkaku Islands, and the U.S. urged restraint — “no escalation”.")


def _roundtrip(obj):
    return json.loads(json.dumps(obj))


def test_single_response_is_the_engine_result(client, scorer):
    resp = client.post("/v1/score", json={"id": "a1", "text": TEXT, "published": "2025-03-14"})
    assert resp.status_code == 200
    assert resp.mimetype == "application/json"
    body = resp.get_data()
    assert "Tōkyō".encode() in body and "“no escalation”".encode() in body  # UTF-8, not \u escapes
    expected = scorer.score_batch([{"id": "a1", "text": TEXT, "published": "2025-03-14"}])[0]
    assert json.loads(body) == _roundtrip(expected)
    assert expected["passages"] and expected["passages"][0]["explanations"]


def test_batch_response_is_the_engine_results(client, scorer):
    arts = [{"id": "x", "text": TEXT}, {"id": "y", "text": "Russia and Ukraine exchanged prisoners.",
                                        "explain": False}]
    resp = client.post("/v1/score/batch", json={"articles": arts})
    assert resp.status_code == 200
    expected = scorer.score_batch([dict(a) for a in arts], explain=True)
    assert json.loads(resp.get_data()) == _roundtrip({"results": expected})
    assert "explanations" not in resp.get_json()["results"][1]["passages"][0]


def test_numpy_values_serialise_as_plain_json():
    import numpy as np

    from scoring.jsonout import dumps

    assert json.loads(dumps({"a": np.float64(0.25), "b": np.arange(3)})) == {"a": 0.25, "b": [0, 1, 2]}
    with pytest.raises(TypeError, match="object is not JSON serializable"):
        dumps({"x": object()})


def test_strings_orjson_refuses_fall_back_to_escaped_json():
    from scoring.jsonout import dumps

    out = dumps({"text": "a\ud800b", "é": 1})  # a lone surrogate is not UTF-8
    assert out == b'{"text": "a\\ud800b", "\\u00e9": 1}\n'
    assert dumps({"é": 1}, newline=False) == '{"é":1}'.encode()


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="POSIX signals")
def test_gunicorn_workers_warm_up_before_serving(tmp_path):
    port = _free_port()
    log_path = tmp_path / "gunicorn.log"
    env = dict(os.environ, TENSION_BIND=f"127.0.0.1:{port}", TENSION_WORKERS="2", TENSION_THREADS="2",
               TENSION_LOG_LEVEL="info")
    env.pop("TENSION_API_KEYS", None)
    with open(log_path, "wb") as log:
        proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "app:create_app()"],
                                cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
    try:
        deadline = time.monotonic() + 90
        ready = False
        while time.monotonic() < deadline and not ready:
            assert proc.poll() is None, f"gunicorn exited: {log_path.read_text()[-2000:]}"
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=2) as r:
                    ready = r.status == 200
            except OSError:
                time.sleep(0.05)
        assert ready, "gunicorn was not ready in 90 s"

        def warm_events():
            return [json.loads(line) for line in log_path.read_text().splitlines()
                    if line.startswith("{") and '"warm_up"' in line]

        # the worker that answered /readyz had warmed up before it accepted the connection
        assert warm_events(), "a worker answered before warming up"
        while time.monotonic() < deadline and len(warm_events()) < 2:
            time.sleep(0.05)
        events = warm_events()
        assert len(events) == 2 and len({e["worker"] for e in events}) == 2
        assert all(e["level"] == "info" and e["ms"] > 0 for e in events)
        req = urllib.request.Request(f"http://127.0.0.1:{port}/v1/score", data=json.dumps({"text": TEXT}).encode(),
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=30) as r:
            assert r.status == 200 and json.loads(r.read())["pairs"]
        assert "warm_up_failed" not in log_path.read_text()
    finally:
        if proc.poll() is None:
            os.killpg(proc.pid, signal.SIGTERM)
            try:
                proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
