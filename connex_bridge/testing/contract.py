"""The endpoint contract suite: what Connex must get from ``GET orders``, whatever the order source.

A host runs it against its own source by naming a :class:`~connex_bridge.testing.harness.ShopHarness`
in a subclass (docs/connect-your-shop.md, "Testing your source")::

    # myshop/tests/test_connex_contract.py
    from connex_bridge.testing.contract import OrdersContract
    from myshop.tests.connex_harness import MyShopHarness

    class TestConnexContract(OrdersContract):
        harness = MyShopHarness()

The class brings every fixture it needs (``shop``, ``credential``, ``connex``, and a clean
lockout) and uses only pytest's and pytest-django's own (``settings``, ``db``, ``monkeypatch``,
``django_assert_num_queries``, ``django_assert_max_num_queries``), so it runs in any project whose
pytest has pytest-django and a ``DJANGO_SETTINGS_MODULE``. It finds the endpoints wherever the
host's URLconf includes ``connex_bridge.urls``.

The tests cover docs/protocol.md §3–§4: the windows, the filters, the three lists and the JSON
shapes, exact money, stable order, store scoping and the cost of a poll. The harness's flags
(``single_store``, ``parent_numbers``, ``order_level_tax``) say what the shop cannot represent; the
tests then assert what Connex must get from such a shop instead, so no test is skipped.

Needs pytest and pytest-django (the ``test`` extra); nothing at run time imports this module.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from decimal import Decimal
from typing import TYPE_CHECKING, Any, ClassVar
from urllib.parse import urlencode

import pytest
from django.core.cache import caches
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from connex_bridge.actions import base_path
from connex_bridge.conf import app_settings
from connex_bridge.sources import get_order_source
from connex_bridge.sources.rows import fetches_first_chunk_apart
from connex_bridge.testing.client import ConnexClient, HTTPSClient, basic
from connex_bridge.testing.harness import LineSpec, ShopHarness

if TYPE_CHECKING:
    from connex_bridge.models import ConnexCredential

__all__ = [
    "MICROSECOND",
    "T0",
    "UTC",
    "OrdersContract",
    "another_store",
    "day_window",
    "endpoint",
    "get_orders",
    "numbers",
    "z",
]

UTC = dt.timezone.utc
#: The moment the suite's orders are placed around.
T0 = dt.datetime(2024, 5, 1, 12, 0, 0, tzinfo=UTC)
MICROSECOND = dt.timedelta(microseconds=1)


def z(moment: dt.datetime) -> str:
    """A timestamp the way Connex sends it."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


def endpoint(action: str = "orders") -> str:
    """The path of one Connex action where the host's URLconf serves it (``/connex/orders``)."""
    base = base_path()
    if base is None:
        pytest.fail(
            "connex_bridge.urls is not included in the URLconf these tests run with "
            '(ROOT_URLCONF): add path("connex/", include("connex_bridge.urls")) to it.',
            pytrace=False,
        )
    return base + action


def get_orders(client: Client, **params: str) -> dict[str, Any]:
    """The answer to ``GET orders`` with these query parameters; money as :class:`~decimal.Decimal`."""
    response = client.get(endpoint("orders") + "?" + urlencode(params))
    assert response.status_code == 200, response.content
    answer: dict[str, Any] = json.loads(response.content, parse_float=Decimal)
    return answer


def numbers(orders: list[dict[str, Any]]) -> list[str]:
    return [o["OrderNumber"] for o in orders]


def day_window(**extra: str) -> dict[str, str]:
    """A ``date_modified`` window from a day before :data:`T0` to a day after, plus ``extra``."""
    return {
        "date_modified_min": z(T0 - dt.timedelta(days=1)),
        "date_modified_max": z(T0 + dt.timedelta(days=1)),
        **extra,
    }


def another_store(store: str) -> str:
    """A store name that is not ``store`` in any letter case."""
    return "eBay" if store.casefold() == "amazon" else "Amazon"


def without_sync_log(settings: Any) -> None:
    """Count what reading an answer takes: the sync log's entry (docs/sync-log.md) is written after it."""
    settings.CONNEX_BRIDGE = {**getattr(settings, "CONNEX_BRIDGE", {}), "SYNC_LOG": False}


class OrdersContract:
    """Every test of the endpoint contract, against the shop named by :attr:`harness`.

    Subclass it once per shop, naming an instance of your ``ShopHarness``; the subclass is
    collected by pytest whatever its name. This base class is never collected by itself. A
    base of your own that names no harness yet must say so with ``__test__ = False`` in its
    body; any other subclass without a harness is an error when it is defined.
    """

    #: The shop under test: an instance of a :class:`~connex_bridge.testing.harness.ShopHarness` subclass.
    harness: ClassVar[ShopHarness]
    __test__: ClassVar[bool] = False

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if cls.__dict__.get("__test__") is False:
            return  # an abstract base of the host's own: its subclasses name the harness
        harness = getattr(cls, "harness", None)
        if not isinstance(harness, ShopHarness):
            raise TypeError(
                f"{cls.__qualname__} runs the Connex contract suite but names no shop: set "
                "`harness = MyShopHarness()` in its body, an instance of a subclass of "
                f"connex_bridge.testing.harness.ShopHarness (found {harness!r})."
            )
        cls.__test__ = True

    # --- fixtures ----------------------------------------------------------------

    @pytest.fixture
    def shop(self, settings: Any, db: None) -> ShopHarness:
        """The shop under test, its source selected by ``CONNEX_BRIDGE = harness.connex_settings``."""
        settings.CONNEX_BRIDGE = dict(self.harness.connex_settings)
        return self.harness

    @pytest.fixture(autouse=True)
    def _no_failed_sign_ins(self, shop: ShopHarness) -> Iterator[None]:
        """Each test starts and ends with no failed sign-ins counted.

        The counters live in the cache named by ``CONNEX_BRIDGE["LOCKOUT_CACHE"]`` (``"default"``
        unless set), so that cache — and no other — is cleared, before and after each test. Give
        connex_bridge a cache of its own in the test settings if the host's default cache holds
        something a test must keep.
        """
        lockout = caches[app_settings.LOCKOUT_CACHE]
        lockout.clear()
        yield
        lockout.clear()

    @pytest.fixture
    def credential(self, shop: ShopHarness) -> ConnexCredential:
        """A valid credential for the shop's test orders (``.secret`` holds its secret)."""
        return shop.credential(username="connex")

    @pytest.fixture
    def connex(self, credential: ConnexCredential) -> ConnexClient:
        """A client polling as Connex with a valid credential."""
        return ConnexClient(credential)

    # --- the window -------------------------------------------------------------

    @pytest.mark.parametrize("kind", ["modified", "created"])
    def test_orders_exactly_at_min_and_max_are_in_and_a_microsecond_outside_is_out(
        self, shop: ShopHarness, connex: ConnexClient, kind: str
    ) -> None:
        start, end = T0, T0 + dt.timedelta(hours=1)
        stamps = {
            "before": start - MICROSECOND,
            "at-min": start,
            "inside": start + dt.timedelta(minutes=30),
            "at-max": end,
            "after": end + MICROSECOND,
        }
        for number, moment in stamps.items():
            # The other timestamp sits far away, so only the window under test decides.
            other = T0 - dt.timedelta(days=300) if kind == "modified" else T0 + dt.timedelta(days=300)
            if kind == "modified":
                shop.order(number=number, created_at=other, modified_at=moment)
            else:
                shop.order(number=number, created_at=moment, modified_at=other)

        body = get_orders(connex, **{f"date_{kind}_min": z(start), f"date_{kind}_max": z(end)})

        assert sorted(numbers(body["Orders"])) == ["at-max", "at-min", "inside"]

    def test_an_absent_bound_is_open(self, shop: ShopHarness, connex: ConnexClient) -> None:
        shop.order(number="old", modified_at=T0 - dt.timedelta(days=3000))
        shop.order(number="new", modified_at=T0 + dt.timedelta(days=3000))

        assert numbers(get_orders(connex, date_modified_min=z(T0))["Orders"]) == ["new"]
        assert numbers(get_orders(connex, date_modified_max=z(T0))["Orders"]) == ["old"]

    def test_the_dotnet_empty_date_is_an_open_bound(self, shop: ShopHarness, connex: ConnexClient) -> None:
        shop.order(number="A", modified_at=T0)

        body = get_orders(
            connex, date_modified_min="0001-01-01T00:00:00", date_modified_max=z(T0 + dt.timedelta(hours=1))
        )

        assert numbers(body["Orders"]) == ["A"]

    def test_both_windows_together_must_both_hold(self, shop: ShopHarness, connex: ConnexClient) -> None:
        shop.order(number="both", created_at=T0, modified_at=T0)
        shop.order(number="modified-only", created_at=T0 - dt.timedelta(days=10), modified_at=T0)

        body = get_orders(connex, **day_window(date_created_min=z(T0 - dt.timedelta(days=1))))

        assert numbers(body["Orders"]) == ["both"]

    @pytest.mark.parametrize(
        "text",
        [
            "2024-05-01T12:00:00Z",
            "2024-05-01T12:00:00z",
            "2024-05-01T12:00:00.0000000Z",
            "2024-05-01T12:00:00",
            "2024-05-01T14:00:00+02:00",
            "2024-05-01T14:00:00 02:00",  # a '+' the query string turned into a blank
            "2024-05-01T07:00:00-05:00",
            "2024-05-01 12:00:00Z",
        ],
    )
    def test_accepted_timestamp_forms_all_mean_the_same_instant(
        self, shop: ShopHarness, connex: ConnexClient, text: str
    ) -> None:
        shop.order(number="at", modified_at=T0)
        shop.order(number="just-before", modified_at=T0 - MICROSECOND)

        assert numbers(get_orders(connex, date_modified_min=text)["Orders"]) == ["at"]

    def test_fractional_seconds_are_honoured(self, shop: ShopHarness, connex: ConnexClient) -> None:
        shop.order(number="A", modified_at=T0 + dt.timedelta(microseconds=500_000))

        assert numbers(get_orders(connex, date_modified_min="2024-05-01T12:00:00.5Z")["Orders"]) == ["A"]
        assert numbers(get_orders(connex, date_modified_min="2024-05-01T12:00:00.5000001Z")["Orders"]) == ["A"]
        assert get_orders(connex, date_modified_min="2024-05-01T12:00:00.500001Z")["Orders"] == []

    # --- orderNumber, orderStatus, storeName -------------------------------------

    def test_order_numbers_ignore_the_window(self, shop: ShopHarness, connex: ConnexClient) -> None:
        shop.order(number="1001", modified_at=T0 - dt.timedelta(days=400))
        shop.order(number="1002", modified_at=T0)
        shop.order(number="1003", modified_at=T0)

        body = get_orders(connex, orderNumber=" 1001 , 1002", date_modified_min=z(T0 + dt.timedelta(days=1)))

        assert numbers(body["Orders"]) == ["1001", "1002"]

    def test_order_status_selects_sales_case_insensitively(self, shop: ShopHarness, connex: ConnexClient) -> None:
        shop.order(number="S", status="shipped", modified_at=T0)
        shop.order(number="A", status="Awaiting_Shipment", modified_at=T0 + MICROSECOND)
        shop.order(number="P", status="pending", modified_at=T0 + 2 * MICROSECOND)

        body = get_orders(connex, **day_window(orderStatus=" SHIPPED, awaiting_shipment ,"))

        assert numbers(body["Orders"]) == ["S", "A"]

    def test_store_name_selects_stores_case_insensitively(self, shop: ShopHarness, connex: ConnexClient) -> None:
        shop.order(number="W", store="Web", modified_at=T0)
        shop.order(number="A", store="Amazon", modified_at=T0 + MICROSECOND)
        shop.order(number="E", store="eBay", modified_at=T0 + 2 * MICROSECOND)

        if shop.single_store is None:
            body = get_orders(connex, **day_window(storeName="amazon, EBAY"))

            assert numbers(body["Orders"]) == ["A", "E"]
        else:
            # One store: naming it, in any case, selects every order; naming only others, none.
            store, other = shop.single_store, another_store(shop.single_store)
            body = get_orders(connex, **day_window(storeName=f"{other}, {store.swapcase()}"))

            assert numbers(body["Orders"]) == ["W", "A", "E"]
            assert {o["StoreName"] for o in body["Orders"]} == {store}
            assert get_orders(connex, **day_window(storeName=other))["Orders"] == []

    def test_unknown_parameters_are_ignored_and_parameter_names_match_in_any_case(
        self, shop: ShopHarness, connex: ConnexClient
    ) -> None:
        shop.order(number="S", status="shipped", modified_at=T0)
        shop.order(number="P", status="pending", modified_at=T0)

        body = get_orders(
            connex, DATE_MODIFIED_MIN=z(T0 - dt.timedelta(hours=1)), orderstatus="shipped", utm_source="x", page="2"
        )

        assert numbers(body["Orders"]) == ["S"]

    # --- Orders, CancelledOrders, Payments ----------------------------------------

    def test_cancelled_and_refunded_orders_go_to_cancelled_orders_whatever_order_status_says(
        self, shop: ShopHarness, connex: ConnexClient
    ) -> None:
        shop.order(number="1001", status="shipped", modified_at=T0)
        shop.order(number="1001-R1", status="Refunded", parent_number="1001", modified_at=T0 + MICROSECOND)
        shop.order(number="1002", status="cancelled", modified_at=T0 + 2 * MICROSECOND)

        body = get_orders(connex, **day_window(orderStatus="shipped"))

        assert numbers(body["Orders"]) == ["1001"]
        assert numbers(body["CancelledOrders"]) == ["1001-R1", "1002"]
        assert [o["OrderStatus"] for o in body["CancelledOrders"]] == ["Cancelled", "Cancelled"]
        # A shop that cannot record what a refund refunds sends no parent, never a wrong one.
        parents = ["1001", ""] if shop.parent_numbers else ["", ""]
        assert [o["ParentOrderNumber"] for o in body["CancelledOrders"]] == parents

    def test_an_order_status_naming_a_cancelled_status_does_not_put_refunds_in_orders(
        self, shop: ShopHarness, connex: ConnexClient
    ) -> None:
        shop.order(number="R", status="refunded", modified_at=T0)

        body = get_orders(connex, **day_window(orderStatus="refunded"))

        assert body["Orders"] == []
        assert numbers(body["CancelledOrders"]) == ["R"]

    def test_store_name_still_applies_to_cancelled_orders(self, shop: ShopHarness, connex: ConnexClient) -> None:
        shop.order(number="R-web", status="refunded", store="Web", modified_at=T0)
        shop.order(number="R-amazon", status="refunded", store="Amazon", modified_at=T0)

        if shop.single_store is None:
            body = get_orders(connex, **day_window(storeName="Web"))

            assert numbers(body["CancelledOrders"]) == ["R-web"]
        else:
            store = shop.single_store
            body = get_orders(connex, **day_window(storeName=store))

            assert numbers(body["CancelledOrders"]) == ["R-web", "R-amazon"]
            other = get_orders(connex, **day_window(storeName=another_store(store)))
            assert other["CancelledOrders"] == []

    def test_which_statuses_count_as_cancelled_is_a_setting(
        self, shop: ShopHarness, connex: ConnexClient, settings: Any
    ) -> None:
        settings.CONNEX_BRIDGE = {**shop.connex_settings, "CANCELLED_STATUSES": ["voided"]}
        shop.order(number="V", status="VOIDED", modified_at=T0)
        shop.order(number="C", status="cancelled", modified_at=T0 + MICROSECOND)

        body = get_orders(connex, **day_window())

        assert numbers(body["CancelledOrders"]) == ["V"]
        assert numbers(body["Orders"]) == ["C"]

    def test_payments_list_every_payment_of_every_sale_and_none_of_cancelled_orders(
        self, shop: ShopHarness, connex: ConnexClient
    ) -> None:
        shop.order(
            number="1001",
            lines=[LineSpec(quantity=3, unit_price_excl_tax=Decimal("50.00"))],
            payments=[Decimal("100.00"), Decimal("50.00")],
            payment_method="Visa",
            modified_at=T0,
        )
        shop.order(number="1002", modified_at=T0 + MICROSECOND)
        shop.order(number="1003", status="refunded", modified_at=T0 + 2 * MICROSECOND)

        body = get_orders(connex, **day_window())

        payments = body["Payments"]
        assert [(p["OrderNumber"], p["PaymentAmount"]) for p in payments] == [
            ("1001", Decimal("100.00")),
            ("1001", Decimal("50.00")),
            ("1002", Decimal("10.00")),
        ]
        assert all(p["Order"] == {"OrderNumber": p["OrderNumber"]} for p in payments)
        assert payments[0]["CreditCardName"] == "Visa"
        assert payments[0]["ReferenceNumber"]

    # --- shapes and money -----------------------------------------------------------

    def test_an_order_has_connex_property_names_and_every_list_and_address(
        self, shop: ShopHarness, connex: ConnexClient
    ) -> None:
        shop.order(number="1001", modified_at=T0)

        (order,) = get_orders(connex, **day_window())["Orders"]

        assert set(order) == {
            "OrderNumber", "Id", "Other", "CreationDate", "ModifiedDate", "PaidDate", "OrderStatus", "StoreName",
            "Total", "TotalInclTax", "TotalExclTax", "TotalTax", "ShippingInclTax", "ShippingExclTax",
            "ShippingMethod", "DiscountInclTax", "DiscountExclTax", "Discounts", "OrderDetails", "BillingAddress",
            "ShippingAddress", "Customer", "CreditCardName", "ReferenceNumber", "CurrencyCode", "TrackingNumber",
            "ShippingDate", "Note", "PrivateNote", "ParentOrderNumber",
        }  # fmt: skip
        assert order["ShippingAddress"] == order["BillingAddress"]  # falls back to billing, never null
        assert all(isinstance(v, str) for v in order["BillingAddress"].values())
        assert order["Other"] == str(order["Id"])
        (line,) = order["OrderDetails"]
        assert set(line) == {
            "Sku", "Name", "Quantity", "PriceExclTax", "PriceInclTax", "DiscountExclTax", "DiscountInclTax",
            "HasTax", "IsShipping", "TaxCode", "Product",
        }  # fmt: skip
        assert line["Product"] == {"Sku": line["Sku"], "Name": line["Name"], "Amount": line["PriceExclTax"]}

    def test_money_is_exact_where_floats_would_drift(self, shop: ShopHarness, connex: ConnexClient) -> None:
        # 0.1 + 0.2 and 3 × 33.33 + … are classic float traps.
        shop.order(
            number="1001",
            lines=[
                LineSpec(sku="A", unit_price_excl_tax=Decimal("0.10")),
                LineSpec(sku="B", unit_price_excl_tax=Decimal("0.20")),
                LineSpec(sku="C", quantity=3, unit_price_excl_tax=Decimal("33.33")),
            ],
            modified_at=T0,
        )

        response = connex.get(endpoint("orders") + "?" + urlencode(day_window()))

        assert b'"Total":100.29,' in response.content
        assert b'"Total":"' not in response.content  # a number, never a string
        (order,) = json.loads(response.content, parse_float=Decimal)["Orders"]
        assert order["Total"] == Decimal("100.29")

    def test_totals_balance_to_the_cent(self, shop: ShopHarness, connex: ConnexClient) -> None:
        shop.order(
            number="1001",
            lines=[
                LineSpec(sku="A", quantity=2, unit_price_excl_tax=Decimal("19.99")),
                LineSpec(sku="B", unit_price_excl_tax=Decimal("5.01"), discount_excl_tax=Decimal("1.00")),
            ],
            tax_rate=Decimal("0.0625"),
            shipping=Decimal("7.95"),
            discount=Decimal("4.00"),
            modified_at=T0,
        )

        (order,) = get_orders(connex, **day_window())["Orders"]

        details = order["OrderDetails"]
        lines = sum(line["Quantity"] * line["PriceExclTax"] - line["DiscountExclTax"] for line in details)
        assert lines - order["DiscountExclTax"] + order["ShippingExclTax"] + order["TotalTax"] == order["Total"]
        assert order["TotalInclTax"] == order["Total"]
        assert order["TotalExclTax"] == order["Total"] - order["TotalTax"]
        assert order["TotalTax"] > 0
        if shop.order_level_tax:
            # US style: the tax is on the order; each line is taxable at its price before tax.
            assert all(line["HasTax"] and line["PriceInclTax"] == line["PriceExclTax"] for line in details)
        else:
            assert all(line["HasTax"] and line["PriceInclTax"] > line["PriceExclTax"] for line in details)

    # --- stability -------------------------------------------------------------------

    def test_the_same_window_gives_the_same_bytes_in_modified_then_id_order(
        self, shop: ShopHarness, connex: ConnexClient
    ) -> None:
        shop.order(number="B", modified_at=T0 + dt.timedelta(seconds=1))
        shop.order(number="C", modified_at=T0)
        shop.order(number="A", modified_at=T0)  # same time as C, created after it

        url = endpoint("orders") + "?" + urlencode(day_window())
        first, second = connex.get(url).content, connex.get(url).content

        assert first == second
        assert numbers(json.loads(first)["Orders"]) == ["C", "A", "B"]

    def test_a_change_to_an_order_moves_it_into_a_later_window(self, shop: ShopHarness, connex: ConnexClient) -> None:
        shop.order(number="1001", modified_at=dt.datetime(2020, 1, 1, tzinfo=UTC))
        window = {"date_modified_min": z(dt.datetime(2021, 1, 1, tzinfo=UTC))}
        assert get_orders(connex, **window)["Orders"] == []

        shop.add_payment("1001", Decimal("1.00"))

        assert numbers(get_orders(connex, **window)["Orders"]) == ["1001"], (
            "A new payment did not move the order's ModifiedDate, so Connex would never see it. If the "
            "shop's modified field does not move when a payment is added, set modified_field = None and "
            "list the payment model in track_changes (docs/connect-your-shop.md, 'No reliable modified time')."
        )

    # --- store scoping ------------------------------------------------------------------

    def test_a_credential_limited_to_stores_never_sees_another_stores_orders(self, shop: ShopHarness, db: None) -> None:
        if shop.single_store is None:
            web_only = ConnexClient(shop.credential(stores=["Web"]))
            shop.order(number="W", store="web", modified_at=T0)
            shop.order(number="A", store="Amazon", modified_at=T0)
            shop.order(number="A-R1", store="Amazon", status="refunded", modified_at=T0)

            assert numbers(get_orders(web_only, **day_window())["Orders"]) == ["W"]
            body = get_orders(web_only, **day_window(storeName="Amazon,Web"))
            assert numbers(body["Orders"]) == ["W"]
            assert body["CancelledOrders"] == []
            assert get_orders(web_only, **day_window(storeName="Amazon"))["Orders"] == []
            assert get_orders(web_only, orderNumber="A,A-R1") == get_orders(web_only, orderNumber="nothing")
        else:
            # One store: a credential limited to another store sees nothing, to this one everything.
            store, other = shop.single_store, another_store(shop.single_store)
            elsewhere = ConnexClient(shop.credential(stores=[other]))
            here = ConnexClient(shop.credential(stores=[store.swapcase()]))
            shop.order(number="W", store="web", modified_at=T0)
            shop.order(number="A", store="Amazon", modified_at=T0)
            shop.order(number="A-R1", store="Amazon", status="refunded", modified_at=T0)

            nothing = get_orders(elsewhere, orderNumber="nothing")
            assert get_orders(elsewhere, **day_window()) == nothing
            assert get_orders(elsewhere, **day_window(storeName=f"{other},{store}")) == nothing
            assert get_orders(elsewhere, orderNumber="W,A,A-R1") == nothing
            body = get_orders(here, **day_window())
            assert numbers(body["Orders"]) == ["W", "A"]
            assert numbers(body["CancelledOrders"]) == ["A-R1"]
            assert get_orders(here, **day_window(storeName=other))["Orders"] == []

    # --- cost -------------------------------------------------------------------------------

    def test_the_query_count_does_not_grow_with_the_number_of_orders(
        self,
        shop: ShopHarness,
        connex: ConnexClient,
        settings: Any,
        django_assert_num_queries: Any,
        django_assert_max_num_queries: Any,
    ) -> None:
        without_sync_log(settings)  # its entry is written after the answer, in a transaction of its own

        def poll() -> dict[str, Any]:
            return get_orders(connex, **day_window())

        shop.order(number="first", modified_at=T0)
        poll()  # records last_used_at, which is written at most once a minute
        with django_assert_max_num_queries(8) as one:
            assert len(poll()["Orders"]) == 1

        for n in range(49):
            shop.order(
                number=f"more-{n}",
                modified_at=T0,
                lines=[LineSpec(sku="A"), LineSpec(sku="B")],
                payments=[Decimal("5.00"), Decimal("15.00")],
                discount=Decimal("1.00"),
            )
        with django_assert_num_queries(len(one.captured_queries)):
            assert len(poll()["Orders"]) == 50

    def test_the_answer_is_a_stream_read_in_chunks_of_orders(
        self, shop: ShopHarness, credential: ConnexCredential, monkeypatch: pytest.MonkeyPatch, settings: Any
    ) -> None:
        without_sync_log(settings)
        for n in range(5):
            shop.order(number=f"{1001 + n}", modified_at=T0 + n * MICROSECOND)
        monkeypatch.setattr(type(get_order_source()), "chunk_size", 2)
        client = HTTPSClient(HTTP_AUTHORIZATION=basic(credential.username, credential.secret))

        def read(url: str) -> tuple[dict[str, Any], int]:
            response = client.get(url)
            assert response.streaming
            with CaptureQueriesContext(connection) as queries:
                body = json.loads(b"".join(response.streaming_content))
            return body, len(queries)

        _, one_chunk = read(endpoint("orders") + "?orderNumber=1001")
        body, three_chunks = read(endpoint("orders") + "?" + urlencode(day_window()))

        assert numbers(body["Orders"]) == ["1001", "1002", "1003", "1004", "1005"]
        if get_order_source().constant_queries:
            # Lines, discounts and payments come from one query each, read in step with the orders:
            # a year's re-sync takes the handful of queries one order does (on PostgreSQL one more: the
            # first chunk and a row, fetched apart before the window turned out larger, then streamed).
            assert three_chunks == one_chunk + fetches_first_chunk_apart(connection.alias)
            assert three_chunks <= 10
        else:
            per_chunk = one_chunk - 1  # the orders query runs once (on PostgreSQL perhaps twice, as above)
            assert per_chunk >= 2
            orders_queries = (1, 2) if fetches_first_chunk_apart(connection.alias) else (1,)
            assert three_chunks - 3 * per_chunk in orders_queries  # and each chunk runs the related queries
