"""The demo shop's seeding (example_project/demo/seeding.py), its Connex adapter and its project files.

The test settings install the demo's ``shop`` app but not ``demo``: ``demo.seeding`` is
imported and called directly, and the ``demo`` commands are called as instances.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import shlex
import subprocess
import sys
from collections import Counter
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from demo.management.commands.demo_credential import Command as CredentialCommand
from demo.management.commands.seed_demo_shop import Command as SeedCommand
from demo.seeding import CATALOGUE, OPENING_STOCK, PREFIX, SeedReport, seed_demo_shop
from demo_site import settings as demo_settings
from django.apps import apps
from django.contrib import admin
from django.core.management import CommandError, call_command
from django.db.models import Model
from django.test import Client, override_settings
from shop.connex import ShopOrderSource
from shop.harness import DemoShopHarness
from shop.models import (
    Address,
    CouponRedemption,
    Order,
    OrderItem,
    Payment,
    Product,
    PurchaseOrder,
    Shipment,
    Supplier,
)

from connex_bridge.models import ConnexCredential
from connex_bridge.testing.client import ConnexClient, basic
from connex_bridge.testing.factories import ConnexCredentialFactory
from connex_bridge.testing.harness import db_time as stored
from connex_bridge.vocabulary import cents

#: The demo's CONNEX_BRIDGE: its order source, stock adapter and purchases adapter.
DEMO_CONNEX = demo_settings.CONNEX_BRIDGE

UTC = dt.timezone.utc
# Just after the US switch to daylight saving time, so the month before it spans both offsets.
NOW = dt.datetime(2025, 3, 10, 15, 30, 0, tzinfo=UTC)
ORDERS = 80
REFUND_STATES = {"refunded", "cancelled"}
SHIPPED_STATES = {"dispatched", "delivered"}
REPO = Path(__file__).resolve().parent.parent


def columns(model: type[Model], *exclude: str) -> list[str]:
    """The model's columns, without its id and the given ones."""
    return [f.attname for f in model._meta.concrete_fields if f.attname not in {"id", *exclude}]


ORDER_COLUMNS = columns(Order, "channel_id", "customer_id", "billing_address_id", "shipping_address_id", "refund_of_id")


def snapshot() -> list[tuple[Any, ...]]:
    """Every demo order with everything it refers to, by natural keys, without database ids."""
    address_columns = columns(Address)
    rows: list[tuple[Any, ...]] = [tuple(Product.objects.order_by("sku").values_list(*columns(Product)))]
    orders = Order.objects.filter(reference__startswith=PREFIX).select_related("channel", "customer", "refund_of")
    for order in orders.order_by("reference"):
        rows.append(
            (
                *(getattr(order, name) for name in ORDER_COLUMNS),
                order.channel.name,
                order.customer.email,
                order.refund_of.reference if order.refund_of else None,
                list(Address.objects.filter(pk=order.billing_address_id).values_list(*address_columns)),
                list(Address.objects.filter(pk=order.shipping_address_id).values_list(*address_columns)),
                list(order.items.values_list("product__sku", *columns(OrderItem, "order_id", "product_id"))),
                list(order.coupon_redemptions.values_list("coupon__code", *columns(CouponRedemption, "order_id"))),
                list(order.payments.values_list(*columns(Payment, "order_id"))),
                list(order.shipments.values_list(*columns(Shipment, "order_id"))),
            )
        )
    return rows


def balances(order: Order) -> bool:
    """The invariant of docs/protocol.md §4, exactly, in Decimal, on the shop's own fields."""
    items = sum((i.quantity * i.unit_price - i.line_discount for i in order.items.all()), Decimal("0"))
    return items == order.items_total and (
        items - order.discount_total + order.shipping_fee + order.tax_total == order.grand_total
    )


@pytest.fixture
def seeded(db: None) -> SeedReport:
    return seed_demo_shop(ORDERS, seed=7, now=NOW)


def demo_orders() -> list[Order]:
    return list(
        Order.objects.filter(reference__startswith=PREFIX)
        .select_related("channel", "billing_address", "shipping_address", "refund_of")
        .prefetch_related("items", "coupon_redemptions__coupon", "payments", "shipments")
    )


def connex_window() -> dict[str, str]:
    return {
        "date_modified_min": (NOW - dt.timedelta(days=31)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "date_modified_max": (NOW + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }


# --- determinism and replacement -----------------------------------------------


def test_the_same_seed_gives_identical_orders_and_another_seed_different_ones(db):
    seed_demo_shop(ORDERS, seed=1, now=NOW)
    first = snapshot()
    seed_demo_shop(ORDERS, seed=1, now=NOW)
    again = snapshot()
    seed_demo_shop(ORDERS, seed=2, now=NOW)
    other = snapshot()

    assert first == again
    assert len(first) == 1 + ORDERS  # the products, then the orders, refunds included
    assert other != first
    total = ORDER_COLUMNS.index("grand_total")
    assert [row[total] for row in other[1:]] != [row[total] for row in first[1:]]  # amounts, not just times


def test_seeding_replaces_the_demo_orders_and_keeps_the_shops_own(db):
    shops_own = ["1001", "D-77", "D1234", "D10001X"]
    for reference in shops_own:
        DemoShopHarness().order(reference)
    seed_demo_shop(30, seed=1, now=NOW)
    report = seed_demo_shop(20, seed=3, now=NOW)

    demo = Order.objects.filter(reference__regex=r"^D[0-9]{5}(-R[0-9]+)?$")
    assert demo.count() == report.orders == 20 == report.sales + report.refunds
    assert Order.objects.filter(reference__in=shops_own).count() == len(shops_own)
    assert not demo.filter(reference__gt=f"{PREFIX}10020", refund_of=None).exists()
    used = {pk for pair in Order.objects.values_list("billing_address_id", "shipping_address_id") for pk in pair}
    used |= set(Supplier.objects.values_list("address_id", flat=True))  # the suppliers' own
    assert set(Address.objects.values_list("pk", flat=True)) == used - {None}  # no orphans left behind
    assert PurchaseOrder.objects.count() == report.purchase_orders == 6  # replaced too, not added to


def test_the_seeded_purchase_orders_balance_and_are_served_by_purchaseorders(seeded, settings):
    settings.CONNEX_BRIDGE = demo_settings.CONNEX_BRIDGE
    purchases = list(PurchaseOrder.objects.prefetch_related("items"))

    assert len(purchases) == seeded.purchase_orders == 6
    assert {p.kind for p in purchases} == {"order", "bill"}
    for purchase in purchases:
        items = sum(item.quantity * item.unit_cost for item in purchase.items.all())
        assert items + purchase.freight + purchase.tax_total == purchase.grand_total
    client = ConnexClient(ConnexCredentialFactory())
    window = {"date_modified_min": "2000-01-01T00:00:00Z", "date_modified_max": "2100-01-01T00:00:00Z"}
    answer = client.get("/connex/purchaseorders?" + urlencode(window)).json()
    assert sorted(p["OrderNumber"] for p in answer["Purchases"]) == sorted(p.reference for p in purchases)
    assert "purchase orders and bills" in seeded.summary()


def test_every_number_fits_a_quickbooks_reference(seeded):
    # QuickBooks keeps 11 characters of a reference number; longer ones collide.
    assert max(len(reference) for reference in Order.objects.values_list("reference", flat=True)) <= 11


def test_numbers_are_a_stable_sequence_in_order_of_creation(seeded):
    sales = list(Order.objects.filter(reference__startswith=PREFIX, refund_of=None).order_by("reference"))

    assert len(sales) == seeded.sales == ORDERS - seeded.refunds
    assert [o.reference for o in sales] == [f"D{10001 + i}" for i in range(len(sales))]
    assert [o.placed_at for o in sales] == sorted(o.placed_at for o in sales)
    assert (seeded.first_number, seeded.last_number) == ("D10001", f"D{10000 + len(sales)}")


def test_fewer_than_one_order_is_refused(db):
    with pytest.raises(ValueError, match="at least 1"):
        seed_demo_shop(0, seed=1, now=NOW)


# --- what the demo shows -------------------------------------------------------


def test_three_channels_four_sale_states_cancellations_and_refunds(seeded):
    orders = demo_orders()
    sales = [o for o in orders if o.state not in REFUND_STATES]

    assert len({o.channel.name for o in orders}) >= 3
    assert len({o.state for o in sales}) >= 4
    assert any(o.state == "cancelled" and o.refund_of is None for o in orders)
    assert seeded.by_store and sum(seeded.by_store.values()) == ORDERS
    assert sum(seeded.by_status.values()) == seeded.orders == len(orders)


def test_refunds_are_their_own_orders_pointing_at_an_existing_sale(seeded):
    orders = demo_orders()
    refunds = [o for o in orders if o.state == "refunded"]

    assert refunds and len(refunds) == seeded.refunds
    for refund in refunds:
        parent = refund.refund_of
        assert parent is not None and parent.refund_of is None
        assert refund.reference.startswith(f"{parent.reference}-R")
        assert parent.state in SHIPPED_STATES
        assert parent.placed_at < refund.placed_at
        assert parent.updated_at >= refund.placed_at  # a refund is a change to the sale
        assert refund.reference in parent.staff_note
        assert refund.channel == parent.channel
    for parent in {r.refund_of for r in refunds}:
        assert parent is not None
        refunded = sum(r.grand_total for r in refunds if r.refund_of == parent)
        assert Decimal("0") < refunded <= parent.grand_total


def test_money_features_are_all_there(seeded):
    orders = demo_orders()
    items = [item for o in orders for item in o.items.all()]

    assert any(item.unit_price_gross > item.unit_price for item in items)  # taxed items
    assert any(item.unit_price_gross == item.unit_price for item in items)  # untaxed items
    assert any(item.line_discount > 0 for item in items)
    assert any(o.shipping_fee > 0 for o in orders)
    assert any(o.shipping_fee_gross > o.shipping_fee for o in orders)  # taxed shipping
    assert any(o.shipping_fee > 0 and o.shipping_fee_gross == o.shipping_fee for o in orders)
    with_coupon = [o for o in orders if o.coupon_redemptions.all()]
    assert with_coupon
    for order in with_coupon:
        (redemption,) = order.coupon_redemptions.all()
        assert redemption.coupon.code and redemption.amount == order.discount_total > 0
        assert redemption.amount_gross == order.discount_total_gross >= redemption.amount
    split = [o for o in orders if len(o.payments.all()) == 2]
    assert split and len(split) == seeded.split_payments
    assert all(len({p.method for p in o.payments.all()}) == 2 for o in split)
    assert all(p.transaction_id and p.method for o in orders for p in o.payments.all())
    shipped = [o for o in orders if o.state in SHIPPED_STATES]
    assert shipped and all(s.tracking_code for o in shipped for s in o.shipments.all())
    assert all(len(o.shipments.all()) == (o.state in SHIPPED_STATES) for o in orders)
    gifts = [o for o in orders if o.shipping_address is not None]
    assert any(o.shipping_address.last_name != o.billing_address.last_name for o in gifts)


def test_tax_is_rounded_per_item_half_up(seeded):
    taxed = [item for o in demo_orders() for item in o.items.all() if item.unit_price_gross > item.unit_price]

    assert taxed
    for item in taxed:
        assert item.unit_price_gross == cents(item.unit_price * Decimal("1.0625"))
        assert item.line_discount_gross == item.line_discount + cents(item.line_discount * Decimal("0.0625"))


def test_customers_have_non_ascii_names_and_addresses(seeded):
    orders = demo_orders()
    names = {f"{o.billing_address.first_name} {o.billing_address.last_name}" for o in orders}
    cities = {o.billing_address.city for o in orders}

    assert any(not name.isascii() for name in names)
    assert any(not city.isascii() for city in cities)


def test_every_order_balances_to_the_cent_and_is_fully_paid(seeded):
    for order in demo_orders():
        assert balances(order), order.reference
        assert sum(p.amount for p in order.payments.all()) == order.grand_total, order.reference
        assert order.grand_total > 0
        assert order.tax_total >= 0


def test_products_have_the_stock_the_sales_left(seeded):
    taken: Counter[str] = Counter()
    for order in demo_orders():
        if order.state != "cancelled":
            for item in order.items.all():
                taken[item.product.sku] += -item.quantity if order.refund_of else item.quantity
    stock = dict(Product.objects.values_list("sku", "stock_quantity"))

    assert set(stock) == {item.sku for item in CATALOGUE} == set(OPENING_STOCK)
    assert stock == {sku: max(0, opening - taken[sku]) for sku, opening in OPENING_STOCK.items()}
    assert all(quantity > 0 for quantity in stock.values())


def test_everything_happened_in_the_30_days_before_now(seeded):
    for order in demo_orders():
        assert stored(NOW - dt.timedelta(days=30)) <= order.placed_at <= order.updated_at <= stored(NOW), (
            order.reference
        )
        moments = [
            order.paid_at,
            *(p.captured_at for p in order.payments.all()),
            *(s.shipped_at for s in order.shipments.all()),
        ]
        for moment in moments:
            assert moment is None or order.placed_at <= moment <= stored(NOW), order.reference


# --- served to Connex through shop.connex ----------------------------------------


def test_the_demo_settings_serve_connex_through_the_shop_adapter_the_contract_suite_runs():
    assert demo_settings.CONNEX_BRIDGE["ORDER_SOURCE"] == "shop.connex.ShopOrderSource"
    assert DemoShopHarness.connex_settings == demo_settings.CONNEX_BRIDGE
    assert set(demo_settings.CONNEX_BRIDGE["CANCELLED_STATUSES"]) <= set(Order.State.values)
    assert ShopOrderSource().check() == []


def test_the_orders_endpoint_serves_the_seeded_shop(seeded, settings):
    settings.CONNEX_BRIDGE = demo_settings.CONNEX_BRIDGE
    credential = ConnexCredentialFactory()
    client = ConnexClient(credential)

    response = client.get("/connex/orders?" + urlencode(connex_window()))

    assert response.status_code == 200, response.content
    body = json.loads(response.content, parse_float=Decimal)
    orders = {o.reference: o for o in demo_orders()}
    sales = {number for number, o in orders.items() if o.state not in REFUND_STATES}
    cancelled = {number for number, o in orders.items() if o.state in REFUND_STATES}
    assert {o["OrderNumber"] for o in body["Orders"]} == sales
    assert {o["OrderNumber"] for o in body["CancelledOrders"]} == cancelled
    for refund in body["CancelledOrders"]:
        assert refund["OrderStatus"] == "Cancelled"
        assert refund["ParentOrderNumber"] in ("", *sales)
    assert any(r["ParentOrderNumber"] for r in body["CancelledOrders"])
    for order in body["Orders"] + body["CancelledOrders"]:
        lines = sum(line["Quantity"] * line["PriceExclTax"] - line["DiscountExclTax"] for line in order["OrderDetails"])
        assert lines - order["DiscountExclTax"] + order["ShippingExclTax"] + order["TotalTax"] == order["Total"]
        assert sum(d["Amount"] for d in order["Discounts"]) == order["DiscountExclTax"]
        shop_order = orders[order["OrderNumber"]]
        assert order["CreditCardName"] == list(shop_order.payments.all())[-1].method  # the card after a gift card
        assert bool(order["TrackingNumber"]) == bool(order["ShippingDate"]) == (shop_order.state in SHIPPED_STATES)
        assert order["BillingAddress"]["CountryName"] and order["ShippingAddress"]["TwoLetterIsoCode"]
    payments: dict[str, list[Decimal]] = {}
    for payment in body["Payments"]:
        payments.setdefault(payment["OrderNumber"], []).append(payment["PaymentAmount"])
    assert set(payments) == sales
    split = {number for number, amounts in payments.items() if len(amounts) == 2}
    # Payments go out for the orders in Orders only: a cancelled sale's two payments stay home.
    assert split == {number for number, o in orders.items() if len(o.payments.all()) == 2 and number in sales}
    totals = {o["OrderNumber"]: o["Total"] for o in body["Orders"]}
    assert all(sum(amounts) == totals[number] for number, amounts in payments.items())


def test_coupons_that_lowered_no_tax_reach_connex_as_non_taxable(seeded, settings):
    settings.CONNEX_BRIDGE = demo_settings.CONNEX_BRIDGE
    credential = ConnexCredentialFactory()
    client = ConnexClient(credential)

    body = client.get("/connex/orders?" + urlencode(connex_window())).json()

    discounts = [(o, d) for o in body["Orders"] + body["CancelledOrders"] for d in o["Discounts"]]
    assert {d["NonTaxable"] for _, d in discounts} == {True, False}
    for order, discount in discounts:
        assert discount["NonTaxable"] == (order["DiscountInclTax"] == order["DiscountExclTax"])


# --- the shop's back office ----------------------------------------------------------


def test_the_admin_shows_every_shop_model_and_an_order_with_its_parts(seeded, admin_client):
    registered = {model for model in admin.site._registry if model._meta.app_label == "shop"}
    inline = {inline.model for owner in (Order, PurchaseOrder) for inline in admin.site._registry[owner].inlines}
    assert registered | inline == set(apps.get_app_config("shop").get_models())  # an order's parts are inlines
    for model in registered:
        response = admin_client.get(f"/admin/shop/{model._meta.model_name}/")
        assert response.status_code == 200, model
    split = next(o for o in demo_orders() if len(o.payments.all()) == 2 and o.shipments.all())

    page = admin_client.get(f"/admin/shop/order/{split.pk}/change/").content.decode()

    assert split.reference in page
    assert all(p.transaction_id in page for p in split.payments.all())
    assert split.shipments.all()[0].tracking_code in page


# --- the commands (called as instances: the test settings do not install "demo") --------


def test_seed_command_prints_one_summary_line_and_skips_a_shop_with_orders_when_asked(db):
    out = io.StringIO()
    call_command(SeedCommand(), orders=12, seed=1, stdout=out)
    call_command(SeedCommand(), orders=12, seed=1, if_empty=True, stdout=out)

    first, second = out.getvalue().splitlines()
    sales = Order.objects.filter(refund_of=None).count()
    assert first.startswith(f"Seeded 12 demo orders: {sales} sales (D10001…D{10000 + sales}) and {12 - sales} refunds")
    assert "not seeding" in second
    assert Order.objects.count() == 12


def test_seed_command_refuses_fewer_than_one_order(db):
    with pytest.raises(CommandError, match="at least 1"):
        call_command(SeedCommand(), orders=0, seed=1)


def test_demo_credential_refuses_to_run_without_debug(db):
    with pytest.raises(CommandError, match="DEBUG"):
        call_command(CredentialCommand(), port=8000)

    assert not ConnexCredential.objects.exists()


@override_settings(DEBUG=True)
def test_demo_credential_pairs_and_prints_what_to_type_and_working_curls(db):
    call_command(CredentialCommand(), port=8765, stdout=io.StringIO())
    out = io.StringIO()
    call_command(CredentialCommand(), port=8765, stdout=out)  # a second run resets, still one credential

    text = out.getvalue()
    assert ConnexCredential.objects.get().username == "connex-demo"
    assert "http://127.0.0.1:8765/connex/" in text
    assert "connex-demo" in text and "demo-password" in text
    curls = [shlex.split(line) for line in text.splitlines() if line.strip().startswith("curl ")]
    assert [curl[-1].rsplit("/", 1)[-1].split("?")[0] for curl in curls] == [
        "authenticatetowebservice", "orders", "purchaseorders", "inventory", "changeorderstatus", "createorders",
    ]  # fmt: skip
    client = Client(HTTP_AUTHORIZATION=basic("connex-demo", "demo-password"))
    seed_demo_shop(12, seed=1)
    assert "D10001" in text  # the changeorderstatus curl names the demo's first order
    for curl in curls:
        url = curl[-1]
        assert url.startswith("http://127.0.0.1:8765/connex/")
        method = curl[curl.index("-X") + 1] if "-X" in curl else "GET"
        body = curl[curl.index("-d") + 1] if "-d" in curl else None
        with override_settings(DEBUG=True, CONNEX_BRIDGE=DEMO_CONNEX):  # as the demo runs: DEBUG allows plain HTTP
            response = client.generic(
                method, url.removeprefix("http://127.0.0.1:8765"), body or "", content_type="application/json"
            )
        assert response.status_code == 200, response.content
        if url.endswith("createorders"):
            assert json.loads(response.content)["OrdersCreated"] == ["QB-1001"]
        if method == "PUT":  # one SKU the shop has, one it has not: both answers are shown
            answer = json.loads(response.content)
            assert [p["Sku"] for p in answer["ProductSyncSuccess"]] == ["MUG-CER-12"]
            assert list(answer["ProductSkusErrors"]) == ["NOT-IN-SHOP"]


# --- the project ----------------------------------------------------------------


def test_manage_py_check_passes_from_the_repository_root():
    # pytest-django exported the test settings; the demo must pick its own. PYTHONPATH makes
    # the subprocess import this checkout's connex_bridge, as pytest does, whatever is installed.
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO), env.get("PYTHONPATH")]))

    result = subprocess.run(
        [sys.executable, "example_project/manage.py", "check"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stderr
    assert "no issues" in result.stdout
