"""Purchases adapters: where ``purchaseorders`` reads the shop's purchase orders and bills."""

from connex_bridge.purchases.base import NOT_SUPPORTED, PurchasesAdapter, get_purchases_adapter

__all__ = ["NOT_SUPPORTED", "PurchasesAdapter", "get_purchases_adapter"]
