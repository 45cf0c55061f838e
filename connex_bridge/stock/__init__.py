"""Stock adapters: where ``inventory`` writes the stock levels QuickBooks sends."""

from connex_bridge.stock.base import NOT_SUPPORTED, StockAdapter, get_stock_adapter

__all__ = ["NOT_SUPPORTED", "StockAdapter", "get_stock_adapter"]
