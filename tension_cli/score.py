"""``tension score``: score one text, or JSON-lines files as a stream.

    tension score "Japan and the U.S. agreed to deepen their alliance."   # pretty JSON
    tension score --text-file article.txt --published 1987-03-03         # a plain-text file
    tension score --input in.jsonl --output out.jsonl                    # stream files
    cat in.jsonl | tension score --input - --output -                    # pipes
    tension score --input in.jsonl --store                               # score into the store

(``python -m scoring score`` is the same command.)

Input lines are JSON objects like the API's body (``{"id", "text", "title"?,
"published"?, "explain"?}``), validated the same way. Output has exactly one line per input
line, in order: the result, or ``{"line": N, "id": ..., "error": "..."}`` for a line that
could not be scored (also reported on stderr). Memory stays constant: lines are read, scored
in batches of ``--batch-size`` and written as they go. Exit status: 0 all lines scored,
1 some lines were bad, 2 usage or model errors.

``--store`` (backfills) also keeps each batch in the article store (``DATABASE_URL``, else
``instance/tension.sqlite3``; see docs/store.md), one transaction per batch: lines then need an
``id`` and may carry ``source`` and ``url``; results are written only with ``--output``.

``tension bulk`` scores whole archives (files, globs, gzip, fsspec URLs) in partitions on
Dask, on this machine's cores or an existing cluster, resumably: ``tension_cli/bulk.py``,
docs/bulk.md.
"""
from __future__ import annotations

import argparse
import json
import os
import shlex
import sys

from marshmallow import ValidationError

from scoring.schemas import validate_article

from .common import load_scorer, open_lines, positive_int
from .lines import messages, score_stream


def _cmd_score(args) -> int:
    # the arguments are checked before the model loads (a few seconds): a mistake is said at once
    if args.text_file is not None:
        if args.text is not None or args.input:
            other = "TEXT" if args.text is not None else "--input"
            print(f"error: give either {other} or --text-file, not both", file=sys.stderr)
            return 2
        try:
            if args.text_file == "-":
                data = sys.stdin.buffer.read()
            else:
                with open(args.text_file, "rb") as f:
                    data = f.read()
        except OSError as exc:
            print(f"error: cannot read {args.text_file}: {exc.strerror}", file=sys.stderr)
            return 2
        # the same for a file and a pipe: a byte-order mark (Notepad's) is no part of the text
        args.text = data.decode("utf-8-sig", errors="replace")
    elif args.text is not None and os.path.exists(args.text):
        # a path given as TEXT would be scored as its own few characters
        if os.path.isdir(args.text):
            print(f"error: TEXT is the name of a directory ({args.text}); give the text, or a file with "
                  "--text-file PATH", file=sys.stderr)
        else:
            print(f"error: TEXT is the name of a file; to score the text in it, use --text-file "
                  f"{shlex.quote(args.text)} (or --input for a JSON-lines file)", file=sys.stderr)
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
            print(f"error: {messages(err)}", file=sys.stderr)
            return 2
        scorer = load_scorer(args.model, args.models)
        if scorer is None:
            return 2
        result = scorer.score(art["text"], published=art["published"], explain=not args.no_explain)
        json.dump(result, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
        return 0
    if not args.input:
        print("error: give TEXT to score, or --input FILE (- for standard input)", file=sys.stderr)
        return 2
    try:
        src = open_lines(args.input)
    except OSError as exc:
        print(f"error: cannot read {args.input}: {exc.strerror}", file=sys.stderr)
        return 2
    scorer = load_scorer(args.model, args.models)
    if scorer is None:
        if src is not sys.stdin:
            src.close()
        return 2
    if args.store:  # imported only here: the plain CLI needs no SQLAlchemy
        from .store import score_into_store

        return score_into_store(scorer, args, src)
    try:
        dst = sys.stdout if args.output in (None, "-") else open(args.output, "w", encoding="utf-8")
    except OSError as exc:
        print(f"error: cannot write {args.output}: {exc.strerror}", file=sys.stderr)
        return 2
    with src, dst:
        _, bad = score_stream(scorer, src, dst, batch_size=args.batch_size, explain=not args.no_explain,
                              progress=sys.stderr.isatty() and not args.quiet)
    return 1 if bad else 0


def add_parser(sub) -> argparse.ArgumentParser:
    """The ``score`` subcommand."""
    sc = sub.add_parser("score", help="score one text, or a JSON-lines file", description=__doc__,
                        formatter_class=argparse.RawDescriptionHelpFormatter)
    sc.add_argument("text", nargs="?", help="a text to score (pretty-printed result)")
    sc.add_argument("--text-file", "-f", metavar="PATH",
                    help="score the plain text of this file like TEXT (- for standard input)")
    sc.add_argument("--input", "-i", help="JSON-lines input file, - for standard input")
    sc.add_argument("--output", "-o", help="JSON-lines output file, - (default) for standard output")
    sc.add_argument("--published", help="publication date of TEXT (YYYY-MM-DD)")
    sc.add_argument("--model", help="model version (default: the one CURRENT names)")
    sc.add_argument("--models", help="models directory (default: $TENSION_MODELS_DIR, else the shipped model)")
    sc.add_argument("--batch-size", type=positive_int, default=64, help="articles scored together (default 64)")
    sc.add_argument("--no-explain", action="store_true", help="leave out explanations (faster)")
    sc.add_argument("--quiet", "-q", action="store_true", help="no progress display")
    sc.add_argument("--store", action="store_true", help="also keep the results in the article store "
                    "(DATABASE_URL; lines need an id; output only with --output)")
    sc.set_defaults(func=_cmd_score)
    return sc
