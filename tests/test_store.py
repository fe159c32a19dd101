"""The article store, on a real SQLite file and a real PostgreSQL server (same tests for both).

``db_url`` gives every test a fresh database: a SQLite file in tmp_path, and a new
PostgreSQL schema (its own search_path) on the server named by ``TENSION_TEST_PG_URL`` (scripts/test starts a
throwaway one on loopback; without it the PostgreSQL variants skip, except in CI where they
fail). Expected aggregates are computed here from the rows the test stored, independently
of the store's SQL.
"""
from __future__ import annotations

import datetime as dt
import json
import os
import random
import threading
import uuid
from collections import defaultdict
from statistics import mean

import pytest
from sqlalchemy import create_engine, func, select
from sqlalchemy.engine import make_url

from scoring.labels import LABELS
from scoring.schemas import MAX_BATCH
from store import config as store_config
from store import open_store
from store.db import Store, StoreUnavailable, current_revision, downgrade, head_revision, make_engine, migrate
from store.ingest import AGENT_COLUMNS
from store.models import Article, Base, PairDay, PairScore, Passage
from store.rescore import rescore

PROBLEM = "application/problem+json"
PG_URL = os.environ.get("TENSION_TEST_PG_URL")
TODAY = dt.datetime.now(dt.timezone.utc).date()


# ---- fixtures -----------------------------------------------------------------------------

@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'store.sqlite3'}"
        return
    if not PG_URL:
        if os.environ.get("CI"):
            pytest.fail("TENSION_TEST_PG_URL is not set in CI: scripts/test must start PostgreSQL")
        pytest.skip("no PostgreSQL server: set TENSION_TEST_PG_URL (scripts/test starts a throwaway one)")
    # a fresh schema per test (much faster than a database), made the connections' search_path
    name = "t_" + uuid.uuid4().hex[:16]
    admin = create_engine(store_config.database_url(PG_URL), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'CREATE SCHEMA "{name}"')
    url = make_url(store_config.database_url(PG_URL))
    try:
        yield url.update_query_dict({"options": f"-csearch_path={name}"}).render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.exec_driver_sql(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')
        admin.dispose()


@pytest.fixture()
def store(db_url):
    st = open_store(db_url)
    yield st
    st.close()


@pytest.fixture()
def make_app(db_url):
    from app import create_app

    apps = []

    def factory(**config):
        app = create_app({"LOG_LEVEL": "WARNING", "DATABASE_URL": db_url, **config})
        apps.append(app)
        return app

    yield factory
    for app in apps:
        app.extensions["tension.store"].close()


@pytest.fixture()
def client(make_app):
    return make_app().test_client()


# ---- helpers ------------------------------------------------------------------------------

def result(ident: str, pairs: list, version: str = "test-v1") -> dict:
    """A scorer-shaped result: one passage per pair, ``pairs`` = [(a, b, {label: score}[, agents]), ...]."""
    passages, out = [], []
    for i, (a, b, scores, *agents) in enumerate(pairs):
        passages.append({"index": i, "start": i * 10, "end": i * 10 + 9, "countries": sorted([a, b]),
                         "scores": dict(scores), "labels": []})
        hostility = 1 - (1 - scores["coercion"]) * (1 - scores["human_rights"])
        out.append({"pair": sorted([a, b]), "scores": dict(scores), "labels": [],
                    "tension": round(max(-1.0, min(1.0, hostility - scores["alliance"])), 4), "evidence": [i],
                    "agents": agents[0] if agents else {}})
    return {"id": ident, "model": {"version": version, "sha256": "0" * 64}, "passages": passages,
            "countries": [], "organisations": [], "pairs": out}


def _scores(rng) -> dict:
    return {lab: round(rng.random(), 4) for lab in LABELS}


def synthetic(n: int = 90, seed: int = 7, start=dt.date(2025, 1, 1), days: int = 80):
    """``n`` articles over ``days`` days, each with one to three of four pairs; returns (articles, results)."""
    rng = random.Random(seed)
    pairs = [("CHN", "JPN"), ("RUS", "UKR"), ("JPN", "USA"), ("CHN", "USA")]
    arts, results = [], []
    for i in range(n):
        ident = f"a{i:04d}"
        day = start + dt.timedelta(days=rng.randrange(days))
        chosen = rng.sample(pairs, rng.randint(1, 3))
        arts.append({"id": ident, "text": f"text {i}", "published": day.isoformat(), "source": "test"})
        results.append(result(ident, [(a, b, _scores(rng), rng.choice(
            [{}, {"coercion": [a]}, {"coercion": sorted([a, b])}, {"human_rights": [b]}])) for a, b in chosen]))
    return arts, results


def rows_of(arts, results):
    """Flat (article id, date, pair, scores, tension, evidence) rows, as the test itself reads them."""
    out = []
    for art, res in zip(arts, results):
        for p in res["pairs"]:
            out.append({"id": art["id"], "date": dt.date.fromisoformat(art["published"]), "pair": tuple(p["pair"]),
                        "scores": p["scores"], "tension": p["tension"], "evidence": p["evidence"][0],
                        "agents": p.get("agents", {})})
    return out


def _problem(resp, status):
    assert resp.status_code == status, resp.get_data(as_text=True)
    assert resp.mimetype == PROBLEM
    body = resp.get_json(force=True)
    assert body["status"] == status and body["detail"]
    return body


def _count(st: Store, model) -> int:
    with st.engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(model)).scalar_one()


# ---- schema and migrations ---------------------------------------------------------------

def test_first_use_creates_and_migrates(db_url):
    engine = make_engine(store_config.database_url(db_url))
    try:
        assert current_revision(engine) is None
        st = open_store(db_url)
        assert current_revision(engine) == head_revision()
        st.close()
        open_store(db_url).close()  # a second open finds it up to date
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()


def test_migrations_match_the_models_and_downgrade(db_url):
    from alembic.autogenerate import compare_metadata
    from alembic.runtime.migration import MigrationContext

    engine = make_engine(store_config.database_url(db_url))
    try:
        migrate(engine)
        with engine.connect() as conn:
            diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), Base.metadata)
        assert diff == [], f"models and migrations disagree: {diff}"
        if engine.dialect.name == "postgresql":  # article ids in byte order (migration 0003)
            with engine.connect() as conn:
                got = set(conn.exec_driver_sql(
                    "SELECT table_name, column_name, collation_name FROM information_schema.columns "
                    "WHERE column_name IN ('id', 'article_id', 'best_article_id') AND table_schema = current_schema()"))
            assert got == {("articles", "id", "C"), ("passages", "article_id", "C"), ("pair_scores", "article_id", "C"),
                           ("pair_days", "best_article_id", "C")}
        downgrade(engine, "base")
        assert current_revision(engine) is None
        migrate(engine)
        assert current_revision(engine) == head_revision()
    finally:
        engine.dispose()


def test_concurrent_first_use_migrates_once(db_url):
    errors, stores = [], []

    def opener():
        try:
            stores.append(open_store(db_url))
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=opener) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not errors, errors
    assert len(stores) == 4 and current_revision(stores[0].engine) == head_revision()
    for st in stores:
        st.close()


def test_default_database_is_the_instance_folder_file(tmp_path, monkeypatch):
    monkeypatch.delenv("DATABASE_URL", raising=False)
    assert store_config.database_url(None, tmp_path) == f"sqlite:///{tmp_path / 'tension.sqlite3'}"
    assert store_config.database_url("postgres://u:pw@h/db") == "postgresql+psycopg://u:pw@h/db"
    assert store_config.redact("postgresql+psycopg://u:secret@h/db") == "postgresql+psycopg://u:***@h/db"
    with pytest.raises(store_config.StoreConfigError, match="DATABASE_URL"):
        store_config.database_url("mysql://h/db")
    with pytest.raises(store_config.StoreConfigError, match="TENSION_STORE"):
        store_config.enabled("maybe")
    assert store_config.enabled(None) is True and store_config.keep_text(None) is False


def test_unreachable_database_is_a_clear_error():
    with pytest.raises(StoreUnavailable, match="cannot use the database at .*127.0.0.1:1.*running"):
        open_store("postgresql://someone:secret@127.0.0.1:1/nothing")
    try:
        open_store("postgresql://someone:secret@127.0.0.1:1/nothing")
    except StoreUnavailable as exc:
        assert "secret" not in str(exc)


# ---- ingest ---------------------------------------------------------------------------------

def test_batch_ingest_and_idempotent_repost(store):
    arts, results = synthetic(n=12)
    out = store.ingest(arts, results)
    assert [o["id"] for o in out] == [a["id"] for a in arts] and {o["status"] for o in out} == {"created"}
    n_pairs = sum(len(r["pairs"]) for r in results)
    assert (_count(store, Article), _count(store, PairScore), _count(store, Passage)) == (12, n_pairs, n_pairs)

    # the same batch again: updated, nothing duplicated
    out = store.ingest(arts, results)
    assert {o["status"] for o in out} == {"updated"}
    assert (_count(store, Article), _count(store, PairScore), _count(store, Passage)) == (12, n_pairs, n_pairs)

    # a re-post with other content replaces the article's rows
    changed = result(arts[0]["id"], [("FRA", "DEU", {"alliance": 0.9, "coercion": 0.1, "human_rights": 0.0})])
    store.ingest([{**arts[0], "title": "new title"}], [changed])
    got = store.article(arts[0]["id"])
    assert got["title"] == "new title" and got["revision"] == 3
    assert [p["pair"] for p in got["pairs"]] == [["DEU", "FRA"]]
    assert _count(store, Article) == 12


def test_repeated_id_in_one_call_keeps_the_last(store):
    a = {"id": "x", "text": "t", "published": "2025-02-03"}
    r1 = result("x", [("CHN", "JPN", {"alliance": 0.1, "coercion": 0.2, "human_rights": 0.3})])
    r2 = result("x", [("RUS", "UKR", {"alliance": 0.1, "coercion": 0.9, "human_rights": 0.3})])
    out = store.ingest([a, a], [r1, r2])
    assert len(out) == 1 and out[0]["pairs"][0]["pair"] == ["RUS", "UKR"]
    assert _count(store, PairScore) == 1


def test_articles_without_a_date_use_their_first_ingest_date(store):
    r = result("nd", [("CHN", "JPN", {"alliance": 0.1, "coercion": 0.5, "human_rights": 0.1})])
    first = dt.datetime(2025, 1, 6, 12, tzinfo=dt.timezone.utc)
    out = store.ingest([{"id": "nd", "text": "t"}], [r], now=first)
    assert out[0]["published"] == "2025-01-06" and out[0]["published_given"] is False
    later = dt.datetime(2025, 2, 20, 9, tzinfo=dt.timezone.utc)
    out = store.ingest([{"id": "nd", "text": "t"}], [r], now=later)  # re-posted later, still no date
    assert out[0]["published"] == "2025-01-06"
    tl = store.timeline("CHN", "JPN", dt.date(2025, 1, 1), dt.date(2025, 3, 1), "month")
    assert [p["articles"] for p in tl["points"]] == [1, 0, 0]
    out = store.ingest([{"id": "nd", "text": "t", "published": "2025-02-27"}], [r], now=later)  # a date arrives
    assert out[0]["published"] == "2025-02-27" and out[0]["published_given"] is True
    tl = store.timeline("CHN", "JPN", dt.date(2025, 1, 1), dt.date(2025, 3, 1), "month")
    assert [p["articles"] for p in tl["points"]] == [0, 1, 0]


def test_text_is_kept_only_when_asked(db_url):
    arts, results = synthetic(n=2)
    st = open_store(db_url)
    st.ingest(arts, results)
    assert st.article(arts[0]["id"])["text_kept"] is False
    assert "text" not in st.article(arts[0]["id"])["passages"][0]
    st.close()
    st = open_store(db_url, keep_text=True)
    st.ingest(arts, results)
    got = st.article(arts[0]["id"])
    assert got["text_kept"] is True and got["passages"][0]["text"] == arts[0]["text"][0:9]
    st.close()


def test_concurrent_ingest_of_the_same_ids(store):
    arts, results = synthetic(n=3)
    errors = []

    def worker():
        try:
            for _ in range(8):
                store.ingest(arts, results)
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors
    assert _count(store, Article) == 3 and _count(store, PairScore) == sum(len(r["pairs"]) for r in results)
    assert {store.article(a["id"])["revision"] for a in arts} == {32}
    _assert_rollup_consistent(store)


def _assert_rollup_consistent(st: Store) -> None:
    """pair_days must equal the daily rollup of pair_scores, recomputed here in Python."""
    ps, pd = PairScore.__table__.c, PairDay.__table__.c
    with st.engine.connect() as conn:
        rows = conn.execute(select(ps.pair_a, ps.pair_b, ps.published, ps.article_id, ps.evidence, ps.strength,
                                   ps.tension, *[ps[lab] for lab in LABELS], *[ps[c] for c in AGENT_COLUMNS])).all()
        days = {(r.pair_a, r.pair_b, str(r.day)): r for r in conn.execute(select(PairDay.__table__))}
    groups = defaultdict(list)
    for r in rows:
        groups[(r.pair_a, r.pair_b, str(r.published))].append(r)
    assert set(days) == set(groups)
    for key, g in groups.items():
        d = days[key]
        assert d.n == len(g)
        assert d.sum_tension == pytest.approx(sum(r.tension for r in g))
        for lab in LABELS:
            assert getattr(d, "sum_" + lab) == pytest.approx(sum(getattr(r, lab) for r in g))
            assert getattr(d, "max_" + lab) == pytest.approx(max(getattr(r, lab) for r in g))
        for c in AGENT_COLUMNS:  # articles per day in which each member is an agent
            assert getattr(d, "sum_" + c) == sum(getattr(r, c) for r in g)
        best = min(g, key=lambda r: (-r.strength, r.article_id))
        assert (d.best_article_id, d.best_passage, d.best_strength) == (best.article_id, best.evidence, best.strength)
        assert str(d.week) == str(dt.date.fromisoformat(key[2]) - dt.timedelta(days=dt.date.fromisoformat(key[2])
                                                                                 .weekday()))


def test_daily_rollup_follows_every_change(store):
    arts, results = synthetic(n=60, days=10)  # many articles per day
    store.ingest(arts[:30], results[:30])
    store.ingest(arts[20:], results[20:])  # overlapping re-posts
    _assert_rollup_consistent(store)
    rng = random.Random(3)
    moved = [{**a, "published": "2025-06-0" + str(rng.randint(1, 3))} for a in arts[:15]]  # new dates
    other = [result(a["id"], [("IND", "PAK", _scores(rng))]) for a in arts[15:25]]  # other pairs
    store.ingest(moved + arts[15:25], results[:15] + other)
    _assert_rollup_consistent(store)
    gone = store.timeline("CHN", "JPN", dt.date(2025, 1, 1), dt.date(2025, 1, 10), "day")
    assert sum(p["articles"] for p in gone["points"]) == sum(
        1 for a, r in zip(arts[25:], results[25:]) for p in r["pairs"] if p["pair"] == ["CHN", "JPN"])


def test_migration_0002_fills_the_rollup_from_existing_rows(db_url):
    from sqlalchemy import insert

    engine = make_engine(store_config.database_url(db_url))
    try:
        migrate(engine, "0001")
        arts, results = synthetic(n=40, days=12)
        now = dt.datetime(2025, 1, 1, tzinfo=dt.timezone.utc)
        with engine.connect().execution_options(write=True) as conn, conn.begin():
            art_t = Article.__table__
            conn.execute(insert(art_t), [
                {"id": a["id"], "source": None, "url": None, "title": None,
                 "published": dt.date.fromisoformat(a["published"]), "published_given": True, "ingest_date": now.date(),
                 "first_seen": now, "updated_at": now, "revision": 1, "model_version": "v0", "model_sha256": "",
                 "n_passages": 0, "text": None} for a in arts])
            conn.execute(insert(PairScore.__table__), [
                {"article_id": r["id"], "pair_a": r["pair"][0], "pair_b": r["pair"][1], "published": r["date"],
                 "week": r["date"] - dt.timedelta(days=r["date"].weekday()), "month": r["date"].replace(day=1),
                 **r["scores"], "tension": r["tension"], "strength": max(r["scores"].values()),
                 "evidence": r["evidence"], "n_passages": 1} for r in rows_of(arts, results)])
        migrate(engine)
        st = Store(engine)
        _assert_rollup_consistent(st)
        assert store_pairs_total(st) == len({r["pair"] for r in rows_of(arts, results)})
    finally:
        engine.dispose()


def store_pairs_total(st: Store) -> int:
    return st.pairs()["total"]


# ---- timeline -----------------------------------------------------------------------------

def _expected_points(rows, pair, start, end, interval):
    def bucket(d: dt.date) -> dt.date:
        if interval == "day":
            return d
        if interval == "week":
            y, w, _ = d.isocalendar()
            return dt.date.fromisocalendar(y, w, 1)
        return dt.date(d.year, d.month, 1)

    groups = defaultdict(list)
    for r in rows:
        if r["pair"] == pair and start <= r["date"] <= end:
            groups[bucket(r["date"])].append(r)
    return {b.isoformat(): g for b, g in groups.items()}


@pytest.mark.parametrize("interval", ["day", "week", "month"])
def test_timeline_aggregates(store, interval):
    arts, results = synthetic()
    store.ingest(arts, results)
    _assert_rollup_consistent(store)
    rows = rows_of(arts, results)
    start, end = dt.date(2025, 1, 8), dt.date(2025, 3, 12)  # starts mid-week, mid-month
    tl = store.timeline("JPN", "CHN", start, end, interval)  # either order
    assert tl["pair"] == ["CHN", "JPN"] and tl["interval"] == interval
    expected = _expected_points(rows, ("CHN", "JPN"), start, end, interval)
    points = {p["start"]: p for p in tl["points"]}
    assert len(points) == len(tl["points"]) == tl["total"]
    n_expected = {"day": (end - start).days + 1, "week": 10, "month": 3}[interval]
    assert tl["total"] == n_expected
    assert sorted(points) == [p["start"] for p in tl["points"]]  # in date order
    assert set(expected) <= set(points)
    for start_day, point in points.items():
        group = expected.get(start_day, [])
        assert point["articles"] == len(group)
        if not group:
            assert point["evidence"] is None and point["tension_mean"] is None
            assert point["mean"] == {lab: None for lab in LABELS}
            continue
        for lab in LABELS:
            assert point["mean"][lab] == pytest.approx(mean(r["scores"][lab] for r in group), abs=1e-4)
            assert point["max"][lab] == pytest.approx(max(r["scores"][lab] for r in group), abs=1e-4)
        assert point["tension_mean"] == pytest.approx(mean(r["tension"] for r in group), abs=1e-4)
        best = min(group, key=lambda r: (-max(r["scores"].values()), r["id"]))
        assert point["evidence"] == {"article_id": best["id"], "passage": best["evidence"]}
        for lab in ("coercion", "human_rights"):  # who does what to whom: articles per agent
            assert point["agents"][lab] == {code: sum(code in r["agents"].get(lab, []) for r in group)
                                            for code in ("CHN", "JPN")}
    assert sum(p["articles"] for p in tl["points"]) == sum(len(g) for g in expected.values()) > 0
    article = store.article(rows[0]["id"])
    pair = next(p for p in article["pairs"] if tuple(p["pair"]) == rows[0]["pair"])
    assert pair["agents"] == {k: v for k, v in rows[0]["agents"].items() if v}


def test_timeline_pagination_defaults_and_ties(store):
    arts, results = synthetic()
    store.ingest(arts, results)
    full = store.timeline("CHN", "JPN", dt.date(2025, 1, 1), dt.date(2025, 3, 31), "day")
    pages = [store.timeline("CHN", "JPN", dt.date(2025, 1, 1), dt.date(2025, 3, 31), "day", limit=30, offset=o)
             for o in (0, 30, 60, 90)]
    assert [p["total"] for p in pages] == [90] * 4
    assert sum((p["points"] for p in pages), []) == full["points"]
    assert pages[-1]["points"] == []
    # open bounds: from the pair's first to its last stored article
    rows = [r for r in rows_of(arts, results) if r["pair"] == ("CHN", "JPN")]
    auto = store.timeline("CHN", "JPN", interval="day")
    assert (auto["from"], auto["to"]) == (min(r["date"] for r in rows).isoformat(), max(r["date"] for r in rows).isoformat())
    assert store.timeline("FRA", "DEU")["points"] == []
    # equal strength in one interval: the smallest article id, in byte order ("Zed" < "apple"), is the evidence
    same = {"alliance": 0.2, "coercion": 0.99, "human_rights": 0.1}
    ids = ["apple", "zz", "Zed"]
    store.ingest([{"id": i, "text": "t", "published": f"2030-01-0{2 + k}"} for k, i in enumerate(ids)],
                 [result(i, [("CHN", "JPN", same)]) for i in ids])
    week = store.timeline("CHN", "JPN", dt.date(2030, 1, 1), dt.date(2030, 1, 5), "week")
    assert week["points"][0]["evidence"] == {"article_id": "Zed", "passage": 0}
    store.ingest([{"id": "Zed", "text": "t", "published": "2030-01-04"}], [result("Zed", [("CHN", "JPN", same)])])
    week = store.timeline("CHN", "JPN", dt.date(2030, 1, 1), dt.date(2030, 1, 5), "week")  # after a recompute
    assert week["points"][0]["evidence"] == {"article_id": "Zed", "passage": 0}
    _assert_rollup_consistent(store)


# ---- rankings -----------------------------------------------------------------------------

def _expected_ranking(rows, start=None, end=None, country=None):
    groups = defaultdict(list)
    for r in rows:
        if (start is None or r["date"] >= start) and (end is None or r["date"] <= end):
            if country is None or country in r["pair"]:
                groups[r["pair"]].append(r)
    return groups


def test_pairs_ranking_sorting_and_pagination(store):
    arts, results = synthetic()
    store.ingest(arts, results)
    rows = rows_of(arts, results)
    start, end = dt.date(2025, 1, 15), dt.date(2025, 2, 28)
    groups = _expected_ranking(rows, start, end)
    page = store.pairs(start, end)
    assert page["total"] == len(groups)
    by_tension = sorted(groups, key=lambda p: -mean(r["tension"] for r in groups[p]))
    assert [tuple(p["pair"]) for p in page["pairs"]] == by_tension
    for item in page["pairs"]:
        g = groups[tuple(item["pair"])]
        assert item["articles"] == len(g)
        assert item["tension_mean"] == pytest.approx(mean(r["tension"] for r in g), abs=1e-4)
        for lab in LABELS:
            assert item["max"][lab] == pytest.approx(max(r["scores"][lab] for r in g), abs=1e-4)
            assert item["mean"][lab] == pytest.approx(mean(r["scores"][lab] for r in g), abs=1e-4)
    # most cooperative first, by a label, by count
    asc = store.pairs(start, end, order="asc")
    assert [p["pair"] for p in asc["pairs"]] == [p["pair"] for p in reversed(page["pairs"])]
    coer = store.pairs(start, end, sort="coercion")
    assert [tuple(p["pair"]) for p in coer["pairs"]] == sorted(groups, key=lambda p: -mean(r["scores"]["coercion"]
                                                                                          for r in groups[p]))
    counts = [p["articles"] for p in store.pairs(start, end, sort="articles")["pairs"]]
    assert counts == sorted(counts, reverse=True)
    # pagination
    pages = [store.pairs(start, end, limit=1, offset=o) for o in range(len(groups) + 1)]
    assert [p["pairs"][0]["pair"] for p in pages[:-1]] == [p["pair"] for p in page["pairs"]]
    assert pages[-1]["pairs"] == [] and pages[-1]["total"] == len(groups)
    # min_articles and the whole store
    few = min(len(g) for g in groups.values())
    assert store.pairs(start, end, min_articles=few + 1)["total"] == sum(1 for g in groups.values() if len(g) > few)
    assert store.pairs()["total"] == len(_expected_ranking(rows))


def test_partners(store):
    arts, results = synthetic()
    store.ingest(arts, results)
    rows = rows_of(arts, results)
    groups = _expected_ranking(rows, country="JPN")
    page = store.partners("JPN")
    assert page["country"] == "JPN" and page["total"] == len(groups) == 2
    assert [tuple(p["pair"]) for p in page["pairs"]] == sorted(groups, key=lambda p: -mean(r["tension"]
                                                                                           for r in groups[p]))
    for item in page["pairs"]:
        assert "JPN" in item["pair"] and item["partner"] in item["pair"] and item["partner"] != "JPN"
        assert item["articles"] == len(groups[tuple(item["pair"])])
    assert store.partners("FRA")["pairs"] == [] and store.partners("FRA")["total"] == 0


# ---- rescoring ----------------------------------------------------------------------------

TEXTS = ["Japan and Australia signed a defence pact.", "Russia shelled Ukrainian cities.",
         "China's coast guard rammed a Philippine boat near Japan.", "Ukraine and Poland held talks in Warsaw.",
         "Iran detained two journalists.", "North Korea fired missiles toward Japan, South Korea said."]


def _old_articles(n: int):
    arts = [{"id": f"r{i:03d}", "text": TEXTS[i % len(TEXTS)], "published": f"2025-03-{1 + i % 28:02d}"}
            for i in range(n)]
    olds = [result(a["id"], [("CHN", "USA", {"alliance": 0.5, "coercion": 0.5, "human_rights": 0.5})], version="old")
            for a in arts]
    return arts, olds


def test_rescore_is_resumable_after_a_crash(db_url, scorer):
    st = open_store(db_url, keep_text=True)
    arts, olds = _old_articles(23)
    st.ingest(arts, olds)
    current = scorer.model.version
    assert st.stats()["by_model_version"] == {"old": 23}

    class Crash(RuntimeError):
        pass

    def crash_after_two(summary):
        if summary["batches"] == 2:
            raise Crash()

    with pytest.raises(Crash):
        rescore(st, scorer, batch_size=5, on_batch=crash_after_two)
    assert st.stats()["by_model_version"] == {"old": 13, current: 10}  # two whole batches, in id order
    with st.engine.connect() as conn:
        done = conn.execute(select(Article.id).where(Article.model_version == current).order_by(Article.id)).scalars()
        assert list(done) == [a["id"] for a in arts[:10]]

    summary = rescore(st, scorer, batch_size=5)
    assert (summary["rescored"], summary["remaining"], summary["stale_before"]) == (13, 0, 13)
    assert st.stats()["by_model_version"] == {current: 23}
    expected = scorer.score_batch([{**a, "explain": False} for a in arts], explain=False)
    assert _count(st, Article) == 23
    assert _count(st, PairScore) == sum(len(r["pairs"]) for r in expected)
    assert _count(st, Passage) == sum(len(r["passages"]) for r in expected)
    for art, res in zip(arts, expected):
        got = st.article(art["id"])
        assert got["published"] == art["published"] and got["revision"] == 2
        assert sorted((p["pair"], p["tension"]) for p in got["pairs"]) == sorted((p["pair"], p["tension"])
                                                                                  for p in res["pairs"])
    assert rescore(st, scorer, batch_size=5)["rescored"] == 0  # nothing left to do
    _assert_rollup_consistent(st)
    st.close()


def test_rescore_without_stored_text_needs_the_input(db_url, scorer, tmp_path, capsys):
    from tension_cli.store import main

    st = open_store(db_url)
    arts, olds = _old_articles(7)
    st.ingest(arts, olds)
    assert main(["--database-url", db_url, "rescore", "--quiet"]) == 1
    assert "stored without their text" in capsys.readouterr().err
    src = tmp_path / "in.jsonl"
    src.write_text("".join(json.dumps(a) + "\n" for a in arts[:4]) + "{bad json\n")
    summary = rescore(st, scorer, batch_size=3, input_lines=src.read_text().splitlines())
    assert (summary["rescored"], summary["remaining"], summary["bad_lines"]) == (4, 3, 1)
    src.write_text("".join(json.dumps(a) + "\n" for a in arts) + json.dumps({"id": "never", "text": "x"}) + "\n")
    assert main(["--database-url", db_url, "rescore", "--quiet", "--input", str(src), "--batch-size", "2"]) == 0
    out = json.loads(capsys.readouterr().out)
    assert (out["rescored"], out["remaining"], out["not_stored"]) == (3, 0, 1)
    assert st.stats()["by_model_version"] == {scorer.model.version: 7}
    st.close()


def test_model_version_is_kept_per_article(store, scorer):
    arts, olds = _old_articles(3)
    store.ingest(arts, olds)
    fresh = [{"id": "new1", "text": TEXTS[0], "published": "2025-03-02"}]
    store.score_and_ingest(scorer, fresh)
    assert store.stats()["by_model_version"] == {"old": 3, scorer.model.version: 1}
    assert store.article("r000")["model"]["version"] == "old"
    assert store.article("new1")["model"] == scorer.model_info


# ---- CLI backfill -------------------------------------------------------------------------

def test_cli_store_backfill(db_url, monkeypatch, tmp_path, capsys, scorer):
    from tension_cli.main import main

    monkeypatch.setenv("DATABASE_URL", db_url)
    src = tmp_path / "in.jsonl"
    lines = [{"id": f"c{i}", "text": TEXTS[i % len(TEXTS)], "published": "2025-04-0" + str(1 + i % 9),
              "source": "VOA", "url": f"https://example.org/{i}"} for i in range(9)]
    src.write_text("".join(json.dumps(l) + "\n" for l in lines))
    assert main(["score", "--input", str(src), "--store", "--batch-size", "4", "--quiet"]) == 0
    assert capsys.readouterr().out == ""  # no --output: nothing on stdout
    st = open_store(db_url)
    assert st.stats()["articles"] == 9 and st.article("c3")["url"] == "https://example.org/3"
    pair_rows = st.stats()["pair_rows"]
    expected = scorer.score_batch([{"text": l["text"], "published": l["published"]} for l in lines], explain=False)
    assert pair_rows == sum(len(r["pairs"]) for r in expected)
    # again, plus a line without an id: the others are updated, not duplicated; exit status 1
    src.write_text(src.read_text() + json.dumps({"text": "Japan and China talked."}) + "\n")
    out = tmp_path / "out.jsonl"
    assert main(["score", "--input", str(src), "--store", "--output", str(out)]) == 1
    assert "id" in capsys.readouterr().err
    assert len(out.read_text().splitlines()) == 10
    assert st.stats()["articles"] == 9 and st.stats()["pair_rows"] == pair_rows
    assert st.article("c0")["revision"] == 2
    st.close()
    assert main(["score", "some text", "--store"]) == 2


# ---- HTTP API -----------------------------------------------------------------------------

def test_api_ingest_matches_the_scorer_and_is_idempotent(client, scorer, defence_article):
    body = {"id": "d1", "text": defence_article, "published": "2025-03-11", "source": "test", "url": "https://x/1"}
    resp = client.post("/v1/articles", json=body)
    assert resp.status_code == 200, resp.get_data(as_text=True)
    out = resp.get_json()
    assert (out["created"], out["updated"]) == (1, 0) and out["articles"][0]["status"] == "created"
    expected = scorer.score(defence_article, id="d1", published="2025-03-11", explain=False)
    assert out["articles"][0]["pairs"] == [{"pair": p["pair"], "tension": p["tension"]} for p in expected["pairs"]]
    stored = client.get("/v1/articles/d1").get_json()
    assert stored["model"] == expected["model"] and stored["published"] == "2025-03-11"
    assert len(stored["passages"]) == len(expected["passages"])
    for got, exp in zip(stored["passages"], expected["passages"]):
        assert (got["start"], got["end"], got["countries"], got["scores"]) == (exp["start"], exp["end"],
                                                                              exp["countries"], exp["scores"])
    assert sorted((p["pair"], p["scores"], p["tension"], p["evidence"]) for p in stored["pairs"]) == \
        sorted((p["pair"], p["scores"], p["tension"], p["evidence"][0]) for p in expected["pairs"])

    again = client.post("/v1/articles", json=body).get_json()
    assert (again["created"], again["updated"]) == (0, 1)
    assert client.get("/v1/articles/d1").get_json()["revision"] == 2
    pair = expected["pairs"][0]["pair"]
    tl = client.get(f"/v1/pairs/{pair[1]}-{pair[0]}/timeline?from=2025-03-01&to=2025-03-31&interval=month").get_json()
    assert tl["pair"] == pair and tl["points"][0]["articles"] == 1  # re-posted, counted once
    assert tl["points"][0]["evidence"]["article_id"] == "d1"


def test_api_batch_ingest_and_queries(client):
    arts = [{"id": f"b{i}", "text": TEXTS[i % len(TEXTS)], "published": f"2025-05-{10 + i:02d}"} for i in range(6)]
    resp = client.post("/v1/articles", json={"articles": arts})
    assert resp.status_code == 200
    body = resp.get_json()
    assert [a["id"] for a in body["articles"]] == [a["id"] for a in arts] and body["created"] == 6
    pairs = client.get("/v1/pairs?from=2025-05-01&to=2025-05-31&limit=2").get_json()
    assert len(pairs["pairs"]) == 2 and pairs["total"] >= 2
    assert set(pairs["pairs"][0]) >= {"pair", "articles", "tension_mean", "max"}
    rest = client.get(f"/v1/pairs?from=2025-05-01&to=2025-05-31&limit=2&offset=2").get_json()
    assert rest["total"] == pairs["total"] and not {tuple(p["pair"]) for p in rest["pairs"]} & \
        {tuple(p["pair"]) for p in pairs["pairs"]}
    code = pairs["pairs"][0]["pair"][0]
    partners = client.get(f"/v1/countries/{code}/partners?from=2025-05-01").get_json()
    assert partners["total"] >= 1 and all(code in p["pair"] for p in partners["pairs"])
    tl = client.get("/v1/pairs/JPN-CHN/timeline?from=2025-05-01&to=2025-05-31&interval=week").get_json()
    assert tl["pair"] == ["CHN", "JPN"] and tl["interval"] == "week"
    assert set(tl["points"][0]) >= {"start", "articles", "mean", "max", "tension_mean", "evidence"}
    assert client.get("/v1/articles/nothing-here").status_code == 404


@pytest.mark.parametrize("url,field", [
    ("/v1/pairs/chn-JPN/timeline", "pair"),
    ("/v1/pairs/CHN-CHN/timeline", "pair"),
    ("/v1/pairs/CHNJPN/timeline", "pair"),
    ("/v1/pairs/CHN-JPN-USA/timeline", "pair"),
    ("/v1/pairs/CHN-JPN/timeline?interval=year", "interval"),
    ("/v1/pairs/CHN-JPN/timeline?from=2025-13-01", "from"),
    ("/v1/pairs/CHN-JPN/timeline?from=2025-03-01&to=2025-02-01", "from"),
    ("/v1/pairs/CHN-JPN/timeline?limit=0", "limit"),
    ("/v1/pairs/CHN-JPN/timeline?limit=100000", "limit"),
    ("/v1/pairs/CHN-JPN/timeline?offset=-1", "offset"),
    ("/v1/pairs/CHN-JPN/timeline?frm=2025-01-01", "frm"),
    ("/v1/pairs/CHN-JPN/timeline?interval=day&interval=week", "interval"),
    ("/v1/pairs?sort=fear", "sort"),
    ("/v1/pairs?order=up", "order"),
    ("/v1/pairs?limit=abc", "limit"),
    ("/v1/pairs?limit=501", "limit"),
    ("/v1/pairs?min_articles=0", "min_articles"),
    ("/v1/pairs?to=yesterday", "to"),
    ("/v1/countries/jpn/partners", "country"),
    ("/v1/countries/JPNX/partners", "country"),
    ("/v1/countries/JPN/partners?sort=nope", "sort"),
])
def test_query_validation(client, url, field):
    body = _problem(client.get(url), 422)
    assert field in body["errors"], body


def test_timeline_lists_every_bad_parameter_at_once(client):
    body = _problem(client.get("/v1/pairs/chn-x/timeline?interval=year&limit=0"), 422)
    assert {"pair", "interval", "limit"} <= set(body["errors"])


@pytest.mark.parametrize("body,status,field", [
    ({"text": "Japan."}, 422, "id"),
    ({"id": "", "text": "Japan."}, 422, "id"),
    ({"id": "   ", "text": "Japan."}, 422, "id"),
    ({"id": "a"}, 422, "text"),
    ({"id": "a", "text": "  "}, 422, "text"),
    ({"id": "a", "text": "Japan.", "published": "13/01/2025"}, 422, "published"),
    ({"id": "a", "text": "Japan.", "colour": "red"}, 422, "colour"),
    ({"id": "a" * 201, "text": "Japan."}, 422, "id"),
    ({"articles": [{"id": "a", "text": "x"}, {"id": "a", "text": "y"}]}, 422, "articles"),
    ({"articles": []}, 422, "articles"),
    ({"articles": "nope"}, 422, "articles"),
    ([1, 2], 422, None),
    ({"articles": [{"id": str(i), "text": "x"} for i in range(MAX_BATCH + 1)]}, 413, None),
    ({"id": "a", "text": "x" * 200_001}, 413, None),
])
def test_ingest_validation(client, body, status, field):
    problem = _problem(client.post("/v1/articles", json=body), status)
    if field:
        assert field in json.dumps(problem["errors"])


def test_ingest_needs_json(client):
    _problem(client.post("/v1/articles", data="{nope", content_type="application/json"), 400)
    _problem(client.post("/v1/articles", data="id=1", content_type="application/x-www-form-urlencoded"), 415)


def test_store_off_answers_404_and_opens_nothing(make_app, db_url):
    app = make_app(TENSION_STORE="off")
    c = app.test_client()
    for method, url in [("get", "/v1/pairs"), ("get", "/v1/pairs/CHN-JPN/timeline"),
                        ("get", "/v1/countries/JPN/partners"), ("get", "/v1/articles/x"),
                        ("post", "/v1/articles"), ("get", "/v1/pairs/chn-x/timeline?interval=year"),
                        ("get", "/v1/pairs?limit=0")]:
        resp = getattr(c, method)(url, json={"id": "x", "text": "Japan."} if method == "post" else None)
        body = _problem(resp, 404)
        assert "TENSION_STORE=on" in body["detail"]
    assert app.extensions["tension.store"]._store is None
    if db_url.startswith("sqlite"):
        assert not os.path.exists(make_url(db_url).database)
    assert c.post("/v1/score", json={"text": "Japan and China."}).status_code == 200  # stateless scoring unaffected


def test_store_opens_lazily_on_first_use(make_app, db_url):
    app = make_app()
    if db_url.startswith("sqlite"):
        assert not os.path.exists(make_url(db_url).database)
    assert app.test_client().get("/v1/pairs").get_json() == {
        "pairs": [], "total": 0, "from": None, "to": None, "sort": "tension", "order": "desc", "limit": 50,
        "offset": 0}
    if db_url.startswith("sqlite"):
        assert os.path.exists(make_url(db_url).database)


def test_unreachable_database_is_a_503_without_details(make_app):
    app = make_app(DATABASE_URL="postgresql://someone:secret@127.0.0.1:1/nothing")
    resp = app.test_client().get("/v1/pairs")
    body = _problem(resp, 503)
    assert "secret" not in body["detail"] and "127.0.0.1" not in body["detail"]
    assert resp.headers["Retry-After"]


def test_bad_store_setting_fails_at_start(db_url):
    from app import create_app

    with pytest.raises(RuntimeError, match="TENSION_STORE"):
        create_app({"LOG_LEVEL": "WARNING", "TENSION_STORE": "perhaps"})


def test_api_keys_cover_the_store(make_app):
    c = make_app(API_KEYS=["k1"]).test_client()
    _problem(c.get("/v1/pairs"), 401)
    _problem(c.post("/v1/articles", json={"id": "a", "text": "Japan."}), 401)
    assert c.get("/v1/pairs", headers={"X-API-Key": "k1"}).status_code == 200


def test_openapi_documents_the_store(client):
    spec = client.get("/openapi.json").get_json()
    paths = spec["paths"]
    assert {"/v1/articles", "/v1/articles/{id}", "/v1/pairs/{A}-{B}/timeline", "/v1/pairs",
            "/v1/countries/{A}/partners"} <= set(paths)
    names = {p["name"] for p in paths["/v1/pairs/{A}-{B}/timeline"]["get"]["parameters"]}
    assert {"A", "B", "from", "to", "interval", "limit", "offset"} <= names
    names = {p["name"] for p in paths["/v1/pairs"]["get"]["parameters"]}
    assert {"from", "to", "sort", "order", "limit", "offset"} <= names
    assert {"Timeline", "PairsPage", "IngestResult", "StoreArticle"} <= set(spec["components"]["schemas"])
    assert "404" in paths["/v1/pairs"]["get"]["responses"]
