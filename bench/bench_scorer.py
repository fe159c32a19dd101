"""In-process throughput of ``Scorer.score_batch`` on one core, with the time split by stage.

Usage: python bench/bench_scorer.py [--articles 5040] [--batch-sizes 1,32,100] [--repeats 3]
                                    [--cpu N] [--profile] [--out NAME]

Scores at least ``--articles`` real VOA articles (training/data/voa_stories.jsonl, ~4.2 KB
each, repeated) in batches of each ``--batch-sizes``, with and without explanations, in this
one process pinned to one core (``os.sched_setaffinity``; ``--cpu``, default the last one).
Each configuration runs ``--repeats`` times over the whole corpus, each run timed in
``--parts`` consecutive slices; for every slice the fastest run counts, and the table sums
those (other processes share this machine: a busy moment only spoils the slices it
overlaps). Figures are wall-clock and CPU time (``time.process_time``), as articles/s and
MB/s of UTF-8 text; the JSON also lists each whole run's CPU throughput.

The stage split (segmentation, countries, features, model, explanations, aggregation) is the
CPU time ``score_batch(..., timings=dict)`` accumulates per stage; "other" is the rest of
the process's CPU time (freeing the previous batch's results, the loop here).

``--profile`` also runs pyinstrument over one pass of batch 32 with explanations and writes
its report to bench/out/tmp/scorer_profile.txt (not committed).

Writes bench/out/scorer.json (``--out``): every run, the load average at its start and end, the
machine, and whether the target (>= 500 articles/s on one core with explanations, at the
fastest batch size measured) is met.
"""
from __future__ import annotations

import argparse
import os
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from bench._common import OUT, corpus, loadavg, machine, table, utf8_bytes, write_json  # noqa: E402

STAGES = ("segmentation", "countries", "features", "model", "explanations", "pairs", "aggregation")
TARGET_ARTICLES_PER_S = 500


def run_once(scorer, articles: list[dict], batch: int, explain: bool, parts: int) -> dict:
    """One pass over all articles, timed in ``parts`` consecutive slices (whole batches each)."""
    load0 = loadavg()
    n_batches = -(-len(articles) // batch)
    cuts = sorted({round(k * n_batches / parts) * batch for k in range(parts + 1)})
    out_parts = []
    n_passages = 0
    for lo, hi in zip(cuts, cuts[1:]):
        timings: dict[str, float] = {}
        c0, w0 = time.process_time(), time.perf_counter()
        for i in range(lo, min(hi, len(articles)), batch):
            for r in scorer.score_batch(articles[i:i + batch], explain=explain, timings=timings):
                n_passages += len(r["passages"])
        wall, cpu = time.perf_counter() - w0, time.process_time() - c0
        stages = {k: round(timings.get(k, 0.0), 5) for k in STAGES}
        stages["other"] = round(max(0.0, cpu - sum(timings.values())), 5)
        out_parts.append({"wall_s": round(wall, 5), "cpu_s": round(cpu, 5), "stages_cpu_s": stages})
    return {"wall_s": round(sum(x["wall_s"] for x in out_parts), 4), "cpu_s": round(sum(x["cpu_s"] for x in out_parts), 4),
            "passages": n_passages, "loadavg_start": load0, "loadavg_end": loadavg(), "parts": out_parts}


def best_of(runs: list[dict]) -> dict:
    """Per slice, the fastest of the runs (CPU and wall separately), summed over the slices."""
    n = len(runs[0]["parts"])
    cpu_best = [min((r["parts"][i] for r in runs), key=lambda x: x["cpu_s"]) for i in range(n)]
    wall = sum(min(r["parts"][i]["wall_s"] for r in runs) for i in range(n))
    stages = {k: sum(p["stages_cpu_s"][k] for p in cpu_best) for k in (*STAGES, "other")}
    return {"wall_s": wall, "cpu_s": sum(p["cpu_s"] for p in cpu_best), "stages_cpu_s": stages}


def profile(scorer, articles: list[dict]) -> str:
    try:
        from pyinstrument import Profiler
    except ImportError:
        return "pyinstrument is not installed: .venv/bin/pip install -r requirements-dev.txt"
    p = Profiler(interval=0.0005)
    p.start()
    for i in range(0, len(articles), 32):
        scorer.score_batch(articles[i:i + 32], explain=True)
    p.stop()
    path = OUT / "tmp" / "scorer_profile.txt"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(p.output_text(unicode=False, color=False), encoding="utf-8")
    return str(path)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--articles", type=int, default=5000, help="at least this many articles (default 5000)")
    ap.add_argument("--batch-sizes", default="1,32,100",
                    help="comma-separated batch sizes (default 1,32,100: one by one, a typical batch, the API's limit)")
    ap.add_argument("--repeats", type=int, default=3, help="runs per configuration; the best counts (default 3)")
    ap.add_argument("--parts", type=int, default=10, help="slices timed separately; per slice the fastest run "
                    "counts (default 10)")
    ap.add_argument("--cpu", type=int, default=None, help="core to pin to (default: the last one allowed)")
    ap.add_argument("--profile", action="store_true", help="also write a pyinstrument profile (bench/out/tmp/)")
    ap.add_argument("--out", default="scorer", help="name of the JSON file in bench/out/ (default scorer)")
    args = ap.parse_args()
    batches = [int(b) for b in args.batch_sizes.split(",") if b.strip()]
    if not batches or min(batches) < 1 or min(args.repeats, args.articles, args.parts) < 1:
        ap.error("--batch-sizes, --repeats, --parts and --articles must be positive")

    allowed = sorted(os.sched_getaffinity(0))
    cpu = allowed[-1] if args.cpu is None else args.cpu
    if cpu not in allowed:
        ap.error(f"--cpu {cpu} is not one of the cores this process may use: {allowed}")
    os.sched_setaffinity(0, {cpu})

    from scoring import Scorer
    from scoring.model import ModelError

    t0 = time.perf_counter()
    try:
        scorer = Scorer.load()
    except ModelError as exc:
        print(f"error: cannot load the model: {exc}", file=sys.stderr)
        return 2
    load_s = time.perf_counter() - t0
    articles = corpus(args.articles)
    size = utf8_bytes(articles)
    t0 = time.perf_counter()
    scorer.score_batch(articles[:8], explain=True)  # first use loads word vectors, actors, tables
    warm_s = time.perf_counter() - t0

    results = []
    rows = []
    for batch in batches:
        for explain in (True, False):
            runs = [run_once(scorer, articles, batch, explain, args.parts) for _ in range(args.repeats)]
            best = best_of(runs)
            n = len(articles)
            res = {
                "batch": batch, "explain": explain, "articles": n, "mb": round(size / 1e6, 3),
                "passages": runs[0]["passages"],
                "articles_per_s_wall": round(n / best["wall_s"], 1),
                "articles_per_s_cpu": round(n / best["cpu_s"], 1),
                "mb_per_s_wall": round(size / 1e6 / best["wall_s"], 3),
                "mb_per_s_cpu": round(size / 1e6 / best["cpu_s"], 3),
                "ms_per_article_cpu": round(best["cpu_s"] / n * 1000, 3),
                "articles_per_s_cpu_whole_runs": sorted(round(n / r["cpu_s"], 1) for r in runs),
                "stages_cpu_s": {k: round(v, 4) for k, v in best["stages_cpu_s"].items()},
                "stages_share": {k: round(v / best["cpu_s"], 3) for k, v in best["stages_cpu_s"].items()},
                "runs": runs,
            }
            results.append(res)
            sh = res["stages_share"]
            slowest = max(STAGES, key=lambda k: sh[k])
            rows.append([batch, "yes" if explain else "no", res["articles_per_s_wall"], res["articles_per_s_cpu"],
                         res["mb_per_s_wall"], res["mb_per_s_cpu"],
                         " ".join(f"{k[:4]} {sh[k] * 100:.0f}%" for k in (*STAGES, "other")), slowest])

    with_explain = [r for r in results if r["explain"]]
    best_expl = max(with_explain, key=lambda r: r["articles_per_s_cpu"])
    target = {
        "articles_per_s_one_core_with_explanations": TARGET_ARTICLES_PER_S,
        "measured_cpu": best_expl["articles_per_s_cpu"],
        "measured_wall": best_expl["articles_per_s_wall"],
        "at_batch": best_expl["batch"],
        "met": best_expl["articles_per_s_cpu"] >= TARGET_ARTICLES_PER_S,
    }
    data = {"benchmark": "scorer", "pinned_cpu": cpu, "model_load_s": round(load_s, 3),
            "first_batch_s": round(warm_s, 3), "machine": machine(), "results": results, "target": target}
    if args.profile:
        data["profile"] = profile(scorer, articles[:1024])
    path = write_json(args.out, data)

    print(f"{len(articles)} VOA articles, {size / 1e6:.1f} MB, pinned to core {cpu}, best of {args.repeats} per "
          f"{len(articles) // args.parts}-article slice")
    print(table(["batch", "explain", "art/s wall", "art/s cpu", "MB/s wall", "MB/s cpu",
                 "CPU share by stage (seg cou feat mode expl aggr other)", "slowest"], rows))
    print(f"target >= {TARGET_ARTICLES_PER_S} articles/s with explanations: "
          f"{'met' if target['met'] else 'MISSED'} ({target['measured_cpu']} CPU, "
          f"{target['measured_wall']} wall, batch {target['at_batch']})")
    if args.profile:
        print(f"profile: {data['profile']}")
    print(f"wrote {path.relative_to(path.parent.parent.parent)}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
