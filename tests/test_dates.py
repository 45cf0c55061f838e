"""Dates in the JSON (PROTOCOL §5): the shop's wall clock by default, UTC or /Date(ms)/ by setting."""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest

from connex_bridge.testing.factories import OrderFactory
from connex_bridge.wire import date_writer

NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
# 21:30 on 1 May in New York is 01:30 on 2 May in UTC.
EVENING = dt.datetime(2024, 5, 1, 21, 30, 5, 250_000, tzinfo=NEW_YORK)


def creation_date(connex) -> str:
    response = connex.get("/connex/orders?orderNumber=1001")
    return response.json()["Orders"][0]["CreationDate"]


@pytest.mark.parametrize(
    ("config", "expected"),
    [
        ({}, "2024-05-01T21:30:05"),
        ({"DATE_FORMAT": "local"}, "2024-05-01T21:30:05"),
        ({"DATE_FORMAT": "local", "TIME_ZONE": "Asia/Kolkata"}, "2024-05-02T07:00:05"),
        ({"DATE_FORMAT": "utc"}, "2024-05-02T01:30:05Z"),
        ({"DATE_FORMAT": "microsoft"}, "/Date(1714613405250)/"),
    ],
)
def test_an_evening_order_lands_on_the_right_day_in_each_date_form(connex, settings, config, expected):
    settings.CONNEX_BRIDGE = config
    OrderFactory(number="1001", created_at=EVENING)

    assert creation_date(connex) == expected


def test_unset_dates_are_null(connex):
    OrderFactory(number="1001", created_at=EVENING)

    order = connex.get("/connex/orders?orderNumber=1001").json()["Orders"][0]

    assert order["PaidDate"] is None
    assert order["ShippingDate"] is None


def test_naive_datetimes_are_read_in_djangos_time_zone(settings):
    settings.USE_TZ = False
    naive = dt.datetime(2024, 5, 1, 21, 30, 5)

    assert date_writer("local")(naive) == "2024-05-01T21:30:05"
    assert date_writer("utc")(naive) == "2024-05-02T01:30:05Z"
    assert date_writer("local", "UTC")(naive) == "2024-05-02T01:30:05"


def test_the_microsoft_form_counts_milliseconds_since_the_epoch_in_utc():
    write = date_writer("microsoft")

    assert write(dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)) == "/Date(0)/"
    assert write(dt.datetime(1969, 12, 31, 23, 59, 59, tzinfo=dt.timezone.utc)) == "/Date(-1000)/"
