"""The JSON shop served two ways, declaratively and by hand: Connex cannot tell them apart.

tests/jsonshop/source.py and tests/jsonshop/handwritten.py are the two examples of
docs/connect-your-shop.md; both must start cleanly and answer a poll with the same bytes.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

import pytest

from connex_bridge.checks import check_order_source
from connex_bridge.testing.client import ConnexClient
from connex_bridge.testing.harness import LineSpec, ShopHarness
from tests.jsonshop.harness import JsonShopHandWrittenHarness, JsonShopHarness
from tests.jsonshop.models import Order

UTC = dt.timezone.utc
T0 = dt.datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)
DECLARATIVE, HAND_WRITTEN = JsonShopHarness(), JsonShopHandWrittenHarness()
WINDOW = {"date_modified_min": "2024-04-30T12:00:00Z", "date_modified_max": "2024-05-02T12:00:00Z"}


def use(harness: ShopHarness, settings: Any) -> None:
    settings.CONNEX_BRIDGE = dict(harness.connex_settings)


def poll(client: ConnexClient, **params: str) -> bytes:
    response = client.get("/connex/orders?" + urlencode(params))
    assert response.status_code == 200, response.content
    return response.content


@pytest.mark.parametrize("harness", [DECLARATIVE, HAND_WRITTEN], ids=lambda harness: harness.name)
def test_the_source_passes_the_system_checks(harness, settings):
    use(harness, settings)

    assert check_order_source() == []


def create_varied_orders(shop: ShopHarness) -> None:
    mug = LineSpec(sku="MUG-1", name="Mug", quantity=3, unit_price_excl_tax=Decimal("4.50"))
    tee = LineSpec(sku="TEE-M", name="T-shirt, M", quantity=2, unit_price_excl_tax=Decimal("19.99"))
    at = {"created_at": T0 - dt.timedelta(hours=1)}
    # Two lines, sales tax and shipping, shipped to an address of its own.
    shop.order("1001", **at, modified_at=T0, lines=[mug, tee], tax_rate=Decimal("0.0625"), shipping=Decimal("5.95"))
    Order.objects.filter(number="1001").update(shipping_address="Ada Lovelace\n12 Elm Road\n\nCambridge MA 02139\n")
    # A coupon and the total paid in two parts, then one more payment recorded later.
    shop.order(
        "1002",
        **at,
        modified_at=T0 + dt.timedelta(minutes=1),
        lines=[mug],
        tax_rate=Decimal("0.07"),
        discount=Decimal("2.00"),
        payments=[Decimal("5.00"), Decimal("6.31")],
    )
    shop.add_payment("1002", Decimal("1.00"))
    # No tax, no shipping, nothing paid yet.
    shop.order("1003", **at, modified_at=T0 + dt.timedelta(minutes=2), status="pending", lines=[tee], payments=[])
    # Refunded: it goes to CancelledOrders.
    shop.order("1004", **at, modified_at=T0 + dt.timedelta(minutes=3), status="refunded", shipping=Decimal("3.00"))


def test_the_hand_written_source_answers_with_the_declarative_sources_bytes(settings, db):
    create_varied_orders(DECLARATIVE)  # one shop: the same rows are read by each source in turn
    client = ConnexClient(DECLARATIVE.credential())

    use(DECLARATIVE, settings)
    declarative = {"window": poll(client, **WINDOW), "numbers": poll(client, orderNumber="1001,1002,1003,1004")}
    use(HAND_WRITTEN, settings)
    hand_written = {"window": poll(client, **WINDOW), "numbers": poll(client, orderNumber="1001,1002,1003,1004")}

    assert hand_written == declarative
    body = json.loads(declarative["window"], parse_float=Decimal)
    assert [order["OrderNumber"] for order in body["Orders"]] == ["1001", "1002", "1003"]
    assert [order["OrderNumber"] for order in body["CancelledOrders"]] == ["1004"]
    assert [payment["PaymentAmount"] for payment in body["Payments"]] == [
        Decimal("63.14"), Decimal("5.00"), Decimal("6.31"), Decimal("1.00")
    ]  # fmt: skip
    first, second = body["Orders"][:2]
    assert [line["Quantity"] for line in first["OrderDetails"]] == [3, 2]
    assert first["ShippingAddress"]["Address3"] == "Cambridge MA 02139"
    assert second["ShippingAddress"] == second["BillingAddress"]
    assert second["Discounts"][0]["Amount"] == Decimal("2.00")


def test_the_hand_written_sources_query_count_does_not_grow_with_the_number_of_orders(
    settings, db, django_assert_num_queries, django_assert_max_num_queries
):
    use(HAND_WRITTEN, settings)
    client = ConnexClient(HAND_WRITTEN.credential())
    HAND_WRITTEN.order("first", modified_at=T0)
    poll(client, **WINDOW)  # records last_used_at, which is written at most once a minute
    with django_assert_max_num_queries(8) as one:
        assert len(json.loads(poll(client, **WINDOW))["Orders"]) == 1

    for n in range(49):
        HAND_WRITTEN.order(
            f"more-{n}",
            modified_at=T0,
            lines=[LineSpec(sku="A"), LineSpec(sku="B")],
            payments=[Decimal("5.00"), Decimal("15.00")],
            discount=Decimal("1.00"),
        )
    with django_assert_num_queries(len(one.captured_queries)):
        assert len(json.loads(poll(client, **WINDOW))["Orders"]) == 50
