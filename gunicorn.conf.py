"""Gunicorn settings for the scoring service (``gunicorn -c gunicorn.conf.py "app:create_app()"``).

Every value can be overridden with an environment variable (in brackets).
- workers [TENSION_WORKERS]: one per core; scoring is CPU-bound.
- gthread workers with [TENSION_THREADS] threads: a slow or stalled client ties up a thread,
  not a whole worker.
- timeout [TENSION_TIMEOUT]: a worker stuck longer than this is killed and replaced; the
  master restarts any worker that dies (killed, out of memory) so the service stays up.
- max_requests with jitter: workers are recycled now and then, bounding any slow growth.
- Reloading the model: ``kill -HUP <master pid>`` (or ``POST /v1/admin/reload``, which
  does the same under gunicorn) starts new workers on what ``models/CURRENT`` names now and
  lets the old ones finish their requests first (graceful_timeout).
"""
import multiprocessing
import os

bind = os.environ.get("TENSION_BIND", "127.0.0.1:8000")
workers = int(os.environ.get("TENSION_WORKERS", multiprocessing.cpu_count()))
worker_class = "gthread"
threads = int(os.environ.get("TENSION_THREADS", 4))
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
