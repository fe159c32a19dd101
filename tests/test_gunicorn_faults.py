"""The real server under faults: gunicorn (gunicorn.conf.py) on loopback, 2 gthread workers.

Each test starts ``gunicorn -c gunicorn.conf.py "app:create_app()"`` as a subprocess on a
free 127.0.0.1 port, on a private copy of the committed models, with a short worker timeout
(``TENSION_TIMEOUT``), and always stops it (SIGTERM, then SIGKILL of its process group) in a
``finally``. They prove that:

- a client that sends half a body and disconnects, and clients that connect and send
  nothing, do not break anything: no worker dies, other clients are served;
- a slow client trickling its request over longer than the worker timeout holds one thread,
  not a worker: other clients are served meanwhile, and the slow one gets its answer;
- a worker killed (SIGKILL) under load is respawned by the master, and a hung worker
  (SIGSTOP) is killed after ``timeout`` and replaced; the service keeps answering;
- a graceful reload — ``kill -HUP <master>`` or ``POST /v1/admin/reload`` — while requests
  run switches every worker to the model ``models/CURRENT`` now names with zero failed
  requests;
- a worker whose threads are all busy leaves a new connection to an idle worker
  (service/worker.py), and keep-alive clients end up spread over the workers.

Every loop is bounded by a count and a deadline; nothing leaves the loopback interface.
"""
from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from contextlib import contextmanager
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
WORKERS = 2
THREADS = 4
TIMEOUT_S = 4  # TENSION_TIMEOUT: a worker silent this long is killed and replaced
ADMIN_TOKEN = "fault-test-admin-token"
TEXT = "Japan and the U.S. held joint drills near Taiwan. China condemned the move."

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="uses /proc and POSIX signals")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _children(pid: int) -> set[int]:
    """Live (not zombie) child processes of ``pid``, from /proc."""
    out = set()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2:].split()
        if int(fields[1]) == pid and fields[0] not in ("Z", "X"):
            out.add(int(entry))
    return out


class Server:
    def __init__(self, proc: subprocess.Popen, port: int, log: Path):
        self.proc, self.port, self.log = proc, port, log

    @property
    def master(self) -> int:
        return self.proc.pid

    def workers(self) -> set[int]:
        return _children(self.master)

    def request(self, method: str, path: str, body: dict | None = None, headers: dict | None = None,
                timeout: float = 20) -> tuple[int, dict]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            data = json.dumps(body).encode() if body is not None else None
            hdrs = {"Content-Type": "application/json", **(headers or {})} if data is not None else dict(headers or {})
            conn.request(method, path, body=data, headers=hdrs)
            resp = conn.getresponse()
            return resp.status, json.loads(resp.read() or b"null")
        finally:
            conn.close()

    def score(self, timeout: float = 20) -> tuple[int, dict]:
        return self.request("POST", "/v1/score", {"text": TEXT}, timeout=timeout)

    def wait(self, predicate, what: str, limit: float = 30.0, step: float = 0.1):
        deadline = time.monotonic() + limit
        while time.monotonic() < deadline:
            assert self.proc.poll() is None, f"gunicorn exited ({self.proc.returncode}):\n{self.log_text()[-3000:]}"
            try:
                value = predicate()
            except OSError:
                value = None
            if value:
                return value
            time.sleep(step)
        raise AssertionError(f"timed out waiting for {what}:\n{self.log_text()[-3000:]}")

    def ready(self) -> dict:
        return self.wait(lambda: (lambda r: r[1] if r[0] == 200 else None)(self.request("GET", "/readyz", timeout=5)),
                         "/readyz 200")

    def booted(self) -> set[int]:
        """Workers that finished booting: they logged their warm-up (gunicorn.conf.py post_worker_init)."""
        pids = set()
        for line in self.log_text().splitlines():
            if line.startswith("{") and '"event": "warm_up"' in line:
                pids.add(json.loads(line)["worker"])
        return pids

    def full_strength(self, without: int | None = None) -> set[int]:
        """Wait until WORKERS workers (none of them ``without``) are up and booted; return their pids."""
        def check():
            w = self.workers()
            return w if len(w) == WORKERS and without not in w and w <= self.booted() else None

        return self.wait(check, f"{WORKERS} booted workers", limit=40)

    def log_text(self) -> str:
        return self.log.read_text(errors="replace") if self.log.exists() else ""


@contextmanager
def gunicorn(models: Path, tmp_path: Path, **env):
    port = _free_port()
    log = tmp_path / "gunicorn.log"
    environ = {**os.environ, "TENSION_BIND": f"127.0.0.1:{port}", "TENSION_WORKERS": str(WORKERS),
               "TENSION_THREADS": str(THREADS), "TENSION_TIMEOUT": str(TIMEOUT_S), "TENSION_MODELS_DIR": str(models),
               "TENSION_STORE": "off", "TENSION_LOG_LEVEL": "info", "TENSION_ADMIN_TOKEN": ADMIN_TOKEN,
               "PYTHONUNBUFFERED": "1", **env}
    for name in ("TENSION_MODEL", "TENSION_API_KEYS", "TENSION_FIRST_BYTE_WAIT"):  # the shipped defaults
        environ.pop(name, None)
    with open(log, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "app:create_app()"],
                                cwd=ROOT, env=environ, stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                start_new_session=True)
    server = Server(proc, port, log)
    try:
        server.ready()
        server.full_strength()
        yield server
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                pass
        try:
            os.killpg(proc.pid, signal.SIGKILL)  # the group this test started: master and any worker left
        except ProcessLookupError:
            pass
        proc.wait(timeout=10)


class Load:
    """Clients posting articles in a loop (new connection each time) until stopped; counts outcomes."""

    def __init__(self, server: Server, clients: int = 4, limit_s: float = 60.0):
        self.server, self.ok, self.failed = server, 0, []
        self._stop = threading.Event()
        self._lock = threading.Lock()
        self._deadline = time.monotonic() + limit_s
        self._threads = [threading.Thread(target=self._run, daemon=True) for _ in range(clients)]

    def _run(self):
        while not self._stop.is_set() and time.monotonic() < self._deadline:
            try:
                status, body = self.server.score(timeout=20)
                good = status == 200 and body["passages"] and body["model"]["version"]
                outcome = None if good else f"{status}: {str(body)[:200]}"
            except Exception as exc:  # connection reset, timeout ...
                outcome = f"{type(exc).__name__}: {exc}"
            with self._lock:
                if outcome is None:
                    self.ok += 1
                else:
                    self.failed.append(outcome)

    def __enter__(self):
        for t in self._threads:
            t.start()
        return self

    def __exit__(self, *exc):
        self._stop.set()
        for t in self._threads:
            t.join(30)
        assert not any(t.is_alive() for t in self._threads), "a load thread hung"

    def wait_for(self, n: int, limit: float = 20.0):
        deadline = time.monotonic() + limit
        start = self.ok
        while self.ok - start < n and time.monotonic() < deadline:
            time.sleep(0.05)
        got = self.ok - start
        assert got >= n, f"only {got} successful requests in {limit} s; failures {self.failed[:3]}"


@pytest.fixture()
def server(models_copy, tmp_path):
    with gunicorn(models_copy, tmp_path) as srv:
        yield srv


def _assert_serving(server: Server, n: int = 20):
    assert server.ready()["status"] == "ready"
    for _ in range(n):
        status, body = server.score()
        assert status == 200 and body["passages"], body


# ---- clients misbehaving -------------------------------------------------------------------

def _raw(server: Server) -> socket.socket:
    return socket.create_connection(("127.0.0.1", server.port), timeout=10)


def _headers(length: int, close: bool = False) -> bytes:
    lines = ["POST /v1/score HTTP/1.1", "Host: 127.0.0.1", "Content-Type: application/json",
             f"Content-Length: {length}"]
    if close:
        lines.append("Connection: close")
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


def test_clients_that_disconnect_mid_request_do_not_hurt_the_service(server):
    workers = server.workers()
    body = json.dumps({"text": TEXT * 20}).encode()
    with Load(server, clients=2) as load:
        for i in range(30):
            s = _raw(server)
            if i % 3 == 0:
                s.sendall(_headers(len(body)) + body[: len(body) // 2])  # half the body
            elif i % 3 == 1:
                s.sendall(_headers(len(body))[:30])  # half the headers
            else:
                s.sendall(_headers(len(body)) + body[:10])
                s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")  # RST
            s.close()
        # a client that sends a whole request and leaves before the answer
        for _ in range(5):
            s = _raw(server)
            s.sendall(_headers(len(body)) + body)
            s.close()
        load.wait_for(20)
    assert load.failed == [], load.failed[:5]
    assert server.workers() == workers, "no worker may die because a client left"
    _assert_serving(server)
    assert "Traceback" not in server.log_text()


def test_idle_connections_do_not_starve_other_clients(server):
    # connect and say nothing (browser preconnects, scanners): before TENSION_FIRST_BYTE_WAIT
    # each one held a thread for 5 s, and 16 of them made a normal request wait 40 s
    idle = [_raw(server) for _ in range(WORKERS * THREADS * 4)]
    try:
        time.sleep(0.05)
        for _ in range(3):
            t0 = time.monotonic()
            status, _ = server.score(timeout=30)
            waited = time.monotonic() - t0
            assert status == 200
            assert waited < 3, f"a normal client waited {waited:.1f} s behind {len(idle)} idle connections"
        _assert_serving(server, 5)
    finally:
        for s in idle:
            s.close()


def test_a_slow_client_holds_a_thread_not_the_service(server):
    workers = server.workers()
    body = json.dumps({"text": TEXT}).encode()
    request = _headers(len(body), close=True) + body
    trickle_s = TIMEOUT_S + 2  # longer than the worker timeout: the worker must not be killed for it
    pause = trickle_s / len(request)
    answer: dict = {}

    def slow():
        with _raw(server) as s:
            s.settimeout(30)
            for i in range(len(request)):
                s.sendall(request[i:i + 1])
                time.sleep(pause)
            data = b""
            while chunk := s.recv(65536):  # Connection: close, so the answer ends at EOF
                data += chunk
            answer["raw"] = data

    slow_threads = [threading.Thread(target=slow, daemon=True) for _ in range(2)]
    for t in slow_threads:
        t.start()
    latencies = []
    deadline = time.monotonic() + trickle_s
    while time.monotonic() < deadline:
        t0 = time.monotonic()
        status, _ = server.score()
        latencies.append(time.monotonic() - t0)
        assert status == 200
    for t in slow_threads:
        t.join(30)
    assert not any(t.is_alive() for t in slow_threads)
    head, _, payload = answer["raw"].partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 200"), head
    assert json.loads(payload)["passages"][0]["text"].startswith("Japan")
    assert len(latencies) >= 10 and max(latencies) < 5, latencies
    assert server.workers() == workers, "a slow client must not get a worker killed"


# ---- workers dying or hanging ----------------------------------------------------------------

def test_a_worker_killed_under_load_is_respawned(server):
    before = server.workers()
    victim = min(before)
    with Load(server, clients=4) as load:
        load.wait_for(20)
        os.kill(victim, signal.SIGKILL)
        killed_at_failures = len(load.failed)
        respawned = server.full_strength(without=victim)
        load.wait_for(50)
    assert victim not in respawned and len(respawned - before) == 1
    # only requests the killed worker was holding can fail: at most one per thread (plus its accept backlog)
    assert len(load.failed) - killed_at_failures <= THREADS + 2, load.failed
    assert killed_at_failures == 0, load.failed
    _assert_serving(server)


def test_a_hung_worker_is_killed_after_the_timeout_and_replaced(server):
    before = server.workers()
    victim = min(before)
    os.kill(victim, signal.SIGSTOP)
    try:
        t0 = time.monotonic()
        with Load(server, clients=2) as load:
            load.wait_for(10)  # the other worker keeps serving while this one hangs
            replaced = server.full_strength(without=victim)
            elapsed = time.monotonic() - t0
            load.wait_for(20)
    finally:
        try:
            os.kill(victim, signal.SIGCONT)
        except ProcessLookupError:
            pass
    assert victim not in replaced
    assert f"WORKER TIMEOUT (pid:{victim})" in server.log_text()
    assert TIMEOUT_S - 1 <= elapsed <= TIMEOUT_S + 10, f"replaced after {elapsed:.1f} s with a {TIMEOUT_S} s timeout"
    # a request the stopped worker had already accepted may be lost with it; nothing else
    assert len(load.failed) <= THREADS, load.failed
    _assert_serving(server)


# ---- graceful reload -------------------------------------------------------------------------

def _next_version(models: Path) -> str:
    current = (models / "CURRENT").read_text().strip()
    new = "v-reloaded"
    shutil.copytree(models / current, models / new)
    manifest = json.loads((models / new / "manifest.json").read_text())
    manifest["version"] = new
    (models / new / "manifest.json").write_text(json.dumps(manifest))
    tmp = models / "CURRENT.tmp"
    tmp.write_text(new + "\n")
    os.replace(tmp, models / "CURRENT")  # the same atomic switch training does
    return new


@pytest.mark.parametrize("how", ["SIGHUP", "admin endpoint"])
def test_graceful_reload_while_requests_run_fails_none(server, models_copy, how):
    before = server.workers()
    old = server.ready()["model"]["version"]
    with Load(server, clients=4) as load:
        load.wait_for(20)
        new = _next_version(models_copy)
        if how == "SIGHUP":
            os.kill(server.master, signal.SIGHUP)
        else:
            assert server.request("POST", "/v1/admin/reload", headers={"Authorization": "Bearer wrong"})[0] == 401
            admin = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
            status, body = server.request("POST", "/v1/admin/reload", headers=admin)
            assert status == 200 and body["model"]["version"] == new and body["previous"] == old, body
        after = server.wait(lambda: (lambda w: w if len(w) == WORKERS and not (w & before) and w <= server.booted()
                                     else None)(server.workers()), "every worker to be replaced", limit=40)
        load.wait_for(30)
    assert load.failed == [], f"{len(load.failed)} failed requests during the reload: {load.failed[:5]}"
    assert load.ok > 50
    assert server.proc.poll() is None and not (after & before)
    for _ in range(10):  # every worker now serves the new model
        status, body = server.score()
        assert status == 200 and body["model"]["version"] == new


def test_a_reload_to_a_broken_model_keeps_the_old_one(server, models_copy):
    old = server.ready()["model"]["version"]
    (models_copy / "CURRENT").write_text("does-not-exist\n")
    with Load(server, clients=2) as load:
        load.wait_for(5)
        status, body = server.request("POST", "/v1/admin/reload", headers={"Authorization": f"Bearer {ADMIN_TOKEN}"})
        load.wait_for(10)
    assert status == 409 and "not switched" in body["detail"]
    assert load.failed == []
    assert server.ready()["model"]["version"] == old


def test_sighup_onto_a_tampered_model_leaves_the_service_up_but_not_ready(server, models_copy):
    """kill -HUP does not verify before switching (the admin endpoint does): the new workers refuse
    the tampered bundle and answer 503 with the one-line reason until CURRENT is fixed and HUP sent again."""
    good = server.ready()["model"]["version"]
    bad = "v-tampered"
    shutil.copytree(models_copy / good, models_copy / bad)
    blob = bytearray((models_copy / bad / "model.joblib").read_bytes())
    blob[len(blob) // 2] ^= 0xFF
    (models_copy / bad / "model.joblib").write_bytes(bytes(blob))
    (models_copy / "CURRENT").write_text(bad + "\n")
    before = server.workers()
    os.kill(server.master, signal.SIGHUP)
    server.wait(lambda: (lambda w: len(w) == WORKERS and not (w & before))(server.workers()), "new workers")

    def not_ready():
        status, body = server.request("GET", "/readyz", timeout=5)
        return body if status == 503 else None

    body = server.wait(not_ready, "/readyz 503 from the new workers")
    assert "sha256" in body["detail"] and "\n" not in body["detail"]
    status, body = server.score()
    assert status == 503 and "/readyz" in body["detail"]
    assert server.request("GET", "/healthz")[0] == 200
    # fix the pointer and reload again: ready on the good model
    (models_copy / "CURRENT").write_text(good + "\n")
    os.kill(server.master, signal.SIGHUP)
    assert server.ready()["model"]["version"] == good
    server.wait(lambda: all(server.score()[0] == 200 for _ in range(10)), "every worker back on the good model")


def _served_by(server: Server) -> dict[str, int]:
    """request id -> pid of the worker that answered it, from the access log."""
    out = {}
    for line in server.log_text().splitlines():
        if line.startswith("{") and '"event": "request"' in line:
            rec = json.loads(line)
            out[rec["request_id"]] = rec["worker"]
    return out


def test_a_busy_worker_leaves_new_connections_to_an_idle_one(models_copy, tmp_path):
    """One thread per worker: while one worker scores a long batch, a new client is served by
    the other one, every time (stock gthread: whichever worker wakes first, half the time
    the busy one, and the client waits for the batch)."""
    long_text = " ".join([TEXT] * 60)
    batch = {"articles": [{"text": long_text}] * 32}
    with gunicorn(models_copy, tmp_path, TENSION_THREADS="1") as server:
        waits = []
        for i in range(5):
            t = threading.Thread(target=server.request, args=("POST", "/v1/score/batch", batch),
                                 kwargs={"headers": {"X-Request-ID": f"batch{i}"}})
            t.start()
            time.sleep(0.05)  # the batch is being scored
            t0 = time.monotonic()
            status, _ = server.request("POST", "/v1/score", {"text": TEXT}, headers={"X-Request-ID": f"single{i}"})
            waits.append(time.monotonic() - t0)
            assert status == 200
            t.join(30)
        served = server.wait(lambda: (lambda s: s if all(f"batch{i}" in s for i in range(5)) else None)(_served_by(server)),
                             "access log lines")
        for i in range(5):
            assert served[f"single{i}"] != served[f"batch{i}"], (i, served)


def test_keep_alive_clients_are_spread_over_the_workers(server):
    """8 clients, each with one keep-alive connection opened at the same moment: both workers serve."""
    start = threading.Barrier(8)
    failures = []

    def client(c):
        conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=20)
        try:
            start.wait()
            for k in range(6):
                conn.request("POST", "/v1/score", body=json.dumps({"text": TEXT}),
                             headers={"Content-Type": "application/json", "X-Request-ID": f"c{c}r{k}"})
                resp = conn.getresponse()
                resp.read()
                if resp.status != 200:
                    failures.append(resp.status)
        finally:
            conn.close()

    threads = [threading.Thread(target=client, args=(c,)) for c in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    assert not failures
    served = server.wait(lambda: (lambda s: s if sum(k.startswith("c") for k in s) >= 48 else None)(_served_by(server)),
                         "access log lines")
    per_worker: dict[int, int] = {}
    for rid, pid in served.items():
        if rid.startswith("c"):
            per_worker[pid] = per_worker.get(pid, 0) + 1
    assert len(per_worker) == WORKERS and min(per_worker.values()) >= 12, per_worker
