"""Cold start, memory per worker, sizes of what loads at start, and training time.

Usage: python bench/bench_startup.py [--repeats 3] [--workers 2] [--threads 4] [--no-train]

- Cold start of the service: from ``Popen`` of ``gunicorn -c gunicorn.conf.py
  "app:create_app()"`` (free 127.0.0.1 port) until ``/readyz`` answers 200, and until the
  first ``POST /v1/score`` of a VOA story has answered; best and worst of ``--repeats``.
- Cold start of the library: wall time of ``python -c "from scoring import Scorer;
  Scorer.load()"``, and of the same plus scoring one story (the first score loads the
  word vectors, the CAMEO lexicon and the actor tables).
- Memory: RSS (and PSS, the share of pages shared with other processes) of the master and
  of every worker, right after start and after 200 single and 10 batch requests.
- Sizes: the model bundle models/<CURRENT>/ (model.joblib, manifest.json), the word-vector
  table scoring/vectors/wordvec_128.npz, the CAMEO lexicon and the actor data files that
  load at start, and the actor recogniser's on-disk cache.
- Training time: wall time of ``python -m training.train --models <temporary dir>`` (the
  default candidates), unless ``--no-train``.

Writes bench/out/startup.json. Targets: cold start <= 2 s, <= 250 MB resident per worker,
model <= 20 MB.
"""
from __future__ import annotations

import argparse
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench._common import ROOT, loadavg, machine, stories, table, write_json  # noqa: E402
from bench.bench_http import BATCH, Server, load  # noqa: E402

TARGET_COLD_S = 2.0
TARGET_RSS_MB = 250.0
TARGET_MODEL_MB = 20.0


def mb(n: float) -> float:
    return round(n / 2**20, 2)


def memory(pids: list[int]) -> list[dict]:
    import psutil

    out = []
    for pid in pids:
        try:
            p = psutil.Process(pid)
            info = p.memory_full_info()
            out.append({"pid": pid, "rss_mb": mb(info.rss), "pss_mb": mb(info.pss), "uss_mb": mb(info.uss)})
        except psutil.Error:
            pass
    return out


def post(port: int, path: str, body: bytes) -> tuple[int, float]:
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=body,
                                 headers={"Content-Type": "application/json"})
    t0 = time.perf_counter()
    with urllib.request.urlopen(req, timeout=60) as r:
        r.read()
        return r.status, time.perf_counter() - t0


def service_cold_start(workers: int, threads: int, repeats: int, body: bytes, tmp: Path) -> dict:
    runs = []
    for i in range(repeats):
        l0 = loadavg()
        t0 = time.perf_counter()
        with Server(workers, threads, tmp / f"gunicorn-startup-{i}.log") as srv:
            ready = time.perf_counter() - t0
            status, first = post(srv.port, "/v1/score", body)
            total = time.perf_counter() - t0
            runs.append({"ready_s": round(ready, 3), "first_request_s": round(first, 3),
                         "start_to_first_response_s": round(total, 3), "first_status": status,
                         "loadavg_start": l0, "loadavg_end": loadavg()})
    best = min(runs, key=lambda r: r["ready_s"])
    return {"workers": workers, "threads": threads, "ready_s_best": best["ready_s"],
            "ready_s_worst": max(r["ready_s"] for r in runs),
            "first_request_s_best": min(r["first_request_s"] for r in runs),
            "start_to_first_response_s_best": min(r["start_to_first_response_s"] for r in runs), "runs": runs}


def children_cpu_s() -> float:
    r = resource.getrusage(resource.RUSAGE_CHILDREN)
    return r.ru_utime + r.ru_stime


def library_cold_start(repeats: int) -> dict:
    text = json.dumps(stories()[0]["text"])
    probes = {
        "import_and_load_s": "from scoring import Scorer; Scorer.load()",
        "import_load_and_first_score_s": f"from scoring import Scorer; Scorer.load().score({text})",
    }
    out = {}
    for name, code in probes.items():
        times, cpus = [], []
        for _ in range(repeats):
            c0, t0 = children_cpu_s(), time.perf_counter()
            subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True)
            times.append(round(time.perf_counter() - t0, 3))
            cpus.append(round(children_cpu_s() - c0, 3))
        out[name] = min(times)
        out[name[:-2] + "_runs_s"] = times
        out[name[:-2] + "_cpu_s"] = min(cpus)
    return out


def worker_memory(workers: int, threads: int, singles: list[bytes], batches: list[bytes], tmp: Path) -> dict:
    with Server(workers, threads, tmp / "gunicorn-memory.log") as srv:
        import psutil

        master = [srv.proc.pid]
        pids = srv.worker_pids()
        idle = memory(pids)
        a = load(srv.port, "/v1/score", singles, 200, 8)
        b = load(srv.port, "/v1/score/batch", batches, 10, 2)
        if a["errors"] or b["errors"]:
            raise RuntimeError(f"requests failed while measuring memory: {(a['errors'] + b['errors'])[:3]}")
        pids_now = [c.pid for c in psutil.Process(srv.proc.pid).children()]
        busy = memory(pids_now)
        return {"workers": workers, "threads": threads, "master": memory(master), "workers_after_start": idle,
                "workers_after_load": busy, "max_worker_rss_mb": max(w["rss_mb"] for w in busy + idle),
                "load": "200 single-article requests (8 clients) and 10 batches of 32 (2 clients)"}


def sizes() -> dict:
    models = Path(os.environ.get("TENSION_MODELS_DIR") or ROOT / "models")
    version = (models / "CURRENT").read_text().strip()
    files = {
        f"models/{version}/model.joblib": models / version / "model.joblib",
        f"models/{version}/manifest.json": models / version / "manifest.json",
        "scoring/vectors/wordvec_128.npz": ROOT / "scoring" / "vectors" / "wordvec_128.npz",
        "scoring/lexicon/cameo_verbs.tsv": ROOT / "scoring" / "lexicon" / "cameo_verbs.tsv",
    }
    for f in sorted((ROOT / "scoring" / "data").iterdir()):
        if f.suffix in (".txt", ".tsv") and not f.name.startswith("LICENSE"):
            files[f"scoring/data/{f.name}"] = f
    out = {name: mb(p.stat().st_size) for name, p in files.items() if p.exists()}
    total = round(sum(out.values()), 2)
    try:
        from scoring.actors import _cache_path

        cache = _cache_path()
        cache_mb = mb(cache.stat().st_size) if cache and cache.exists() else None
    except Exception:  # noqa: BLE001 - the cache is optional
        cache_mb = None
    return {"files_mb": out, "total_mb": total, "actors_cache_mb": cache_mb,
            "model_bundle_mb": round(out[f"models/{version}/model.joblib"] + out[f"models/{version}/manifest.json"], 2)}


def training_time() -> dict:
    with tempfile.TemporaryDirectory(prefix="bench-train-") as d:
        l0 = loadavg()
        c0, t0 = children_cpu_s(), time.perf_counter()
        r = subprocess.run([sys.executable, "-m", "training.train", "--models", d], cwd=ROOT,
                           capture_output=True, text=True)
        wall, cpu = time.perf_counter() - t0, children_cpu_s() - c0
        if r.returncode != 0:
            raise RuntimeError(f"training failed ({r.returncode}): {r.stderr[-500:]}")
        return {"command": "python -m training.train --models <tmp>", "wall_s": round(wall, 1),
                "cpu_s": round(cpu, 1), "loadavg_start": l0, "loadavg_end": loadavg()}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeats", type=int, default=3)
    ap.add_argument("--workers", type=int, default=os.cpu_count(), help="default: one per core, as gunicorn.conf.py")
    ap.add_argument("--threads", type=int, default=2, help="default 2, as gunicorn.conf.py")
    ap.add_argument("--no-train", action="store_true", help="skip the training-time measurement")
    args = ap.parse_args()
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))  # a killed benchmark still stops its gunicorn
    try:
        import psutil  # noqa: F401
    except ImportError:
        print("error: psutil is needed (memory): .venv/bin/pip install -r requirements-dev.txt", file=sys.stderr)
        return 2
    arts = stories()
    singles = [json.dumps({"id": a["id"], "text": a["text"], "published": a["published"]}).encode() for a in arts]
    batches = [json.dumps({"articles": [{"id": a["id"], "text": a["text"]}
                                        for a in (arts[(i + j) % len(arts)] for j in range(BATCH))]}).encode()
               for i in range(0, len(arts), 7)]
    tmp = ROOT / "bench" / "out" / "tmp"
    data = {"benchmark": "startup", "machine": machine()}
    data["service"] = service_cold_start(args.workers, args.threads, args.repeats, singles[0], tmp)
    data["library"] = library_cold_start(args.repeats)
    data["memory"] = worker_memory(args.workers, args.threads, singles, batches, tmp)
    data["sizes"] = sizes()
    data["training"] = None if args.no_train else training_time()
    s, lib, mem, sz = data["service"], data["library"], data["memory"], data["sizes"]
    model_mb = sz["total_mb"]
    data["targets"] = {
        "cold_start_s": {"target": TARGET_COLD_S, "measured": s["ready_s_best"], "met": s["ready_s_best"] <= TARGET_COLD_S},
        "rss_per_worker_mb": {"target": TARGET_RSS_MB, "measured": mem["max_worker_rss_mb"],
                              "met": mem["max_worker_rss_mb"] <= TARGET_RSS_MB},
        "model_mb": {"target": TARGET_MODEL_MB, "measured": model_mb, "met": model_mb <= TARGET_MODEL_MB,
                     "counted": "model bundle + word vectors + lexicon + actor data (everything loaded at start)"},
    }
    path = write_json("startup", data)
    t = data["targets"]
    rows = [
        [f"service: Popen -> /readyz 200 ({args.workers}x{args.threads})", f"{s['ready_s_best']:.2f} s "
         f"(worst {s['ready_s_worst']:.2f})", f"<= {TARGET_COLD_S:.0f} s", "met" if t["cold_start_s"]["met"] else "MISSED"],
        ["service: first /v1/score after ready", f"{s['first_request_s_best']:.2f} s", "", ""],
        ["library: import + Scorer.load()", f"{lib['import_and_load_s']:.2f} s", "", ""],
        ["library: import + load + first score", f"{lib['import_load_and_first_score_s']:.2f} s", "", ""],
        ["RSS per worker (max, after load)", f"{mem['max_worker_rss_mb']:.0f} MB", f"<= {TARGET_RSS_MB:.0f} MB",
         "met" if t["rss_per_worker_mb"]["met"] else "MISSED"],
        ["PSS per worker (after load)", ", ".join(f"{w['pss_mb']:.0f}" for w in mem["workers_after_load"]) + " MB", "", ""],
        ["model bundle (joblib + manifest)", f"{sz['model_bundle_mb']:.2f} MB", "", ""],
        ["everything loaded at start", f"{model_mb:.2f} MB", f"<= {TARGET_MODEL_MB:.0f} MB",
         "met" if t["model_mb"]["met"] else "MISSED"],
    ]
    if data["training"]:
        rows.append(["training (python -m training.train)", f"{data['training']['wall_s']:.0f} s wall, "
                     f"{data['training']['cpu_s']:.0f} s CPU", "", ""])
    print(table(["measure", "result", "target", ""], rows))
    print(f"wrote {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
