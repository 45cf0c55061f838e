"""The wire module: the streamed answer is byte for byte the JMAUser it stands for."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

from connex_bridge import wire
from connex_bridge.records import LineRecord, OrderRecord, PaymentRecord

T0 = dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.timezone.utc)


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
    whole = wire.dumps(
        wire.user(
            orders=[r for r in records if not r.is_cancelled],
            cancelled_orders=[r for r in records if r.is_cancelled],
            write_date=write,
        )
    )

    assert len(chunks) > 2
    assert b"".join(chunks) == whole
    body = json.loads(whole)
    assert len(body["Payments"]) == sum(len(r.payments) for r in records if not r.is_cancelled)


def test_an_empty_stream_is_a_complete_answer():
    assert json.loads(b"".join(wire.stream_user([]))) == wire.user()
