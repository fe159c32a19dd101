"""Read the store: a pair's timeline, pairs ranked over a window, a country's partners, an article.

Timelines and rankings read the daily rollup ``pair_days`` (one row per pair and day; means
are sums over counts, so they equal the means over the articles). Definitions (docs/store.md):
- an interval's ``articles`` is the number of articles involving the pair, its ``mean`` and
  ``max`` the mean and highest of each label's pair score over those articles,
  ``tension_mean`` the mean of their pair tensions;
- its ``evidence`` is the strongest passage among them: the article whose pair reaches the
  highest label score (``strength``; ties: smallest article id) and its strongest passage;
- intervals are days, ISO weeks (starting Monday) or calendar months; ``start`` is the
  interval's first day, and the first and last interval only count articles within
  ``from``..``to``. Intervals without articles are listed with ``articles: 0`` and nulls,
  so a chart can draw the gap.
"""
from __future__ import annotations

import datetime as dt

from sqlalchemy import and_, func, literal_column, or_, select
from sqlalchemy.engine import Connection

from scoring.labels import AGENT_LABELS, LABELS

from .ingest import AGENT_COLUMNS, month_start, week_start
from .models import Article, PairDay, PairScore, Passage
from .schemas import INTERVALS, SORTS

_D = PairDay.__table__.c


def _r(value) -> float | None:
    return None if value is None else round(float(value), 4)


def _as_date(value) -> dt.date:
    return value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])


# ---- intervals ---------------------------------------------------------------------------

def bucket(day: dt.date, interval: str) -> dt.date:
    return {"day": lambda d: d, "week": week_start, "month": month_start}[interval](day)


def _index(start: dt.date, day: dt.date, interval: str) -> int:
    """How many intervals after ``start`` (an interval start) the interval holding ``day`` begins."""
    if interval == "day":
        return (day - start).days
    if interval == "week":
        return (week_start(day) - start).days // 7
    return (day.year * 12 + day.month) - (start.year * 12 + start.month)


def _nth(start: dt.date, n: int, interval: str) -> dt.date:
    if interval == "day":
        return start + dt.timedelta(days=n)
    if interval == "week":
        return start + dt.timedelta(weeks=n)
    m = start.year * 12 + start.month - 1 + n
    return dt.date(m // 12, m % 12 + 1, 1)


def _last_day(start: dt.date, interval: str) -> dt.date:
    try:
        return _nth(start, 1, interval) - dt.timedelta(days=1)
    except (ValueError, OverflowError):  # the interval holding 9999-12-31
        return dt.date.max


# ---- timeline ----------------------------------------------------------------------------

def timeline(conn: Connection, a: str, b: str, date_from, date_to, interval: str, limit: int, offset: int) -> dict:
    a, b = sorted((a, b))
    if interval not in INTERVALS:
        raise ValueError(f"interval must be one of {', '.join(INTERVALS)}")
    in_pair = and_(_D.pair_a == a, _D.pair_b == b)
    if date_from is None or date_to is None:  # open bounds: the pair's first / last stored article
        lo, hi = conn.execute(select(func.min(_D.day), func.max(_D.day)).where(in_pair)).one()
        if lo is None:
            return {"pair": [a, b], "interval": interval, "from": _iso(date_from), "to": _iso(date_to),
                    "total": 0, "points": []}
        date_from = date_from or _as_date(lo)
        date_to = date_to or _as_date(hi)
    if date_from > date_to:
        raise ValueError("from must not be after to")
    first = bucket(date_from, interval)
    total = _index(first, date_to, interval) + 1
    starts = [_nth(first, n, interval) for n in range(offset, min(total, offset + limit))]
    out = {"pair": [a, b], "interval": interval, "from": date_from.isoformat(), "to": date_to.isoformat(),
           "total": total, "points": []}
    if not starts:
        return out
    lo = max(date_from, starts[0])
    hi = min(date_to, _last_day(starts[-1], interval))
    agg, best = timeline_statements(a, b, lo, hi, interval)
    k = len(LABELS)
    rows = {_as_date(r[0]): tuple(r) for r in conn.execute(agg)}
    if best is None:  # days: one rollup row per point, its evidence came along
        evidence = {b: {"article_id": r[-2], "passage": r[-1]} for b, r in rows.items()}
    else:
        evidence = {_as_date(b): {"article_id": art, "passage": passage} for b, art, passage in conn.execute(best)}
    points = out["points"]
    means = [(lab, 3 + j) for j, lab in enumerate(LABELS)]
    maxes = [(lab, 3 + k + j) for j, lab in enumerate(LABELS)]
    first_agent = 3 + 2 * k
    for start in starts:
        r = rows.get(start)
        if r is None:
            points.append({"start": start.isoformat(), "articles": 0, "mean": dict.fromkeys(LABELS),
                           "max": dict.fromkeys(LABELS), "tension_mean": None, "evidence": None,
                           "agents": {lab: {a: 0, b: 0} for lab in AGENT_LABELS}})
            continue
        counts = [int(r[first_agent + i] or 0) for i in range(len(AGENT_COLUMNS))]
        points.append({"start": start.isoformat(), "articles": int(r[1]),
                       "mean": {lab: round(float(r[i]), 4) for lab, i in means},
                       "max": {lab: round(float(r[i]), 4) for lab, i in maxes},
                       "tension_mean": round(float(r[2]), 4), "evidence": evidence.get(start),
                       "agents": {lab: {a: counts[2 * j], b: counts[2 * j + 1]} for j, lab in enumerate(AGENT_LABELS)}})
    return out


def timeline_statements(a: str, b: str, lo: dt.date, hi: dt.date, interval: str):
    """The timeline's two SELECTs on ``pair_days``: aggregates per interval, and its strongest evidence.

    For days the evidence is a column of the first (one row per day), and the second is None.
    """
    col = {"day": _D.day, "week": _D.week, "month": _D.month}[interval]
    where = and_(_D.pair_a == a, _D.pair_b == b, _D.day >= lo, _D.day <= hi)
    n = func.sum(_D.n)
    cols = [col, n, func.sum(_D.sum_tension) / n, *[func.sum(_D["sum_" + lab]) / n for lab in LABELS],
            *[func.max(_D["max_" + lab]) for lab in LABELS], *[func.sum(_D["sum_" + c]) for c in AGENT_COLUMNS]]
    if interval == "day":  # already one row per day: no grouping
        return select(_D.day, _D.n, _D.sum_tension / _D.n, *[_D["sum_" + lab] / _D.n for lab in LABELS],
                      *[_D["max_" + lab] for lab in LABELS], *[_D["sum_" + c] for c in AGENT_COLUMNS],
                      _D.best_article_id, _D.best_passage).where(where), None
    ranked = select(col.label("b"), _D.best_article_id, _D.best_passage,
                    func.row_number().over(partition_by=col,
                                           order_by=(_D.best_strength.desc(), _D.best_article_id)).label("rn")
                    ).where(where).subquery()
    best = select(ranked.c.b, ranked.c.best_article_id, ranked.c.best_passage).where(ranked.c.rn == 1)
    return select(*cols).where(where).group_by(col), best


def _iso(day) -> str | None:
    return day.isoformat() if day else None


# ---- rankings ----------------------------------------------------------------------------

def rank_pairs(conn: Connection, date_from, date_to, sort: str, order: str, limit: int, offset: int,
               min_articles: int = 1, country: str | None = None) -> dict:
    if sort not in SORTS:
        raise ValueError(f"sort must be one of {', '.join(SORTS)}")
    if order not in ("asc", "desc"):
        raise ValueError("order must be asc or desc")
    if date_from and date_to and date_from > date_to:
        raise ValueError("from must not be after to")
    conds = []
    if date_from:
        conds.append(_D.day >= date_from)
    if date_to:
        conds.append(_D.day <= date_to)
    if country:
        conds.append(or_(_D.pair_a == country, _D.pair_b == country))
    n = func.sum(_D.n).label("n")
    t = (func.sum(_D.sum_tension) / func.sum(_D.n)).label("tension_avg")
    means = [(func.sum(_D["sum_" + lab]) / func.sum(_D.n)).label("mean_" + lab) for lab in LABELS]
    maxes = [func.max(_D["max_" + lab]).label("max_" + lab) for lab in LABELS]
    key = {"tension": t, "articles": n, **{lab: m for lab, m in zip(LABELS, means)}}[sort]
    key = key.desc() if order == "desc" else key.asc()
    stmt = (select(_D.pair_a, _D.pair_b, n, t, *means, *maxes, func.count().over().label("total"))
            .where(*conds).group_by(_D.pair_a, _D.pair_b))
    if min_articles > 1:
        stmt = stmt.having(func.sum(_D.n) >= min_articles)
    stmt = stmt.order_by(key, literal_column("n").desc(), _D.pair_a, _D.pair_b).limit(limit).offset(offset)
    rows = conn.execute(stmt).all()
    if rows:
        total = int(rows[0].total)
    else:  # past the end: count the groups on their own
        groups = select(_D.pair_a).where(*conds).group_by(_D.pair_a, _D.pair_b)
        if min_articles > 1:
            groups = groups.having(func.sum(_D.n) >= min_articles)
        total = conn.execute(select(func.count()).select_from(groups.subquery())).scalar_one()
    pairs = []
    for r in rows:
        item = {"pair": [r.pair_a, r.pair_b], "articles": int(r.n), "tension_mean": _r(r.tension_avg),
                "mean": {lab: _r(getattr(r, "mean_" + lab)) for lab in LABELS},
                "max": {lab: _r(getattr(r, "max_" + lab)) for lab in LABELS}}
        if country:
            item["partner"] = r.pair_b if r.pair_a == country else r.pair_a
        pairs.append(item)
    out = {"pairs": pairs, "total": total, "from": _iso(date_from), "to": _iso(date_to), "sort": sort,
           "order": order, "limit": limit, "offset": offset}
    if country:
        out["country"] = country
    return out


# ---- one article, store statistics -------------------------------------------------------

def article(conn: Connection, article_id: str) -> dict | None:
    art = conn.execute(select(Article.__table__).where(Article.id == article_id)).one_or_none()
    if art is None:
        return None
    passages = conn.execute(select(Passage.__table__).where(Passage.article_id == article_id).order_by(Passage.idx))
    pairs = conn.execute(select(PairScore.__table__).where(PairScore.article_id == article_id)
                         .order_by(func.abs(PairScore.tension).desc(), PairScore.pair_a, PairScore.pair_b))
    out = {"id": art.id, "source": art.source, "url": art.url, "title": art.title,
           "published": _as_date(art.published).isoformat(), "published_given": bool(art.published_given),
           "first_seen": _ts(art.first_seen), "updated_at": _ts(art.updated_at),
           "revision": art.revision, "model": {"version": art.model_version, "sha256": art.model_sha256},
           "text_kept": art.text is not None, "passages": [], "pairs": []}
    for p in passages:
        item = {"index": p.idx, "start": p.start_char, "end": p.end_char,
                "countries": p.countries.split() if p.countries else [],
                "scores": {lab: _r(getattr(p, lab)) for lab in LABELS}}
        if art.text is not None:
            item["text"] = art.text[p.start_char:p.end_char]
        out["passages"].append(item)
    for p in pairs:
        agents = {lab: [code for code, side in ((p.pair_a, "a"), (p.pair_b, "b")) if getattr(p, f"{lab}_by_{side}")]
                  for lab in AGENT_LABELS}
        out["pairs"].append({"pair": [p.pair_a, p.pair_b], "scores": {lab: _r(getattr(p, lab)) for lab in LABELS},
                             "tension": _r(p.tension), "evidence": p.evidence, "passages": p.n_passages,
                             "agents": {lab: who for lab, who in agents.items() if who}})
    return out


def _ts(value) -> str:
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:  # SQLite gives back naive datetimes; they were stored in UTC
            value = value.replace(tzinfo=dt.timezone.utc)
        return value.astimezone(dt.timezone.utc).isoformat().replace("+00:00", "Z")
    return str(value)


def stats(conn: Connection) -> dict:
    n_articles, lo, hi, with_text = conn.execute(
        select(func.count(), func.min(Article.published), func.max(Article.published), func.count(Article.text))).one()
    by_model = {v: int(c) for v, c in conn.execute(
        select(Article.model_version, func.count()).group_by(Article.model_version).order_by(Article.model_version))}
    n_pairs = conn.execute(select(func.count()).select_from(PairScore)).scalar_one()
    n_passages = conn.execute(select(func.count()).select_from(Passage)).scalar_one()
    return {"articles": int(n_articles), "passages": int(n_passages), "pair_rows": int(n_pairs),
            "with_text": int(with_text), "first_published": _iso(_as_date(lo)) if lo else None,
            "last_published": _iso(_as_date(hi)) if hi else None, "by_model_version": by_model}
