"""One consistent read for a whole ``orders`` answer.

An answer is read by several queries (the orders, then their lines,
discounts and payments) while it streams, which for a year's re-sync takes
seconds. Run in autocommit, or under READ COMMITTED (PostgreSQL's default,
and Django's for MySQL / MariaDB), each query would see the orders as they
are when it starts: an order edited between two of them would be sent with
lines or payments that do not belong to the same version of it. So the answer
is read in one transaction at REPEATABLE READ, where every query sees the
same committed state. docs/consistency.md explains what this promises.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import connections, transaction

#: Isolation levels under which every query of a transaction sees the same data.
_STABLE_MYSQL_LEVELS = frozenset({"repeatable read", "serializable"})


@contextmanager
def read_snapshot(using: str) -> Iterator[None]:
    """A transaction in which every query on ``using`` sees the same committed data.

    PostgreSQL: the driver is asked to begin it at REPEATABLE READ (no extra
    round trip), unless the connection is configured stricter. MySQL /
    MariaDB: ``SET TRANSACTION ISOLATION LEVEL REPEATABLE READ`` first,
    unless the connection's ``isolation_level`` already gives a stable view.
    SQLite's transactions are serializable already. Inside a transaction the
    caller already opened (``ATOMIC_REQUESTS`` does not cover a streamed
    answer, but a test or a management command may), that transaction is used
    as it is: its isolation level can no longer be changed.
    """
    connection = connections[using]
    opened_here = not connection.in_atomic_block
    restore = None
    restore_loader = None
    if connection.vendor == "postgresql":
        if opened_here:
            restore = _repeatable_read_postgresql(connection)
        restore_loader = _compiled_timestamp_loader(connection)
    try:
        with transaction.atomic(using=using, savepoint=False):
            if (
                opened_here
                and connection.vendor == "mysql"
                and getattr(connection, "isolation_level", None) not in _STABLE_MYSQL_LEVELS
            ):
                with connection.cursor() as cursor:
                    cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
            yield
    finally:
        if restore_loader is not None:
            restore_loader()
        if restore is not None:
            restore()


def _repeatable_read_postgresql(connection: Any) -> Callable[[], None] | None:
    """Have psycopg begin the next transaction at REPEATABLE READ; a function undoing that."""
    from django.db.backends.postgresql.psycopg_any import IsolationLevel

    connection.ensure_connection()
    raw = connection.connection
    previous = raw.isolation_level
    if previous is not None and previous >= IsolationLevel.REPEATABLE_READ:
        return None
    raw.isolation_level = IsolationLevel.REPEATABLE_READ

    def restore() -> None:
        if connection.connection is raw and not raw.closed:
            raw.isolation_level = previous

    return restore


def _compiled_timestamp_loader(connection: Any) -> Callable[[], None] | None:
    """Have psycopg load ``timestamptz`` values with its compiled loader while the answer is read;
    a function putting Django's back.

    Django loads every ``timestamptz`` through a Python subclass of psycopg's Python loader, which
    parses the text and then sets the connection's time zone on the result: several microseconds
    per value, about a quarter of an ``orders`` answer on PostgreSQL (five or six dates per order).
    Where the connection's time zone is UTC (``USE_TZ``, no ``TIME_ZONE`` in the database's
    settings, so its session runs in UTC) psycopg's compiled loader gives the same datetimes, in
    UTC with ``datetime.timezone.utc``. Only then, and only while Django's own loader is the one
    registered (not one the project set) and psycopg's compiled implementation is installed, is it
    used instead; everywhere else nothing changes.
    """
    import datetime as dt

    from django.db.backends.postgresql import psycopg_any  # psycopg through Django: no import of our own

    if not psycopg_any.is_psycopg3 or connection.timezone is not dt.timezone.utc:
        return None
    base = psycopg_any.BaseTzLoader
    oid = TIMESTAMPTZ_OID
    text = base.format
    compiled = psycopg_any.adapters.get_loader(oid, text)
    connection.ensure_connection()
    raw = connection.connection
    current = raw.adapters.get_loader(oid, text)
    if (
        compiled is None
        or compiled.__module__.startswith("psycopg.")  # the Python implementation: nothing to gain
        or current is None
        or not issubclass(current, base)
        or current.load is not base.load
        or current.timezone is not dt.timezone.utc
        or raw.pgconn.parameter_status(b"TimeZone") != b"UTC"
    ):
        return None
    raw.adapters.register_loader(oid, _loader_calling(compiled, psycopg_any.adapt.Loader))

    def restore() -> None:
        if connection.connection is raw and not raw.closed:
            raw.adapters.register_loader(oid, current)

    return restore


_LOADERS: dict[type, type] = {}
#: ``pg_type.oid`` of ``timestamptz``: fixed in PostgreSQL's catalog.
TIMESTAMPTZ_OID = 1184


def _loader_calling(compiled: type, loader: Any) -> type:
    """A loader class (a subclass of psycopg's ``Loader``) that Django's cursors accept, as it has the
    ``timezone`` their check reads, and whose instances load with an instance of ``compiled``: psycopg
    calls the compiled ``load`` directly."""
    found = _LOADERS.get(compiled)
    if found is None:
        import datetime as dt

        def init(self: Any, oid: int, context: Any = None) -> None:
            loader.__init__(self, oid, context)
            self.load = compiled(oid, context).load

        def load(self: Any, data: Any) -> Any:  # replaced on each instance by init()
            raise NotImplementedError

        found = _LOADERS[compiled] = type(
            "CompiledTzLoader", (loader,), {"timezone": dt.timezone.utc, "__init__": init, "load": load}
        )
    return found


def read_in_snapshot(produce: Callable[[], Iterable[bytes]], using: str) -> Iterator[bytes]:
    """The chunks ``produce()`` yields, every one made inside :func:`read_snapshot`.

    The transaction opens at the first chunk asked for and closes after the
    last, or when the stream is abandoned (the client went away).
    """
    with read_snapshot(using):
        yield from produce()
