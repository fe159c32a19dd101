"""Benchmark for the article store (store/): ingest rate and query latency, SQLite and PostgreSQL.

Usage: python bench/bench_store.py [--articles 100000] [--runs 50] [--pg-url URL] [--no-pg]

For each backend (a SQLite file under bench/out/tmp/, and PostgreSQL: ``--pg-url``, else
``$TENSION_BENCH_PG_URL``, else a throwaway cluster started here on 127.0.0.1 with the
server's default durability settings, stopped at the end), on a fresh database:
1. end-to-end ingest through the batch API (``POST /v1/articles``, 100 articles per request):
   the 70 VOA stories of training/data/voa_stories.jsonl repeated under new ids, so JSON
   parsing, validation, scoring and storing all count; once in this process (Flask test
   client, one request at a time) and once served by gunicorn as in production
   (``bench_http.Server``: one worker per core, loopback, as many concurrent clients as
   workers); the scorer alone on the same articles is measured too, to show what the store adds;
2. storage-only ingest (``Store.ingest`` of results scored beforehand, 100 per
   transaction): the real VOA results, replicated under new ids and dates;
3. ``--articles`` (default 100,000) synthetic articles over three years, 40 countries, pairs
   drawn with Zipf-like weights, loaded with ``Store.ingest``; then timeline queries
   (``Store.timeline``, whole range, day/week/month, for the busiest pair and a median one),
   the pair ranking over one year and a country's partners, ``--runs`` times each: p50/p95;
4. on PostgreSQL, ``EXPLAIN (ANALYZE, BUFFERS)`` of the timeline's aggregate query.
Prints a table and writes everything to bench/out/store.json.
"""
from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scoring import Scorer  # noqa: E402
from scoring.labels import LABELS, tension  # noqa: E402
from store import open_store  # noqa: E402

OUT = ROOT / "bench" / "out"
TMP = OUT / "tmp"
BATCH = 100


# ---- a throwaway PostgreSQL --------------------------------------------------------------

class TempPostgres:
    """initdb + pg_ctl start on 127.0.0.1 and a free port, as the postgres user when root; default settings."""

    def __init__(self):
        bins = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
        pg_ctl = bins[-1] if bins else shutil.which("pg_ctl")
        if not pg_ctl:
            raise RuntimeError("pg_ctl not found: apt-get install postgresql, or pass --pg-url / --no-pg")
        self.bin = Path(pg_ctl).parent
        self.dir = Path(tempfile.mkdtemp(prefix="bench-pg."))
        self.prefix = []
        if os.geteuid() == 0:
            shutil.chown(self.dir, "postgres", "postgres")
            self.prefix = ["runuser", "-u", "postgres", "--"]
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            self.port = s.getsockname()[1]

    def start(self) -> str:
        subprocess.run(self.prefix + [str(self.bin / "initdb"), "-D", str(self.dir / "data"), "-U", "postgres",
                                      "-A", "trust", "-E", "UTF8"], check=True, capture_output=True)
        subprocess.run(self.prefix + [str(self.bin / "pg_ctl"), "-D", str(self.dir / "data"), "-l",
                                      str(self.dir / "server.log"), "-w", "-t", "60", "-o",
                                      f"-h 127.0.0.1 -p {self.port} -k {self.dir}", "start"],
                       check=True, capture_output=True)
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def stop(self) -> None:
        subprocess.run(self.prefix + [str(self.bin / "pg_ctl"), "-D", str(self.dir / "data"), "-m", "fast", "-w",
                                      "stop"], capture_output=True)
        shutil.rmtree(self.dir, ignore_errors=True)


def fresh_pg_database(base_url: str, name: str) -> str:
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    from store.config import database_url

    url = make_url(database_url(base_url))
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.exec_driver_sql(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.exec_driver_sql(f'CREATE DATABASE "{name}"')
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


# ---- data --------------------------------------------------------------------------------

def voa_articles() -> list[dict]:
    rows = [json.loads(line) for line in (ROOT / "training" / "data" / "voa_stories.jsonl").open(encoding="utf-8")]
    return [{"id": r["id"], "text": r["text"], "title": r.get("title"), "url": r.get("url"), "source": "VOA",
             "published": r["published"][:10]} for r in rows]


def replicate(articles: list[dict], n: int, prefix: str) -> list[dict]:
    start = dt.date(2025, 1, 1)
    return [{**articles[i % len(articles)], "id": f"{prefix}{i:07d}",
             "published": (start + dt.timedelta(days=i % 365)).isoformat()} for i in range(n)]


def synthetic_results(n: int, seed: int = 1):
    """``n`` (article, result) pairs: 40 countries, 1-5 pairs each, Zipf-like pair popularity, 3 years."""
    rng = random.Random(seed)
    codes = sorted({"USA", "CHN", "RUS", "UKR", "JPN", "KOR", "PRK", "TWN", "IND", "PAK", "IRN", "ISR", "PSE",
                    "SYR", "TUR", "SAU", "GBR", "FRA", "DEU", "POL", "BLR", "PHL", "VNM", "AUS", "CAN", "MEX",
                    "BRA", "VEN", "CUB", "EGY", "ETH", "SDN", "NGA", "ZAF", "AFG", "IRQ", "YEM", "LBN", "QAT",
                    "ARE"})
    pairs = [(a, b) for i, a in enumerate(codes) for b in codes[i + 1:]]
    rng.shuffle(pairs)
    weights = [1.0 / (r + 1) for r in range(len(pairs))]
    start, days = dt.date(2023, 1, 1), 3 * 365
    for i in range(n):
        ident = f"s{i:07d}"
        chosen = set(rng.choices(pairs, weights, k=rng.randint(1, 5)))
        passages, out = [], []
        for j, (a, b) in enumerate(sorted(chosen)):
            scores = {lab: round(rng.random() ** 2, 4) for lab in LABELS}
            passages.append({"index": j, "start": j * 200, "end": j * 200 + 199, "countries": [a, b],
                             "scores": scores})
            out.append({"pair": [a, b], "scores": scores, "tension": tension(scores), "evidence": [j]})
        art = {"id": ident, "text": "", "source": "synthetic",
               "published": (start + dt.timedelta(days=rng.randrange(days))).isoformat()}
        yield art, {"id": ident, "model": {"version": "bench", "sha256": "0" * 64}, "passages": passages,
                    "pairs": out}


# ---- measurements ------------------------------------------------------------------------

def pct(values: list[float], q: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, int(round(q * (len(s) - 1))))]


def bench_api(url: str, articles: list[dict]) -> dict:
    from app import create_app

    app = create_app({"LOG_LEVEL": "WARNING", "DATABASE_URL": url, "TENSION_STORE": "on"})
    client = app.test_client()
    assert client.get("/v1/pairs?limit=1").status_code == 200  # opens and migrates the store first
    t = time.perf_counter()
    for k in range(0, len(articles), BATCH):
        resp = client.post("/v1/articles", json={"articles": articles[k:k + BATCH]})
        if resp.status_code != 200:
            raise RuntimeError(f"ingest failed: {resp.status_code} {resp.get_data(as_text=True)[:200]}")
    secs = time.perf_counter() - t
    app.extensions["tension.store"].close()
    return {"articles": len(articles), "seconds": round(secs, 2), "articles_per_s": round(len(articles) / secs, 1)}


def bench_gunicorn(url: str, articles: list[dict], workers: int) -> dict:
    """POST batches to gunicorn (``workers`` workers) from as many client threads; articles/s overall."""
    import threading
    import urllib.request

    from bench_http import Server

    saved = os.environ.get("DATABASE_URL")
    os.environ["DATABASE_URL"] = url
    try:
        server = Server(workers, 2, TMP / "bench_store_gunicorn.log")
    finally:
        if saved is None:
            os.environ.pop("DATABASE_URL", None)
        else:
            os.environ["DATABASE_URL"] = saved
    bodies = [json.dumps({"articles": articles[k:k + BATCH]}).encode() for k in range(0, len(articles), BATCH)]
    errors: list[str] = []

    def post(body: bytes) -> None:
        req = urllib.request.Request(f"http://127.0.0.1:{server.port}/v1/articles", data=body,
                                     headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(req, timeout=120) as resp:
            if resp.status != 200:
                errors.append(str(resp.status))

    with server:
        post(json.dumps({"articles": articles[:1]}).encode())  # opens the store (and warms the worker) first
        queue = list(bodies)
        lock = threading.Lock()

        def client():
            while True:
                with lock:
                    if not queue:
                        return
                    body = queue.pop()
                try:
                    post(body)
                except Exception as exc:  # noqa: BLE001 - counted and reported
                    errors.append(type(exc).__name__)

        threads = [threading.Thread(target=client) for _ in range(workers)]
        t = time.perf_counter()
        for th in threads:
            th.start()
        for th in threads:
            th.join()
        secs = time.perf_counter() - t
    if errors:
        raise RuntimeError(f"{len(errors)} requests failed under gunicorn: {errors[:5]}")
    return {"articles": len(articles), "workers": workers, "clients": workers, "seconds": round(secs, 2),
            "articles_per_s": round(len(articles) / secs, 1)}


def bench_scorer(scorer, articles: list[dict]) -> dict:
    t = time.perf_counter()
    for k in range(0, len(articles), BATCH):
        scorer.score_batch([{**a, "explain": False} for a in articles[k:k + BATCH]], explain=False)
    secs = time.perf_counter() - t
    return {"articles": len(articles), "seconds": round(secs, 2), "articles_per_s": round(len(articles) / secs, 1)}


def bench_store_ingest(st, articles: list[dict], results: list[dict]) -> dict:
    t = time.perf_counter()
    for k in range(0, len(articles), BATCH):
        st.ingest(articles[k:k + BATCH], results[k:k + BATCH])
    secs = time.perf_counter() - t
    return {"articles": len(articles), "pair_rows": sum(len(r["pairs"]) for r in results),
            "passage_rows": sum(len(r["passages"]) for r in results), "seconds": round(secs, 2),
            "articles_per_s": round(len(articles) / secs, 1)}


def load_synthetic(st, n: int) -> dict:
    t = time.perf_counter()
    arts, res, pair_rows = [], [], 0
    for art, r in synthetic_results(n):
        arts.append(art)
        res.append(r)
        pair_rows += len(r["pairs"])
        if len(arts) == 1000:
            st.ingest(arts, res)
            arts, res = [], []
    if arts:
        st.ingest(arts, res)
    secs = time.perf_counter() - t
    return {"articles": n, "pair_rows": pair_rows, "seconds": round(secs, 2), "articles_per_s": round(n / secs, 1),
            "batch": 1000}


def timed(fn, runs: int) -> dict:
    fn()  # warm
    times = []
    for _ in range(runs):
        t = time.perf_counter()
        fn()
        times.append((time.perf_counter() - t) * 1000)
    return {"p50_ms": round(pct(times, 0.5), 2), "p95_ms": round(pct(times, 0.95), 2),
            "max_ms": round(max(times), 2)}


def bench_queries(st, runs: int) -> dict:
    ranking = st.pairs(limit=500)["pairs"]
    busiest = ranking and max(ranking, key=lambda p: p["articles"])
    by_count = sorted(ranking, key=lambda p: -p["articles"])
    median = by_count[len(by_count) // 2]
    out = {"pairs_in_store": st.pairs(limit=1)["total"]}
    lo, hi = dt.date(2023, 1, 1), dt.date(2025, 12, 31)
    for label, pair in (("busiest", busiest), ("median", median)):
        a, b = pair["pair"]
        for interval in ("day", "week", "month"):
            res = st.timeline(a, b, lo, hi, interval)
            out[f"timeline_{label}_{interval}"] = {"pair": f"{a}-{b}", "pair_articles": pair["articles"],
                                                   "points": len(res["points"]), **timed(
                    lambda: st.timeline(a, b, lo, hi, interval), runs)}
    year = (dt.date(2025, 1, 1), dt.date(2025, 12, 31))
    out["pairs_ranking_one_year"] = timed(lambda: st.pairs(*year, limit=50), max(5, runs // 5))
    if st.dialect == "sqlite":
        from sqlalchemy import select

        from store.models import PairDay

        with st.engine.connect() as conn:
            q = select(PairDay.pair_a).where(PairDay.day >= year[0], PairDay.day <= year[1]).group_by(
                PairDay.pair_a, PairDay.pair_b)
            sql = str(q.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
            out["pairs_ranking_plan"] = [r[-1] for r in conn.exec_driver_sql("EXPLAIN QUERY PLAN " + sql)]
    out["partners_one_year"] = timed(lambda: st.partners(busiest["pair"][0], *year), max(5, runs // 5))
    return out


def explain_timeline(st) -> dict:
    """EXPLAIN (ANALYZE, BUFFERS) of both timeline statements, weekly, whole range, busiest pair."""
    from store.queries import timeline_statements

    a, b = st.pairs(sort="articles", limit=1)["pairs"][0]["pair"]
    agg, best = timeline_statements(a, b, dt.date(2023, 1, 1), dt.date(2025, 12, 31), "week")
    out = {"pair": f"{a}-{b}"}
    with st.engine.connect() as conn:
        for name, stmt in (("aggregate", agg), ("evidence", best)):
            sql = str(stmt.compile(dialect=conn.dialect, compile_kwargs={"literal_binds": True}))
            out[name] = [r[0] for r in conn.exec_driver_sql("EXPLAIN (ANALYZE, BUFFERS) " + sql)]
    return out


def run_backend(name: str, url: str, query_url: str, args, voa, voa_results) -> dict:
    """Ingest benchmarks on ``url``, the 100k-article load and query timings on ``query_url``."""
    out = {"backend": name}
    api_arts = replicate(voa, args.api_articles, "api")
    out["ingest_api_end_to_end"] = bench_api(url, api_arts)
    out["ingest_http_gunicorn"] = bench_gunicorn(url, replicate(voa, args.api_articles, "http"), os.cpu_count() or 1)
    st = open_store(url)
    copies = replicate(voa, args.store_articles, "st")
    results = [{**voa_results[i % len(voa_results)], "id": a["id"]} for i, a in enumerate(copies)]
    out["ingest_store_only_voa_results"] = bench_store_ingest(st, copies, results)
    st.close()
    st = open_store(query_url)
    out["load_synthetic"] = load_synthetic(st, args.articles)
    if name == "postgresql":
        with st.engine.connect() as conn:
            conn.exec_driver_sql("ANALYZE")
            conn.commit()
    out["queries"] = bench_queries(st, args.runs)
    if name == "postgresql":
        out["explain_timeline_week"] = explain_timeline(st)
    st.close()
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--articles", type=int, default=100_000, help="synthetic articles for the query benchmark")
    parser.add_argument("--api-articles", type=int, default=1000, help="articles posted through the batch API")
    parser.add_argument("--store-articles", type=int, default=5000, help="articles for the storage-only ingest")
    parser.add_argument("--runs", type=int, default=50, help="runs per query")
    parser.add_argument("--pg-url", default=os.environ.get("TENSION_BENCH_PG_URL"))
    parser.add_argument("--no-pg", action="store_true", help="SQLite only")
    args = parser.parse_args()

    scorer = Scorer.load()
    voa = voa_articles()
    voa_results = scorer.score_batch([{**a, "explain": False} for a in voa], explain=False)
    report = {"machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform(),
                          "load_average_at_start": [round(x, 2) for x in os.getloadavg()]},
              "model": scorer.model_info, "voa_articles": len(voa),
              "voa_mean_chars": round(sum(len(a["text"]) for a in voa) / len(voa)),
              "voa_mean_pairs": round(sum(len(r["pairs"]) for r in voa_results) / len(voa), 2),
              "voa_mean_passages": round(sum(len(r["passages"]) for r in voa_results) / len(voa), 2),
              "scorer_only": bench_scorer(scorer, replicate(voa, args.api_articles, "sc")), "backends": []}

    TMP.mkdir(parents=True, exist_ok=True)

    def clean():
        for p in TMP.glob("bench_store_*.sqlite3*"):
            p.unlink()

    clean()
    report["backends"].append(run_backend("sqlite", f"sqlite:///{TMP / 'bench_store_ingest.sqlite3'}",
                                          f"sqlite:///{TMP / 'bench_store_query.sqlite3'}", args, voa, voa_results))
    clean()

    if not args.no_pg:
        pg = None
        base = args.pg_url
        if not base:
            pg = TempPostgres()
            base = pg.start()
        try:
            report["postgres_settings"] = "given by --pg-url" if args.pg_url else "initdb defaults (fsync on)"
            report["backends"].append(run_backend("postgresql", fresh_pg_database(base, "bench_store_ingest"),
                                                  fresh_pg_database(base, "bench_store_query"), args, voa,
                                                  voa_results))
        finally:
            if pg:
                pg.stop()

    print(f"model {report['model']['version']}; VOA articles: {report['voa_mean_chars']} chars, "
          f"{report['voa_mean_passages']} passages, {report['voa_mean_pairs']} pairs on average")
    print(f"scorer alone (no store): {report['scorer_only']['articles_per_s']} articles/s")
    print(f"{'':34}" + "".join(f"{b['backend']:>16}" for b in report["backends"]))

    def row(label, get):
        print(f"{label:34}" + "".join(f"{get(b):>16}" for b in report["backends"]))

    row("ingest API in-process (art/s)", lambda b: b["ingest_api_end_to_end"]["articles_per_s"])
    row("ingest API, gunicorn (art/s)", lambda b: b["ingest_http_gunicorn"]["articles_per_s"])
    row("ingest storage only (art/s)", lambda b: b["ingest_store_only_voa_results"]["articles_per_s"])
    row(f"load {args.articles} synthetic (art/s)", lambda b: b["load_synthetic"]["articles_per_s"])
    for key in [k for k in report["backends"][0]["queries"] if k.startswith("timeline_")] + [
            "pairs_ranking_one_year", "partners_one_year"]:
        row(f"{key} p50/p95 ms", lambda b, k=key: f"{b['queries'][k]['p50_ms']}/{b['queries'][k]['p95_ms']}")
    report["machine"]["load_average_at_end"] = [round(x, 2) for x in os.getloadavg()]
    print(f"load average (1, 5, 15 min) at start {report['machine']['load_average_at_start']}, "
          f"at end {report['machine']['load_average_at_end']} on {os.cpu_count()} cores")
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "store.json").write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {OUT / 'store.json'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
