"""What QuickBooks writes back to the demo shop: order states, parcels, and orders created in QuickBooks.

Mixed into ``shop.connex.ShopOrderSource``. ``changeorderstatus``: the state is written to ``state`` (one
of the shop's states, matched in any letter case; ``demo_site/settings.py`` maps Connex's names to
them), the paid date to ``paid_at``, and a tracking number becomes a ``Shipment`` (the shop keeps its
parcels there), once. ``createorders``: orders written the way the checkout writes them, against the
shop's own products, customers, channels and coupons.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from django.utils import timezone

from connex_bridge.models import ConnexCredential
from connex_bridge.records import AddressRecord, OrderRecord, OrderStatusUpdate
from connex_bridge.sources import DeclarativeOrderSource
from connex_bridge.sources.base import WriteRefusedError
from connex_bridge.vocabulary import ZERO


class ShopWriteBack(DeclarativeOrderSource):
    """The demo shop's ``apply_status``, ``unknown_skus`` and ``create_order``."""

    writes_status = True
    paid_field = "paid_at"
    #: The state of an order QuickBooks completed.
    completed_status = "delivered"

    def apply_status(self, order: Any, change: OrderStatusUpdate) -> bool:
        """The state and paid date on the order; a tracking number QuickBooks sends becomes one more
        shipment, unless the order already has a shipment with it (saving it moves ``updated_at``)."""
        from shop.models import Shipment

        changed = super().apply_status(order, replace(change, tracking_number="", shipped_at=None))
        code = change.tracking_number
        if code and not order.shipments.filter(tracking_code=code).exists():
            if len(code) > Shipment._meta.get_field("tracking_code").max_length:
                raise WriteRefusedError(f"TrackingNumber {code[:40]!r}… is longer than the shop keeps.")
            carrier = (order.shipping_method or "").split(" ")[0][:50]
            Shipment.objects.create(
                order=order, carrier=carrier, tracking_code=code, shipped_at=change.shipped_at or timezone.now()
            )
            changed = True
        return changed

    def unknown_skus(self, skus: set[str]) -> set[str]:
        """The SKUs no ``Product`` has, in one query."""
        from shop.models import Product

        return skus - set(Product.objects.filter(sku__in=skus).values_list("sku", flat=True))

    def create_order(self, record: OrderRecord, credential: ConnexCredential) -> None:
        """The order as the checkout writes it: channel, customer, addresses, items, coupons."""
        from shop.models import (
            Address,
            Channel,
            Country,
            Coupon,
            CouponRedemption,
            Customer,
            Order,
            OrderItem,
            Product,
        )

        states = {value.casefold(): value for value in Order.State.values}
        state = states.get(record.status.casefold())
        if state is None:
            raise WriteRefusedError(
                f"OrderStatus maps to {record.status!r}, which is not a state of the shop "
                f"({', '.join(Order.State.values)}); map it in CONNEX_BRIDGE['ORDER_STATUS_MAP']."
            )
        for line in record.lines:
            if line.quantity != int(line.quantity) or line.quantity < 1:
                raise WriteRefusedError(f"SKU {line.sku!r}: Quantity {line.quantity} is not a whole number of units.")
        email = record.customer.email or record.billing_address.email
        if not email:
            raise WriteRefusedError("The order has no customer email (Customer.Email or BillingAddress.Email).")

        def address(found: AddressRecord, where: str) -> Address:
            if not found.country_code:
                raise WriteRefusedError(f"{where}.TwoLetterIsoCode is empty; every address needs a country.")
            country, _ = Country.objects.get_or_create(
                code=found.country_code.upper(), defaults={"name": found.country_name or found.country_code}
            )
            return Address.objects.create(
                first_name=found.first_name, last_name=found.last_name, company=found.company, street=found.line1,
                street_2=found.line2, city=found.city, region=found.region_code, postcode=found.postal_code,
                country=country, phone=found.phone,
            )  # fmt: skip

        customer, _ = Customer.objects.get_or_create(
            email=email,
            defaults={
                "first_name": record.billing_address.first_name,
                "last_name": record.billing_address.last_name,
                "company": record.customer.company,
                "phone": record.billing_address.phone,
            },
        )
        shipping = record.shipping_address if record.shipping_address != AddressRecord() else None
        order = Order.objects.create(
            reference=record.number,
            state=state,
            channel=Channel.objects.get_or_create(name=record.store_name or "QuickBooks")[0],
            customer=customer,
            email=email,
            placed_at=record.created_at,
            paid_at=record.paid_at,
            currency=record.currency or "USD",
            billing_address=address(record.billing_address, "BillingAddress"),
            shipping_address=address(shipping, "ShippingAddress") if shipping is not None else None,
            shipping_method=record.shipping_method,
            items_total=sum(
                (line.quantity * line.unit_price_excl_tax - line.discount_excl_tax for line in record.lines), ZERO
            ),
            discount_total=record.discount_excl_tax,
            discount_total_gross=record.discount_incl_tax,
            shipping_fee=record.shipping_excl_tax,
            shipping_fee_gross=record.shipping_incl_tax,
            tax_total=record.total_tax,
            grand_total=record.total,
            customer_note=record.note,
            staff_note=record.private_note,
        )
        products = Product.objects.in_bulk({line.sku for line in record.lines}, field_name="sku")
        OrderItem.objects.bulk_create(
            OrderItem(
                order=order, product=products[line.sku], quantity=int(line.quantity),
                unit_price=line.unit_price_excl_tax, unit_price_gross=line.unit_price_incl_tax,
                line_discount=line.discount_excl_tax, line_discount_gross=line.discount_incl_tax,
            )
            for line in record.lines
        )  # fmt: skip
        if record.discounts:
            codes = {discount.code or discount.name: discount for discount in record.discounts}
            coupons = {coupon.code: coupon for coupon in Coupon.objects.filter(code__in=codes)}
            missing = [Coupon(code=code, title=d.name or code) for code, d in codes.items() if code not in coupons]
            if missing:
                Coupon.objects.bulk_create(missing)
                coupons.update((coupon.code, coupon) for coupon in Coupon.objects.filter(code__in=codes))
            CouponRedemption.objects.bulk_create(
                CouponRedemption(
                    order=order, coupon=coupons[discount.code or discount.name], amount=discount.amount,
                    amount_gross=discount.amount,
                )
                for discount in record.discounts
            )  # fmt: skip
