"""``python -m scoring score --input FILE --store``: score JSON lines into the article store.

The scoring CLI streams the file in batches (``scoring.__main__.score_stream``); each scored
batch is stored in one transaction as it goes, so a backfill interrupted half-way keeps the
batches before, and running it again updates those articles rather than adding copies.
Lines are validated with ``store.schemas.StoreArticleSchema``: they need an ``id`` and may
carry ``source`` and ``url``. Results are written only when ``--output`` is given.
"""
from __future__ import annotations

import os
import sys

from .config import StoreConfigError
from .db import StoreError, open_store
from .schemas import validate_store_article


def score_into_store(scorer, args, src, score_stream) -> int:
    """Run the backfill for the parsed CLI ``args``; returns the exit status."""
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
