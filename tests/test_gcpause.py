"""The collector pause: results dropped by the caller are never scanned, nothing escapes
collection, and the collector's settings come back exactly as they were."""
from __future__ import annotations

import gc
import threading
import weakref

import pytest

from scoring.gcpause import gc_paused


class Node:
    pass


@pytest.fixture()
def collections():
    """Counts collections of each generation while the test runs; restores GC settings."""
    seen = [0, 0, 0]

    def hook(phase, info):
        if phase == "start":
            seen[info["generation"]] += 1

    threshold, enabled = gc.get_threshold(), gc.isenabled()
    gc.enable()
    gc.collect()
    gc.callbacks.append(hook)
    yield seen
    gc.callbacks.remove(hook)
    gc.set_threshold(*threshold)
    (gc.enable if enabled else gc.disable)()


def make_result(n=20_000):
    return [{"spans": [(i, i + 1)], "weight": 0.5} for i in range(n)]


def test_dropped_results_are_never_scanned(collections):
    base = gc.get_threshold()
    deferred = []
    for _ in range(5):
        with gc_paused():
            result = make_result()
        deferred.append(gc.get_threshold())
        del result
        churn = [[] for _ in range(200)]  # a little ordinary allocation after each batch
        del churn
    assert collections == [0, 0, 0]
    # each pause undoes the previous deferral: they do not pile up
    firsts = [t[0] for t in deferred]
    assert max(firsts) - min(firsts) < 100 and max(firsts) < base[0] + 70_000


def test_without_the_deferral_the_collector_scans_them(collections, monkeypatch):
    import scoring.gcpause as gp

    monkeypatch.setattr(gp, "_defer", lambda: None)
    with gc_paused():
        result = make_result()
    churn = [[] for _ in range(10)]
    assert collections[0] >= 1  # the check above can fail: this is what it guards against
    del result, churn


def test_kept_results_are_collected_later_and_the_threshold_comes_back(collections):
    before = gc.get_threshold()
    with gc_paused():
        kept = make_result()
    assert gc.get_threshold()[0] > before[0]  # deferred
    more = [[] for _ in range(before[0] + 50)]  # past the deferral: the collector runs
    assert collections[0] >= 1
    assert gc.get_threshold() == before
    del kept, more


def test_cycles_made_during_a_pause_are_still_collected(collections):
    with gc_paused():
        a, b = Node(), Node()
        a.other, b.other = b, a
        ref = weakref.ref(a)
        result = make_result()
        del a, b
    del result
    more = [[] for _ in range(gc.get_threshold()[0] + 50)]
    del more
    gc.collect()
    assert ref() is None


def test_a_disabled_collector_stays_disabled(collections):
    gc.disable()
    with gc_paused():
        result = make_result()
    assert not gc.isenabled()
    del result
    gc.enable()


def test_a_threshold_set_by_the_caller_meanwhile_is_kept(collections):
    with gc_paused():
        kept = make_result()
    gc.set_threshold(1234, 11, 12)
    with gc_paused():
        pass
    assert gc.get_threshold()[:1] == (1234,)
    del kept


def test_concurrent_pauses_share_one(collections):
    start = threading.Barrier(4)
    errors = []

    def worker():
        try:
            start.wait()
            for _ in range(20):
                with gc_paused():
                    assert not gc.isenabled()
                    r = make_result(2_000)
                del r
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert gc.isenabled()
