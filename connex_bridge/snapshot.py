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

from django.db import connections, transaction

#: Backends (``connection.vendor``) whose default isolation gives each query its own view.
_READ_COMMITTED_BY_DEFAULT = frozenset({"postgresql", "mysql"})


@contextmanager
def read_snapshot(using: str) -> Iterator[None]:
    """A transaction in which every query on ``using`` sees the same committed data.

    Inside a transaction the caller already opened (``ATOMIC_REQUESTS`` does
    not cover a streamed answer, but a test or a management command may),
    that transaction is used as it is: its isolation level can no longer be
    changed. SQLite's transactions are serializable already.
    """
    connection = connections[using]
    opened_here = not connection.in_atomic_block
    with transaction.atomic(using=using, savepoint=False):
        if opened_here and connection.vendor in _READ_COMMITTED_BY_DEFAULT:
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")
        yield


def read_in_snapshot(produce: Callable[[], Iterable[bytes]], using: str) -> Iterator[bytes]:
    """The chunks ``produce()`` yields, every one made inside :func:`read_snapshot`.

    The transaction opens at the first chunk asked for and closes after the
    last, or when the stream is abandoned (the client went away).
    """
    with read_snapshot(using):
        yield from produce()
