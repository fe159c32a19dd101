"""Model integrity: only verified bundles from the models directory are ever served."""
import json
import threading

import pytest

from app import create_app
from scoring.model import Model, ModelError


def _bundle(models):
    return models / (models / "CURRENT").read_text().strip()


def _not_ready(models, expect):
    app = create_app({"MODELS_DIR": str(models), "LOG_LEVEL": "CRITICAL"})
    client = app.test_client()
    resp = client.get("/readyz")
    assert resp.status_code == 503
    detail = resp.get_json(force=True)["detail"]
    assert expect in detail and "\n" not in detail
    assert client.get("/healthz").status_code == 200
    assert client.post("/v1/score", json={"text": "Japan."}).status_code == 503


def test_tampered_model_is_refused(models_copy):
    f = _bundle(models_copy) / "model.joblib"
    data = bytearray(f.read_bytes())
    data[len(data) // 2] ^= 0xFF
    f.write_bytes(bytes(data))
    with pytest.raises(ModelError, match="sha256"):
        Model.load(models=models_copy)
    _not_ready(models_copy, "sha256")


def test_truncated_model_is_refused(models_copy):
    f = _bundle(models_copy) / "model.joblib"
    f.write_bytes(f.read_bytes()[:1000])
    _not_ready(models_copy, "sha256")


def test_missing_model_file_and_manifest(models_copy):
    (_bundle(models_copy) / "model.joblib").unlink()
    _not_ready(models_copy, "missing")
    (_bundle(models_copy) / "manifest.json").unlink()
    _not_ready(models_copy, "manifest.json is missing")


def test_wrong_format_version_is_refused(models_copy):
    m = _bundle(models_copy) / "manifest.json"
    manifest = json.loads(m.read_text())
    manifest["format_version"] = 99
    m.write_text(json.dumps(manifest))
    _not_ready(models_copy, "format version")


def test_no_current_pointer(models_copy):
    (models_copy / "CURRENT").unlink()
    _not_ready(models_copy, "no CURRENT")


@pytest.mark.parametrize("name", ["../models", "..", "/etc/passwd", "a/b", "", " x", "x" * 100, "..\\x"])
def test_version_names_cannot_leave_the_models_directory(models_copy, name):
    with pytest.raises(ModelError):
        Model.load(version=name, models=models_copy)
    (models_copy / "CURRENT").write_text(name)
    with pytest.raises(ModelError):
        Model.load(models=models_copy)


def test_symlink_out_of_the_models_directory_is_refused(models_copy, tmp_path):
    outside = tmp_path / "outside"
    outside.mkdir()
    (models_copy / "evil").symlink_to(outside)
    with pytest.raises(ModelError):
        Model.load(version="evil", models=models_copy)


def test_admin_reload_needs_token_and_switches_atomically_under_load(models_copy):
    app = create_app({"MODELS_DIR": str(models_copy), "ADMIN_TOKEN": "s3cret-token", "LOG_LEVEL": "CRITICAL"})
    client = app.test_client()
    assert client.post("/v1/admin/reload").status_code == 401
    assert client.post("/v1/admin/reload", headers={"Authorization": "Bearer wrong"}).status_code == 401
    # a second, identical bundle under another name becomes CURRENT while requests run
    import shutil

    old = _bundle(models_copy)
    new = models_copy / "v-next"
    shutil.copytree(old, new)
    manifest = json.loads((new / "manifest.json").read_text())
    manifest["version"] = "v-next"
    (new / "manifest.json").write_text(json.dumps(manifest))

    failures, done = [], []
    stop = threading.Event()

    def hammer():
        c = app.test_client()
        while not stop.is_set():
            r = c.post("/v1/score", json={"text": "Japan and the U.S. held joint drills near Taiwan."})
            (done if r.status_code == 200 else failures).append(r.status_code)

    threads = [threading.Thread(target=hammer) for _ in range(4)]
    for t in threads:
        t.start()
    try:
        (models_copy / "CURRENT").write_text("v-next\n")
        for _ in range(5):
            resp = client.post("/v1/admin/reload", headers={"Authorization": "Bearer s3cret-token"})
            assert resp.status_code == 200, resp.get_data(as_text=True)
        assert resp.get_json()["model"]["version"] == "v-next"
    finally:
        stop.set()
        for t in threads:
            t.join(timeout=30)
    assert failures == [] and len(done) > 0
    assert client.get("/readyz").get_json()["model"]["version"] == "v-next"


def test_reload_to_a_bad_model_keeps_serving_the_good_one(models_copy):
    app = create_app({"MODELS_DIR": str(models_copy), "ADMIN_TOKEN": "tok", "LOG_LEVEL": "CRITICAL"})
    client = app.test_client()
    version = client.get("/readyz").get_json()["model"]["version"]
    (models_copy / "CURRENT").write_text("does-not-exist")
    resp = client.post("/v1/admin/reload", headers={"Authorization": "Bearer tok"})
    assert resp.status_code == 409 and "not switched" in resp.get_json(force=True)["detail"]
    assert client.get("/readyz").get_json()["model"]["version"] == version
    assert client.post("/v1/score", json={"text": "Japan."}).status_code == 200


def test_admin_disabled_without_token(client):
    assert client.post("/v1/admin/reload").status_code == 403
