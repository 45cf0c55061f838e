"""``createorders``: orders created in QuickBooks are created in the shop (docs/protocol.md §2).

Every test runs against each order source of tests/conftest.py's HARNESSES; a shop whose source creates
no orders (``harness.creates_orders`` is False) must answer the 501 instead. Bodies are what Json.NET
writes: a JMAUser with ``Orders``, or a bare array of JMAOrder, every property present.
"""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Any

import pytest

from connex_bridge.testing.client import ConnexClient
from connex_bridge.testing.contract import endpoint, get_orders
from tests.connex_bodies import address, jmauser, sale

NOT_TAKEN = "This shop does not take orders created in QuickBooks"


def send(client: ConnexClient, body: str, method: str = "post") -> Any:
    return getattr(client, method)(endpoint("createorders"), body, content_type="application/json")


def answer(created: list[str] = (), present: list[str] = (), refused: dict[str, str] | None = None) -> dict:
    return {"OrdersCreated": list(created), "OrdersAlreadyPresent": list(present), "OrderNumbersErrors": refused or {}}


def served(client: ConnexClient, *numbers: str) -> list[dict[str, Any]]:
    return get_orders(client, orderNumber=",".join(numbers))["Orders"]


@pytest.fixture
def stocked(shop) -> Any:
    """The shop, selling MUG-BLUE and MUG-RED; its ``shipped`` status under Connex's ``Shipped``."""
    shop.add_product("MUG-BLUE", "Blue mug", Decimal("40.00"))
    shop.add_product("MUG-RED", "Red mug", Decimal("40.00"))
    return shop


@pytest.mark.parametrize("method", ["post", "put"])
def test_orders_sent_as_a_jmauser_are_created_and_served_back_as_sent(stocked, connex, method):
    body = jmauser([sale("Q-1001"), sale("Q-1002", sku="MUG-RED", quantity="1.0", price="19.99", total="29.99")])

    response = send(connex, body, method)

    if not stocked.creates_orders:
        assert response.status_code == 501
        assert response.json().startswith(NOT_TAKEN)
        return
    assert (response.status_code, response.json()) == (200, answer(["Q-1001", "Q-1002"]))
    first, second = sorted(served(connex, "Q-1001", "Q-1002"), key=lambda o: o["OrderNumber"])
    assert (first["Total"], first["ShippingExclTax"], first["TotalTax"]) == (Decimal("90.0"), Decimal("10.0"), 0)
    assert [(d["Sku"], d["Quantity"], d["PriceExclTax"]) for d in first["OrderDetails"]] == [
        ("MUG-BLUE", 2, Decimal("40.0"))
    ]
    assert (first["BillingAddress"]["City"], first["BillingAddress"]["TwoLetterIsoCode"]) == ("Boston", "US")
    assert (second["Total"], second["OrderDetails"][0]["Sku"]) == (Decimal("29.99"), "MUG-RED")


def test_a_bare_array_works_too_and_the_second_push_creates_nothing_and_says_so(stocked, connex):
    body = "[" + sale("Q-1001") + "]"

    first, second = send(connex, body), send(connex, body)

    if not stocked.creates_orders:
        assert (first.status_code, second.status_code) == (501, 501)
        return
    assert (first.json(), second.json()) == (answer(["Q-1001"]), answer(present=["Q-1001"]))
    assert len(served(connex, "Q-1001")) == 1


def test_an_order_the_shop_already_had_is_left_as_it_was(stocked, connex):
    stocked.order("1001", status="shipped")

    response = send(connex, "[" + sale("1001", total="999.0", price="494.5") + "]")

    if not stocked.creates_orders:
        assert response.status_code == 501
        return
    assert response.json() == answer(present=["1001"])
    assert served(connex, "1001")[0]["Total"] != Decimal("999.0")


def test_each_bad_order_is_refused_with_its_reason_and_never_blocks_the_good_ones(stocked, connex):
    body = jmauser(
        [
            sale("GOOD-1"),
            sale("UNBALANCED", total="91.0"),
            sale("UNKNOWN-SKU", sku="TEAPOT-9"),
            sale(""),
            sale("TWICE"),
            sale("TWICE"),
            sale("NO-SKU", sku=""),
            sale("GOOD-2", sku="MUG-RED"),
        ]
    )

    response = send(connex, body)

    if not stocked.creates_orders:
        assert response.status_code == 501
        return
    result = response.json()
    refused = result["OrderNumbersErrors"]
    created = ["GOOD-1", "GOOD-2"] if stocked.catalogue else ["GOOD-1", "UNKNOWN-SKU", "GOOD-2"]
    assert result["OrdersCreated"] == created
    assert sorted(refused) == sorted(
        ["UNBALANCED", "[3]", "TWICE", "NO-SKU", *(["UNKNOWN-SKU"] if stocked.catalogue else [])]
    )
    assert "come to 90.00, but Total is 91.0" in refused["UNBALANCED"]
    assert "no OrderNumber" in refused["[3]"]
    assert "2 orders numbered 'TWICE'" in refused["TWICE"]
    assert "OrderDetails[0] has no Sku" in refused["NO-SKU"]
    if stocked.catalogue:
        assert "no product with the SKU 'TEAPOT-9'" in refused["UNKNOWN-SKU"]
    sent = ["GOOD-1", "UNBALANCED", "UNKNOWN-SKU", "TWICE", "NO-SKU", "GOOD-2"]
    assert sorted(o["OrderNumber"] for o in served(connex, *sent)) == sorted(created)


def test_an_order_for_a_store_the_credential_may_not_see_is_refused(stocked):
    limited = ConnexClient(stocked.credential(username="amazon-only", stores=["Amazon"]))

    response = send(limited, "[" + sale("Q-1", StoreName='"Web"') + "," + sale("Q-2", StoreName='"amazon"') + "]")

    if not stocked.creates_orders:
        assert response.status_code == 501
        return
    assert response.json()["OrdersCreated"] == ["Q-2"]
    assert "StoreName 'Web' is not one of the stores" in response.json()["OrderNumbersErrors"]["Q-1"]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (jmauser([sale("Q-1"), sale("Q-2", CreationDate='"yesterday"')]), 'Orders[1].CreationDate: "yesterday"'),
        ("[" + sale("Q-1", Total='"90.0"') + "]", '[0].Total: "90.0" is not a number'),
        ('{"Customers": []}', "Orders: missing"),
        ('{"Orders": 7}', "Orders: expected a JSON array of JMAOrder, got a number"),
        ("[" + sale("Q-1"), "The body is not valid JSON"),
    ],
)
def test_a_malformed_body_is_a_400_naming_path_and_value_and_creates_nothing(stocked, connex, body, message):
    response = send(connex, body)

    if not stocked.creates_orders:
        assert response.status_code == 501  # said before the body is read
        return
    assert response.status_code == 400
    assert message in response.json()
    assert served(connex, "Q-1") == []


def test_a_body_over_the_size_limit_is_a_413_and_creates_nothing(stocked, connex, settings):
    settings.CONNEX_BRIDGE = {**stocked.connex_settings, "MAX_BODY_BYTES": 2000}

    response = send(connex, "[" + sale("Q-1", Note=json.dumps("x" * 5000)) + "]")

    assert response.status_code == (413 if stocked.creates_orders else 501)
    assert served(connex, "Q-1") == []


def test_the_status_is_mapped_like_changeorderstatus_does(stocked, connex, settings):
    if not stocked.creates_orders:
        assert send(connex, "[" + sale("Q-1") + "]").status_code == 501
        return
    target = stocked.status_change[1]
    settings.CONNEX_BRIDGE = {**stocked.connex_settings, "ORDER_STATUS_MAP": {"Shipped": target}}

    assert send(connex, "[" + sale("Q-1") + "]").json() == answer(["Q-1"])

    assert served(connex, "Q-1")[0]["OrderStatus"] == target


def test_the_builtin_store_writes_each_order_in_a_few_queries_whatever_its_lines(
    credential, connex, settings, django_assert_num_queries
):
    from connex_bridge.models import Product
    from tests.connex_bodies import JMAORDERDETAIL, json_net

    settings.CONNEX_BRIDGE = {"SYNC_LOG": False}  # its entry: tests/test_synclog.py
    Product.objects.create(sku="A")

    def order_of(number: str, lines: int) -> str:
        detail = json_net(JMAORDERDETAIL, Sku='"A"', Quantity="1.0", PriceExclTax="1.0", PriceInclTax="1.0")
        details = "[" + ",".join([detail] * lines) + "]"
        return sale(number, total=str(10 + lines), OrderDetails=details)

    send(connex, "[]")  # signs in once: last_used is written at most once a minute
    # the credential, the numbers present, the SKUs the catalogue has, then per order: a savepoint,
    # its address, the order, its lines
    with django_assert_num_queries(3 + 5 * 2):
        assert send(connex, "[" + order_of("A", 1) + "," + order_of("B", 50) + "]").json() == answer(["A", "B"])


def test_a_refused_demo_order_leaves_no_customer_or_address_behind(settings, db):
    from shop.harness import DemoShopHarness
    from shop.models import Address, Customer

    shop = DemoShopHarness()
    settings.CONNEX_BRIDGE = dict(shop.connex_settings)
    shop.add_product("MUG-BLUE", "Blue mug", Decimal("40.00"))
    connex = ConnexClient(shop.credential(username="connex"))
    # The shipping address has no country: refused after the customer and billing address were written.
    body = "[" + sale("Q-1", ShippingAddress=address(City='"Cambridge"')) + "]"

    response = send(connex, body)

    assert "ShippingAddress.TwoLetterIsoCode is empty" in response.json()["OrderNumbersErrors"]["Q-1"]
    assert (Customer.objects.count(), Address.objects.count()) == (0, 0)
