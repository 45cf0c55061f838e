"""The endpoint contract suite's view of the demo shop (run by shop/tests/test_connex_contract.py)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from connex_bridge.testing.harness import OrderSpec, ShopHarness, cents, db_time


class DemoShopHarness(ShopHarness):
    """Creates orders in the demo shop the way its checkout does, served by ``shop.connex.ShopOrderSource``."""

    name = "demoshop"
    connex_settings = {"ORDER_SOURCE": "shop.connex.ShopOrderSource", "CANCELLED_STATUSES": ["cancelled", "refunded"]}

    def create(self, spec: OrderSpec) -> None:
        from shop.models import (
            Address,
            Channel,
            Country,
            Coupon,
            CouponRedemption,
            Customer,
            Order,
            OrderItem,
            Payment,
            Product,
        )

        country, _ = Country.objects.get_or_create(code="US", defaults={"name": "United States"})
        customer, _ = Customer.objects.get_or_create(
            email=spec.email, defaults={"first_name": "Zoë", "last_name": "Ångström"}
        )
        order = Order.objects.create(
            reference=spec.number,
            state=spec.status,
            channel=Channel.objects.get_or_create(name=spec.store)[0],
            customer=customer,
            email=spec.email,
            billing_address=Address.objects.create(
                first_name="Zoë", last_name="Ångström", street="1 Main Street", city="Boston", country=country
            ),
            items_total=spec.subtotal,
            discount_total=spec.discount,
            discount_total_gross=spec.discount + spec.discount_tax,
            shipping_fee=spec.shipping,
            shipping_fee_gross=spec.shipping + spec.shipping_tax,
            tax_total=spec.tax,
            grand_total=spec.total,
            refund_of=Order.objects.get(reference=spec.parent_number) if spec.parent_number else None,
        )
        for line in spec.lines:
            product, _ = Product.objects.get_or_create(
                sku=line.sku, defaults={"title": line.name, "price": line.unit_price_excl_tax}
            )
            OrderItem.objects.create(
                order=order,
                product=product,
                quantity=line.quantity,
                unit_price=line.unit_price_excl_tax,
                unit_price_gross=spec.unit_price_incl_tax(line),
                line_discount=line.discount_excl_tax,
                line_discount_gross=cents(line.discount_excl_tax * (1 + spec.tax_rate)),
            )
        if spec.discount:
            CouponRedemption.objects.create(
                order=order,
                coupon=Coupon.objects.get_or_create(code="SAVE", defaults={"title": "Coupon"})[0],
                amount=spec.discount,
                amount_gross=spec.discount + spec.discount_tax,
            )
        for index, amount in enumerate(spec.payment_amounts, start=1):
            Payment.objects.create(
                order=order,
                provider=Payment.Provider.STRIPE,
                method=spec.payment_method,
                amount=amount,
                transaction_id=f"ch_{spec.number}_{index}",
            )

    def set_times(self, number: str, created_at: dt.datetime | None, modified_at: dt.datetime | None) -> None:
        from shop.models import Order

        # update() leaves auto_now alone, so the times stay as pinned.
        stamps = {"placed_at": created_at, "updated_at": modified_at}
        Order.objects.filter(reference=number).update(**{k: db_time(v) for k, v in stamps.items() if v is not None})

    def add_payment(self, number: str, amount: Decimal) -> None:
        from shop.models import Order, Payment

        # No update of the order here: the shop's own touch_order must move updated_at.
        Payment.objects.create(
            order=Order.objects.get(reference=number), provider=Payment.Provider.STRIPE, method="Visa", amount=amount
        )
