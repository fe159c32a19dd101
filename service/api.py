"""The REST API: ``/v1/score``, ``/v1/score/batch``, ``/v1/model``, health, admin reload.

Bodies are parsed here (strict JSON: duplicate keys, non-JSON, NaN/Infinity, numbers too
large to represent, wrong content type and nesting too deep are refused with a problem
response) and validated with the marshmallow schemas in ``scoring.schemas``; the same
schemas generate ``/openapi.json`` (``service.openapi``). The views hand validated
articles to the engine in one batch. Results are serialised with orjson (``scoring.jsonout``):
they are large (~40 KB per article with explanations), and the standard library's encoder
took ~8% of a worker's time on single articles (docs/performance.md).
"""
from __future__ import annotations

import json
import logging
import os
import signal
import time

from flask import Blueprint, current_app, g, jsonify, request
from marshmallow import ValidationError
from werkzeug.exceptions import RequestEntityTooLarge

from scoring.gcpause import gc_paused
from scoring.jsonout import dumps
from scoring.model import ModelError
from scoring.schemas import (MAX_BATCH, MAX_PASSAGES, BatchSchema, passages_over_limit, text_too_long,
                             validate_article)
from scoring.labels import TENSION_FORMULA, TENSION_RULE

from .errors import ApiError
from .security import require_admin, require_api_key

bp = Blueprint("api", __name__)
log = logging.getLogger("service")


def _no_duplicates(pairs):
    seen = {}
    for key, value in pairs:
        if key in seen:
            raise ApiError(400, f"The JSON body repeats the key {key[:40]!r}; send each key once.")
        seen[key] = value
    return seen


def _no_constant(name):
    raise ApiError(400, f"The JSON body holds {name}, which is not JSON; send a number or null.")


def _finite_float(literal):
    value = float(literal)
    if value != value or value in (float("inf"), float("-inf")):
        raise ApiError(400, "The JSON body holds a number too large to represent; "
                            "no field takes numbers that large.")
    return value


def _bounded_int(literal):
    if len(literal) > 100:
        raise ApiError(400, f"The JSON body holds an integer of {len(literal)} digits; "
                            "no field takes numbers that large.")
    return int(literal)


def json_body():
    """The request's JSON body, or a problem response saying what is wrong with it."""
    ctype = (request.mimetype or "").lower()
    if ctype != "application/json" and not ctype.endswith("+json"):
        raise ApiError(415, "Send the body as JSON with 'Content-Type: application/json'.")
    raw = request.get_data(cache=False)  # raises 413 past MAX_CONTENT_LENGTH, before any work
    limit = current_app.config["MAX_CONTENT_LENGTH"]
    if request.content_length is None and limit and len(raw) >= limit and request.environ["wsgi.input"].read(1):
        # a body without Content-Length (chunked) is cut at the limit by Werkzeug: refuse it, don't parse half
        raise RequestEntityTooLarge()
    if not raw.strip():
        raise ApiError(400, "The request body is empty; send a JSON object.")
    try:
        return json.loads(raw, object_pairs_hook=_no_duplicates, parse_constant=_no_constant,
                          parse_float=_finite_float, parse_int=_bounded_int)
    except ApiError:
        raise
    except RecursionError:
        raise ApiError(400, "The JSON body is nested too deeply.") from None
    except UnicodeDecodeError:
        raise ApiError(400, "The request body is not valid UTF-8.") from None
    except ValueError as exc:
        msg = getattr(exc, "msg", None)
        where = f" ({msg} at line {exc.lineno} column {exc.colno})" if msg else ""
        raise ApiError(400, f"The request body is not valid JSON{where}.") from None


def check_passages(texts) -> None:
    """413 before any scoring when the request splits into more than MAX_PASSAGES passages."""
    n = passages_over_limit(texts)
    if n is not None:
        raise ApiError(413, f"The request splits into more than {MAX_PASSAGES} passages (sentences; at least "
                            f"{n}); send fewer or shorter articles per request.")


def _invalid(err: ValidationError, prefix: str = "") -> ApiError:
    messages = err.messages if isinstance(err.messages, dict) else {"_schema": err.messages}
    return ApiError(422, f"The request {prefix}does not match the schema; see 'errors' for each field.", errors=messages)


def _scorer():
    scorer = current_app.extensions["tension.models"].scorer
    if scorer is None:
        raise ApiError(503, "No verified model is loaded; see /readyz for the reason.", headers={"Retry-After": "5"})
    return scorer


def _results(obj):
    """A JSON response for a result object: the same JSON as ``jsonify`` (UTF-8 rather than
    ``\\u`` escapes), produced ~10x faster (scoring/jsonout.py)."""
    return current_app.response_class(dumps(obj), mimetype="application/json")


def _check_key():
    require_api_key(current_app.config["API_KEYS"])


@bp.post("/v1/score")
def score():
    _check_key()
    body = json_body()
    if text_too_long(body):
        raise ApiError(413, f"The text is over the limit of {current_app.config['MAX_TEXT_CHARS']} characters; "
                            "split the article or send its main part.")
    try:
        art = validate_article(body)
    except ValidationError as err:
        raise _invalid(err) from None
    check_passages([art["text"]])
    scorer = _scorer()
    g.log_extra = {"articles": 1, "chars": len(art["text"])}
    with gc_paused():  # the result is freed inside the pause: the collector never scans it
        return _results(scorer.score_batch([art], explain=art["explain"])[0])


@bp.post("/v1/score/batch")
def score_batch():
    _check_key()
    body = json_body()
    if isinstance(body, dict) and isinstance(body.get("articles"), list):
        if len(body["articles"]) > MAX_BATCH:
            raise ApiError(413, f"The batch holds {len(body['articles'])} articles; the limit is {MAX_BATCH}. "
                                "Split it into several requests.")
        for i, art in enumerate(body["articles"]):
            if text_too_long(art):
                raise ApiError(413, f"articles[{i}].text is over the limit of "
                                    f"{current_app.config['MAX_TEXT_CHARS']} characters.")
    if not isinstance(body, dict):
        raise ApiError(422, "The body must be a JSON object: {\"articles\": [{\"text\": ...}, ...]}.")
    try:
        batch = BatchSchema().load(body)
    except ValidationError as err:
        raise _invalid(err) from None
    arts = batch["articles"]
    check_passages([a["text"] for a in arts])
    scorer = _scorer()
    g.log_extra = {"articles": len(arts), "chars": sum(len(a["text"]) for a in arts)}
    with gc_paused():
        return _results({"results": scorer.score_batch(arts, explain=any(a["explain"] for a in arts))})


@bp.get("/v1/model")
def model():
    scorer = _scorer()
    manifest = dict(scorer.model.manifest)
    manifest["tension_formula"] = TENSION_FORMULA  # the rule this code applies, whatever the bundle says
    manifest["tension_rule"] = TENSION_RULE
    return jsonify(manifest)


@bp.get("/healthz")
def healthz():
    return jsonify({"status": "ok"})


@bp.get("/readyz")
def readyz():
    holder = current_app.extensions["tension.models"]
    if holder.scorer is None:
        raise ApiError(503, f"Model not ready: {holder.error}", headers={"Retry-After": "5"})
    return jsonify({"status": "ready", "model": holder.scorer.model_info})


@bp.post("/v1/admin/reload")
def reload_model():
    """Load and verify what the configured version (or ``models/CURRENT``) names, then switch to it.

    Under gunicorn this worker verifies the model first, then asks the master (SIGHUP) to
    replace every worker gracefully, so all of them serve the new model.
    """
    require_admin(current_app.config["ADMIN_TOKEN"])
    holder = current_app.extensions["tension.models"]
    previous = holder.scorer.model.version if holder.scorer else None
    try:
        scorer = holder.reload()
    except ModelError as exc:
        raise ApiError(409, f"The model was not switched: {exc}") from None
    if str(request.environ.get("SERVER_SOFTWARE", "")).startswith("gunicorn"):
        os.kill(os.getppid(), signal.SIGHUP)
    return jsonify({"status": "reloaded", "previous": previous, "model": scorer.model_info})


@bp.before_app_request
def _start_timer():
    g.t0 = time.perf_counter()


@bp.after_app_request
def _access_log(resp):
    rule = request.url_rule.rule if request.url_rule else "unmatched"
    extra = {"event": "request", "method": request.method, "route": rule, "status": resp.status_code,
             "ms": round((time.perf_counter() - g.get("t0", time.perf_counter())) * 1000, 2),
             "request_id": g.get("request_id"), "worker": os.getpid()}
    extra.update(g.get("log_extra", {}))
    log.info("request", extra=extra)
    return resp
