"""Two ``createorders`` pushes of the same orders at once create each order once (docs/protocol.md §2).

Threads need a database server (SQLite's in-memory test database locks whole tables); the module is
marked ``concurrent``, which ``pytest -m "concurrent or not concurrent"`` selects on PostgreSQL and MariaDB.
"""

from __future__ import annotations

import threading
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection

from connex_bridge.models import Order
from connex_bridge.testing.client import ConnexClient
from connex_bridge.testing.factories import ConnexCredentialFactory
from connex_bridge.testing.harness import BuiltinHarness
from tests.connex_bodies import sale

pytestmark = [pytest.mark.concurrent, pytest.mark.django_db(transaction=True)]


def test_two_pushes_at_once_create_each_order_once_and_the_other_says_it_is_present():
    credential = ConnexCredentialFactory(username="connex")
    BuiltinHarness().add_product("MUG-BLUE", "Blue mug", Decimal("40.00"))  # the SKU every order sells
    body = "[" + ",".join(sale(f"Q-{n}") for n in range(20)) + "]"
    start = threading.Barrier(2)
    answers: list[Any] = []
    errors: list[BaseException] = []

    def push() -> None:
        try:
            client = ConnexClient(credential)
            start.wait()
            answers.append(client.post("/connex/createorders", body, content_type="application/json").json())
        except BaseException as exc:  # re-raised below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=push) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert errors == []
    numbers = [f"Q-{n}" for n in range(20)]
    created = sorted(answers[0]["OrdersCreated"] + answers[1]["OrdersCreated"])
    present = sorted(answers[0]["OrdersAlreadyPresent"] + answers[1]["OrdersAlreadyPresent"])
    assert (created, present) == (sorted(numbers), sorted(numbers))
    assert [a["OrderNumbersErrors"] for a in answers] == [{}, {}]
    assert Order.objects.filter(number__in=numbers).count() == 20
