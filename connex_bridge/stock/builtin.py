"""The default stock adapter: connex_bridge's own :class:`~connex_bridge.models.Product`."""

from __future__ import annotations

from connex_bridge.stock.base import StockAdapter


class BuiltinStockAdapter(StockAdapter):
    """Sets :class:`~connex_bridge.models.Product` stock levels (whole units) and, when asked, prices."""

    model = "connex_bridge.Product"
    sku_field = "sku"
    quantity_field = "stock_quantity"
    price_field = "price"
    name_field = "name"
    tracks_stock_field = "tracks_stock"
