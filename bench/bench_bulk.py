"""Benchmark for tension_cli/bulk.py: articles/s of ``bulk`` with 1 and 2 Dask workers vs the CLI.

Usage: python bench/bench_bulk.py [--repeat 72] [--rounds 2] [--no-explain] [--keep]

Builds ``--repeat`` x 70 articles (5,040 by default) by repeating the VOA stories in
training/data/voa_stories.jsonl with distinct ids, as one plain JSON-lines file and one gzip
file, then times, each in a fresh process and end to end (start-up, model load, cluster
start, indexing, scoring, writing):
- the single-process CLI: ``python -m scoring score --input F --output O``;
- ``python -m scoring bulk --workers 1`` and ``--workers 2`` (local cluster) on the plain file;
- ``--workers 2`` on the gzip file (one big compressed file: partitions cannot seek in it).
For bulk runs it also reports the scoring phase alone (``runs[-1].seconds`` in the manifest:
first task submitted to last result, without cluster start-up), and for every run the CPU
seconds of all its processes (articles per CPU second depends much less on what else the
machine runs than wall-clock rates do). It checks that the bulk results are byte-identical
to the CLI's, prints a table and writes bench/out/bulk.json. The configurations run
``--rounds`` times, interleaved; each keeps its fastest round. Outputs go to
bench/out/tmp/bulk/ (deleted unless --keep).
"""
from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import os
import platform
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from bench._common import _git_commit  # noqa: E402

WORK = ROOT / "bench" / "out" / "tmp" / "bulk"
VOA = ROOT / "training" / "data" / "voa_stories.jsonl"


def make_input(repeat: int) -> tuple[Path, Path, int]:
    stories = [json.loads(line) for line in VOA.read_text(encoding="utf-8").splitlines()]
    lines = []
    for k in range(repeat):
        for s in stories:
            lines.append(json.dumps({"id": f"{s['id']}-{k}", "text": s["text"], "title": s["title"],
                                     "published": s["published"][:10]}, ensure_ascii=False))
    data = ("\n".join(lines) + "\n").encode("utf-8")
    plain, packed = WORK / "input.jsonl", WORK / "input.jsonl.gz"
    plain.write_bytes(data)
    packed.write_bytes(gzip.compress(data, compresslevel=6))
    return plain, packed, len(lines)


def timed(cmd: list[str]) -> tuple[float, float]:
    """(wall seconds, CPU seconds) of a command and every process it started and reaped (Dask's
    scheduler thread, nannies and worker processes included)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    seconds = time.perf_counter() - t
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if proc.returncode != 0:
        sys.exit(f"failed ({proc.returncode}): {' '.join(cmd)}\n{proc.stderr[-2000:]}")
    return seconds, (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)


def sha_of_lines(paths: list[Path]) -> str:
    h = hashlib.sha256()
    for p in paths:
        h.update(p.read_bytes())
    return h.hexdigest()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--repeat", type=int, default=72, help="copies of the 70 VOA stories (default 72: 5,040)")
    ap.add_argument("--partition-lines", type=int, default=1000)
    ap.add_argument("--no-explain", action="store_true")
    ap.add_argument("--rounds", type=int, default=2, help="times each configuration runs, interleaved (best kept)")
    ap.add_argument("--keep", action="store_true", help="keep bench/out/tmp/bulk/ (input and CLI output)")
    args = ap.parse_args()

    shutil.rmtree(WORK, ignore_errors=True)
    WORK.mkdir(parents=True)
    plain, packed, n = make_input(args.repeat)
    extra = ["--no-explain"] if args.no_explain else []
    py = [sys.executable, "-m", "scoring"]

    load_before = os.getloadavg()
    configs = [("CLI, 1 process", plain, 0), ("bulk, 1 worker", plain, 1), ("bulk, 2 workers", plain, 2),
               ("bulk, 2 workers, gzip", packed, 2)]
    best: dict[str, dict] = {}
    cli_sha = None
    for rnd in range(args.rounds):  # rounds interleave the configurations, so a busy spell hits them all
        for name, src, workers in configs:
            if not workers:
                out = WORK / "cli.jsonl"
                cmd = py + ["score", "--input", str(src), "--output", str(out), "--quiet"] + extra
                seconds, cpu = timed(cmd)
                cli_sha = sha_of_lines([out])
                run = {"name": name, "command": cmd, "seconds": seconds, "cpu_seconds": cpu}
            else:
                out = WORK / f"bulk-{workers}{'-gz' if src is packed else ''}-{rnd}"
                cmd = py + ["bulk", "--input", str(src), "--output", str(out), "--workers", str(workers), "--quiet",
                            "--partition-lines", str(args.partition_lines)] + extra
                seconds, cpu = timed(cmd)
                man = json.loads((out / "manifest.json").read_text())
                assert man["status"] == "complete" and man["counts"]["scored"] == n, man["counts"]
                same = sha_of_lines([out / p["output"] for p in man["partitions"]]) == cli_sha
                if not same:
                    sys.exit(f"{name}: results differ from the CLI's")
                run = {"name": name, "command": cmd, "seconds": seconds, "cpu_seconds": cpu,
                       "scoring_seconds": man["runs"][-1]["seconds"], "partitions": man["counts"]["partitions"],
                       "identical_to_cli": same}
                model = man["model"]
                shutil.rmtree(out)
            print(f"round {rnd + 1}: {name}: {seconds:.1f} s wall, {cpu:.1f} s CPU", file=sys.stderr)
            run["all_seconds"] = best.get(name, {}).get("all_seconds", []) + [round(seconds, 2)]
            if name not in best or seconds < best[name]["seconds"]:
                best[name] = run
            else:
                best[name]["all_seconds"] = run["all_seconds"]
    runs = [best[name] for name, _, _ in configs]

    base = runs[0]["seconds"]
    for r in runs:
        r["articles_per_s"] = round(n / r["seconds"], 1)
        r["speedup_vs_cli"] = round(base / r["seconds"], 2)
        if r.get("scoring_seconds"):
            r["scoring_articles_per_s"] = round(n / r["scoring_seconds"], 1)
        r["articles_per_cpu_s"] = round(n / r["cpu_seconds"], 1)
        r["seconds"], r["cpu_seconds"] = round(r["seconds"], 2), round(r["cpu_seconds"], 2)
        r["command"] = " ".join(["python", "-m", "scoring"] + [str(c).replace(str(ROOT) + "/", "")
                                                                for c in r["command"][3:]])

    import dask
    import distributed

    report = {
        "articles": n, "input_mb": round(plain.stat().st_size / 1e6, 1), "explain": not args.no_explain,
        "partition_lines": args.partition_lines,
        "model": model, "rounds": args.rounds, "note": "per configuration: the fastest of its rounds; all_seconds lists every round",
        "machine": {"cpus": os.cpu_count(), "processor": platform.processor() or platform.machine(),
                    "python": platform.python_version(), "dask": dask.__version__,
                    "distributed": distributed.__version__, "git_commit": _git_commit()},
        "load_average_1min": {"before": round(load_before[0], 2), "after": round(os.getloadavg()[0], 2),
                              "note": "other processes on this machine share its cores; above ~0.5 the "
                                      "numbers are lower than on an idle machine"},
        "command": " ".join(["python", "bench/bench_bulk.py", *sys.argv[1:]]),
        "runs": runs,
    }
    print(f"{n} articles ({report['input_mb']} MB), explain={report['explain']}, {os.cpu_count()} CPUs, "
          f"load average {load_before[0]:.1f} before, {os.getloadavg()[0]:.1f} after")
    print(f"{'run':<24}{'wall s':>8}{'articles/s':>12}{'vs CLI':>8}{'scoring phase /s':>18}{'CPU s':>8}"
          f"{'articles/CPU s':>16}")
    for r in runs:
        print(f"{r['name']:<24}{r['seconds']:>8.1f}{r['articles_per_s']:>12.1f}{r['speedup_vs_cli']:>7.2f}x"
              f"{r.get('scoring_articles_per_s', float('nan')):>18.1f}{r['cpu_seconds']:>8.1f}"
              f"{r['articles_per_cpu_s']:>16.1f}")
    dest = ROOT / "bench" / "out" / "bulk.json"
    dest.write_text(json.dumps(report, indent=2) + "\n")
    print(f"wrote {dest.relative_to(ROOT)}")
    if not args.keep:
        shutil.rmtree(WORK, ignore_errors=True)


if __name__ == "__main__":
    main()
