"""Order sources: where connex_bridge reads the orders it serves to Connex."""

from connex_bridge.sources.base import OrderSource, get_order_source, import_order_source
from connex_bridge.sources.declarative import DeclarativeOrderSource
from connex_bridge.sources.rows import First, Joined

__all__ = ["DeclarativeOrderSource", "First", "Joined", "OrderSource", "get_order_source", "import_order_source"]
