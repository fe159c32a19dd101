"""Flask application factory: ``create_app(config=None)``.

Configuration comes from environment variables (below) and is overridden by the mapping
passed in (tests do that). The factory only assembles: JSON logging, error handlers,
blueprints (API, docs, the article store, the analyst page), the model holder, optional
CORS, and security headers.

Settings (environment variable -> config key, default):
- ``TENSION_MODELS_DIR`` -> ``MODELS_DIR``: directory of model bundles (default: the shipped model)
- ``TENSION_MODEL`` -> ``MODEL_VERSION``: version to serve (what ``models/CURRENT`` names)
- ``TENSION_API_KEYS`` -> ``API_KEYS``: comma-separated keys; empty = no key needed
- ``TENSION_ADMIN_TOKEN`` -> ``ADMIN_TOKEN``: enables ``POST /v1/admin/reload``
- ``TENSION_CORS_ORIGINS`` -> ``CORS_ORIGINS``: comma-separated origins; empty = no CORS
- ``TENSION_LOG_LEVEL`` -> ``LOG_LEVEL``: ``INFO`` (any case; gunicorn.conf.py reads it too)
- the store's ``TENSION_STORE``, ``DATABASE_URL``, ``TENSION_STORE_TEXT``: see store/config.py
Run: ``gunicorn -c gunicorn.conf.py "service.app:create_app()"`` (see README; ``app:create_app()``
in a checkout is the same).
"""
from __future__ import annotations

import os
import uuid

from flask import Flask, g, request

from scoring.schemas import MAX_BATCH, MAX_BODY_BYTES, MAX_TEXT_CHARS
from . import api, errors, logs, openapi, page, store_api
from .state import ModelHolder


_LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


def _csv(value: str | None) -> list[str]:
    return [v.strip() for v in (value or "").split(",") if v.strip()]


def _config_from_env() -> dict:
    env = os.environ
    return {
        "MODELS_DIR": env.get("TENSION_MODELS_DIR") or None,
        "MODEL_VERSION": env.get("TENSION_MODEL") or None,
        "API_KEYS": _csv(env.get("TENSION_API_KEYS")),
        "ADMIN_TOKEN": env.get("TENSION_ADMIN_TOKEN") or None,
        "CORS_ORIGINS": _csv(env.get("TENSION_CORS_ORIGINS")),
        "LOG_LEVEL": env.get("TENSION_LOG_LEVEL", "INFO"),
    }


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__, static_folder=None)
    app.config.update(_config_from_env())
    app.config.update(MAX_CONTENT_LENGTH=MAX_BODY_BYTES, MAX_TEXT_CHARS=MAX_TEXT_CHARS, MAX_BATCH=MAX_BATCH,
                      JSON_SORT_KEYS=False, DEBUG=False, TESTING=False, PROPAGATE_EXCEPTIONS=False)
    if config:
        app.config.update(config)
    app.json.sort_keys = False
    level = str(app.config["LOG_LEVEL"]).strip().upper()
    if level not in _LOG_LEVELS:
        raise RuntimeError(f"TENSION_LOG_LEVEL must be one of {', '.join(_LOG_LEVELS)}, got {level[:20]!r}")
    logs.configure(level)

    holder = ModelHolder(app.config["MODELS_DIR"], app.config["MODEL_VERSION"])
    holder.load()
    app.extensions["tension.models"] = holder
    app.extensions["tension.openapi"] = openapi.build_spec(bool(app.config["API_KEYS"]))

    errors.register(app)
    app.register_blueprint(api.bp)
    app.register_blueprint(openapi.bp)
    store_api.init_app(app)  # /v1/articles, /v1/pairs, /v1/countries (TENSION_STORE, DATABASE_URL)
    app.register_blueprint(page.bp)

    if app.config["CORS_ORIGINS"]:
        from flask_cors import CORS

        CORS(app, origins=app.config["CORS_ORIGINS"], allow_headers=["Content-Type", "Authorization", "X-API-Key"])

    @app.before_request
    def _request_id():
        rid = request.headers.get("X-Request-ID", "")
        g.request_id = rid if rid.isalnum() and len(rid) <= 64 else uuid.uuid4().hex

    @app.after_request
    def _headers(resp):
        resp.headers["X-Request-ID"] = g.get("request_id", "")
        resp.headers.setdefault("X-Content-Type-Options", "nosniff")
        resp.headers.setdefault("Content-Security-Policy",
                                "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'")
        resp.headers.setdefault("Referrer-Policy", "no-referrer")
        return resp

    return app
