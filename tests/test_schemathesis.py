"""Schema-driven API fuzzing: schemathesis against the app's own ``/openapi.json``.

Schemathesis reads the OpenAPI document the running app serves and, for every documented
operation, sends the document's examples, boundary ("coverage") cases and randomly generated
requests, valid and invalid, through the WSGI app (no server, no network). Every response
must be no server error (never 5xx other than a documented 503) and must match what the
document says for that status code: content type and body schema. So the document is the
true contract: a response field, status or content type it does not describe fails here.

Bounded: ``MAX_EXAMPLES`` generated cases per operation (plus the coverage cases), no
deadline; the whole file takes well under a minute. The article store runs on a private
SQLite file so the fuzzer can write to it.
"""
from __future__ import annotations

import os
import tempfile

import pytest

schemathesis = pytest.importorskip("schemathesis")
from hypothesis import HealthCheck, settings  # noqa: E402
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.core.failures import FailureGroup, ServerError  # noqa: E402
from schemathesis.openapi.checks import JsonSchemaError  # noqa: E402
from schemathesis.specs.openapi.checks import (  # noqa: E402
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from app import create_app  # noqa: E402

MAX_EXAMPLES = 40
DERANDOMIZE = bool(os.environ.get("CI"))  # CI: the same examples every run; locally: new ones each run
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


_TMP = tempfile.TemporaryDirectory(prefix="tension-schemathesis-")
APP = create_app({"LOG_LEVEL": "CRITICAL", "DATABASE_URL": f"sqlite:///{_TMP.name}/fuzz.sqlite3"})
schema = schemathesis.openapi.from_wsgi("/openapi.json", APP)


@pytest.fixture(scope="module", autouse=True)
def _cleanup():
    assert APP.extensions["tension.models"].scorer is not None, "the committed model must load"
    yield
    APP.extensions["tension.store"].close()
    _TMP.cleanup()


@schema.parametrize()
@settings(max_examples=MAX_EXAMPLES, deadline=None, derandomize=DERANDOMIZE,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much, HealthCheck.data_too_large])
def test_every_documented_operation_conforms(case):
    case.call_and_validate(checks=CHECKS)


def test_the_checks_catch_what_the_document_does_not_describe(monkeypatch):
    """The fuzz test can fail: an undocumented response shape and a server error are both caught."""
    app = create_app({"LOG_LEVEL": "CRITICAL", "TENSION_STORE": "off"})
    scorer = app.extensions["tension.models"].scorer
    case = schemathesis.openapi.from_wsgi("/openapi.json", app)["/v1/score"]["POST"].Case(
        body={"text": "Japan and China held talks."}, media_type="application/json")
    case.call_and_validate(checks=CHECKS)  # the real answer conforms

    monkeypatch.setattr(scorer, "score_batch", lambda arts, **kw: [{"id": None, "undocumented": True}])
    with pytest.raises(FailureGroup) as caught:
        case.call_and_validate(checks=CHECKS)
    assert caught.group_contains(JsonSchemaError)

    def boom(*args, **kwargs):
        raise RuntimeError("injected")

    monkeypatch.setattr(scorer, "score_batch", boom)
    with pytest.raises(FailureGroup) as caught:
        case.call_and_validate(checks=CHECKS)
    assert caught.group_contains(ServerError)
