"""Seeds a fresh database, checks the contenders agree, times them, prints ``RESULT``.

``python -m bench --source builtin|demo|oscar --orders 5000 --db sqlite [--stream] [--runs 5] [--profile]``
(``make bench SOURCE=demo ORDERS=5000 DB=sqlite``). The last line is::

    RESULT source=S orders=N db=X ours_ms=… [builtin_ms=…] floor_ms=… naive_ms=… ours_vs_floor=…
        [ours_vs_builtin=…] naive_vs_ours=… queries=… peak_rss_mb=…

* ``source``: whose tables ``ours`` reads. ``builtin``: connex_bridge's own models
  (``BuiltinOrderSource``); ``demo``: the demo shop's (``shop.connex.ShopOrderSource``, a
  ``DeclarativeOrderSource``); ``oscar``: django-oscar's (``OscarOrderSource``; needs
  django-oscar installed). The same generated orders
  (:func:`connex_bridge.testing.specs.generate_specs`) go into the source's tables, through its
  harness's bulk writer, and into the built-in tables, which the floor and the naive contenders
  read: every contender answers for the same orders.
* ``ours_ms``, ``builtin_ms``, ``floor_ms``, ``naive_ms``: medians of ``--runs`` timed runs.
  ``builtin`` (only when the source is not ``builtin``) is ours on the built-in tables: what
  the shop would get from the built-in store. The contenders run in one process,
  alternating, in a rotating order (each round starts with the next one), so drift in the
  machine's speed hits all alike.
* ``ours_vs_floor``, ``ours_vs_builtin``, ``naive_vs_ours``: medians of the ratios of the runs
  of one round (ours/floor, ours/builtin and naive/ours), not ratios of medians.
* ``queries``: SQL queries of one ``orders`` request of ours (``CaptureQueriesContext``),
  authentication included.
* ``peak_rss_mb``: peak resident memory of one ``orders`` request above the
  process's baseline, measured in a fresh subprocess (see :func:`measure_memory`).

``--stream`` is the large-window mode (``make bench ORDERS=100000 STREAM=1``):
it adds time per order, time to first byte and the floor's memory, and skips
the naive contender above :data:`NAIVE_LIMIT` orders (``--naive`` forces it).
"""

from __future__ import annotations

import argparse
import base64
import contextlib
import cProfile
import datetime as dt
import gc
import importlib.util
import io
import json
import os
import platform
import pstats
import resource
import signal
import statistics
import subprocess
import sys
import time
import timeit
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent
REPO_DIR = BENCH_DIR.parent
#: Above this many orders, --stream skips the naive contender (minutes per run).
NAIVE_LIMIT = 20_000
MB = 1024 * 1024


# --- the database ---------------------------------------------------------------------


def _postgres_admin(sql: str) -> None:
    """Run ``sql`` on the server's ``postgres`` database (CREATE/DROP DATABASE cannot run in a transaction)."""
    import psycopg

    with psycopg.connect(
        host=os.environ.get("PGHOST", "127.0.0.1"),
        port=os.environ.get("PGPORT", "5432"),
        user=os.environ.get("PGUSER", "postgres"),
        password=os.environ.get("PGPASSWORD", ""),
        dbname="postgres",
        autocommit=True,
    ) as admin:
        admin.execute(sql)


@contextlib.contextmanager
def fresh_database(db: str) -> Iterator[str]:
    """Point ``bench.settings`` at a new, empty database; drop it afterwards. Yields its name."""
    if db == "sqlite":
        path = BENCH_DIR / ".data" / f"connex_bench-{os.getpid()}.sqlite3"
        path.parent.mkdir(exist_ok=True)
        files = [path, path.with_name(path.name + "-journal"), path.with_name(path.name + "-wal")]
        for file in files:
            file.unlink(missing_ok=True)
        os.environ["BENCH_SQLITE_NAME"] = str(path)
        try:
            yield str(path)
        finally:
            _close_connections()
            for file in files:
                file.unlink(missing_ok=True)
    else:
        # One database per run, like the SQLite file: two benchmarks on one server never drop each other's.
        name = os.environ.setdefault("BENCH_PG_NAME", f"connex_bench_{os.getpid()}")
        _postgres_admin(f'DROP DATABASE IF EXISTS "{name}"')
        _postgres_admin(f'CREATE DATABASE "{name}"')
        try:
            yield name
        finally:
            _close_connections()
            _postgres_admin(f'DROP DATABASE IF EXISTS "{name}"')


def _close_connections() -> None:
    from django.db import connections

    connections.close_all()


SOURCES = ("builtin", "demo", "oscar")


def setup_django(db: str, source: str = "builtin") -> None:
    """Configure Django with ``bench.settings`` for ``db``, with the apps and ``CONNEX_BRIDGE`` of ``source``."""
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.settings"
    os.environ["BENCH_DB"] = db
    os.environ["BENCH_SOURCE"] = source
    import django

    django.setup()


# --- calling the endpoint as a WSGI server does -------------------------------------------


@dataclass
class Fetched:
    """One response: status, size, seconds to the first and the last byte, its first bytes, the body if kept."""

    status: int
    size: int
    first_byte: float
    seconds: float
    head: bytes
    body: bytes | None = None


class Poller:
    """Calls Django's WSGI application as a WSGI server would, with Connex's Basic credentials.

    The request goes through the whole stack: middleware, URL resolving,
    authentication, the view, the renderer. Every byte of the answer is
    consumed: ``streaming_content`` of a streaming response, ``content`` of
    any other. ``close()`` then sends ``request_finished``, as servers do.
    """

    def __init__(self, username: str, secret: str) -> None:
        from django.core.handlers.wsgi import WSGIHandler

        self.application = WSGIHandler()
        token = base64.b64encode(f"{username}:{secret}".encode()).decode()
        self.authorization = f"Basic {token}"

    def environ(self, path: str, query: str) -> dict[str, Any]:
        """The WSGI environ of ``GET path?query``."""
        return {
            "REQUEST_METHOD": "GET",
            "SCRIPT_NAME": "",
            "PATH_INFO": path,
            "QUERY_STRING": query,
            "SERVER_NAME": "bench.invalid",
            "SERVER_PORT": "443",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "HTTP_HOST": "bench.invalid",
            "HTTP_AUTHORIZATION": self.authorization,
            "HTTP_ACCEPT": "application/json",
            "REMOTE_ADDR": "127.0.0.1",
            "wsgi.version": (1, 0),
            "wsgi.url_scheme": "https",
            "wsgi.input": io.BytesIO(b""),
            "wsgi.errors": sys.stderr,
            "wsgi.multithread": False,
            "wsgi.multiprocess": True,
            "wsgi.run_once": False,
        }

    def get(self, path: str, query: str = "", keep: bool = False) -> Fetched:
        """``GET path?query``; ``keep`` keeps the body (otherwise bytes are counted and dropped)."""
        from django.http import HttpResponse, StreamingHttpResponse

        def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> None:
            return None

        started = time.perf_counter()
        response = self.application(self.environ(path, query), start_response)
        size, first_byte, head, parts = 0, 0.0, b"", []
        try:
            if isinstance(response, StreamingHttpResponse):
                chunks = response.streaming_content
                if not isinstance(chunks, Iterable):
                    raise TypeError("an asynchronous streaming response needs an ASGI server")
                for chunk in chunks:
                    if not size:
                        first_byte = time.perf_counter() - started
                        head = chunk[:500]
                    size += len(chunk)
                    if keep:
                        parts.append(chunk)
            elif isinstance(response, HttpResponse):
                body = response.content
                first_byte = time.perf_counter() - started
                size, head = len(body), body[:500]
                if keep:
                    parts.append(body)
            else:
                raise TypeError(f"unexpected response {type(response).__name__}")
        finally:
            response.close()
        seconds = time.perf_counter() - started
        return Fetched(response.status_code, size, first_byte, seconds, head, b"".join(parts) if keep else None)


@dataclass(frozen=True)
class Window:
    """The modified-date window of every seeded order."""

    start: dt.datetime
    end: dt.datetime

    @property
    def query(self) -> str:
        """The ``orders`` query string Connex would send for this window."""
        form = "%Y-%m-%dT%H:%M:%SZ"
        return f"date_modified_min={self.start:{form}}&date_modified_max={self.end:{form}}"


ORDERS_PATH = "/connex/orders"


def fetch_orders(poller: Poller, window: Window, keep: bool = False) -> Fetched:
    """One full ``orders`` request; raises unless it answers 200."""
    fetched = poller.get(ORDERS_PATH, window.query, keep=keep)
    if fetched.status != 200:
        raise SystemExit(
            f"GET {ORDERS_PATH}?{window.query} answered {fetched.status}: {fetched.head.decode(errors='replace')}"
        )
    return fetched


# --- memory ------------------------------------------------------------------------------------


def _status_kb(field: str) -> int | None:
    """A ``VmRSS`` / ``VmHWM`` line of /proc/self/status, in kB (Linux only)."""
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith(field + ":"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def _reset_peak() -> bool:
    """Reset the kernel's peak-RSS mark of this process (Linux >= 4.0); False when unsupported."""
    try:
        with open("/proc/self/clear_refs", "w") as clear_refs:
            clear_refs.write("5")
    except OSError:
        return False
    return True


def _maxrss_kb() -> int:
    value = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return value // 1024 if sys.platform == "darwin" else value  # bytes on macOS, kB elsewhere


def memory_child(contender: str, window: Window) -> dict[str, float]:
    """Peak RSS of one request above the baseline of this (fresh) process.

    ``ru_maxrss`` is the high-water mark of the whole process, so it cannot be
    measured in the timing process: seeding, parsing for the equality check and
    the other contenders all raise it first. Here a fresh process warms up (an
    ``orders`` request for an empty window imports and initialises everything),
    takes its current RSS as the baseline, resets the kernel's peak mark
    (``/proc/self/clear_refs``; elsewhere the peak so far is barely above the
    baseline, in a process this fresh) and runs one request. RSS counts what
    the process really holds: Python objects, the response body, the database
    driver's buffers, allocator slack; tracemalloc would miss the last three.
    """
    from django.db import connection

    from bench import floor, naive
    from connex_bridge.models import ConnexCredential

    credential = ConnexCredential.objects.get(username=os.environ["BENCH_USERNAME"])
    poller = Poller(credential.username, os.environ["BENCH_SECRET"])
    fetch_orders(poller, Window(window.start, window.start))
    connection.ensure_connection()
    gc.collect()
    baseline = _status_kb("VmRSS") or _maxrss_kb()
    reset = _reset_peak()
    started = time.perf_counter()
    if contender == "ours":
        size = fetch_orders(poller, window).size
    else:
        size = len((floor if contender == "floor" else naive).orders_json(window.start, window.end))
    seconds = time.perf_counter() - started
    peak = (_status_kb("VmHWM") if reset else None) or _maxrss_kb()
    return {
        "baseline_mb": baseline / 1024,
        "peak_mb": peak / 1024,
        "above_mb": (peak - baseline) / 1024,
        "bytes": size,
        "seconds": seconds,
    }


def measure_memory(contender: str, window: Window, db: str) -> dict[str, float]:
    """Run :func:`memory_child` in a fresh interpreter on the same database."""
    command = [
        sys.executable,
        "-m",
        "bench",
        "memory",
        "--db",
        db,
        "--contender",
        contender,
        "--source",
        os.environ.get("BENCH_SOURCE", "builtin"),
        "--start",
        window.start.isoformat(),
        "--end",
        window.end.isoformat(),
    ]
    done = subprocess.run(command, cwd=REPO_DIR, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0:
        raise SystemExit(f"memory measurement of {contender} failed:\n{done.stderr}")
    result: dict[str, float] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


# --- checking and timing ---------------------------------------------------------------------


def check_same_json(documents: dict[str, bytes]) -> list[str]:
    """Compare every contender's JSON with ours; exit non-zero at the first difference."""
    from bench.compare import first_difference, parse

    ours = documents["ours"]
    notes = []
    parsed_ours: Any = None
    for name, document in documents.items():
        if name == "ours":
            continue
        if document == ours:
            notes.append(f"ours == {name} (byte-identical, {len(ours) / MB:.1f} MB)")
            continue
        if parsed_ours is None:
            parsed_ours = parse(ours)
        difference = first_difference(parsed_ours, parse(document))
        if difference is not None:
            print(f"MISMATCH between ours (left) and {name} (right) at {difference}", file=sys.stderr)
            raise SystemExit(1)
        notes.append(f"ours == {name} (parsed; {len(ours) / MB:.1f} MB vs {len(document) / MB:.1f} MB)")
    return notes


#: Sources whose tax is rounded per unit, not per line as the specs (and the built-in tables) round it:
#: django-oscar prices each unit with its tax. Their totals, tax and payment amounts may differ from the
#: built-in store's by a few cents, so only what does not depend on that rounding is compared.
PER_UNIT_TAX = {"oscar"}


def essentials(document: bytes, money: bool = True) -> dict[str, Any]:
    """What every source fills in, per order number: its list, totals, lines and payment amounts.

    Sources differ in what else they know (a shop may have no shipping method, no customer id,
    or other database keys), so two sources holding the same orders are compared on these.
    ``money`` False leaves out what depends on how tax is rounded (totals, tax, prices including
    tax, payment amounts; their number stays).
    """
    from bench.compare import parse

    body = parse(document)
    orders: dict[str, Any] = {}
    for key in ("Orders", "CancelledOrders"):
        for order in body[key]:
            lines = [
                [line["Sku"], line["Quantity"], line["PriceExclTax"], line["DiscountExclTax"]]
                + ([line["PriceInclTax"]] if money else [])
                for line in order["OrderDetails"]
            ]
            orders[order["OrderNumber"]] = {
                "list": key,
                "ShippingExclTax": order["ShippingExclTax"],
                "DiscountExclTax": order["DiscountExclTax"],
                "OrderDetails": sorted(lines),
                "Payments": [],
            }
            if money:
                orders[order["OrderNumber"]].update(Total=order["Total"], TotalTax=order["TotalTax"])
    for payment in body["Payments"]:
        orders[payment["OrderNumber"]]["Payments"].append(payment["PaymentAmount"] if money else 1)
    for order in orders.values():
        order["Payments"].sort()
    return orders


def check_same_orders(source: str, ours: bytes, builtin: bytes) -> str:
    """Check that ours on ``source`` and on the built-in tables serve the same orders; exit at the first difference."""
    from bench.compare import first_difference

    money = source not in PER_UNIT_TAX
    left, right = essentials(ours, money), essentials(builtin, money)
    for number in sorted(set(left) | set(right)):
        if number not in left or number not in right:
            side = "builtin" if number in right else source
            print(f"MISMATCH: order {number} is served by {side} only", file=sys.stderr)
            raise SystemExit(1)
        difference = first_difference(left[number], right[number], f"$[{number}]")
        if difference is not None:
            print(f"MISMATCH between ours on {source} (left) and on builtin (right) at {difference}", file=sys.stderr)
            raise SystemExit(1)
    compared = "lists, totals, lines, payment amounts" if money else "lists, lines, payments; tax rounded per unit"
    return (
        f"ours on {source} == ours on builtin for {len(left)} orders ({compared}; "
        f"{len(ours) / MB:.1f} MB vs {len(builtin) / MB:.1f} MB)"
    )


@contextlib.contextmanager
def serving(connex_settings: dict[str, Any]) -> Iterator[None]:
    """Serve with these ``CONNEX_BRIDGE`` settings for a while.

    Plain assignment, not ``override_settings``: that sends ``setting_changed``, which drops
    connex_bridge's instantiated sources, and each contender would pay for a new one.
    """
    from django.conf import settings

    saved = settings.CONNEX_BRIDGE
    settings.CONNEX_BRIDGE = connex_settings
    try:
        yield
    finally:
        settings.CONNEX_BRIDGE = saved


def source_harness(source: str) -> Any:
    """The harness that writes ``source``'s tables (its bulk writer seeds them)."""
    if source == "demo":
        from shop.harness import DemoShopHarness

        return DemoShopHarness()
    if source == "oscar":
        from connex_bridge.contrib.oscar.testing import OscarHarness

        return OscarHarness()
    from connex_bridge.testing.harness import BuiltinHarness

    return BuiltinHarness()


def time_contenders(
    contenders: dict[str, Callable[[], object]], runs: int
) -> tuple[dict[str, list[float]], dict[str, list[float]]]:
    """``runs`` rounds; each round runs every contender once, starting with the next one each time.

    Returns the wall-clock seconds of every run, and the CPU seconds of this
    process: on a busy machine the latter barely move when other processes
    take the CPUs, but they leave out the database server's work (PostgreSQL).
    """
    names = list(contenders)
    wall: dict[str, list[float]] = {name: [] for name in names}
    cpu: dict[str, list[float]] = {name: [] for name in names}
    for round_number in range(runs):
        shift = round_number % len(names)
        for name in names[shift:] + names[:shift]:
            gc.collect()  # no contender pays for the garbage of the one before
            started, started_cpu = time.perf_counter(), time.process_time()
            contenders[name]()
            wall[name].append(time.perf_counter() - started)
            cpu[name].append(time.process_time() - started_cpu)
    return wall, cpu


def median_ratio(top: list[float], bottom: list[float]) -> float:
    """The median of the per-round ratios ``top[i] / bottom[i]``."""
    return statistics.median(a / b for a, b in zip(top, bottom, strict=True))


def count_queries(run: Callable[[], object]) -> list[str]:
    """The SQL of every query ``run`` sends."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        run()
    return [query["sql"] for query in captured.captured_queries]


@dataclass
class AuthCost:
    """What checking Connex's credentials costs."""

    check_digest_us: float
    authenticate_us: float
    pairing_ms: float


def measure_auth(username: str, secret: str, digest: str, poller: Poller) -> AuthCost:
    """``check_digest`` alone, ``ConnexBasicAuthentication.authenticate`` (header, lookup, check)
    and a whole ``authenticatetowebservice`` request (the fixed cost of any Connex request)."""
    from django.test import RequestFactory
    from rest_framework.request import Request

    from connex_bridge.authentication import ConnexBasicAuthentication
    from connex_bridge.credential_secrets import check_digest

    def per_call(function: Callable[[], object], number: int) -> float:
        return statistics.median(timeit.repeat(function, number=number, repeat=7)) / number

    request = Request(RequestFactory().get(ORDERS_PATH, HTTP_AUTHORIZATION=poller.authorization))
    authenticator = ConnexBasicAuthentication()
    authenticator.authenticate(request)  # the once-a-minute last_used_at write happens here, not below
    pairing = [poller.get("/connex/authenticatetowebservice").seconds for _ in range(300)]
    return AuthCost(
        check_digest_us=per_call(lambda: check_digest(secret, digest), 20_000) * 1e6,
        authenticate_us=per_call(lambda: authenticator.authenticate(request), 500) * 1e6,
        pairing_ms=statistics.median(pairing) * 1e3,
    )


def profile(run: Callable[[], object], top: int = 15) -> str:
    """cProfile of one ``run``: the ``top`` entries by cumulative time, then by own time."""
    profiler = cProfile.Profile()
    profiler.runcall(run)
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs()
    stats.sort_stats("cumulative").print_stats(top)
    stats.sort_stats("tottime").print_stats(top)
    return out.getvalue()


def versions() -> str:
    """Interpreter, libraries, database server and commit, for the record."""
    import django
    import orjson
    import rest_framework
    from django.db import connection

    if connection.vendor == "sqlite":
        import sqlite3

        server = f"sqlite {sqlite3.sqlite_version}"
    else:
        with connection.cursor() as cursor:
            cursor.execute("SHOW server_version")
            server = f"postgresql {cursor.fetchone()[0]}"
    commit = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],  # noqa: S607
        cwd=REPO_DIR,
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    return (
        f"python {platform.python_version()}, django {django.get_version()}, drf {rest_framework.VERSION}, "
        f"orjson {orjson.__version__}, {server}, {os.cpu_count()} CPUs, commit {commit or '?'}"
    )


# --- the whole benchmark -----------------------------------------------------------------------


def run_bench(args: argparse.Namespace) -> int:
    """Seed, check, time and report; the last line printed is ``RESULT …``."""
    with fresh_database(args.db):
        setup_django(args.db, args.source)
        from django.core.management import call_command
        from django.db import connection

        from bench import floor, naive
        from bench.seed import seed_orders
        from connex_bridge.credential_secrets import generate_secret
        from connex_bridge.models import ConnexCredential, Order
        from connex_bridge.testing.harness import BuiltinHarness

        call_command("migrate", verbosity=0, interactive=False)
        load = ", ".join(f"{value:.2f}" for value in os.getloadavg())
        print(
            f"bench: source={args.source} orders={args.orders} db={args.db} runs={args.runs}; {versions()}; "
            f"load {load}",
            flush=True,
        )
        harness = source_harness(args.source)
        other = args.source != "builtin"
        report = seed_orders(args.orders, seed=args.seed, harnesses=[BuiltinHarness(), harness][: 1 + other])
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")  # autovacuum would have, on a live shop
        print(f"seed: {report.summary()}", flush=True)

        secret = generate_secret()
        credential = ConnexCredential(username="connex-bench")
        credential.set_secret(secret)
        credential.save()
        os.environ["BENCH_USERNAME"], os.environ["BENCH_SECRET"] = credential.username, secret
        poller = Poller(credential.username, secret)
        window = Window(
            report.first_modified.replace(microsecond=0) - dt.timedelta(seconds=1),
            report.last_modified.replace(microsecond=0) + dt.timedelta(seconds=1),
        )
        in_window = Order.objects.filter(modified_at__gte=window.start, modified_at__lte=window.end).count()
        if in_window != args.orders:
            raise SystemExit(f"the window holds {in_window} orders, not {args.orders}")

        with_naive = args.naive or not args.stream or args.orders <= NAIVE_LIMIT
        first_bytes: list[float] = []
        builtin_settings = dict(BuiltinHarness.connex_settings)

        def ours_on_builtin(keep: bool = False) -> Fetched:
            with serving(builtin_settings):
                return fetch_orders(poller, window, keep=keep)

        def ours_without_log() -> Fetched:
            from django.conf import settings

            with serving({**settings.CONNEX_BRIDGE, "SYNC_LOG": False}):
                return fetch_orders(poller, window)

        contenders: dict[str, Callable[[], object]] = {
            "ours": lambda: first_bytes.append(fetch_orders(poller, window).first_byte),
            "ours_nolog": ours_without_log,  # what the sync log costs
        }
        if other:
            contenders["builtin"] = ours_on_builtin
        contenders["floor"] = lambda: floor.orders_json(window.start, window.end)
        if with_naive:
            contenders["naive"] = lambda: naive.orders_json(window.start, window.end)
        else:
            print(f"naive: skipped above {NAIVE_LIMIT} orders in --stream mode (minutes per run); --naive forces it")

        # The first run of each contender warms up and gives the documents to compare.
        # The floor and the naive build read the built-in tables: they are compared with ours on them,
        # byte for byte or parsed; ours on another source with ours on builtin, on what every source fills.
        first = fetch_orders(poller, window, keep=True)
        documents = {"ours": (ours_on_builtin(keep=True) if other else first).body or b""}
        documents["floor"] = floor.orders_json(window.start, window.end)
        if with_naive:
            documents["naive"] = naive.orders_json(window.start, window.end)
        if other:
            print(f"check: {check_same_orders(args.source, first.body or b'', documents['ours'])}", flush=True)
        for note in check_same_json(documents):
            print(f"check: {note.replace('ours', 'ours on builtin', 1) if other else note}", flush=True)
        del documents, first
        gc.collect()

        # The checks above may have taken more than a minute: a request now records the credential's
        # last use (written at most once a minute), so the one counted is a poll's usual one.
        fetch_orders(poller, window)
        queries = count_queries(lambda: fetch_orders(poller, window))
        print(f"queries: ours {len(queries)}:")
        for sql in queries:
            print(f"  {sql[:150]}{'…' if len(sql) > 150 else ''}")
        others = {name: len(count_queries(run)) for name, run in contenders.items() if name != "ours"}
        print("queries: " + ", ".join(f"{name} {count}" for name, count in others.items()), flush=True)

        auth = measure_auth(credential.username, secret, credential.secret_digest, poller)
        print(
            f"auth: check_digest {auth.check_digest_us:.1f} µs; authenticate() {auth.authenticate_us:.0f} µs "
            f"per request (header, credential lookup, digest check); whole authenticatetowebservice "
            f"request {auth.pairing_ms:.2f} ms",
            flush=True,
        )

        samples, cpu = time_contenders(contenders, args.runs)
        for name, values in samples.items():
            print(f"runs: {name} ms " + " ".join(f"{value * 1e3:.1f}" for value in values))
        cpu_medians = ", ".join(f"{name} {statistics.median(values) * 1e3:.1f}" for name, values in cpu.items())
        cpu_ratio = f"ours/floor {median_ratio(cpu['ours'], cpu['floor']):.2f}"
        if with_naive:
            cpu_ratio += f", naive/ours {median_ratio(cpu['naive'], cpu['ours']):.2f}"
        print(f"cpu: medians (ms of this process's CPU) {cpu_medians}; {cpu_ratio}")
        medians = {name: statistics.median(values) * 1e3 for name, values in samples.items()}
        ours_vs_floor = median_ratio(samples["ours"], samples["floor"])
        baseline = ours_vs_builtin = ""
        if other:
            baseline = f" builtin_ms={medians['builtin']:.1f}"
            ours_vs_builtin = f" ours_vs_builtin={median_ratio(samples['ours'], samples['builtin']):.2f}"
        naive_vs_ours = median_ratio(samples["naive"], samples["ours"]) if with_naive else None

        print(f"auth: authenticate() is {auth.authenticate_us / 1e3 / medians['ours'] * 100:.3f} % of ours_ms")
        log_cost = median_ratio(samples["ours"], samples["ours_nolog"]) - 1
        print(f"log: writing the sync log entry costs {log_cost * 100:+.1f} % of ours_ms (ours vs ours_nolog)")
        memory = measure_memory("ours", window, args.db)
        print(
            f"memory: ours peaks {memory['above_mb']:.1f} MB above a baseline of {memory['baseline_mb']:.1f} MB "
            f"(fresh process, peak RSS), response {memory['bytes'] / MB:.1f} MB",
            flush=True,
        )
        if args.stream:
            floor_memory = measure_memory("floor", window, args.db)
            print(
                f"stream: ours {args.orders} orders in {medians['ours'] / 1e3:.2f} s = "
                f"{medians['ours'] * 1e3 / args.orders:.1f} µs/order; first byte after "
                f"{statistics.median(first_bytes) * 1e3:.0f} ms; floor {medians['floor'] * 1e3 / args.orders:.1f} "
                f"µs/order and {floor_memory['above_mb']:.1f} MB above baseline"
            )
        if args.profile:
            print("profile: one ours request, top 15 by cumulative time, then by own time")
            print(profile(lambda: fetch_orders(poller, window)))

        naive_ms = f"{medians['naive']:.1f}" if with_naive else "skipped"
        naive_ratio = f"{naive_vs_ours:.2f}" if naive_vs_ours is not None else "skipped"
        print(
            f"RESULT source={args.source} orders={args.orders} db={args.db} ours_ms={medians['ours']:.1f}{baseline} "
            f"floor_ms={medians['floor']:.1f} naive_ms={naive_ms} ours_vs_floor={ours_vs_floor:.2f}"
            f"{ours_vs_builtin} naive_vs_ours={naive_ratio} "
            f"queries={len(queries)} peak_rss_mb={memory['above_mb']:.1f} log_cost_pct={log_cost * 100:.1f}",
            flush=True,
        )
    return 0


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """The command line of ``python -m bench``."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.split("\n")[0] if __doc__ else "")
    parser.add_argument("command", nargs="?", default="run", choices=["run", "memory"], help=argparse.SUPPRESS)
    parser.add_argument(
        "--source", choices=SOURCES, default="builtin", help="whose tables ours reads (default builtin)"
    )
    parser.add_argument("--orders", type=int, default=5000, help="orders in the window (default 5000)")
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each contender (default 5)")
    parser.add_argument("--seed", type=int, default=1, help="random seed of the orders (default 1)")
    parser.add_argument("--stream", action="store_true", help="large-window mode: time per order, first byte")
    parser.add_argument("--naive", action="store_true", help=f"run naive in --stream mode above {NAIVE_LIMIT}")
    parser.add_argument("--profile", action="store_true", help="print a cProfile of one ours request")
    # The memory subprocess's own arguments.
    parser.add_argument("--contender", choices=["ours", "floor", "naive"], default="ours", help=argparse.SUPPRESS)
    parser.add_argument("--start", type=dt.datetime.fromisoformat, help=argparse.SUPPRESS)
    parser.add_argument("--end", type=dt.datetime.fromisoformat, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.orders < 1 or args.runs < 1:
        parser.error("--orders and --runs must be at least 1")
    return args


def _terminate(signum: int, frame: Any) -> None:
    raise SystemExit(128 + signum)  # unwinds through fresh_database(), which drops the database


def main(argv: list[str] | None = None) -> int:
    """Entry point of ``python -m bench``."""
    args = parse_args(argv)
    signal.signal(signal.SIGTERM, _terminate)
    if args.source == "oscar" and importlib.util.find_spec("oscar") is None:
        print(
            "bench: --source oscar needs django-oscar: pip install django-oscar (or run under tox -e oscar)",
            file=sys.stderr,
        )
        return 2
    if args.command == "memory":
        setup_django(args.db, args.source)
        print(json.dumps(memory_child(args.contender, Window(args.start, args.end))))
        return 0
    if args.runs < 5:
        print(f"warning: --runs {args.runs}; medians need at least 5 runs to mean much", file=sys.stderr)
    return run_bench(args)
