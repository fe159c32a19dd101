"""REST endpoints of the article store: ingest scored articles, read timelines and rankings.

- ``POST /v1/articles``: one article or ``{"articles": [...]}``; scores and stores them
  (upsert by id: posting an id again updates it). ``POST /v1/score`` stays stateless.
- ``GET /v1/articles/<id>``: what is stored for one article (passages, pairs, model).
- ``GET /v1/pairs/<A>-<B>/timeline``: per day/week/month, article count, mean and max per
  label, mean tension, strongest evidence.
- ``GET /v1/pairs``: pairs ranked by mean tension (or a label, or count) over a window.
- ``GET /v1/countries/<A>/partners``: the same, for the pairs that include A.

The store (``store`` package) is opened on first use, not at start-up: the database file is
created and migrated then. ``TENSION_STORE=off`` turns the endpoints into 404s saying how to
turn them on. Query parameters and bodies are validated with ``store.schemas`` (422 with
the offending fields); an unreachable database is a 503. ``document`` adds all of it to the
OpenAPI document.
"""
from __future__ import annotations

import logging
import os
import threading

from flask import Blueprint, current_app, g, jsonify, request
from marshmallow import ValidationError

from scoring.schemas import MAX_BATCH, text_too_long
from store import config as store_config
from store import schemas as ss

from .api import check_passages, json_body
from .errors import ApiError
from .security import require_api_key

bp = Blueprint("store", __name__)
log = logging.getLogger("service")

OFF_DETAIL = ("The article store is turned off on this server (TENSION_STORE=off). Set TENSION_STORE=on (the "
              "default) and restart the service to enable it; DATABASE_URL chooses the database (default: a "
              "SQLite file in the instance folder).")


class StoreHolder:
    """Opens the store on first use (creating and migrating the database) and keeps it."""

    def __init__(self, enabled: bool, url: str | None, instance_path: str, keep_text: bool):
        self.enabled, self.url, self.instance_path, self.keep_text = enabled, url, instance_path, keep_text
        self._store = None
        self._lock = threading.Lock()

    def get(self):
        if not self.enabled:
            raise ApiError(404, OFF_DETAIL)
        if self._store is None:
            from store.db import StoreError, StoreUnavailable, open_store

            with self._lock:
                if self._store is None:
                    try:
                        self._store = open_store(self.url, self.instance_path, keep_text=self.keep_text)
                    except StoreUnavailable as exc:
                        raise _unavailable(exc) from None
                    except StoreError as exc:
                        log.error("store unusable", extra={"event": "store_error", "reason": str(exc)})
                        raise ApiError(503, "The article store cannot be used; the server log says why "
                                            "(event store_error).") from None
                    log.info("store opened", extra={"event": "store_opened", "reason": self._store.url})
        return self._store

    def close(self) -> None:
        if self._store is not None:
            self._store.close()
            self._store = None


def init_app(app) -> None:
    """Read the store settings (app config over environment) and register the endpoints."""
    conf = app.config
    try:
        enabled = store_config.enabled(conf.get("TENSION_STORE"))
        keep_text = store_config.keep_text(conf.get("TENSION_STORE_TEXT"))
        url = conf.get("DATABASE_URL") or os.environ.get("DATABASE_URL") or None
        if enabled:
            store_config.database_url(url, app.instance_path)  # refuse an unusable URL at start-up
    except store_config.StoreConfigError as exc:
        raise RuntimeError(f"store settings: {exc}") from None
    app.extensions["tension.store"] = StoreHolder(enabled, url, app.instance_path, keep_text)
    app.register_blueprint(bp)


def _holder() -> StoreHolder:
    """The store holder, after the API key check; 404 saying how to enable it when the store is off."""
    require_api_key(current_app.config["API_KEYS"])
    holder = current_app.extensions["tension.store"]
    if not holder.enabled:
        raise ApiError(404, OFF_DETAIL)
    return holder


def _invalid(messages, what: str = "request") -> ApiError:
    if not isinstance(messages, dict):
        messages = {"_schema": messages}
    return ApiError(422, f"The {what} does not match the schema; see 'errors' for each field.", errors=messages)


def _query(schema, path_errors: dict | None = None) -> dict:
    """The validated query parameters; a 422 lists every bad parameter (and ``path_errors``) at once."""
    errors = dict(path_errors or {})
    repeated = sorted({k for k in request.args if len(request.args.getlist(k)) > 1})
    errors.update({k: ["give this query parameter once"] for k in repeated})
    try:
        q = schema.load(request.args.to_dict())
    except ValidationError as err:
        errors.update(err.messages if isinstance(err.messages, dict) else {"_schema": err.messages})
        q = None
    if errors:
        raise _invalid(errors, "request")
    return q


def _unavailable(exc) -> ApiError:
    """503 for a database that cannot be reached; the reason (with the host) goes to the log, not the caller."""
    log.error("store unavailable", extra={"event": "store_error", "reason": str(exc)})
    return ApiError(503, "The article store's database is unavailable; retry later. The server log says why "
                         "(event store_error).", headers={"Retry-After": "5"})


@bp.post("/v1/articles")
def post_articles():
    holder = _holder()
    body = json_body()
    batch = isinstance(body, dict) and "articles" in body
    items = body["articles"] if batch and isinstance(body["articles"], list) else [body]
    if batch and len(items) > MAX_BATCH:
        raise ApiError(413, f"The batch holds {len(items)} articles; the limit is {MAX_BATCH}. "
                            "Split it into several requests.")
    for i, art in enumerate(items):
        if text_too_long(art):
            where = f"articles[{i}].text" if batch else "The text"
            raise ApiError(413, f"{where} is over the limit of {current_app.config['MAX_TEXT_CHARS']} characters; "
                                "split the article or send its main part.")
    if not isinstance(body, dict):
        raise ApiError(422, "The body must be a JSON object: one article {\"id\": ..., \"text\": ...} or "
                            "{\"articles\": [...]}.")
    try:
        arts = ss.StoreBatchSchema().load(body)["articles"] if batch else [ss.StoreArticleSchema().load(body)]
    except ValidationError as err:
        raise _invalid(err.messages) from None
    check_passages([a["text"] for a in arts])  # 413 before scoring: work and memory grow with passages
    scorer = current_app.extensions["tension.models"].scorer
    if scorer is None:
        raise ApiError(503, "No verified model is loaded; see /readyz for the reason.", headers={"Retry-After": "5"})
    store = holder.get()
    from store.db import StoreUnavailable

    g.log_extra = {"articles": len(arts), "chars": sum(len(a["text"]) for a in arts)}
    try:
        stored = store.score_and_ingest(scorer, arts)
    except StoreUnavailable as exc:
        raise _unavailable(exc) from None
    created = sum(1 for s in stored if s["status"] == "created")
    return jsonify({"articles": stored, "created": created, "updated": len(stored) - created})


@bp.get("/v1/articles/<path:article_id>")
def get_article(article_id: str):
    holder = _holder()
    if len(article_id) > ss.MAX_ID:
        raise _invalid({"id": [f"is over {ss.MAX_ID} characters"]})
    store = holder.get()
    from store.db import StoreUnavailable

    try:
        art = store.article(article_id)
    except StoreUnavailable as exc:
        raise _unavailable(exc) from None
    if art is None:
        raise ApiError(404, "No article with that id is stored; POST it to /v1/articles first.")
    return jsonify(art)


@bp.get("/v1/pairs/<pair>/timeline")
def timeline(pair: str):
    holder = _holder()
    try:
        (a, b), bad = ss.parse_pair(pair), None
    except ValidationError as err:
        (a, b), bad = ("", ""), err.messages
    q = _query(ss.TimelineQuerySchema(), bad)
    store = holder.get()
    from store.db import StoreUnavailable

    try:
        return jsonify(store.timeline(a, b, q["date_from"], q["date_to"], q["interval"], q["limit"], q["offset"]))
    except StoreUnavailable as exc:
        raise _unavailable(exc) from None


def _ranking(country: str | None, path_errors: dict | None = None):
    holder = _holder()
    q = _query(ss.PairsQuerySchema(), path_errors)
    store = holder.get()
    from store.db import StoreUnavailable

    try:
        return jsonify(store.pairs(q["date_from"], q["date_to"], q["sort"], q["order"], q["limit"], q["offset"],
                                   q["min_articles"], country=country))
    except StoreUnavailable as exc:
        raise _unavailable(exc) from None


@bp.get("/v1/pairs")
def pairs():
    return _ranking(None)


@bp.get("/v1/countries/<code>/partners")
def partners(code: str):
    try:
        ss.parse_code(code)
        bad = None
    except ValidationError as err:
        bad = err.messages
    return _ranking(code, bad)


# ---- OpenAPI ----------------------------------------------------------------------------

def document(spec, security: list) -> None:
    """Add the store's schemas and paths to an apispec ``APISpec`` (called by ``service.openapi``)."""
    for name, schema in (("StoreArticle", ss.StoreArticleSchema), ("StoreBatch", ss.StoreBatchSchema),
                         ("IngestResult", ss.IngestResultSchema), ("Timeline", ss.TimelineSchema),
                         ("PairsPage", ss.PairsPageSchema), ("StoredArticle", ss.StoredArticleSchema)):
        spec.components.schema(name, schema=schema)
    sec = {"security": security} if security else {}
    problem = {"description": "Problem details", "content": {"application/problem+json": {"schema": "Problem"}}}
    off = {"description": "Not found, or the store is off (TENSION_STORE=off): the detail says how to enable it.",
           "content": {"application/problem+json": {"schema": "Problem"}}}

    def errs(*codes):
        out = {str(c): problem for c in codes}
        out["404"] = off
        return out

    def ok(name, desc):
        return {"200": {"description": desc, "content": {"application/json": {"schema": name}}}}

    def code_param(name, desc):
        return {"in": "path", "name": name, "required": True, "description": desc,
                "schema": {"type": "string", "pattern": "^[A-Z]{3}$"}}

    spec.path("/v1/articles", operations={"post": {
        "summary": "Score and store one article, or a batch; posting a stored id again updates it",
        "description": f"Body: one article, or {{\"articles\": [...]}} with 1 to {MAX_BATCH} articles with "
                       "distinct ids. Articles without 'published' are filed under the day they were first "
                       "stored. The text is kept only when the server sets TENSION_STORE_TEXT=1.",
        "requestBody": {"required": True, "content": {"application/json": {"schema": {
            "oneOf": [{"$ref": "#/components/schemas/StoreArticle"}, {"$ref": "#/components/schemas/StoreBatch"}]}}}},
        **sec, "responses": {**ok("IngestResult", "What was stored, per article in input order"),
                             **errs(400, 401, 413, 415, 422, 503)}}})
    spec.path("/v1/articles/{id}", operations={"get": {
        "summary": "One stored article: metadata, model version, passages and pairs",
        "parameters": [{"in": "path", "name": "id", "required": True, "schema": {"type": "string"}}], **sec,
        "responses": {**ok("StoredArticle", "The stored article"), **errs(401, 422, 503)}}})
    spec.path("/v1/pairs/{A}-{B}/timeline", operations={"get": {
        "summary": "A pair's timeline: per interval, articles, mean and max per label, mean tension, evidence",
        "description": "A-B in either order; the response names the pair alphabetically. Every interval in the "
                       "window is listed (empty ones with articles 0 and nulls); paginate with limit/offset "
                       "over intervals.",
        "parameters": [code_param("A", "Country code"), code_param("B", "Another country code"),
                       {"in": "query", "schema": ss.TimelineQuerySchema}], **sec,
        "responses": {**ok("Timeline", "Points in date order"), **errs(401, 422, 503)}}})
    spec.path("/v1/pairs", operations={"get": {
        "summary": "Pairs ranked over a time window: most tense first (order=asc: most cooperative first)",
        "parameters": [{"in": "query", "schema": ss.PairsQuerySchema}], **sec,
        "responses": {**ok("PairsPage", "One page of ranked pairs and the total"), **errs(401, 422, 503)}}})
    spec.path("/v1/countries/{A}/partners", operations={"get": {
        "summary": "A country's pairs ranked by tension (same parameters and shape as /v1/pairs)",
        "parameters": [code_param("A", "Country code"), {"in": "query", "schema": ss.PairsQuerySchema}], **sec,
        "responses": {**ok("PairsPage", "One page of the country's pairs, with 'partner'"), **errs(401, 422, 503)}}})
