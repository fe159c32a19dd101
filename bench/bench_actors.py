"""Benchmark for scoring/actors.py: load time and matching throughput.

Usage: python bench/bench_actors.py [--mb 10]

Builds a corpus by repeating the VOA articles in training/data/voa_stories.jsonl up to
``--mb`` megabytes, then measures
- cold start of a fresh interpreter importing scoring.actors and building the default
  recogniser, with the on-disk cache warm and with the cache disabled (full build);
- throughput of ``find_actors`` on whole articles and on passages cut by scoring.segment.
Prints a small table and writes the numbers to bench/out/actors.json.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from scoring.actors import find_actors  # noqa: E402
from scoring.segment import segment  # noqa: E402

_PROBE = (
    "import time; t=time.perf_counter(); import scoring.actors as a; a.default_recognizer(); "
    "print(time.perf_counter()-t)"
)


def cold_start(cache: bool, runs: int = 3) -> float:
    env = dict(os.environ)
    if not cache:
        env["SCORING_ACTORS_CACHE"] = ""
    best = float("inf")
    for _ in range(runs):
        out = subprocess.run([sys.executable, "-c", _PROBE], cwd=ROOT, env=env,
                             capture_output=True, text=True, check=True)
        best = min(best, float(out.stdout.strip()))
    return best


def corpus(mb: float) -> list[str]:
    texts = [json.loads(line)["text"] for line in
             (ROOT / "training" / "data" / "voa_stories.jsonl").open(encoding="utf-8")]
    out, size = [], 0
    while size < mb * 1e6:
        for t in texts:
            out.append(t)
            size += len(t.encode("utf-8"))
    return out


def throughput(docs: list[str]) -> tuple[float, int, float]:
    size = sum(len(d.encode("utf-8")) for d in docs)
    t = time.perf_counter()
    n = sum(len(find_actors(d)) for d in docs)
    dt = time.perf_counter() - t
    return size / dt / 1e6, n, dt


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--mb", type=float, default=10.0)
    args = ap.parse_args()
    find_actors("warm up the default recogniser: Japan")
    cold_cached = cold_start(cache=True)
    cold_build = cold_start(cache=False, runs=1)
    docs = corpus(args.mb)
    art_mbs, art_n, art_s = throughput(docs)
    passages = [d[s:e] for d in docs[: max(1, len(docs) // 4)] for s, e in segment(d)]
    pas_mbs, pas_n, pas_s = throughput(passages)
    result = {
        "python": platform.python_version(),
        "machine": platform.machine(),
        "corpus_mb": round(sum(len(d.encode()) for d in docs) / 1e6, 2),
        "cold_start_cached_s": round(cold_cached, 3),
        "cold_start_full_build_s": round(cold_build, 3),
        "articles_mb_per_s": round(art_mbs, 2),
        "articles_mentions": art_n,
        "passages_mb_per_s": round(pas_mbs, 2),
        "passages": len(passages),
        "passages_mentions": pas_n,
    }
    rows = [
        ("import + load (cache warm)", f"{cold_cached * 1000:.0f} ms"),
        ("import + load (full build)", f"{cold_build * 1000:.0f} ms"),
        (f"whole articles ({result['corpus_mb']} MB)", f"{art_mbs:.1f} MB/s ({art_n} mentions)"),
        (f"passages ({len(passages)})", f"{pas_mbs:.1f} MB/s ({pas_n} mentions)"),
    ]
    width = max(len(r[0]) for r in rows)
    print(f"{'measure':<{width}}  result")
    for name, val in rows:
        print(f"{name:<{width}}  {val}")
    out = ROOT / "bench" / "out" / "actors.json"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
