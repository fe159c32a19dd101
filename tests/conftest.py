"""Shared fixtures: the committed model, an app on it, and a private copy of the models dir."""
from __future__ import annotations

import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).parent / "fixtures"


@pytest.fixture(scope="session")
def scorer():
    from scoring import Scorer

    return Scorer.load()


@pytest.fixture(scope="session")
def defence_article() -> str:
    return (FIXTURES / "article_defence_talks.txt").read_text(encoding="utf-8")


@pytest.fixture()
def models_copy(tmp_path) -> Path:
    """A writable copy of the committed models directory (CURRENT + the version it names)."""
    src = ROOT / "models"
    dst = tmp_path / "models"
    dst.mkdir()
    current = (src / "CURRENT").read_text().strip()
    shutil.copytree(src / current, dst / current)
    shutil.copy(src / "CURRENT", dst / "CURRENT")
    return dst


@pytest.fixture(scope="session")
def app():
    from app import create_app

    return create_app({"LOG_LEVEL": "WARNING"})


@pytest.fixture()
def client(app):
    return app.test_client()
