"""The built-in order models as Connex sees them: fields only they carry."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest

from connex_bridge.models import Order, Payment
from connex_bridge.sources.rows import fetches_first_chunk_apart
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
    payments = list(source.iter_payments(Order.objects.all(), []) or ())
    built = {o.number: source.to_record(o) for o in source.prefetch(Order.objects.all())}

    assert payments == built["full"].payments  # read apart from the orders, written after them
    for number in ("full", "bare"):
        built[number].is_cancelled = number == "bare"
        built[number].payments = []
        assert read[number] == built[number]


def answer(source: Any) -> bytes:
    """The ``orders`` answer ``source`` streams for the whole of 2024-05-01, as the endpoint does."""
    from connex_bridge.flows.orders import OrdersAnswer
    from connex_bridge.testing.factories import ConnexCredentialFactory

    window = {"date_modified_min": "2024-05-01T00:00:00Z", "date_modified_max": "2024-05-02T00:00:00Z"}
    return b"".join(OrdersAnswer(ConnexCredentialFactory.build(), window, source=source).stream())


def test_a_subclass_ordering_its_own_way_is_read_in_chunks_to_the_same_answer(db, django_assert_num_queries):
    from connex_bridge.sources.builtin import BuiltinOrderSource

    class OwnOrder(BuiltinOrderSource):
        chunk_size = 2

        def order_by(self, queryset):  # same order, spelt differently: lines can't be read in step with it
            return queryset.order_by("modified_at", "id")

    for n in range(7):  # refunds mixed in, several lines, payments and a coupon each
        OrderFactory(number=f"{1001 + n}", modified_at=T0 + n * MICROSECOND, status="refunded" if n % 3 else "paid",
                     payments=["4.00", "6.00"], discount=Decimal("1"), lines=[{"sku": "A"}, {"sku": "B"}])  # fmt: skip

    assert OwnOrder().iter_payments(Order.objects.all(), []) is None  # payments travel with the orders
    assert answer(OwnOrder()) == answer(BuiltinOrderSource())
    with django_assert_num_queries(1 + 4 * 3):  # the orders, then lines, discounts and payments per chunk of 2
        answer(OwnOrder())
    with django_assert_num_queries(5):  # the orders, addresses, lines, discounts and payments, each once
        answer(BuiltinOrderSource())


def test_a_window_that_fits_in_one_chunk_selects_its_rows_by_the_window_and_a_larger_one_reads_them_in_step(
    db, monkeypatch, django_assert_num_queries
):
    from django.db import connection

    from connex_bridge.sources.builtin import BuiltinOrderSource
    from connex_bridge.testing.factories import AddressFactory

    shared, own = AddressFactory(first_name="Zoë"), AddressFactory(first_name="Ada")
    addresses = [(shared, own), (shared, None), (None, shared)]  # shared by two orders; none; billing only
    for n, (billing, shipping) in enumerate(addresses):  # a refund among them: sales first, then refunds
        OrderFactory(number=f"{1001 + n}", modified_at=T0 + n * MICROSECOND, status="refunded" if n == 1 else "paid",
                     discount=Decimal("1"), lines=[{"sku": "A"}, {"sku": "B"}], billing_address=billing,
                     shipping_address=shipping, customer_email=f"buyer{n}@example.com")  # fmt: skip

    def read(chunk_size: int, larger: bool) -> tuple[bytes, str, str]:
        monkeypatch.setattr(BuiltinOrderSource, "chunk_size", chunk_size)
        with django_assert_num_queries(5 + (larger and apart)) as queries:
            body = answer(BuiltinOrderSource())
        sql = [q["sql"] for q in queries.captured_queries]
        quote = connection.ops.quote_name
        orders = [q for q in sql if f"SELECT {quote('connex_bridge_order')}.{quote('id')}" in q]
        if not larger:
            assert len(orders) == 1
            if apart:  # one plain fetch of at most chunk_size + 1 orders, which ends the window
                assert orders[0].endswith(f"LIMIT {chunk_size + 1}")
                assert not any(q.startswith("DECLARE") for q in sql)  # no server-side cursor
        elif apart:  # a first chunk that does not end the window: the orders are read again, streamed
            assert orders[0].endswith(f"LIMIT {chunk_size + 1}") and "LIMIT" not in orders[1]
        lines_table = f"FROM {connection.ops.quote_name('connex_bridge_orderline')}"
        (lines,) = [q for q in sql if lines_table in q]
        address_column = connection.ops.quote_name("line1")
        (address,) = [q for q in sql if address_column in q]
        return body, lines, address

    # The orders, addresses, lines, discounts and payments. On PostgreSQL a larger window's orders are
    # fetched first as far as one more than a chunk, then streamed again.
    apart = fetches_first_chunk_apart(connection.alias)
    whole, lines_by_window, addresses_by_window = read(3, larger=False)  # exactly one chunk
    in_chunks, lines_in_step, addresses_in_step = read(2, larger=True)

    assert whole == in_chunks
    assert "CASE" not in lines_by_window and "CASE" in lines_in_step  # sorted like the orders only in step
    assert "UNION" in addresses_by_window and "CASE" in addresses_in_step  # each address once; or joined
    sales, refunds = json.loads(whole)["Orders"], json.loads(whole)["CancelledOrders"]
    assert [order["OrderNumber"] for order in refunds] == ["1002"]
    first, third = sales
    assert (first["BillingAddress"]["FirstName"], first["ShippingAddress"]["FirstName"]) == ("Zoë", "Ada")
    assert refunds[0]["ShippingAddress"] == refunds[0]["BillingAddress"]  # no shipping address: the billing one
    assert third["BillingAddress"]["FirstName"] == "" and third["BillingAddress"]["Email"] == "buyer2@example.com"
    assert third["ShippingAddress"]["FirstName"] == "Zoë"


def test_the_payments_come_in_one_plain_fetch_unless_they_outnumber_the_orders_a_chunk_can_hold(
    db, monkeypatch, django_assert_num_queries
):
    from django.db import connection

    from connex_bridge.sources.builtin import PAYMENTS_PER_ORDER, BuiltinOrderSource

    for n in range(2):  # 2 sales of 3 payments each: 6 payments, one chunk of 2 orders
        OrderFactory(number=f"{1001 + n}", modified_at=T0 + n * MICROSECOND, payments=["1.00", "2.00", "3.00"])
    monkeypatch.setattr(BuiltinOrderSource, "chunk_size", 2)
    payments = f"FROM {connection.ops.quote_name('connex_bridge_payment')}"

    def read(per_order: int) -> tuple[bytes, list[str]]:
        monkeypatch.setattr("connex_bridge.sources.builtin.PAYMENTS_PER_ORDER", per_order)
        # The orders, addresses, lines, discounts and payments; the payments twice when they are more.
        with django_assert_num_queries(5 + (apart and per_order * 2 < 6)) as queries:
            body = answer(BuiltinOrderSource())
        return body, [q["sql"] for q in queries.captured_queries if payments in q["sql"].split(" WHERE ")[0]]

    apart = fetches_first_chunk_apart(connection.alias)  # else one query, streamed, reads them all
    whole, fetched = read(PAYMENTS_PER_ORDER)  # up to 8 payments in one fetch
    again, streamed = read(2)  # up to 4: the fifth says there are more, and they are read again, streamed

    assert whole == again
    assert [p["PaymentAmount"] for p in json.loads(whole)["Payments"]] == [1.0, 2.0, 3.0] * 2
    if apart:
        assert len(fetched) == 1 and fetched[0].endswith(f"LIMIT {PAYMENTS_PER_ORDER * 2 + 1}")
        assert len(streamed) == 2 and streamed[0].endswith("LIMIT 5") and "LIMIT" not in streamed[1]
    else:
        assert len(fetched) == len(streamed) == 1


def test_rows_that_do_not_follow_the_orders_stop_the_answer_rather_than_join_another_order():
    from connex_bridge.sources.rows import InconsistentReadError, InStep

    lines = InStep([(1, "a1"), (3, "c1"), (2, "b1"), (3, "c2")], "Lines")

    assert lines.take(1) == [(1, "a1")]
    assert lines.take(2) == []  # order 2's line comes too late for it...
    assert lines.take(3) == [(3, "c1")]  # ...and order 3 is short of its second line
    with pytest.raises(InconsistentReadError, match="Lines of order id 2 did not come in step"):
        lines.finish()  # so the answer stops before it is complete: Connex books none of it
    unknown = InStep([(9, "z")], "Discounts")
    with pytest.raises(InconsistentReadError, match="Discounts of order id 9"):
        unknown.finish()


@pytest.mark.django_db(transaction=True)
def test_outside_any_test_transaction_an_answer_still_takes_a_constant_handful_of_statements(
    django_assert_max_num_queries, django_assert_num_queries, settings
):
    # As in production: the answer opens its own transaction (BEGIN ... COMMIT count too).
    from connex_bridge.testing.client import ConnexClient
    from connex_bridge.testing.factories import ConnexCredentialFactory

    settings.CONNEX_BRIDGE = {"SYNC_LOG": False}  # its own transaction: tests/test_synclog.py
    connex = ConnexClient(ConnexCredentialFactory())
    OrderFactory(number="first", modified_at=T0)
    assert connex.get(WINDOW).status_code == 200  # records last_used_at, written at most once a minute
    with django_assert_max_num_queries(9) as one:  # the credential, 5 reads in a transaction (2 or 3 statements)
        assert len(connex.get(WINDOW).json()["Orders"]) == 1
    assert any(query["sql"] == "COMMIT" for query in one.captured_queries)

    for n in range(30):
        OrderFactory(number=f"more-{n}", modified_at=T0, status="refunded" if n % 5 == 0 else "paid")
    with django_assert_num_queries(len(one.captured_queries)):
        assert len(connex.get(WINDOW).json()["CancelledOrders"]) == 6
