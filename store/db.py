"""Engine and schema: connect to SQLite or PostgreSQL, bring the schema to the latest migration.

``open_store()`` returns a :class:`Store` on ``DATABASE_URL`` (or the instance-folder
SQLite file), after applying any pending migration, so the first use of a new database
creates it. Migrating is safe when several processes start at once: PostgreSQL takes an
advisory lock, SQLite a write lock (``BEGIN IMMEDIATE``), and whoever comes second finds
the schema up to date.

SQLite is opened in WAL mode with a 30 s busy timeout and foreign keys on; write
transactions start with ``BEGIN IMMEDIATE`` so concurrent writers (gunicorn workers, a
backfill) queue instead of failing. Its planner statistics are refreshed (a sampled
``ANALYZE``, a few ms) when the store opens and every ``ANALYZE_EVERY`` articles stored;
PostgreSQL's autovacuum does that on its own. PostgreSQL goes through psycopg 3 with a small pool
and ``pool_pre_ping``.
"""
from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any, Iterable

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import OperationalError, SQLAlchemyError

from . import config as cfg

MIGRATIONS = Path(__file__).resolve().parent / "migrations"
_PG_LOCK_KEY = 0x7E5510  # advisory lock id held while migrating
ANALYZE_EVERY = 20_000


class StoreError(Exception):
    """The store cannot do what was asked; the message says why and what to do."""


class StoreUnavailable(StoreError):
    """The database cannot be reached or is locked; retrying later may work."""


def make_engine(url: str) -> Engine:
    """An engine for ``url`` (already normalised by ``config.database_url``), tuned per backend."""
    u = make_url(url)
    if u.get_backend_name() == "sqlite":
        if u.database and u.database != ":memory:" and not u.database.startswith("file:"):
            Path(u.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(u, connect_args={"timeout": 30})

        @event.listens_for(engine, "connect")
        def _sqlite_connect(dbapi_conn, _record):
            dbapi_conn.isolation_level = None  # transactions are begun below, not by the driver
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA busy_timeout=30000")
            _wal(cur)
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA busy_timeout=30000")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn):
            conn.exec_driver_sql("BEGIN IMMEDIATE" if conn.get_execution_options().get("write") else "BEGIN")

        return engine
    return create_engine(u, pool_pre_ping=True, pool_size=5, max_overflow=5,
                         connect_args={"connect_timeout": 10, "application_name": "tension-store"})


def alembic_config(url: str | None = None, connection=None) -> Config:
    """The Alembic configuration, built in code (no alembic.ini)."""
    conf = Config()
    conf.set_main_option("script_location", str(MIGRATIONS))
    if url:
        conf.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    if connection is not None:
        conf.attributes["connection"] = connection
    return conf


def head_revision() -> str:
    return ScriptDirectory.from_config(alembic_config()).get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def _check_known(rev: str | None) -> None:
    if rev is None:
        return
    try:
        known = ScriptDirectory.from_config(alembic_config()).get_revision(rev)
    except Exception:  # noqa: BLE001 - alembic raises several kinds for an unknown id
        known = None
    if known is None:
        raise StoreError(f"the database schema is at revision {rev!r}, which this code does not know "
                         "(it was migrated by a newer version): run the newer code, or use another DATABASE_URL")


def _wal(cur, wait: float = 30.0) -> None:
    """Switch a SQLite connection to WAL. Converting a new file needs an exclusive lock, and
    SQLite answers "database is locked" at once (no busy wait) while another connection of a
    worker starting at the same time holds the file: retry until ``wait`` seconds."""
    import sqlite3
    import time

    deadline = time.monotonic() + wait
    delay = 0.005
    while True:
        try:
            cur.execute("PRAGMA journal_mode=WAL")
            return
        except sqlite3.OperationalError as exc:
            if "locked" not in str(exc) or time.monotonic() > deadline:
                raise
            time.sleep(delay)
            delay = min(delay * 2, 0.2)


def migrate(engine: Engine, revision: str = "head") -> tuple[str | None, str]:
    """Apply pending migrations up to ``revision``; returns (revision before, revision after)."""
    head = head_revision()
    before = current_revision(engine)
    _check_known(before)
    if revision == "head" and before == head:
        return before, head
    with engine.connect().execution_options(write=True) as conn:
        with conn.begin():
            if conn.dialect.name == "postgresql":
                conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_LOCK_KEY})
            before = MigrationContext.configure(conn).get_current_revision()  # someone may have migrated meanwhile
            _check_known(before)
            command.upgrade(alembic_config(connection=conn), revision)
            after = MigrationContext.configure(conn).get_current_revision()
    return before, after


def downgrade(engine: Engine, revision: str) -> None:
    with engine.connect().execution_options(write=True) as conn:
        with conn.begin():
            command.downgrade(alembic_config(connection=conn), revision)


def _unavailable(exc: Exception, url: str) -> StoreUnavailable:
    reason = str(getattr(exc, "orig", exc)).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
    return StoreUnavailable(f"cannot use the database at {cfg.redact(url)}: {reason}. Check DATABASE_URL "
                            "and that the database server is running")


class Store:
    """Scored articles in one database: ingest (upsert by id), timelines, rankings, rescoring."""

    def __init__(self, engine: Engine, keep_text: bool = False):
        self.engine = engine
        self.keep_text = keep_text
        self._since_analyze = 0

    def analyze(self) -> None:
        """Refresh SQLite's planner statistics (sampled); nothing to do on PostgreSQL."""
        if self.dialect != "sqlite":
            return
        with self.engine.connect().execution_options(write=True) as conn:
            with conn.begin():
                conn.exec_driver_sql("PRAGMA analysis_limit=1000")
                conn.exec_driver_sql("ANALYZE")
        self._since_analyze = 0

    @property
    def url(self) -> str:
        """The database URL with any password hidden."""
        return cfg.redact(self.engine.url.render_as_string(hide_password=True))

    @property
    def dialect(self) -> str:
        return self.engine.dialect.name

    def close(self) -> None:
        self.engine.dispose()

    # -- writing ---------------------------------------------------------------------------
    def ingest(self, articles: Iterable[dict], results: Iterable[dict], now: dt.datetime | None = None) -> list[dict]:
        """Store each article with its result (``Scorer.score_batch`` output), in one transaction.

        An id already stored is updated (its passages and pairs replaced); within one call a
        repeated id keeps the last occurrence. Returns one summary per distinct id, in order.
        """
        from .ingest import ingest

        try:
            with self.engine.connect().execution_options(write=True) as conn:
                with conn.begin():
                    out = ingest(conn, list(articles), list(results), keep_text=self.keep_text, now=now)
            self._since_analyze += len(out)
            if self._since_analyze >= ANALYZE_EVERY:
                self.analyze()
            return out
        except OperationalError as exc:
            raise _unavailable(exc, self.url) from None

    def score_and_ingest(self, scorer, articles: list[dict]) -> list[dict]:
        """Score ``articles`` (without explanations: the store does not keep them) and store them."""
        results = scorer.score_batch([{**a, "explain": False} for a in articles], explain=False)
        return self.ingest(articles, results)

    # -- reading ---------------------------------------------------------------------------
    def _read(self, fn, *args, **kwargs) -> Any:
        try:
            with self.engine.connect() as conn:
                with conn.begin():
                    return fn(conn, *args, **kwargs)
        except OperationalError as exc:
            raise _unavailable(exc, self.url) from None

    def timeline(self, a: str, b: str, date_from=None, date_to=None, interval: str = "week",
                 limit: int = 1000, offset: int = 0) -> dict:
        from .queries import timeline

        return self._read(timeline, a, b, date_from, date_to, interval, limit, offset)

    def pairs(self, date_from=None, date_to=None, sort: str = "tension", order: str = "desc", limit: int = 50,
              offset: int = 0, min_articles: int = 1, country: str | None = None) -> dict:
        from .queries import rank_pairs

        return self._read(rank_pairs, date_from, date_to, sort, order, limit, offset, min_articles, country)

    def partners(self, country: str, date_from=None, date_to=None, sort: str = "tension", order: str = "desc",
                 limit: int = 50, offset: int = 0, min_articles: int = 1) -> dict:
        return self.pairs(date_from, date_to, sort, order, limit, offset, min_articles, country=country)

    def article(self, article_id: str) -> dict | None:
        from .queries import article

        return self._read(article, article_id)

    def stats(self) -> dict:
        from .queries import stats

        return self._read(stats)


def open_store(url: str | None = None, instance_path=None, keep_text: bool | None = None,
               upgrade: bool = True) -> Store:
    """A :class:`Store` on ``url`` / ``$DATABASE_URL`` / the instance-folder SQLite file, migrated to head."""
    full = cfg.database_url(url, instance_path)
    try:
        engine = make_engine(full)
    except (SQLAlchemyError, OSError, ValueError) as exc:
        raise StoreError(f"cannot open the database at {cfg.redact(full)}: {exc}") from None
    try:
        if upgrade:
            migrate(engine)
    except OperationalError as exc:
        engine.dispose()
        raise _unavailable(exc, full) from None
    except StoreError:
        engine.dispose()
        raise
    store = Store(engine, keep_text=cfg.keep_text(keep_text))
    try:
        store.analyze()
    except OperationalError as exc:
        engine.dispose()
        raise _unavailable(exc, full) from None
    return store
