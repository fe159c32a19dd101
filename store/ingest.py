"""Turn scorer results into rows and upsert them, one transaction per call.

Per article: one ``articles`` row (inserted, or updated when the id is stored already:
``revision`` goes up, ``first_seen`` and ``ingest_date`` stay), its ``passages`` and its
``pair_scores`` (the old ones are deleted first, so a re-post never duplicates). Passage and
pair rows go in with ``COPY`` on PostgreSQL and one driver-level executemany on SQLite.

Publication date: the article's ``published`` when given, else the date the article was
first stored (``ingest_date``), which a later re-post without a date keeps.

Rollup (``pair_days``), in the same transaction: the (pair, day) rows that re-posted
articles leave are recomputed from the ``pair_scores`` rows that remain (a maximum cannot be
taken back, so they are recomputed rather than decremented); the new rows are then added
incrementally (count and sums added, maxima and strongest evidence compared), one upsert per
batch, which keeps backfills of new articles cheap. Writers take turns so that no
recomputation misses another's rows: SQLite through ``BEGIN IMMEDIATE``, PostgreSQL through
a transaction-level advisory lock taken first. Scoring happens before, outside the
transaction, so only the (fast) writing is serialised.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import case, delete, func, insert, select, text, tuple_
from sqlalchemy.engine import Connection

from scoring.labels import AGENT_LABELS, LABELS
from scoring.scorer import parse_date

from .models import MAX_ID, MAX_SOURCE, MAX_TITLE, MAX_URL, Article, PairDay, PairScore, Passage

_CHUNK = 500  # ids per DELETE ... IN (...)
_KEYS = 300  # (pair_a, pair_b, day) keys per rollup statement
AGENT_COLUMNS = tuple(f"{lab}_by_{side}" for lab in AGENT_LABELS for side in "ab")  # pair_scores; pair_days: sum_*
_PG_INGEST_LOCK = 0x7E5511  # advisory lock id held by each ingest transaction
_PS = PairScore.__table__
_PD = PairDay.__table__


def week_start(day: dt.date) -> dt.date:
    return day - dt.timedelta(days=day.weekday())


def month_start(day: dt.date) -> dt.date:
    return day.replace(day=1)


def _upsert(conn: Connection):
    """INSERT ... ON CONFLICT (id) DO UPDATE ... RETURNING id, published, revision, for this backend."""
    if conn.dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert as dialect_insert
    else:
        from sqlalchemy.dialects.sqlite import insert as dialect_insert
    stmt = dialect_insert(Article)
    ex = stmt.excluded
    keep = ("source", "url", "title", "published_given", "updated_at", "model_version", "model_sha256",
            "n_passages", "text")
    updates = {name: getattr(ex, name) for name in keep}
    updates["published"] = case((ex.published_given, ex.published), else_=Article.ingest_date)
    updates["revision"] = Article.revision + 1
    return stmt.on_conflict_do_update(index_elements=[Article.id], set_=updates).returning(
        Article.id, Article.published, Article.revision)


def _check(art: dict, result: dict, i: int) -> str:
    ident = art.get("id")
    if not isinstance(ident, str) or not ident.strip():
        raise ValueError(f"article {i} has no id: the store needs one to update the article when it is posted again")
    if len(ident) > MAX_ID:
        raise ValueError(f"article {i}: id is over {MAX_ID} characters")
    for key, limit in (("source", MAX_SOURCE), ("url", MAX_URL), ("title", MAX_TITLE)):
        value = art.get(key)
        if value is not None and (not isinstance(value, str) or len(value) > limit):
            raise ValueError(f"article {i}: {key} must be a string of at most {limit} characters")
    if result.get("id") not in (None, ident):
        raise ValueError(f"result {i} is for article {result.get('id')!r}, not {ident!r}: pass results in input order")
    return ident


def ingest(conn: Connection, articles: list[dict], results: list[dict], keep_text: bool = False,
           now: dt.datetime | None = None) -> list[dict]:
    if len(articles) != len(results):
        raise ValueError(f"{len(articles)} articles but {len(results)} results")
    latest: dict[str, tuple[dict, dict]] = {}
    for i, (art, res) in enumerate(zip(articles, results)):
        ident = _check(art, res, i)
        latest.pop(ident, None)  # a repeated id: the last occurrence wins, in its position
        latest[ident] = (art, res)
    if not latest:
        return []
    now = now or dt.datetime.now(dt.timezone.utc)
    today = now.date()
    if conn.dialect.name == "postgresql":
        conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_INGEST_LOCK})

    rows = []
    for ident, (art, res) in sorted(latest.items()):
        given = parse_date(art.get("published"))
        model = res.get("model") or {}
        rows.append({
            "id": ident, "source": art.get("source"), "url": art.get("url"), "title": art.get("title"),
            "published": given or today, "published_given": given is not None, "ingest_date": today,
            "first_seen": now, "updated_at": now, "revision": 1,
            "model_version": str(model.get("version", "unknown")), "model_sha256": str(model.get("sha256", "")),
            "n_passages": len(res.get("passages", [])), "text": art.get("text") if keep_text else None,
        })
    returned = {r.id: r for r in conn.execute(_upsert(conn), rows)}

    ids = list(latest)
    left: set[tuple[str, str, dt.date]] = set()  # (pair, day) keys of the rows replaced
    for k in range(0, len(ids), _CHUNK):
        chunk = ids[k:k + _CHUNK]
        for a, b, day in conn.execute(select(_PS.c.pair_a, _PS.c.pair_b, _PS.c.published)
                                      .where(_PS.c.article_id.in_(chunk)).distinct()):
            left.add((a, b, day if isinstance(day, dt.date) else dt.date.fromisoformat(day)))
        conn.execute(delete(Passage).where(Passage.article_id.in_(chunk)))
        conn.execute(delete(PairScore).where(PairScore.article_id.in_(chunk)))
    if left:
        refresh_days(conn, sorted(left))

    passage_rows, pair_rows, out = [], [], []
    for ident, (art, res) in latest.items():
        published = returned[ident].published
        if isinstance(published, str):  # SQLite RETURNING of a CASE expression comes back untyped
            published = dt.date.fromisoformat(published)
        for p in res.get("passages", []):
            passage_rows.append({
                "article_id": ident, "idx": p["index"], "start_char": p["start"], "end_char": p["end"],
                "countries": " ".join(p.get("countries", [])), **{lab: float(p["scores"][lab]) for lab in LABELS},
            })
        summary = []
        for pr in res.get("pairs", []):
            a, b = sorted(pr["pair"])
            if len(a) != 3 or len(b) != 3:
                raise ValueError(f"article {ident!r}: pair {pr['pair']} is not two 3-letter country codes")
            scores = {lab: float(pr["scores"][lab]) for lab in LABELS}
            evidence = pr.get("evidence") or [0]
            agents = pr.get("agents") or {}
            pair_rows.append({
                "article_id": ident, "pair_a": a, "pair_b": b, "published": published,
                "week": week_start(published), "month": month_start(published), **scores,
                "tension": float(pr["tension"]), "strength": max(scores.values()),
                "evidence": int(evidence[0]), "n_passages": len(evidence),
                **{f"{lab}_by_{side}": int(code in agents.get(lab, ()))
                   for lab in AGENT_LABELS for side, code in (("a", a), ("b", b))},
            })
            summary.append({"pair": [a, b], "tension": pr["tension"]})
        model = res.get("model") or {}
        out.append({"id": ident, "status": "created" if returned[ident].revision == 1 else "updated",
                    "published": published.isoformat(), "published_given": parse_date(art.get("published")) is not None,
                    "model_version": str(model.get("version", "unknown")), "pairs": summary})
    bulk_insert(conn, Passage.__table__, passage_rows)
    bulk_insert(conn, _PS, pair_rows)
    if pair_rows:
        add_to_days(conn, pair_rows)
    return out


def bulk_insert(conn: Connection, table, rows: list[dict]) -> None:
    """Insert many rows fast: COPY on PostgreSQL, the driver's executemany on SQLite."""
    if not rows:
        return
    cols = list(rows[0])
    if conn.dialect.name == "postgresql":
        cursor = conn.connection.driver_connection.cursor()
        with cursor.copy(f"COPY {table.name} ({', '.join(cols)}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([row[c] for c in cols])
        return
    if conn.dialect.name == "sqlite":
        dates = [c for c in cols if isinstance(rows[0][c], dt.date)]
        values = [tuple(row[c].isoformat() if c in dates else row[c] for c in cols) for row in rows]
        conn.exec_driver_sql(f"INSERT INTO {table.name} ({', '.join(cols)}) VALUES ({', '.join('?' * len(cols))})",
                             values)
        return
    conn.execute(insert(table), rows)


def add_to_days(conn: Connection, pair_rows: list[dict]) -> None:
    """Fold new ``pair_scores`` rows into ``pair_days``: one upsert of their per-(pair, day) aggregates."""
    days: dict[tuple, dict] = {}
    for r in pair_rows:
        key = (r["pair_a"], r["pair_b"], r["published"])
        d = days.get(key)
        if d is None:
            days[key] = {"pair_a": key[0], "pair_b": key[1], "day": key[2], "week": r["week"], "month": r["month"],
                         "n": 1, **{"sum_" + lab: r[lab] for lab in LABELS}, "sum_tension": r["tension"],
                         **{"max_" + lab: r[lab] for lab in LABELS}, "best_strength": r["strength"],
                         "best_article_id": r["article_id"], "best_passage": r["evidence"],
                         **{"sum_" + c: r[c] for c in AGENT_COLUMNS}}
            continue
        d["n"] += 1
        for c in AGENT_COLUMNS:
            d["sum_" + c] += r[c]
        d["sum_tension"] += r["tension"]
        for lab in LABELS:
            d["sum_" + lab] += r[lab]
            d["max_" + lab] = max(d["max_" + lab], r[lab])
        if (-r["strength"], r["article_id"]) < (-d["best_strength"], d["best_article_id"]):
            d["best_strength"], d["best_article_id"], d["best_passage"] = r["strength"], r["article_id"], r["evidence"]
    pg = conn.dialect.name == "postgresql"
    rows = list(days.values())
    cols = list(rows[0])
    keep = (_PD.c.pair_a.name, _PD.c.pair_b.name, _PD.c.day.name)
    bigger = "greatest" if pg else "max"  # SQLite's two-argument max() is the scalar maximum
    new_wins = ("(excluded.best_strength > pair_days.best_strength OR (excluded.best_strength = "
                "pair_days.best_strength AND excluded.best_article_id < pair_days.best_article_id))")
    sets = []
    for c in cols:
        if c in keep or c in ("week", "month"):
            continue
        if c == "n" or c.startswith("sum_"):
            sets.append(f"{c} = pair_days.{c} + excluded.{c}")
        elif c.startswith("max_"):
            sets.append(f"{c} = {bigger}(pair_days.{c}, excluded.{c})")
        else:  # best_strength, best_article_id, best_passage
            sets.append(f"{c} = CASE WHEN {new_wins} THEN excluded.{c} ELSE pair_days.{c} END")
    mark = "%s" if pg else "?"
    sql = (f"INSERT INTO pair_days ({', '.join(cols)}) VALUES ({', '.join([mark] * len(cols))}) "
           f"ON CONFLICT ({', '.join(keep)}) DO UPDATE SET {', '.join(sets)}")
    if pg:
        values = [tuple(r[c] for c in cols) for r in rows]
    else:
        values = [tuple(r[c].isoformat() if isinstance(r[c], dt.date) else r[c] for c in cols) for r in rows]
    conn.exec_driver_sql(sql, values)


def refresh_days(conn: Connection, keys: list[tuple[str, str, dt.date]]) -> None:
    """Recompute the ``pair_days`` rows of ``keys`` (pair_a, pair_b, day) from ``pair_scores``."""
    for k in range(0, len(keys), _KEYS):
        chunk = keys[k:k + _KEYS]
        conn.execute(delete(_PD).where(tuple_(_PD.c.pair_a, _PD.c.pair_b, _PD.c.day).in_(chunk)))
        ranked = select(_PS, func.row_number().over(
            partition_by=(_PS.c.pair_a, _PS.c.pair_b, _PS.c.published),
            order_by=(_PS.c.strength.desc(), _PS.c.article_id)).label("rn")).where(
            tuple_(_PS.c.pair_a, _PS.c.pair_b, _PS.c.published).in_(chunk)).subquery()
        r = ranked.c
        rollup = select(
            r.pair_a, r.pair_b, r.published, func.min(r.week), func.min(r.month), func.count(),
            *[func.sum(r[lab]) for lab in LABELS], func.sum(r.tension), *[func.max(r[lab]) for lab in LABELS],
            func.max(r.strength), func.min(case((r.rn == 1, r.article_id))), func.min(case((r.rn == 1, r.evidence))),
            *[func.sum(r[c]) for c in AGENT_COLUMNS],
        ).group_by(r.pair_a, r.pair_b, r.published)
        cols = (["pair_a", "pair_b", "day", "week", "month", "n"] + [f"sum_{lab}" for lab in LABELS] + ["sum_tension"]
                + [f"max_{lab}" for lab in LABELS] + ["best_strength", "best_article_id", "best_passage"]
                + [f"sum_{c}" for c in AGENT_COLUMNS])
        conn.execute(insert(_PD).from_select(cols, rollup))
