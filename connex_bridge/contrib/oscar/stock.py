"""django-oscar's stock records, as ``inventory`` sets them.

::

    CONNEX_BRIDGE = {
        "ORDER_SOURCE": "connex_bridge.contrib.oscar.source.OscarOrderSource",
        "STOCK_ADAPTER": "connex_bridge.contrib.oscar.stock.OscarStockAdapter",
        "PURCHASES_ADAPTER": None,  # Oscar has no purchase orders: purchaseorders answers 501
    }

QuickBooks' item name is matched to a stock record's ``partner_sku``, and its quantity on hand
becomes the record's ``num_in_stock`` (Oscar's physical stock: ``num_allocated``, the units
reserved for orders not shipped yet, is left as it is, so Oscar's net stock is what QuickBooks
holds less what Oscar has promised). With ``INVENTORY_SETS_PRICES`` the ``Amount`` becomes the
record's ``price``. A product whose product class (or, for a variant, its parent's) has
``track_stock`` off is refused. Records are written with ``bulk_update``: Oscar's low-stock alerts,
which hang on a stock record's ``save()``, are not raised by a push.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import BooleanField, F, QuerySet, Value
from django.db.models.functions import Coalesce, NullIf

from connex_bridge.stock.base import NAME_ANNOTATION, TRACKS_ANNOTATION, StockAdapter

if TYPE_CHECKING:
    from connex_bridge.models import ConnexCredential


class OscarStockAdapter(StockAdapter):
    """Sets ``partner.StockRecord.num_in_stock`` (and, when asked, ``price``) by ``partner_sku``."""

    model = "partner.StockRecord"
    sku_field = "partner_sku"
    quantity_field = "num_in_stock"
    price_field = "price"
    name_field = None
    #: The name of the partner (warehouse, supplier) whose stock records QuickBooks sets; ``None``:
    #: every partner's. Partner SKUs are unique per partner only, so without it a SKU two partners
    #: use is refused, with a reason naming the fix.
    partner_name: str | None = None

    def scope(self, queryset: QuerySet[Any], credential: ConnexCredential) -> QuerySet[Any]:
        if self.partner_name is not None:
            queryset = queryset.filter(partner__name=self.partner_name)
        return queryset

    def annotate(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        # A variant's title and product class may be empty: its parent's stand in, as in Oscar.
        return queryset.annotate(
            **{
                NAME_ANNOTATION: Coalesce(NullIf(F("product__title"), Value("")), F("product__parent__title")),
                TRACKS_ANNOTATION: Coalesce(
                    F("product__product_class__track_stock"),
                    F("product__parent__product_class__track_stock"),
                    Value(True),
                    output_field=BooleanField(),
                ),
            }
        )

    def quantity_of(self, row: Any) -> Any:
        # num_in_stock may be NULL ("not tracked yet"): never equal to a quantity QuickBooks sends.
        value = getattr(row, self.quantity_field)
        return -1 if value is None else value
