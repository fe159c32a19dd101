"""Gunicorn settings for the scoring service (``gunicorn -c gunicorn.conf.py "service.app:create_app()"``).

Every value can be overridden with an environment variable (in brackets).
- workers [TENSION_WORKERS]: one per core; scoring is CPU-bound.
- gthread workers with [TENSION_THREADS] threads (default 2): a slow or stalled client ties
  up a thread, not a whole worker. The class is service/worker.py's: a worker whose threads
  are all busy leaves each new connection 20 ms to a worker with a free thread, so
  keep-alive clients are spread over the workers (stock gthread put all 8 benchmark clients
  on one worker in half the runs). More threads do not score faster (the GIL), and each one
  scoring a batch at the same time adds its working memory to the worker; measured in
  docs/performance.md.
- One BLAS thread per worker (OPENBLAS_NUM_THREADS etc., unless set): the workers already
  use every core, and OpenBLAS's per-thread buffers cost ~25 MB per worker for nothing.
- post_worker_init warms each worker (one small score) before it accepts requests, so the
  word vectors, lexicon and actor tables do not load on a user's request after every start,
  reload or recycle; then it freezes everything loaded so far out of the garbage collector
  (gc.freeze): a full collection no longer rescans the ~170,000 long-lived objects, which
  took 100-145 ms, a pause every request in flight waited for.
- timeout [TENSION_TIMEOUT]: a worker stuck longer than this is killed and replaced; the
  master restarts any worker that dies (killed, out of memory) so the service stays up.
- a new connection that has sent nothing yet holds a worker thread for at most
  [TENSION_FIRST_BYTE_WAIT] seconds (0.1), then waits in the worker's poller without a
  thread and is closed after ``keepalive`` seconds of silence (set in ``post_fork``).
- max_requests with jitter: workers are recycled now and then, bounding any slow growth.
- [TENSION_REUSE_PORT=1]: a listening socket per worker; off by default because a reload
  can then reset queued connections.
- Reloading the model: ``kill -HUP <master pid>`` (or ``POST /v1/admin/reload``, which
  does the same under gunicorn) starts new workers on what ``models/CURRENT`` names now and
  lets the old ones finish their requests first (graceful_timeout).
"""
import gc
import logging
import multiprocessing
import os
import time

bind = os.environ.get("TENSION_BIND", "127.0.0.1:8000")
# [TENSION_REUSE_PORT=1] one listening socket per worker (SO_REUSEPORT): the kernel hashes
# new connections over the workers. Not needed for balance since the worker class does it
# (below), and off by default: a graceful reload then resets connections still queued on an
# old worker's socket (tests/test_gunicorn_faults.py fails). docs/performance.md.
reuse_port = os.environ.get("TENSION_REUSE_PORT", "0") == "1"
workers = int(os.environ.get("TENSION_WORKERS", multiprocessing.cpu_count()))
worker_class = "service.worker.BalancedThreadWorker"  # gthread, balanced: service/worker.py
threads = int(os.environ.get("TENSION_THREADS", 2))
timeout = int(os.environ.get("TENSION_TIMEOUT", 30))
graceful_timeout = 30
keepalive = 5
max_requests = 20000
max_requests_jitter = 2000
limit_request_line = 8190
limit_request_fields = 100
accesslog = None  # the app writes structured access logs itself
errorlog = "-"
loglevel = os.environ.get("TENSION_LOG_LEVEL", "info").lower()
# No control socket: reloads use signals (HUP) or the admin endpoint, and the socket's
# default home ($HOME/.gunicorn) is read-only in the container.
control_socket_disable = True


_WARM_UP_TEXT = ("Japan and the Philippines agreed on Monday to deepen defence ties after Chinese coast "
                 "guard vessels fired water cannon near the Second Thomas Shoal, officials in Tokyo said.")


# gunicorn's gthread worker parks a thread for up to 5 s (DEFAULT_WORKER_DATA_TIMEOUT) on
# every new connection before its first byte arrives: with 2 workers x 4 threads, four idle
# connections (browser preconnects, port scanners, a stuck proxy) made every other client
# wait 10 s, and sixteen 40 s (tests/test_gunicorn_faults.py). A short wait keeps threads
# for requests; a silent connection is not dropped, it waits in the poller instead. The
# same value bounds how long a worker drains a request body the app did not read.
first_byte_wait = float(os.environ.get("TENSION_FIRST_BYTE_WAIT", 0.1))


def post_fork(server, worker):
    """In the new worker, before it imports numpy: one BLAS thread (unless set otherwise); short first-byte wait."""
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")
    import gunicorn.workers.gthread as gthread

    if hasattr(gthread, "DEFAULT_WORKER_DATA_TIMEOUT"):
        gthread.DEFAULT_WORKER_DATA_TIMEOUT = first_byte_wait


def post_worker_init(worker):
    """Score one short text before the worker accepts requests (loads the lazy tables)."""
    worker.notify()  # the warm-up gets its own `timeout`, not what is left after the imports
    log = logging.getLogger("service")
    holder = getattr(worker.wsgi, "extensions", {}).get("tension.models")
    scorer = getattr(holder, "scorer", None)
    if scorer is None:
        return  # no verified model: /readyz answers 503 with the reason
    t0 = time.perf_counter()
    try:
        scorer.score(_WARM_UP_TEXT)
    except Exception as exc:  # noqa: BLE001 - never keep a worker from serving; its first request loads instead
        log.warning("worker warm-up failed", extra={"event": "warm_up_failed", "error_type": type(exc).__name__})
        return
    log.info("worker warmed up", extra={"event": "warm_up", "ms": round((time.perf_counter() - t0) * 1000, 1),
                                        "worker": worker.pid})
    gc.collect()  # nothing collectable may be frozen (the warm-up's results leave a deferred collection)
    gc.freeze()  # the model, tables and modules stay for the worker's life: keep them out of collections
