"""Keep CPython's cyclic garbage collector off the short-lived objects a batch creates.

A scored article is ~1,700 small dicts, lists and tuples (mostly explanation items) with no
reference cycles; reference counting frees them as soon as the caller drops the result. The
cyclic collector, though, counts every container created, and left alone it scans a batch's
results while they are still alive: once during the batch (every 700 containers), and once
more at the first collection after it. That scan cost ~0.25-0.3 ms of CPU per article, more
than building the explanations.

``gc_paused()`` pauses the collector while a batch runs and, when the last concurrent pause
ends, defers the next young-generation collection by the number of containers created
during the pause: the collector runs after that many *more* containers. Results the caller drops
leave the count again as they are freed, so in the usual case (serialise, send, forget) the
collector never scans them; results the caller keeps are scanned at that later collection,
as before, and nothing escapes collection. The deferral is undone at the next collection of
any generation (a ``gc.callbacks`` hook) or at the next pause, whichever comes first.

The collector's settings are process-wide, so this touches them only while the pause is
held or deferred, restores the caller's threshold exactly (or keeps one the caller set
meanwhile), and does nothing when the collector was disabled or its threshold is 0.
"""
from __future__ import annotations

import gc
import threading
from contextlib import contextmanager

_lock = threading.Lock()  # guards the pause depth; the collection hook never takes it
_depth = 0
_was_enabled = False
_deferred_to = (0, 0, 0)  # the threshold set while deferring
_deferred_from: tuple[int, int, int] | None = None  # the threshold to restore, while deferring
_hooked = False
_start_count = 0  # the collector's young count when the outermost pause began
OVERLAP_LIMIT = 1_000_000  # containers made while pauses overlap before one collects anyway


def _restore() -> None:
    """Undo a deferral; safe to re-enter (from the hook, inside a collection)."""
    global _deferred_from
    saved, _deferred_from = _deferred_from, None  # take it first: no allocation, no collection
    if saved is not None and gc.get_threshold()[0] == _deferred_to[0]:  # unless changed meanwhile
        gc.set_threshold(*saved)


def _on_collect(phase: str, info: dict) -> None:
    if phase == "start" and _deferred_from is not None:
        _restore()


def _defer(made: int) -> None:
    """Move the next young collection past the ``made`` containers created during the pause."""
    global _deferred_from, _deferred_to, _hooked
    threshold = gc.get_threshold()
    if threshold[0] <= 0 or made <= 0:
        return
    if not _hooked:
        gc.callbacks.append(_on_collect)
        _hooked = True
    _deferred_to = (threshold[0] + made, threshold[1], threshold[2])
    gc.set_threshold(*_deferred_to)
    _deferred_from = threshold  # last: the hook never sees a deferral it cannot undo


def _collection_owed() -> bool:
    t0 = gc.get_threshold()[0]
    return gc.isenabled() and 0 < t0 <= gc.get_count()[0]


@contextmanager
def gc_paused():
    """Pause the cyclic collector for a batch; nested and concurrent pauses share one.

    A young collection already owed when a pause begins runs first, while little is alive
    (deferring it would make it scan the batch's results); the deferral then covers only
    what the pause itself created. Callers that only serialise the results (the API, the
    CLI, bulk scoring) hold the pause until the results are gone, ``with gc_paused(): body =
    dumps(scorer.score_batch(...))``, so nothing is deferred at all. Threads whose pauses
    keep overlapping (a busy server) could keep the collector off indefinitely: past
    ``OVERLAP_LIMIT`` containers a pause that ends while others continue runs a full
    collection itself.
    """
    global _depth, _was_enabled, _start_count
    with _lock:
        if _depth == 0:
            _restore()
    if _depth == 0 and _collection_owed():  # outside the lock: finalizers may run
        gc.collect(0)
    with _lock:
        if _depth == 0:
            _was_enabled = gc.isenabled()
            _start_count = gc.get_count()[0]
            gc.disable()
        _depth += 1
    try:
        yield
    finally:
        collect = False
        with _lock:
            _depth -= 1
            if _was_enabled:
                if _depth == 0:
                    _defer(gc.get_count()[0] - _start_count)
                    gc.enable()
                elif gc.get_count()[0] - _start_count > OVERLAP_LIMIT:
                    _start_count = gc.get_count()[0]
                    collect = True
        if collect:  # outside the lock: the collection may run finalizers
            gc.collect()
