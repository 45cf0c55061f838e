"""The demo shop's stock and purchasing as Connex for QuickBooks sees them.

``demo_site/settings.py`` names both adapters beside the order source::

    CONNEX_BRIDGE = {
        "ORDER_SOURCE": "shop.connex.ShopOrderSource",
        "STOCK_ADAPTER": "shop.connex_inventory.ShopStockAdapter",
        "PURCHASES_ADAPTER": "shop.connex_inventory.ShopPurchasesAdapter",
    }

Stock: every ``shop.Product`` keeps a whole number in stock, which QuickBooks' quantity on hand
replaces (``inventory``). Purchasing: the purchase orders the shop sends its suppliers, and the
suppliers' bills, with what has arrived of each item (``purchaseorders``).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db.models import QuerySet

from connex_bridge.purchases import PurchasesAdapter
from connex_bridge.records import AddressRecord, PurchaseLineRecord, PurchaseRecord
from connex_bridge.stock import StockAdapter


class ShopStockAdapter(StockAdapter):
    """Sets ``shop.Product.stock_quantity`` (and, with ``INVENTORY_SETS_PRICES``, its price before tax)."""

    model = "shop.Product"
    sku_field = "sku"
    quantity_field = "stock_quantity"
    price_field = "price"
    name_field = "title"


class ShopPurchasesAdapter(PurchasesAdapter):
    """Serves ``shop.PurchaseOrder`` with its supplier, the supplier's address and its items."""

    model = "shop.PurchaseOrder"
    number_field = "reference"
    created_field = "ordered_at"
    modified_field = "updated_at"

    #: The shop's kinds of purchase → Connex's PurchaseType.
    PURCHASE_TYPES = {"order": "PurchaseOrder", "bill": "Bill"}

    def prefetch(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.select_related("supplier__address__country").prefetch_related("items__product")

    def to_record(self, purchase: Any) -> PurchaseRecord:
        supplier = purchase.supplier
        address = supplier.address
        return PurchaseRecord(
            number=purchase.reference,
            purchase_type=self.PURCHASE_TYPES[purchase.kind],
            vendor=supplier.name,
            created_at=purchase.ordered_at,
            modified_at=purchase.updated_at,
            total=purchase.grand_total,
            id=purchase.pk,
            other=str(purchase.pk),
            status=purchase.state,
            currency=purchase.currency,
            total_tax=purchase.tax_total,
            shipping_excl_tax=purchase.freight,
            shipping_incl_tax=purchase.freight,
            vendor_email=supplier.email,
            vendor_address=AddressRecord(
                first_name=address.first_name,
                last_name=address.last_name,
                company=address.company or supplier.name,
                line1=address.street,
                line2=address.street_2,
                city=address.city,
                region_code=address.region,
                postal_code=address.postcode,
                country_code=address.country.code,
                country_name=address.country.name,
                phone=address.phone,
                email=supplier.email,
            ),
            lines=[
                PurchaseLineRecord(
                    sku=item.product.sku,
                    name=item.product.title,
                    quantity=Decimal(item.quantity),
                    quantity_received=Decimal(item.received),
                    unit_cost=item.unit_cost,
                )
                for item in purchase.items.all()
            ],
            note=purchase.note,
        )
