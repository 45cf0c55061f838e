"""``purchaseorders``: the shop's purchase orders and bills of a window (docs/protocol.md §2–§4).

Each test that takes ``purchases`` runs once per purchases adapter: the built-in models and the
demo shop. django-oscar has no purchase orders: its 501 is tested in tests/test_oscar_inventory.py.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

import pytest
from shop.harness import DemoPurchasesHarness

from connex_bridge.flows.purchaseorders import PurchasesAnswer
from connex_bridge.testing.catalogue import BuiltinPurchasesHarness, PurchasesHarness, PurchaseSpec
from connex_bridge.testing.client import ConnexClient
from connex_bridge.testing.contract import T0, day_window, z
from connex_bridge.testing.factories import ConnexCredentialFactory

HARNESSES: list[PurchasesHarness] = [BuiltinPurchasesHarness(), DemoPurchasesHarness()]
URL = "/connex/purchaseorders"
HOUR = dt.timedelta(hours=1)
EMPTY_LISTS = ("Orders", "CancelledOrders", "Payments", "ProductsToQB", "ProductsFromQBToUpdate",
               "InventoryAdjustments", "Customers")  # fmt: skip


@pytest.fixture(params=HARNESSES, ids=lambda harness: harness.name)
def purchases(request: pytest.FixtureRequest, settings: Any, db: None) -> PurchasesHarness:
    harness: PurchasesHarness = request.param
    settings.CONNEX_BRIDGE = dict(harness.connex_settings)
    return harness


@pytest.fixture
def connex(db: None) -> ConnexClient:
    return ConnexClient(ConnexCredentialFactory())


def poll(connex: ConnexClient, **params: str) -> Any:
    return connex.get(f"{URL}?{urlencode(params)}")


def test_the_answer_is_a_jmauser_whose_purchases_hold_the_windows_purchase_orders_and_bills(purchases, connex):
    purchases.purchase(PurchaseSpec("PO-1", modified_at=T0 - HOUR, tax=Decimal("1.25")))
    purchases.purchase(
        PurchaseSpec("BILL-7", vendor="Kyoto Tea Traders", purchase_type="Bill", modified_at=T0, vendor_city="New York")
    )
    purchases.purchase(PurchaseSpec("PO-OLD", modified_at=T0 - dt.timedelta(days=30)))

    response = poll(connex, **day_window())

    assert response.status_code == 200
    assert response.streamed
    answer = response.json()
    assert all(answer[name] == [] for name in EMPTY_LISTS)
    first, second = answer["Purchases"]
    assert (first["OrderNumber"], first["PurchaseType"], first["Vendor"]) == ("PO-1", "PurchaseOrder", "Acme Supplies")
    assert (second["OrderNumber"], second["PurchaseType"], second["Vendor"]) == ("BILL-7", "Bill", "Kyoto Tea Traders")
    assert second["BillingAddress"]["City"] == "New York"
    assert second["BillingAddress"]["Company"] == "Kyoto Tea Traders"
    assert second["ShippingAddress"] == second["BillingAddress"]  # never null: the vendor's address serves
    lines = [(d["Sku"], d["Quantity"], d["QuantityReceived"], d["PriceExclTax"]) for d in first["OrderDetails"]]
    assert lines == [("BEAN-ETH-12", 24, 12, 7.43), ("MUG-CER-12", 6, 0, 4.1)]
    for purchase in answer["Purchases"]:
        items = sum(Decimal(str(d["Quantity"])) * Decimal(str(d["PriceExclTax"])) for d in purchase["OrderDetails"])
        total = Decimal(str(purchase["Total"]))
        assert items + Decimal(str(purchase["ShippingExclTax"])) + Decimal(str(purchase["TotalTax"])) == total
        assert Decimal(str(purchase["TotalExclTax"])) == total - Decimal(str(purchase["TotalTax"]))
    assert b'"Total":216.67,' in response.content  # 24 x 7.43 + 6 x 4.10 + 12.50 freight + 1.25 tax, exactly


@pytest.mark.parametrize(
    ("form", "pattern"),
    [("local", r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\Z"), ("utc", r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\Z"),
     ("microsoft", r"/Date\(\d+\)/\Z")],
)  # fmt: skip
def test_dates_are_written_in_the_configured_form(purchases, connex, settings, form, pattern):
    settings.CONNEX_BRIDGE = {**settings.CONNEX_BRIDGE, "DATE_FORMAT": form}
    purchases.purchase(PurchaseSpec("PO-1", created_at=T0 - HOUR, modified_at=T0))

    [purchase] = poll(connex, **day_window()).json()["Purchases"]

    assert re.match(pattern, purchase["CreationDate"])
    assert re.match(pattern, purchase["ModifiedDate"])
    if form == "utc":
        assert (purchase["CreationDate"], purchase["ModifiedDate"]) == (z(T0 - HOUR), z(T0))


def test_the_created_window_and_order_numbers_select_as_they_do_for_orders(purchases, connex):
    purchases.purchase(PurchaseSpec("PO-1", created_at=T0 - dt.timedelta(days=10), modified_at=T0))
    purchases.purchase(PurchaseSpec("PO-2", created_at=T0, modified_at=T0))

    created = poll(connex, date_created_min=z(T0 - HOUR), date_created_max=z(T0 + HOUR)).json()["Purchases"]
    by_number = poll(connex, orderNumber="PO-1, NOPE").json()["Purchases"]
    # orderStatus names the shop's sales statuses; storeName stores: neither applies to purchases.
    ignored = poll(connex, **day_window(orderStatus="shipped", storeName="Amazon")).json()["Purchases"]

    assert [p["OrderNumber"] for p in created] == ["PO-2"]
    assert [p["OrderNumber"] for p in by_number] == ["PO-1"]
    assert [p["OrderNumber"] for p in ignored] == ["PO-1", "PO-2"]


def test_a_changed_line_brings_the_purchase_back_into_the_next_modified_window(purchases, connex):
    purchases.purchase(PurchaseSpec("PO-1", modified_at=T0 - dt.timedelta(days=30)))
    since = dt.datetime.now(dt.timezone.utc) - dt.timedelta(minutes=1)
    assert poll(connex, date_modified_min=z(since)).json()["Purchases"] == []

    purchases.touch("PO-1")

    [purchase] = poll(connex, date_modified_min=z(since)).json()["Purchases"]
    assert purchase["OrderDetails"][0]["QuantityReceived"] == 13


@pytest.mark.parametrize(
    ("params", "message"),
    [
        ({}, "Send a window"),
        ({"date_modified_min": "yesterday"}, "date_modified_min='yesterday' is not a date and time"),
        ({"date_modified_min": z(T0), "date_modified_max": z(T0 - HOUR)}, "is after date_modified_max"),
        ({"orderNumber": "\x00"}, "NUL character"),
    ],
)
def test_the_query_string_is_validated_as_for_orders(purchases, connex, params, message):
    response = poll(connex, **params)

    assert response.status_code == 400
    assert message in response.json()
    assert connex.get(f"/connex/orders?{urlencode(params)}").json() == response.json()  # one FilterSet


def test_the_same_window_gives_the_same_bytes(purchases, connex):
    for number in range(5):
        purchases.purchase(PurchaseSpec(f"PO-{number}", modified_at=T0))

    assert poll(connex, **day_window()).content == poll(connex, **day_window()).content


def test_the_query_count_does_not_grow_with_the_purchases(purchases, django_assert_num_queries):
    credential = ConnexCredentialFactory()
    for number in range(30):
        purchases.purchase(PurchaseSpec(f"PO-{number}", modified_at=T0))
        if number in (0, 29):
            answer = PurchasesAnswer(credential, day_window())
            with django_assert_num_queries(purchases.poll_queries):
                body = b"".join(answer.stream())
            assert body.count(b'"PurchaseType"') == number + 1


@pytest.mark.parametrize("adapter", [None, "connex_bridge.purchases.PurchasesAdapter"])
def test_a_shop_without_purchase_orders_answers_501_with_a_json_string(connex, settings, adapter):
    settings.CONNEX_BRIDGE = {"PURCHASES_ADAPTER": adapter}

    response = poll(connex, **day_window())

    assert response.status_code == 501
    assert response["Content-Type"] == "application/json"
    assert response.json().startswith("This shop does not send purchase orders or bills to QuickBooks")
