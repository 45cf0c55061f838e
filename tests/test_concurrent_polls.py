"""No change lost while Connex polls during writes (docs/consistency.md).

Writer threads create and change orders, each change in its own transaction,
sleeping a little between taking the modified time and committing, so changes
commit after later-stamped ones and after polls that already ran. A poller
thread polls ``orders`` meanwhile with Connex's windows (an hour before its
clock … a day after). Every change must be in every poll that started after
it committed: the overlap of Connex's windows covers the late commits.

Threads need a database server (SQLite's in-memory test database locks whole
tables: "database table is locked"). The module is marked ``concurrent``, which
the default run leaves out and ``make test DB=postgres`` / ``DB=mariadb`` select
(``pytest -m "concurrent or not concurrent"``).
"""

from __future__ import annotations

import datetime as dt
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.db import connection, transaction

from connex_bridge.models import Order, Payment
from connex_bridge.testing.client import ConnexClient
from connex_bridge.testing.factories import ConnexCredentialFactory, OrderFactory

pytestmark = [pytest.mark.concurrent, pytest.mark.django_db(transaction=True)]

WRITERS = 2
CHANGES_PER_WRITER = 30
MAX_DELAY = 0.03  # seconds between taking the modified time and committing


@dataclass
class Change:
    """One committed change: the order's ``Note`` became ``version`` (and maybe a payment was added)."""

    number: str
    version: int
    payment: str | None
    stamped: float  # time.monotonic() just before the modified time was taken
    committed: float  # time.monotonic() once COMMIT returned


@dataclass
class Poll:
    started: float  # time.monotonic() before the request was sent
    notes: dict[str, int] = field(default_factory=dict)
    payments: set[str] = field(default_factory=set)


def z(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


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


def test_every_change_is_in_every_poll_that_starts_after_it_commits():
    credential = ConnexCredentialFactory()
    changes: list[Change] = []
    polls: list[Poll] = []
    errors: list[BaseException] = []
    writing = threading.Event()
    writing.set()

    def write(writer: int) -> None:
        rng = random.Random(writer)  # noqa: S311 - test data, not secrets
        versions: dict[str, int] = {}
        for step in range(CHANGES_PER_WRITER):
            payment, stamped = None, time.monotonic()
            with transaction.atomic():
                if not versions or rng.random() < 0.3:
                    number = f"W{writer}-{len(versions) + 1}"
                    versions[number] = 0
                    OrderFactory(number=number, note="0")  # modified time: now
                else:
                    number = rng.choice(sorted(versions))
                    versions[number] += 1
                    order = Order.objects.select_for_update().get(number=number)
                    if rng.random() < 0.5:
                        order.status = rng.choice(["pending", "paid", "shipped"])
                        order.note = str(versions[number])
                        order.save()  # modified time: now
                    else:
                        payment = f"{number}-p{step}"
                        # The payment's signal moves the order's modified time; update() does not.
                        Payment.objects.create(order=order, amount=Decimal("1.00"), method="Visa", reference=payment)
                        Order.objects.filter(pk=order.pk).update(note=str(versions[number]))
                time.sleep(rng.uniform(0, MAX_DELAY))  # commit after the modified time was taken
            changes.append(Change(number, versions[number], payment, stamped, time.monotonic()))

    def poll_once(client: ConnexClient) -> None:
        started, clock = time.monotonic(), dt.datetime.now(dt.timezone.utc)
        start, end = clock - dt.timedelta(hours=1), clock + dt.timedelta(days=1)
        window = f"date_modified_min={z(start)}&date_modified_max={z(end)}"
        response = client.get(f"/connex/orders?{window}")
        assert response.status_code == 200, response.content[:300]
        body = response.json()
        polls.append(
            Poll(
                started,
                {order["OrderNumber"]: int(order["Note"]) for order in body["Orders"]},
                {payment["ReferenceNumber"] for payment in body["Payments"]},
            )
        )

    def poll() -> None:
        client = ConnexClient(credential)
        while writing.is_set():
            poll_once(client)
        poll_once(client)  # one more, once every change has committed

    writers = [in_thread(lambda writer=writer: write(writer), errors) for writer in range(WRITERS)]
    poller = in_thread(poll, errors)
    poller.start()
    for thread in writers:
        thread.start()
    for thread in writers:
        thread.join(timeout=60)
    writing.clear()
    poller.join(timeout=60)

    assert not errors, errors
    assert len(changes) == WRITERS * CHANGES_PER_WRITER
    # Polls ran while changes were stamped but not yet committed: the late commits this test is about.
    in_flight = sum(1 for c in changes for p in polls if c.stamped < p.started < c.committed)
    assert in_flight > 10, (len(polls), in_flight)
    for change in changes:
        later = [p for p in polls if p.started > change.committed]
        assert later, change  # the last poll started after every commit
        for p in later:
            assert p.notes.get(change.number, -1) >= change.version, (change, p.notes.get(change.number))
            assert change.payment is None or change.payment in p.payments, change
