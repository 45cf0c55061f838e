"""The JSON shop served by a hand-written order source: plain code, no field maps.

It sends Connex exactly what the declarative ``tests.jsonshop.source.JsonShopSource`` sends
(tests/test_jsonshop.py holds them to the same bytes); docs/connect-your-shop.md shows this file
from its imports on.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import Prefetch, QuerySet

from connex_bridge.records import (
    AddressRecord,
    CustomerRecord,
    DiscountRecord,
    LineRecord,
    OrderRecord,
    PaymentRecord,
)
from connex_bridge.sources import OrderSource
from tests.jsonshop.models import Order, OrderItem, Payment


def extra_rows(order: Order, kind: str) -> list[dict[str, Any]]:
    """The rows of one kind ("tax", "shipping" or "coupon") the shop keeps in the order's ``_extra``."""
    return [row for row in order._extra.get("rows", []) if row["kind"] == kind]


def extra_amount(order: Order, kind: str) -> Decimal:
    """What the rows of one kind add up to. The shop writes amounts as text ("4.50")."""
    # Start from Decimal(0), not 0: an order without such rows still gets a Decimal.
    return sum((Decimal(row["amount"]) for row in extra_rows(order, kind)), Decimal(0))


class JsonShopHandWrittenSource(OrderSource):
    # --- which rows: the fields Connex's query string filters on -------------------------------
    model = "jsonshop.Order"  # get_queryset() defaults to its manager: every order of the shop
    # number_field = "number" and status_field = "status" are the defaults, and the shop's names.
    store_field = None  # one store, so no field to filter on ...
    store_name = "Shop"  # ... and every order's StoreName is this
    created_field = "date_created"
    # date_updated does not move when a payment is added, so it cannot be the modified time.
    # Instead connex_bridge records a change whenever one of these models is saved or deleted
    # (model -> path from it to the order's pk).
    modified_field = None
    track_changes = {"jsonshop.Order": "pk", "jsonshop.OrderItem": "order_id", "jsonshop.Payment": "order_id"}

    # --- the queries: one per relation, however many orders ------------------------------------
    def prefetch(self, queryset: QuerySet[Order]) -> QuerySet[Order]:
        # Without this, to_record() would run two queries per order. Each Prefetch is ordered so
        # that lines and payments come in the same order on every poll and on every database.
        return queryset.prefetch_related(
            Prefetch("items", queryset=OrderItem.objects.order_by("pk")),
            Prefetch("payments", queryset=Payment.objects.order_by("pk")),
        )

    # --- one order as Connex should see it -----------------------------------------------------
    def to_record(self, order: Order) -> OrderRecord:
        coupons = [
            DiscountRecord(name=row["label"], code=row["code"], amount=Decimal(row["amount"]))
            for row in extra_rows(order, "coupon")
        ]
        # The order's discount is what its coupons took off, together.
        discount = sum((coupon.amount for coupon in coupons), Decimal("0.00"))
        shipping = extra_amount(order, "shipping")
        # A blank free-text address has no line: None ships to the billing address.
        shipping_address = AddressRecord.from_text(order.shipping_address) if order.shipping_address.strip() else None
        payments = [
            PaymentRecord(
                order_number=order.number,
                amount=payment.amount,
                paid_at=payment.created,
                method=payment.provider,
                reference=payment.transaction_id,
            )
            for payment in order.payments.all()
        ]
        # The payment that settled the order (the last one) is the one a sales receipt names.
        settled_by = payments[-1] if payments else PaymentRecord(amount=Decimal(0), paid_at=order.date_created)
        return OrderRecord(
            number=order.number,
            id=order.pk,
            other=str(order.pk),  # Connex echoes it back when it reports on the order
            status=order.status,
            store_name=self.store_name_of(order),
            created_at=order.date_created,
            # Not date_updated: the order's last change as track_changes recorded it (else its creation).
            modified_at=self.modified_at(order),
            total=order.total,
            currency="USD",  # the shop sells in one currency and stores none
            total_tax=extra_amount(order, "tax"),
            # Sales tax is one amount on the order, not part of shipping or of a coupon: the amounts
            # including tax are those without.
            shipping_excl_tax=shipping,
            shipping_incl_tax=shipping,
            discount_excl_tax=discount,
            discount_incl_tax=discount,
            lines=[
                LineRecord(
                    sku=item.product_data.get("code", ""),  # the product as it was when ordered
                    name=item.product_data.get("name", ""),
                    quantity=Decimal(item.quantity),
                    unit_price_excl_tax=item.price,  # unit_price_incl_tax defaults to the same
                    taxable=True,  # the order's sales tax applies to every line, though prices carry none
                )
                for item in order.items.all()
            ],
            payments=payments,
            payment_method=settled_by.method,
            payment_reference=settled_by.reference,
            discounts=coupons,
            customer=CustomerRecord(email=order.email),
            billing_address=AddressRecord.from_text(order.billing_address),
            shipping_address=shipping_address,
        )
