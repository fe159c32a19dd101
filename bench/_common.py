"""Shared helpers of the scorer, HTTP and start-up benchmarks (bench_scorer/bench_http/bench_startup).

- ``corpus(n)``: the VOA stories of training/data/voa_stories.jsonl (70 articles, ~4.2 KB
  each), repeated in order until there are at least ``n`` articles; the real text users
  send, not synthetic words.
- ``machine()``: what the numbers were measured on (cores, CPU model, Python, library
  versions, BLAS settings, git commit, model version), recorded in every JSON file.
- ``loadavg()``: the 1/5/15-minute load averages; every run records them at its start and
  end, since other processes may share this machine.
- ``table(rows)``: the small text table each benchmark prints.
- ``write_json(name, data)``: bench/out/<name>.json.
"""
from __future__ import annotations

import json
import os
import platform
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
STORIES = ROOT / "training" / "data" / "voa_stories.jsonl"


def stories() -> list[dict]:
    """The VOA stories as API articles: ``{"id", "text", "title", "published"}``."""
    out = []
    with STORIES.open(encoding="utf-8") as f:
        for line in f:
            s = json.loads(line)
            out.append({"id": s.get("id"), "text": s["text"], "title": s.get("title"),
                        "published": (s.get("published") or "")[:10] or None})
    return out


def corpus(n: int) -> list[dict]:
    """At least ``n`` articles: the stories repeated in order (ids made unique per copy)."""
    base = stories()
    out: list[dict] = []
    rep = 0
    while len(out) < n:
        out += [dict(a, id=f"{a['id']}-{rep}") for a in base]
        rep += 1
    return out


def utf8_bytes(articles: list[dict]) -> int:
    return sum(len(a["text"].encode("utf-8")) for a in articles)


def loadavg() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def _git_commit() -> str | None:
    """HEAD of the work tree, or BENCH_GIT_COMMIT for a tree exported without .git (git archive)."""
    if os.environ.get("BENCH_GIT_COMMIT"):
        return os.environ["BENCH_GIT_COMMIT"]
    try:
        out = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True,
                             text=True, timeout=10)
        return out.stdout.strip() or None
    except (OSError, subprocess.SubprocessError):
        return None


def _model_version() -> str | None:
    try:
        return (Path(os.environ.get("TENSION_MODELS_DIR") or ROOT / "models") / "CURRENT").read_text().strip()
    except OSError:
        return None


def machine() -> dict:
    import numpy
    import scipy

    try:
        mem_gb = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)
    except (ValueError, OSError):
        mem_gb = None
    return {
        "nproc": os.cpu_count(),
        "cpu_model": _cpu_model(),
        "memory_gb": mem_gb,
        "python": platform.python_version(),
        "platform": platform.platform(),
        "numpy": numpy.__version__,
        "scipy": scipy.__version__,
        "blas_env": {k: os.environ[k] for k in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE", "OMP_NUM_THREADS",
                                                 "OPENBLAS_NUM_THREADS") if k in os.environ},
        "git_commit": _git_commit(),
        "model_version": _model_version(),
        "argv": [Path(sys.argv[0]).name] + sys.argv[1:],
    }


def table(header: list[str], rows: list[list]) -> str:
    cells = [header] + [[str(c) for c in r] for r in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(header))]
    lines = ["  ".join(c.rjust(w) if i else c.ljust(w) for i, (c, w) in enumerate(zip(r, widths))) for r in cells]
    lines.insert(1, "  ".join("-" * w for w in widths))
    return "\n".join(lines)


def write_json(name: str, data: dict) -> Path:
    OUT.mkdir(parents=True, exist_ok=True)
    path = OUT / f"{name}.json"
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    os.replace(tmp, path)
    return path
