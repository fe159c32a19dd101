"""The balanced gthread worker's accept rule (service/worker.py), state by state.

The real-server behaviour (a new client goes to the idle worker, keep-alive clients spread
over both) is in tests/test_gunicorn_faults.py; this pins the rule itself, which stock
gthread does not follow (it accepts whenever it has under ``worker_connections``).
"""
from __future__ import annotations

import socket
import time
from collections import deque
from types import SimpleNamespace

import pytest

from service import worker as worker_mod
from service.worker import HANDOFF_S, BalancedThreadWorker


@pytest.fixture()
def listener():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(8)
    yield s
    s.close()


def make(listener, threads=2, conns=0, idle=0, silent=0) -> BalancedThreadWorker:
    w = BalancedThreadWorker.__new__(BalancedThreadWorker)  # no arbiter needed for the rule
    w.cfg = SimpleNamespace(threads=threads)
    w.alive = True
    w.worker_connections = 1000
    w.sockets = [listener]
    w.nr_conns = conns
    w.keepalived_conns = deque(range(idle))
    w.pending_conns = deque(range(silent))
    return w


def can_accept(w) -> bool:
    return w.nr_conns < w.worker_connections  # gthread's own test, evaluated on every wake-up


def test_a_free_thread_accepts(listener):
    assert can_accept(make(listener, conns=1))
    # idle keep-alive and silent connections do not count as busy
    assert can_accept(make(listener, conns=9, idle=5, silent=3))


def test_all_threads_busy_and_nothing_waiting_does_not_listen(listener):
    assert not can_accept(make(listener, conns=2))
    assert not can_accept(make(listener, conns=6, idle=4))


def test_all_threads_busy_leaves_a_waiting_connection_to_others_for_the_handoff(listener):
    client = socket.create_connection(listener.getsockname())
    try:
        time.sleep(0.01)
        w = make(listener, conns=2)
        assert not can_accept(w)  # first sight: leave it to a worker with a free thread
        assert w._waiting_since is not None
        # the loop wakes up again within the hand-off while a connection waits
        seen = []
        orig = worker_mod.ThreadWorker.wait_for_and_dispatch_events
        worker_mod.ThreadWorker.wait_for_and_dispatch_events = lambda self, timeout: seen.append(timeout)
        try:
            w.wait_for_and_dispatch_events(1.0)
        finally:
            worker_mod.ThreadWorker.wait_for_and_dispatch_events = orig
        assert seen == [HANDOFF_S]
        time.sleep(HANDOFF_S * 1.5)
        assert can_accept(w)  # nobody took it: take it rather than keep the client waiting
    finally:
        client.close()


def test_each_waiting_connection_gets_its_own_hand_off(listener):
    """A busy worker that takes one connection after the hand-off does not take the rest of
    the backlog at once: the next one is left to the other workers for a hand-off again."""
    clients = [socket.create_connection(listener.getsockname()) for _ in range(2)]
    try:
        time.sleep(0.01)
        w = make(listener, conns=2)
        assert not can_accept(w)
        time.sleep(HANDOFF_S * 1.5)
        assert can_accept(w)  # takes one (gthread accepts one per wake-up) ...
        listener.accept()[0].close()
        w.nr_conns += 1
        assert not can_accept(w)  # ... and the next waits its own hand-off
        time.sleep(HANDOFF_S * 1.5)
        assert can_accept(w)
    finally:
        for c in clients:
            c.close()


def test_the_hand_off_restarts_once_the_queue_is_empty(listener):
    w = make(listener, conns=2)
    w._waiting_since = time.monotonic() - 10
    assert not can_accept(w)  # nothing is waiting now
    assert w._waiting_since is None


def test_a_closed_listener_means_nothing_to_accept(listener):
    w = make(listener, conns=2)
    listener.close()
    assert not can_accept(w)
