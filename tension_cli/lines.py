"""JSON lines in, JSON lines out: the streaming shared by ``tension score``, ``tension bulk``
and ``tension score --store``.

Each input line is a JSON object like the API's body (``{"id", "text", "title"?,
"published"?, "explain"?}``), validated with the same schema. :func:`score_stream` writes
exactly one output line per input line, in order: the result, or ``{"line", "id", "error"}``
for a line that could not be scored (also reported on stderr). Memory stays constant: lines
are read, scored in batches and written as they go.
"""
from __future__ import annotations

import json
import sys
import time

from marshmallow import ValidationError

from scoring.gcpause import gc_paused
from scoring.jsonout import dumps
from scoring.schemas import validate_article


def messages(err: ValidationError) -> str:
    msgs = err.messages
    if isinstance(msgs, dict):
        return "; ".join(f"{k}: {' '.join(map(str, v)) if isinstance(v, list) else v}" for k, v in msgs.items())
    return " ".join(map(str, msgs)) if isinstance(msgs, list) else str(msgs)


def parse_line(line: str, lineno: int, validate=validate_article):
    """One input line: ``(article, None)``, or ``(None, error dict)`` saying what is wrong with it."""
    try:
        obj = json.loads(line)
    except ValueError as exc:
        return None, {"line": lineno, "id": None, "error": f"not JSON ({exc.msg} at column {exc.colno})"}
    ident = obj.get("id") if isinstance(obj, dict) and isinstance(obj.get("id"), str) else None
    try:
        return validate(obj), None
    except ValidationError as err:
        return None, {"line": lineno, "id": ident, "error": messages(err)}


class _Progress:
    def __init__(self, enabled: bool):
        self.enabled, self.start, self.last = enabled, time.time(), 0.0

    def update(self, done: int, bad: int, final: bool = False) -> None:
        now = time.time()
        if not self.enabled or (not final and now - self.last < 0.5):
            return
        self.last = now
        rate = done / max(now - self.start, 1e-9)
        sys.stderr.write(f"\r{done} articles, {bad} bad lines, {rate:.0f} articles/s" + ("\n" if final else ""))
        sys.stderr.flush()


def score_stream(scorer, lines, out, batch_size: int = 64, explain: bool = True, progress: bool = False,
                 validate=validate_article, on_batch=None) -> tuple[int, int]:
    """Score JSON lines from ``lines`` into ``out``; returns (lines read, bad lines).

    ``validate`` checks each line's object; ``on_batch(articles, results)`` sees each scored batch (``--store``).
    """
    pending: list[tuple[dict | None, dict | None]] = []
    done = bad = 0
    bar = _Progress(progress)

    def write():
        arts = [a for a, _ in pending if a is not None]
        for a in arts:
            a["explain"] = a.get("explain", True) and explain
        scored = scorer.score_batch(arts, explain=explain) if arts else []
        if on_batch and arts:
            on_batch(arts, scored)
        results = iter(scored)
        for art, err in pending:
            out.write(dumps(next(results) if art is not None else err).decode())

    def flush():
        nonlocal done
        with gc_paused():  # the results are freed inside the pause: the collector never scans them
            write()
        done += len(pending)
        pending.clear()
        bar.update(done, bad)

    for lineno, line in enumerate(lines, 1):
        if not line.strip():
            art, err = None, {"line": lineno, "id": None, "error": "empty line"}
        else:
            art, err = parse_line(line, lineno, validate)
        if err is not None:
            bad += 1
            print(f"line {lineno}: {err['error']}", file=sys.stderr)
        pending.append((art, err))
        if len(pending) >= batch_size:
            flush()
    if pending:
        flush()
    out.flush()
    bar.update(done, bad, final=True)
    return done, bad
