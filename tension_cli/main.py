"""The tension console command: tension score | bulk | store | train | evaluate.

Each subcommand's --help shows examples. Exit status: 0 done, 1 done but some input
lines (or articles) were bad, 2 usage, model or storage errors, 3 (bulk) incomplete: rerun
the same command to finish. python -m scoring, python -m store, python -m training.train
and python -m training.evaluate are the same commands.
"""
from __future__ import annotations

import argparse
import sys

from . import bulk, score, store


TRAINING = {
    "train": ("train, calibrate and write a model bundle", "tension train --data my_passages.jsonl --models ./models"),
    "evaluate": ("measure a model against the baselines", "tension evaluate --split test --json out.json"),
}


def build_parser(prog: str = "tension") -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog=prog, description="Score news text for coercion, alliance and "
                                     "human-rights signals between countries.", epilog=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    score.add_parser(sub)
    bulk.add_parser(sub)  # Dask itself is imported only when bulk runs
    store.add_parser(sub)
    for name, (what, example) in TRAINING.items():  # run by main() itself: training parses its own arguments
        sub.add_parser(name, help=f"{what} (tension {name} --help)", description=f"{what}; e.g. {example}")
    return parser


def main(argv: list[str] | None = None, prog: str = "tension") -> int:
    argv = sys.argv[1:] if argv is None else list(argv)
    if argv and argv[0] in TRAINING:
        import importlib

        return importlib.import_module(f"training.{argv[0]}").main(argv[1:], prog=f"{prog} {argv[0]}")
    args = build_parser(prog).parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
