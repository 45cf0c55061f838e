"""Order sources: where connex_bridge reads the orders it serves to Connex."""

from connex_bridge.sources.base import OrderSource

__all__ = ["OrderSource"]
