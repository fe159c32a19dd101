"""Access control and exposure: API keys, the admin token, logs, CORS, debug mode, the container.

- API keys are off by default and on with one setting (``API_KEYS`` / ``TENSION_API_KEYS``):
  then every scoring and store endpoint answers 401 problem+json without a valid key and
  200 with ``Authorization: Bearer <key>`` or ``X-API-Key: <key>``; health, readiness, the
  model manifest and the docs stay open. Keys are compared with ``hmac.compare_digest``
  against every configured key.
- The admin endpoint always needs its own token (403 when none is configured).
- Neither a key, a token nor an article's text ever reaches the logs.
- CORS headers only for configured origins; ``app.debug`` is off whatever the environment.
- The Dockerfile installs the wheel as root and runs the service as a non-root user: code and model read-only
  (checked on the file's text: no Docker engine runs here).
"""
from __future__ import annotations

import io
import logging
import re
from pathlib import Path

import pytest

from app import create_app
from service.logs import JsonFormatter

ROOT = Path(__file__).resolve().parent.parent
PROBLEM = "application/problem+json"
KEY_A = "key-A-7f3c2e9d1b0a"
KEY_B = "key-B-0c1d2e3f4a5b"
ARTICLE = {"text": "Japan and Australia signed a defence pact.", "id": "s1"}
OPEN_ROUTES = ["/healthz", "/readyz", "/v1/model", "/openapi.json", "/docs"]


def _make(tmp_path, **config):
    base = {"LOG_LEVEL": "CRITICAL", "DATABASE_URL": f"sqlite:///{tmp_path}/sec.sqlite3"}
    return create_app({**base, **config})


@pytest.fixture()
def no_env(monkeypatch):
    for name in ("TENSION_API_KEYS", "TENSION_ADMIN_TOKEN", "TENSION_CORS_ORIGINS", "FLASK_DEBUG"):
        monkeypatch.delenv(name, raising=False)


def _guarded(client, headers=None):
    """Every endpoint that needs a key when keys are on: (method, path, response)."""
    headers = headers or {}
    return [
        ("POST", "/v1/score", client.post("/v1/score", json=ARTICLE, headers=headers)),
        ("POST", "/v1/score/batch", client.post("/v1/score/batch", json={"articles": [ARTICLE]}, headers=headers)),
        ("POST", "/v1/articles", client.post("/v1/articles", json=ARTICLE, headers=headers)),
        ("GET", "/v1/articles/s1", client.get("/v1/articles/s1", headers=headers)),
        ("GET", "/v1/pairs", client.get("/v1/pairs", headers=headers)),
        ("GET", "/v1/pairs/AUS-JPN/timeline", client.get("/v1/pairs/AUS-JPN/timeline", headers=headers)),
        ("GET", "/v1/countries/JPN/partners", client.get("/v1/countries/JPN/partners", headers=headers)),
    ]


def _is_401(resp):
    assert resp.status_code == 401, resp.get_data(as_text=True)
    assert resp.mimetype == PROBLEM
    body = resp.get_json(force=True)
    assert body["status"] == 401 and "API key" in body["detail"]
    assert resp.headers["WWW-Authenticate"].startswith("Bearer")
    return body


# ---- API keys --------------------------------------------------------------------------

def test_api_keys_are_off_by_default(tmp_path, no_env):
    client = _make(tmp_path).test_client()
    for method, path, resp in _guarded(client):
        assert resp.status_code == 200, (method, path, resp.get_data(as_text=True))
    spec = client.get("/openapi.json").get_json()
    assert "security" not in spec["paths"]["/v1/score"]["post"]


@pytest.mark.parametrize("how", ["config", "env"])
def test_with_keys_every_scoring_and_store_endpoint_needs_one(tmp_path, no_env, monkeypatch, how):
    if how == "env":
        monkeypatch.setenv("TENSION_API_KEYS", f" {KEY_A} , {KEY_B} ")
        app = _make(tmp_path)
    else:
        app = _make(tmp_path, API_KEYS=[KEY_A, KEY_B])
    client = app.test_client()
    wrong = [{}, {"Authorization": "Bearer wrong"}, {"X-API-Key": "wrong"}, {"Authorization": "Bearer "},
             {"Authorization": f"Basic {KEY_A}"}, {"Authorization": KEY_A}, {"X-API-Key": KEY_A[:-1]},
             {"X-API-Key": KEY_A + "x"}, {"X-API-Key": KEY_A.upper()}, {"X-API-Key": "ключ-\u00e9"},
             {"Authorization": "Bearer " + KEY_A + "," + KEY_B}]
    for headers in wrong:
        for method, path, resp in _guarded(client, headers):
            body = _is_401(resp)
            assert KEY_A not in resp.get_data(as_text=True) and KEY_B not in body["detail"]
    for headers in ({"Authorization": f"Bearer {KEY_A}"}, {"authorization": f"bearer {KEY_B}"},
                    {"X-API-Key": KEY_A}, {"X-API-Key": KEY_B}):
        for method, path, resp in _guarded(client, headers):
            assert resp.status_code == 200, (headers, method, path, resp.get_data(as_text=True))
    for path in OPEN_ROUTES:
        assert client.get(path).status_code == 200, path
    spec = client.get("/openapi.json").get_json()
    assert spec["paths"]["/v1/score"]["post"]["security"] == [{"bearer": []}, {"apiKey": []}]
    assert spec["paths"]["/v1/pairs"]["get"]["security"] == [{"bearer": []}, {"apiKey": []}]


def test_keys_are_compared_in_constant_time_against_every_key(tmp_path, no_env, monkeypatch):
    import service.security as security

    calls = []
    real = security.hmac.compare_digest

    def spy(a, b):
        calls.append((type(a), type(b)))
        return real(a, b)

    monkeypatch.setattr(security.hmac, "compare_digest", spy)
    client = _make(tmp_path, API_KEYS=[KEY_A, KEY_B, "third-key"]).test_client()
    for headers in ({"X-API-Key": KEY_A}, {"X-API-Key": "wrong"}):
        calls.clear()
        client.post("/v1/score", json=ARTICLE, headers=headers)
        # no early exit on a match, and bytes on both sides (compare_digest's constant-time path)
        assert calls == [(bytes, bytes)] * 3


# ---- admin token -------------------------------------------------------------------------

def test_admin_endpoint_always_needs_its_token(tmp_path, no_env):
    client = _make(tmp_path).test_client()  # no token configured: disabled, even with keys off
    for headers in ({}, {"Authorization": "Bearer anything"}):
        resp = client.post("/v1/admin/reload", headers=headers)
        assert resp.status_code == 403 and resp.mimetype == PROBLEM
        assert "TENSION_ADMIN_TOKEN" in resp.get_json(force=True)["detail"]

    token = "admin-token-5d4c3b2a"
    client = _make(tmp_path, ADMIN_TOKEN=token, API_KEYS=[KEY_A]).test_client()
    for headers in ({}, {"Authorization": "Bearer wrong"}, {"X-API-Key": KEY_A}, {"Authorization": f"Bearer {KEY_A}"},
                    {"Authorization": f"Bearer {token}x"}):
        resp = client.post("/v1/admin/reload", headers=headers)
        assert resp.status_code == 401 and resp.mimetype == PROBLEM, headers
        assert token not in resp.get_data(as_text=True)
    resp = client.post("/v1/admin/reload", headers={"Authorization": f"Bearer {token}"})
    assert resp.status_code == 200 and resp.get_json()["status"] == "reloaded"
    assert client.get("/v1/admin/reload").status_code == 405


# ---- nothing secret reaches the logs --------------------------------------------------------

@pytest.fixture()
def captured_logs():
    """Everything logged anywhere during the test, formatted as the service formats it."""
    buf = io.StringIO()
    handler = logging.StreamHandler(buf)
    handler.setFormatter(JsonFormatter())
    handler.setLevel(logging.DEBUG)
    loggers = [logging.getLogger(), logging.getLogger("service"), logging.getLogger("werkzeug"),
               logging.getLogger("app"), logging.getLogger("flask_cors")]
    saved = [(lg, lg.level) for lg in loggers]
    for lg in loggers:
        lg.addHandler(handler)
        lg.setLevel(logging.DEBUG)
    yield buf
    for lg, level in saved:
        lg.removeHandler(handler)
        lg.setLevel(level)


def test_keys_tokens_and_texts_never_reach_the_logs(tmp_path, no_env, captured_logs, monkeypatch):
    token = "admin-token-LOGCANARY-91ab"
    key = "api-key-LOGCANARY-77cd"
    text = "Zanzibarian LOGCANARY-TEXT-3e8f troops entered Japan."
    app = _make(tmp_path, API_KEYS=[key], ADMIN_TOKEN=token, LOG_LEVEL="DEBUG")
    logging.getLogger("service").setLevel(logging.DEBUG)  # create_app configured it; keep everything
    client = app.test_client()
    good = {"X-API-Key": key}
    assert client.post("/v1/score", json={"text": text, "id": "LOGCANARY-ID"}, headers=good).status_code == 200
    assert client.post(f"/v1/score?api_key={key}&text={text}", json={"text": text}).status_code == 401
    wrong = {"Authorization": f"Bearer {key}-wrong"}
    assert client.post("/v1/score", json={"text": text}, headers=wrong).status_code == 401
    assert client.post("/v1/score/batch", json={"articles": [{"text": text}]}, headers=good).status_code == 200
    assert client.post("/v1/score", json={"text": text, "bad": key}, headers=good).status_code == 422
    assert client.post("/v1/score", data='{"text": "%s", "text": "x"}' % text, content_type="application/json",
                       headers=good).status_code == 400
    assert client.post("/v1/articles", json={"text": text, "id": "LOGCANARY-ID"}, headers=good).status_code == 200
    assert client.post("/v1/admin/reload", headers={"Authorization": f"Bearer {token}"}).status_code == 200
    assert client.post("/v1/admin/reload", headers={"Authorization": f"Bearer {token}-wrong"}).status_code == 401
    assert client.get(f"/v1/articles/{text}", headers=good).status_code == 404

    def boom(*args, **kwargs):
        raise RuntimeError(f"failure mentioning {text} and {key}")

    monkeypatch.setattr(app.extensions["tension.models"].scorer, "score_batch", boom)
    resp = client.post("/v1/score", json={"text": text}, headers=good)
    assert resp.status_code == 500 and "LOGCANARY" not in resp.get_data(as_text=True)

    logged = captured_logs.getvalue()
    assert logged.count('"event": "request"') >= 10, logged[:2000]  # the access log did run
    assert "LOGCANARY" not in logged, [line for line in logged.splitlines() if "LOGCANARY" in line]
    assert "Zanzibarian" not in logged


# ---- CORS, debug, headers --------------------------------------------------------------------

def test_cors_is_off_unless_configured(tmp_path, no_env, monkeypatch):
    preflight = {"Origin": "https://analyst.example", "Access-Control-Request-Method": "POST",
                 "Access-Control-Request-Headers": "Content-Type, X-API-Key"}
    client = _make(tmp_path).test_client()
    for resp in (client.options("/v1/score", headers=preflight),
                 client.post("/v1/score", json=ARTICLE, headers={"Origin": "https://analyst.example"})):
        assert not [h for h in resp.headers.keys() if h.lower().startswith("access-control-")], dict(resp.headers)

    monkeypatch.setenv("TENSION_CORS_ORIGINS", "https://analyst.example")
    client = _make(tmp_path).test_client()
    resp = client.options("/v1/score", headers=preflight)
    assert resp.headers["Access-Control-Allow-Origin"] == "https://analyst.example"
    assert "x-api-key" in resp.headers["Access-Control-Allow-Headers"].lower()
    resp = client.post("/v1/score", json=ARTICLE, headers={"Origin": "https://analyst.example"})
    assert resp.status_code == 200 and resp.headers["Access-Control-Allow-Origin"] == "https://analyst.example"
    for resp in (client.options("/v1/score", headers={**preflight, "Origin": "https://evil.example"}),
                 client.post("/v1/score", json=ARTICLE, headers={"Origin": "https://evil.example"})):
        assert "Access-Control-Allow-Origin" not in resp.headers


def test_debug_is_off_whatever_the_environment(tmp_path, no_env, monkeypatch):
    monkeypatch.setenv("FLASK_DEBUG", "1")
    monkeypatch.setenv("FLASK_ENV", "development")
    app = _make(tmp_path)
    assert app.debug is False and app.config["DEBUG"] is False and app.config["PROPAGATE_EXCEPTIONS"] is False
    assert app.testing is False
    resp = app.test_client().get("/no/such/page")
    assert resp.status_code == 404 and resp.mimetype == PROBLEM and b"Werkzeug" not in resp.data


def test_security_headers_on_every_response(tmp_path, no_env):
    client = _make(tmp_path).test_client()
    for resp in (client.get("/healthz"), client.post("/v1/score", json=ARTICLE), client.get("/nothing")):
        assert resp.headers["X-Content-Type-Options"] == "nosniff"
        assert "default-src 'self'" in resp.headers["Content-Security-Policy"]
        assert resp.headers["Referrer-Policy"] == "no-referrer"
        assert "Server" not in resp.headers or "Python" not in resp.headers["Server"]


# ---- the container (static checks of the Dockerfile: no Docker engine here) -----------------

def _dockerfile() -> list[str]:
    text = (ROOT / "Dockerfile").read_text()
    text = re.sub(r"\\\n\s*", " ", text)  # join continuation lines
    return [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]


def test_container_runs_as_a_non_root_user():
    lines = _dockerfile()
    users = [line.split(None, 1)[1].strip() for line in lines if line.upper().startswith("USER ")]
    assert users, "the Dockerfile must switch to a non-root USER"
    final = users[-1].split(":")[0]
    assert final not in {"root", "0"}
    created = " ".join(line for line in lines if line.upper().startswith("RUN "))
    assert re.search(rf"useradd\b[^&;]*\b{re.escape(final)}\b", created), "the USER must be created in the image"
    uid = re.search(rf"useradd\b[^&;]*--uid\s+(\d+)[^&;]*\b{re.escape(final)}\b", created)
    assert uid is None or int(uid.group(1)) != 0
    # nothing after the USER line switches back to root
    last_user = max(i for i, line in enumerate(lines) if line.upper().startswith("USER "))
    assert not any(line.upper().startswith(("USER ROOT", "USER 0")) for line in lines[last_user:])
    assert any(line.upper().startswith("CMD ") and "gunicorn" in line and "gunicorn.conf.py" in line for line in lines)


def test_container_installs_the_wheel_and_its_model_read_only():
    lines = _dockerfile()
    stages = [i for i, line in enumerate(lines) if line.upper().startswith("FROM ")]
    build, final = lines[stages[0]:stages[-1]], lines[stages[-1]:]
    assert len(stages) == 2, "a stage that builds the wheel, and the image that installs it"
    assert any(re.match(r"COPY\s+models\s+\S*models", line) for line in build), "the wheel must carry the committed model"
    assert any(line.startswith("RUN ") and "pip wheel" in line for line in build)
    installs = [i for i, line in enumerate(final)
                if line.startswith("RUN ") and "pip install" in line and ".whl" in line and "[service,store]" in line]
    assert installs, "the image installs the wheel with the service's extras"
    user_line = max(i for i, line in enumerate(final) if line.upper().startswith("USER "))
    # installed by root before the USER switch: code and model in site-packages are read-only for the service
    assert installs[-1] < user_line
    assert not any("--chown" in line or re.search(r"chown\s+-R", line) for line in final)
    assert not any(re.match(r"COPY\s+(--\S+\s+)*(scoring|models|service|store)\b", line) for line in final)
    env = " ".join(line for line in final if line.startswith("ENV "))
    assert "TENSION_MODELS_DIR" not in env, "the image serves the model its wheel ships"
    assert any(line.startswith("HEALTHCHECK ") and "/readyz" in line for line in final)
    assert any(line.startswith("CMD ") and "service.app:create_app()" in line for line in final)
    assert not any(re.search(r"--reload\b|FLASK_DEBUG|--debug", line) for line in lines)


def test_gunicorn_config_has_no_debug_or_autoreload():
    import importlib.util

    spec = importlib.util.spec_from_file_location("gunicorn_conf_under_test", ROOT / "gunicorn.conf.py")
    conf = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conf)
    assert not getattr(conf, "reload", False)
    from gunicorn.util import load_class
    from gunicorn.workers.gthread import ThreadWorker

    assert issubclass(load_class(conf.worker_class), ThreadWorker)  # threads: a slow client holds one, not a worker
    assert conf.timeout > 0 and conf.graceful_timeout > 0
    assert conf.max_requests > 0 and conf.limit_request_line > 0 and conf.limit_request_fields > 0
