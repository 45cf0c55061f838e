"""The lockout holds across processes: the demo shop under gunicorn with 3 workers and Redis.

Each batch of three requests is held open at once (headers sent but for the
final blank line) before any is finished. A sync gunicorn worker serves one
connection at a time, so the three are served by different workers; the access
log's process ids confirm it. Three failures spread over the workers must lock
the attacker out on every worker: with Redis they do. The control, the same run
with a local-memory cache, shows why connex_bridge.W002 warns about one: no
worker has seen enough failures, and the next guess is checked again.

Every request is on 127.0.0.1; the other addresses are only in X-Forwarded-For,
which the settings trust from 127.0.0.1 (as from a TLS proxy).
"""

from __future__ import annotations

import base64
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
REDIS_URL = os.environ.get("CONNEX_GUNICORN_REDIS", "redis://127.0.0.1:6379/0")
SECRET = "Kettle-Walrus-Quartz-19"
ATTACKER = "203.0.113.5"
MERCHANT = "198.51.100.7"
WORKERS = 3


def redis_client():
    redis = pytest.importorskip("redis")
    client = redis.Redis.from_url(REDIS_URL, socket_timeout=2, socket_connect_timeout=2)
    try:
        client.ping()
    except redis.exceptions.ConnectionError:
        if os.environ.get("CI"):
            pytest.fail(f"Redis is not reachable at {REDIS_URL}")
        pytest.skip(f"Redis is not reachable at {REDIS_URL}")
    return client


def basic(username: str, password: str) -> str:
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


class Shop:
    """The demo shop served by gunicorn on a free loopback port."""

    def __init__(self, tmp_path: Path, cache: str, key_prefix: str) -> None:
        self.env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "tests.gunicorn_settings",
            "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "example_project")]),
            "CONNEX_GUNICORN_DB": str(tmp_path / "shop.sqlite3"),
            "CONNEX_GUNICORN_CACHE": cache,
            "CONNEX_GUNICORN_KEY_PREFIX": key_prefix,
        }
        self.access_log = tmp_path / "access.log"
        self.error_log = tmp_path / "error.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.port = 0

    def start(self, database: Path) -> None:
        shutil.copyfile(database, self.env["CONNEX_GUNICORN_DB"])
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            [
                sys.executable,
                "-m",
                "gunicorn",
                "demo_site.wsgi:application",
                f"--workers={WORKERS}",
                "--bind=127.0.0.1:0",
                f"--access-logfile={self.access_log}",
                "--access-logformat=%(p)s %(s)s",
                f"--error-logfile={self.error_log}",
                "--timeout=30",
                "--preload",  # load Django once, before the workers fork
            ],
            env=self.env,
            cwd=ROOT,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            log = self.error_log.read_text() if self.error_log.exists() else ""
            listening = re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", log)
            if listening and log.count("Booting worker") >= WORKERS:
                self.port = int(listening.group(1))
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        raise AssertionError(f"gunicorn did not start:\n{self.error_log.read_text()}")

    def stop(self) -> None:
        if self.process is None or self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGINT)  # gunicorn's quick shutdown
        try:
            self.process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait(timeout=5)

    def served_by(self) -> list[tuple[int, int]]:
        """(worker pid, status) of every request answered so far, in order."""
        deadline = time.monotonic() + 5
        lines: list[str] = []
        while time.monotonic() < deadline:
            lines = self.access_log.read_text().splitlines() if self.access_log.exists() else []
            if len(lines) >= self.answered:
                break
            time.sleep(0.05)
        return [(int(pid.strip("<>")), int(status)) for pid, status in (line.split() for line in lines)]

    answered = 0

    def sign_in_together(self, password: str, address: str, count: int = WORKERS) -> list[tuple[int, dict[str, str]]]:
        """``count`` sign-ins held open at once, then finished: (status, headers) of each."""
        head = (
            "GET /connex/authenticatetowebservice HTTP/1.1\r\n"
            "Host: 127.0.0.1\r\n"
            f"Authorization: {basic('connex', password)}\r\n"
            f"X-Forwarded-For: {address}\r\n"
            "X-Forwarded-Proto: https\r\n"
            "Connection: close\r\n"
        ).encode()
        connections = [socket.create_connection(("127.0.0.1", self.port), timeout=10) for _ in range(count)]
        try:
            for connection in connections:
                connection.sendall(head)
            time.sleep(0.5)  # every idle worker takes one held connection
            for connection in connections:
                connection.sendall(b"\r\n")
            answers = [read_response(connection) for connection in connections]
            self.answered += count
            return answers
        finally:
            for connection in connections:
                connection.close()


def read_response(connection: socket.socket) -> tuple[int, dict[str, str]]:
    data = b""
    while chunk := connection.recv(65536):
        data += chunk
    head, _, _ = data.partition(b"\r\n\r\n")
    status_line, *header_lines = head.decode("latin-1").split("\r\n")
    headers = {name.lower(): value.strip() for name, _, value in (line.partition(":") for line in header_lines)}
    return int(status_line.split()[1]), headers


@pytest.fixture
def redis():
    client = redis_client()
    yield client
    client.close()


@pytest.fixture
def key_prefix(redis):
    """A prefix of this run's own; its keys are deleted afterwards."""
    prefix = f"connex-bridge-test-{uuid.uuid4().hex}"
    yield prefix
    for key in redis.scan_iter(match=f"{prefix}:*"):
        redis.delete(key)


@pytest.fixture(scope="module")
def database(tmp_path_factory) -> Path:
    """The demo shop's database, migrated, with the credential ``connex``; made once, copied per shop."""
    path = tmp_path_factory.mktemp("shop") / "template.sqlite3"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.gunicorn_settings",
        "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "example_project")]),
        "CONNEX_GUNICORN_DB": str(path),
        "CONNEX_GUNICORN_CACHE": "locmem",
    }
    script = (
        "import django, io, sys; django.setup(); from django.core.management import call_command; "
        "call_command('migrate', verbosity=0); "
        "call_command('connex_credential', 'add', 'connex', '--password-stdin', stdin=sys.stdin, stdout=io.StringIO())"
    )
    subprocess.run(  # noqa: S603 - our own interpreter and script
        [sys.executable, "-c", script], input=SECRET + "\n", env=env, cwd=ROOT, text=True, timeout=120, check=True
    )
    return path


@pytest.fixture
def shop(tmp_path, key_prefix, database, request):
    shop = Shop(tmp_path, request.param, key_prefix)
    try:
        shop.start(database)
        yield shop
    finally:
        shop.stop()


@pytest.mark.parametrize("shop", ["redis"], indirect=True)
def test_with_redis_failures_on_different_workers_lock_the_attacker_out_on_every_worker(shop, key_prefix, redis):
    failures = shop.sign_in_together("guess", ATTACKER)
    failed_on = Counter(pid for pid, _ in shop.served_by())
    locked = shop.sign_in_together(SECRET, ATTACKER)  # even the right password, on every worker
    locked_on = {pid for pid, _ in shop.served_by()[WORKERS:]}
    merchant = shop.sign_in_together(SECRET, MERCHANT, count=1)

    assert [status for status, _ in failures] == [401] * WORKERS
    assert max(failed_on.values()) < 3, failed_on  # no worker saw the three failures by itself
    assert [status for status, _ in locked] == [429] * WORKERS
    assert len(locked_on) >= 2, locked_on
    assert all(0 < int(headers["retry-after"]) <= 300 for _, headers in locked)
    assert merchant[0][0] == 200  # the merchant's Connex, at another address, still signs in

    # The lockout state is in Redis, under this run's prefix, and holds no secret.
    keys = list(redis.scan_iter(match=f"{key_prefix}:*"))
    assert keys
    for key in keys:
        value = redis.get(key) or b""
        for clear in (SECRET, "guess", "connex:", ATTACKER, MERCHANT):
            assert clear.encode() not in key
            assert clear.encode() not in value


@pytest.mark.parametrize("shop", ["locmem"], indirect=True)
def test_control_with_a_local_memory_cache_each_worker_counts_alone(shop):
    failures = shop.sign_in_together("guess", ATTACKER)
    failed_on = Counter(pid for pid, _ in shop.served_by())
    next_guess = shop.sign_in_together("guess", ATTACKER, count=1)

    assert [status for status, _ in failures] == [401] * WORKERS
    assert max(failed_on.values()) < 3, failed_on
    assert next_guess[0][0] == 401  # checked again: the limit of 3 did not hold
