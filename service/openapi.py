"""The OpenAPI 3 document, generated from the marshmallow schemas, and the docs page.

``/openapi.json`` is built once per app with apispec from ``scoring.schemas`` (the schemas
that also validate requests), so documentation and validation cannot disagree. ``/docs``
serves Swagger UI from the ``swagger-ui-bundle`` package: no CDN, works offline.
"""
from __future__ import annotations

from apispec import APISpec
from apispec.ext.marshmallow import MarshmallowPlugin
from flask import Blueprint, Response, current_app, jsonify, send_from_directory

from scoring import schemas as s

from . import store_api

bp = Blueprint("docs", __name__)

_PROBLEM = {"description": "Problem details", "content": {"application/problem+json": {"schema": "Problem"}}}


def _errors(*codes: int) -> dict:
    return {str(c): _PROBLEM for c in codes}


def _security(spec_security):
    return {"security": spec_security} if spec_security else {}


def build_spec(api_keys_enabled: bool) -> dict:
    spec = APISpec(
        title="Geopolitical tension scoring API", version="1.0.0", openapi_version="3.0.3",
        plugins=[MarshmallowPlugin()],
        info={"description": (
            "POST news articles; get, for every pair of countries involved, how strongly the article signals "
            "coercion, alliance and human-rights concerns, with the passages and words that drove each score. "
            f"Limits: request body {s.MAX_BODY_BYTES} bytes (413), text {s.MAX_TEXT_CHARS} characters (413), "
            f"batch {s.MAX_BATCH} articles (413), {s.MAX_PASSAGES} passages (sentences) per request (413). "
            "Every error is application/problem+json.")},
    )
    spec.components.schema("Article", schema=s.ArticleSchema)
    spec.components.schema("Batch", schema=s.BatchSchema)
    spec.components.schema("Result", schema=s.ResultSchema)
    spec.components.schema("BatchResult", schema=s.BatchResultSchema)
    spec.components.schema("Problem", schema=s.ProblemSchema)
    spec.components.security_scheme("bearer", {"type": "http", "scheme": "bearer"})
    spec.components.security_scheme("apiKey", {"type": "apiKey", "in": "header", "name": "X-API-Key"})
    sec = [{"bearer": []}, {"apiKey": []}] if api_keys_enabled else []

    def json_body(name):
        return {"required": True, "content": {"application/json": {"schema": name}}}

    def ok(name, desc):
        return {"200": {"description": desc, "content": {"application/json": {"schema": name}}}}

    spec.path("/v1/score", operations={"post": {
        "summary": "Score one article", "requestBody": json_body("Article"), **_security(sec),
        "responses": {**ok("Result", "Passages, countries and pairs with scores and explanations"),
                      **_errors(400, 401, 413, 415, 422, 503)}}})
    spec.path("/v1/score/batch", operations={"post": {
        "summary": f"Score up to {s.MAX_BATCH} articles; results in input order",
        "requestBody": json_body("Batch"), **_security(sec),
        "responses": {**ok("BatchResult", "One result per article, in order"), **_errors(400, 401, 413, 415, 422, 503)}}})
    model_schema = {"type": "object", "required": ["version", "labels", "thresholds", "pair_thresholds",
                                                   "tension_formula", "tension_rule"],
                    "properties": {"version": {"type": "string"}, "labels": {"type": "array", "items": {"type": "string"}},
                                   "thresholds": {"type": "object", "additionalProperties": {"type": "number"}},
                                   "pair_thresholds": {"type": "object", "additionalProperties": {"type": "number"}},
                                   "tension_formula": {"type": "string"}, "tension_rule": {"type": "string"},
                                   "metrics": {"type": "object"}, "sha256": {"type": "string"}}}
    spec.path("/v1/model", operations={"get": {
        "summary": "The served model's manifest: version, labels, passage and pair thresholds, metrics, tension rule",
        "responses": {"200": {"description": "Manifest", "content": {"application/json": {"schema": model_schema}}},
                      **_errors(503)}}})
    status = {"type": "object", "required": ["status"], "properties": {"status": {"type": "string"}}}
    spec.path("/healthz", operations={"get": {"summary": "The process is up", "responses": {
        "200": {"description": "Up", "content": {"application/json": {"schema": status}}}}}})
    ready = {"type": "object", "required": ["status", "model"],
             "properties": {"status": {"type": "string", "enum": ["ready"]}, "model": "ModelRef"}}
    spec.path("/readyz", operations={"get": {"summary": "A verified model is loaded", "responses": {
        "200": {"description": "Ready", "content": {"application/json": {"schema": ready}}},
        **_errors(503)}}})
    spec.components.security_scheme("adminToken", {"type": "http", "scheme": "bearer",
                                                   "description": "The token set in TENSION_ADMIN_TOKEN."})
    reloaded = {"type": "object", "required": ["status", "previous", "model"],
                "properties": {"status": {"type": "string", "enum": ["reloaded"]},
                               "previous": {"type": "string", "nullable": True}, "model": "ModelRef"}}
    spec.path("/v1/admin/reload", operations={"post": {
        "summary": "Load and verify the model models/CURRENT names now, then serve it (no request fails)",
        "description": "Needs the admin token; disabled (403) when the server sets none. Under gunicorn every "
                       "worker is then replaced gracefully (as with kill -HUP on the master). A model that "
                       "fails verification is not switched to (409) and the current one stays in service.",
        "security": [{"adminToken": []}],
        "responses": {"200": {"description": "Switched", "content": {"application/json": {"schema": reloaded}}},
                      **_errors(401, 403, 409)}}})
    store_api.document(spec, sec)  # the article store: /v1/articles, /v1/pairs, /v1/countries
    return spec.to_dict()


@bp.get("/openapi.json")
def openapi_json():
    return jsonify(current_app.extensions["tension.openapi"])


_DOCS_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Tension scoring API</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<link rel="stylesheet" href="/docs/static/swagger-ui.css"></head>
<body><div id="swagger-ui"></div>
<script src="/docs/static/swagger-ui-bundle.js"></script>
<script src="/docs/init.js"></script></body></html>"""

_DOCS_JS = "window.ui = SwaggerUIBundle({url: '/openapi.json', dom_id: '#swagger-ui'});"


@bp.get("/docs")
def docs_page():
    return Response(_DOCS_HTML, mimetype="text/html")


@bp.get("/docs/init.js")
def docs_init():
    return Response(_DOCS_JS, mimetype="text/javascript")


@bp.get("/docs/static/<path:filename>")
def docs_static(filename: str):
    from swagger_ui_bundle import swagger_ui_path

    return send_from_directory(str(swagger_ui_path), filename, max_age=86400)
