"""The test-only OrderSource over tests.altshop: proves the adapter seam."""

from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from connex_bridge.records import AddressRecord, CustomerRecord, LineRecord, OrderRecord, PaymentRecord
from connex_bridge.sources import OrderSource
from tests.altshop.models import Sale


def _money(cents: int) -> Decimal:
    return Decimal(cents).scaleb(-2)


class AltShopSource(OrderSource):
    number_field = "ref"
    status_field = "state"
    store_field = "channel__label"
    created_field = "placed_on"
    modified_field = "touched"

    def get_queryset(self, credential: Any) -> QuerySet[Any]:
        return Sale.objects.all()

    def prefetch(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.select_related("channel").prefetch_related("items", "receipts")

    def to_record(self, order: Any) -> OrderRecord:
        return OrderRecord(
            number=order.ref,
            id=order.pk,
            other=str(order.pk),
            status=order.state,
            store_name=order.channel.label,
            created_at=order.placed_on,
            modified_at=order.touched,
            total=_money(order.total_cents),
            total_tax=_money(order.tax_cents),
            billing_address=AddressRecord(email=order.buyer_email),
            customer=CustomerRecord(email=order.buyer_email),
            lines=[
                LineRecord(
                    sku=item.product_code,
                    name=item.title,
                    quantity=Decimal(item.qty),
                    unit_price_excl_tax=_money(item.price_cents),
                    unit_price_incl_tax=_money(item.price_cents),
                )
                for item in order.items.all()
            ],
            payments=[
                PaymentRecord(order_number=order.ref, amount=_money(r.cents), paid_at=r.taken, method=r.card, id=r.pk)
                for r in order.receipts.all()
            ],
        )
