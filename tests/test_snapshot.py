"""One answer, one version of the data: a change committed while an answer streams is not half in it.

The ``orders`` answer is read by several queries (orders, lines, discounts,
payments). Here another connection commits a change right after the first of
them ran: under READ COMMITTED the later queries would see it and the answer
would pair orders with lines or payments of another version. It must be
exactly the answer of before the change, and the next poll must show the change.

Needs a database server (a second connection writing while the first reads),
so the module is marked ``concurrent`` like test_concurrent_polls.
"""

from __future__ import annotations

import datetime as dt
import json
import threading
from decimal import Decimal
from typing import Any
from urllib.parse import urlencode

import pytest
from django.db import connection

from connex_bridge.models import Order, OrderLine, Payment
from connex_bridge.testing.client import HTTPSClient, basic
from connex_bridge.testing.factories import ConnexCredentialFactory, OrderFactory

pytestmark = [pytest.mark.concurrent, pytest.mark.django_db(transaction=True)]

T0 = dt.datetime(2024, 5, 1, 12, 0, tzinfo=dt.timezone.utc)
WINDOW = {"date_modified_min": "2024-05-01T00:00:00Z", "date_modified_max": "2024-05-02T00:00:00Z"}


def change_from_another_connection() -> None:
    """Commit, on a connection of its own: order A moves after B; B gains a line, a payment and a refund."""

    def write() -> None:
        try:
            Order.objects.filter(number="A").update(modified_at=T0 + dt.timedelta(hours=2), note="changed")
            b = Order.objects.get(number="B")
            OrderLine.objects.create(order=b, sku="LATE", quantity=1, unit_price_excl_tax=Decimal("1.00"),
                                     unit_price_incl_tax=Decimal("1.00"))  # fmt: skip
            Payment.objects.create(order=b, amount=Decimal("1.00"), paid_at=T0 + dt.timedelta(minutes=1))
            Order.objects.filter(pk=b.pk).update(modified_at=T0 + dt.timedelta(minutes=90))  # saves moved it
            OrderFactory(number="B-R", status="refunded", parent_number="B", modified_at=T0, payments=[])
        finally:
            connection.close()

    writer = threading.Thread(target=write)
    writer.start()
    writer.join()


def test_a_change_committed_mid_answer_is_in_the_next_answer_and_not_half_in_this_one():
    credential = ConnexCredentialFactory()
    client = HTTPSClient(HTTP_AUTHORIZATION=basic(credential.username, credential.secret))
    OrderFactory(number="A", modified_at=T0, payments=["10.00"], lines=[{"sku": "A1"}, {"sku": "A2"}])
    OrderFactory(number="B", modified_at=T0 + dt.timedelta(hours=1), payments=["20.00"], lines=[{"sku": "B1"}])
    url = "/connex/orders?" + urlencode(WINDOW)

    def poll(during: Any = None) -> dict[str, Any]:
        response = client.get(url)
        queries: list[str] = []

        def after_the_first_query(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
            result = execute(sql, params, many, context)
            if "SELECT" in sql:
                queries.append(sql)
                if during is not None and len(queries) == 1:
                    during()
            return result

        with connection.execute_wrapper(after_the_first_query):
            body = b"".join(response.streaming_content)
        assert len(queries) >= 3  # the change came between queries of one answer
        return json.loads(body)

    before = poll()
    during = poll(during=change_from_another_connection)
    after = poll()

    assert during == before
    assert [o["OrderNumber"] for o in after["Orders"]] == ["B", "A"]
    assert [d["Sku"] for d in after["Orders"][0]["OrderDetails"]] == ["B1", "LATE"]
    assert [p["PaymentAmount"] for p in after["Payments"]] == [1.0, 20.0, 10.0]  # B by payment date, then A
    assert [o["OrderNumber"] for o in after["CancelledOrders"]] == ["B-R"]
