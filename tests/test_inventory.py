"""``inventory``: QuickBooks' stock levels into the shop, on every shop that takes them (docs/protocol.md §2).

Each test runs once per stock adapter: the built-in models, the demo shop and (under
``tox -e oscar``) django-oscar. Bodies are written as Json.NET writes them: PascalCase, numbers
with trailing zeros, every property of Connex's class (nulls included) and some it may add.
"""

from __future__ import annotations

import json
import os
from decimal import Decimal
from typing import Any

import pytest
from shop.harness import DemoStockHarness

from connex_bridge.flows import inventory
from connex_bridge.records import ProductRecord
from connex_bridge.testing.catalogue import BuiltinStockHarness, StockHarness
from connex_bridge.testing.client import ConnexClient
from connex_bridge.testing.factories import ConnexCredentialFactory

HARNESSES: list[StockHarness] = [BuiltinStockHarness(), DemoStockHarness()]
if os.environ.get("CONNEX_TEST_OSCAR"):  # tests/settings.py installs django-oscar (tox -e oscar)
    from connex_bridge.contrib.oscar.testing import OscarStockHarness

    HARNESSES.append(OscarStockHarness())

URL = "/connex/inventory"


@pytest.fixture(params=HARNESSES, ids=lambda harness: harness.name)
def stock(request: pytest.FixtureRequest, settings: Any, db: None) -> StockHarness:
    harness: StockHarness = request.param
    settings.CONNEX_BRIDGE = dict(harness.connex_settings)
    return harness


@pytest.fixture
def connex(db: None) -> ConnexClient:
    return ConnexClient(ConnexCredentialFactory())


def jmaproduct(sku: str, quantity: Any, amount: Any = 19.99, **extra: Any) -> dict[str, Any]:
    """A JMAProduct as Json.NET writes it: every property of Connex's class, unused ones null or zero."""
    return {
        "Sku": sku,
        "Name": f"{sku} as QuickBooks names it",
        "Description": None,
        "Barcode": None,
        "ManufacturerPartNumber": None,
        "StockQuantity": quantity,
        "Amount": amount,
        "PurchaseCost": 0.0,
        "IsEnabled": True,
        **extra,
    }


def push(connex: ConnexClient, body: Any, method: str = "put") -> Any:
    text = body if isinstance(body, (str, bytes)) else json.dumps(body)
    return getattr(connex, method)(URL, text, content_type="application/json")


@pytest.mark.parametrize("method", ["put", "post"])
def test_a_body_as_connex_sends_it_sets_each_skus_stock_level_and_answers_what_the_shop_holds(stock, connex, method):
    stock.product("MUG-BLUE", quantity=3, price=Decimal("19.99"), name="Blue mug")
    stock.product("MUG-RED", quantity=40, price=Decimal("18.00"), name="Red mug")
    body = (
        '[{"Sku":"MUG-BLUE","Name":"Blue mug","Description":null,"Barcode":null,"ManufacturerPartNumber":null,'
        '"StockQuantity":12.0,"Amount":21.50,"PurchaseCost":0.0,"IsEnabled":true,'
        '"CreatedDate":"/Date(1714613400000)/","ModifiedDate":"2024-05-01T21:30:00","QuickBooksListId":"80000001"},'
        '{"sku":"MUG-RED","stockquantity":0,"amount":0.0,"ModifiedDate":"2024-05-01T21:30:00Z"}]'
    )

    response = push(connex, body, method)

    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/json"
    assert response.json() == {
        "ProductSyncSuccess": [
            {"Sku": "MUG-BLUE", "Name": "Blue mug", "StockQuantity": 12},
            {"Sku": "MUG-RED", "Name": "Red mug", "StockQuantity": 0},
        ],
        "ProductSkusErrors": {},
    }
    # Prices stay as they are unless INVENTORY_SETS_PRICES says otherwise.
    assert stock.held("MUG-BLUE") == (12, Decimal("19.99"))
    assert stock.held("MUG-RED") == (0, Decimal("18.00"))


def test_bad_skus_are_reported_with_a_reason_and_every_good_one_is_applied(stock, connex):
    for sku in ("GOOD", "NEGATIVE", "HALF", "NULL", "TWICE"):
        stock.product(sku, quantity=5)
    if stock.can_skip_stock:
        stock.product("SERVICE", quantity=5, tracks_stock=False)
    body = [
        jmaproduct("GOOD", 7),
        jmaproduct("NOT-IN-SHOP", 1),
        jmaproduct("NEGATIVE", -2),
        jmaproduct("HALF", 2.5),
        jmaproduct("NULL", None),
        jmaproduct("TWICE", 1),
        jmaproduct("TWICE", 2),
        *([jmaproduct("SERVICE", 3)] if stock.can_skip_stock else []),
    ]

    response = push(connex, body)

    assert response.status_code == 200
    answer = response.json()
    assert [product["Sku"] for product in answer["ProductSyncSuccess"]] == ["GOOD"]
    errors = answer["ProductSkusErrors"]
    assert list(errors) == ["NOT-IN-SHOP", "NEGATIVE", "HALF", "NULL", "TWICE", *(["SERVICE"] * stock.can_skip_stock)]
    assert "no product with SKU 'NOT-IN-SHOP'" in errors["NOT-IN-SHOP"]
    assert "item name must equal the product's SKU" in errors["NOT-IN-SHOP"]
    assert "StockQuantity -2 is negative" in errors["NEGATIVE"]
    assert "StockQuantity 2.5 is not a whole number" in errors["HALF"]
    assert "StockQuantity was not sent" in errors["NULL"]
    assert "in the body 2 times, so none of them was applied" in errors["TWICE"]
    if stock.can_skip_stock:
        assert "does not track stock of 'SERVICE'" in errors["SERVICE"]
    assert stock.held("GOOD")[0] == 7
    assert all(stock.held(sku)[0] == 5 for sku in ("NEGATIVE", "HALF", "NULL", "TWICE"))
    if stock.can_skip_stock:
        assert stock.held("SERVICE")[0] == 5


def test_with_inventory_sets_prices_the_amount_becomes_the_price(stock, connex, settings):
    settings.CONNEX_BRIDGE = {**settings.CONNEX_BRIDGE, "INVENTORY_SETS_PRICES": True}
    for sku in ("REPRICED", "NO-PRICE", "NEGATIVE-PRICE", "TOO-PRECISE"):
        stock.product(sku, quantity=1, price=Decimal("10.00"), name=sku)
    body = [
        jmaproduct("REPRICED", 4, 12.5),
        jmaproduct("NO-PRICE", 4, 0.0),  # Json.NET's 0 for an item without a price: left as it is
        jmaproduct("NEGATIVE-PRICE", 4, -1),
        jmaproduct("TOO-PRECISE", 4, 9.999),
    ]

    answer = push(connex, body).json()

    assert answer["ProductSyncSuccess"] == [
        {"Sku": "REPRICED", "Name": "REPRICED", "StockQuantity": 4, "Amount": 12.5},
        {"Sku": "NO-PRICE", "Name": "NO-PRICE", "StockQuantity": 4, "Amount": 10.0},
    ]
    assert "Amount -1 is negative" in answer["ProductSkusErrors"]["NEGATIVE-PRICE"]
    assert (
        "Amount 9.999 has more decimal places than the shop's prices (2)" in answer["ProductSkusErrors"]["TOO-PRECISE"]
    )
    assert stock.held("REPRICED") == (4, Decimal("12.50"))
    assert stock.held("NO-PRICE") == (4, Decimal("10.00"))
    assert stock.held("NEGATIVE-PRICE") == (1, Decimal("10.00"))  # a refused SKU is refused whole
    assert stock.held("TOO-PRECISE") == (1, Decimal("10.00"))


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('[{"Sku": "GOOD", "StockQuantity": 9}', "The body is not valid JSON"),
        ('{"Sku": "GOOD", "StockQuantity": 9}', "body: expected a JSON array of JMAProduct, got an object"),
        ('[{"Sku": "GOOD", "StockQuantity": 9}, 12]', "[1]: expected a JMAProduct object, got a number"),
        ('[{"Sku": "GOOD", "StockQuantity": 9}, {"StockQuantity": 1}]', "[1].Sku: missing"),
        ('[{"Sku": "GOOD", "StockQuantity": 9}, {"Sku": " ", "StockQuantity": 1}]', '[1].Sku: " " is blank'),
        ('[{"Sku": "GOOD", "StockQuantity": 9}, {"Sku": "B", "StockQuantity": "abc"}]', '[1].StockQuantity: "abc"'),
        ('[{"Sku": "GOOD", "StockQuantity": 9}, {"Sku": "B", "StockQuantity": NaN}]', "[1].StockQuantity: NaN"),
        ("", "The body is empty"),
    ],
)
def test_a_body_that_cannot_be_read_is_a_400_naming_the_problem_and_nothing_is_applied(stock, connex, body, message):
    stock.product("GOOD", quantity=1)

    response = push(connex, body)

    assert response.status_code == 400
    assert isinstance(response.json(), str)
    assert message in response.json()
    assert stock.held("GOOD")[0] == 1


def test_a_body_over_max_body_bytes_is_a_413_and_nothing_is_applied(stock, connex, settings):
    stock.product("GOOD", quantity=1)
    body = json.dumps([jmaproduct("GOOD", 9), *(jmaproduct(f"PAD-{i}", 1) for i in range(40))])
    settings.CONNEX_BRIDGE = {**settings.CONNEX_BRIDGE, "MAX_BODY_BYTES": len(body) - 1}

    response = push(connex, body)

    assert response.status_code == 413
    assert "MAX_BODY_BYTES" in response.json()
    assert stock.held("GOOD")[0] == 1


def test_the_same_body_twice_leaves_the_same_state_and_gets_the_same_answer(stock, connex, settings):
    settings.CONNEX_BRIDGE = {**settings.CONNEX_BRIDGE, "INVENTORY_SETS_PRICES": True}
    stock.product("A", quantity=1, price=Decimal("5.00"))
    stock.product("B", quantity=2, price=Decimal("6.00"))
    body = [jmaproduct("A", 10, 5.5), jmaproduct("B", 0, 6), jmaproduct("C", 3)]

    first = push(connex, body)
    state = (stock.held("A"), stock.held("B"))
    second = push(connex, body)

    assert first.status_code == second.status_code == 200
    assert first.content == second.content
    assert (stock.held("A"), stock.held("B")) == state == ((10, Decimal("5.50")), (0, Decimal("6.00")))


def test_a_shop_that_takes_no_stock_levels_answers_501_with_a_json_string(connex, settings):
    for adapter in (None, "connex_bridge.stock.StockAdapter"):
        settings.CONNEX_BRIDGE = {"STOCK_ADAPTER": adapter}

        response = push(connex, [jmaproduct("A", 1)])

        assert response.status_code == 501
        assert response["Content-Type"] == "application/json"
        assert response.json().startswith("This shop does not take stock levels from QuickBooks")


def test_a_body_is_not_read_when_the_shop_takes_no_stock(connex, settings):
    settings.CONNEX_BRIDGE = {"STOCK_ADAPTER": None}

    assert push(connex, "not even JSON").status_code == 501


def test_every_other_method_is_a_405(connex, db):
    assert connex.get(URL).status_code == 405
    assert connex.delete(URL).status_code == 405


def test_queries_grow_with_batches_not_with_products(stock, django_assert_num_queries):
    credential = ConnexCredentialFactory()
    adapter = inventory.stock_adapter_for(credential)
    size = adapter.batch_size
    for count in (1, 2 * size + 1):  # one batch, three batches
        products = [ProductRecord(sku=f"SKU-{count}-{i}", stock_quantity=Decimal(i % 7)) for i in range(count)]
        for product in products:
            stock.product(product.sku, quantity=99)
        batches = -(-count // size)
        # Per batch: a savepoint, the products, their rows locked, one bulk update, the savepoint's release.
        with django_assert_num_queries(5 * batches):
            result = inventory.apply(credential, products)
        assert len(result.applied) == count


def test_a_sku_matches_exactly_whatever_the_databases_collation(stock, connex):
    # MySQL and MariaDB compare text case-insensitively and ignore trailing blanks; SKUs do not.
    stock.product("MUG-BLUE", quantity=3)

    answer = push(connex, [jmaproduct("mug-blue", 8), jmaproduct("MUG-BLUE ", 9)]).json()

    assert answer["ProductSyncSuccess"] == []
    assert list(answer["ProductSkusErrors"]) == ["mug-blue", "MUG-BLUE "]
    assert stock.held("MUG-BLUE")[0] == 3
