"""django-oscar: orders placed through Oscar's own checkout code, served by OscarOrderSource.

Collected only when django-oscar is installed (CONNEX_TEST_OSCAR=1, tox -e oscar); the endpoint
contract suite runs against the Oscar shop as well (tests/test_oscar_contract.py, through OscarHarness).
"""

from __future__ import annotations

import datetime as dt
import gc
from dataclasses import dataclass, field
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.apps import apps
from django.contrib.auth import get_user_model
from django.contrib.auth.models import AnonymousUser
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.db import connection
from django.utils import timezone
from oscar.apps.checkout.mixins import OrderPlacementMixin
from oscar.apps.partner import strategy
from oscar.core.loading import get_class, get_model
from oscar.test import factories

from connex_bridge.contrib.oscar.checks import check_cancelled_statuses
from connex_bridge.contrib.oscar.source import OscarOrderSource
from connex_bridge.contrib.oscar.testing import OscarHarness, SpecStrategy
from connex_bridge.sources.rows import fetches_first_chunk_apart
from connex_bridge.testing.contract import T0, UTC, day_window, get_orders, numbers, z
from connex_bridge.testing.harness import LineSpec
from connex_bridge.testing.specs import generate_specs

Applicator = get_class("offer.applicator", "Applicator")
Basket = get_model("basket", "Basket")
Benefit = get_model("offer", "Benefit")
BillingAddress = get_model("order", "BillingAddress")
Condition = get_model("offer", "Condition")
ConditionalOffer = get_model("offer", "ConditionalOffer")
EventHandler = get_class("order.processing", "EventHandler")
FixedShippingPrice = get_class("shipping.methods", "FixedPrice")
FlatCharge = get_class("checkout.surcharges", "FlatCharge")
Line = get_model("order", "Line")
Order = get_model("order", "Order")
OrderTotalCalculator = get_class("checkout.calculators", "OrderTotalCalculator")
PaymentEventType = get_model("order", "PaymentEventType")
PercentageCharge = get_class("checkout.surcharges", "PercentageCharge")
Range = get_model("offer", "Range")
Repository = get_class("shipping.repository", "Repository")
ShippingAddress = get_model("order", "ShippingAddress")
ShippingEventType = get_model("order", "ShippingEventType")
Source = get_model("payment", "Source")
SourceType = get_model("payment", "SourceType")
SurchargeList = get_class("checkout.applicator", "SurchargeList")
SurchargePrice = get_class("checkout.applicator", "SurchargePrice")

LONG_AGO = dt.datetime(2020, 1, 1, tzinfo=UTC)
SINCE_2021 = {"date_modified_min": z(dt.datetime(2021, 1, 1, tzinfo=UTC))}


class DomainOscarSource(OscarOrderSource):
    """A shop whose Connex store names are its sites' domains."""

    store_field = "site__domain"


class NamedCustomerOscarSource(OscarOrderSource):
    """A shop that reads more of the order than the source does: the customer's name, the product's title."""

    def get_customer(self, order: Any, email: str) -> Any:
        customer = super().get_customer(order, email)
        customer.company = order.user.get_full_name() if order.user else ""
        return customer

    def get_line_sku(self, line: Any) -> str:
        return f"{super().get_line_sku(line)} {line.product.title}" if line.product else super().get_line_sku(line)


class SameRecordsThroughHooksOscarSource(OscarOrderSource):
    """Overrides a hook only to call it: its records are built through the hooks, from row objects."""

    def get_lines(self, order: Any) -> Any:
        return super().get_lines(order)


class OneStoreOscarSource(OscarOrderSource):
    """A one-store Oscar shop: every order in "Shop", whatever its site."""

    store_field = None
    store_name = "Shop"


@pytest.fixture
def oscar(settings: Any, db: None) -> OscarHarness:
    # The query counts here are what reading takes; the sync log's own writes: tests/test_synclog.py.
    settings.CONNEX_BRIDGE = {**OscarHarness.connex_settings, "SYNC_LOG": False}
    return OscarHarness()


# --- Oscar's checkout, without its views ------------------------------------------------------


class Checkout(OrderPlacementMixin):
    """What Oscar's PaymentDetailsView does once payment went through: OrderPlacementMixin.place_order()."""


@dataclass
class Cart:
    """One checkout: products (sku, unit price excl. tax, quantity) and everything around them."""

    items: list[tuple[str, str, int]]
    strategy: Any = field(default_factory=lambda: SpecStrategy(Decimal("0.0625")))
    voucher: Any = None
    shipping: tuple[str, str] = ("7.95", "8.45")
    surcharges: list[Any] = field(default_factory=list)
    user: Any = None
    status: str = "Pending"
    #: (source type, amount or None for the total, debit as a transaction?)
    payments: list[tuple[str, Decimal | None, bool]] = field(default_factory=lambda: [("Visa", None, True)])


def checkout(number: str, cart: Cart) -> Any:
    """Place an order exactly as Oscar's checkout does, and pay for it."""
    user = cart.user or AnonymousUser()
    basket = Basket.objects.create(owner=cart.user)
    basket.strategy = cart.strategy
    for sku, price, quantity in cart.items:
        basket.add_product(OscarHarness.product(sku, f"Product {sku}", Decimal(price)), quantity=quantity)
    if cart.voucher is not None:
        basket.vouchers.add(cart.voucher)
    Applicator().apply(basket, user=user)
    method = FixedShippingPrice(Decimal(cart.shipping[0]), Decimal(cart.shipping[1]))
    if basket.has_shipping_discounts:
        (method,) = Repository().apply_shipping_offers(basket, [method])
    shipping_charge = method.calculate(basket)
    surcharges = (
        SurchargeList(
            SurchargePrice(charge, charge.calculate(basket=basket, shipping_charge=shipping_charge))
            for charge in cart.surcharges
        )
        if cart.surcharges
        else None
    )
    total = OrderTotalCalculator().calculate(basket, shipping_charge, surcharges=surcharges)
    view = Checkout()
    for index, (method_name, amount, as_transaction) in enumerate(cart.payments, start=1):
        amount = total.incl_tax if amount is None else amount
        source_type = SourceType.objects.get_or_create(name=method_name)[0]
        reference = f"ch_{number}_{index}"
        source = Source(source_type=source_type, amount_allocated=amount, amount_debited=amount, reference=reference)
        if as_transaction:
            source.create_deferred_transaction("Authorise", amount, f"auth_{reference}")
            source.create_deferred_transaction("Debit", amount, reference)
        view.add_payment_source(source)
        view.add_payment_event("Settled", amount, reference=reference)
    country = factories.CountryFactory(iso_3166_1_a2="US", printable_name="United States")
    order = view.place_order(
        order_number=number,
        user=user,
        basket=basket,
        shipping_address=ShippingAddress(
            first_name="Ada", last_name="Byron", line1="12 Elm St", line2="Apt 3", line4="Springfield",
            state="IL", postcode="62701", country=country, phone_number="+12175550100",
        ),
        shipping_method=method,
        shipping_charge=shipping_charge,
        order_total=total,
        billing_address=BillingAddress(
            first_name="Ada", last_name="Lovelace", line1="1 Main St", line4="Boston", state="MA",
            postcode="02110", country=country,
        ),
        surcharges=surcharges,
        status=cart.status,
        guest_email="" if cart.user else "guest@example.com",
    )  # fmt: skip
    basket.submit()
    order.refresh_from_db()  # the in-memory order still holds the unrounded amounts it was given
    return order


def voucher(code: str, benefit_type: str, value: str) -> Any:
    """A voucher whose offer gives ``benefit_type`` (Benefit.FIXED, PERCENTAGE …) of ``value`` on everything."""
    everything, _ = Range.objects.get_or_create(name="Everything", defaults={"includes_all_products": True})
    offer = factories.create_offer(
        name=f"Offer {code}",
        offer_type=ConditionalOffer.VOUCHER,
        product_range=everything,
        condition=Condition.objects.get_or_create(range=everything, type=Condition.COUNT, value=1)[0],
        benefit=Benefit.objects.create(range=everything, type=benefit_type, value=Decimal(value)),
    )
    result = factories.VoucherFactory(name=f"Voucher {code}", code=code)
    result.offers.add(offer)
    return result


def the_order(client: Any, number: str) -> dict:
    (order,) = get_orders(client, orderNumber=number)["Orders"]
    return order


def assert_balances(order: dict) -> None:
    """The invariants of docs/protocol.md §4, to the cent."""
    lines = sum(line["Quantity"] * line["PriceExclTax"] - line["DiscountExclTax"] for line in order["OrderDetails"])
    assert lines - order["DiscountExclTax"] + order["ShippingExclTax"] + order["TotalTax"] == order["Total"]
    assert order["TotalInclTax"] == order["Total"]
    assert order["TotalExclTax"] == order["Total"] - order["TotalTax"]
    assert sum(d["Amount"] for d in order["Discounts"]) == order["DiscountExclTax"]


# --- money ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "make_cart",
    [
        pytest.param(
            lambda: Cart([("A", "19.99", 2), ("B", "5.01", 1)], voucher=voucher("FIVE", Benefit.FIXED, "5.00")),
            id="tax-added-fixed-voucher",
        ),
        pytest.param(
            lambda: Cart(
                [("A", "19.99", 3), ("B", "0.99", 7), ("C", "33.33", 1)],
                voucher=voucher("TENPC", Benefit.PERCENTAGE, "10"),
            ),
            id="tax-added-percentage-voucher",
        ),
        pytest.param(
            lambda: Cart(
                [("A", "9.99", 3), ("B", "4.15", 2), ("C", "0.07", 11)],
                strategy=strategy.UK(),
                voucher=voucher("UKFIX", Benefit.FIXED, "3.33"),
                shipping=("4.16", "4.99"),
            ),
            id="uk-vat-included-fixed-voucher",
        ),
        pytest.param(
            lambda: Cart([("A", "9.99", 3), ("B", "4.15", 2), ("C", "0.07", 11)], strategy=strategy.UK()),
            id="uk-vat-included-no-voucher",
        ),
        pytest.param(
            lambda: Cart(
                [("A", "12.49", 1), ("B", "7.77", 3)],
                strategy=strategy.UK(),
                voucher=voucher("UKPC", Benefit.PERCENTAGE, "15"),
                shipping=("4.16", "4.99"),
            ),
            id="uk-vat-included-percentage-voucher",
        ),
        pytest.param(
            lambda: Cart(
                [("A", "10.00", 1), ("B", "2.50", 4)],
                strategy=strategy.Default(),
                voucher=voucher("NOTAX", Benefit.PERCENTAGE, "12.5"),
                shipping=("5.00", "5.00"),
            ),
            id="no-tax",
        ),
        pytest.param(
            lambda: Cart(
                [("A", "19.99", 2)],
                voucher=voucher("SHIPFREE", Benefit.SHIPPING_PERCENTAGE, "100"),
            ),
            id="free-shipping-voucher",
        ),
        pytest.param(
            lambda: Cart(
                [("A", "19.99", 2), ("B", "3.10", 1)],
                voucher=voucher("TWO", Benefit.FIXED, "2.00"),
                surcharges=[
                    FlatCharge(excl_tax=Decimal("1.50"), incl_tax=Decimal("1.59")),
                    PercentageCharge(Decimal("3")),
                ],
            ),
            id="surcharges",
        ),
    ],
)
def test_totals_balance_to_the_cent_for_orders_placed_through_oscars_checkout(oscar, connex, make_cart):
    order = checkout("1001", make_cart())

    sent = the_order(connex, "1001")

    assert_balances(sent)
    assert sent["Total"] == order.total_incl_tax
    assert sent["TotalTax"] == order.total_incl_tax - order.total_excl_tax
    assert sent["ShippingInclTax"] == order.shipping_incl_tax
    assert sent["ShippingExclTax"] == order.shipping_excl_tax
    assert "ADJUSTMENT" not in [line["Sku"] for line in sent["OrderDetails"]]  # Oscar's pieces add up
    products = [line for line in sent["OrderDetails"] if not line["Sku"].startswith("SURCHARGE-")]
    assert [line["Sku"] for line in products] == [line.partner_sku for line in order.lines.order_by("pk")]
    # Offers and vouchers are the order-level discount, equal to Oscar's own record of them; no line
    # keeps a discount of its own.
    assert all(line["DiscountExclTax"] == 0 for line in products)
    assert sent["DiscountExclTax"] == sum((d.amount for d in order.basket_discounts), Decimal(0))


def test_a_voucher_is_the_order_level_discount_and_a_line_discount_stays_on_its_line(oscar, connex):
    oscar.order(
        number="1001",
        lines=[
            LineSpec(sku="A", quantity=2, unit_price_excl_tax=Decimal("19.99")),
            LineSpec(sku="B", unit_price_excl_tax=Decimal("5.01"), discount_excl_tax=Decimal("1.00")),
        ],
        tax_rate=Decimal("0.0625"),
        shipping=Decimal("7.95"),
        discount=Decimal("4.00"),
    )

    sent = the_order(connex, "1001")

    assert_balances(sent)
    assert (sent["Total"], sent["TotalTax"], sent["ShippingExclTax"], sent["ShippingInclTax"]) == (
        Decimal("50.94"),
        Decimal("3.00"),
        Decimal("7.95"),
        Decimal("8.45"),
    )
    assert (sent["DiscountExclTax"], sent["DiscountInclTax"]) == (Decimal("4.00"), Decimal("4.25"))
    assert sent["Discounts"] == [
        {"Name": "Coupon for 1001", "Code": "SAVE-1001", "Amount": Decimal("4.00"), "NonTaxable": False}
    ]
    assert [
        (line["Sku"], line["Quantity"], line["PriceExclTax"], line["PriceInclTax"], line["DiscountExclTax"])
        for line in sent["OrderDetails"]
    ] == [
        ("A", 2, Decimal("19.99"), Decimal("21.24"), Decimal("0.00")),
        ("B", 1, Decimal("5.01"), Decimal("5.32"), Decimal("1.00")),
    ]
    assert sent["CurrencyCode"] == "USD"


def test_surcharges_are_lines_named_after_their_code(oscar, connex):
    checkout(
        "1001",
        Cart(
            [("A", "10.00", 1)],
            surcharges=[FlatCharge(excl_tax=Decimal("1.50"), incl_tax=Decimal("1.59")), PercentageCharge(Decimal("2"))],
        ),
    )

    sent = the_order(connex, "1001")

    assert_balances(sent)
    assert [(line["Sku"], line["Name"], line["Quantity"], line["PriceExclTax"], line["PriceInclTax"]) for line in
            sent["OrderDetails"][1:]] == [
        ("SURCHARGE-flat-surcharge", "Flat surcharge", 1, Decimal("1.50"), Decimal("1.59")),
        ("SURCHARGE-percentage-surcharge", "Percentage surcharge", 1, Decimal("0.36"), Decimal("0.38")),
    ]  # fmt: skip


def test_a_gap_between_oscars_pieces_and_its_total_is_sent_as_an_adjustment_line(oscar, connex):
    order = checkout("1001", Cart([("A", "10.00", 1)]))
    # Checkout code of the shop's own charged 0.02 more than its lines and shipping say.
    Order.objects.filter(pk=order.pk).update(total_excl_tax=order.total_excl_tax + Decimal("0.02"),
                                             total_incl_tax=order.total_incl_tax + Decimal("0.02"))  # fmt: skip

    sent = the_order(connex, "1001")

    assert_balances(sent)
    assert sent["Total"] == order.total_incl_tax + Decimal("0.02")
    adjustment = sent["OrderDetails"][-1]
    assert (adjustment["Sku"], adjustment["Quantity"], adjustment["PriceExclTax"], adjustment["PriceInclTax"]) == (
        "ADJUSTMENT",
        1,
        Decimal("0.02"),
        Decimal("0.02"),
    )


def test_a_shipping_discount_lowers_shipping_and_is_not_a_coupon(oscar, connex):
    order = checkout("1001", Cart([("A", "19.99", 1)], voucher=voucher("SHIPHALF", Benefit.SHIPPING_PERCENTAGE, "50")))

    sent = the_order(connex, "1001")

    assert order.discounts.get().category == "Shipping"
    assert (sent["ShippingExclTax"], sent["ShippingInclTax"]) == (order.shipping_excl_tax, order.shipping_incl_tax)
    assert sent["ShippingInclTax"] < Decimal("8.45")
    assert sent["Discounts"] == []
    assert sent["DiscountExclTax"] == 0
    assert_balances(sent)


def test_a_cent_oscar_lost_rounding_line_prices_goes_into_the_order_level_discount(oscar, connex):
    # UK VAT, 15 % off: Oscar's total follows its unrounded discount (6.444), its stored lines are
    # rounded one by one and take 6.45 off between them.
    order = checkout(
        "1001",
        Cart(
            [("A", "12.49", 1), ("B", "7.77", 3)],
            strategy=strategy.UK(),
            voucher=voucher("UKPC", Benefit.PERCENTAGE, "15"),
            shipping=("4.16", "4.99"),
        ),
    )
    line_reductions = sum(
        (line.line_price_before_discounts_excl_tax - line.line_price_excl_tax for line in order.lines.all()),
        Decimal(0),
    )

    sent = the_order(connex, "1001")

    assert (line_reductions, order.basket_discounts.get().amount) == (Decimal("6.45"), Decimal("6.44"))
    assert sent["DiscountExclTax"] == Decimal("6.44")
    assert [line["Sku"] for line in sent["OrderDetails"]] == ["A", "B"]
    assert_balances(sent)


# --- refunds and cancellations ------------------------------------------------------------------


def test_an_order_set_to_a_refunded_status_reaches_cancelled_orders(oscar, connex):
    order = checkout("1001", Cart([("A", "19.99", 1)]))
    order.set_status("Being processed")
    order.set_status("Shipped")
    window = {"date_modified_min": z(timezone.now() - dt.timedelta(minutes=5))}
    assert numbers(get_orders(connex, **window)["Orders"]) == ["1001"]
    oscar.set_times("1001", None, LONG_AGO)

    # The Oscar way: the gateway refund on the payment source, a payment event, the status.
    source = order.sources.get()
    source.refund(order.total_incl_tax, reference="re_1001")
    EventHandler().handle_payment_event(
        order, PaymentEventType.objects.get_or_create(name="Refunded")[0], order.total_incl_tax, reference="re_1001"
    )
    EventHandler().handle_order_status_change(order, "Refunded", note_msg="Refunded in full")

    body = get_orders(connex, **window)
    assert body["Orders"] == []
    (refund,) = body["CancelledOrders"]
    assert (refund["OrderNumber"], refund["OrderStatus"], refund["ParentOrderNumber"]) == ("1001", "Cancelled", "")
    assert refund["Total"] == order.total_incl_tax
    assert_balances(refund)
    assert body["Payments"] == []


def test_oscars_cancelled_status_is_cancelled_whatever_order_status_asks_for(oscar, connex):
    order = checkout("1001", Cart([("A", "19.99", 1)]))
    order.set_status("Cancelled")

    body = get_orders(connex, orderNumber="1001", orderStatus="Pending")

    assert numbers(body["CancelledOrders"]) == ["1001"]


def test_a_refund_payment_event_alone_is_a_change_but_leaves_the_sale_in_orders(oscar, connex):
    order = checkout("1001", Cart([("A", "19.99", 2)]))
    oscar.set_times("1001", LONG_AGO, LONG_AGO)
    line = order.lines.get()

    EventHandler().handle_payment_event(
        order, PaymentEventType.objects.get_or_create(name="Refunded")[0], Decimal("19.99"), [line], [1]
    )

    body = get_orders(connex, **SINCE_2021)
    assert numbers(body["Orders"]) == ["1001"]  # a partial refund is not a cancelled sale
    assert body["CancelledOrders"] == []


def test_a_refund_order_names_the_sale_it_refunds_in_a_note(oscar, connex):
    oscar.order(number="1001", modified_at=T0)
    oscar.order(number="1001-R1", status="Refunded", parent_number="1001", modified_at=T0)

    (refund,) = get_orders(connex, **day_window())["CancelledOrders"]

    assert (refund["OrderNumber"], refund["ParentOrderNumber"]) == ("1001-R1", "1001")
    assert Order.objects.get(number="1001-R1").notes.get().note_type == OscarOrderSource.parent_note_type


# --- change tracking -----------------------------------------------------------------------------


def _ship(order: Any) -> None:
    lines = list(order.lines.all())
    EventHandler().handle_shipping_event(
        order, ShippingEventType.objects.get_or_create(name="Shipped")[0], lines, [line.quantity for line in lines]
    )


def _edit_shipping_address(order: Any) -> None:
    order.shipping_address.line1 = "13 Elm St"
    order.shipping_address.save()


def _edit_billing_address(order: Any) -> None:
    order.billing_address.postcode = "02111"
    order.billing_address.save()


def _line_status(order: Any) -> None:
    line = order.lines.first()
    line.status = "Dispatched"
    line.save()


CHANGES = {
    "status": lambda order: order.set_status("Being processed"),
    "line status": _line_status,
    "shipping event": _ship,
    "payment event": lambda order: EventHandler().handle_payment_event(
        order, PaymentEventType.objects.get_or_create(name="Settled")[0], Decimal("1.00")
    ),
    "note": lambda order: EventHandler().create_note(order, "Customer phoned"),
    "debit": lambda order: order.sources.first().debit(Decimal("1.00"), reference="ch_more"),
    "new payment source": lambda order: OscarHarness.pay(order, Decimal("1.00"), "Check", "chk_1"),
    "discount": lambda order: order.discounts.first().save(),
    "surcharge": lambda order: order.surcharges.first().save(),
    "shipping address": _edit_shipping_address,
    "billing address": _edit_billing_address,
    "line deleted": lambda order: order.lines.last().delete(),
}


@pytest.mark.parametrize("change", CHANGES.values(), ids=CHANGES.keys())
def test_every_change_oscar_makes_to_an_order_moves_it_into_a_later_window(oscar, connex, change):
    order = checkout(
        "1001",
        Cart(
            [("A", "19.99", 1), ("B", "1.00", 1)],
            voucher=voucher("ONE", Benefit.FIXED, "1.00"),
            surcharges=[FlatCharge(excl_tax=Decimal("1.00"), incl_tax=Decimal("1.00"))],
        ),
    )
    oscar.set_times("1001", LONG_AGO, LONG_AGO)
    assert get_orders(connex, **SINCE_2021)["Orders"] == []

    change(Order.objects.get(pk=order.pk))

    assert numbers(get_orders(connex, **SINCE_2021)["Orders"]) == ["1001"]


def test_an_address_edit_does_not_touch_other_orders(oscar, connex):
    first = checkout("1001", Cart([("A", "19.99", 1)]))
    checkout("1002", Cart([("A", "19.99", 1)]))
    oscar.set_times("1001", LONG_AGO, LONG_AGO)
    oscar.set_times("1002", LONG_AGO, LONG_AGO)

    _edit_shipping_address(first)

    assert numbers(get_orders(connex, **SINCE_2021)["Orders"]) == ["1001"]


def test_connex_mark_changed_resends_orders_after_a_bulk_update(oscar, connex):
    checkout("1001", Cart([("A", "19.99", 1)]))
    oscar.set_times("1001", LONG_AGO, LONG_AGO)
    Order.objects.filter(number="1001").update(status="Being processed")  # sends no signal
    assert get_orders(connex, **SINCE_2021)["Orders"] == []

    call_command("connex_mark_changed", "1001", stdout=None)

    (order,) = get_orders(connex, **SINCE_2021)["Orders"]
    assert order["OrderStatus"] == "Being processed"


# --- lines, customers, addresses, stores, payments -------------------------------------------------


def test_a_line_sku_is_never_empty(oscar, connex):
    oscar.order(number="1001", lines=[LineSpec(sku=sku) for sku in ("A", "B", "C", "D")])
    lines = list(Order.objects.get(number="1001").lines.order_by("pk"))
    Line.objects.filter(pk=lines[1].pk).update(partner_sku="", upc="0123456789012")
    Line.objects.filter(pk=lines[2].pk).update(partner_sku="", upc=None)
    Line.objects.filter(pk=lines[3].pk).update(partner_sku="", upc="", product=None)

    sent = the_order(connex, "1001")

    assert [line["Sku"] for line in sent["OrderDetails"]] == [
        "A",
        "0123456789012",
        f"PRODUCT-{lines[2].product_id}",
        f"LINE-{lines[3].pk}",
    ]


def test_addresses_and_a_guest_customer(oscar, connex):
    checkout("1001", Cart([("A", "19.99", 1)]))

    sent = the_order(connex, "1001")

    assert sent["BillingAddress"] == {
        "FirstName": "Ada", "LastName": "Lovelace", "FullName": "Ada Lovelace", "Company": "",
        "Address1": "1 Main St", "Address2": "", "Address3": "", "City": "Boston", "RegionName": "MA",
        "PostalCode": "02110", "CountryName": "United States", "TwoLetterIsoCode": "US", "PhoneNumber": "",
        "Email": "guest@example.com",
    }  # fmt: skip
    shipping = sent["ShippingAddress"]
    assert (shipping["LastName"], shipping["Address2"], shipping["City"], shipping["RegionName"]) == (
        "Byron",
        "Apt 3",
        "Springfield",
        "IL",
    )
    assert shipping["PhoneNumber"] == "+12175550100"
    assert sent["Customer"] == {
        "Id": 0,
        "Email": "guest@example.com",
        "CompanyName": "",
    }  # Connex's JMACustomer has no name: it travels in the addresses


def test_a_registered_customer_and_an_order_without_a_billing_address(oscar, connex):
    # Not Oscar's UserFactory: it trips factory-boy's DeprecationWarning, an error in this suite.
    user = get_user_model().objects.create_user("ada", email="ada@example.com", first_name="Ada", last_name="King")
    order = checkout("1001", Cart([("A", "19.99", 1)], user=user))
    Order.objects.filter(pk=order.pk).update(billing_address=None)  # Oscar's checkout often collects none

    sent = the_order(connex, "1001")

    assert sent["Customer"] == {"Id": user.pk, "Email": "ada@example.com", "CompanyName": ""}
    assert sent["BillingAddress"] == sent["ShippingAddress"]  # the shipping address stands in
    assert sent["BillingAddress"]["Email"] == "ada@example.com"


def test_the_store_is_the_sites_name_or_whatever_the_source_says(oscar, connex, settings):
    oscar.order(number="W", store="Web", modified_at=T0)
    oscar.order(number="A", store="Amazon", modified_at=T0)
    assert [o["StoreName"] for o in get_orders(connex, **day_window(storeName="amazon"))["Orders"]] == ["Amazon"]

    settings.CONNEX_BRIDGE = {"ORDER_SOURCE": "tests.test_oscar.DomainOscarSource"}

    body = get_orders(connex, **day_window(storeName="web.shop.test"))
    assert [(o["OrderNumber"], o["StoreName"]) for o in body["Orders"]] == [("W", "Web.shop.test")]

    settings.CONNEX_BRIDGE = {"ORDER_SOURCE": "tests.test_oscar.OneStoreOscarSource"}

    assert [o["StoreName"] for o in get_orders(connex, **day_window(storeName="SHOP"))["Orders"]] == ["Shop", "Shop"]
    assert get_orders(connex, **day_window(storeName="Web"))["Orders"] == []


def test_each_debit_is_a_payment_with_its_gateway_reference(oscar, connex):
    order = checkout(
        "1001",
        Cart(
            [("A", "100.00", 1)],
            strategy=strategy.Default(),
            shipping=("0.00", "0.00"),
            payments=[("Gift card", Decimal("30.00"), True), ("Visa", Decimal("70.00"), False)],
        ),
    )
    gift_card = order.sources.get(source_type__name="Gift card")

    body = get_orders(connex, orderNumber="1001")

    (sent,) = body["Orders"]
    assert [(p["PaymentAmount"], p["CreditCardName"], p["ReferenceNumber"]) for p in body["Payments"]] == [
        (Decimal("30.00"), "Gift card", "ch_1001_1"),  # the Debit transaction; the Authorise is no payment
        (Decimal("70.00"), "Visa", "ch_1001_2"),  # a source debited without a transaction: one payment
    ]
    debit = gift_card.transactions.get(txn_type="Debit")
    assert body["Payments"][0]["Id"] == debit.pk
    assert (sent["CreditCardName"], sent["ReferenceNumber"]) == ("Gift card", "ch_1001_1")
    # Paid when first paid: the gift card's Debit and the Visa source's order time are taken a moment apart.
    assert sent["PaidDate"] == min(p["PaymentDate"] for p in body["Payments"])


def test_an_unpaid_order_has_no_payments_and_no_paid_date(oscar, connex):
    checkout("1001", Cart([("A", "19.99", 1)], payments=[]))

    body = get_orders(connex, orderNumber="1001")

    assert body["Payments"] == []
    assert body["Orders"][0]["PaidDate"] is None


# --- what a poll costs, and what a subclass reads ----------------------------------------------------


def _varied_orders(oscar: OscarHarness, numbers: range) -> None:
    user = get_user_model().objects.get_or_create(username="ada", email="ada@example.com")[0]
    for n in numbers:
        cart = Cart(
            [("A", "19.99", 2), ("B", "3.10", 1)],
            voucher=voucher(f"V{n}", Benefit.FIXED, "2.00"),
            surcharges=[FlatCharge(excl_tax=Decimal("1.50"), incl_tax=Decimal("1.59"))],
            user=user if n % 2 else None,
            payments=[("Gift card", Decimal("5.00"), True), ("Visa", None, True)],
        )
        order = checkout(f"{n}", cart)
        if n == numbers[-1]:
            order.notes.create(note_type=OscarOrderSource.parent_note_type, message="1")
        oscar.set_times(f"{n}", T0, T0)


def test_a_poll_reads_a_few_queries_whatever_the_number_of_orders(oscar, connex, django_assert_num_queries):
    _varied_orders(oscar, range(1001, 1002))
    get_orders(connex, **day_window())  # records last_used_at, which is written at most once a minute
    with django_assert_num_queries(8) as one:  # the credential, the orders, 6 related tables
        assert len(get_orders(connex, **day_window())["Orders"]) == 1

    _varied_orders(oscar, range(1002, 1031))

    with django_assert_num_queries(len(one.captured_queries)):
        body = get_orders(connex, **day_window())
    assert len(body["Orders"]) == 30
    assert len(body["Payments"]) == 60
    assert body["Orders"][-1]["ParentOrderNumber"] == "1"


@pytest.mark.parametrize("source", [OscarOrderSource, SameRecordsThroughHooksOscarSource])
def test_a_window_larger_than_a_chunk_reads_each_related_table_in_one_query_in_step_with_the_orders(
    oscar, connex, settings, monkeypatch, django_assert_num_queries, source
):
    _varied_orders(oscar, range(1001, 1008))
    shipped = Order.objects.get(number="1003")
    shipping = get_model("order", "ShippingEventType").objects.create(name=OscarOrderSource.shipping_event_type)
    shipped.shipping_events.create(event_type=shipping, notes="1Z999")
    for n in range(1001, 1008):  # changed in the reverse order of their keys: the answer follows the changes
        oscar.set_times(f"{n}", T0, T0 + dt.timedelta(minutes=1008 - n))
    settings.CONNEX_BRIDGE = {**settings.CONNEX_BRIDGE, "ORDER_SOURCE": f"{source.__module__}.{source.__qualname__}"}
    get_orders(connex, **day_window())
    whole = get_orders(connex, **day_window())  # one chunk
    monkeypatch.setattr(OscarOrderSource, "chunk_size", 3)  # 7 orders: chunks of 3, 3 and 1

    # The credential, the orders (on PostgreSQL: a chunk and a row fetched apart, then streamed), and
    # one query for each of the 6 related tables, whatever the number of chunks.
    with django_assert_num_queries(1 + 1 + fetches_first_chunk_apart(connection.alias) + 6) as queries:
        body = get_orders(connex, **day_window())

    assert body == whole
    assert [order["OrderNumber"] for order in body["Orders"]] == [f"{n}" for n in range(1007, 1000, -1)]
    assert body["Orders"][4]["TrackingNumber"] == "1Z999"
    assert body["Orders"][0]["ParentOrderNumber"] == "1"
    tables = ("order_line", "order_orderlinediscount", "order_surcharge", "payment_source", "order_shippingevent",
              "order_ordernote")  # fmt: skip
    heads = [q["sql"].split(" WHERE ")[0] for q in queries.captured_queries]
    # each related table is read once, joined to the orders (which sort it), not by a list of their keys
    joined = [head for head in heads if " INNER JOIN " in head]
    assert len(joined) == 6
    assert all('FROM "order_order" INNER JOIN' in head for head in joined)
    assert [sum(f'JOIN "{table}"' in head for head in joined) for table in tables] == [2, 1, 1, 1, 1, 1]  # lines twice


#: The month of connex_bridge.testing.specs.generate_specs, whole.
GENERATED_MONTH = {"date_modified_min": "2025-02-19T00:00:00Z", "date_modified_max": "2025-03-23T00:00:00Z"}


def test_generated_orders_cost_the_same_eight_queries_at_40_and_at_400_orders(oscar, connex, django_assert_num_queries):
    oscar.bulk_create(generate_specs(40, seed=3, prefix="S"))
    get_orders(connex, **GENERATED_MONTH)  # records last_used_at, which is written at most once a minute
    with django_assert_num_queries(8):  # the credential, the orders, 6 related tables
        small = get_orders(connex, **GENERATED_MONTH)

    oscar.bulk_create(generate_specs(360, seed=4, prefix="L"))

    with django_assert_num_queries(8):
        large = get_orders(connex, **GENERATED_MONTH)
    assert len(small["Orders"]) + len(small["CancelledOrders"]) == 40
    assert len(large["Orders"]) + len(large["CancelledOrders"]) == 400
    assert len(large["Payments"]) > len(small["Payments"]) >= 30


def test_a_window_of_exactly_chunk_size_orders_selects_its_related_rows_by_the_windows_filter(
    oscar, connex, monkeypatch, django_assert_num_queries
):
    oscar.bulk_create(generate_specs(12, seed=3))
    get_orders(connex, **GENERATED_MONTH)
    whole = get_orders(connex, **GENERATED_MONTH)
    related = ("order_line", "order_orderlinediscount", "order_surcharge", "payment_source", "order_ordernote")

    def by_subquery(queries: list[dict[str, Any]]) -> list[bool]:
        """For each related table's query: does it select by a subquery (else by a list of order keys)?"""
        selects = [q["sql"] for q in queries if any(f'FROM "{table}"' in q["sql"] for table in related)]
        return [sql.count("IN (SELECT") > 0 for sql in selects]

    monkeypatch.setattr(OscarOrderSource, "chunk_size", 12)
    with django_assert_num_queries(8) as one_chunk:
        assert get_orders(connex, **GENERATED_MONTH) == whole
    assert by_subquery(one_chunk.captured_queries) == [True] * 5  # no list of 12 keys: the window is the chunk

    monkeypatch.setattr(OscarOrderSource, "chunk_size", 11)  # 12 orders: chunks of 11 and 1, read in step
    with django_assert_num_queries(1 + 1 + fetches_first_chunk_apart(connection.alias) + 6) as two_chunks:
        assert get_orders(connex, **GENERATED_MONTH) == whole
    assert by_subquery(two_chunks.captured_queries) == []  # each related table joined to the orders instead


def test_a_chunk_of_rows_is_freed_as_soon_as_its_records_are_built(oscar, connex, monkeypatch):
    from connex_bridge.contrib.oscar.rows import Chunk

    _varied_orders(oscar, range(1001, 1006))
    monkeypatch.setattr(OscarOrderSource, "chunk_size", 2)
    gc.collect()
    gc.disable()  # what reference counting alone frees, as between two runs of the cyclic collector
    try:
        records = OscarOrderSource().iter_records(Order.objects.all(), ())
        next(records)
        assert sum(isinstance(obj, Chunk) for obj in gc.get_objects()) == 1  # the chunk being written
        assert len(list(records)) == 4
        assert sum(isinstance(obj, Chunk) for obj in gc.get_objects()) == 0
    finally:
        gc.enable()


def test_a_subclass_reading_more_of_the_order_gets_oscars_instances_at_a_constant_cost(
    oscar, connex, settings, django_assert_num_queries
):
    user = get_user_model().objects.create_user("ada", email="ada@example.com", first_name="Ada", last_name="King")
    checkout("1001", Cart([("A", "19.99", 1)], user=user))
    checkout("1002", Cart([("B", "5.00", 2)], user=user))
    oscar.set_times("1001", T0, T0)
    oscar.set_times("1002", T0, T0)
    settings.CONNEX_BRIDGE = {"ORDER_SOURCE": "tests.test_oscar.NamedCustomerOscarSource", "SYNC_LOG": False}
    get_orders(connex, **day_window())

    # the poll's 7, then the users and the lines as instances, and their products (one each)
    with django_assert_num_queries(8 + 2 + 2):
        body = get_orders(connex, **day_window())

    assert [order["Customer"]["CompanyName"] for order in body["Orders"]] == ["Ada King", "Ada King"]
    assert [order["OrderDetails"][0]["Sku"] for order in body["Orders"]] == ["A Product A", "B Product B"]


def test_records_built_straight_from_the_rows_are_those_the_hooks_build(oscar, connex):
    from connex_bridge.contrib.oscar.source import builds_from_rows

    oscar.bulk_create(generate_specs(60, seed=5, prefix="G"))
    _varied_orders(oscar, range(1001, 1005))
    shipped = Order.objects.get(number="1002")
    shipping = get_model("order", "ShippingEventType").objects.create(name=OscarOrderSource.shipping_event_type)
    shipped.shipping_events.create(event_type=shipping, notes="1Z999")
    shipped.shipping_events.create(event_type=shipping, notes="1Z998")
    guest = Order.objects.get(number="1003")
    Order.objects.filter(pk=guest.pk).update(billing_address=None)  # billed to its shipping address
    Order.objects.filter(number="1004").update(billing_address=None, shipping_address=None)
    checkout("1005", Cart([("C", "7.00", 1)], payments=[("Gift card", Decimal("5.00"), True), ("Visa", None, False)]))

    direct = list(OscarOrderSource().iter_records(Order.objects.all(), ()))
    through_hooks = list(SameRecordsThroughHooksOscarSource().iter_records(Order.objects.all(), ()))

    assert builds_from_rows(OscarOrderSource)
    assert not builds_from_rows(SameRecordsThroughHooksOscarSource)
    assert direct == through_hooks
    assert len(direct) == 65
    by_number = {record.number: record for record in direct}
    assert by_number["1002"].tracking_number == "1Z999, 1Z998"
    assert by_number["1003"].billing_address == by_number["1003"].shipping_address
    assert by_number["1004"].billing_address.email == by_number["1004"].customer.email
    assert by_number["1004"].shipping_address is None
    # what the generated and varied orders hold between them, so that the comparison covers it
    assert any(record.is_cancelled for record in direct)
    assert any(record.parent_number for record in direct)
    assert any(record.discounts for record in direct)
    assert any(line.sku.startswith("SURCHARGE-") for record in direct for line in record.lines)
    assert any(payment.id == 0 for record in direct for payment in record.payments)  # debited, no transaction
    assert any(len(record.payments) > 1 for record in direct)


def test_to_record_of_an_order_instance_is_the_record_a_poll_sends(oscar, connex):
    user = get_user_model().objects.create_user("ada", email="ada@example.com")
    order = checkout("1001", Cart([("A", "19.99", 2)], user=user, voucher=voucher("FIVE", Benefit.FIXED, "5.00")))
    order.notes.create(note_type=OscarOrderSource.parent_note_type, message="999")
    source = OscarOrderSource()

    (polled,) = source.iter_records(Order.objects.all(), ())
    record = source.to_record(Order.objects.get(pk=order.pk))

    assert record == polled
    assert (record.parent_number, record.customer.id, len(record.payments)) == ("999", user.pk, 1)


# --- system check ------------------------------------------------------------------------------------


def test_w001_no_status_of_the_pipeline_counts_as_cancelled(oscar, settings):
    assert check_cancelled_statuses() == []  # tests/settings.py's pipeline has Cancelled and Refunded

    settings.CONNEX_BRIDGE = {**OscarHarness.connex_settings, "CANCELLED_STATUSES": ["voided"]}

    assert [message.id for message in check_cancelled_statuses()] == ["connex_bridge_oscar.W001"]
    settings.CONNEX_BRIDGE = {"CANCELLED_STATUSES": ["voided"]}  # another source: not Oscar's business
    assert check_cancelled_statuses() == []


def test_the_oscar_check_runs_with_check_tag_connex_bridge(oscar, settings):
    settings.CONNEX_BRIDGE = {**OscarHarness.connex_settings, "CANCELLED_STATUSES": ["voided"]}

    assert set(check_cancelled_statuses.tags) == {"connex_bridge"}
    with pytest.raises(SystemCheckError, match=r"connex_bridge_oscar\.W001"):
        call_command("check", tags=["connex_bridge"], fail_level="WARNING", stdout=StringIO(), stderr=StringIO())


def test_w002_the_source_without_the_app_would_miss_address_edits(oscar, monkeypatch):
    assert OscarOrderSource().check() == []

    installed = apps.is_installed
    monkeypatch.setattr(apps, "is_installed", lambda name: name != "connex_bridge.contrib.oscar" and installed(name))

    assert [message.id for message in OscarOrderSource().check()] == ["connex_bridge_oscar.W002"]
