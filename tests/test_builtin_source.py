"""The built-in order models as Connex sees them: fields only they carry."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from connex_bridge.models import Order, Payment
from connex_bridge.testing.factories import OrderFactory
from connex_bridge.testing.harness import db_time

T0 = dt.datetime(2024, 5, 1, 12, 0, 0, tzinfo=dt.timezone.utc)
MICROSECOND = dt.timedelta(microseconds=1)
WINDOW = "/connex/orders?date_modified_min=2024-04-30T00:00:00Z&date_modified_max=2024-05-02T00:00:00Z"


def test_addresses_customer_and_coupons_reach_connex(connex):
    OrderFactory(number="1001", modified_at=T0, shipping_address=None, discount=Decimal("4.00"))

    (order,) = connex.get(WINDOW).json()["Orders"]

    assert order["BillingAddress"]["FirstName"] == "Zoë"
    assert order["BillingAddress"]["FullName"].startswith("Zoë Ångström")
    assert order["ShippingAddress"] == order["BillingAddress"]
    assert order["Customer"]["Email"].endswith("@example.com")
    assert order["Discounts"] == [{"Name": "Coupon", "Code": "SAVE", "Amount": 4.0, "NonTaxable": False}]


def test_a_payment_without_gateway_reference_carries_the_order_number(connex):
    order = OrderFactory(number="1001", payments=[], modified_at=T0)
    Payment.objects.create(order=order, amount=order.total, method="Check", reference="")
    Order.objects.filter(pk=order.pk).update(modified_at=db_time(T0))

    (payment,) = connex.get(WINDOW).json()["Payments"]

    assert payment["ReferenceNumber"] == "1001"


def test_invoice_mode_is_sent_only_when_the_order_sets_it(connex):
    OrderFactory(number="SO", invoice_mode="SalesOrders", modified_at=T0)
    OrderFactory(number="plain", modified_at=T0 + MICROSECOND)

    orders = connex.get(WINDOW).json()["Orders"]

    assert orders[0]["InvoiceMode"] == "SalesOrders"
    assert "InvoiceMode" not in orders[1]


def test_quantities_are_written_without_trailing_zeros(connex):
    OrderFactory(number="1001", lines=[{"quantity": "3"}, {"quantity": "0.25"}, {"quantity": "100"}], modified_at=T0)

    content = connex.get("/connex/orders?orderNumber=1001").content

    assert b'"Quantity":3,' in content
    assert b'"Quantity":0.25,' in content
    assert b'"Quantity":100,' in content


def test_the_row_reader_and_to_record_describe_an_order_alike(db):
    from connex_bridge.models import Address
    from connex_bridge.sources.builtin import BuiltinOrderSource

    OrderFactory(number="full", shipping_address=Address.objects.create(city="Köln"), discount=Decimal("1.00"),
                 payments=["5.00", "5.00"], lines=[{"quantity": "2"}, {"quantity": "0.5", "sku": "B"}])  # fmt: skip
    OrderFactory(number="bare", billing_address=None, payments=[], status="refunded")
    source = BuiltinOrderSource()

    read = {r.number: r for r in source.iter_records(Order.objects.all(), [])}
    built = {o.number: source.to_record(o) for o in source.prefetch(Order.objects.all())}

    for number in ("full", "bare"):
        built[number].is_cancelled = number == "bare"
        assert read[number] == built[number]
