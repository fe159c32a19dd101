"""Access control: optional API keys for the scoring endpoints, a token for admin ones.

- API keys are off by default (local use). Set ``API_KEYS`` (env ``TENSION_API_KEYS``,
  comma-separated) and every ``/v1/`` endpoint except ``/v1/model`` needs
  ``Authorization: Bearer <key>`` or ``X-API-Key: <key>``.
- Admin endpoints always need ``ADMIN_TOKEN`` (env ``TENSION_ADMIN_TOKEN``); with no token
  configured they are disabled (403).
Keys are compared in constant time (``hmac.compare_digest``) against every configured key,
and never logged.
"""
from __future__ import annotations

import hmac

from flask import request

from .errors import ApiError


def presented_key() -> str | None:
    auth = request.headers.get("Authorization", "")
    if auth[:7].lower() == "bearer ":
        return auth[7:].strip()
    return request.headers.get("X-API-Key")


def _matches(candidate: str | None, secrets) -> bool:
    if not candidate:
        return False
    given = candidate.encode("utf-8", "surrogatepass")
    ok = False
    for secret in secrets:
        ok |= hmac.compare_digest(given, secret.encode("utf-8"))
    return ok


def require_api_key(keys) -> None:
    if keys and not _matches(presented_key(), keys):
        raise ApiError(401, "A valid API key is required: send 'Authorization: Bearer <key>' or 'X-API-Key: <key>'.",
                       headers={"WWW-Authenticate": 'Bearer realm="tension"'})


def require_admin(token: str | None) -> None:
    if not token:
        raise ApiError(403, "Admin endpoints are disabled: set TENSION_ADMIN_TOKEN to enable them.")
    if not _matches(presented_key(), [token]):
        raise ApiError(401, "The admin token is required: send 'Authorization: Bearer <token>'.",
                       headers={"WWW-Authenticate": 'Bearer realm="tension-admin"'})
