"""The contract suite's harness for the JSON shop: orders created the way its checkout would."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from connex_bridge.testing.harness import OrderSpec, ShopHarness, db_time, set_change_time
from tests.jsonshop.models import Order, OrderItem, Payment


class JsonShopHarness(ShopHarness):
    """One store, one currency, sales tax on the order, money in JSON rows, free-text addresses."""

    name = "jsonshop"
    connex_settings = {"ORDER_SOURCE": "tests.jsonshop.source.JsonShopSource"}
    single_store = "Shop"
    parent_numbers = False  # a refund is the order itself, marked refunded
    order_level_tax = True

    def create(self, spec: OrderSpec) -> None:
        rows = [{"kind": "tax", "label": "Sales tax", "amount": str(spec.tax)}]
        if spec.shipping:
            rows.append({"kind": "shipping", "label": "Standard", "amount": str(spec.shipping)})
        # The shop has no line discounts: what a line's discount took off is part of the coupon.
        coupon = spec.discount + sum((line.discount_excl_tax for line in spec.lines), Decimal(0))
        if coupon:
            rows.append({"kind": "coupon", "label": "Coupon", "code": "SAVE", "amount": str(coupon)})
        order = Order.objects.create(
            number=spec.number,
            status=spec.status,
            email=spec.email,
            billing_address="Zoë Ångström\n1 Main Street\n\nBoston MA 02108\nUnited States",
            total=spec.total,
            _extra={"rows": rows},
        )
        for line in spec.lines:
            OrderItem.objects.create(
                order=order,
                product_data={"code": line.sku, "name": line.name},
                quantity=line.quantity,
                price=line.unit_price_excl_tax,
            )
        for index, amount in enumerate(spec.payment_amounts, start=1):
            Payment.objects.create(
                order=order, amount=amount, provider=spec.payment_method, transaction_id=f"{spec.number}-{index}"
            )

    def set_times(self, number: str, created_at: dt.datetime | None, modified_at: dt.datetime | None) -> None:
        if created_at is not None:
            Order.objects.filter(number=number).update(date_created=db_time(created_at))
        if modified_at is not None:
            set_change_time("jsonshop.Order", Order.objects.get(number=number).pk, modified_at)

    def add_payment(self, number: str, amount: Decimal) -> None:
        # As the shop does: the order is not saved, so date_updated stays; change tracking sees the payment.
        Payment.objects.create(order=Order.objects.get(number=number), amount=amount, provider="Visa")


class JsonShopHandWrittenHarness(JsonShopHarness):
    """The same shop, served by the hand-written source of tests/jsonshop/handwritten.py."""

    name = "jsonshop-handwritten"
    connex_settings = {"ORDER_SOURCE": "tests.jsonshop.handwritten.JsonShopHandWrittenSource"}
