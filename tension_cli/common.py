"""What every ``tension`` subcommand shares: loading the model, reading input, argument types."""
from __future__ import annotations

import argparse
import io
import sys

from scoring.model import ModelError


def load_scorer(version: str | None, models: str | None):
    """The verified Scorer, or None after printing the one-line reason (commands then exit 2)."""
    from scoring import Scorer

    try:
        return Scorer.load(version=version, models=models)
    except ModelError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return None


def positive_int(text: str) -> int:
    """argparse type for counts such as --batch-size: a whole number of at least 1."""
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"must be a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, got {value}")
    return value


def open_lines(path: str):
    """A JSON-lines input as text: the file at ``path``, or standard input for ``-``, both read as
    UTF-8 with bad bytes replaced (a strict standard input would stop the run with a traceback at
    the first bad byte; a file never did). Raises OSError for a file that cannot be opened."""
    if path != "-":
        return open(path, encoding="utf-8", errors="replace")
    buffer = getattr(sys.stdin, "buffer", None)
    return sys.stdin if buffer is None else io.TextIOWrapper(buffer, encoding="utf-8", errors="replace")
