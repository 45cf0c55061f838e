"""The flows behind the views: what a preview, a self-test or a sync log calls, without HTTP."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest

from connex_bridge.flows import InvalidInputError
from connex_bridge.flows.authenticate import pair
from connex_bridge.flows.orders import OrdersAnswer
from connex_bridge.records import OrderRecord, PaymentRecord

T0 = dt.datetime(2024, 5, 1, 12, 0, 0, tzinfo=dt.timezone.utc)
WINDOW = {"date_modified_min": "2024-04-30T00:00:00Z", "date_modified_max": "2024-05-02T00:00:00Z"}


def three_orders(shop) -> None:
    shop.order("1001", modified_at=T0, payments=[Decimal("4.00"), Decimal("6.00")])
    shop.order("1002", modified_at=T0 + dt.timedelta(seconds=1), status="refunded", parent_number="1001")
    shop.order("1003", modified_at=T0 + dt.timedelta(seconds=2))


def test_pairing_answers_ok():
    assert pair(None) == "OK"  # type: ignore[arg-type]  # signing in was the check


@pytest.mark.parametrize(
    "params", [{"date_modified_min": "yesterday"}, {}, {"date_created_min": "2024-05-02T00:00:00Z",
                                                       "date_created_max": "2024-05-01T00:00:00Z"}]
)  # fmt: skip
def test_bad_parameters_raise_the_message_the_endpoint_answers_with_a_400(connex, credential, params):
    with pytest.raises(InvalidInputError) as raised:
        OrdersAnswer(credential, params)

    response = connex.get("/connex/orders", params)
    assert response.status_code == 400
    assert response.json() == str(raised.value)


def test_the_stream_is_the_endpoints_answer_and_says_what_it_served(shop, credential, connex):
    three_orders(shop)
    answer = OrdersAnswer(credential, WINDOW)

    body = b"".join(answer.stream())

    assert body == connex.get("/connex/orders", WINDOW).content
    assert answer.served.order_numbers == ["1001", "1003"]
    assert answer.served.refund_numbers == ["1002"]
    assert (answer.served.refund_count, answer.served.payment_count) == (1, 3)
    assert answer.served.complete
    assert len(json.loads(body)["Payments"]) == answer.served.payment_count


def test_the_records_are_the_orders_then_the_payments_of_the_answer(shop, credential):
    three_orders(shop)

    records = list(OrdersAnswer(credential, WINDOW).records())

    orders = [r for r in records if isinstance(r, OrderRecord)]
    payments = [r for r in records if isinstance(r, PaymentRecord)]
    assert records == [*orders, *payments]
    # Sales in the answer's order; the refund wherever the source reads it (is_cancelled says which list).
    assert [o.number for o in orders if not o.is_cancelled] == ["1001", "1003"]
    assert [o.number for o in orders if o.is_cancelled] == ["1002"]
    assert [(p.order_number, p.amount) for p in payments] == [
        ("1001", Decimal("4.00")),
        ("1001", Decimal("6.00")),
        ("1003", Decimal("10.00")),
    ]


def test_an_abandoned_stream_is_not_complete(shop, credential):
    three_orders(shop)
    answer = OrdersAnswer(credential, WINDOW)

    stream = answer.stream()
    next(stream)  # the first chunk only, as when Connex hangs up
    stream.close()

    assert not answer.served.complete


def test_the_answer_is_scoped_to_the_credential(shop, credential):
    three_orders(shop)
    other_store = shop.credential(username="amazon-only", stores=["Amazon"])

    assert list(OrdersAnswer(other_store, WINDOW).records()) == []
    assert len(list(OrdersAnswer(credential, WINDOW).records())) > 0


def test_the_flow_reads_no_more_queries_than_the_endpoint(db, credential, django_assert_num_queries):
    from connex_bridge.testing.factories import OrderFactory

    for n in range(5):
        OrderFactory(number=f"{1001 + n}", modified_at=T0, status="refunded" if n == 2 else "paid")
    answer = OrdersAnswer(credential, WINDOW)

    with django_assert_num_queries(5):  # the built-in source: orders, addresses, lines, discounts, payments
        b"".join(answer.stream())


def test_connex_sees_an_anonymous_user_and_the_credential_as_auth(connex, credential, monkeypatch):
    from django.contrib.auth.models import AnonymousUser

    from connex_bridge.views import AuthenticateToWebServiceView

    seen = {}
    original = AuthenticateToWebServiceView.get

    def spy(self, request):
        seen["user"], seen["auth"], seen["django_user"] = request.user, request.auth, request._request.user
        return original(self, request)

    monkeypatch.setattr(AuthenticateToWebServiceView, "get", spy)
    assert connex.get("/connex/authenticatetowebservice").json() == "OK"

    assert isinstance(seen["user"], AnonymousUser) and isinstance(seen["django_user"], AnonymousUser)
    assert seen["auth"] == credential
