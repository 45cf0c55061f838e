"""Each harness's bulk writer leaves the shop serving what its one-by-one ``create()`` would.

The same generated specs are written twice into one database, numbered apart (``C…`` one by one,
``B…`` in bulk); the ``/connex/orders`` answers of the two halves must then be the same, once the
numbers and the database's own keys (which no writer chooses) are set aside.
"""

from __future__ import annotations

import json
import os
import re
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

import pytest
from shop.harness import DemoShopHarness

from bench.compare import first_difference
from connex_bridge.testing.client import ConnexClient
from connex_bridge.testing.harness import BuiltinHarness, ShopHarness
from connex_bridge.testing.specs import generate_specs

ORDERS = 120
#: Keys holding a database's primary keys: they differ between the two writes.
DATABASE_KEYS = {"Id", "OrderId", "Other", "PaymentId"}


def answer(harness: ShopHarness, settings: Any) -> dict[str, Any]:
    settings.CONNEX_BRIDGE = dict(harness.connex_settings)
    client = ConnexClient(harness.credential())
    window = {"date_modified_min": "2025-02-19T00:00:00Z", "date_modified_max": "2025-03-23T00:00:00Z"}
    response = client.get("/connex/orders?" + urlencode(window))
    assert response.status_code == 200, response.content
    body: dict[str, Any] = json.loads(response.content, parse_float=Decimal)
    return body


def half(body: dict[str, Any], prefix: str) -> dict[str, list[Any]]:
    """The orders and payments of one write, keyed by number without its prefix."""

    number = re.compile(rf"(?<![A-Za-z]){prefix}(?=[0-9]{{5}})")  # in numbers, notes and payment references

    def strip(value: Any) -> Any:
        if isinstance(value, dict):
            return {key: strip(item) for key, item in value.items() if key not in DATABASE_KEYS}
        if isinstance(value, list):
            return [strip(item) for item in value]
        return number.sub("", value) if isinstance(value, str) else value

    return {
        key: sorted(
            (strip(item) for item in items if item["OrderNumber"].startswith(prefix)), key=lambda o: o["OrderNumber"]
        )
        for key, items in body.items()
        if isinstance(items, list)
    }


HARNESSES: list[ShopHarness] = [BuiltinHarness(), DemoShopHarness()]
if os.environ.get("CONNEX_TEST_OSCAR"):  # tox -e oscar: its bulk writer against its checkout
    from connex_bridge.contrib.oscar.testing import OscarHarness

    HARNESSES.append(OscarHarness())


@pytest.mark.parametrize("harness", HARNESSES, ids=lambda h: h.name)
def test_bulk_written_orders_answer_as_orders_created_one_by_one(harness, settings, db):
    ShopHarness.bulk_create(harness, generate_specs(ORDERS, seed=5, prefix="C"))
    harness.bulk_create(generate_specs(ORDERS, seed=5, prefix="B"))

    body = answer(harness, settings)
    one_by_one, bulk = half(body, "C"), half(body, "B")

    assert len(one_by_one["Orders"]) + len(one_by_one["CancelledOrders"]) == ORDERS
    assert first_difference(bulk, one_by_one) is None
