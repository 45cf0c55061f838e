"""Two ``inventory`` pushes for the same SKUs at once (docs/protocol.md §2).

Two pusher threads set the same 60 SKUs over and over, each to values of its own, one naming the
SKUs in ascending order and the other in descending order (without locking in one order, that is
a deadlock); a reader thread reads all 60 stock levels in one query meanwhile. Every read, and the
final state, must show all 60 at one value that one pusher sent in one push: a batch is applied
whole or not at all, and no SKU is left at a value neither pusher sent.

Threads need a database server, so the module is marked ``concurrent`` (see
tests/test_concurrent_polls.py): ``make test DB=postgres`` and ``DB=mariadb`` run it.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from decimal import Decimal

import pytest
from django.db import connection

from connex_bridge.flows import inventory
from connex_bridge.models import Product
from connex_bridge.records import ProductRecord
from connex_bridge.testing.factories import ConnexCredentialFactory

pytestmark = [pytest.mark.concurrent, pytest.mark.django_db(transaction=True)]

SKUS = [f"SKU-{index:02}" for index in range(60)]
ROUNDS = 40


def in_thread(work: Callable[[], None], errors: list[BaseException]) -> threading.Thread:
    """A thread running ``work`` on its own database connection, closed at the end."""

    def run() -> None:
        try:
            work()
        except BaseException as exc:  # re-raised by the test
            errors.append(exc)
        finally:
            connection.close()

    return threading.Thread(target=run)


def test_concurrent_pushes_for_the_same_skus_never_mix_and_never_deadlock():
    Product.objects.bulk_create(Product(sku=sku, stock_quantity=0) for sku in SKUS)
    credential = ConnexCredentialFactory()
    sent: set[int] = {0}
    errors: list[BaseException] = []
    reads: list[set[int]] = []
    done = threading.Event()
    start = threading.Barrier(3)

    def pusher(base: int, order: list[str]) -> Callable[[], None]:
        def work() -> None:
            start.wait()
            for round_ in range(ROUNDS):
                value = base + round_
                sent.add(value)
                result = inventory.apply(
                    credential, [ProductRecord(sku, stock_quantity=Decimal(value)) for sku in order]
                )
                assert result.refused == {}
                assert {level.stock_quantity for level in result.applied} == {value}

        return work

    def reader() -> None:
        start.wait()
        while not done.is_set():
            reads.append(set(Product.objects.filter(sku__in=SKUS).values_list("stock_quantity", flat=True)))

    threads = [
        in_thread(pusher(1000, SKUS), errors),
        in_thread(pusher(2000, SKUS[::-1]), errors),
    ]
    watcher = in_thread(reader, errors)
    for thread in [*threads, watcher]:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    done.set()
    watcher.join(timeout=30)

    if errors:
        raise errors[0]
    assert len(reads) > 1
    assert all(len(levels) == 1 and levels <= sent for levels in reads), [r for r in reads if len(r) != 1][:3]
    final = set(Product.objects.values_list("stock_quantity", flat=True))
    assert final in ({1000 + ROUNDS - 1}, {2000 + ROUNDS - 1})
