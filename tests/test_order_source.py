"""The OrderSource seam: the endpoint serves a differently shaped host model unchanged."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from connex_bridge.models import Order
from connex_bridge.sources import OrderSource
from connex_bridge.testing.factories import ConnexCredentialFactory
from tests.altshop.models import Channel, Receipt, Sale, SaleItem
from tests.conftest import ConnexClient

T0 = dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.timezone.utc)
WINDOW = "date_modified_min=2024-05-01T00:00:00Z&date_modified_max=2024-05-02T00:00:00Z"


@pytest.fixture(autouse=True)
def alt_shop(settings):
    settings.CONNEX_BRIDGE = {"ORDER_SOURCE": "tests.altshop.source.AltShopSource", "CANCELLED_STATUSES": ["VOID"]}


def sale(ref: str, state: str = "SHIPPED", channel: str = "Web", touched: dt.datetime = T0, cents: int = 1999) -> Sale:
    row = Sale.objects.create(
        ref=ref,
        state=state,
        channel=Channel.objects.get_or_create(label=channel)[0],
        placed_on=touched - dt.timedelta(days=1),
        touched=touched,
        buyer_email=f"{ref}@example.com",
        total_cents=cents,
    )
    SaleItem.objects.create(sale=row, product_code=f"P-{ref}", title="Thing", qty=1, price_cents=cents)
    Receipt.objects.create(sale=row, cents=cents, taken=touched, card="Visa")
    return row


def orders(client: ConnexClient, query: str = WINDOW) -> dict:
    response = client.get("/connex/orders?" + query)
    assert response.status_code == 200, response.content
    return json.loads(response.content, parse_float=Decimal)


def test_host_fields_filter_and_convert(connex):
    sale("S1", touched=T0)
    sale("S2", touched=T0 + dt.timedelta(days=5))
    sale("V1", state="void", touched=T0)
    Order.objects.create(number="builtin", status="shipped", modified_at=T0)  # not the configured source

    body = orders(connex)

    (order,) = body["Orders"]
    assert order["OrderNumber"] == "S1"
    assert order["Total"] == Decimal("19.99")
    assert order["OrderDetails"][0]["Sku"] == "P-S1"
    assert [p["PaymentAmount"] for p in body["Payments"]] == [Decimal("19.99")]
    assert [o["OrderNumber"] for o in body["CancelledOrders"]] == ["V1"]


def test_status_store_and_number_filters_reach_host_fields(connex):
    sale("W", channel="Web")
    sale("A", channel="Amazon", state="PENDING")

    assert [o["OrderNumber"] for o in orders(connex, WINDOW + "&storeName=amazon")["Orders"]] == ["A"]
    assert [o["OrderNumber"] for o in orders(connex, WINDOW + "&orderStatus=shipped")["Orders"]] == ["W"]
    assert [o["OrderNumber"] for o in orders(connex, "orderNumber=A")["Orders"]] == ["A"]


def test_store_scoping_works_through_the_hosts_store_path(db):
    sale("W", channel="Web")
    sale("A", channel="Amazon")

    client = ConnexClient(ConnexCredentialFactory(stores=["Amazon"]))

    assert [o["OrderNumber"] for o in orders(client)["Orders"]] == ["A"]


def test_a_source_missing_its_required_methods_says_which():
    with pytest.raises(NotImplementedError, match="get_queryset"):
        OrderSource().get_queryset(None)  # type: ignore[arg-type]
    with pytest.raises(NotImplementedError, match="to_record"):
        OrderSource().to_record(None)  # type: ignore[arg-type]
