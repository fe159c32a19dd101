"""The HTTP service under gunicorn: requests/s and latency percentiles over loopback.

Usage: python bench/bench_http.py [--configs 2x2,2x4] [--requests 1000] [--batch-requests 60]
                                  [--concurrency 1,8,32] [--batch-concurrency 1,4] [--repeats 3]
                                  [--nice -10] [--gunicorn-conf FILE] [--out NAME]

For each ``--configs`` entry (``WORKERSxTHREADS``) it starts
``gunicorn -c gunicorn.conf.py "app:create_app()"`` on a free 127.0.0.1 port
(``TENSION_WORKERS`` / ``TENSION_THREADS``; everything else as gunicorn.conf.py and the app
default it, access logging included), waits for ``/readyz``, warms every worker, then sends

- single-article ``POST /v1/score`` requests (a VOA story each, explanations on, as the
  API defaults) from 1, 8 and 32 concurrent clients (``--concurrency``), ``--requests`` each;
- ``POST /v1/score/batch`` requests of 32 VOA articles from ``--batch-concurrency`` clients,
  ``--batch-requests`` each.

The load generator is this process (gunicorn is another): asyncio, one keep-alive HTTP/1.1
connection per client, a fixed number of requests, every latency kept (send to last byte of
the response) so the percentiles are exact. Any status other than 200, a dropped connection
or a time-out counts as an error. Each scenario runs ``--repeats`` times; the run that
finished fastest is reported (others are in the JSON), with the load average at its start
and end, the CPU the workers and this client used, and each worker's share of it ("busiest
worker": keep-alive connections stay with the worker that accepted them). gunicorn gets
this process's environment, so ``TENSION_REUSE_PORT=1 python bench/bench_http.py`` measures
that setting (recorded in the JSON).

Writes bench/out/http.json. Targets: single article at 8 clients p99 <= 50 ms and >= 200
requests/s, zero errors.
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import resource
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench._common import OUT, ROOT, loadavg, machine, stories, table, write_json  # noqa: E402

TARGET_P99_MS = 50.0
TARGET_RPS = 200.0
TARGET_CLIENTS = 8
BATCH = 32


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def gunicorn_bin() -> str:
    cand = Path(sys.executable).with_name("gunicorn")
    return str(cand) if cand.exists() else "gunicorn"


def wait_ready(port: int, proc: subprocess.Popen, timeout: float = 60.0) -> float:
    """Seconds until /readyz answers 200; RuntimeError if the server exits or never gets ready."""
    t0 = time.perf_counter()
    url = f"http://127.0.0.1:{port}/readyz"
    while time.perf_counter() - t0 < timeout:
        if proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited with status {proc.returncode} before it was ready")
        try:
            with urllib.request.urlopen(url, timeout=1) as r:
                if r.status == 200:
                    return time.perf_counter() - t0
        except OSError:
            pass
        time.sleep(0.01)
    raise RuntimeError(f"gunicorn was not ready after {timeout:.0f} s")


class Server:
    """gunicorn with the project's config on a free loopback port; stopped on exit."""

    def __init__(self, workers: int, threads: int, log_path: Path, conf: str = "gunicorn.conf.py"):
        self.workers, self.threads = workers, threads
        self.port = free_port()
        env = dict(os.environ, TENSION_BIND=f"127.0.0.1:{self.port}", TENSION_WORKERS=str(workers),
                   TENSION_THREADS=str(threads))
        env.pop("TENSION_API_KEYS", None)
        log_path.parent.mkdir(parents=True, exist_ok=True)
        self.log = open(log_path, "wb")
        self.proc = subprocess.Popen([gunicorn_bin(), "-c", conf, "--no-control-socket", "app:create_app()"], cwd=ROOT,
                                     env=env, stdout=self.log, stderr=subprocess.STDOUT)

    def __enter__(self):
        try:
            self.ready_s = wait_ready(self.port, self.proc)
        except BaseException:
            self.stop()
            raise
        return self

    def __exit__(self, *exc):
        self.stop()

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()

    def worker_pids(self) -> list[int]:
        try:
            import psutil
        except ImportError:
            return []
        return [c.pid for c in psutil.Process(self.proc.pid).children()]

    def cpu_by_pid(self) -> dict[int, float]:
        """User + system CPU seconds so far of the master and of each worker."""
        import psutil

        out = {}
        for pid in [self.proc.pid] + self.worker_pids():
            try:
                t = psutil.Process(pid).cpu_times()
                out[pid] = t.user + t.system
            except psutil.Error:
                pass
        return out

    def cpu_s(self) -> float:
        return sum(self.cpu_by_pid().values())


# ----------------------------------------------------------------------------- load generator

async def _read_response(reader: asyncio.StreamReader) -> tuple[int, bytes, bool]:
    """Status, body, and whether the server keeps the connection open."""
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ", 2)[1])
    length = None
    keep = True
    for line in lines[1:]:
        name, _, value = line.partition(":")
        name = name.strip().lower()
        if name == "content-length":
            length = int(value.strip())
        elif name == "connection" and value.strip().lower() == "close":
            keep = False
    if length is None:
        raise ValueError("response without Content-Length")
    body = await reader.readexactly(length)
    return status, body, keep


async def _client(port: int, bodies: list[bytes], path: str, counter: list[int], n: int,
                  latencies: list[float], errors: list[str], timeout: float, check_body) -> None:
    reader = writer = None
    while True:
        i = counter[0]
        if i >= n:
            break
        counter[0] += 1
        body = bodies[i % len(bodies)]
        req = (f"POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\n"
               f"Content-Length: {len(body)}\r\n\r\n").encode() + body
        t0 = time.perf_counter()
        try:
            if writer is None:
                reader, writer = await asyncio.open_connection("127.0.0.1", port, limit=1 << 24)
            writer.write(req)
            status, data, keep = await asyncio.wait_for(_read_response(reader), timeout)
            latencies.append(time.perf_counter() - t0)
            if not keep:  # the server closes after this response: the next request reconnects
                writer.close()
                reader = writer = None
            if status != 200:
                errors.append(f"HTTP {status}: {data[:200]!r}")
            elif check_body and not check_body(data):
                errors.append("200 with an unexpected body")
        except (OSError, asyncio.TimeoutError, asyncio.IncompleteReadError, ValueError) as exc:
            latencies.append(time.perf_counter() - t0)
            errors.append(f"{type(exc).__name__}: {exc}"[:200])
            if writer is not None:
                writer.close()
            reader = writer = None
    if writer is not None:
        writer.close()


def load(port: int, path: str, bodies: list[bytes], n: int, concurrency: int, timeout: float = 60.0,
         check_body=None) -> dict:
    """Send ``n`` requests from ``concurrency`` keep-alive clients; latencies and errors."""
    latencies: list[float] = []
    errors: list[str] = []
    counter = [0]

    async def go():
        await asyncio.gather(*(_client(port, bodies, path, counter, n, latencies, errors, timeout, check_body)
                               for _ in range(concurrency)))

    r0 = resource.getrusage(resource.RUSAGE_SELF)
    t0 = time.perf_counter()
    asyncio.run(go())
    wall = time.perf_counter() - t0
    r1 = resource.getrusage(resource.RUSAGE_SELF)
    client_cpu = (r1.ru_utime - r0.ru_utime) + (r1.ru_stime - r0.ru_stime)
    return {"wall_s": wall, "latencies": latencies, "errors": errors, "client_cpu_s": client_cpu}


def percentile(sorted_values: list[float], q: float) -> float:
    """Nearest-rank percentile (q in 0..100) of an ascending list."""
    if not sorted_values:
        return float("nan")
    k = max(0, min(len(sorted_values) - 1, int(-(-q * len(sorted_values) // 100)) - 1))
    return sorted_values[k]


def summarise(res: dict, n: int, articles_per_request: int) -> dict:
    lat = sorted(res["latencies"])
    wall = res["wall_s"]
    return {
        "requests": n, "wall_s": round(wall, 3),
        "requests_per_s": round(n / wall, 1),
        "articles_per_s": round(n * articles_per_request / wall, 1),
        "p50_ms": round(percentile(lat, 50) * 1000, 1),
        "p95_ms": round(percentile(lat, 95) * 1000, 1),
        "p99_ms": round(percentile(lat, 99) * 1000, 1),
        "max_ms": round(lat[-1] * 1000, 1) if lat else None,
        "mean_ms": round(sum(lat) / len(lat) * 1000, 1) if lat else None,
        "errors": len(res["errors"]),
        "error_samples": sorted(set(res["errors"]))[:5],
        "client_cpu_s": round(res["client_cpu_s"], 3),
    }


def _ok_single(data: bytes) -> bool:
    return data.startswith(b"{") and b'"passages"' in data


def _ok_batch(data: bytes) -> bool:
    return data.startswith(b'{"results"') or b'"results"' in data[:64]


def scenario(server: Server, name: str, path: str, bodies: list[bytes], n: int, concurrency: int,
             per_request: int, repeats: int, check) -> dict:
    runs = []
    for _ in range(repeats):
        l0, c0 = loadavg(), server.cpu_by_pid()
        res = load(server.port, path, bodies, n, concurrency, check_body=check)
        c1 = server.cpu_by_pid()
        s = summarise(res, n, per_request)
        s["server_cpu_s"] = round(sum(c1.values()) - sum(c0.values()), 3)
        # how the work fell on the workers: keep-alive connections stay with the worker that accepted them
        s["worker_cpu_s"] = sorted((round(c1[p] - c0.get(p, 0.0), 3) for p in c1 if p != server.proc.pid), reverse=True)
        s["server_cpu_ms_per_request"] = round(s["server_cpu_s"] / n * 1000, 2)
        s["loadavg_start"], s["loadavg_end"] = l0, loadavg()
        runs.append(s)
        if server.proc.poll() is not None:
            raise RuntimeError(f"gunicorn exited (status {server.proc.returncode}) during '{name}'; see {server.log.name}")
    best = min(runs, key=lambda r: r["wall_s"])
    return {"scenario": name, "path": path, "concurrency": concurrency, "articles_per_request": per_request,
            **{k: v for k, v in best.items()}, "runs": runs}


def worker_class(conf: str) -> str:
    """The ``worker_class`` the gunicorn config file sets (gunicorn's default: sync)."""
    import runpy

    return str(runpy.run_path(str(ROOT / conf) if not os.path.isabs(conf) else conf).get("worker_class", "sync"))


def bench_config(workers: int, threads: int, args, singles: list[bytes], batches: list[bytes]) -> dict:
    log = OUT / "tmp" / f"gunicorn-{workers}x{threads}.log"
    with Server(workers, threads, log, args.gunicorn_conf) as srv:
        pids = srv.worker_pids()
        # warm every worker: the first request of a worker loads word vectors and actor tables
        warm = load(srv.port, "/v1/score", singles, max(40, 10 * workers * threads), workers * threads)
        if warm["errors"]:
            raise RuntimeError(f"warm-up failed: {warm['errors'][:3]}")
        out = {"workers": workers, "threads": threads, "worker_class": worker_class(args.gunicorn_conf),
               "conf": args.gunicorn_conf,
               "nice": args.nice, "reuse_port": os.environ.get("TENSION_REUSE_PORT") == "1",
               "ready_s": round(srv.ready_s, 3), "worker_pids": len(pids), "scenarios": []}
        for c in args.concurrency:
            out["scenarios"].append(scenario(srv, f"single c={c}", "/v1/score", singles, args.requests, c, 1,
                                             args.repeats, _ok_single))
            print_row(out, out["scenarios"][-1])
        for c in args.batch_concurrency:
            out["scenarios"].append(scenario(srv, f"batch{BATCH} c={c}", "/v1/score/batch", batches,
                                             args.batch_requests, c, BATCH, args.repeats, _ok_batch))
            print_row(out, out["scenarios"][-1])
    return out


ROW_HEADER = ["config", "scenario", "req/s", "art/s", "p50 ms", "p95 ms", "p99 ms", "errors", "srv CPU ms/req",
              "busiest worker", "load start>end"]


def row(cfg: dict, s: dict) -> list:
    return [f"{cfg['workers']}x{cfg['threads']}", s["scenario"], s["requests_per_s"], s["articles_per_s"],
            s["p50_ms"], s["p95_ms"], s["p99_ms"], s["errors"], s["server_cpu_ms_per_request"],
            f"{100 * s['worker_cpu_s'][0] / max(1e-9, sum(s['worker_cpu_s'])):.0f}%" if s.get("worker_cpu_s") else "",
            f"{s['loadavg_start'][0]}>{s['loadavg_end'][0]}"]


def print_row(cfg: dict, s: dict) -> None:
    print("  " + " | ".join(str(x) for x in row(cfg, s)), flush=True)


def _ints(text: str) -> list[int]:
    return [int(x) for x in text.split(",") if x.strip()]


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--configs", default="2x2", help="WORKERSxTHREADS, comma-separated (default 2x2: gunicorn.conf.py's)")
    ap.add_argument("--requests", type=int, default=1000, help="single-article requests per scenario")
    ap.add_argument("--batch-requests", type=int, default=60, help="batch requests per scenario")
    ap.add_argument("--concurrency", type=_ints, default=[1, 8, 32], help="clients for single-article requests")
    ap.add_argument("--batch-concurrency", type=_ints, default=[1, 4], help="clients for batch requests")
    ap.add_argument("--repeats", type=int, default=3, help="runs per scenario; the fastest is reported")
    ap.add_argument("--gunicorn-conf", default="gunicorn.conf.py", help="gunicorn config file (default gunicorn.conf.py)")
    ap.add_argument("--nice", type=int, default=0,
                    help="nice increment for gunicorn and the load generator (negative needs root): shields "
                         "both from other processes on a shared machine, to see the service's own latency")
    ap.add_argument("--out", default="http", help="name of the JSON file in bench/out/ (default http)")
    args = ap.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # a killed benchmark still stops its gunicorn
    configs = []
    for c in args.configs.split(","):
        try:
            w, t = (int(x) for x in c.lower().split("x"))
        except ValueError:
            ap.error(f"--configs entries look like 2x4 (workers x threads), got {c!r}")
        configs.append((w, t))
    if args.nice:
        try:
            os.nice(args.nice)  # this process (the load generator); gunicorn inherits it
        except PermissionError:
            ap.error("a negative --nice needs root")
    try:
        import psutil  # noqa: F401
    except ImportError:
        print("error: psutil is needed (worker CPU): .venv/bin/pip install -r requirements-dev.txt", file=sys.stderr)
        return 2

    arts = stories()
    singles = [json.dumps({"id": a["id"], "text": a["text"], "published": a["published"]}).encode() for a in arts]
    batches = []
    for i in range(len(arts)):
        chunk = [arts[(i + j) % len(arts)] for j in range(BATCH)]
        batches.append(json.dumps({"articles": [{"id": a["id"], "text": a["text"], "published": a["published"]}
                                                for a in chunk]}).encode())

    results = []
    for w, t in configs:
        print(f"gunicorn {w} workers x {t} threads ({worker_class(args.gunicorn_conf)}):", flush=True)
        results.append(bench_config(w, t, args, singles, batches))

    def target_for(cfg):
        s = next((s for s in cfg["scenarios"] if s["path"] == "/v1/score" and s["concurrency"] == TARGET_CLIENTS), None)
        if s is None:
            return None
        return {"config": f"{cfg['workers']}x{cfg['threads']}", "p99_ms": s["p99_ms"], "requests_per_s": s["requests_per_s"],
                "errors": s["errors"], "met": s["p99_ms"] <= TARGET_P99_MS and s["requests_per_s"] >= TARGET_RPS
                and s["errors"] == 0}

    targets = [t for t in (target_for(c) for c in results) if t]
    data = {"benchmark": "http", "machine": machine(), "load_generator": "python asyncio (bench/bench_http.py), "
            "one keep-alive connection per client, fixed request count, same machine over loopback",
            "request": {"single": "POST /v1/score, one VOA story (~4.2 KB), explanations on",
                        "batch": f"POST /v1/score/batch, {BATCH} VOA stories, explanations on"},
            "targets": {"single_c8_p99_ms": TARGET_P99_MS, "single_c8_requests_per_s": TARGET_RPS, "errors": 0,
                        "per_config": targets},
            "configs": results}
    path = write_json(args.out, data)
    print()
    print(table(ROW_HEADER, [row(c, s) for c in results for s in c["scenarios"]]))
    for t in targets:
        print(f"target at {TARGET_CLIENTS} clients ({t['config']}): p99 {t['p99_ms']} ms <= {TARGET_P99_MS:.0f}, "
              f"{t['requests_per_s']} req/s >= {TARGET_RPS:.0f}, errors {t['errors']}: {'met' if t['met'] else 'MISSED'}")
    print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
