"""The analyst page at ``/``: paste an article, see what the model found (docs/page.md).

A static single page (``service/static/index.html`` + JS and CSS files next to it) that
calls the public API like any other client: ``POST /v1/score``, ``GET /v1/model``,
``GET /openapi.json`` and, on its "Over time" tab, ``GET /v1/pairs`` and
``GET /v1/pairs/{A}-{B}/timeline``. Everything it needs ships in ``service/static/``: no
CDN, no inline script (the app's Content-Security-Policy forbids it), no network beyond
the server it came from.
"""
from __future__ import annotations

from pathlib import Path

from flask import Blueprint, send_from_directory

STATIC_DIR = Path(__file__).resolve().parent / "static"

bp = Blueprint("page", __name__, static_folder=str(STATIC_DIR), static_url_path="/static")


@bp.get("/")
def index():
    resp = send_from_directory(STATIC_DIR, "index.html", max_age=0)
    resp.headers["Cache-Control"] = "no-cache"
    return resp
