"""On PostgreSQL an answer's dates are loaded by psycopg's compiled loader, to the datetimes Django gives.

Django loads ``timestamptz`` values through a Python loader; while an ``orders`` answer is read,
:func:`connex_bridge.snapshot.read_snapshot` has psycopg's compiled one load them instead, where that
gives the same datetimes (the connection in UTC), and puts Django's back afterwards. These tests run
in the PostgreSQL job of the database matrix (``make test DB=postgres``); there is no such loader
to swap on SQLite or MariaDB.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import pytest
from django.db import connection, connections

from connex_bridge import snapshot
from connex_bridge.flows.orders import OrdersAnswer
from connex_bridge.snapshot import read_snapshot
from connex_bridge.testing.harness import BuiltinHarness

pytestmark = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="PostgreSQL's timestamptz loader; run by make test DB=postgres"
)

UTC = dt.timezone.utc
TIMESTAMPTZ = 1184  # the type's OID
WHEN = "SELECT '2024-03-31 01:59:59.999999+02'::timestamptz, '9999-12-31 23:59:59+00'::timestamptz"


def loader_of_a_new_cursor() -> Any:
    with connection.cursor() as cursor:
        return cursor.cursor.adapters.get_loader(TIMESTAMPTZ, 0)


def dates() -> tuple[dt.datetime, ...]:
    with connection.cursor() as cursor:
        cursor.execute(WHEN)
        return tuple(cursor.fetchone())


def test_an_answer_reads_its_dates_with_the_compiled_loader_and_gets_djangos_datetimes_back(db):
    djangos = loader_of_a_new_cursor()
    outside = dates()

    with read_snapshot(connection.alias):
        assert loader_of_a_new_cursor().__name__ == "CompiledTzLoader"
        inside = dates()

    assert inside == outside
    assert [value.tzinfo for value in inside] == [UTC, UTC]  # datetime.timezone.utc, as Django's loader sets
    assert inside[0] == dt.datetime(2024, 3, 30, 23, 59, 59, 999999, tzinfo=UTC)
    assert loader_of_a_new_cursor() is djangos  # put back once the answer is read


def test_the_records_of_an_answer_are_those_djangos_loader_gives(db, monkeypatch):
    harness = BuiltinHarness()
    base = dt.datetime(2024, 10, 27, 0, 30, 15, 123456, tzinfo=UTC)  # around a DST change in Europe
    for n in range(4):
        harness.order(
            f"{1001 + n}",
            created_at=base + dt.timedelta(hours=n),
            modified_at=base + dt.timedelta(hours=n, minutes=1, microseconds=n),
            payments=[Decimal("4.00"), Decimal("6.00")],
        )
    credential = harness.credential()
    query = {"orderNumber": "1001,1002,1003,1004"}

    compiled = list(OrdersAnswer(credential, query).records())
    monkeypatch.setattr(snapshot, "_compiled_timestamp_loader", lambda connection: None)
    with_djangos = list(OrdersAnswer(credential, query).records())

    assert compiled == with_djangos
    assert [record.modified_at for record in compiled[:4]] == [
        base + dt.timedelta(hours=n, minutes=1, microseconds=n) for n in range(4)
    ]


def test_a_connection_in_another_time_zone_keeps_djangos_loader(db, monkeypatch):
    wrapper = connections[connection.alias]
    monkeypatch.setitem(wrapper.settings_dict, "TIME_ZONE", "Europe/Paris")
    wrapper.__dict__.pop("timezone", None)  # cached properties: read again with the setting above
    try:
        assert wrapper.timezone is not UTC
        assert snapshot._compiled_timestamp_loader(wrapper) is None
    finally:
        monkeypatch.undo()
        wrapper.__dict__.pop("timezone", None)
    assert wrapper.timezone is UTC


def test_a_loader_the_project_registered_is_left_alone(db):
    from psycopg.types.datetime import TimestamptzLoader

    class ProjectLoader(TimestamptzLoader):
        timezone = UTC

    connection.ensure_connection()
    adapters = connection.connection.adapters
    djangos = adapters.get_loader(TIMESTAMPTZ, 0)
    adapters.register_loader(TIMESTAMPTZ, ProjectLoader)
    try:
        with read_snapshot(connection.alias):
            assert loader_of_a_new_cursor() is ProjectLoader
    finally:
        adapters.register_loader(TIMESTAMPTZ, djangos)
