"""Re-score the store with the current model, in batches, resumable after a crash.

An article is stale when its ``model_version`` or ``model_sha256`` differs from the model
given. ``rescore`` takes stale articles in id order, ``batch_size`` at a time, scores each
batch and replaces its rows in one transaction (``Store.ingest``), so a crash loses at most
the batch in flight and a rerun carries on with what is still stale; nothing is ever stored
twice. Articles keep their publication date (or first-ingest date) and metadata.

Texts: re-scoring needs each article's text. Articles stored with their text
(``TENSION_STORE_TEXT=1``) are re-scored from it; for the others give the original articles
as JSON lines (``input_lines``, the ``--input`` file): stale articles found there are
re-scored from it (ids not in the store are ignored, and current ones skipped, so rerunning
on the same file resumes). Whatever stays stale is counted in ``remaining``.
"""
from __future__ import annotations

import json
from typing import Callable, Iterable

from marshmallow import ValidationError
from sqlalchemy import and_, func, or_, select

from .models import Article
from .schemas import validate_store_article


def _stale(version: str, sha: str):
    return or_(Article.model_version != version, Article.model_sha256 != sha)


def count_stale(store, version: str, sha: str) -> int:
    with store.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(Article).where(_stale(version, sha))).scalar_one()


def rescore(store, scorer, batch_size: int = 100, input_lines: Iterable[str] | None = None,
            on_batch: Callable[[dict], None] | None = None) -> dict:
    """Re-score stale articles; returns counts. ``on_batch(summary)`` runs after each committed batch."""
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    version, sha = scorer.model.version, scorer.model.sha256
    summary = {"model_version": version, "rescored": 0, "batches": 0, "bad_lines": 0, "not_stored": 0,
               "stale_before": count_stale(store, version, sha), "remaining": None, "errors": []}

    def commit(arts: list[dict]) -> None:
        store.score_and_ingest(scorer, arts)
        summary["rescored"] += len(arts)
        summary["batches"] += 1
        if on_batch:
            on_batch(summary)

    last = ""
    cols = (Article.id, Article.text, Article.title, Article.published, Article.published_given,
            Article.source, Article.url)
    while True:  # articles whose text is stored, in id order (keyset pagination)
        with store.engine.connect() as conn:
            rows = conn.execute(select(*cols).where(and_(_stale(version, sha), Article.text.is_not(None),
                                                         Article.id > last))
                                .order_by(Article.id).limit(batch_size)).all()
        if not rows:
            break
        commit([{"id": r.id, "text": r.text, "title": r.title, "source": r.source, "url": r.url,
                 "published": r.published if r.published_given else None} for r in rows])
        last = rows[-1].id

    if input_lines is not None:  # the rest from the caller's file
        pending: list[dict] = []

        def flush() -> None:
            ids = [a["id"] for a in pending]
            with store.engine.connect() as conn:
                stale = set(conn.execute(select(Article.id).where(Article.id.in_(ids), _stale(version, sha))).scalars())
                known = set(conn.execute(select(Article.id).where(Article.id.in_(ids))).scalars())
            summary["not_stored"] += sum(1 for i in ids if i not in known)
            todo = [a for a in pending if a["id"] in stale]
            pending.clear()
            if todo:
                commit(todo)

        for lineno, line in enumerate(input_lines, 1):
            if not line.strip():
                continue
            try:
                art = validate_store_article(json.loads(line))
            except (ValueError, ValidationError) as exc:
                summary["bad_lines"] += 1
                if len(summary["errors"]) < 20:
                    msg = exc.messages if isinstance(exc, ValidationError) else "not JSON"
                    summary["errors"].append(f"line {lineno}: {msg}")
                continue
            pending[:] = [a for a in pending if a["id"] != art["id"]] + [art]
            if len(pending) >= batch_size:
                flush()
        if pending:
            flush()

    summary["remaining"] = count_stale(store, version, sha)
    return summary
