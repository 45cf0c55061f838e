"""Load test: the Connex API under gunicorn, polled by concurrent clients while orders change.

``python -m bench.load [--seconds 20 | --requests N] [--clients 8] [--workers 4] [--orders 5000]``
(``make load SECONDS=20 CLIENTS=8``):

1. creates a PostgreSQL database ``connex_load_<pid>`` on 127.0.0.1:5432 (user
   postgres), migrates it and seeds ``--orders`` realistic orders with
   :func:`bench.seed.seed_orders`, moved so that they span the last 30 days;
2. starts gunicorn (``--workers`` sync workers, :mod:`bench.load_settings`) on a
   free loopback port, and a writer process that adds new orders and modifies
   existing ones through the ORM (``save()``, so modified times move);
3. runs ``--clients`` client threads for ``--seconds`` (or until ``--requests``
   requests in all), each calling, at random, ``authenticatetowebservice`` (1 in
   5), ``orders`` for a random one-hour window of the 30 days (2 in 5) or for the
   most recent hour (2 in 5);
4. prints requests/s, p50/p99 latency (time to the last byte) per endpoint and
   overall, and the errors: any status but 200, connection error or body that is
   not JSON. Exits 1 if there was any error.

gunicorn, the writer and the database are stopped and dropped in every case,
Ctrl-C and SIGTERM included. Only 127.0.0.1 is used.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import http.client
import json
import os
import random
import re
import signal
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter, defaultdict
from pathlib import Path
from types import FrameType

from bench.runner import REPO_DIR, Window, fresh_database

HOST = "127.0.0.1"
USERNAME = "connex-load"
SETTINGS = "bench.load_settings"
ENDPOINTS = ("authenticatetowebservice", "orders (random hour)", "orders (last hour)")
WEIGHTS = (1, 2, 2)


def _interrupt(signum: int, frame: FrameType | None) -> None:
    """SIGTERM or SIGHUP: clean up as for Ctrl-C."""
    raise KeyboardInterrupt(signal.Signals(signum).name)


def setup_django() -> None:
    """Configure Django with :mod:`bench.load_settings` (``BENCH_PG_NAME`` names the database)."""
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS
    import django

    django.setup()


# --- the shop -----------------------------------------------------------------------------


def seed(orders: int) -> tuple[str, dt.datetime]:
    """Migrate, seed ``orders`` orders ending now, add the credential: (its secret, the first modified time)."""
    from django.core.management import call_command
    from django.db import connection, connections
    from django.db.models import F
    from django.utils import timezone

    from bench.seed import seed_orders
    from connex_bridge.credential_secrets import generate_secret
    from connex_bridge.models import ConnexCredential, Order, Payment

    call_command("migrate", verbosity=0, interactive=False)
    report = seed_orders(orders, seed=1)
    # seed_orders writes a fixed month; move it so that it ends a minute ago.
    shift = timezone.now() - dt.timedelta(minutes=1) - report.last_modified
    shift = dt.timedelta(seconds=round(shift.total_seconds()))
    Order.objects.update(
        created_at=F("created_at") + shift,
        modified_at=F("modified_at") + shift,
        paid_at=F("paid_at") + shift,
        shipped_at=F("shipped_at") + shift,
    )
    Payment.objects.update(paid_at=F("paid_at") + shift, modified_at=F("modified_at") + shift)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(f"seed: {report.summary()}; moved {shift.days} days later, to end a minute ago", flush=True)
    secret = generate_secret()
    credential = ConnexCredential(username=USERNAME)
    credential.set_secret(secret)
    credential.save()
    connections.close_all()  # the workers and the writer have their own
    return secret, report.first_modified + shift


class Server:
    """gunicorn serving :mod:`bench.load_settings` on a free loopback port."""

    def __init__(self, workers: int, log_dir: Path) -> None:
        self.workers = workers
        self.error_log = log_dir / "gunicorn.log"
        self.process: subprocess.Popen[bytes] | None = None
        self.port = 0

    def start(self) -> None:
        self.process = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
            [
                sys.executable,
                "-m",
                "gunicorn",
                "django.core.wsgi:get_wsgi_application()",
                f"--workers={self.workers}",
                "--worker-class=sync",
                f"--bind={HOST}:0",
                f"--error-logfile={self.error_log}",
                "--timeout=60",
                "--preload",
            ],
            cwd=REPO_DIR,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            log = self.error_log.read_text() if self.error_log.exists() else ""
            listening = re.search(r"Listening at: http://127\.0\.0\.1:(\d+)", log)
            if listening and log.count("Booting worker") >= self.workers:
                self.port = int(listening.group(1))
                return
            if self.process.poll() is not None:
                break
            time.sleep(0.1)
        raise SystemExit(f"gunicorn did not start:\n{self.log_tail()}")

    def log_tail(self, lines: int = 40) -> str:
        if not self.error_log.exists():
            return ""
        return "\n".join(self.error_log.read_text(errors="replace").splitlines()[-lines:])

    def stop(self) -> None:
        stop_process(self.process)


def stop_process(process: subprocess.Popen[bytes] | None, sig: int = signal.SIGINT) -> None:
    """Ask ``process`` to stop with ``sig``, kill it if it has not after 15 s."""
    if process is None or process.poll() is not None:
        return
    process.send_signal(sig)
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=5)


# --- the writer ---------------------------------------------------------------------------


def run_writer(rate: float) -> int:
    """Until SIGTERM/SIGINT: about ``rate`` times a second, add a new order or modify one (half each)."""
    setup_django()
    from django.db import transaction
    from django.utils import timezone

    from connex_bridge.models import Order

    stopping = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda signum, frame: stopping.set())
    rng = random.Random(os.getpid())  # noqa: S311 - test data, not secrets
    sales = list(Order.objects.filter(parent_number="").values_list("pk", flat=True))
    added = modified = 0
    while not stopping.wait(1 / rate):
        now = timezone.now()
        with transaction.atomic():
            order = Order.objects.get(pk=rng.choice(sales))
            if rng.random() < 0.5:
                # A new order: a copy of an old sale, placed now, written as a shop would (save()).
                rows = [*order.lines.all(), *order.discounts.all(), *order.payments.all()]
                order.pk = None
                order.number = f"LOAD-{os.getpid()}-{added + 1}"
                order.created_at = now
                order.paid_at = now if order.paid_at else None
                order.shipped_at = None
                order.status = "paid" if order.paid_at else "pending"
                order.tracking_number = ""
                order.save()
                for row in rows:
                    row.pk = None
                    row.order = order
                    if hasattr(row, "paid_at"):
                        row.paid_at = now
                    row.save()
                added += 1
            else:
                # A modified order: shipped, or a note added.
                if order.status in ("paid", "awaiting_shipment"):
                    order.status, order.shipped_at = "shipped", now
                    order.tracking_number = f"1Z{rng.randrange(10**16):016d}"
                else:
                    order.private_note = f"Checked by the load test at {now:%H:%M:%S}."
                order.save()
                modified += 1
    print(f"writer: {added} orders added, {modified} modified", flush=True)
    return 0


# --- the clients --------------------------------------------------------------------------


class Load:
    """The client threads and what they measured."""

    def __init__(self, port: int, secret: str, first: dt.datetime, seconds: float, requests: int) -> None:
        self.port = port
        token = base64.b64encode(f"{USERNAME}:{secret}".encode()).decode()
        self.headers = {"Authorization": f"Basic {token}", "X-Forwarded-Proto": "https", "Host": HOST}
        self.first = first
        self.deadline = time.monotonic() + seconds if seconds else float("inf")
        self.remaining = requests or -1
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.latencies: dict[str, list[float]] = defaultdict(list)
        self.errors: Counter[str] = Counter()
        self.orders_seen: Counter[str] = Counter()

    def take(self) -> bool:
        """Whether one more request may go out."""
        if self.stopping.is_set() or time.monotonic() >= self.deadline:
            return False
        with self.lock:
            if self.remaining == 0:
                return False
            self.remaining -= 1
            return True

    def path(self, endpoint: str, rng: random.Random) -> str:
        if endpoint == "authenticatetowebservice":
            return "/connex/authenticatetowebservice"
        now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
        if endpoint == "orders (last hour)":
            start = now - dt.timedelta(hours=1)
        else:
            span = (now - dt.timedelta(hours=1) - self.first).total_seconds()
            start = self.first + dt.timedelta(seconds=rng.uniform(0, span))
        return f"/connex/orders?{Window(start, start + dt.timedelta(hours=1)).query}"

    def client(self, number: int) -> None:
        rng = random.Random(number)  # noqa: S311 - a request mix, not secrets
        while self.take():
            endpoint = rng.choices(ENDPOINTS, weights=WEIGHTS)[0]
            path = self.path(endpoint, rng)
            started = time.perf_counter()
            error = orders = None
            connection = http.client.HTTPConnection(HOST, self.port, timeout=30)
            try:
                connection.request("GET", path, headers=self.headers)
                response = connection.getresponse()
                body = response.read()
                if response.status != 200:
                    error = f"{endpoint}: HTTP {response.status} {body[:200]!r}"
                else:
                    data = json.loads(body)
                    if endpoint == "authenticatetowebservice":
                        if data != "OK":
                            error = f"{endpoint}: answered {body[:200]!r}"
                    elif isinstance(data, dict) and isinstance(data.get("Orders"), list):
                        orders = len(data["Orders"]) + len(data.get("CancelledOrders") or ())
                    else:
                        error = f"{endpoint}: not a JMAUser object: {body[:200]!r}"
            except (OSError, http.client.HTTPException) as exc:
                error = f"{endpoint}: {type(exc).__name__}: {exc}"
            except ValueError as exc:  # json.JSONDecodeError, UnicodeDecodeError
                error = f"{endpoint}: unparsable JSON: {exc}"
            finally:
                connection.close()
            seconds = time.perf_counter() - started
            with self.lock:
                if error:
                    self.errors[error] += 1
                else:
                    self.latencies[endpoint].append(seconds)
                    self.orders_seen[endpoint] += orders or 0

    def run(self, clients: int) -> float:
        """Run the clients to the end; the seconds they took."""
        threads = [threading.Thread(target=self.client, args=(n,), daemon=True) for n in range(clients)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        try:
            for thread in threads:
                while thread.is_alive():
                    # With a timeout: a signal caught by a client thread must still reach this one.
                    thread.join(0.2)
        finally:
            self.stopping.set()
        return time.perf_counter() - started


def percentile(values: list[float], share: float) -> float:
    """The nearest-rank percentile of ``values`` (sorted)."""
    return values[max(0, min(len(values) - 1, round(share * len(values) + 0.5) - 1))]


def report(load: Load, seconds: float) -> int:
    """Print the results; the number of errors."""
    errors = sum(load.errors.values())
    done = sum(len(values) for values in load.latencies.values())
    print(f"{'endpoint':<26} {'requests':>8} {'req/s':>8} {'p50 ms':>8} {'p99 ms':>8}")
    rows = [(name, sorted(load.latencies.get(name, []))) for name in ENDPOINTS]
    rows.append(("overall", sorted(v for values in load.latencies.values() for v in values)))
    for name, values in rows:
        if values:
            p50, p99 = percentile(values, 0.50) * 1000, percentile(values, 0.99) * 1000
            print(f"{name:<26} {len(values):>8} {len(values) / seconds:>8.1f} {p50:>8.1f} {p99:>8.1f}")
        else:
            print(f"{name:<26} {0:>8}")
    received = ", ".join(f"{load.orders_seen[name]} in {name}" for name in ENDPOINTS[1:])
    print(f"{done} answers in {seconds:.1f} s; orders and refunds received: {received}; errors: {errors}")
    for message, count in load.errors.most_common(10):
        print(f"  {count} x {message}")
    return errors


# --- the whole run ------------------------------------------------------------------------


def run_load(args: argparse.Namespace) -> int:
    os.environ["BENCH_PG_NAME"] = f"connex_load_{os.getpid()}"
    os.environ["BENCH_DB"] = "postgres"
    os.environ["DJANGO_SETTINGS_MODULE"] = SETTINGS
    os.environ["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_DIR), os.environ.get("PYTHONPATH")]))
    for sig in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, _interrupt)
    bound = f"{args.requests} requests" if args.requests else f"{args.seconds:g} s"
    print(f"load: {args.orders} orders, {args.workers} gunicorn workers, {args.clients} clients, {bound}", flush=True)
    with tempfile.TemporaryDirectory(prefix="connex-load-") as log_dir, fresh_database("postgres") as name:
        print(f"database: {name}", flush=True)
        setup_django()
        secret, first = seed(args.orders)
        server = Server(args.workers, Path(log_dir))
        writer: subprocess.Popen[bytes] | None = None
        try:
            server.start()
            print(f"gunicorn: http://{HOST}:{server.port}/connex/ ({args.workers} sync workers)", flush=True)
            writer = subprocess.Popen(  # noqa: S603 - our own interpreter and arguments
                [sys.executable, "-m", "bench.load", "--writer", "--write-rate", str(args.write_rate)], cwd=REPO_DIR
            )
            load = Load(server.port, secret, first, 0 if args.requests else args.seconds, args.requests)
            seconds = load.run(args.clients)
            stop_process(writer, signal.SIGTERM)
            errors = report(load, seconds)
            if errors:
                print(f"gunicorn's log, last lines:\n{server.log_tail()}")
            return 1 if errors else 0
        finally:
            stop_process(writer, signal.SIGTERM)
            server.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.load", description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=20, help="how long the clients run (default 20)")
    parser.add_argument("--requests", type=int, default=0, help="stop after this many requests instead")
    parser.add_argument("--clients", type=int, default=8, help="concurrent client threads (default 8)")
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers (default 4)")
    parser.add_argument("--orders", type=int, default=5000, help="orders seeded over the last 30 days")
    parser.add_argument("--write-rate", type=float, default=10, help="writer changes per second (default 10)")
    parser.add_argument("--writer", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.writer:
        return run_writer(args.write_rate)
    if args.clients < 1 or args.workers < 1 or args.orders < 1 or (args.seconds <= 0 and args.requests <= 0):
        parser.error("--clients, --workers, --orders and --seconds or --requests must be positive")
    try:
        return run_load(args)
    except KeyboardInterrupt as exc:
        print(f"load: interrupted ({str(exc) or 'SIGINT'}); gunicorn, the writer and the database are gone")
        return 130


if __name__ == "__main__":
    sys.exit(main())
