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
    if opened_here and connection.vendor == "postgresql":
        restore = _repeatable_read_postgresql(connection)
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


def read_in_snapshot(produce: Callable[[], Iterable[bytes]], using: str) -> Iterator[bytes]:
    """The chunks ``produce()`` yields, every one made inside :func:`read_snapshot`.

    The transaction opens at the first chunk asked for and closes after the
    last, or when the stream is abandoned (the client went away).
    """
    with read_snapshot(using):
        yield from produce()
