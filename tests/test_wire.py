"""The wire module: the streamed answer is byte for byte the JMAUser it stands for."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest

from connex_bridge import wire
from connex_bridge.records import LineRecord, OrderRecord, PaymentRecord
from connex_bridge.wire.outbound import _FLUSH_BYTES

T0 = dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.timezone.utc)
UNUSED_LISTS = ("Purchases", "ProductsToQB", "ProductsFromQBToUpdate", "InventoryAdjustments", "Customers")


def jmauser(sales: list[OrderRecord], refunds: list[OrderRecord], write: wire.DateWriter) -> bytes:
    """The whole answer written in one piece, as docs/protocol.md §4 lays out a JMAUser."""
    return wire.dumps(
        {
            "Orders": [wire.order(r, write) for r in sales],
            "CancelledOrders": [wire.order(r, write) for r in refunds],
            "Payments": [wire.payment(p, write) for r in sales for p in r.payments],
            **{name: [] for name in UNUSED_LISTS},
        }
    )


def record(n: int, cancelled: bool = False, payments: int = 1) -> OrderRecord:
    number = f"{1000 + n}"
    return OrderRecord(
        number=number,
        status="refunded" if cancelled else "shipped",
        created_at=T0,
        modified_at=T0 + dt.timedelta(seconds=n),
        total=Decimal("10.00") * payments,
        lines=[LineRecord(sku=f"S{n}", name="Thé vert", quantity=Decimal(1), unit_price_excl_tax=Decimal("10.00"),
                          unit_price_incl_tax=Decimal("10.00"))],
        payments=[PaymentRecord(order_number=number, amount=Decimal("10.00"), paid_at=T0) for _ in range(payments)],
        is_cancelled=cancelled,
    )  # fmt: skip


def test_the_stream_is_the_same_bytes_as_the_whole_answer():
    # Enough orders to cross the flush threshold several times; refunds mixed in.
    records = [record(n, cancelled=n % 7 == 0, payments=1 + n % 2) for n in range(1, 600)]
    write = wire.date_writer("utc")

    chunks = list(wire.stream_user(records, write))
    whole = jmauser([r for r in records if not r.is_cancelled], [r for r in records if r.is_cancelled], write)

    assert len(chunks) > 2
    assert b"".join(chunks) == whole
    body = json.loads(whole)
    assert len(body["Payments"]) == sum(len(r.payments) for r in records if not r.is_cancelled)


@pytest.fixture
def held_files(monkeypatch: pytest.MonkeyPatch) -> list[Any]:
    """The temporary buffers stream_user holds JSON in, with the memory limit lowered to 2 KB."""
    from connex_bridge.wire import outbound

    monkeypatch.setattr(outbound, "HELD_IN_MEMORY_BYTES", 2048)
    spooled: list[Any] = []
    real = outbound.tempfile.SpooledTemporaryFile

    def spool(*args: Any, **kwargs: Any) -> Any:
        spooled.append(real(*args, **kwargs))
        return spooled[-1]

    monkeypatch.setattr(outbound.tempfile, "SpooledTemporaryFile", spool)
    return spooled


def test_payments_and_refunds_held_past_the_memory_limit_wait_in_a_file_and_stream_the_same_bytes(
    held_files: list[Any],
) -> None:
    # A year's re-sync holds some 300 bytes of Payments per order until Orders is done: past
    # HELD_IN_MEMORY_BYTES they go to a temporary file, so the worker does not grow with the window.
    records = [record(n, cancelled=n % 7 == 0, payments=1 + n % 2) for n in range(1, 600)]
    write = wire.date_writer("utc")

    streamed = b"".join(wire.stream_user(records, write))

    assert streamed == jmauser(
        [r for r in records if not r.is_cancelled], [r for r in records if r.is_cancelled], write
    )
    assert [buffer._rolled for buffer in held_files] == [True, True]  # refunds, payments: both went to a file
    assert all(buffer.closed for buffer in held_files)


def test_a_stream_cut_short_closes_what_it_held(held_files: list[Any]) -> None:
    stream = wire.stream_user([record(n, payments=2) for n in range(1, 600)], wire.date_writer("utc"))

    next(stream)
    stream.close()  # the client hung up

    assert held_files and all(buffer.closed for buffer in held_files)


def test_an_empty_stream_is_a_complete_answer():
    body = b"".join(wire.stream_user([]))

    assert body == b'{"Orders":[],"CancelledOrders":[],"Payments":[],"Purchases":[],"ProductsToQB":[],' \
        b'"ProductsFromQBToUpdate":[],"InventoryAdjustments":[],"Customers":[]}'  # fmt: skip


def test_refunds_sent_last_and_payments_read_apart_stream_as_they_come_to_the_same_bytes():
    records = [record(n, cancelled=n % 7 == 0, payments=1 + n % 2) for n in range(1, 600)]
    sales = [r for r in records if not r.is_cancelled]
    refunds = [r for r in records if r.is_cancelled]
    write = wire.date_writer("utc")
    read: list[str] = []

    def payments():  # read only once every order is written
        read.append("payments")
        for sale in sales:
            yield from sale.payments

    def orders():
        for r in [*sales, *refunds]:
            read.append(r.number)
            yield OrderRecord(**{**{f: getattr(r, f) for f in r.__slots__}, "payments": []})

    stream = wire.stream_user(orders(), write, refunds_last=True, payments=payments())
    chunks = list(stream)

    assert b"".join(chunks) == jmauser(sales, refunds, write)
    assert read[-1] == "payments" and read.count("payments") == 1
    # Refunds and payments went out as they came: no chunk holds more than one flush's worth.
    assert max(map(len, chunks)) < 2 * _FLUSH_BYTES


def test_a_sale_after_a_refund_from_a_source_sending_refunds_last_is_an_error_not_a_misfiled_order():
    stream = wire.stream_user([record(1), record(2, cancelled=True), record(3)], refunds_last=True)

    with pytest.raises(ValueError, match="'1003' came after a refund"):
        b"".join(stream)


def test_the_customer_carries_only_what_connexs_jmacustomer_has():
    from connex_bridge.records import CustomerRecord

    assert wire.customer(CustomerRecord(id=7, email="ada@example.com", company="Analytical")) == {
        "Id": 7,
        "Email": "ada@example.com",
        "CompanyName": "Analytical",
    }


def test_the_envelope_refuses_a_list_connex_does_not_have():
    with pytest.raises(ValueError, match="no list 'Refunds'"):
        b"".join(wire.stream_envelope({"Refunds": []}))


@pytest.mark.parametrize(
    ("amount", "written"),
    [
        ("12.34", b"12.34"),
        ("-0.50", b"-0.50"),
        ("0.00", b"0.00"),  # as many decimals as the amount has
        ("1E+2", b"100"),  # never an exponent, which Connex would read as a float
        ("1.5E+3", b"1500"),
        ("0.00000001", b"0.00000001"),
        ("-1E-7", b"-0.0000001"),
        ("123456789012345678.99", b"123456789012345678.99"),
    ],
)
def test_amounts_are_written_exactly_as_plain_decimals(amount: str, written: bytes) -> None:
    assert wire.dumps({"Total": Decimal(amount)}) == b'{"Total":' + written + b"}"


@pytest.mark.parametrize("amount", ["NaN", "-Infinity", "Infinity", "sNaN"])
def test_an_amount_that_is_not_a_number_stops_the_answer_rather_than_reach_connex(amount: str) -> None:
    with pytest.raises(TypeError) as refused:
        wire.dumps({"Total": Decimal(amount)})
    assert str(refused.value.__cause__) == f"{amount} is not a finite amount"
