"""The command line: quick look, streaming files, bad lines reported without stopping."""
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tension_cli.lines import score_stream
from tension_cli.main import main

ROOT = Path(__file__).resolve().parent.parent


def test_quick_look_pretty_prints(capsys):
    assert main(["score", "Japan and Australia signed a defence pact."]) == 0
    out = capsys.readouterr().out
    assert out.startswith("{\n") and json.loads(out)["passages"]


def test_a_plain_text_file(tmp_path, capsys):
    article = tmp_path / "article.txt"
    article.write_text("Iraqi warplanes attacked Iranian oil installations on Kharg Island.\n", encoding="utf-8")
    assert main(["score", "--text-file", str(article), "--published", "1987-03-03"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["passages"][0]["countries"] == ["IRN", "IRQ"]
    # a file's name given as TEXT is a mistake, said as such (not scored as the words "article.txt")
    assert main(["score", str(article)]) == 2
    assert "--text-file" in capsys.readouterr().err
    assert main(["score", "--text-file", str(tmp_path / "missing.txt")]) == 2
    assert main(["score", "some text", "--text-file", str(article)]) == 2
    assert "not both" in capsys.readouterr().err


def test_a_text_file_is_read_as_utf8_from_a_file_and_a_pipe(tmp_path, capsys):
    # a byte-order mark (Notepad's) is no part of the text, and a byte that is not UTF-8 is replaced,
    # from a file and from standard input alike (a strict UTF-8 stdin raised UnicodeDecodeError)
    data = b"\xef\xbb\xbfRussia \xff shelled Kharkiv."
    article = tmp_path / "article.txt"
    article.write_bytes(data)
    assert main(["score", "--text-file", str(article), "--no-explain"]) == 0
    from_file = json.loads(capsys.readouterr().out)
    proc = subprocess.run([sys.executable, "-m", "scoring", "score", "--text-file", "-", "--no-explain"],
                          input=data, capture_output=True, cwd=ROOT, timeout=60,
                          env={**os.environ, "PYTHONIOENCODING": "utf-8"})
    assert proc.returncode == 0, proc.stderr.decode()
    for result in (from_file, json.loads(proc.stdout)):
        assert result["passages"][0]["text"] == "Russia \ufffd shelled Kharkiv."
        assert result["countries"][0]["mentions"][0] == {"start": 0, "end": 6, "text": "Russia"}


def test_paths_given_as_text_are_refused(tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "my story.txt").write_text("Russia shelled Kharkiv.", encoding="utf-8")
    (tmp_path / "articles").mkdir()
    assert main(["score", "my story.txt"]) == 2  # a file's name with a space is still a file's name
    assert "--text-file 'my story.txt'" in capsys.readouterr().err
    assert main(["score", "articles"]) == 2
    assert "directory" in capsys.readouterr().err
    # --text-file with --input: said as such, and before standard input is read
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(b"not read")))
    assert main(["score", "--text-file", "-", "--input", "in.jsonl"]) == 2
    assert "either --input or --text-file" in capsys.readouterr().err
    assert sys.stdin.read() == "not read"


def test_stream_keeps_order_and_reports_bad_lines(scorer, tmp_path, capsys):
    lines = [json.dumps({"id": "a", "text": "Russia shelled Ukrainian towns."}), "{not json",
             json.dumps({"id": "b"}), "", json.dumps({"id": "c", "text": "Japan and the U.S. held joint drills."}),
             json.dumps(["a list"])]
    out = io.StringIO()
    done, bad = score_stream(scorer, iter(l + "\n" for l in lines), out, batch_size=2)
    assert (done, bad) == (6, 4)
    rows = [json.loads(l) for l in out.getvalue().splitlines()]
    assert len(rows) == 6
    assert rows[0]["id"] == "a" and "passages" in rows[0]
    assert rows[1]["line"] == 2 and "not JSON" in rows[1]["error"]
    assert rows[2]["line"] == 3 and rows[2]["id"] == "b" and "text" in rows[2]["error"]
    assert rows[3]["line"] == 4
    assert rows[4]["id"] == "c"
    assert rows[5]["line"] == 6
    err = capsys.readouterr().err
    assert "line 2:" in err and "line 3:" in err


def test_files_and_exit_status(tmp_path):
    src = tmp_path / "in.jsonl"
    dst = tmp_path / "out.jsonl"
    src.write_text(json.dumps({"id": "x", "text": "China's coast guard rammed a Philippine boat."}) + "\n")
    assert main(["score", "--input", str(src), "--output", str(dst), "--no-explain"]) == 0
    row = json.loads(dst.read_text())
    assert row["id"] == "x" and "explanations" not in row["passages"][0]
    src.write_text("oops\n")
    assert main(["score", "--input", str(src), "--output", str(dst)]) == 1


def test_bad_bytes_on_standard_input_are_replaced_not_fatal():
    line = b'{"id": "p", "text": "Iran detained two journalists \xff in Tehran."}\n'
    proc = subprocess.run([sys.executable, "-m", "scoring", "score", "--input", "-", "--output", "-"],
                          input=line, capture_output=True, cwd=ROOT, timeout=60,
                          env={**os.environ, "PYTHONIOENCODING": "utf-8"})  # a strict standard input
    assert proc.returncode == 0, proc.stderr.decode()
    assert json.loads(proc.stdout)["id"] == "p"


def test_stdin_stdout_in_a_subprocess():
    proc = subprocess.run([sys.executable, "-m", "scoring", "score", "--input", "-", "--output", "-"],
                          input=json.dumps({"id": "p", "text": "Iran detained two journalists."}) + "\n",
                          capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["id"] == "p"


def test_usage_errors(tmp_path, capsys):
    assert main(["score"]) == 2
    assert main(["score", "--input", str(tmp_path / "missing.jsonl")]) == 2
    assert main(["score", "--model", "../etc", "hello"]) == 2
    assert "plain directory name" in capsys.readouterr().err


@pytest.mark.parametrize("argv", [
    ["score", "--batch-size", "0"],
    ["bulk", "--input", "x", "--output", "y", "--batch-size", "-3"],
    ["score", "--batch-size", "many"],
])
def test_batch_size_must_be_a_positive_whole_number(argv, capsys):
    with pytest.raises(SystemExit) as exc:
        main(argv)
    assert exc.value.code == 2
    assert "argument --batch-size: must be" in capsys.readouterr().err


def test_store_rescore_batch_size_too():
    from tension_cli.store import main as store_main

    with pytest.raises(SystemExit) as exc:
        store_main(["rescore", "--batch-size", "0"])
    assert exc.value.code == 2
