"""The default purchases adapter: connex_bridge's own :class:`~connex_bridge.models.PurchaseOrder`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet

from connex_bridge.purchases.base import PurchasesAdapter
from connex_bridge.records import AddressRecord, PurchaseLineRecord, PurchaseRecord
from connex_bridge.sources.builtin import address_record

if TYPE_CHECKING:
    from connex_bridge.models import PurchaseOrder


class BuiltinPurchasesAdapter(PurchasesAdapter):
    """Serves :class:`~connex_bridge.models.PurchaseOrder` and its lines: two queries per chunk."""

    model = "connex_bridge.PurchaseOrder"

    def prefetch(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.select_related("vendor_address", "ship_to_address").prefetch_related("lines")

    def to_record(self, purchase: PurchaseOrder) -> PurchaseRecord:
        return PurchaseRecord(
            number=purchase.number,
            purchase_type=purchase.purchase_type,
            vendor=purchase.vendor,
            created_at=purchase.created_at,
            modified_at=purchase.modified_at,
            total=purchase.total,
            id=purchase.pk,
            other=str(purchase.pk),
            status=purchase.status,
            currency=purchase.currency,
            total_tax=purchase.total_tax,
            shipping_excl_tax=purchase.shipping,
            shipping_incl_tax=purchase.shipping,
            vendor_email=purchase.vendor_email,
            vendor_address=address_record(purchase.vendor_address) or AddressRecord(),
            ship_to_address=address_record(purchase.ship_to_address),
            lines=[
                PurchaseLineRecord(
                    sku=line.sku,
                    unit_cost=line.unit_cost,
                    name=line.name,
                    quantity=line.quantity,
                    quantity_received=line.quantity_received,
                )
                for line in purchase.lines.all()
            ],
            note=purchase.note,
        )
