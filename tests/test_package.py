"""The package installs and works outside the checkout: a wheel in a fresh virtual environment.

Builds the wheel (``pip wheel``, hatchling), installs it with only the library's dependencies
(pinned by requirements.txt) into a new venv in a temporary directory, and from another
working directory: scores with ``scoring.Scorer.load()`` on the model the wheel ships, runs
the ``tension`` command on a JSON-lines file, loads a bundle from ``TENSION_MODELS_DIR``,
and checks that Flask, gunicorn, SQLAlchemy and Dask were not installed. Slow (about a
minute: pip installs numpy, scipy and scikit-learn from its cache); CI runs it.
"""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
pytestmark = pytest.mark.slow


def _run(cmd, **kw) -> subprocess.CompletedProcess:
    proc = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=900, **kw)
    assert proc.returncode == 0, f"{cmd} exited {proc.returncode}:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    """(venv python, venv bin dir, a working directory outside the checkout)."""
    tmp = tmp_path_factory.mktemp("package")
    dist = tmp / "dist"
    _run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--disable-pip-version-check", "-q", "-w", dist, ROOT])
    [wheel] = dist.glob("tension_scoring-*.whl")
    venv = tmp / "venv"
    _run([sys.executable, "-m", "venv", venv])
    # requirements.txt's pins, as constraints (pip takes no extras there): the versions CI tests
    pins = tmp / "constraints.txt"
    pins.write_text("\n".join(re.sub(r"\[.*?\]", "", line.split("#")[0]).strip()
                              for line in (ROOT / "requirements.txt").read_text().splitlines()) + "\n")
    py = venv / "bin" / "python"
    _run([py, "-m", "pip", "install", "--disable-pip-version-check", "-q", "-c", pins, wheel])
    elsewhere = tmp / "elsewhere"
    elsewhere.mkdir()
    return py, venv / "bin", elsewhere


def _env() -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "TENSION_MODELS_DIR", "VIRTUAL_ENV")}
    env["SCORING_ACTORS_CACHE"] = ""  # build the recogniser in memory: no cache shared with the checkout
    return env


def test_library_scores_with_the_shipped_model(installed):
    py, _, elsewhere = installed
    code = ("import json, scoring\n"
            "r = scoring.Scorer.load().score('Russian jets entered Estonian airspace, Tallinn said.')\n"
            "print(json.dumps({'file': scoring.__file__, 'model': r['model'], 'pairs': r['pairs'],"
            " 'countries': [c['code'] for c in r['countries']]}))\n")
    out = json.loads(_run([py, "-c", code], cwd=elsewhere, env=_env()).stdout)
    assert "site-packages" in out["file"] and str(ROOT) not in out["file"]
    current = (ROOT / "models" / "CURRENT").read_text().strip()
    assert out["model"]["version"] == current
    assert out["countries"] == ["EST", "RUS"]
    assert [p["pair"] for p in out["pairs"]] == [["EST", "RUS"]]


def test_console_command_scores_a_jsonl_file(installed):
    _, bin_dir, elsewhere = installed
    (elsewhere / "in.jsonl").write_text(
        json.dumps({"id": "a", "text": "Japan and Australia signed a defence pact."}) + "\n"
        + "not json\n", encoding="utf-8")
    proc = subprocess.run([bin_dir / "tension", "score", "--input", "in.jsonl", "--output", "out.jsonl"],
                          cwd=elsewhere, env=_env(), capture_output=True, text=True, timeout=300)
    assert proc.returncode == 1, proc.stderr  # one bad line: scored the rest, exit 1, as python -m scoring
    assert "line 2: not JSON" in proc.stderr
    lines = [json.loads(x) for x in (elsewhere / "out.jsonl").read_text().splitlines()]
    assert lines[0]["id"] == "a" and {c["code"] for c in lines[0]["countries"]} == {"AUS", "JPN"}
    assert lines[1]["line"] == 2 and "error" in lines[1]
    helped = _run([bin_dir / "tension", "score", "--help"], cwd=elsewhere, env=_env()).stdout
    assert "tension score --input in.jsonl --output out.jsonl" in helped


def test_models_dir_selects_another_bundle_and_the_sha256_check_stays(installed, tmp_path):
    py, _, elsewhere = installed
    models = tmp_path / "models"
    current = (ROOT / "models" / "CURRENT").read_text().strip()
    shutil.copytree(ROOT / "models" / current, models / "mine")
    (models / "CURRENT").write_text("mine\n")
    env = {**_env(), "TENSION_MODELS_DIR": str(models)}
    code = "import scoring; print(scoring.Scorer.load().model.path)"
    assert _run([py, "-c", code], cwd=elsewhere, env=env).stdout.strip() == str((models / "mine").resolve())
    with open(models / "mine" / "model.joblib", "ab") as f:
        f.write(b"tampered")
    proc = subprocess.run([py, "-c", code], cwd=elsewhere, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode != 0 and "sha256" in proc.stderr


def test_the_library_install_pulls_in_no_application_dependency(installed):
    py, _, elsewhere = installed
    code = ("import importlib.util as u\n"
            "print(','.join(m for m in ('flask', 'gunicorn', 'sqlalchemy', 'dask', 'distributed', 'alembic',"
            " 'psycopg', 'orjson') if u.find_spec(m)))")
    assert _run([py, "-c", code], cwd=elsewhere, env=_env()).stdout.strip() == ""
    listed = _run([py, "-m", "pip", "list", "--format=json", "--disable-pip-version-check"], cwd=elsewhere).stdout
    names = {p["name"].lower() for p in json.loads(listed)}
    assert {"numpy", "scipy", "scikit-learn", "joblib", "marshmallow", "pyahocorasick"} <= names
    assert not names & {"flask", "gunicorn", "sqlalchemy", "dask", "distributed"}
