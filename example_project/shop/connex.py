"""The demo shop as Connex for QuickBooks sees it: an order source over ``shop.Order``.

``demo_site/settings.py`` points connex_bridge here::

    CONNEX_BRIDGE = {
        "ORDER_SOURCE": "shop.connex.ShopOrderSource",
        "CANCELLED_STATUSES": ["cancelled", "refunded"],
    }

Refunds are orders. The shop records a refund as an ``Order`` of its own in state ``refunded``, numbered
after the sale (``D10001-R1``: within the 11 characters QuickBooks keeps) and pointing at it through
``refund_of``. So one queryset holds sales and refunds, ``CANCELLED_STATUSES`` sends refunds (and sales
cancelled before shipping) to ``CancelledOrders``, and their ``ParentOrderNumber`` is a plain path. Had
the shop kept refunds in a table of their own, an order source, which reads one queryset, could not
serve them.

Back from QuickBooks, ``changeorderstatus`` and ``createorders`` are ``shop.writeback.ShopWriteBack``'s.

Modified time: ``Order.updated_at`` is ``auto_now``, and the shop also moves it when an item, coupon,
payment or shipment of the order is saved or deleted (``shop.models.touch_order``). It misses no change
Connex must see, so ``modified_field`` reads it: one indexed column, no extra table. A shop whose
``updated_at`` can miss such changes would set ``modified_field = None`` and name the models to watch in
``track_changes`` instead.
"""

from __future__ import annotations

from django.db.models import BooleanField, ExpressionWrapper, F, Q

from connex_bridge.sources import DeclarativeOrderSource, First, Joined
from shop.writeback import ShopWriteBack

#: connex_bridge's address fields → the shop's ``Address`` fields, for billing and shipping alike.
ADDRESS_FIELDS = {
    "first_name": "first_name",
    "last_name": "last_name",
    "company": "company",
    "line1": "street",
    "line2": "street_2",
    "city": "city",
    "region_code": "region",
    "postal_code": "postcode",
    "country_code": "country__code",
    "country_name": "country__name",
    "phone": "phone",
}


class ShopOrderSource(ShopWriteBack, DeclarativeOrderSource):
    """Serves the demo shop's orders and refunds, with their items, coupons, payments and shipments,
    and takes back what QuickBooks records (``ShopWriteBack``)."""

    model = "shop.Order"
    number_field = "reference"
    status_field = "state"
    store_field = "channel__name"
    created_field = "placed_at"
    modified_field = "updated_at"

    order_fields = {
        "currency": "currency",
        "paid_at": "paid_at",
        "total": "grand_total",
        "total_tax": "tax_total",
        "shipping_excl_tax": "shipping_fee",
        "shipping_incl_tax": "shipping_fee_gross",
        "shipping_method": "shipping_method",
        # An order may leave in several parcels; QuickBooks has one tracking field.
        "tracking_number": Joined("shipments__tracking_code"),
        "shipped_at": First("shipments__shipped_at"),  # the same query: shipments in their order
        "discount_excl_tax": "discount_total",
        "discount_incl_tax": "discount_total_gross",
        "note": "customer_note",
        "private_note": "staff_note",
        "parent_number": "refund_of__reference",
        "customer.id": "customer_id",
        "customer.email": "email",
        "customer.company": "customer__company",
        "billing_address.email": "email",
        **{f"billing_address.{key}": f"billing_address__{path}" for key, path in ADDRESS_FIELDS.items()},
        **{f"shipping_address.{key}": f"shipping_address__{path}" for key, path in ADDRESS_FIELDS.items()},
    }
    lines = "items"
    line_fields = {
        "sku": "product__sku",
        "name": "product__title",
        "quantity": "quantity",
        "unit_price_excl_tax": "unit_price",
        "unit_price_incl_tax": "unit_price_gross",
        "discount_excl_tax": "line_discount",
        "discount_incl_tax": "line_discount_gross",
    }
    discounts = "coupon_redemptions"
    discount_fields = {
        "name": "coupon__title",
        "code": "coupon__code",
        "amount": "amount",
        # A coupon that lowered no sales tax must not lower the taxable amount in QuickBooks either.
        "non_taxable": ExpressionWrapper(Q(amount_gross=F("amount")), output_field=BooleanField()),
    }
    payments = "payments"
    payment_fields = {
        "amount": "amount",
        "paid_at": "captured_at",
        "method": "method",
        "reference": "transaction_id",
        "id": "pk",
    }
