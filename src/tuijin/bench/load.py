"""The load scenario (`tuijin bench --only load`): readers and writers at once against a real gunicorn.

It starts gunicorn on 127.0.0.1 (a free port) on the bench database, then for `--seconds` (default 60)
runs `--readers` (50) threads that GET pages and API lists with a logged-in session and `--writers`
(20) threads that PATCH a person each through the API (their own person, so no edit conflicts: every
answer but 200 is an error). It reports requests per second, median and p95 latency and every error
(HTTP 5xx, 4xx, timeouts, refused connections) into the bench JSON, and per read URL its requests,
requests per second, median and p95 (`by_url`). `--writers 0` measures the read mix alone. Writers put
each person's post back at the end; the writes' audit events and history remain, as any real edit's
would. `--workers` and `--threads` size gunicorn (default: DEFAULT_WORKERS × DEFAULT_THREADS).
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import random
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

from django.conf import settings
from django.db import connections
from django.test import Client

from tuijin.core.scope import subtree_q
from .measure import Outcome

READ_PATHS = [
    "/",
    "/orgs/{county}/",
    "/problems/{county}/",
    "/api/v1/people?org={county}",
    "/api/v1/problems?org={county}",
]
SERVER_START_SECONDS = 60
DEFAULT_WORKERS, DEFAULT_THREADS = 4, 4


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _database_url() -> str:
    db = connections["default"].settings_dict
    if connections["default"].vendor == "sqlite":
        return f"sqlite:///{Path(db['NAME']).resolve()}"
    auth = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def _start_server(port: int, workers: int, threads: int) -> subprocess.Popen:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=_database_url(),
        TUIJIN_MEDIA_ROOT=str(settings.MEDIA_ROOT),
        TUIJIN_DEBUG="0",
        TUIJIN_VAR_DIR=str(settings.VAR_DIR),
        DJANGO_SETTINGS_MODULE="tuijin.settings",
    )
    src = str(Path(__file__).resolve().parents[2])
    env["PYTHONPATH"] = src + (os.pathsep + env["PYTHONPATH"] if env.get("PYTHONPATH") else "")
    return subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "tuijin.wsgi:application",
            "--bind",
            f"127.0.0.1:{port}",
            "--workers",
            str(workers),
            "--threads",
            str(threads),
            "--timeout",
            "120",
            "--log-level",
            "warning",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _wait_ready(port: int, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + SERVER_START_SECONDS
    while time.monotonic() < deadline:
        if server.poll() is not None:
            stderr = server.stderr.read() if server.stderr else b""  # always a pipe (_start_server)
            raise RuntimeError(f"gunicorn exited: {stderr.decode(errors='replace')[-500:]}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/login/")
            conn.getresponse().read()
            conn.close()
            return
        except OSError:
            time.sleep(0.3)
    raise RuntimeError("gunicorn did not answer in time")


class Stats:
    def __init__(self):
        self.lock = threading.Lock()
        self.latencies: list[float] = []
        self.write_latencies: list[float] = []  # PATCHes only, answered or not
        self.by_url: dict[str, list[float]] = {}  # read path → its latencies, answered or not
        self.reads = self.writes = self.errors = 0
        self.kinds: dict[str, int] = {}  # "HTTP 500", "HTTP 409", "timeout", "connection"
        self.samples: list[str] = []

    def ok(self, started: float, write: bool, path: str = "") -> None:
        with self.lock:
            self.latencies.append((time.perf_counter() - started) * 1000)
            if path:
                self.by_url.setdefault(path, []).append(self.latencies[-1])
            if write:
                self.write_latencies.append(self.latencies[-1])
                self.writes += 1
            else:
                self.reads += 1

    def error(self, started: float, what: str, kind: str, write: bool = False, path: str = "") -> None:
        with self.lock:
            self.latencies.append((time.perf_counter() - started) * 1000)
            if path:
                self.by_url.setdefault(path, []).append(self.latencies[-1])
            if write:
                self.write_latencies.append(self.latencies[-1])
            self.errors += 1
            self.kinds[kind] = self.kinds.get(kind, 0) + 1
            if len(self.samples) < 10:
                self.samples.append(what[:200])


def _kind(exc: Exception) -> str:
    return "timeout (60 s)" if isinstance(exc, TimeoutError | socket.timeout) else "connection"


def _reader(port, cookie, paths, stop, stats):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    rng = random.Random()
    first = True
    while first or not stop.is_set():  # every client makes at least one request, however short the run
        first = False
        path = rng.choice(paths)
        started = time.perf_counter()
        try:
            conn.request("GET", path, headers={"Cookie": cookie})
            response = conn.getresponse()
            body = response.read()
            if response.status == 200:
                stats.ok(started, write=False, path=path)
            else:
                stats.error(
                    started, f"GET {path} → {response.status} {body[:120]!r}", f"HTTP {response.status}", path=path
                )
        except (OSError, http.client.HTTPException) as exc:
            stats.error(started, f"GET {path} → {type(exc).__name__}: {exc}", _kind(exc), path=path)
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    conn.close()


def _writer(port, token, number, stop, stats, originals):
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    version, i = None, 0

    def call(method, body=None):
        conn.request(method, f"/api/v1/people/{number}", body=json.dumps(body) if body else None, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()

    try:
        status, body = call("GET")
        data = json.loads(body)
        version, originals[number] = data["version"], data.get("post") or ""
    except Exception as exc:
        stats.error(time.perf_counter(), f"GET person {number}: {exc}", "setup")
        return
    while i == 0 or not stop.is_set():  # at least one write each, however short the run
        i += 1
        started = time.perf_counter()
        try:
            status, body = call("PATCH", {"version": version, "post": f"负载测试{i % 2}"})
            if status == 200:
                version = json.loads(body)["version"]
                stats.ok(started, write=True)
            elif status == 503:  # waited too long for a lock: nothing saved, try again after Retry-After
                stats.error(started, f"PATCH {number} → 503 {body[:120]!r}", "HTTP 503 (busy, retried)", write=True)
                conn.close()  # gunicorn drops a keep-alive connection idle for 2 s
                time.sleep(2)
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
            else:
                stats.error(started, f"PATCH {number} → {status} {body[:120]!r}", f"HTTP {status}", write=True)
                status, body = call("GET")
                version = json.loads(body)["version"]
        except (OSError, http.client.HTTPException, ValueError, KeyError) as exc:
            stats.error(
                started,
                f"PATCH {number} → {type(exc).__name__}: {exc}",
                _kind(exc) if isinstance(exc, OSError | http.client.HTTPException) else "bad answer",
                write=True,
            )
            conn.close()
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    with contextlib.suppress(OSError, http.client.HTTPException):  # put the person back as found
        call("PATCH", {"version": version, "post": originals[number]})
    conn.close()


def _p95(values: list[float]) -> float:
    return _quantile(values, 0.95)


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return round(ordered[min(len(ordered) - 1, int(len(ordered) * q))]) if ordered else 0.0


def run_load(runs: int, options: dict) -> Outcome:
    from tuijin.orgs.actions import issue_api_token
    from tuijin.orgs.models import Person, User

    seconds, readers, writers = options.get("seconds", 60), options.get("readers", 50), options.get("writers", 20)
    workers, threads_per_worker = options.get("workers") or DEFAULT_WORKERS, options.get("threads") or DEFAULT_THREADS
    county_user = User.objects.filter(username="county_office").first()
    grant = county_user.grants.filter(org__isnull=False).select_related("org").first() if county_user else None
    if county_user is None or grant is None or grant.org is None:
        return Outcome(skipped="no county_office account (not a demo database)")
    county = grant.org
    people = list(
        Person.objects.filter(subtree_q("org__path", county.path), active=True)
        .order_by("number")
        .values_list("number", flat=True)[:writers]
    )
    if len(people) < writers:
        return Outcome(skipped=f"only {len(people)} people under {county.code}, {writers} writers asked")
    client = Client()
    client.force_login(county_user)
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    token = issue_api_token(actor=None, user=county_user, name="tuijin bench load") if writers else ""
    paths = [p.format(county=county.code) for p in READ_PATHS]
    connections.close_all()  # the server's workers own the database now

    port = _free_port()
    server = _start_server(port, workers=workers, threads=threads_per_worker)
    stats, stop = Stats(), threading.Event()
    originals: dict[str, str] = {}  # person number → post before the load (writers put it back)
    try:
        _wait_ready(port, server)
        threads = [
            threading.Thread(target=_reader, args=(port, cookie, paths, stop, stats), daemon=True)
            for _ in range(readers)
        ]
        threads += [
            threading.Thread(target=_writer, args=(port, token, n, stop, stats, originals), daemon=True) for n in people
        ]
        started = time.monotonic()
        for t in threads:
            t.start()
        time.sleep(seconds)
        stop.set()
        for t in threads:
            t.join(timeout=120)
        elapsed = time.monotonic() - started
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
    out = Outcome(durations_ms=stats.latencies, cpu_ms=[0.0])
    total = stats.reads + stats.writes + stats.errors
    by_url = {
        path: {
            "requests": len(values),
            "requests_per_second": round(len(values) / elapsed, 1) if elapsed else 0.0,
            "median_ms": _quantile(values, 0.5),
            "p95_ms": _p95(values),
        }
        for path, values in stats.by_url.items()
    }
    out.extra = {
        "seconds": seconds,
        "readers": readers,
        "writers": writers,
        "gunicorn_workers": workers,
        "gunicorn_threads": threads_per_worker,
        "reads": stats.reads,
        "writes": stats.writes,
        "errors": stats.errors,
        "errors_by_kind": stats.kinds,
        "error_samples": stats.samples,
        "requests_per_second": round(total / elapsed, 1) if elapsed else 0.0,
        "write_p95_ms": _p95(stats.write_latencies),
        "write_max_ms": round(max(stats.write_latencies, default=0)),
        "by_url": dict(sorted(by_url.items())),
    }
    if not stats.latencies:
        out.skipped = "no request was answered"
    return out
