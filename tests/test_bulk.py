"""Bulk scoring on Dask (scoring/bulk.py) on a local cluster of 2 worker processes.

Checks: results equal scoring the same articles one at a time with the library (exact JSON);
bad lines go to errors.jsonl with source and line, refused as the CLI refuses them; the
Scorer is loaded once per worker; a rerun skips complete partitions; a killed run restarts to
completion without duplicates; a run with failures is never marked complete; parquet output.
"""
from __future__ import annotations

import gzip
import io
import json
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tension_cli import bulk
from tension_cli.lines import score_stream
from tension_cli.main import main
from scoring.jsonout import dumps
from scoring.schemas import validate_article

ROOT = Path(__file__).resolve().parent.parent
VOA = ROOT / "training" / "data" / "voa_stories.jsonl"


@pytest.fixture(scope="module")
def cluster():
    """One local Dask cluster for the whole module: (scheduler address, client)."""
    from distributed import Client, LocalCluster

    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=":0") as lc, \
            Client(lc, set_as_default=False) as client:
        yield lc.scheduler_address, client


def _stories() -> list[dict]:
    return [json.loads(line) for line in VOA.read_text(encoding="utf-8").splitlines()]


def _good(i: int, story: dict, length: int | None = None) -> str:
    art = {"id": f"a{i:04d}", "text": story["text"][:length] if length else story["text"], "title": story["title"],
           "published": story["published"][:10]}
    if i % 5 == 3:
        art["explain"] = False
    return json.dumps(art, ensure_ascii=False)


BAD = ["{not json", "", json.dumps({"id": "no-text"}), json.dumps(["a list"]),
       json.dumps({"id": "too-long", "text": "x" * 200_001}), json.dumps({"text": "Fine.", "colour": "red"}),
       json.dumps({"id": "blank", "text": "   "}), json.dumps({"text": "Iran.", "published": "14 March"})]


def _lines(start: int, n_good: int, bad_every: int, length: int | None) -> list[str]:
    stories, out, bad = _stories(), [], iter(BAD * 10)
    for k in range(n_good):
        out.append(_good(start + k, stories[(start + k) % len(stories)], length and length + (k * 97) % 700))
        if bad_every and k % bad_every == bad_every - 1:
            out.append(next(bad))
    return out


def _write(path: Path, lines: list[str]) -> Path:
    data = "".join(line + "\n" for line in lines).encode("utf-8")
    path.write_bytes(gzip.compress(data) if path.suffix == ".gz" else data)
    return path


def _expected(scorer, paths: list[Path]) -> list[str]:
    """The library's result for every valid line, one article at a time, in input order."""
    out = []
    for path in paths:
        raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
        for line in raw.decode("utf-8").splitlines():
            try:
                art = validate_article(json.loads(line))
            except Exception:
                continue
            result = scorer.score(art["text"], id=art["id"], title=art["title"], published=art["published"],
                                  explain=art["explain"])
            out.append(dumps(result, newline=False).decode())
    return out


def _outputs(out: Path) -> list[str]:
    man = json.loads((out / "manifest.json").read_text())
    lines = []
    for p in man["partitions"]:
        lines += (out / p["output"]).read_text(encoding="utf-8").splitlines()
    return lines


def _loads(client) -> dict:
    return client.run(lambda: __import__("tension_cli.bulk", fromlist=["_LOADS"])._LOADS)


def _bulk(*args) -> int:
    return main(["bulk", "--quiet", *map(str, args)])


# ---- one run over plain + gzip input with good and bad lines --------------------------------

@pytest.fixture(scope="module")
def first_run(cluster, tmp_path_factory):
    d = tmp_path_factory.mktemp("bulk")
    plain = _write(d / "a.jsonl", _lines(0, 20, 4, 300))
    packed = _write(d / "b.jsonl.gz", _lines(100, 17, 6, 300))
    out = d / "out"
    t = time.time()
    status = _bulk("--input", plain, d / "*.gz", "--output", out, "--scheduler", cluster[0], "--partition-lines", 6)
    return {"status": status, "inputs": [plain, packed], "out": out, "seconds": time.time() - t}


def test_output_equals_library_one_by_one(first_run, scorer, cluster):
    assert first_run["status"] == 1  # complete, with bad lines
    got = _outputs(first_run["out"])
    assert got == _expected(scorer, first_run["inputs"])
    assert len(got) == 37 and len({json.loads(g)["id"] for g in got}) == 37
    assert any('"explanations"' in g for g in got) and any('"explanations"' not in g for g in got)
    loads = _loads(cluster[1])
    assert len(loads) == 2 and set(loads.values()) <= {0, 1} and sum(loads.values()) >= 1, loads


def test_bad_lines_listed_with_source_and_line_like_the_cli(first_run, scorer):
    errors = [json.loads(l) for l in (first_run["out"] / "errors.jsonl").read_text().splitlines()]
    assert len(errors) == 5 + 2
    expected = []
    for path in first_run["inputs"]:
        raw = gzip.decompress(path.read_bytes()) if path.suffix == ".gz" else path.read_bytes()
        sink = io.StringIO()
        score_stream(scorer, io.StringIO(raw.decode("utf-8")), sink, explain=False)
        expected += [{"source": str(path), **row} for row in map(json.loads, sink.getvalue().splitlines())
                     if "error" in row]
    assert errors == expected
    assert [e["error"] for e in errors[:3]] == ["not JSON (Expecting property name enclosed in double quotes at column 2)",
                                               "empty line", "text: Missing data for required field."]


def test_manifest_is_complete_and_checksummed(first_run):
    out = first_run["out"]
    man = json.loads((out / "manifest.json").read_text())
    assert man["status"] == "complete"
    assert man["counts"] == {"input_files": 2, "input_files_failed": 0, "lines": 25 + 19, "partitions": 5 + 4,
                             "partitions_done": 9, "partitions_failed": 0, "scored": 37, "errors": 7}
    assert man["model"]["version"] and len(man["model"]["sha256"]) == 64
    import hashlib

    for p in man["partitions"]:
        assert p["status"] == "done"
        assert hashlib.sha256((out / p["output"]).read_bytes()).hexdigest() == p["sha256"]
    assert not list((out / "parts").glob("*.tmp-*"))


def test_rerun_skips_complete_partitions(first_run, cluster):
    out = first_run["out"]
    stamps = {p.name: p.stat().st_mtime_ns for p in (out / "parts").glob("*.jsonl")}
    t = time.time()
    assert _bulk("--input", *first_run["inputs"], "--output", out, "--scheduler", cluster[0],
                 "--partition-lines", 6) == 1
    assert time.time() - t < first_run["seconds"]
    man = json.loads((out / "manifest.json").read_text())
    assert man["status"] == "complete" and len(man["runs"]) == 2
    assert man["runs"][-1]["partitions_skipped"] == 9 and man["runs"][-1]["partitions_scored"] == 0
    assert stamps == {p.name: p.stat().st_mtime_ns for p in (out / "parts").glob("*.jsonl")}


# ---- kill and restart ---------------------------------------------------------------------

def test_killed_run_restarts_to_completion_without_duplicates(cluster, scorer, tmp_path):
    src = _write(tmp_path / "big.jsonl", _lines(0, 120, 0, 500))
    out = tmp_path / "out"
    cmd = [sys.executable, "-m", "scoring", "bulk", "--input", str(src), "--output", str(out),
           "--scheduler", cluster[0], "--partition-lines", "3", "--quiet"]
    proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.time() + 60
        while len(list(out.glob("parts/*.done.json"))) < 3:
            assert proc.poll() is None, proc.stderr.read().decode()
            assert time.time() < deadline, "no partition completed within 60 s"
            time.sleep(0.02)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.stderr.close()
    time.sleep(1.0)  # tasks that were running on the workers finish after their client died
    done_after_kill = len(list(out.glob("parts/*.done.json")))
    assert done_after_kill < 40, "the run finished before it could be killed: make the input bigger"
    man = json.loads((out / "manifest.json").read_text())
    assert man["status"] == "partial"

    assert _bulk("--input", src, "--output", out, "--scheduler", cluster[0], "--partition-lines", 3) == 0
    man = json.loads((out / "manifest.json").read_text())
    assert man["status"] == "complete" and man["counts"]["partitions_done"] == 40
    assert man["runs"][-1]["partitions_skipped"] >= done_after_kill >= 3
    got = _outputs(out)
    ids = [json.loads(g)["id"] for g in got]
    assert ids == [f"a{i:04d}" for i in range(120)]
    assert got == _expected(scorer, [src])
    assert len(list(out.glob("parts/*.jsonl"))) == 40 and not list(out.glob("parts/*.tmp-*"))
    assert set(_loads(cluster[1]).values()) <= {0, 1}  # still one Scorer per worker, over all runs


# ---- failures: never complete, then finished by a rerun -------------------------------------

def test_unreadable_input_leaves_a_partial_run_that_a_rerun_completes(cluster, tmp_path, capsys):
    good = _write(tmp_path / "a.jsonl", _lines(0, 6, 0, 200))
    broken = tmp_path / "b.jsonl.gz"
    broken.write_bytes(gzip.compress("".join(l + "\n" for l in _lines(6, 6, 0, 200)).encode())[:-30])
    out = tmp_path / "out"
    args = ["--input", good, broken, "--output", out, "--scheduler", cluster[0], "--partition-lines", 4]
    assert _bulk(*args) == 3
    err = capsys.readouterr().err
    assert "INCOMPLETE" in err and "rerun the same command" in err and "b.jsonl.gz" in err
    man = json.loads((out / "manifest.json").read_text())
    assert man["status"] == "partial" and man["counts"]["partitions_done"] == 2
    assert "ended before" in man["inputs"][1]["error"] or "EOFError" in man["inputs"][1]["error"]

    _write(broken, _lines(6, 6, 0, 200))  # fixed
    assert _bulk(*args) == 0
    man = json.loads((out / "manifest.json").read_text())
    assert man["status"] == "complete" and man["counts"]["scored"] == 12
    assert [json.loads(g)["id"] for g in _outputs(out)] == [f"a{i:04d}" for i in range(12)]


def test_failing_partitions_leave_a_partial_run(cluster, tmp_path, capsys):
    src = _write(tmp_path / "a.jsonl", _lines(0, 8, 0, 200))
    out = tmp_path / "out"
    empty_models = tmp_path / "nomodels"
    empty_models.mkdir()
    args = ["--input", src, "--output", out, "--scheduler", cluster[0], "--partition-lines", 4]
    assert _bulk(*args, "--worker-models", empty_models) == 3
    man = json.loads((out / "manifest.json").read_text())
    assert man["status"] == "partial" and man["counts"]["partitions_failed"] == 2
    assert all(p["status"] == "failed" and "not found" in p["error"] for p in man["partitions"])
    err = capsys.readouterr().err
    assert err.count("failed: ModelError: model version") == 1, err  # said once, not once per partition
    assert not list(out.glob("parts/*.jsonl"))
    assert _bulk(*args) == 0
    assert json.loads((out / "manifest.json").read_text())["status"] == "complete"


def test_scoring_failure_of_one_article_is_a_bad_line_not_a_failed_partition(scorer, tmp_path):
    class Poisoned:
        def score_batch(self, arts, explain=True):
            if any("POISON" in a["text"] for a in arts):
                raise RuntimeError("boom")
            return scorer.score_batch(arts, explain=explain)

    lines = _lines(0, 5, 0, 200)
    lines.insert(2, json.dumps({"id": "p", "text": "POISON pill."}))
    src = _write(tmp_path / "a.jsonl", lines)
    out = tmp_path / "out"
    (out / "parts").mkdir(parents=True)
    settings = {"model": scorer.model_info, "format": "jsonl", "explain": True, "partition_lines": 10}
    key = ("poisoned-test", scorer.model.version, scorer.model.sha256)
    bulk._SCORERS[key] = Poisoned()
    try:
        [part] = bulk._partitions([{**bulk.expand_inputs([str(src)])[0], "lines": 6, "offsets": [0]}], 10)
        marker = bulk.score_partition({**part, "output": str(out), "models": key[0], "model": scorer.model_info,
                                       "format": "jsonl", "explain": True, "batch_size": 64, "settings": settings})
    finally:
        del bulk._SCORERS[key]
    assert (marker["scored"], marker["errors"]) == (5, 1)
    [err] = [json.loads(l) for l in (out / marker["errors_file"]).read_text().splitlines()]
    assert err == {"source": str(src), "line": 3, "id": "p", "error": "scoring failed (RuntimeError: boom)"}
    assert (out / marker["output"]).read_text().splitlines() == _expected(scorer, [src])[:2] + _expected(scorer, [src])[3:]


# ---- refusals with a clear message ----------------------------------------------------------

def test_usage_errors(first_run, tmp_path, capsys, monkeypatch):
    src = first_run["inputs"][0]
    assert _bulk("--input", tmp_path / "nothing-*.jsonl", "--output", tmp_path / "o") == 2
    assert "no files match" in capsys.readouterr().err
    assert _bulk("--input", "-", "--output", tmp_path / "o") == 2
    assert "not standard input" in capsys.readouterr().err
    assert _bulk("--input", tmp_path, "--output", tmp_path / "o") == 2
    assert "is a directory" in capsys.readouterr().err
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x.txt").write_text("x")
    assert _bulk("--input", src, "--output", tmp_path / "full") == 2
    assert "new or empty --output" in capsys.readouterr().err
    # an output started with other settings is not mixed with this run's
    assert _bulk("--input", *first_run["inputs"], "--output", first_run["out"], "--partition-lines", 6,
                 "--no-explain") == 2
    assert "--no-explain" in capsys.readouterr().err
    assert _bulk("--input", src, "--output", first_run["out"], "--partition-lines", 6) == 2
    assert "inputs differ" in capsys.readouterr().err
    assert _bulk("--input", src, "--output", tmp_path / "o", "--scheduler", "tcp://127.0.0.1:9",
                 "--connect-timeout", "1") == 2
    assert "cannot reach the Dask scheduler" in capsys.readouterr().err
    assert _bulk("--input", src, "--output", tmp_path / "o", "--workers", "2", "--scheduler", "tcp://x:1") == 2
    assert "local cluster only" in capsys.readouterr().err
    assert _bulk("--input", src, "--output", tmp_path / "o", "--model", "../etc") == 2
    assert "plain directory name" in capsys.readouterr().err
    monkeypatch.setitem(sys.modules, "pyarrow", None)
    monkeypatch.setitem(sys.modules, "pyarrow.parquet", None)
    assert _bulk("--input", src, "--output", tmp_path / "o", "--format", "parquet") == 2
    assert "pip install pyarrow" in capsys.readouterr().err


# ---- parquet --------------------------------------------------------------------------------

def test_parquet_round_trips_to_the_library_json(first_run, cluster, scorer, tmp_path):
    pq = pytest.importorskip("pyarrow.parquet")
    src = first_run["inputs"][1]
    out = tmp_path / "pq"
    assert _bulk("--input", src, "--output", out, "--scheduler", cluster[0], "--partition-lines", 6,
                 "--format", "parquet") == 1
    man = json.loads((out / "manifest.json").read_text())
    rows = []
    for p in man["partitions"]:
        assert p["output"].endswith(".parquet")
        table = pq.read_table(out / p["output"])
        assert table.schema.names == list(bulk.PARQUET_COLUMNS)
        for row in table.to_pylist():
            rows.append(dumps({k: row[k] if k == "id" else json.loads(row[k]) for k in bulk.PARQUET_COLUMNS},
                              newline=False).decode())
    assert rows == _expected(scorer, [src])


# ---- without --scheduler: its own local cluster ----------------------------------------------

def test_own_local_cluster_when_no_scheduler_is_given(scorer, tmp_path, capsys):
    src = _write(tmp_path / "a.jsonl", _lines(0, 4, 0, 300))
    out = tmp_path / "out"
    assert main(["bulk", "--input", str(src), "--output", str(out), "--workers", "1", "--partition-lines", "2"]) == 0
    err = capsys.readouterr().err
    assert "local cluster of 1 worker processes" in err and "2/2 partitions" in err and "complete" in err
    assert _outputs(out) == _expected(scorer, [src])
    man = json.loads((out / "manifest.json").read_text())
    assert man["status"] == "complete" and man["runs"][-1]["scheduler"] == "local"
