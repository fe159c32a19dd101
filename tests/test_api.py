"""The REST API: endpoints, result shape, and one clear problem+json error for every misuse."""
import json

import pytest

from scoring.schemas import MAX_BATCH, MAX_BODY_BYTES, MAX_TEXT_CHARS

PROBLEM = "application/problem+json"


def _problem(resp, status):
    assert resp.status_code == status, resp.get_data(as_text=True)
    assert resp.mimetype == PROBLEM
    body = resp.get_json(force=True)
    assert body["status"] == status and body["title"] and body["detail"]
    return body


def test_score_returns_the_library_result(client, scorer, defence_article):
    resp = client.post("/v1/score", json={"text": defence_article, "id": "x1", "published": "2025-03-01"})
    assert resp.status_code == 200
    body = resp.get_json()
    assert body == json.loads(json.dumps(scorer.score(defence_article, id="x1", published="2025-03-01")))
    assert resp.headers["X-Request-ID"]


def test_batch_results_in_order(client):
    arts = [{"text": "Japan and Australia signed a defence pact.", "id": "1"},
            {"text": "Russia shelled Ukrainian cities.", "id": "2", "explain": False}]
    resp = client.post("/v1/score/batch", json={"articles": arts})
    assert resp.status_code == 200
    results = resp.get_json()["results"]
    assert [r["id"] for r in results] == ["1", "2"]
    assert "explanations" in results[0]["passages"][0] and "explanations" not in results[1]["passages"][0]


def test_model_endpoint_has_manifest_and_formula(client):
    body = client.get("/v1/model").get_json()
    assert body["labels"] == ["alliance", "coercion", "human_rights"]
    assert set(body["thresholds"]) == set(body["labels"])
    assert "tension" in body["tension_formula"] and body["metrics"]["test"]


def test_health_and_ready(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}
    ready = client.get("/readyz").get_json()
    assert ready["status"] == "ready" and ready["model"]["version"]


@pytest.mark.parametrize("body,status,field", [
    ({}, 422, "text"),
    ({"text": ""}, 422, "text"),
    ({"text": "   \n"}, 422, "text"),
    ({"text": 5}, 422, "text"),
    ({"text": "ok", "unknown": 1}, 422, "unknown"),
    ({"text": "ok", "published": "not a date"}, 422, "published"),
    ({"text": "ok", "explain": "maybe"}, 422, "explain"),
    ({"text": "ok", "id": 7}, 422, "id"),
    ([1, 2], 422, None),
    ("just a string", 422, None),
])
def test_invalid_bodies(client, body, status, field):
    problem = _problem(client.post("/v1/score", json=body), status)
    if field:
        assert field in problem["errors"]


def test_not_json_wrong_type_duplicate_keys_deep_nesting(client):
    _problem(client.post("/v1/score", data="{not json", content_type="application/json"), 400)
    _problem(client.post("/v1/score", data="text=hello", content_type="application/x-www-form-urlencoded"), 415)
    _problem(client.post("/v1/score", data='{"text": "a", "text": "b"}', content_type="application/json"), 400)
    _problem(client.post("/v1/score", data="[" * 50000 + "]" * 50000, content_type="application/json"), 400)
    _problem(client.post("/v1/score", data=b"\xff\xfe", content_type="application/json"), 400)
    _problem(client.post("/v1/score", data="", content_type="application/json"), 400)


def test_size_limits(client):
    _problem(client.post("/v1/score", json={"text": "a" * (MAX_TEXT_CHARS + 1)}), 413)
    _problem(client.post("/v1/score", data=b" " * (MAX_BODY_BYTES + 1), content_type="application/json"), 413)
    too_many = {"articles": [{"text": "x"}] * (MAX_BATCH + 1)}
    _problem(client.post("/v1/score/batch", json=too_many), 413)
    _problem(client.post("/v1/score/batch", json={"articles": [{"text": "a" * (MAX_TEXT_CHARS + 1)}]}), 413)
    _problem(client.post("/v1/score/batch", json={"articles": []}), 422)
    body = _problem(client.post("/v1/score/batch", json={"articles": [{"text": "ok"}, {"txt": "no"}]}), 422)
    assert "articles" in body["errors"]


def test_unknown_route_and_method(client):
    _problem(client.get("/v1/nothing"), 404)
    resp = client.get("/v1/score")
    _problem(resp, 405)
    assert "POST" in resp.headers["Allow"]


def test_openapi_and_docs(client):
    spec = client.get("/openapi.json").get_json()
    assert spec["openapi"].startswith("3.")
    assert {"/v1/score", "/v1/score/batch", "/v1/model", "/healthz", "/readyz"} <= set(spec["paths"])
    assert "Article" in spec["components"]["schemas"] and "Result" in spec["components"]["schemas"]
    page = client.get("/docs")
    assert page.status_code == 200 and b"swagger-ui" in page.data
    assert client.get("/docs/static/swagger-ui-bundle.js").status_code == 200


def test_errors_never_leak_tracebacks(app, monkeypatch):
    holder = app.extensions["tension.models"]

    def boom(*a, **k):
        raise RuntimeError("secret internal detail")

    monkeypatch.setattr(holder.scorer, "score_batch", boom)
    resp = app.test_client().post("/v1/score", json={"text": "Japan."})
    body = _problem(resp, 500)
    assert "secret" not in resp.get_data(as_text=True) and "Traceback" not in resp.get_data(as_text=True)
