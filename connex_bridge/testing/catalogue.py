"""Harnesses for the catalogue side's tests: ``inventory`` and ``purchaseorders``, per shop.

A :class:`StockHarness` makes products in one shop and reads back what it holds; a
:class:`PurchasesHarness` makes purchase orders and bills. tests/test_inventory.py and
tests/test_purchaseorders.py run once per harness (the built-in models here, the demo shop's
and django-oscar's beside their adapters), so every shop is held to the same answers.

Needs nothing beyond Django; nothing at run time imports this module.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from connex_bridge.testing.clock import db_time
from connex_bridge.vocabulary import ZERO


class StockHarness:
    """Makes products in one shop for the ``inventory`` tests. Subclass per stock adapter."""

    #: Short name, shown in test ids.
    name: str = "shop"
    #: ``CONNEX_BRIDGE`` settings that select this shop's stock adapter.
    connex_settings: dict[str, Any] = {}
    #: False when the shop has no product that keeps no stock (:meth:`product` then ignores ``tracks_stock``).
    can_skip_stock: bool = True

    def product(
        self,
        sku: str,
        *,
        quantity: int = 0,
        price: Decimal = Decimal("10.00"),
        name: str = "",
        tracks_stock: bool = True,
    ) -> None:
        """Create a product with this SKU, stock level, price (before tax) and name."""
        raise NotImplementedError

    def held(self, sku: str) -> tuple[Decimal, Decimal]:
        """The stock level and price the shop holds for ``sku``."""
        raise NotImplementedError


class BuiltinStockHarness(StockHarness):
    """connex_bridge's own :class:`~connex_bridge.models.Product`."""

    name = "builtin"
    connex_settings = {"STOCK_ADAPTER": "connex_bridge.stock.builtin.BuiltinStockAdapter"}

    def product(
        self,
        sku: str,
        *,
        quantity: int = 0,
        price: Decimal = Decimal("10.00"),
        name: str = "",
        tracks_stock: bool = True,
    ) -> None:
        from connex_bridge.models import Product

        Product.objects.create(
            sku=sku, name=name or sku, stock_quantity=quantity, price=price, tracks_stock=tracks_stock
        )

    def held(self, sku: str) -> tuple[Decimal, Decimal]:
        from connex_bridge.models import Product

        product = Product.objects.get(sku=sku)
        return Decimal(product.stock_quantity), product.price


@dataclass
class PurchaseSpec:
    """One purchase order or bill to create: what every shop's harness makes of it is the same answer.

    ``lines`` are ``(sku, quantity, quantity_received, unit_cost)``; :attr:`total` balances them with
    the freight and tax.
    """

    number: str
    vendor: str = "Acme Supplies"
    purchase_type: str = "PurchaseOrder"
    lines: list[tuple[str, int, int, Decimal]] = field(
        default_factory=lambda: [("BEAN-ETH-12", 24, 12, Decimal("7.43")), ("MUG-CER-12", 6, 0, Decimal("4.10"))]
    )
    freight: Decimal = Decimal("12.50")
    tax: Decimal = ZERO
    created_at: dt.datetime | None = None
    modified_at: dt.datetime | None = None
    vendor_city: str = "Oakland"

    @property
    def total(self) -> Decimal:
        return sum((quantity * cost for _sku, quantity, _received, cost in self.lines), self.freight + self.tax)


class PurchasesHarness:
    """Makes purchase orders and bills in one shop for the ``purchaseorders`` tests."""

    name: str = "shop"
    connex_settings: dict[str, Any] = {}
    #: The queries one ``purchaseorders`` answer takes, however many purchases it holds (up to a chunk).
    poll_queries: int = 2

    def purchase(self, spec: PurchaseSpec) -> None:
        """Create the purchase the shop's own way, then pin its times."""
        raise NotImplementedError

    def touch(self, number: str) -> None:
        """Change one line of purchase ``number`` the shop's usual way (it must count as a change)."""
        raise NotImplementedError


class BuiltinPurchasesHarness(PurchasesHarness):
    """connex_bridge's own :class:`~connex_bridge.models.PurchaseOrder`."""

    name = "builtin"
    poll_queries = 2  # the purchases with their addresses, their lines
    connex_settings = {"PURCHASES_ADAPTER": "connex_bridge.purchases.builtin.BuiltinPurchasesAdapter"}

    def purchase(self, spec: PurchaseSpec) -> None:
        from connex_bridge.models import Address, PurchaseOrder, PurchaseOrderLine

        address = Address.objects.create(company=spec.vendor, line1="400 Harbor Way", city=spec.vendor_city,
                                         region_code="CA", postal_code="94607", country_code="US")  # fmt: skip
        purchase = PurchaseOrder.objects.create(
            number=spec.number,
            purchase_type=spec.purchase_type,
            vendor=spec.vendor,
            vendor_address=address,
            shipping=spec.freight,
            total_tax=spec.tax,
            total=spec.total,
        )
        for sku, quantity, received, cost in spec.lines:
            PurchaseOrderLine.objects.create(
                purchase_order=purchase,
                sku=sku,
                name=sku,
                quantity=quantity,
                quantity_received=received,
                unit_cost=cost,
            )
        times = {"created_at": spec.created_at, "modified_at": spec.modified_at or spec.created_at}
        PurchaseOrder.objects.filter(pk=purchase.pk).update(
            **{k: db_time(v) for k, v in times.items() if v is not None}
        )

    def touch(self, number: str) -> None:
        from connex_bridge.models import PurchaseOrderLine

        line = PurchaseOrderLine.objects.filter(purchase_order__number=number).first()
        assert line is not None  # noqa: S101 - a test helper
        line.quantity_received += 1
        line.save()
