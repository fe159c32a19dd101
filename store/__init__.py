"""The article store: scored articles kept in a database, and the timelines built from them.

    from store import open_store
    st = open_store()                         # DATABASE_URL, else instance/tension.sqlite3
    st.ingest(articles, scorer.score_batch(articles, explain=False))
    st.timeline("CHN", "JPN", date_from, date_to, "week")

Modules: ``config`` (settings from the environment), ``models`` (SQLAlchemy tables),
``db`` (engine, SQLite/PostgreSQL tuning, migrations applied on first use), ``ingest``
(results -> rows, upsert by article id), ``queries`` (timeline, pair ranking, partners),
``rescore`` (re-score the store with the current model, resumable), ``schemas``
(marshmallow request/response schemas, shared with the API and the OpenAPI document).
Its commands (``tension store upgrade|rescore|stats``, ``python -m store``) live in the
command-line layer, ``tension_cli/store.py``. Nothing here imports Flask, and
importing ``store`` or ``store.schemas`` does not import SQLAlchemy (the engine and the
OpenAPI document stay usable without it); the rest loads on first use.
"""
__all__ = ["Store", "StoreError", "open_store"]


def __getattr__(name: str):
    if name in __all__:
        from . import db

        return getattr(db, name)
    raise AttributeError(f"module 'store' has no attribute {name!r}")
