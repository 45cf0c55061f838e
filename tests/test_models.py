"""The built-in order models: modified_at moves on every change Connex must see again."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from connex_bridge.models import Discount, Order, OrderLine, Payment
from connex_bridge.testing.factories import OrderFactory
from connex_bridge.testing.harness import db_time

LONG_AGO = dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc)


@pytest.fixture
def order(db) -> Order:
    return OrderFactory(modified_at=LONG_AGO)


def modified(order: Order) -> dt.datetime:
    order.refresh_from_db()
    return order.modified_at


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda o: o.save(), id="order saved"),
        pytest.param(lambda o: o.save(update_fields=["status"]), id="order saved with update_fields"),
        pytest.param(lambda o: OrderLine.objects.create(order=o, sku="X", name="X"), id="line added"),
        pytest.param(lambda o: o.lines.first().save(), id="line changed"),
        pytest.param(lambda o: o.lines.first().delete(), id="line removed"),
        pytest.param(lambda o: Discount.objects.create(order=o, name="Coupon"), id="discount added"),
        pytest.param(lambda o: Payment.objects.create(order=o, amount=Decimal("1.00")), id="payment added"),
        pytest.param(lambda o: o.payments.first().save(), id="payment changed"),
        pytest.param(lambda o: o.payments.first().delete(), id="payment removed"),
    ],
)
def test_every_change_to_an_order_moves_its_modified_time(order, change):
    change(order)

    assert modified(order) > db_time(LONG_AGO + dt.timedelta(days=365))


def test_bulk_created_payments_keep_the_times_they_are_given(order):
    (payment,) = Payment.objects.bulk_create(
        [Payment(order=order, amount=Decimal("1"), paid_at=db_time(LONG_AGO), modified_at=db_time(LONG_AGO))]
    )

    assert Payment.objects.get(pk=payment.pk).modified_at == db_time(LONG_AGO)
