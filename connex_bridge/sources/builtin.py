"""The default order source: connex_bridge's own Order / Payment models."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet

from connex_bridge.records import (
    AddressRecord,
    CustomerRecord,
    DiscountRecord,
    LineRecord,
    OrderRecord,
    PaymentRecord,
)
from connex_bridge.sources.base import OrderSource

if TYPE_CHECKING:
    from connex_bridge.models import Address, Order


def address_record(address: Address | None) -> AddressRecord | None:
    """The record of a built-in :class:`~connex_bridge.models.Address`."""
    if address is None:
        return None
    return AddressRecord(
        first_name=address.first_name,
        last_name=address.last_name,
        company=address.company,
        line1=address.line1,
        line2=address.line2,
        line3=address.line3,
        city=address.city,
        region_code=address.region_code,
        postal_code=address.postal_code,
        country_name=address.country_name,
        country_code=address.country_code,
        phone=address.phone,
        email=address.email,
    )


class BuiltinOrderSource(OrderSource):
    """Serves :class:`connex_bridge.models.Order` and its lines, discounts and payments."""

    model = "connex_bridge.Order"

    def prefetch(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.select_related("billing_address", "shipping_address").prefetch_related(
            "lines", "discounts", "payments"
        )

    def to_record(self, order: Order) -> OrderRecord:
        billing = address_record(order.billing_address) or AddressRecord(email=order.customer_email)
        return OrderRecord(
            number=order.number,
            id=order.pk,
            other=str(order.pk),
            status=order.status,
            store_name=order.store_name,
            currency=order.currency,
            created_at=order.created_at,
            modified_at=order.modified_at,
            paid_at=order.paid_at,
            total=order.total,
            total_tax=order.total_tax,
            shipping_excl_tax=order.shipping_excl_tax,
            shipping_incl_tax=order.shipping_incl_tax,
            shipping_method=order.shipping_method,
            discount_excl_tax=order.discount_excl_tax,
            discount_incl_tax=order.discount_incl_tax,
            lines=[
                LineRecord(
                    sku=line.sku,
                    name=line.name,
                    quantity=line.quantity,
                    unit_price_excl_tax=line.unit_price_excl_tax,
                    unit_price_incl_tax=line.unit_price_incl_tax,
                    discount_excl_tax=line.discount_excl_tax,
                    discount_incl_tax=line.discount_incl_tax,
                    tax_code=line.tax_code,
                )
                for line in order.lines.all()
            ],
            discounts=[
                DiscountRecord(name=d.name, code=d.code, amount=d.amount, non_taxable=d.non_taxable)
                for d in order.discounts.all()
            ],
            billing_address=billing,
            shipping_address=address_record(order.shipping_address),
            customer=CustomerRecord(
                id=order.customer_id or 0,
                email=order.customer_email,
                company=order.customer_company,
                first_name=billing.first_name,
                last_name=billing.last_name,
            ),
            payment_method=order.payment_method,
            payment_reference=order.payment_reference,
            tracking_number=order.tracking_number,
            shipped_at=order.shipped_at,
            note=order.note,
            private_note=order.private_note,
            invoice_mode=order.invoice_mode,
            parent_number=order.parent_number,
            payments=[
                PaymentRecord(
                    order_number=order.number,
                    amount=p.amount,
                    paid_at=p.paid_at,
                    method=p.method,
                    reference=p.reference,
                    deposit_account=p.deposit_account,
                    id=p.pk,
                    modified_at=p.modified_at,
                )
                for p in order.payments.all()
            ],
        )
