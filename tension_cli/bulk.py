"""``tension bulk``: score whole archives on Dask (``python -m scoring bulk`` is the same command).

    tension bulk --input 'archive/2024-*.jsonl.gz' --output out/2024            # all local cores
    tension bulk --input 's3://news/2024/*.jsonl.gz' --output s3://res/2024 \\
        --scheduler tcp://scheduler:8786                                                   # a Dask cluster

Inputs are JSON-lines files like the CLI's (plain, or compressed with an extension fsspec
recognises such as ``.gz``; local paths or any fsspec URL whose package is installed). Each
file is cut into partitions of ``--partition-lines`` lines, so one big file spreads over all
workers too. Every partition is one Dask task that scores its lines with the same
:class:`~scoring.scorer.Scorer` as the library (loaded once per worker process and kept:
:func:`_scorer`), validating each line with the CLI's own parser (``tension_cli.lines.parse_line``),
and writes into ``DIR/parts/``:

- ``<id>.jsonl`` (or ``<id>.parquet``): the results of its good lines, in input order,
  exactly the JSON the library returns;
- ``<id>.errors.jsonl`` (only when it had bad lines): ``{"source", "line", "id", "error"}``;
- ``<id>.done.json``: the done marker (counts, sizes, sha256s, settings), written last.

Every file is written under a temporary name and renamed when whole, and the marker comes
after the data, so a partition either has a valid marker and complete files or is redone.
The client keeps ``DIR/manifest.json`` (inputs, partitions, counts, model, runs, and
``status``: ``complete`` only once every partition of every input is done; ``partial``
otherwise, including while a run is going) and, at the end of a run, ``DIR/errors.jsonl``
(all bad lines, in input order). A rerun with the same command skips complete partitions.

Without ``--scheduler`` a :class:`distributed.LocalCluster` uses one single-threaded worker
process per core (scoring is CPU-bound Python). Dask is imported inside the functions that
need it, so ``import scoring`` stays light. Exit status: 0 complete, 1 complete but some lines
were bad, 2 usage, model or storage errors, 3 incomplete (some partitions failed or the run was
interrupted: rerun the same command to finish it). Guide, scaling and cluster set-up: docs/bulk.md.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import logging
import os
import re
import socket
import sys
import threading
import time
import uuid
from datetime import datetime, timezone

from scoring.gcpause import gc_paused
from scoring.jsonout import dumps
from scoring.model import ModelError

from .common import positive_int
from .lines import parse_line

FORMATS = ("jsonl", "parquet")
MANIFEST_FILE = "manifest.json"
ERRORS_FILE = "errors.jsonl"
PARTS_DIR = "parts"
DEFAULT_PARTITION_LINES = 1000
PARQUET_COLUMNS = ("id", "model", "passages", "countries", "organisations", "pairs")
_GLOB = re.compile(r"[*?\[]")
_PYARROW_HINT = "--format parquet needs pyarrow: pip install pyarrow==26.0.1 (or use --format jsonl)"


class BulkError(Exception):
    """A problem the user can fix (inputs, output directory, scheduler); the message says how."""


# ---- worker side -------------------------------------------------------------------------

_SCORERS: dict = {}
_SCORER_LOCK = threading.Lock()
_LOADS = 0  # scorers loaded by this process (the tests check it stays at one per worker)


def _scorer(models: str, version: str, sha256: str):
    """The worker-local Scorer for this exact model, loaded (and sha256-verified) once per process."""
    global _LOADS
    key = (models, version, sha256)
    with _SCORER_LOCK:
        scorer = _SCORERS.get(key)
        if scorer is None:
            from scoring import Scorer

            scorer = Scorer.load(version=version, models=models)
            if scorer.model.sha256 != sha256:
                raise ModelError(f"model {version} in {models} on {socket.gethostname()} has sha256 "
                                 f"{scorer.model.sha256[:12]}, the client's has {sha256[:12]}: every machine must "
                                 "have the same model files")
            _SCORERS[key] = scorer
            _LOADS += 1
        return scorer


def _fs(url: str):
    import fsspec

    return fsspec.core.url_to_fs(url)


def _join(root: str, *names: str) -> str:
    return "/".join([root.rstrip("/"), *names])


def _write_atomic(fs, path: str, data: bytes) -> None:
    tmp = f"{path}.tmp-{uuid.uuid4().hex[:12]}"
    with fs.open(tmp, "wb") as f:
        f.write(data)
    fs.mv(tmp, path)


def _sha256_of(fs, path: str) -> str:
    h = hashlib.sha256()
    with fs.open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def index_file(url: str, compression: str | None, partition_lines: int) -> dict:
    """Count the lines of one input; for an uncompressed file also the byte offset of each partition."""
    import fsspec

    lines = pos = 0
    offsets = []
    with fsspec.open(url, "rb", compression=compression) as f:
        for raw in f:
            if lines % partition_lines == 0:
                offsets.append(pos)
            lines += 1
            pos += len(raw)
    return {"lines": lines, "offsets": None if compression else offsets}


class _JsonlWriter:
    def __init__(self, fs, path: str):
        self.f, self.h, self.bytes = fs.open(path, "wb"), hashlib.sha256(), 0

    def write(self, results: list[dict]) -> None:
        data = b"".join(map(dumps, results))
        self.f.write(data)
        self.h.update(data)
        self.bytes += len(data)

    def close(self) -> str:
        self.f.close()
        return self.h.hexdigest()


class _ParquetWriter:
    """One row per result: ``id`` as a string, the nested fields as JSON strings (``json.loads``
    of each gives back exactly the library's value). Row groups of one scoring batch."""

    def __init__(self, fs, path: str):
        try:
            import pyarrow as pa
            import pyarrow.parquet as pq
        except ImportError:
            raise BulkError(f"{_PYARROW_HINT} (on worker {socket.gethostname()})") from None
        self.pa, self.fs, self.path = pa, fs, path
        self.schema = pa.schema([(c, pa.string()) for c in PARQUET_COLUMNS])
        self.f = fs.open(path, "wb")
        self.w = pq.ParquetWriter(self.f, self.schema, compression="zstd")

    def write(self, results: list[dict]) -> None:
        cols = {"id": [r.get("id") for r in results]}
        for c in PARQUET_COLUMNS[1:]:
            cols[c] = [dumps(r[c], newline=False).decode() for r in results]
        self.w.write_table(self.pa.table(cols, schema=self.schema))

    def close(self) -> str:
        self.w.close()
        self.f.close()
        return _sha256_of(self.fs, self.path)


def _score_articles(scorer, arts: list[tuple[int, dict]], explain: bool, source: str, errors: list) -> list[dict]:
    """Results for ``arts`` [(line, article)]. If the batch fails, each article is retried alone and
    one that still fails becomes a bad line instead of failing the partition."""
    try:
        return scorer.score_batch([a for _, a in arts], explain=explain)
    except Exception:
        if len(arts) == 1:
            lineno, art = arts[0]
            try:
                return scorer.score_batch([art], explain=explain)
            except Exception as exc:
                errors.append({"source": source, "line": lineno, "id": art.get("id"),
                               "error": f"scoring failed ({type(exc).__name__}: {exc})"})
                return []
        out = []
        for item in arts:
            out.extend(_score_articles(scorer, [item], explain, source, errors))
        return out


def score_partition(task: dict) -> dict:
    """Score one partition and write its files (see the module docstring); returns its done marker."""

    started = time.time()
    scorer = _scorer(task["models"], task["model"]["version"], task["model"]["sha256"])
    fs, root = _fs(task["output"])
    parts = _join(root, PARTS_DIR)
    pid, source, first, count = task["id"], task["source"], task["first_line"], task["lines"]
    ext = "parquet" if task["format"] == "parquet" else "jsonl"
    names = {"output": f"{PARTS_DIR}/{pid}.{ext}", "errors_file": f"{PARTS_DIR}/{pid}.errors.jsonl"}
    out_path, err_path = _join(root, names["output"]), _join(root, names["errors_file"])
    tmp = f"{out_path}.tmp-{uuid.uuid4().hex[:12]}"

    src_fs, src_path = _fs(source)
    if src_fs.size(src_path) != task["source_size"]:
        raise BulkError(f"{source} changed size since this output directory was started: results would mix two "
                        "versions of it; write to a new --output directory")
    writer = _ParquetWriter(fs, tmp) if ext == "parquet" else _JsonlWriter(fs, tmp)
    explain, batch_size = task["explain"], task["batch_size"]
    errors: list[dict] = []
    pending: list[tuple[int, dict]] = []
    scored = seen = 0

    def write() -> int:
        results = _score_articles(scorer, pending, explain, source, errors)
        if results:
            writer.write(results)
        return len(results)

    def flush():
        nonlocal scored
        with gc_paused():  # the results are freed inside the pause: the collector never scans them
            scored += write()
        pending.clear()

    try:
        with src_fs.open(src_path, "rb", compression=task["compression"]) as f:
            if task["offset"] is not None:
                f.seek(task["offset"])
            else:  # a compressed stream cannot seek: read through the lines before this partition
                for _ in range(first - 1):
                    if not f.readline():
                        break
            for lineno in range(first, first + count):
                raw = f.readline()
                if not raw:
                    raise BulkError(f"{source} ended at line {lineno - 1}, but had {first + count - 1} lines "
                                    "when this output directory was started: write to a new --output directory")
                seen += 1
                line = raw.decode("utf-8", errors="replace")
                if not line.strip():
                    art, err = None, {"line": lineno, "id": None, "error": "empty line"}
                else:
                    art, err = parse_line(line, lineno)
                if err is not None:
                    errors.append({"source": source, **err})
                    continue
                art["explain"] = art.get("explain", True) and explain
                pending.append((lineno, art))
                if len(pending) >= batch_size:
                    flush()
        if pending:
            flush()
        sha = writer.close()
    except BaseException:
        try:
            writer.f.close()
            fs.rm(tmp)
        except Exception:
            pass
        raise
    fs.mv(tmp, out_path)
    errors.sort(key=lambda e: e["line"])  # a scoring failure is found after later lines were parsed
    marker = {"id": pid, "source": source, "first_line": first, "lines": count, "scored": scored,
              "errors": len(errors), "output": names["output"], "bytes": fs.size(out_path), "sha256": sha,
              "errors_file": None, "errors_sha256": None, "settings": task["settings"],
              "seconds": round(time.time() - started, 3), "worker": f"{socket.gethostname()}:{os.getpid()}"}
    if errors:
        data = "".join(json.dumps(e, ensure_ascii=False) + "\n" for e in errors).encode("utf-8")
        _write_atomic(fs, err_path, data)
        marker["errors_file"], marker["errors_sha256"] = names["errors_file"], hashlib.sha256(data).hexdigest()
    _write_atomic(fs, _join(parts, f"{pid}.done.json"), json.dumps(marker, indent=1).encode("utf-8"))
    return marker


# ---- client side -------------------------------------------------------------------------

def _now() -> str:
    return datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _is_local(fs) -> bool:
    from fsspec.implementations.local import LocalFileSystem

    return isinstance(fs, LocalFileSystem)


def _url(fs, path: str) -> str:
    return path if _is_local(fs) else fs.unstrip_protocol(path)


def expand_inputs(patterns: list[str]) -> list[dict]:
    """The input files (sorted, de-duplicated) with their size and modification stamp."""
    from fsspec.utils import infer_compression

    found: dict[str, dict] = {}
    for pattern in patterns:
        if pattern == "-":
            raise BulkError("bulk reads files (its workers read them in parallel), not standard input: write the "
                            "lines to a file, or use `tension score --input -`")
        try:
            fs, path = _fs(pattern)
        except (ImportError, ValueError) as exc:
            raise BulkError(f"cannot read {pattern}: {exc}") from None
        if _GLOB.search(path):
            paths = [p for p in fs.glob(path) if fs.isfile(p)]
            if not paths:
                raise BulkError(f"no files match {pattern}")
        elif fs.isdir(path):
            raise BulkError(f"{pattern} is a directory: give its files, e.g. '{pattern.rstrip('/')}/*.jsonl.gz'")
        elif not fs.exists(path):
            raise BulkError(f"{pattern} does not exist")
        else:
            paths = [path]
        for p in paths:
            info = fs.info(p)
            stamp = info.get("mtime") or info.get("LastModified") or info.get("last_modified") or info.get("ETag")
            url = _url(fs, p)
            found[url] = {"path": url, "compression": infer_compression(p), "size": int(info["size"]),
                          "modified": str(stamp or ""), "lines": None, "offsets": None, "error": None}
    return [found[k] for k in sorted(found)]


def _load_json(fs, path: str):
    try:
        with fs.open(path, "rb") as f:
            return json.loads(f.read().decode("utf-8"))
    except (OSError, ValueError):
        return None


def _check_resume(previous: dict, settings: dict, inputs: list[dict], output: str) -> None:
    old = previous.get("settings", {})
    if old.get("model") != settings["model"]:
        m = old.get("model") or {}
        raise BulkError(f"{output} was started with model {m.get('version')} (sha256 {str(m.get('sha256'))[:12]}), this "
                        f"run uses {settings['model']['version']} (sha256 {settings['model']['sha256'][:12]}): rerun "
                        f"with --model {m.get('version')} to finish it, or write to a new --output directory")
    for key, flag in (("format", "--format"), ("explain", "--no-explain"), ("partition_lines", "--partition-lines")):
        if old.get(key) != settings[key]:
            raise BulkError(f"{output} was started with {key} = {old.get(key)!r}, this run has {settings[key]!r}: "
                            f"use the same {flag} to finish it, or write to a new --output directory")
    before = [i["path"] for i in previous.get("inputs", [])]
    now = [i["path"] for i in inputs]
    if before != now:
        added, missing = len(set(now) - set(before)), len(set(before) - set(now))
        raise BulkError(f"the inputs differ from the ones {output} was started with ({added} added, {missing} "
                        "missing): give the same --input to finish it, or write to a new --output directory")
    for old_in, new_in in zip(previous["inputs"], inputs):
        if old_in.get("lines") is None:  # never indexed (it failed): it may have been fixed since
            continue
        if (old_in["size"], old_in["modified"]) != (new_in["size"], new_in["modified"]):
            raise BulkError(f"{new_in['path']} changed since {output} was started: results would mix two versions "
                            "of it; write to a new --output directory")
        new_in.update(lines=old_in["lines"], offsets=old_in.get("offsets"))


def _partitions(inputs: list[dict], n: int) -> list[dict]:
    parts = []
    for fi, inp in enumerate(inputs):
        if inp["lines"] is None:
            continue
        for ci, first in enumerate(range(1, inp["lines"] + 1, n)):
            parts.append({"id": f"{fi:05d}-{ci:05d}", "source": inp["path"], "source_size": inp["size"],
                          "compression": inp["compression"], "first_line": first,
                          "lines": min(n, inp["lines"] - first + 1),
                          "offset": None if inp["offsets"] is None else inp["offsets"][ci]})
    return parts


def _valid_marker(marker, part: dict, settings: dict, sizes: dict) -> bool:
    if not isinstance(marker, dict):
        return False
    same = all(marker.get(k) == part[k] for k in ("id", "source", "first_line", "lines"))
    if not same or marker.get("settings") != settings or sizes.get(marker.get("output")) != marker.get("bytes"):
        return False
    return not marker.get("errors") or marker.get("errors_file") in sizes


class _Progress:
    """One status line on stderr: rewritten in place on a terminal, every 30 s otherwise."""

    def __init__(self, enabled: bool, total_parts: int, total_lines: int):
        self.enabled, self.tty = enabled, enabled and sys.stderr.isatty()
        self.total_parts, self.total_lines = total_parts, total_lines
        self.start = self.last = time.time()

    def update(self, parts: int, lines: int, bad: int, final: bool = False) -> None:
        now = time.time()
        if not self.enabled or (not final and now - self.last < (0.5 if self.tty else 30)):
            return
        self.last = now
        rate = lines / max(now - self.start, 1e-9)
        eta = f", {(self.total_lines - lines) / rate / 60:.1f} min left" if rate and not final else ""
        msg = (f"{parts}/{self.total_parts} partitions, {lines}/{self.total_lines} lines, {bad} bad, "
               f"{rate:.0f} lines/s{eta}")
        sys.stderr.write(("\r" + msg + " " * 8 + ("\n" if final else "")) if self.tty else f"bulk: {msg}\n")
        sys.stderr.flush()


class _Run:
    """The client's state for one run: output filesystem, manifest, counts."""

    def __init__(self, fs, root: str, output: str, settings: dict, inputs: list[dict], previous: dict | None):
        self.fs, self.root, self.output, self.settings, self.inputs = fs, root, output, settings, inputs
        self.runs = list((previous or {}).get("runs", []))
        self.partitions: list[dict] = []
        self.state: dict[str, dict] = {}  # id -> marker or {"status": "failed"/"pending", ...}
        self.last_write = 0.0

    def manifest(self, status: str, run: dict) -> dict:
        parts = []
        for p in self.partitions:
            m = self.state.get(p["id"], {})
            entry = {k: p[k] for k in ("id", "source", "first_line", "lines")}
            entry["status"] = m.get("status", "done" if "sha256" in m else "pending")
            for k in ("scored", "errors", "output", "bytes", "sha256", "errors_file", "errors_sha256", "error"):
                if m.get(k) is not None:
                    entry[k] = m[k]
            parts.append(entry)
        done = [p for p in parts if p["status"] == "done"]
        counts = {"input_files": len(self.inputs), "input_files_failed": sum(1 for i in self.inputs if i["error"]),
                  "lines": sum(i["lines"] or 0 for i in self.inputs), "partitions": len(parts),
                  "partitions_done": len(done), "partitions_failed": sum(1 for p in parts if p["status"] == "failed"),
                  "scored": sum(p["scored"] for p in done), "errors": sum(p["errors"] for p in done)}
        return {"status": status, "tool": "tension bulk", "settings": self.settings,
                "model": self.settings["model"], "inputs": self.inputs, "counts": counts,
                "errors_file": ERRORS_FILE if status == "complete" or counts["errors"] else None,
                "partitions": parts, "runs": self.runs + [run]}

    def write(self, status: str, run: dict, force: bool = True) -> dict:
        now = time.time()
        man = self.manifest(status, run)
        if force or now - self.last_write >= 5:
            _write_atomic(self.fs, _join(self.root, MANIFEST_FILE), json.dumps(man, indent=1).encode("utf-8"))
            self.last_write = now
        return man


def _connect(scheduler: str | None, workers: int | None, timeout: float):
    """(client, cluster or None, description)."""
    from distributed import Client, LocalCluster

    if scheduler:
        try:
            client = Client(scheduler, timeout=timeout, set_as_default=False)
        except Exception as exc:  # OSError, TimeoutError, ValueError for a malformed address ...
            raise BulkError(f"cannot reach the Dask scheduler at {scheduler} ({type(exc).__name__}: {exc}): start "
                            "one with `dask scheduler` and workers with `dask worker ADDRESS`, or leave out "
                            "--scheduler to use this machine's cores") from None
        try:
            client.wait_for_workers(1, timeout=timeout)
        except Exception:
            client.close()
            raise BulkError(f"the Dask scheduler at {scheduler} has no workers after {timeout:.0f} s: start some "
                            f"with `dask worker {scheduler}`") from None
        return client, None, f"scheduler {scheduler}"
    n = workers or (len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1)
    # A free port for the scheduler's HTTP server (the dashboard, with bokeh), not a fixed 8787 another run may hold.
    # Worker log lines (a failed task's traceback ...) would repeat what the run reports itself.
    cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=True, dashboard_address=":0",
                           silence_logs=logging.ERROR)
    client = Client(cluster, set_as_default=False)
    return client, cluster, f"local cluster of {n} worker processes"


def _worker_pid() -> int:
    return os.getpid()


def _check_workers(client) -> None:
    """Fail early, and say how to fix it, when the scheduler or the workers cannot import this package
    (the scheduler unpickles task graphs too, so it needs the code as well)."""
    for who, call in (("scheduler", client.run_on_scheduler), ("workers", client.run)):
        try:
            call(_worker_pid)  # unpickling a tension_cli.bulk function imports tension_cli and scoring there
        except Exception as exc:
            raise BulkError(f"the Dask {who} cannot run this project's code ({type(exc).__name__}: {exc}): install "
                            f"the same version of it for `dask scheduler` and every `dask worker` (pip install "
                            "'tension-scoring[bulk]'), or start them from the project's container image") from None


def _failure(fut) -> BaseException:
    """The exception a finished-with-error (or cancelled) future stands for."""
    try:
        return fut.exception() or RuntimeError("the task failed")
    except BaseException as exc:  # CancelledError: its worker or the scheduler went away
        return exc


def _has_bokeh() -> bool:
    import importlib.util

    return importlib.util.find_spec("bokeh") is not None


def _dashboard(client) -> str | None:
    try:  # the scheduler's HTTP server runs without bokeh too, but then has no dashboard pages
        if "dashboard" in client.scheduler_info().get("services", {}) and client.run_on_scheduler(_has_bokeh):
            return client.dashboard_link
    except Exception:
        pass
    return None


def run(inputs: list[str], output: str, *, scheduler: str | None = None, workers: int | None = None,
        partition_lines: int = DEFAULT_PARTITION_LINES, fmt: str = "jsonl", explain: bool = True,
        batch_size: int = 64, model: str | None = None, models: str | None = None,
        worker_models: str | None = None, connect_timeout: float = 10.0, progress: bool = True) -> int:
    """Run (or resume) a bulk job; returns the exit status. Raises BulkError / ModelError for usage errors."""
    if partition_lines < 1:
        raise BulkError("--partition-lines must be at least 1")
    if workers is not None and (workers < 1 or scheduler):
        raise BulkError("--workers must be at least 1" if workers < 1 else
                        "--workers sizes the local cluster only: with --scheduler, start as many `dask worker` "
                        "processes as you need")
    if fmt not in FORMATS:
        raise BulkError(f"--format must be one of {', '.join(FORMATS)}")
    if fmt == "parquet":
        try:
            import pyarrow.parquet  # noqa: F401
        except ImportError:
            raise BulkError(_PYARROW_HINT) from None

    from scoring.model import Model

    mdl = Model.load(version=model, models=models)  # verifies the sha256; workers must load these bytes
    settings = {"model": {"version": mdl.version, "sha256": mdl.sha256}, "format": fmt, "explain": explain,
                "partition_lines": partition_lines}
    worker_models = worker_models or str(mdl.path.parent)
    del mdl

    files = expand_inputs(inputs)
    try:
        fs, root = _fs(output)
    except (ImportError, ValueError) as exc:
        raise BulkError(f"cannot write {output}: {exc}") from None
    previous = None
    if fs.exists(_join(root, MANIFEST_FILE)):
        previous = _load_json(fs, _join(root, MANIFEST_FILE))
        if not isinstance(previous, dict) or "settings" not in previous:
            raise BulkError(f"{output}/{MANIFEST_FILE} is not a bulk manifest: write to a new --output directory")
        _check_resume(previous, settings, files, output)
    elif fs.exists(root) and (not fs.isdir(root) or fs.ls(root)):
        raise BulkError(f"{output} exists and holds no {MANIFEST_FILE}: give a new or empty --output directory")
    try:
        fs.makedirs(_join(root, PARTS_DIR), exist_ok=True)
    except OSError as exc:
        raise BulkError(f"cannot create {output}: {exc.strerror or exc}") from None

    state = _Run(fs, root, _url(fs, root), settings, files, previous)
    run_info = {"started": _now(), "finished": None, "scheduler": scheduler or "local", "workers": None,
                "partitions_scored": 0, "partitions_skipped": 0, "partitions_failed": 0, "lines": 0,
                "seconds": None, "lines_per_second": None}
    state.write("partial", run_info)
    # Leftovers of an interrupted run: never renamed, so never taken for results.
    for p in fs.glob(_join(root, PARTS_DIR, "*.tmp-*")):
        try:
            fs.rm(p)
        except OSError:
            pass

    t0 = time.time()
    token = uuid.uuid4().hex[:8]
    dask: dict = {}  # client and cluster, started only when there is work (a complete rerun needs none)

    def connect():
        if not dask:
            dask["client"], dask["cluster"], where = _connect(scheduler, workers, connect_timeout)
            _check_workers(dask["client"])
            run_info["workers"] = len(dask["client"].scheduler_info().get("workers", {}))
            link = _dashboard(dask["client"])
            if progress:
                print(f"bulk: {where} ({run_info['workers']} workers){', dashboard ' + link if link else ''}",
                      file=sys.stderr)
        return dask["client"]

    interrupted = False
    try:
        # 1. Index the files not indexed before: in parallel, on the workers, which read the data anyway.
        unindexed = [(i, f) for i, f in enumerate(files) if f["lines"] is None]
        if unindexed:
            from distributed import as_completed

            client = connect()
            todo = {client.submit(index_file, f["path"], f["compression"], partition_lines,
                                  key=f"bulk-index-{token}-{i}", pure=False): f for i, f in unindexed}
            for fut in as_completed(list(todo), loop=client.loop):
                f = todo.pop(fut)
                if fut.status != "finished":
                    exc = _failure(fut)
                    f["error"] = f"cannot read it ({type(exc).__name__}: {exc})"
                    print(f"bulk: {f['path']}: {f['error']}", file=sys.stderr)
                else:
                    f.update(fut.result(), error=None)

        # 2. Partitions, and the ones a previous run completed.
        state.partitions = _partitions(files, partition_lines)
        sizes = {}
        for info in fs.ls(_join(root, PARTS_DIR), detail=True):
            sizes[f"{PARTS_DIR}/{info['name'].rstrip('/').rsplit('/', 1)[-1]}"] = info["size"]
        pending = []
        for p in state.partitions:
            marker_name = f"{PARTS_DIR}/{p['id']}.done.json"
            marker = _load_json(fs, _join(root, marker_name)) if marker_name in sizes else None
            if _valid_marker(marker, p, settings, sizes):
                state.state[p["id"]] = marker
            else:
                pending.append(p)
        run_info["partitions_skipped"] = len(state.partitions) - len(pending)
        if progress:
            print(f"bulk: {len(files)} input files, {sum(f['lines'] or 0 for f in files)} lines in "
                  f"{len(state.partitions)} partitions; {run_info['partitions_skipped']} already complete, "
                  f"{len(pending)} to score with model {settings['model']['version']}", file=sys.stderr)
        state.write("partial", run_info)

        # 3. Score.
        if pending:
            from distributed import as_completed

            client = connect()
            bar = _Progress(progress, len(pending), sum(p["lines"] for p in pending))
            common = {"output": state.output, "models": worker_models, "model": settings["model"], "format": fmt,
                      "explain": explain, "batch_size": batch_size, "settings": settings}
            futures = {client.submit(score_partition, {**p, **common}, key=f"bulk-{token}-{p['id']}", pure=False): p
                       for p in pending}
            t_score = time.time()
            done_lines = bad = n_done = 0
            reported: set[str] = set()
            try:
                for fut in as_completed(list(futures), loop=client.loop):
                    p = futures.pop(fut)
                    n_done += 1
                    if fut.status != "finished":
                        exc = _failure(fut)
                        message = f"{type(exc).__name__}: {exc}"
                        state.state[p["id"]] = {"status": "failed", "error": message}
                        run_info["partitions_failed"] += 1
                        if message not in reported:  # the same cause (a missing model ...) is said once
                            reported.add(message)
                            print(f"{chr(10) if bar.tty else ''}bulk: partition {p['id']} ({p['source']} lines "
                                  f"{p['first_line']}-{p['first_line'] + p['lines'] - 1}) failed: {message}"
                                  " (other partitions that fail for this reason are listed in the manifest only)",
                                  file=sys.stderr)
                    else:
                        marker = fut.result()
                        if not fs.exists(_join(root, PARTS_DIR, f"{p['id']}.done.json")):
                            raise BulkError(f"a worker wrote {marker['output']} where this machine cannot see it: "
                                            "--output must be a shared filesystem or an fsspec URL (s3://...) that "
                                            "every worker and this client can reach")
                        state.state[p["id"]] = marker
                        run_info["partitions_scored"] += 1
                        done_lines += p["lines"]
                        bad += marker["errors"]
                    run_info["lines"] = done_lines
                    bar.update(n_done, done_lines, bad)
                    state.write("partial", run_info, force=False)
            finally:
                if futures:
                    client.cancel(list(futures))
                bar.update(n_done, done_lines, bad, final=True)
                elapsed = time.time() - t_score
                run_info.update(seconds=round(elapsed, 3),
                                lines_per_second=round(done_lines / elapsed, 1) if elapsed and done_lines else None)
    except KeyboardInterrupt:
        interrupted = True
    finally:
        if dask:
            dask["client"].close()
            if dask["cluster"] is not None:
                dask["cluster"].close()
    run_info["total_seconds"] = round(time.time() - t0, 3)

    # 4. Wrap up: errors.jsonl, then the manifest (complete only if every partition of every input is done).
    run_info["finished"] = _now()
    complete = (not interrupted and all(f["error"] is None for f in files)
                and all("sha256" in state.state.get(p["id"], {}) for p in state.partitions))
    _write_errors(fs, root, state)
    man = state.write("complete" if complete else "partial", run_info)
    c = man["counts"]
    if progress or not complete:
        print(f"bulk: {'complete' if complete else 'INCOMPLETE'}: {c['scored']} articles scored, {c['errors']} bad "
              f"lines, {c['partitions_done']}/{c['partitions']} partitions done"
              + (f", {c['partitions_failed']} failed" if c["partitions_failed"] else "")
              + (f", {c['input_files_failed']} input files unreadable" if c["input_files_failed"] else "")
              + f" -> {state.output}", file=sys.stderr)
    if not complete:
        print("bulk: " + ("interrupted; " if interrupted else f"see {MANIFEST_FILE} for what failed; ")
              + "rerun the same command to finish the rest (complete partitions are kept)", file=sys.stderr)
        return 3
    if c["errors"]:
        print(f"bulk: bad lines are listed in {_join(state.output, ERRORS_FILE)}", file=sys.stderr)
    return 1 if c["errors"] else 0


def _write_errors(fs, root: str, state: _Run) -> None:
    chunks = []
    for p in state.partitions:
        m = state.state.get(p["id"], {})
        if m.get("errors") and m.get("errors_file"):
            with fs.open(_join(root, m["errors_file"]), "rb") as f:
                chunks.append(f.read())
    _write_atomic(fs, _join(root, ERRORS_FILE), b"".join(chunks))


# ---- command line --------------------------------------------------------------------------

def add_parser(sub) -> argparse.ArgumentParser:
    """The ``bulk`` subcommand."""
    bp = sub.add_parser("bulk", help="score whole archives on Dask (this machine's cores or a cluster)",
                        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    bp.add_argument("--input", "-i", nargs="+", required=True, metavar="PATH_OR_GLOB",
                    help="JSON-lines files: paths, globs (quote them) or fsspec URLs; .gz is decompressed")
    bp.add_argument("--output", "-o", required=True, metavar="DIR",
                    help="output directory (local path or fsspec URL); rerun into it to resume")
    bp.add_argument("--scheduler", metavar="ADDRESS",
                    help="Dask scheduler, e.g. tcp://host:8786 (default: a local cluster on all cores)")
    bp.add_argument("--workers", type=int, help="worker processes of the local cluster (default: all cores)")
    bp.add_argument("--format", choices=FORMATS, default="jsonl", help="result files (parquet needs pyarrow)")
    bp.add_argument("--partition-lines", type=int, default=DEFAULT_PARTITION_LINES,
                    help=f"input lines per partition, i.e. per Dask task (default {DEFAULT_PARTITION_LINES})")
    bp.add_argument("--batch-size", type=positive_int, default=64, help="articles scored together (default 64)")
    bp.add_argument("--model", help="model version (default: the one CURRENT names)")
    bp.add_argument("--models", help="models directory (default: $TENSION_MODELS_DIR, else the shipped model)")
    bp.add_argument("--worker-models", metavar="DIR",
                    help="models directory as the workers see it (default: the same path as --models)")
    bp.add_argument("--no-explain", action="store_true", help="leave out explanations (faster, smaller)")
    bp.add_argument("--connect-timeout", type=float, default=10.0, metavar="SECONDS",
                    help="wait this long for the scheduler and its first worker (default 10)")
    bp.add_argument("--quiet", "-q", action="store_true", help="no progress display")
    bp.set_defaults(func=main)
    return bp


def main(args) -> int:
    try:
        return run(args.input, args.output, scheduler=args.scheduler, workers=args.workers,
                   partition_lines=args.partition_lines, fmt=args.format, explain=not args.no_explain,
                   batch_size=args.batch_size, model=args.model, models=args.models,
                   worker_models=args.worker_models, connect_timeout=args.connect_timeout, progress=not args.quiet)
    except (BulkError, ModelError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
