"""The gunicorn worker class: gthread that leaves new connections to workers with a free thread.

All workers wait on one shared listening socket, and stock gthread accepts whatever arrives
while it has fewer than ``worker_connections`` (1,000) connections. Clients that keep their
connections alive (dashboards, connection pools, the HTTP benchmark) then stay with whichever
worker happened to wake first: in about half the benchmark runs all 8 clients landed on one
worker, which did all the work on one core (half the throughput, p99 76-97 ms instead of
~50) while the other idled.

Here a worker whose threads are all busy does not take a waiting connection at once: it
leaves it ``HANDOFF_S`` (20 ms) to a worker with a free thread, and takes it itself only if
nobody has by then (every worker busy: then it waits no longer than that). Each connection
gets its own hand-off, so when every worker is busy a backlog of new connections is shared
out between them instead of going whole to the first whose timer ran out (which left one
worker serving twice as many keep-alive clients as the other). Idle keep-alive
connections and connections that have not sent their first byte do not count as busy. The
socket stays shared, so a graceful reload still loses nothing (unlike
``TENSION_REUSE_PORT=1``). Used by gunicorn.conf.py; measured in docs/performance.md.
"""
from __future__ import annotations

import select
import time

from gunicorn.workers.gthread import ThreadWorker

HANDOFF_S = 0.02


class BalancedThreadWorker(ThreadWorker):
    """``ThreadWorker`` whose accept limit drops to its open connections while all threads are busy.

    gthread's loop re-registers the listening socket when ``nr_conns < worker_connections``
    and checks that on every wake-up (an accepted connection, a finished request), so making
    the limit depend on the busy threads, and waking up at least every ``HANDOFF_S`` while a
    connection waits, is all it takes.
    """

    _waiting_since: float | None = None

    @property
    def worker_connections(self) -> int:
        busy = self.nr_conns - len(self.keepalived_conns) - len(self.pending_conns)
        if busy < self.cfg.threads:
            self._waiting_since = None
            return self._connection_limit
        if not self._connection_waiting():
            self._waiting_since = None
            return self.nr_conns
        now = time.monotonic()
        if self._waiting_since is None:
            self._waiting_since = now
        if now - self._waiting_since < HANDOFF_S:
            return self.nr_conns
        # nobody took it: take this one (gthread accepts one per wake-up); the next waiting
        # connection gets its own hand-off, so a backlog is shared out, not taken whole
        self._waiting_since = None
        return self._connection_limit

    @worker_connections.setter
    def worker_connections(self, value: int) -> None:
        self._connection_limit = value

    def _connection_waiting(self) -> bool:
        try:
            return bool(select.select(self.sockets, [], [], 0)[0])
        except (OSError, ValueError):  # a socket closed under us (shutting down): nothing to take
            return False

    def wait_for_and_dispatch_events(self, timeout):
        if self._waiting_since is not None and self.alive:  # not while shutting down
            timeout = min(timeout, HANDOFF_S)
        return super().wait_for_and_dispatch_events(timeout)
