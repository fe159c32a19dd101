"""Every error the API returns, in one shape: RFC 9457 ``application/problem+json``.

``problem(status, detail, errors=None)`` builds the response; ``register(app)`` turns every
HTTP error (404, 405, 413, ...) and any unexpected exception into one, so no caller ever
sees an HTML page or a stack trace. Unexpected exceptions are logged by type and request
id only (never the text a caller sent).
"""
from __future__ import annotations

import logging

from flask import Flask, Response, g, json
from werkzeug.exceptions import HTTPException

from scoring.schemas import MAX_BODY_BYTES

log = logging.getLogger("service")

_TITLES = {
    400: "Bad request", 401: "Unauthorized", 403: "Forbidden", 404: "Not found", 405: "Method not allowed", 409: "Conflict",
    413: "Content too large", 415: "Unsupported media type", 422: "Invalid request", 429: "Too many requests",
    500: "Internal server error", 503: "Service unavailable",
}
_DETAILS = {
    404: "No such endpoint; see /openapi.json or /docs for the API.",
    405: "This endpoint does not accept that method; see /openapi.json.",
    413: f"The request body is over the limit of {MAX_BODY_BYTES} bytes; send fewer or shorter articles.",
    500: "The server failed to handle the request; it has been logged. Retry, and report it if it persists.",
}


class ApiError(Exception):
    """Raise from a view to answer with a problem response."""

    def __init__(self, status: int, detail: str, errors: dict | None = None, headers: dict | None = None):
        super().__init__(detail)
        self.status, self.detail, self.errors, self.headers = status, detail, errors, headers or {}


def problem(status: int, detail: str, errors: dict | None = None, headers: dict | None = None) -> Response:
    body = {"type": "about:blank", "title": _TITLES.get(status, "Error"), "status": status, "detail": detail}
    if errors:
        body["errors"] = errors
    resp = Response(json.dumps(body), status=status, mimetype="application/problem+json")
    for k, v in (headers or {}).items():
        resp.headers[k] = v
    return resp


def register(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def _api_error(exc: ApiError):
        return problem(exc.status, exc.detail, exc.errors, exc.headers)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException):
        status = exc.code or 500
        headers = {"Allow": ", ".join(exc.valid_methods)} if status == 405 and getattr(exc, "valid_methods", None) else None
        return problem(status, _DETAILS.get(status, exc.description or _TITLES.get(status, "Error")), headers=headers)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        log.error("unhandled exception", extra={"event": "error", "error_type": type(exc).__name__,
                                                "request_id": getattr(g, "request_id", None)})
        return problem(500, _DETAILS[500])
