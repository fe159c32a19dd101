"""``tension store upgrade|rescore|stats|revision`` and ``tension score --store``: the article store
from the command line.

    tension store upgrade                      # create or migrate the database (also done on first use)
    tension store upgrade --sql                # print the SQL instead of running it
    tension store rescore --batch-size 200     # re-score articles stored by another model version
    tension store rescore --input articles.jsonl   # ... taking texts from the original JSON lines
    tension store stats                        # counts, date range, articles per model version
    tension store revision -m "add x"          # new migration from model changes (developers)

(``python -m store ...`` is the same command.)

The database is ``--database-url``, else ``$DATABASE_URL``, else ``instance/tension.sqlite3``.
``rescore`` commits after every batch: after a crash or Ctrl-C, run it again and it carries on.
Exit status: 0 done, 1 some articles could not be re-scored (see the message), 2 usage,
model or database errors.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
import time

from .common import load_scorer, open_lines, positive_int
from .lines import score_stream


def _open(args):
    from store import open_store

    return open_store(args.database_url)


def _cmd_upgrade(args) -> int:
    from alembic import command

    from store import config as cfg
    from store.db import alembic_config, make_engine, migrate

    url = cfg.database_url(args.database_url)
    if args.sql:
        command.upgrade(alembic_config(url=url), "head", sql=True)
        return 0
    engine = make_engine(url)
    try:
        before, after = migrate(engine)
    finally:
        engine.dispose()
    print(f"{cfg.redact(url)}: schema at revision {after}" + ("" if before == after else f" (was {before})"))
    return 0


def _cmd_revision(args) -> int:
    """Write a new migration in store/migrations/versions, compared against a database at head."""
    from alembic import command

    from store import config as cfg
    from store.db import alembic_config, head_revision, make_engine, migrate

    engine = make_engine(cfg.database_url(args.database_url))
    try:
        migrate(engine)
        number = int(head_revision()) + 1
        with engine.connect() as conn:
            command.revision(alembic_config(connection=conn), message=args.message, autogenerate=True,
                             rev_id=f"{number:04d}")
    finally:
        engine.dispose()
    return 0


def _cmd_stats(args) -> int:
    st = _open(args)
    try:
        json.dump({"database": st.url, **st.stats()}, sys.stdout, indent=2)
        sys.stdout.write("\n")
    finally:
        st.close()
    return 0


def _cmd_rescore(args) -> int:
    from store.rescore import rescore

    scorer = load_scorer(args.model, args.models)
    if scorer is None:
        return 2
    src = None
    if args.input:
        try:
            src = open_lines(args.input)
        except OSError as exc:
            print(f"error: cannot read {args.input}: {exc.strerror}", file=sys.stderr)
            return 2
    st = _open(args)
    t0 = time.time()

    def progress(s: dict) -> None:
        if not args.quiet:
            rate = s["rescored"] / max(time.time() - t0, 1e-9)
            print(f"batch {s['batches']}: {s['rescored']} articles re-scored ({rate:.0f}/s)", file=sys.stderr)

    try:
        summary = rescore(st, scorer, batch_size=args.batch_size, input_lines=src, on_batch=progress)
    finally:
        st.close()
        if src is not None and src is not sys.stdin:
            src.close()
    for err in summary.pop("errors"):
        print(err, file=sys.stderr)
    json.dump(summary, sys.stdout)
    sys.stdout.write("\n")
    if summary["remaining"]:
        print(f"{summary['remaining']} articles still carry another model version: they were stored without "
              "their text. Re-run with --input FILE holding those articles as JSON lines, or post them again.",
              file=sys.stderr)
        return 1
    return 1 if summary["bad_lines"] else 0


def score_into_store(scorer, args, src) -> int:
    """``tension score --input FILE --store``: score JSON lines into the article store.

    The file is streamed in batches (:func:`tension_cli.lines.score_stream`); each scored batch
    is stored in one transaction as it goes, so a backfill interrupted half-way keeps the
    batches before, and running it again updates those articles rather than adding copies.
    Lines are validated with ``store.schemas.StoreArticleSchema``: they need an ``id`` and may
    carry ``source`` and ``url``. Results are written only when ``--output`` is given.
    Returns the exit status.
    """
    try:
        from store.config import StoreConfigError
        from store.db import StoreError, open_store
        from store.schemas import validate_store_article
    except ImportError as exc:
        print(f"error: --store needs {exc.name}: pip install 'tension-scoring[store]'", file=sys.stderr)
        src.close()
        return 2
    try:
        st = open_store()
    except (StoreError, StoreConfigError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        src.close()
        return 2
    counts = {"created": 0, "updated": 0}

    def keep(arts, results):
        for item in st.ingest(arts, results):
            counts[item["status"]] += 1

    try:
        dst = (open(os.devnull, "w") if args.output is None else
               sys.stdout if args.output == "-" else open(args.output, "w", encoding="utf-8"))
    except OSError as exc:
        print(f"error: cannot write {args.output}: {exc.strerror}", file=sys.stderr)
        st.close()
        src.close()
        return 2
    try:
        with src, dst:
            _, bad = score_stream(scorer, src, dst, batch_size=args.batch_size,
                                  explain=args.output is not None and not args.no_explain,
                                  progress=sys.stderr.isatty() and not args.quiet,
                                  validate=validate_store_article, on_batch=keep)
    except StoreError as exc:
        print(f"error: {exc} (the {counts['created'] + counts['updated']} articles before were stored; running "
              "again updates them, it adds no copies)", file=sys.stderr)
        return 2
    finally:
        st.close()
    if not args.quiet:
        print(f"stored {counts['created']} new and {counts['updated']} updated articles in {st.url}", file=sys.stderr)
    return 1 if bad else 0


def add_parser(sub) -> argparse.ArgumentParser:
    """The ``store`` subcommand and its own subcommands."""
    parser = sub.add_parser("store", help="the article store: upgrade, stats, rescore, revision",
                            description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    fill(parser)
    return parser


def fill(parser: argparse.ArgumentParser) -> argparse.ArgumentParser:
    """Add the store's options and subcommands to ``parser`` (``tension store`` or ``python -m store``)."""
    parser.add_argument("--database-url", help="database (default: $DATABASE_URL, else instance/tension.sqlite3)")
    sub = parser.add_subparsers(dest="store_command", required=True)
    up = sub.add_parser("upgrade", help="create or migrate the database schema")
    up.add_argument("--sql", action="store_true", help="print the SQL instead of running it")
    up.set_defaults(store_func=_cmd_upgrade)
    rv = sub.add_parser("revision", help="write a new migration from changes to store/models.py (developers)")
    rv.add_argument("--message", "-m", required=True, help="what the migration does")
    rv.set_defaults(store_func=_cmd_revision)
    st = sub.add_parser("stats", help="what the store holds")
    st.set_defaults(store_func=_cmd_stats)
    rs = sub.add_parser("rescore", help="re-score articles stored by another model version")
    rs.add_argument("--batch-size", type=positive_int, default=100, help="articles per batch and transaction (default 100)")
    rs.add_argument("--input", "-i", help="JSON lines with the texts of articles stored without them (- for stdin)")
    rs.add_argument("--model", help="model version (default: the one CURRENT names)")
    rs.add_argument("--models", help="models directory (default: $TENSION_MODELS_DIR, else the shipped model)")
    rs.add_argument("--quiet", "-q", action="store_true", help="no progress lines")
    rs.set_defaults(store_func=_cmd_rescore)
    parser.set_defaults(func=_run)
    return parser


def _run(args) -> int:
    try:
        from store.config import StoreConfigError
        from store.db import StoreError
    except ImportError as exc:
        print(f"error: the store needs {exc.name}: pip install 'tension-scoring[store]'", file=sys.stderr)
        return 2
    try:
        return args.store_func(args)
    except (StoreError, StoreConfigError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


def main(argv: list[str] | None = None) -> int:
    """``python -m store``: the same commands as ``tension store``."""
    parser = fill(argparse.ArgumentParser(prog="python -m store", description=__doc__,
                                          formatter_class=argparse.RawDescriptionHelpFormatter))
    args = parser.parse_args(argv)
    return args.func(args)
