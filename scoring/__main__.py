"""Command line: ``python -m scoring score ...`` and ``python -m scoring bulk ...``.

    python -m scoring score "Japan and the U.S. agreed to deepen their alliance."   # pretty JSON
    python -m scoring score --input in.jsonl --output out.jsonl                    # stream files
    cat in.jsonl | python -m scoring score --input - --output -                    # pipes
    python -m scoring score --input in.jsonl --store                               # score into the store

Input lines are JSON objects like the API's body (``{"id", "text", "title"?,
"published"?, "explain"?}``), validated the same way. Output has exactly one line per input
line, in order: the result, or ``{"line": N, "id": ..., "error": "..."}`` for a line that
could not be scored (also reported on stderr). Memory stays constant: lines are read, scored
in batches of ``--batch-size`` and written as they go. Exit status: 0 all lines scored,
1 some lines were bad, 2 usage or model errors.

``--store`` (backfills) also keeps each batch in the article store (``DATABASE_URL``, else
``instance/tension.sqlite3``; see docs/store.md), one transaction per batch: lines then need an
``id`` and may carry ``source`` and ``url``; results are written only with ``--output``.

``bulk`` scores whole archives (files, globs, gzip, fsspec URLs) in partitions on Dask, on
this machine's cores or an existing cluster, resumably: ``scoring/bulk.py``, docs/bulk.md.
"""
from __future__ import annotations

import argparse
import json
import sys
import time

from marshmallow import ValidationError

from .gcpause import gc_paused
from .jsonout import dumps
from .model import ModelError
from .schemas import validate_article


def _messages(err: ValidationError) -> str:
    msgs = err.messages
    if isinstance(msgs, dict):
        return "; ".join(f"{k}: {' '.join(map(str, v)) if isinstance(v, list) else v}" for k, v in msgs.items())
    return " ".join(map(str, msgs)) if isinstance(msgs, list) else str(msgs)


def _parse(line: str, lineno: int, validate=validate_article):
    """(article, None) or (None, error dict)."""
    try:
        obj = json.loads(line)
    except ValueError as exc:
        return None, {"line": lineno, "id": None, "error": f"not JSON ({exc.msg} at column {exc.colno})"}
    ident = obj.get("id") if isinstance(obj, dict) and isinstance(obj.get("id"), str) else None
    try:
        return validate(obj), None
    except ValidationError as err:
        return None, {"line": lineno, "id": ident, "error": _messages(err)}


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
            art, err = _parse(line, lineno, validate)
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


def load_scorer(version: str | None, models: str | None):
    """The verified Scorer, or None after printing the one-line reason (commands then exit 2)."""
    from .scorer import Scorer

    try:
        return Scorer.load(version=version, models=models)
    except ModelError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return None


def _cmd_score(args) -> int:
    scorer = load_scorer(args.model, args.models)
    if scorer is None:
        return 2
    if args.text is not None:
        if args.input:
            print("error: give either TEXT or --input, not both", file=sys.stderr)
            return 2
        if args.store:
            print("error: --store reads articles with ids from --input FILE (JSON lines), not TEXT", file=sys.stderr)
            return 2
        try:
            art = validate_article({"text": args.text, "published": args.published})
        except ValidationError as err:
            print(f"error: {_messages(err)}", file=sys.stderr)
            return 2
        result = scorer.score(art["text"], published=art["published"], explain=not args.no_explain)
        json.dump(result, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
        return 0
    if not args.input:
        print("error: give TEXT to score, or --input FILE (- for standard input)", file=sys.stderr)
        return 2
    try:
        src = sys.stdin if args.input == "-" else open(args.input, encoding="utf-8", errors="replace")
    except OSError as exc:
        print(f"error: cannot read {args.input}: {exc.strerror}", file=sys.stderr)
        return 2
    if args.store:  # imported only here: the engine and the plain CLI need no SQLAlchemy
        try:
            from store.backfill import score_into_store
        except ImportError as exc:
            print(f"error: --store needs {exc.name}: pip install -r requirements.txt", file=sys.stderr)
            return 2
        return score_into_store(scorer, args, src, score_stream)
    try:
        dst = sys.stdout if args.output in (None, "-") else open(args.output, "w", encoding="utf-8")
    except OSError as exc:
        print(f"error: cannot write {args.output}: {exc.strerror}", file=sys.stderr)
        return 2
    with src, dst:
        _, bad = score_stream(scorer, src, dst, batch_size=args.batch_size, explain=not args.no_explain,
                              progress=sys.stderr.isatty() and not args.quiet)
    return 1 if bad else 0


def positive_int(text: str) -> int:
    """argparse type for counts such as --batch-size: a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m scoring", description="Score news text for coercion, alliance "
                                     "and human-rights signals between countries.")
    sub = parser.add_subparsers(dest="command", required=True)
    sc = sub.add_parser("score", help="score one text, or a JSON-lines file", description=__doc__,
                        formatter_class=argparse.RawDescriptionHelpFormatter)
    sc.add_argument("text", nargs="?", help="a text to score (pretty-printed result)")
    sc.add_argument("--input", "-i", help="JSON-lines input file, - for standard input")
    sc.add_argument("--output", "-o", help="JSON-lines output file, - (default) for standard output")
    sc.add_argument("--published", help="publication date of TEXT (YYYY-MM-DD)")
    sc.add_argument("--model", help="model version (default: models/CURRENT)")
    sc.add_argument("--models", help="models directory (default: ./models or $TENSION_MODELS_DIR)")
    sc.add_argument("--batch-size", type=positive_int, default=64, help="articles scored together (default 64)")
    sc.add_argument("--no-explain", action="store_true", help="leave out explanations (faster)")
    sc.add_argument("--quiet", "-q", action="store_true", help="no progress display")
    sc.add_argument("--store", action="store_true", help="also keep the results in the article store "
                    "(DATABASE_URL; lines need an id; output only with --output)")
    sc.set_defaults(func=_cmd_score)
    from .bulk import add_parser as add_bulk_parser  # Dask itself is imported only when bulk runs

    add_bulk_parser(sub)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
