"""orders: what the endpoint answers whatever the shop holds (docs/protocol.md §3–§4).

The endpoint contract tests, which run once per order source, are
:class:`connex_bridge.testing.contract.OrdersContract` (run by tests/test_contract.py); these are
the rest: bad input, an empty answer, and how the answer streams, against the built-in models.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest
from django.db import DatabaseError

from connex_bridge.filters import MAX_NAMES
from connex_bridge.sources import get_order_source
from connex_bridge.testing.client import HTTPSClient, basic
from connex_bridge.testing.contract import MICROSECOND, T0, day_window
from connex_bridge.testing.factories import OrderFactory


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
