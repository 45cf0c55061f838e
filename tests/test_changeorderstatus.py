"""``changeorderstatus``: QuickBooks tells the shop what became of an order (docs/protocol.md §2).

Every test runs against each order source of tests/conftest.py's HARNESSES; a shop whose source takes
no status changes (``harness.status_change`` is None) must answer the 501 instead. Bodies are what
Json.NET writes: every property of Connex's JMAOrder, PascalCase, nulls and zeros for the rest.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from django.utils import timezone

from connex_bridge.testing.client import ConnexClient
from connex_bridge.testing.clock import db_time
from connex_bridge.testing.contract import T0, another_store, endpoint, get_orders, z
from connex_bridge.wire import date_writer
from tests.connex_bodies import order

NOT_TAKEN = "This shop does not take status changes from QuickBooks"
TRACKING = "1Z999AA10123456784"
SHIPPED = dt.datetime(2024, 5, 2, 15, 0, tzinfo=dt.timezone.utc)
PAID = dt.datetime(2024, 5, 2, 9, 30, tzinfo=dt.timezone.utc)


def post(client: ConnexClient, body: str | bytes) -> Any:
    return client.post(endpoint("changeorderstatus"), body, content_type="application/json")


def served(client: ConnexClient, number: str) -> dict[str, Any]:
    (found,) = get_orders(client, orderNumber=number)["Orders"]
    return found


def push(number: str = "1001", *, other: str = "", status: str = "", **values: str) -> str:
    """The JMAOrder Connex posts: every property, the shop's id in Other, the shipment and the paid date."""
    fields = {
        "OrderNumber": json.dumps(number), "Other": json.dumps(other), "OrderStatus": json.dumps(status),
        "TrackingNumber": json.dumps(TRACKING),
        "ShippingDate": f'"/Date({int(SHIPPED.timestamp() * 1000)})/"',
        "PaidDate": json.dumps(PAID.strftime("%Y-%m-%dT%H:%M:%SZ")),
        "Total": "10.0", "QuickBooksTxnId": '"8A-1714650000"',
    }  # fmt: skip
    return order(**{**fields, **values})


@pytest.fixture
def placed(shop) -> str:
    """Order 1001 in the shop's status before shipping; returns its ``Other``."""
    before = shop.status_change[0] if shop.status_change else "awaiting_shipment"
    shop.order("1001", status=before, modified_at=T0)
    shop.order("1002", status=before, modified_at=T0)
    return ConnexClient(shop.credential(username="reader"))  # type: ignore[return-value]


def test_a_status_push_records_status_tracking_and_dates_and_the_order_comes_back_in_the_next_window(
    shop, placed, connex
):
    other = served(connex, "1001")["Other"]
    before = timezone.now()

    response = post(connex, push(other=other, status=shop.status_change[1] if shop.status_change else "shipped"))

    if shop.status_change is None:
        assert (response.status_code, response.json()) == (501, response.json())
        assert response.json().startswith(NOT_TAKEN)
        assert served(connex, "1001")["OrderStatus"] == "awaiting_shipment"
        return
    assert (response.status_code, response.json()) == (200, "OK")
    window = get_orders(connex, date_modified_min=z(before - dt.timedelta(seconds=1)))
    (changed,) = window["Orders"]  # 1002 did not change
    write = date_writer()
    assert changed["OrderNumber"] == "1001"
    assert changed["OrderStatus"] == shop.status_change[1]
    assert changed["TrackingNumber"] == TRACKING
    assert changed["ShippingDate"] == write(SHIPPED)
    if shop.keeps_paid_date:
        assert changed["PaidDate"] == write(PAID)


def test_the_same_push_twice_changes_nothing_the_second_time(shop, placed, connex):
    body = push(status=shop.status_change[1] if shop.status_change else "shipped")
    first = post(connex, body)
    after_first = get_orders(connex, orderNumber="1001").copy()

    second = post(connex, body)

    assert second.status_code == first.status_code == (200 if shop.status_change else 501)
    assert second.json() == first.json()
    assert get_orders(connex, orderNumber="1001") == after_first  # the same modified time, one parcel


def test_an_other_naming_another_order_than_the_number_is_not_taken_and_without_other_the_number_finds_it(
    shop, placed, connex
):
    other_of_1001 = served(connex, "1001")["Other"]
    target = shop.status_change[1] if shop.status_change else "shipped"

    mismatched = post(connex, push("1002", other=other_of_1001, status=target))

    if shop.status_change is None:
        assert mismatched.status_code == 501
        return
    assert mismatched.json() == "OK"
    assert [served(connex, n)["OrderStatus"] for n in ("1001", "1002")] == [shop.status_change[0], target]
    assert post(connex, push("1001", other="", status=target)).json() == "OK"
    assert served(connex, "1001")["OrderStatus"] == target


def test_an_order_the_credential_cannot_see_is_not_found_and_nothing_changes(shop, placed):
    store = shop.single_store or "Web"
    elsewhere = ConnexClient(shop.credential(username="elsewhere", stores=[another_store(store)]))
    reader = ConnexClient(shop.credential(username="everywhere"))
    target = shop.status_change[1] if shop.status_change else "shipped"

    hidden = post(elsewhere, push(status=target))
    unknown = post(reader, push("9999", other="9999", status=target))

    if shop.status_change is None:
        assert {hidden.status_code, unknown.status_code} == {501}
        return
    assert (hidden.status_code, hidden.json()) == (404, "NOT FOUND")
    assert (unknown.status_code, unknown.json()) == (404, "NOT FOUND")
    assert served(reader, "1001")["OrderStatus"] == shop.status_change[0]
    assert served(reader, "1001")["TrackingNumber"] == ""


def test_the_status_map_turns_connex_names_into_the_shops_and_an_empty_status_is_completed(
    shop, placed, connex, settings
):
    if shop.status_change is None:
        assert post(connex, push(status="")).status_code == 501
        return
    target = shop.status_change[1]
    settings.CONNEX_BRIDGE = {**shop.connex_settings, "ORDER_STATUS_MAP": {"In Transit (QB)": target}}

    assert post(connex, push("1001", status="in transit (qb)")).json() == "OK"
    settings.CONNEX_BRIDGE = {**shop.connex_settings, "COMPLETED_STATUS": target}
    assert post(connex, push("1002", status="")).json() == "OK"

    assert [served(connex, n)["OrderStatus"] for n in ("1001", "1002")] == [target, target]


def test_a_status_the_shop_cannot_take_is_a_400_naming_it_and_nothing_of_the_push_is_kept(shop, placed, connex):
    response = post(connex, push(status="Teleported" * 10))

    if shop.status_change is None:
        assert response.status_code == 501
        return
    assert response.status_code == 400
    assert "Teleported" in response.json()
    found = served(connex, "1001")
    assert (found["OrderStatus"], found["TrackingNumber"]) == (shop.status_change[0], "")


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (push(ShippingDate='"yesterday"'), 'ShippingDate: "yesterday" is not a date'),
        (push(Total='"10.00"'), 'Total: "10.00" is not a number'),
        (push("", other=""), "Other: missing (and so is OrderNumber)"),
        ("[" + push() + "]", "body: expected a JMAOrder object, got an array"),
        (push()[:-1], "The body is not valid JSON"),
    ],
)
def test_a_malformed_body_is_a_400_naming_path_and_value_and_changes_nothing(shop, placed, connex, body, message):
    response = post(connex, body)

    if shop.status_change is None:
        assert response.status_code == 501  # said before the body is read
        return
    assert response.status_code == 400
    assert message in response.json()
    assert served(connex, "1001")["TrackingNumber"] == ""


def test_a_body_over_the_size_limit_is_a_413(shop, placed, connex, settings):
    settings.CONNEX_BRIDGE = {**shop.connex_settings, "MAX_BODY_BYTES": 1000}

    response = post(connex, push(Note=json.dumps("x" * 2000)))

    assert response.status_code == (413 if shop.status_change else 501)
    assert served(connex, "1001")["TrackingNumber"] == ""


@pytest.mark.parametrize("sent", ['"2024-05-02T15:00:00Z"', '"2024-05-02T11:00:00-04:00"', '"2024-05-02T15:00:00"'])
def test_every_date_form_of_json_net_is_the_same_shipping_date(shop, placed, connex, settings, sent):
    settings.CONNEX_BRIDGE = {**shop.connex_settings, "TIME_ZONE": "UTC"}  # a date without zone is the shop's
    response = post(connex, push(status=shop.status_change[1] if shop.status_change else "x", ShippingDate=sent))

    if shop.status_change is None:
        assert response.status_code == 501
        return
    assert served(connex, "1001")["ShippingDate"] == date_writer()(SHIPPED)


def test_the_builtin_store_takes_a_change_in_three_queries_and_completes_to_completed(
    credential, connex, settings, django_assert_num_queries
):
    from connex_bridge.testing.harness import BuiltinHarness

    settings.CONNEX_BRIDGE = {"SYNC_LOG": False}  # its entry: tests/test_synclog.py
    BuiltinHarness().order("1001", status="awaiting_shipment", modified_at=T0)
    post(connex, push("0", status="x"))  # signs in once: last_used is written at most once a minute

    with django_assert_num_queries(5):  # the credential, the order and its UPDATE, in a savepoint here
        assert post(connex, push(other="", status="")).json() == "OK"

    assert served(connex, "1001")["OrderStatus"] == "completed"


def test_the_demo_shop_delivers_a_completed_order_and_keeps_the_tracking_number_as_one_shipment(settings, db):
    from shop.harness import DemoShopHarness
    from shop.models import Order

    shop = DemoShopHarness()
    settings.CONNEX_BRIDGE = dict(shop.connex_settings)
    shop.order("D1", status="packed", shipping_method="UPS Ground", modified_at=T0)
    connex = ConnexClient(shop.credential(username="connex"))

    assert post(connex, push("D1", status="")).json() == "OK"
    assert post(connex, push("D1", status="")).json() == "OK"

    order = Order.objects.get(reference="D1")
    assert order.state == "delivered"
    assert [(s.carrier, s.tracking_code, s.shipped_at) for s in order.shipments.all()] == [
        ("UPS", TRACKING, db_time(SHIPPED))
    ]
