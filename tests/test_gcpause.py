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
    """No collection runs while a batch's results are alive; owed ones run when a pause begins."""
    base = gc.get_threshold()
    alive = [False]
    during = []
    def hook(phase, info):
        if phase == "start":
            during.append(alive[0])

    gc.callbacks.append(hook)
    try:
        deferred = []
        for _ in range(5):
            with gc_paused():
                result = make_result()
                alive[0] = True
            deferred.append(gc.get_threshold())
            churn = [[] for _ in range(200)]  # ordinary allocation while the result is held
            del result, churn
            alive[0] = False
    finally:
        gc.callbacks.remove(hook)
    assert True not in during, during
    # each pause undoes the previous deferral: they do not pile up
    assert all(t[0] < base[0] + 70_000 for t in deferred), deferred


def test_containers_kept_across_pauses_do_not_starve_the_collector(collections):
    """Pauses back to back with a little allocation between them: containers kept from one
    pause (they can hold cycles) are collected at a later pause's start, not deferred forever."""
    def run():
        with gc_paused():
            kept = [[] for _ in range(1000)]
        for _ in range(50):
            with gc_paused():
                tmp = [[] for _ in range(5000)]
                del tmp
            between = [[] for _ in range(100)]
            del between
        return kept

    start = collections[0]
    kept = run()
    assert collections[0] > start
    del kept


def test_without_the_deferral_the_collector_scans_them(collections, monkeypatch):
    import scoring.gcpause as gp

    monkeypatch.setattr(gp, "_defer", lambda made: None)
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
    more = [[] for _ in range(before[0] + 500)]  # past the deferral (free lists hide ~80): the collector runs
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


def test_pauses_that_keep_overlapping_still_collect(collections, monkeypatch):
    """A busy server's threads can keep one pause going for ever: past OVERLAP_LIMIT
    containers, a pause ending while another continues collects."""
    import scoring.gcpause as gp

    monkeypatch.setattr(gp, "OVERLAP_LIMIT", 5_000)
    start = collections[2]
    with gc_paused():  # another thread's pause, never ending while this one loops
        for _ in range(3):
            with gc_paused():
                made = [[] for _ in range(6_000)]
            del made
        assert not gc.isenabled()
    assert collections[2] >= start + 1
    assert gc.isenabled()
