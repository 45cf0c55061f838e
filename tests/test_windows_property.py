"""No order lost, none duplicated: random orders, random changes, Connex-shaped overlapping windows.

After every sync Connex resets its timers to "an hour ago … tomorrow", so
consecutive windows overlap (docs/protocol.md §3). Whatever the orders and their
changes, each window must return exactly the orders whose modified time lies
inside it, each once, and the same bytes when asked twice.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from django.db import transaction
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from connex_bridge.testing.client import ConnexClient
from connex_bridge.testing.harness import BuiltinHarness, ShopHarness
from tests.altshop.harness import AltShopTrackedHarness

T0 = dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.timezone.utc)
SPAN = 6 * 3600  # orders change within six hours of T0
STATUSES = ["shipped", "paid", "refunded", "cancelled"]

moments = st.integers(min_value=0, max_value=SPAN * 1_000_000).map(lambda us: T0 + dt.timedelta(microseconds=us))
orders = st.lists(st.tuples(moments, st.sampled_from(STATUSES)), min_size=1, max_size=12)
changes = st.lists(st.tuples(st.integers(min_value=0, max_value=11), moments), max_size=8)
# Connex's clock at each sync; windows run from an hour before it to a day after.
syncs = st.lists(st.integers(min_value=0, max_value=SPAN), min_size=1, max_size=6).map(sorted)


@contextmanager
def example_transaction() -> Iterator[None]:
    """Each hypothesis example starts from an empty shop: its writes are rolled back."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


def z(moment: dt.datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.mark.parametrize("harness", [BuiltinHarness(), AltShopTrackedHarness()], ids=lambda h: h.name)
@hypothesis_settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(orders=orders, changes=changes, syncs=syncs)
def test_every_overlapping_window_returns_exactly_the_orders_modified_inside_it(
    harness: ShopHarness, settings, db, orders, changes, syncs
):
    settings.CONNEX_BRIDGE = dict(harness.connex_settings)
    with example_transaction():
        client = ConnexClient(harness.credential())
        modified: dict[str, dt.datetime] = {}
        for index, (moment, status) in enumerate(orders):
            number = f"{1001 + index}"
            harness.order(number, status=status, created_at=T0 - dt.timedelta(days=1), modified_at=moment)
            modified[number] = moment
        for index, moment in changes:
            number = f"{1001 + index % len(orders)}"
            harness.set_times(number, None, moment)
            modified[number] = moment

        for seconds in syncs:
            clock = T0 + dt.timedelta(seconds=seconds)
            start, end = clock - dt.timedelta(hours=1), clock + dt.timedelta(days=1)
            url = f"/connex/orders?date_modified_min={z(start)}&date_modified_max={z(end)}"
            first, second = client.get(url).content, client.get(url).content
            body = json.loads(first)
            returned = [o["OrderNumber"] for o in body["Orders"] + body["CancelledOrders"]]
            bounds = (start.replace(microsecond=0), end.replace(microsecond=0))
            expected = {n for n, moment in modified.items() if bounds[0] <= moment <= bounds[1]}

            assert sorted(returned) == sorted(expected)  # none lost, none outside
            assert len(returned) == len(set(returned))  # none twice
            assert first == second  # the same answer when asked again
