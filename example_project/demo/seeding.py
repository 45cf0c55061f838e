"""Deterministic demo orders for the demo shop, in its own models (:mod:`shop.models`).

:func:`seed_demo_shop` fills the shop with a month of realistic orders from
:func:`connex_bridge.testing.specs.generate_specs` (three sales channels, taxed and untaxed
items, shipping, coupons, split payments, shipments, cancellations and refunds, customers with
non-ASCII names), written by the demo's own harness (:meth:`shop.harness.DemoShopHarness.bulk_create`),
the same orders the contract suite and the benchmark see. What is the demo's own lives here:
which orders are the demo's (numbers ``D10001``…, replaced on every run, the shop's own left
alone), the month before ``now`` they are spread over, and the stock the sales drew down.

Every order balances to the cent by the invariant of docs/protocol.md §4, and the payments of
every order sum to its total. The same ``orders``, ``seed`` and ``now`` give the same orders,
numbers and amounts on every run.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TypeVar

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from shop.harness import DemoShopHarness
from shop.models import Address, Country, Order, Product, PurchaseOrder, PurchaseOrderItem, Supplier

from connex_bridge.testing.clock import db_time
from connex_bridge.testing.harness import OrderSpec
from connex_bridge.testing.specs import CATALOGUE, PREFIX, REFUNDED, SALE_STATUSES, STORES, generate_specs
from connex_bridge.vocabulary import cents

__all__ = [
    "CATALOGUE",
    "DAYS",
    "OPENING_STOCK",
    "PREFIX",
    "SUPPLIERS",
    "SeedReport",
    "delete_demo_orders",
    "seed_demo_shop",
    "seed_purchase_orders",
]

T = TypeVar("T")

#: Every demo order number is of this form; seeding replaces exactly these orders.
DEMO_NUMBER = re.compile(r"D[0-9]{5,}(-R[0-9]+)?")
#: Orders are created over this many days before ``now``.
DAYS = 30
CANCELLED = "cancelled"
#: What the shop had of each product before the month's sales.
OPENING_STOCK = {
    "BEAN-ETH-12": 240,
    "BEAN-COL-12": 260,
    "BEAN-DEC-12": 120,
    "BEAN-CREME-12": 200,
    "TEA-SENCHA-50": 150,
    "TEA-EARL-100": 180,
    "SHIRT-LOGO-M": 80,
    "MUG-CER-12": 140,
    "MUG-ENAMEL": 90,
    "FILTER-V60-100": 400,
    "CHEMEX-6": 70,
    "SCALE-DIG": 75,
    "KETTLE-GN": 60,
    "GRINDER-BURR": 55,
}


@dataclass
class SeedReport:
    """What :func:`seed_demo_shop` created."""

    sales: int = 0
    refunds: int = 0
    split_payments: int = 0
    first_number: str = ""
    last_number: str = ""
    by_store: dict[str, int] = field(default_factory=dict)
    by_status: dict[str, int] = field(default_factory=dict)
    purchase_orders: int = 0

    @property
    def orders(self) -> int:
        """All rows written: sales (cancelled ones included) and refunds."""
        return self.sales + self.refunds

    def summary(self) -> str:
        """One line for the console."""
        stores = ", ".join(f"{name} {count}" for name, count in self.by_store.items())
        statuses = ", ".join(f"{name} {count}" for name, count in self.by_status.items())
        return (
            f"Seeded {self.orders} demo orders: {self.sales} sales ({self.first_number}…{self.last_number}) and "
            f"{self.refunds} refunds over the last {DAYS} days; channels: {stores}; states: {statuses}; "
            f"{self.split_payments} paid in two payments; {self.purchase_orders} purchase orders and bills "
            "to the shop's suppliers."
        )


def _stock(specs: list[OrderSpec]) -> dict[str, int]:
    """What each product has left: its opening stock, less what the sales took, plus what came back.

    Cancelled sales never left the shelf. A shop that sold out stops at zero.
    """
    taken: Counter[str] = Counter()
    for spec in specs:
        if spec.status != CANCELLED:
            for line in spec.lines:
                taken[line.sku] += -line.quantity if spec.parent_number else line.quantity
    return {sku: max(0, stock - taken[sku]) for sku, stock in OPENING_STOCK.items()}


#: The demo's suppliers: name, email, street, city, state, ZIP, and the SKUs the shop buys from each.
SUPPLIERS = (
    ("Highland Coffee Importers", "orders@highland-coffee.example", "400 Harbor Way", "Oakland", "CA", "94607",
     ("BEAN-ETH-12", "BEAN-COL-12", "BEAN-DEC-12", "BEAN-CREME-12")),
    ("Kyoto Tea Traders", "sales@kyoto-tea.example", "18 Mercer Street", "New York", "NY", "10013",
     ("TEA-SENCHA-50", "TEA-EARL-100")),
    ("Brewware Supply Co.", "accounts@brewware.example", "2250 Industrial Pkwy", "Columbus", "OH", "43207",
     ("MUG-CER-12", "MUG-ENAMEL", "FILTER-V60-100", "CHEMEX-6", "SCALE-DIG", "KETTLE-GN", "GRINDER-BURR")),
)  # fmt: skip
#: Every demo purchase order number is of this form; seeding replaces exactly these.
DEMO_PURCHASE_NUMBER = re.compile(r"PO-[0-9]{4}")
#: Unit costs are this share of the catalogue price.
COST_SHARE = Decimal("0.45")


def seed_purchase_orders(now: dt.datetime) -> int:
    """Replace the demo's purchase orders (``PO-1001``…) with two per supplier; return how many.

    For each supplier: a purchase order sent a week before ``now``, half of it received, and a bill
    for a delivery two weeks before ``now``, all of it received. Items cost :data:`COST_SHARE` of the
    catalogue price; freight is a flat $12.50 and no sales tax is charged on stock bought for resale,
    so every total balances: Σ quantity × unit cost + freight.
    """
    references = PurchaseOrder.objects.filter(reference__startswith="PO-").values_list("pk", "reference")
    demo = [pk for pk, reference in references if DEMO_PURCHASE_NUMBER.fullmatch(reference)]
    PurchaseOrder.objects.filter(pk__in=demo).delete()
    country, _ = Country.objects.get_or_create(code="US", defaults={"name": "United States"})
    prices = dict(Product.objects.values_list("sku", "price"))
    number = 1001
    for index, (name, email, street, city, region, postcode, skus) in enumerate(SUPPLIERS):
        supplier = Supplier.objects.filter(name=name).first()
        if supplier is None:
            address = Address.objects.create(
                first_name="Accounts", last_name="Receivable", company=name, street=street, city=city,
                region=region, postcode=postcode, country=country,
            )  # fmt: skip
            supplier = Supplier.objects.create(name=name, email=email, address=address)
        for kind, days, received_share in ((PurchaseOrder.Kind.ORDER, 7, 2), (PurchaseOrder.Kind.BILL, 14, 1)):
            quantities = [12 * (1 + (index + position) % 3) for position in range(len(skus))]
            costs = [cents(prices[sku] * COST_SHARE) for sku in skus]
            freight = Decimal("12.50")
            purchase = PurchaseOrder.objects.create(
                reference=f"PO-{number}",
                supplier=supplier,
                kind=kind,
                state=PurchaseOrder.State.PART_RECEIVED if received_share == 2 else PurchaseOrder.State.RECEIVED,
                ordered_at=db_time(now - dt.timedelta(days=days, hours=index)),
                freight=freight,
                grand_total=sum((q * c for q, c in zip(quantities, costs, strict=True)), freight),
            )
            PurchaseOrderItem.objects.bulk_create(
                PurchaseOrderItem(
                    purchase_order=purchase,
                    product=Product.objects.get(sku=sku),
                    quantity=quantity,
                    received=quantity // received_share,
                    unit_cost=cost,
                )
                for sku, quantity, cost in zip(skus, quantities, costs, strict=True)
            )
            number += 1
    return number - 1001


def _chunks(items: Sequence[T], size: int = 500) -> list[Sequence[T]]:
    # Keeps every IN (...) list under SQLite's and Oracle's parameter limits.
    return [items[start : start + size] for start in range(0, len(items), size)]


def delete_demo_orders() -> int:
    """Delete every demo order (reference starting with ``D``) and its addresses; return how many.

    Products, customers, channels, coupons and countries stay: the shop's own orders may use them.
    """
    rows = Order.objects.filter(reference__startswith=PREFIX).values_list(
        "pk", "reference", "refund_of_id", "billing_address_id", "shipping_address_id"
    )
    # LIKE is case-insensitive on SQLite and MySQL, and a shop's own references may
    # start with D too: keep only references of the demo's exact form.
    demo = [row for row in rows if DEMO_NUMBER.fullmatch(row[1])]
    # Refunds first: a sale that has refunds is protected from deletion.
    refund_ids = [row[0] for row in demo if row[2] is not None]
    sale_ids = [row[0] for row in demo if row[2] is None]
    address_ids = sorted({pk for row in demo for pk in row[3:] if pk is not None})
    for chunk in [*_chunks(refund_ids), *_chunks(sale_ids)]:
        Order.objects.filter(pk__in=chunk).delete()
    for chunk in _chunks(address_ids):
        still_used = Order.objects.filter(Q(billing_address_id__in=chunk) | Q(shipping_address_id__in=chunk))
        used = {pk for pair in still_used.values_list("billing_address_id", "shipping_address_id") for pk in pair}
        Address.objects.filter(pk__in=[pk for pk in chunk if pk not in used]).delete()
    return len(demo)


def seed_demo_shop(orders: int, seed: int, now: dt.datetime | None = None) -> SeedReport:
    """Replace the demo orders with ``orders`` deterministic orders: sales and, among them, refunds.

    Orders are created over the :data:`DAYS` days before ``now`` (default: the current time);
    sales are numbered ``D10001``, ``D10002``… in order of creation, refunds ``<sale>-R1``. The
    same ``orders``, ``seed`` and ``now`` always give the same data. Orders whose number is not of
    the demo's form are left alone. Runs in one transaction.
    """
    if orders < 1:
        raise ValueError(f"orders must be at least 1, not {orders}.")
    now = now or dt.datetime.now(dt.timezone.utc)  # aware even when USE_TZ is off
    if timezone.is_naive(now):
        raise ValueError("now must be an aware datetime.")
    now = now.replace(microsecond=0)
    span = dt.timedelta(days=DAYS)
    # Everything happens by a minute before now, so a window ending now holds the whole demo.
    specs = generate_specs(orders, seed, start=now - span, span=span - dt.timedelta(minutes=1), prefix=PREFIX)
    with transaction.atomic():
        delete_demo_orders()
        for item in CATALOGUE:  # the whole catalogue, sold this month or not
            Product.objects.update_or_create(
                sku=item.sku, defaults={"title": item.name, "price": item.price, "taxable": item.taxable}
            )
        DemoShopHarness().bulk_create(specs)
        for sku, stock in _stock(specs).items():
            Product.objects.filter(sku=sku).update(stock_quantity=stock)
        purchase_orders = seed_purchase_orders(now)

    sales = [spec for spec in specs if not spec.parent_number]
    statuses = Counter(spec.status for spec in specs)
    stores = Counter(spec.store for spec in specs)
    return SeedReport(
        sales=len(sales),
        refunds=len(specs) - len(sales),
        split_payments=sum(1 for spec in specs if len(spec.payment_amounts) > 1),
        first_number=sales[0].number if sales else "",
        last_number=sales[-1].number if sales else "",
        by_store={name: stores[name] for name in STORES if stores[name]},
        by_status={name: statuses[name] for name in (*SALE_STATUSES, REFUNDED) if statuses[name]},
        purchase_orders=purchase_orders,
    )
