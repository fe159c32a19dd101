"""Command line for the article store: ``python -m store upgrade|rescore|stats``.

    python -m store upgrade                      # create or migrate the database (also done on first use)
    python -m store upgrade --sql                # print the SQL instead of running it
    python -m store rescore --batch-size 200     # re-score articles stored by another model version
    python -m store rescore --input articles.jsonl   # ... taking texts from the original JSON lines
    python -m store stats                        # counts, date range, articles per model version
    python -m store revision -m "add x"          # new migration from model changes (developers)

The database is ``--database-url``, else ``$DATABASE_URL``, else ``instance/tension.sqlite3``.
``rescore`` commits after every batch: after a crash or Ctrl-C, run it again and it carries on.
Exit status: 0 done, 1 some articles could not be re-scored (see the message), 2 usage,
model or database errors.
"""
from __future__ import annotations

import argparse
import json
import sys
import time


def _open(args):
    from . import open_store

    return open_store(args.database_url)


def _cmd_upgrade(args) -> int:
    from alembic import command

    from . import config as cfg
    from .db import alembic_config, make_engine, migrate

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

    from . import config as cfg
    from .db import alembic_config, head_revision, make_engine, migrate

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
    from scoring.__main__ import load_scorer

    from .rescore import rescore

    scorer = load_scorer(args.model, args.models)
    if scorer is None:
        return 2
    src = None
    if args.input:
        try:
            src = sys.stdin if args.input == "-" else open(args.input, encoding="utf-8", errors="replace")
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
        if src not in (None, sys.stdin):
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


def build_parser() -> argparse.ArgumentParser:
    from scoring.__main__ import positive_int  # here: `python -m store` stays light to import

    parser = argparse.ArgumentParser(prog="python -m store", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--database-url", help="database (default: $DATABASE_URL, else instance/tension.sqlite3)")
    sub = parser.add_subparsers(dest="command", required=True)
    up = sub.add_parser("upgrade", help="create or migrate the database schema")
    up.add_argument("--sql", action="store_true", help="print the SQL instead of running it")
    up.set_defaults(func=_cmd_upgrade)
    rv = sub.add_parser("revision", help="write a new migration from changes to store/models.py (developers)")
    rv.add_argument("--message", "-m", required=True, help="what the migration does")
    rv.set_defaults(func=_cmd_revision)
    st = sub.add_parser("stats", help="what the store holds")
    st.set_defaults(func=_cmd_stats)
    rs = sub.add_parser("rescore", help="re-score articles stored by another model version")
    rs.add_argument("--batch-size", type=positive_int, default=100, help="articles per batch and transaction (default 100)")
    rs.add_argument("--input", "-i", help="JSON lines with the texts of articles stored without them (- for stdin)")
    rs.add_argument("--model", help="model version (default: models/CURRENT)")
    rs.add_argument("--models", help="models directory (default: ./models or $TENSION_MODELS_DIR)")
    rs.add_argument("--quiet", "-q", action="store_true", help="no progress lines")
    rs.set_defaults(func=_cmd_rescore)
    return parser


def main(argv: list[str] | None = None) -> int:
    from .config import StoreConfigError
    from .db import StoreError

    args = build_parser().parse_args(argv)
    try:
        return args.func(args)
    except (StoreError, StoreConfigError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.exit(main())
