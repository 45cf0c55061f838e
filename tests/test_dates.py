"""Dates in the JSON (docs/protocol.md §5): the shop's wall clock by default, UTC or /Date(ms)/ by setting."""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo
from decimal import Decimal

import pytest

from connex_bridge.filters import database_bound
from connex_bridge.testing.factories import OrderFactory
from connex_bridge.wire import date_writer

NEW_YORK = zoneinfo.ZoneInfo("America/New_York")
# 21:30 on 1 May in New York is 01:30 on 2 May in UTC.
EVENING = dt.datetime(2024, 5, 1, 21, 30, 5, 250_000, tzinfo=NEW_YORK)


@pytest.fixture(autouse=True)
def new_york(settings):
    """These tests speak of a New York shop, whatever clock the suite runs under."""
    settings.TIME_ZONE = "America/New_York"


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


def orders_between(connex, start: str, end: str) -> list[str]:
    body = connex.get(f"/connex/orders?date_created_min={start}&date_created_max={end}").json()
    return [o["OrderNumber"] for o in body["Orders"]]


def test_orders_in_the_hour_that_repeats_when_clocks_go_back(connex, settings):
    # 2024-11-03: 01:30 happens twice in New York, at 05:30Z (EDT) and 06:30Z (EST).
    first = dt.datetime(2024, 11, 3, 5, 30, tzinfo=dt.timezone.utc)
    OrderFactory(number="EDT", created_at=first)
    OrderFactory(number="EST", created_at=first + dt.timedelta(hours=1))

    assert creation_date_of(connex, "EDT") == creation_date_of(connex, "EST") == "2024-11-03T01:30:00"
    in_first_hour = orders_between(connex, "2024-11-03T05:00:00Z", "2024-11-03T06:00:00Z")
    # With USE_TZ the database knows the instants apart. Without it both rows read
    # "01:30 local": a window touching that hour returns both — none is lost.
    assert in_first_hour == (["EDT"] if settings.USE_TZ else ["EDT", "EST"])
    assert "EST" in orders_between(connex, "2024-11-03T06:00:00Z", "2024-11-03T07:00:00Z")


def test_an_order_in_the_hour_skipped_when_clocks_go_forward(connex, settings):
    # 2024-03-10: New York skips 02:00-03:00; 07:30Z is 03:30 EDT.
    OrderFactory(number="1001", created_at=dt.datetime(2024, 3, 10, 7, 30, tzinfo=dt.timezone.utc))

    assert creation_date_of(connex, "1001") == "2024-03-10T03:30:00"
    assert orders_between(connex, "2024-03-10T07:00:00Z", "2024-03-10T08:00:00Z") == ["1001"]


def creation_date_of(connex, number: str) -> str:
    return connex.get(f"/connex/orders?orderNumber={number}").json()["Orders"][0]["CreationDate"]


@pytest.mark.parametrize(
    ("instant", "upper", "expected"),
    [
        ("2024-07-01T16:00:00+00:00", False, "2024-07-01T12:00:00"),  # an ordinary hour: exact
        ("2024-07-01T16:00:00+00:00", True, "2024-07-01T12:00:00"),
        ("2024-11-03T05:30:00+00:00", False, "2024-11-03T00:30:00"),  # 01:30 EDT: 01:00-01:30 EST are later
        ("2024-11-03T05:30:00+00:00", True, "2024-11-03T01:30:00"),
        ("2024-11-03T06:30:00+00:00", False, "2024-11-03T01:30:00"),  # 01:30 EST: 01:30-02:00 EDT are earlier
        ("2024-11-03T06:30:00+00:00", True, "2024-11-03T02:30:00"),
    ],
)
def test_without_use_tz_window_bounds_widen_over_the_repeated_hour(settings, instant, upper, expected):
    settings.USE_TZ = False

    bound = database_bound(dt.datetime.fromisoformat(instant), upper=upper)

    assert bound.isoformat() == expected


TRICKY = [
    EVENING,
    dt.datetime(2024, 5, 1, 23, 59, 59, 999_999, tzinfo=dt.timezone.utc),  # the fraction is cut, not rounded
    dt.datetime(2024, 11, 3, 5, 30, tzinfo=dt.timezone.utc),  # 01:30 EDT, then again as EST:
    dt.datetime(2024, 11, 3, 6, 30, tzinfo=dt.timezone.utc),
    dt.datetime(2024, 3, 10, 7, 0, tzinfo=dt.timezone.utc),  # the hour that is skipped in spring
    dt.datetime(2024, 2, 29, 0, 0, tzinfo=zoneinfo.ZoneInfo("Asia/Kolkata")),
    dt.datetime(1969, 12, 31, 23, 59, 59, tzinfo=dt.timezone.utc),
    dt.datetime(9999, 12, 30, 12, 0, tzinfo=dt.timezone.utc),
]


@pytest.mark.parametrize(
    "config",
    [{}, {"DATE_FORMAT": "local", "TIME_ZONE": "Asia/Kolkata"}, {"DATE_FORMAT": "utc"}, {"DATE_FORMAT": "microsoft"}],
)
@pytest.mark.parametrize("use_tz", [True, False])
def test_the_streamed_answer_writes_every_date_as_the_date_writer_does(settings, config, use_tz):
    # stream_user hands dates to orjson as datetimes (written in C) where it can: the same text, to the byte.
    from connex_bridge import wire
    from connex_bridge.records import OrderRecord, PaymentRecord

    settings.CONNEX_BRIDGE = config
    settings.USE_TZ = use_tz
    moments = TRICKY if use_tz else [moment.replace(tzinfo=None) for moment in TRICKY]
    records = [
        OrderRecord(number=f"{1001 + n}", status="paid", total=Decimal("1.00"), created_at=moment, modified_at=moment,
                    shipped_at=moment, payments=[PaymentRecord(order_number="1", amount=Decimal(1), paid_at=moment)])
        for n, moment in enumerate(moments)
    ]  # fmt: skip

    quick = b"".join(wire.stream_user(records))
    as_text = b"".join(wire.stream_user(records, date_writer()))

    assert quick == as_text
    written = [order["ShippingDate"] for order in json.loads(quick)["Orders"]]
    assert written == [date_writer()(moment) for moment in moments]
