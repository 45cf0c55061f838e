"""The demo shop's seeding (example_project/demo/seeding.py) and its project files.

The test settings do not install the ``demo`` app; ``demo.seeding`` only
touches connex_bridge's models, so it is imported and called directly.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import subprocess
import sys
from decimal import Decimal
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import pytest
from demo.management.commands.demo_credential import Command as CredentialCommand
from demo.management.commands.seed_demo_shop import Command as SeedCommand
from demo.seeding import PREFIX, SeedReport, seed_demo_shop
from django.core.management import CommandError, call_command
from django.db.models import Model
from django.test import Client, override_settings

from connex_bridge.models import Address, ConnexCredential, Discount, Order, OrderLine, Payment
from connex_bridge.testing.factories import ConnexCredentialFactory, OrderFactory
from tests.conftest import HTTPSClient, basic

UTC = dt.timezone.utc
# Just after the US switch to daylight saving time, so the month before it spans both offsets.
NOW = dt.datetime(2025, 3, 10, 15, 30, 0, tzinfo=UTC)
ORDERS = 80
REFUND_STATUSES = {"refunded", "cancelled"}
REPO = Path(__file__).resolve().parent.parent


def columns(model: type[Model], *exclude: str) -> list[str]:
    """The model's columns, without its id and the given foreign keys."""
    return [f.attname for f in model._meta.concrete_fields if f.attname not in {"id", *exclude}]


def snapshot() -> list[tuple[Any, ...]]:
    """Every demo order with its addresses, lines, coupons and payments, without database ids."""
    address_columns = columns(Address)
    rows = []
    for order in Order.objects.filter(number__startswith=PREFIX).order_by("number"):
        rows.append(
            (
                *(getattr(order, name) for name in columns(Order, "billing_address_id", "shipping_address_id")),
                list(Address.objects.filter(pk=order.billing_address_id).values_list(*address_columns)),
                list(Address.objects.filter(pk=order.shipping_address_id).values_list(*address_columns)),
                *(
                    list(model.objects.filter(order=order).order_by("pk").values_list(*columns(model, "order_id")))
                    for model in (OrderLine, Discount, Payment)
                ),
            )
        )
    return rows


def balances(order: Order) -> bool:
    """PROTOCOL §4's invariant, exactly, in Decimal."""
    lines = sum(
        (line.quantity * line.unit_price_excl_tax - line.discount_excl_tax for line in order.lines.all()), Decimal("0")
    )
    return lines - order.discount_excl_tax + order.shipping_excl_tax + order.total_tax == order.total


@pytest.fixture
def seeded(db: None) -> SeedReport:
    return seed_demo_shop(ORDERS, seed=7, now=NOW)


def demo_orders() -> list[Order]:
    return list(Order.objects.filter(number__startswith=PREFIX).prefetch_related("lines", "discounts", "payments"))


# --- determinism and replacement -----------------------------------------------


def test_the_same_seed_gives_identical_orders_and_another_seed_different_ones(db):
    seed_demo_shop(ORDERS, seed=1, now=NOW)
    first = snapshot()
    seed_demo_shop(ORDERS, seed=1, now=NOW)
    again = snapshot()
    seed_demo_shop(ORDERS, seed=2, now=NOW)
    other = snapshot()

    assert first == again
    assert len(first) > ORDERS  # the refunds come on top of the sales
    assert other != first
    total = columns(Order, "billing_address_id", "shipping_address_id").index("total")
    assert [row[total] for row in other] != [row[total] for row in first]  # different amounts, not just times


def test_seeding_replaces_the_demo_orders_and_keeps_the_shops_own(db):
    shops_own = ["1001", "D-77", "D1234", "D10001X"]
    for number in shops_own:
        OrderFactory(number=number)
    seed_demo_shop(30, seed=1, now=NOW)
    report = seed_demo_shop(20, seed=3, now=NOW)

    demo = Order.objects.filter(number__regex=r"^D[0-9]{5}(-R[0-9]+)?$")
    assert demo.count() == report.orders == 20 + report.refunds
    assert Order.objects.filter(number__in=shops_own).count() == len(shops_own)
    assert not demo.filter(number__gt=f"{PREFIX}10020", parent_number="").exists()


def test_every_number_fits_a_quickbooks_reference(seeded):
    # QuickBooks keeps 11 characters of a reference number; longer ones collide.
    assert max(len(number) for number in Order.objects.values_list("number", flat=True)) <= 11


def test_numbers_are_a_stable_sequence_in_order_of_creation(seeded):
    sales = list(Order.objects.filter(number__startswith=PREFIX, parent_number="").order_by("number"))

    assert [o.number for o in sales] == [f"D{10001 + i}" for i in range(ORDERS)]
    assert [o.created_at for o in sales] == sorted(o.created_at for o in sales)
    assert (seeded.first_number, seeded.last_number) == ("D10001", f"D{10000 + ORDERS}")


def test_fewer_than_one_order_is_refused(db):
    with pytest.raises(ValueError, match="at least 1"):
        seed_demo_shop(0, seed=1, now=NOW)


# --- what the demo shows -------------------------------------------------------


def test_three_stores_four_sale_statuses_cancellations_and_refunds(seeded):
    orders = demo_orders()
    sales = [o for o in orders if o.status not in REFUND_STATUSES]

    assert len({o.store_name for o in orders}) >= 3
    assert len({o.status for o in sales}) >= 4
    assert any(o.status == "cancelled" and not o.parent_number for o in orders)
    assert seeded.by_store and sum(seeded.by_store.values()) == ORDERS
    assert sum(seeded.by_status.values()) == seeded.orders == len(orders)


def test_refunds_are_their_own_orders_pointing_at_an_existing_sale(seeded):
    orders = {o.number: o for o in demo_orders()}
    refunds = [o for o in orders.values() if o.status == "refunded"]

    assert refunds and len(refunds) == seeded.refunds
    for refund in refunds:
        parent = orders[refund.parent_number]
        assert refund.number.startswith(f"{parent.number}-R")
        assert parent.status in {"shipped", "fulfilled"}
        assert parent.created_at < refund.created_at
        assert parent.modified_at >= refund.created_at  # a refund is a change to the sale
        assert refund.store_name == parent.store_name
    for parent_number in {r.parent_number for r in refunds}:
        refunded = sum(r.total for r in refunds if r.parent_number == parent_number)
        assert Decimal("0") < refunded <= orders[parent_number].total


def test_money_features_are_all_there(seeded):
    orders = demo_orders()
    lines = [line for o in orders for line in o.lines.all()]

    assert any(line.unit_price_incl_tax > line.unit_price_excl_tax for line in lines)  # taxed lines
    assert any(line.unit_price_incl_tax == line.unit_price_excl_tax for line in lines)  # untaxed lines
    assert any(line.discount_excl_tax > 0 for line in lines)
    assert any(o.shipping_excl_tax > 0 for o in orders)
    assert any(o.shipping_incl_tax > o.shipping_excl_tax for o in orders)  # taxed shipping
    assert any(o.shipping_excl_tax > 0 and o.shipping_incl_tax == o.shipping_excl_tax for o in orders)
    with_coupon = [o for o in orders if o.discounts.all()]
    assert with_coupon
    for order in with_coupon:
        (coupon,) = order.discounts.all()
        assert coupon.code and coupon.amount == order.discount_excl_tax > 0
    split = [o for o in orders if len(o.payments.all()) == 2]
    assert split and len(split) == seeded.split_payments
    assert all(len({p.method for p in o.payments.all()}) == 2 for o in split)
    assert all(p.reference for o in orders for p in o.payments.all())
    shipped = [o for o in orders if o.status in {"shipped", "fulfilled"}]
    assert shipped and all(o.tracking_number and o.shipped_at for o in shipped)
    assert any(o.shipping_address_id for o in orders)


def test_tax_is_rounded_per_line_half_up(seeded):
    taxed = [line for o in demo_orders() for line in o.lines.all() if line.tax_code == "TAX"]

    assert taxed
    for line in taxed:
        expected = (line.unit_price_excl_tax * Decimal("1.0625")).quantize(Decimal("0.01"), rounding="ROUND_HALF_UP")
        assert line.unit_price_incl_tax == expected


def test_customers_have_non_ascii_names_and_addresses(seeded):
    orders = Order.objects.filter(number__startswith=PREFIX).select_related("billing_address")
    names = {f"{o.billing_address.first_name} {o.billing_address.last_name}" for o in orders}
    cities = {o.billing_address.city for o in orders}

    assert any(not name.isascii() for name in names)
    assert any(not city.isascii() for city in cities)


def test_every_order_balances_to_the_cent_and_is_fully_paid(seeded):
    for order in demo_orders():
        assert balances(order), order.number
        assert sum(p.amount for p in order.payments.all()) == order.total, order.number
        assert order.total > 0
        assert order.total_tax >= 0


def test_everything_happened_in_the_30_days_before_now(seeded):
    for order in demo_orders():
        assert NOW - dt.timedelta(days=30) <= order.created_at <= order.modified_at <= NOW, order.number
        for moment in (order.paid_at, order.shipped_at, *(p.paid_at for p in order.payments.all())):
            assert moment is None or order.created_at <= moment <= NOW, order.number


# --- served to Connex ----------------------------------------------------------


def test_the_orders_endpoint_serves_the_seeded_shop(seeded):
    credential = ConnexCredentialFactory()
    client = HTTPSClient(HTTP_AUTHORIZATION=basic(credential.username, credential.secret))
    window = {
        "date_modified_min": (NOW - dt.timedelta(days=31)).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "date_modified_max": (NOW + dt.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M:%SZ"),
    }

    response = client.get("/connex/orders?" + urlencode(window))

    assert response.status_code == 200, response.content
    body = json.loads(response.content, parse_float=Decimal)
    orders = demo_orders()
    sales = {o.number for o in orders if o.status not in REFUND_STATUSES}
    cancelled = {o.number for o in orders if o.status in REFUND_STATUSES}
    assert {o["OrderNumber"] for o in body["Orders"]} == sales
    assert {o["OrderNumber"] for o in body["CancelledOrders"]} == cancelled
    for refund in body["CancelledOrders"]:
        assert refund["OrderStatus"] == "Cancelled"
        assert refund["ParentOrderNumber"] in ("", *sales)
    assert any(r["ParentOrderNumber"] for r in body["CancelledOrders"])
    for order in body["Orders"] + body["CancelledOrders"]:
        lines = sum(line["Quantity"] * line["PriceExclTax"] - line["DiscountExclTax"] for line in order["OrderDetails"])
        assert lines - order["DiscountExclTax"] + order["ShippingExclTax"] + order["TotalTax"] == order["Total"]
    payments: dict[str, list[Decimal]] = {}
    for payment in body["Payments"]:
        payments.setdefault(payment["OrderNumber"], []).append(payment["PaymentAmount"])
    assert set(payments) == sales
    split = {number for number, amounts in payments.items() if len(amounts) == 2}
    assert split == {o.number for o in orders if len(o.payments.all()) == 2}
    totals = {o["OrderNumber"]: o["Total"] for o in body["Orders"]}
    assert all(sum(amounts) == totals[number] for number, amounts in payments.items())


# --- the commands (called as instances: the test settings do not install "demo") --------


def test_seed_command_prints_one_summary_line_and_skips_a_shop_with_orders_when_asked(db):
    out = io.StringIO()
    call_command(SeedCommand(), orders=12, seed=1, stdout=out)
    call_command(SeedCommand(), orders=12, seed=1, if_empty=True, stdout=out)

    first, second = out.getvalue().splitlines()
    assert first.startswith("Seeded 12 demo orders (D10001…D10012)")
    assert "not seeding" in second
    assert Order.objects.filter(parent_number="").count() == 12


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
    curls = [line.strip() for line in text.splitlines() if line.strip().startswith("curl ")]
    assert len(curls) == 2
    client = Client(HTTP_AUTHORIZATION=basic("connex-demo", "demo-password"))
    for curl in curls:
        url = curl.split('"')[1]
        assert url.startswith("http://127.0.0.1:8765/connex/")
        with override_settings(DEBUG=True):  # as the demo runs: DEBUG allows plain HTTP
            response = client.get(url.removeprefix("http://127.0.0.1:8765"))
        assert response.status_code == 200, response.content


# --- the project ----------------------------------------------------------------


def test_manage_py_check_passes_from_the_repository_root():
    # pytest-django exported the test settings; the demo must pick its own.
    env = {key: value for key, value in os.environ.items() if key != "DJANGO_SETTINGS_MODULE"}

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
