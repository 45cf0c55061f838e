"""Order sources: where connex_bridge reads the orders it serves to Connex."""

from connex_bridge.sources.base import OrderSource, get_order_source, import_order_source
from connex_bridge.sources.declarative import DeclarativeOrderSource

__all__ = ["DeclarativeOrderSource", "OrderSource", "get_order_source", "import_order_source"]
