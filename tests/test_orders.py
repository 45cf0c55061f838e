"""orders: the window, the filters, the three lists and the JSON shapes (docs/protocol.md §3–§4)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from urllib.parse import urlencode

import pytest
from django.db import DatabaseError, connection
from django.test.utils import CaptureQueriesContext

from connex_bridge.filters import MAX_NAMES
from connex_bridge.sources import get_order_source
from connex_bridge.sources.builtin import BuiltinOrderSource
from connex_bridge.testing.client import ConnexClient, HTTPSClient, basic
from connex_bridge.testing.factories import OrderFactory
from connex_bridge.testing.harness import LineSpec

UTC = dt.timezone.utc
T0 = dt.datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)
MICROSECOND = dt.timedelta(microseconds=1)


def z(moment: dt.datetime) -> str:
    """A timestamp the way Connex sends it."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def get_orders(client: ConnexClient, **params: str) -> dict:
    response = client.get("/connex/orders?" + urlencode(params))
    assert response.status_code == 200, response.content
    return json.loads(response.content, parse_float=Decimal)


def numbers(orders: list[dict]) -> list[str]:
    return [o["OrderNumber"] for o in orders]


def day_window(**extra: str) -> dict[str, str]:
    return {
        "date_modified_min": z(T0 - dt.timedelta(days=1)),
        "date_modified_max": z(T0 + dt.timedelta(days=1)),
        **extra,
    }


# --- the window -------------------------------------------------------------


@pytest.mark.parametrize("kind", ["modified", "created"])
def test_orders_exactly_at_min_and_max_are_in_and_a_microsecond_outside_is_out(shop, connex, kind):
    start, end = T0, T0 + dt.timedelta(hours=1)
    stamps = {
        "before": start - MICROSECOND,
        "at-min": start,
        "inside": start + dt.timedelta(minutes=30),
        "at-max": end,
        "after": end + MICROSECOND,
    }
    for number, moment in stamps.items():
        # The other timestamp sits far away, so only the window under test decides.
        other = T0 - dt.timedelta(days=300) if kind == "modified" else T0 + dt.timedelta(days=300)
        if kind == "modified":
            shop.order(number=number, created_at=other, modified_at=moment)
        else:
            shop.order(number=number, created_at=moment, modified_at=other)

    body = get_orders(connex, **{f"date_{kind}_min": z(start), f"date_{kind}_max": z(end)})

    assert sorted(numbers(body["Orders"])) == ["at-max", "at-min", "inside"]


def test_an_absent_bound_is_open(shop, connex):
    shop.order(number="old", modified_at=T0 - dt.timedelta(days=3000))
    shop.order(number="new", modified_at=T0 + dt.timedelta(days=3000))

    assert numbers(get_orders(connex, date_modified_min=z(T0))["Orders"]) == ["new"]
    assert numbers(get_orders(connex, date_modified_max=z(T0))["Orders"]) == ["old"]


def test_the_dotnet_empty_date_is_an_open_bound(shop, connex):
    shop.order(number="A", modified_at=T0)

    body = get_orders(connex, date_modified_min="0001-01-01T00:00:00", date_modified_max=z(T0 + dt.timedelta(hours=1)))

    assert numbers(body["Orders"]) == ["A"]


def test_both_windows_together_must_both_hold(shop, connex):
    shop.order(number="both", created_at=T0, modified_at=T0)
    shop.order(number="modified-only", created_at=T0 - dt.timedelta(days=10), modified_at=T0)

    body = get_orders(connex, **day_window(date_created_min=z(T0 - dt.timedelta(days=1))))

    assert numbers(body["Orders"]) == ["both"]


@pytest.mark.parametrize(
    "text",
    [
        "2024-05-01T12:00:00Z",
        "2024-05-01T12:00:00z",
        "2024-05-01T12:00:00.0000000Z",
        "2024-05-01T12:00:00",
        "2024-05-01T14:00:00+02:00",
        "2024-05-01T14:00:00 02:00",  # a '+' the query string turned into a blank
        "2024-05-01T07:00:00-05:00",
        "2024-05-01 12:00:00Z",
    ],
)
def test_accepted_timestamp_forms_all_mean_the_same_instant(shop, connex, text):
    shop.order(number="at", modified_at=T0)
    shop.order(number="just-before", modified_at=T0 - MICROSECOND)

    assert numbers(get_orders(connex, date_modified_min=text)["Orders"]) == ["at"]


def test_fractional_seconds_are_honoured(shop, connex):
    shop.order(number="A", modified_at=T0 + dt.timedelta(microseconds=500_000))

    assert numbers(get_orders(connex, date_modified_min="2024-05-01T12:00:00.5Z")["Orders"]) == ["A"]
    assert numbers(get_orders(connex, date_modified_min="2024-05-01T12:00:00.5000001Z")["Orders"]) == ["A"]
    assert get_orders(connex, date_modified_min="2024-05-01T12:00:00.500001Z")["Orders"] == []


# --- orderNumber, orderStatus, storeName -------------------------------------


def test_order_numbers_ignore_the_window(shop, connex):
    shop.order(number="1001", modified_at=T0 - dt.timedelta(days=400))
    shop.order(number="1002", modified_at=T0)
    shop.order(number="1003", modified_at=T0)

    body = get_orders(connex, orderNumber=" 1001 , 1002", date_modified_min=z(T0 + dt.timedelta(days=1)))

    assert numbers(body["Orders"]) == ["1001", "1002"]


def test_order_status_selects_sales_case_insensitively(shop, connex):
    shop.order(number="S", status="shipped", modified_at=T0)
    shop.order(number="A", status="Awaiting_Shipment", modified_at=T0 + MICROSECOND)
    shop.order(number="P", status="pending", modified_at=T0 + 2 * MICROSECOND)

    body = get_orders(connex, **day_window(orderStatus=" SHIPPED, awaiting_shipment ,"))

    assert numbers(body["Orders"]) == ["S", "A"]


def test_store_name_selects_stores_case_insensitively(shop, connex):
    shop.order(number="W", store="Web", modified_at=T0)
    shop.order(number="A", store="Amazon", modified_at=T0 + MICROSECOND)
    shop.order(number="E", store="eBay", modified_at=T0 + 2 * MICROSECOND)

    body = get_orders(connex, **day_window(storeName="amazon, EBAY"))

    assert numbers(body["Orders"]) == ["A", "E"]


def test_unknown_parameters_are_ignored_and_parameter_names_match_in_any_case(shop, connex):
    shop.order(number="S", status="shipped", modified_at=T0)
    shop.order(number="P", status="pending", modified_at=T0)

    body = get_orders(
        connex, DATE_MODIFIED_MIN=z(T0 - dt.timedelta(hours=1)), orderstatus="shipped", utm_source="x", page="2"
    )

    assert numbers(body["Orders"]) == ["S"]


# --- Orders, CancelledOrders, Payments ----------------------------------------


def test_cancelled_and_refunded_orders_go_to_cancelled_orders_whatever_order_status_says(shop, connex):
    shop.order(number="1001", status="shipped", modified_at=T0)
    shop.order(number="1001-R1", status="Refunded", parent_number="1001", modified_at=T0 + MICROSECOND)
    shop.order(number="1002", status="cancelled", modified_at=T0 + 2 * MICROSECOND)

    body = get_orders(connex, **day_window(orderStatus="shipped"))

    assert numbers(body["Orders"]) == ["1001"]
    assert numbers(body["CancelledOrders"]) == ["1001-R1", "1002"]
    assert [o["OrderStatus"] for o in body["CancelledOrders"]] == ["Cancelled", "Cancelled"]
    assert [o["ParentOrderNumber"] for o in body["CancelledOrders"]] == ["1001", ""]


def test_an_order_status_naming_a_cancelled_status_does_not_put_refunds_in_orders(shop, connex):
    shop.order(number="R", status="refunded", modified_at=T0)

    body = get_orders(connex, **day_window(orderStatus="refunded"))

    assert body["Orders"] == []
    assert numbers(body["CancelledOrders"]) == ["R"]


def test_store_name_still_applies_to_cancelled_orders(shop, connex):
    shop.order(number="R-web", status="refunded", store="Web", modified_at=T0)
    shop.order(number="R-amazon", status="refunded", store="Amazon", modified_at=T0)

    body = get_orders(connex, **day_window(storeName="Web"))

    assert numbers(body["CancelledOrders"]) == ["R-web"]


def test_which_statuses_count_as_cancelled_is_a_setting(shop, connex, settings):
    settings.CONNEX_BRIDGE = {**shop.connex_settings, "CANCELLED_STATUSES": ["voided"]}
    shop.order(number="V", status="VOIDED", modified_at=T0)
    shop.order(number="C", status="cancelled", modified_at=T0 + MICROSECOND)

    body = get_orders(connex, **day_window())

    assert numbers(body["CancelledOrders"]) == ["V"]
    assert numbers(body["Orders"]) == ["C"]


def test_payments_list_every_payment_of_every_sale_and_none_of_cancelled_orders(shop, connex):
    shop.order(
        number="1001",
        lines=[LineSpec(quantity=3, unit_price_excl_tax=Decimal("50.00"))],
        payments=[Decimal("100.00"), Decimal("50.00")],
        payment_method="Visa",
        modified_at=T0,
    )
    shop.order(number="1002", modified_at=T0 + MICROSECOND)
    shop.order(number="1003", status="refunded", modified_at=T0 + 2 * MICROSECOND)

    body = get_orders(connex, **day_window())

    payments = body["Payments"]
    assert [(p["OrderNumber"], p["PaymentAmount"]) for p in payments] == [
        ("1001", Decimal("100.00")),
        ("1001", Decimal("50.00")),
        ("1002", Decimal("10.00")),
    ]
    assert all(p["Order"] == {"OrderNumber": p["OrderNumber"]} for p in payments)
    assert payments[0]["CreditCardName"] == "Visa"
    assert payments[0]["ReferenceNumber"]


def test_an_empty_window_still_sends_every_list(connex):
    response = connex.get("/connex/orders?" + urlencode(day_window()))

    assert json.loads(response.content) == {
        "Orders": [],
        "CancelledOrders": [],
        "Payments": [],
        "Purchases": [],
        "ProductsToQB": [],
        "ProductsFromQBToUpdate": [],
        "InventoryAdjustments": [],
        "Customers": [],
    }


# --- shapes and money -----------------------------------------------------------


def test_an_order_has_connex_property_names_and_every_list_and_address(shop, connex):
    shop.order(number="1001", modified_at=T0)

    (order,) = get_orders(connex, **day_window())["Orders"]

    assert set(order) == {
        "OrderNumber", "Id", "Other", "CreationDate", "ModifiedDate", "PaidDate", "OrderStatus", "StoreName",
        "Total", "TotalInclTax", "TotalExclTax", "TotalTax", "ShippingInclTax", "ShippingExclTax",
        "ShippingMethod", "DiscountInclTax", "DiscountExclTax", "Discounts", "OrderDetails", "BillingAddress",
        "ShippingAddress", "Customer", "CreditCardName", "ReferenceNumber", "CurrencyCode", "TrackingNumber",
        "ShippingDate", "Note", "PrivateNote", "ParentOrderNumber",
    }  # fmt: skip
    assert order["ShippingAddress"] == order["BillingAddress"]  # falls back to billing, never null
    assert all(isinstance(v, str) for v in order["BillingAddress"].values())
    assert order["Other"] == str(order["Id"])
    (line,) = order["OrderDetails"]
    assert set(line) == {
        "Sku", "Name", "Quantity", "PriceExclTax", "PriceInclTax", "DiscountExclTax", "DiscountInclTax",
        "HasTax", "IsShipping", "TaxCode", "Product",
    }  # fmt: skip
    assert line["Product"] == {"Sku": line["Sku"], "Name": line["Name"], "Amount": line["PriceExclTax"]}


def test_money_is_exact_where_floats_would_drift(shop, connex):
    # 0.1 + 0.2 and 3 × 33.33 + … are classic float traps.
    shop.order(
        number="1001",
        lines=[
            LineSpec(sku="A", unit_price_excl_tax=Decimal("0.10")),
            LineSpec(sku="B", unit_price_excl_tax=Decimal("0.20")),
            LineSpec(sku="C", quantity=3, unit_price_excl_tax=Decimal("33.33")),
        ],
        modified_at=T0,
    )

    response = connex.get("/connex/orders?" + urlencode(day_window()))

    assert b'"Total":100.29,' in response.content
    assert b'"Total":"' not in response.content  # a number, never a string
    (order,) = json.loads(response.content, parse_float=Decimal)["Orders"]
    assert order["Total"] == Decimal("100.29")


def test_totals_balance_to_the_cent(shop, connex):
    shop.order(
        number="1001",
        lines=[
            LineSpec(sku="A", quantity=2, unit_price_excl_tax=Decimal("19.99")),
            LineSpec(sku="B", unit_price_excl_tax=Decimal("5.01"), discount_excl_tax=Decimal("1.00")),
        ],
        tax_rate=Decimal("0.0625"),
        shipping=Decimal("7.95"),
        discount=Decimal("4.00"),
        modified_at=T0,
    )

    (order,) = get_orders(connex, **day_window())["Orders"]

    lines = sum(line["Quantity"] * line["PriceExclTax"] - line["DiscountExclTax"] for line in order["OrderDetails"])
    assert lines - order["DiscountExclTax"] + order["ShippingExclTax"] + order["TotalTax"] == order["Total"]
    assert order["TotalInclTax"] == order["Total"]
    assert order["TotalExclTax"] == order["Total"] - order["TotalTax"]
    assert order["TotalTax"] > 0
    assert all(line["HasTax"] and line["PriceInclTax"] > line["PriceExclTax"] for line in order["OrderDetails"])


# --- stability -------------------------------------------------------------------


def test_the_same_window_gives_the_same_bytes_in_modified_then_id_order(shop, connex):
    shop.order(number="B", modified_at=T0 + dt.timedelta(seconds=1))
    shop.order(number="C", modified_at=T0)
    shop.order(number="A", modified_at=T0)  # same time as C, created after it

    url = "/connex/orders?" + urlencode(day_window())
    first, second = connex.get(url).content, connex.get(url).content

    assert first == second
    assert numbers(json.loads(first)["Orders"]) == ["C", "A", "B"]


def test_a_change_to_an_order_moves_it_into_a_later_window(shop, connex):
    shop.order(number="1001", modified_at=dt.datetime(2020, 1, 1, tzinfo=UTC))
    window = {"date_modified_min": z(dt.datetime(2021, 1, 1, tzinfo=UTC))}
    assert get_orders(connex, **window)["Orders"] == []

    shop.add_payment("1001", Decimal("1.00"))

    assert numbers(get_orders(connex, **window)["Orders"]) == ["1001"]


# --- store scoping ------------------------------------------------------------------


def test_a_credential_limited_to_stores_never_sees_another_stores_orders(shop, db):
    web_only = ConnexClient(shop.credential(stores=["Web"]))
    shop.order(number="W", store="web", modified_at=T0)
    shop.order(number="A", store="Amazon", modified_at=T0)
    shop.order(number="A-R1", store="Amazon", status="refunded", modified_at=T0)

    assert numbers(get_orders(web_only, **day_window())["Orders"]) == ["W"]
    body = get_orders(web_only, **day_window(storeName="Amazon,Web"))
    assert numbers(body["Orders"]) == ["W"]
    assert body["CancelledOrders"] == []
    assert get_orders(web_only, **day_window(storeName="Amazon"))["Orders"] == []
    assert get_orders(web_only, orderNumber="A,A-R1") == get_orders(web_only, orderNumber="nothing")


# --- bad input -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "parameter", ["date_modified_min", "date_modified_max", "date_created_min", "date_created_max"]
)
@pytest.mark.parametrize(
    "value",
    ["yesterday", "2024-13-01T00:00:00Z", "2024-02-30T00:00:00Z", "2024-05-01", "2024-05-01T25:00:00Z",
     "2024-05-01T12:00:00+15:00", "1714564800", "2024-05-01T12:00:00Zjunk"],
)  # fmt: skip
def test_a_bad_timestamp_is_a_400_naming_the_parameter_the_value_and_the_form(connex, parameter, value):
    response = connex.get("/connex/orders?" + urlencode({parameter: value}))

    assert response.status_code == 400
    message = response.json()
    assert isinstance(message, str)
    assert parameter in message
    assert value in message
    assert "yyyy-MM-ddTHH:mm:ssZ" in message


@pytest.mark.parametrize("kind", ["modified", "created"])
def test_min_after_max_is_a_400(connex, kind):
    response = connex.get(f"/connex/orders?date_{kind}_min=2024-05-02T00:00:00Z&date_{kind}_max=2024-05-01T00:00:00Z")

    assert response.status_code == 400
    assert f"date_{kind}_min (2024-05-02T00:00:00Z) is after date_{kind}_max" in response.json()


@pytest.mark.parametrize("query", ["", "orderStatus=shipped", "storeName=Web", "orderNumber=", "orderNumber=%20,%20"])
def test_no_window_and_no_order_number_is_a_400_saying_what_to_send(connex, query):
    response = connex.get("/connex/orders?" + query)

    assert response.status_code == 400
    assert "date_modified_min" in response.json()
    assert "orderNumber" in response.json()


def test_too_many_order_numbers_is_a_400(connex, settings):
    settings.CONNEX_BRIDGE = {"MAX_ORDER_NUMBERS": 3}

    response = connex.get("/connex/orders?orderNumber=1,2,3,4")

    assert response.status_code == 400
    assert response.json() == "orderNumber lists 4 values; send at most 3 per request."


@pytest.mark.parametrize("parameter", ["orderStatus", "storeName"])
def test_more_than_max_names_in_a_name_list_is_a_400_not_a_database_error(connex, parameter):
    # Regression: 2000 store names were 2000 ORs, and SQLite failed mid-answer ("Expression tree is too large").
    window = "date_modified_min=2024-05-01T00:00:00Z"
    names = [f"name-{n}" for n in range(2000)]

    assert connex.get(f"/connex/orders?{window}&{parameter}={','.join(names[:MAX_NAMES])}").status_code == 200
    for count in (MAX_NAMES + 1, 2000):
        response = connex.get(f"/connex/orders?{window}&{parameter}={','.join(names[:count])}")
        assert response.status_code == 400
        assert response.json() == f"{parameter} lists {count} values; send at most {MAX_NAMES} per request."


@pytest.mark.parametrize("parameter", ["orderStatus", "storeName", "orderNumber"])
def test_a_nul_character_in_a_list_is_a_400_not_a_database_error(connex, parameter):
    # Regression: PostgreSQL refuses a NUL in a text parameter, so this was a 500 there.
    response = connex.get(f"/connex/orders?orderNumber=1001&{parameter}=Web%00,eBay")

    assert response.status_code == 400
    assert response.json() == f"{parameter} contains a NUL character (%00); send plain comma-separated text."


def test_a_timestamp_repeated_with_different_values_is_a_400(connex):
    response = connex.get(
        "/connex/orders?date_modified_min=2024-05-01T00:00:00Z&date_modified_min=2024-06-01T00:00:00Z"
    )

    assert response.status_code == 400
    assert "date_modified_min" in response.json()
    assert "more than once" in response.json()


def test_a_query_string_with_too_many_parameters_is_a_400_json_string(connex, settings):
    settings.DATA_UPLOAD_MAX_NUMBER_FIELDS = 10
    query = "&".join(f"p{n}=1" for n in range(11))

    response = connex.get(f"/connex/orders?orderNumber=1&{query}")

    assert response.status_code == 400
    assert "DATA_UPLOAD_MAX_NUMBER_FIELDS" in response.json()


def test_several_errors_are_reported_together(connex):
    response = connex.get("/connex/orders?date_modified_min=bad&date_created_max=worse")

    assert response.status_code == 400
    assert "'bad'" in response.json()
    assert "'worse'" in response.json()


# --- cost -------------------------------------------------------------------------------


def test_the_query_count_does_not_grow_with_the_number_of_orders(
    shop, connex, django_assert_num_queries, django_assert_max_num_queries
):
    def poll() -> dict:
        return get_orders(connex, **day_window())

    shop.order(number="first", modified_at=T0)
    poll()  # records last_used_at, which is written at most once a minute
    with django_assert_max_num_queries(8) as one:
        assert len(poll()["Orders"]) == 1

    for n in range(49):
        shop.order(
            number=f"more-{n}",
            modified_at=T0,
            lines=[LineSpec(sku="A"), LineSpec(sku="B")],
            payments=[Decimal("5.00"), Decimal("15.00")],
            discount=Decimal("1.00"),
        )
    with django_assert_num_queries(len(one.captured_queries)):
        assert len(poll()["Orders"]) == 50


def test_the_answer_is_a_stream_read_in_chunks_of_orders(shop, credential, monkeypatch):
    for n in range(5):
        shop.order(number=f"{1001 + n}", modified_at=T0 + n * MICROSECOND)
    monkeypatch.setattr(type(get_order_source()), "chunk_size", 2)
    client = HTTPSClient(HTTP_AUTHORIZATION=basic(credential.username, credential.secret))

    def read(url: str) -> tuple[dict, int]:
        response = client.get(url)
        assert response.streaming
        with CaptureQueriesContext(connection) as queries:
            body = json.loads(b"".join(response.streaming_content))
        return body, len(queries)

    _, one_chunk = read("/connex/orders?orderNumber=1001")
    body, three_chunks = read("/connex/orders?" + urlencode(day_window()))

    assert numbers(body["Orders"]) == ["1001", "1002", "1003", "1004", "1005"]
    if isinstance(get_order_source(), BuiltinOrderSource):
        # Lines, discounts and payments come from one query each, read in step with the orders.
        assert three_chunks == one_chunk
    else:
        per_chunk = one_chunk - 1  # the orders query runs once; each chunk runs the prefetches
        assert per_chunk >= 2
        assert three_chunks == 1 + 3 * per_chunk


def test_errors_connex_can_act_on_are_whole_answers_decided_before_the_first_byte(credential):
    client = HTTPSClient(HTTP_AUTHORIZATION=basic(credential.username, credential.secret))

    bad = client.get("/connex/orders?date_modified_min=yesterday")
    unauthorized = HTTPSClient().get("/connex/orders?orderNumber=1001")
    answer = client.get("/connex/orders?orderNumber=1001")

    assert (bad.status_code, bad.streaming) == (400, False)
    assert (unauthorized.status_code, unauthorized.streaming) == (401, False)
    assert (answer.status_code, answer.streaming) == (200, True)


def test_a_failure_mid_stream_leaves_a_truncated_body_that_is_no_json(credential, monkeypatch):
    for n in range(40):
        OrderFactory(number=f"{1001 + n}", modified_at=T0 + n * MICROSECOND, note="x" * 2000)
    source = type(get_order_source())
    read_records = source.iter_records

    def failing(self, queryset, statuses):
        for n, record in enumerate(read_records(self, queryset, statuses)):
            if n == 35:  # past the first flushed chunk
                raise DatabaseError("the connection dropped")
            yield record

    monkeypatch.setattr(source, "iter_records", failing)
    client = HTTPSClient(HTTP_AUTHORIZATION=basic(credential.username, credential.secret))

    response = client.get("/connex/orders?" + urlencode(day_window()))
    assert (response.status_code, response.streaming) == (200, True)  # sent before any order was read
    received: list[bytes] = []
    with pytest.raises(DatabaseError):
        for chunk in response.streaming_content:
            received.append(chunk)

    body = b"".join(received)
    assert body.startswith(b'{"Orders":[{"OrderNumber":"1001"')  # orders went out...
    with pytest.raises(json.JSONDecodeError):
        json.loads(body)  # ...but never a complete answer Connex would book
