"""Deterministic demo orders for the demo shop, in its own models (:mod:`shop.models`).

:func:`seed_demo_shop` fills the shop with a month of realistic sales from three
sales channels: taxed and untaxed items, shipping, coupons, split payments,
shipments, cancellations and refunds, customers with non-ASCII names, and
products whose stock the sales drew down. Every order balances to the cent by
the invariant of docs/protocol.md §4, in :class:`~decimal.Decimal`::

    sum of items (quantity * unit price - line discount) - coupon discount + shipping fee + tax == grand total

and the payments of every order sum to its total. One ``random.Random(seed)``
drives every choice, so the same ``seed`` and ``now`` give the same orders,
numbers and amounts on every run.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import string
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any, TypeVar

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Model, Q
from django.utils import timezone
from shop.models import (
    Address,
    Channel,
    Country,
    Coupon,
    CouponRedemption,
    Customer,
    Order,
    OrderItem,
    Payment,
    Product,
    Shipment,
)

from connex_bridge.vocabulary import ZERO, cents

T = TypeVar("T")
M = TypeVar("M", bound=Model)

#: Every demo order number starts with this; seeding replaces exactly these orders.
PREFIX = "D"  # short: QuickBooks keeps 11 characters of a reference number
DEMO_NUMBER = re.compile(r"D[0-9]{5,}(-R[0-9]+)?")
FIRST_NUMBER = 10001
#: Massachusetts sales tax, charged on taxable goods shipped to MA.
MA_TAX_RATE = Decimal("0.0625")
#: Orders are created over this many days before ``now``.
DAYS = 30

State = Order.State
#: Sale states, in the order an order moves through them.
SALE_STATUSES = (State.PAID, State.PACKED, State.DISPATCHED, State.DELIVERED)
CANCELLED = State.CANCELLED
REFUNDED = State.REFUNDED
SHIPPED_STATUSES = (State.DISPATCHED, State.DELIVERED)
#: Relative share of each state among the sales.
STATUS_WEIGHTS = {State.PAID: 8, State.PACKED: 10, State.DISPATCHED: 35, State.DELIVERED: 42, CANCELLED: 5}
STORE_WEIGHTS = {"Web": 50, "Amazon": 30, "eBay": 20}
#: Share of eligible sales paid in two payments, refunded, refunded twice.
SPLIT_SHARE = 0.12
REFUND_SHARE = 0.08
SECOND_REFUND_SHARE = 0.3


# --- the catalogue and the customers -------------------------------------------


@dataclass(frozen=True)
class CatalogueItem:
    """A product of the demo shop; ``taxable`` is its Massachusetts tax status, ``stock`` what the
    shop had before the month's sales."""

    sku: str
    title: str
    price: Decimal
    taxable: bool
    stock: int


# Coffee and tea are food and the T-shirt is clothing under $175: both exempt
# from MA sales tax, so orders mix taxed and untaxed lines. Odd prices make
# the per-line rounding matter (12.24 * 6.25 % = 0.765 rounds half up to 0.77).
CATALOGUE = (
    CatalogueItem("BEAN-ETH-12", "Ethiopia Yirgacheffe whole bean, 12 oz", Decimal("16.50"), False, 240),
    CatalogueItem("BEAN-COL-12", "Colombia Huila whole bean, 12 oz", Decimal("14.75"), False, 260),
    CatalogueItem("BEAN-DEC-12", "Swiss Water decaf, 12 oz", Decimal("15.25"), False, 120),
    CatalogueItem("BEAN-CREME-12", "Café crème espresso blend, 12 oz", Decimal("17.40"), False, 200),
    CatalogueItem("TEA-SENCHA-50", "Sencha green tea, 50 g", Decimal("9.80"), False, 150),
    CatalogueItem("TEA-EARL-100", "Earl Grey, 100 g", Decimal("8.45"), False, 180),
    CatalogueItem("SHIRT-LOGO-M", "Logo T-shirt, size M", Decimal("22.00"), False, 80),
    CatalogueItem("MUG-CER-12", "Ceramic mug, 12 oz", Decimal("13.99"), True, 140),
    CatalogueItem("MUG-ENAMEL", "Enamel camp mug", Decimal("12.24"), True, 90),
    CatalogueItem("FILTER-V60-100", "V60 paper filters, 100 ct", Decimal("6.49"), True, 400),
    CatalogueItem("CHEMEX-6", "Chemex 6-cup brewer", Decimal("47.50"), True, 70),
    CatalogueItem("SCALE-DIG", "Digital pour-over scale", Decimal("34.99"), True, 75),
    CatalogueItem("KETTLE-GN", "Gooseneck kettle", Decimal("59.95"), True, 60),
    CatalogueItem("GRINDER-BURR", "Conical burr grinder", Decimal("129.00"), True, 55),
)


@dataclass(frozen=True)
class Person:
    """A customer (or a gift recipient) with one postal address."""

    first_name: str
    last_name: str
    line1: str
    city: str
    region_code: str
    postal_code: str
    country_name: str
    country_code: str
    phone: str
    email: str
    company: str
    line2: str


COUNTRIES = {"US": "United States", "CA": "Canada", "JP": "Japan", "GR": "Greece", "IS": "Iceland"}

# first|last|company|line 1|line 2|city|state|postal code|country|phone|email
# Half of them in Massachusetts (taxed), the rest elsewhere in the US or abroad
# (untaxed); names and addresses in several scripts, as real shops see them.
_CUSTOMER_TABLE = """
Zoë|Ångström||12 Brattle Street|Apt 3|Cambridge|MA|02138|US|+1 617 555 0142|zoe.angstrom@example.com
José|Müller||88 Highland Avenue||Somerville|MA|02143|US|+1 617 555 0178|jose.muller@example.com
François|Lefèvre|Café Lefèvre|1250 rue Saint-Denis||Montréal|QC|H2X 3J8|CA|+1 514 555 0199|francois.lefevre@example.ca
花子|山田||丸の内1-1-1||千代田区|東京都|100-0005|JP|+81 3 5555 0100|hanako.yamada@example.jp
Γιώργος|Παπαδόπουλος||Οδός Ερμού 12||Αθήνα||105 63|GR|+30 21 0555 0123|g.papadopoulos@example.gr
Siobhán|O'Connor||45 Tremont Street|Unit 7|Boston|MA|02108|US|+1 617 555 0111|siobhan.oconnor@example.com
Łukasz|Wójcik||2150 N Milwaukee Ave||Chicago|IL|60647|US|+1 312 555 0166|lukasz.wojcik@example.com
Alice|Johnson||310 Main Street||Worcester|MA|01608|US|+1 508 555 0134|alice.johnson@example.com
Bob|Smith||77 Westminster Street||Providence|RI|02903|US|+1 401 555 0190|bob.smith@example.com
Carol|Nguyen|Blue Hill Roasters LLC|5 Harbor Way||Gloucester|MA|01930|US|+1 978 555 0155|orders@bluehill.example.com
David|Cohen||1 Penn Plaza|Suite 2100|New York|NY|10119|US|+1 212 555 0147|david.cohen@example.com
Renée|Dubois||19 Elm Street||Northampton|MA|01060|US|+1 413 555 0102|renee.dubois@example.com
Björn|Þórsson||Laugavegur 26||Reykjavík||101|IS|+354 555 0123|bjorn.thorsson@example.is
Emily|Carter|Carter & Sons Hardware|400 Congress Avenue||Austin|TX|78701|US|+1 512 555 0188|buying@carter.example.com
María José|Núñez||1600 Ocean Drive||Miami Beach|FL|33139|US|+1 305 555 0129|mj.nunez@example.com
Priya|Raman||9 Massachusetts Avenue||Lexington|MA|02420|US|+1 781 555 0172|priya.raman@example.com
"""


def _person(row: str) -> Person:
    first, last, company, line1, line2, city, region, postal, country, phone, email = (
        cell.strip() for cell in row.split("|")
    )
    return Person(
        first_name=first,
        last_name=last,
        company=company,
        line1=line1,
        line2=line2,
        city=city,
        region_code=region,
        postal_code=postal,
        country_name=COUNTRIES[country],
        country_code=country,
        phone=phone,
        email=email,
    )


CUSTOMERS = tuple(_person(row) for row in _CUSTOMER_TABLE.strip().splitlines())

WEB_CARDS = {"Visa": 40, "MasterCard": 25, "American Express": 10, "Discover": 5, "PayPal": 20}
CUSTOMER_NOTES = (
    "Please leave the parcel at the side door.",
    "Gift: please leave the prices off the packing slip.",
    "Merci ! Livraison après 17 h si possible.",
    "よろしくお願いします。",
    "Ring twice, the bell is quiet.",
)
REFUND_REASONS = (
    "Returned: arrived damaged.",
    "Returned: wrong grind ordered.",
    "Returned unopened within 30 days.",
    "Refund: parcel lost in transit.",
)


@dataclass(frozen=True)
class ShippingOption:
    """A shipping method with its price (excl. tax) and carrier."""

    method: str
    price: Decimal
    carrier: str  # "UPS", "USPS" or "Amazon": picks the tracking number's form


SHIPPING = {
    ("Web", "domestic"): (
        ShippingOption("USPS Ground Advantage", Decimal("5.95"), "USPS"),
        ShippingOption("USPS Priority Mail", Decimal("9.45"), "USPS"),
        ShippingOption("UPS Ground", Decimal("12.40"), "UPS"),
    ),
    ("Amazon", "domestic"): (
        ShippingOption("Amazon Standard Shipping", Decimal("4.99"), "Amazon"),
        ShippingOption("Amazon Expedited Shipping", Decimal("8.99"), "Amazon"),
    ),
    ("eBay", "domestic"): (ShippingOption("USPS Ground Advantage", Decimal("6.25"), "USPS"),),
    ("Web", "abroad"): (ShippingOption("USPS Priority Mail International", Decimal("34.50"), "USPS"),),
    ("Amazon", "abroad"): (ShippingOption("Amazon Global Standard", Decimal("14.98"), "Amazon"),),
    ("eBay", "abroad"): (ShippingOption("eBay International Shipping", Decimal("19.80"), "USPS"),),
}
#: Web orders of at least this much (excl. tax) ship free.
FREE_SHIPPING_FROM = Decimal("75.00")
FREE_SHIPPING = ShippingOption("Free shipping (USPS Ground Advantage)", ZERO, "USPS")


# --- plans: what an order will be, before it is written -------------------------


@dataclass
class LinePlan:
    """One line: ``quantity`` of ``product`` less ``discount`` (excl. tax, whole line)."""

    product: CatalogueItem
    quantity: int
    discount: Decimal = ZERO

    @property
    def net(self) -> Decimal:
        """The line's amount excl. tax, after its discount."""
        return self.quantity * self.product.price - self.discount


@dataclass
class CouponPlan:
    """An order-level coupon; ``amount`` is excl. tax."""

    name: str
    code: str
    amount: Decimal


@dataclass
class PaymentPlan:
    """One payment towards an order; ``method`` as the receipt names it (Visa, PayPal, Check …)."""

    amount: Decimal
    method: str
    reference: str
    paid_at: dt.datetime


@dataclass
class Totals:
    """An order's money, computed from its lines, coupon, shipping and tax rate."""

    subtotal: Decimal
    total_tax: Decimal
    total: Decimal
    shipping_incl: Decimal
    discount_incl: Decimal
    coupon_taxed: bool


@dataclass
class OrderPlan:
    """Everything about one demo order; :func:`_write` turns plans into rows."""

    number: str
    store: str
    status: str
    created: dt.datetime
    customer: Person
    email: str
    ship_to: Person | None = None
    lines: list[LinePlan] = field(default_factory=list)
    coupon: CouponPlan | None = None
    shipping: ShippingOption = FREE_SHIPPING
    ship_taxed: bool = False
    modified: dt.datetime | None = None
    paid_at: dt.datetime | None = None
    shipped_at: dt.datetime | None = None
    tracking: str = ""
    payments: list[PaymentPlan] = field(default_factory=list)
    note: str = ""
    private_note: str = ""
    parent_number: str = ""

    @property
    def destination(self) -> Person:
        """Where the goods go; it decides the sales tax."""
        return self.ship_to or self.customer

    @property
    def rate(self) -> Decimal:
        """The sales-tax rate of this order's destination."""
        where = self.destination
        return MA_TAX_RATE if (where.country_code, where.region_code) == ("US", "MA") else Decimal("0")

    def taxed(self, line: LinePlan) -> bool:
        """Whether ``line`` carries tax on this order."""
        return line.product.taxable and self.rate > 0

    def line_tax(self, line: LinePlan) -> Decimal:
        """The tax of one line: its net amount times the rate, rounded per line."""
        return cents(line.net * self.rate) if self.taxed(line) else ZERO

    def totals(self) -> Totals:
        """The order's money. ``total`` follows from the parts, so the invariant holds by construction."""
        subtotal = sum((line.net for line in self.lines), ZERO)
        taxed_net = sum((line.net for line in self.lines if self.taxed(line)), ZERO)
        line_tax = sum((self.line_tax(line) for line in self.lines), ZERO)
        coupon = self.coupon.amount if self.coupon else ZERO
        # The coupon lowers the taxable amount by its share of the taxed lines.
        coupon_taxable = cents(coupon * taxed_net / subtotal) if coupon and taxed_net else ZERO
        coupon_tax = cents(coupon_taxable * self.rate)
        shipping = self.shipping.price
        shipping_tax = cents(shipping * self.rate) if self.ship_taxed else ZERO
        total_tax = line_tax + shipping_tax - coupon_tax
        return Totals(
            subtotal=subtotal,
            total_tax=total_tax,
            total=subtotal - coupon + shipping + total_tax,
            shipping_incl=shipping + shipping_tax,
            discount_incl=coupon + coupon_tax,
            coupon_taxed=coupon_tax > 0,
        )


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

    @property
    def orders(self) -> int:
        """All rows written: sales (cancelled ones included) and refunds."""
        return self.sales + self.refunds

    def summary(self) -> str:
        """One line for the console."""
        stores = ", ".join(f"{name} {count}" for name, count in self.by_store.items())
        statuses = ", ".join(f"{name} {count}" for name, count in self.by_status.items())
        return (
            f"Seeded {self.sales} demo orders ({self.first_number}…{self.last_number}) and {self.refunds} refunds "
            f"over the last {DAYS} days; channels: {stores}; states: {statuses}; "
            f"{self.split_payments} paid in two payments."
        )


# --- random helpers ---------------------------------------------------------------


def _spread(rng: random.Random, count: int, weights: dict[str, int]) -> list[str]:
    """``count`` names in proportion to ``weights`` (largest remainder), each at
    least once when ``count`` allows, shuffled. Unlike independent draws, a small
    demo still shows every store and status.
    """
    names = list(weights)
    scale = sum(weights.values())
    exact = {name: count * weights[name] / scale for name in names}
    counts = {name: int(exact[name]) for name in names}
    for name in sorted(names, key=lambda n: exact[n] - counts[n], reverse=True)[: count - sum(counts.values())]:
        counts[name] += 1
    if count >= len(names):
        for name in names:
            while counts[name] == 0:
                donor = max(names, key=lambda n: counts[n])
                counts[donor] -= 1
                counts[name] += 1
    result = [name for name in names for _ in range(counts[name])]
    rng.shuffle(result)
    return result


def _pick(rng: random.Random, weights: dict[str, int]) -> str:
    return rng.choices(list(weights), weights=list(weights.values()))[0]


def _token(rng: random.Random, length: int, alphabet: str = string.ascii_letters + string.digits) -> str:
    return "".join(rng.choices(alphabet, k=length))


def _digits(rng: random.Random, length: int) -> str:
    return _token(rng, length, string.digits)


def _between(rng: random.Random, start: dt.datetime, end: dt.datetime) -> dt.datetime:
    """A whole-second moment in ``[start, end]`` (``start`` when the span is empty)."""
    span = int((end - start).total_seconds())
    return start + dt.timedelta(seconds=rng.randint(0, span)) if span > 0 else start


def _sample(rng: random.Random, items: Sequence[T], share: float) -> list[T]:
    """About ``share`` of ``items`` (at least one when there are any), in their original order."""
    if not items:
        return []
    chosen = set(rng.sample(range(len(items)), max(1, round(share * len(items)))))
    return [item for index, item in enumerate(items) if index in chosen]


def _reference(rng: random.Random, store: str, method: str, refund: bool = False) -> str:
    """A gateway transaction id in the form the store's payment processor uses."""
    if store == "Amazon":
        return f"{rng.randint(111, 114)}-{_digits(rng, 7)}-{_digits(rng, 7)}"
    if store == "eBay":
        return f"{_digits(rng, 2)}-{_digits(rng, 5)}-{_digits(rng, 5)}"
    if method == "PayPal":
        return _token(rng, 17, string.ascii_uppercase + string.digits)
    if method == "Check":
        return f"Check {rng.randint(1001, 4999)}"
    if method == "Gift Card":
        return f"GC-{_digits(rng, 4)}-{_digits(rng, 4)}"
    return ("re_" if refund else "ch_") + _token(rng, 24)


def _tracking(rng: random.Random, carrier: str) -> str:
    if carrier == "UPS":
        return "1Z" + _token(rng, 6, string.ascii_uppercase + string.digits) + _digits(rng, 10)
    if carrier == "Amazon":
        return "TBA" + _digits(rng, 12)
    return "9400" + _digits(rng, 18)


# --- planning ---------------------------------------------------------------------


def _plan_sales(rng: random.Random, count: int, now: dt.datetime) -> list[OrderPlan]:
    """``count`` sales (cancelled ones included), numbered in order of creation."""
    latest = now - dt.timedelta(minutes=1)
    created = sorted(now - dt.timedelta(seconds=rng.randint(60, DAYS * 86_400)) for _ in range(count))
    stores = _spread(rng, count, STORE_WEIGHTS)
    statuses = _status_by_age(rng, created, now)
    plans: list[OrderPlan] = []
    for index, (moment, store, status) in enumerate(zip(created, stores, statuses, strict=True)):
        customer = CUSTOMERS[rng.randrange(len(CUSTOMERS))]
        plan = OrderPlan(
            number=f"{PREFIX}{FIRST_NUMBER + index}",
            store=store,
            status=status,
            created=moment,
            customer=customer,
            # Amazon hides buyers' email addresses behind a relay address.
            email=f"{_token(rng, 14, string.ascii_lowercase + string.digits)}@marketplace.amazon.com"
            if store == "Amazon"
            else customer.email,
        )
        if rng.random() < 0.15:
            # A gift, sent to someone else; the recipient's state decides the tax.
            plan.ship_to = rng.choice([p for p in CUSTOMERS if p is not customer])
        _plan_lines(rng, plan)
        _plan_shipping(rng, plan)
        _plan_timeline(rng, plan, latest)
        if rng.random() < 0.1:
            plan.note = rng.choice(CUSTOMER_NOTES)
        if status == CANCELLED:
            plan.private_note = "Cancelled at the customer's request before shipment; payment refunded."
        plans.append(plan)
    _plan_payments(rng, plans)
    return plans


def _status_by_age(rng: random.Random, created: list[dt.datetime], now: dt.datetime) -> list[str]:
    """Statuses in their planned proportions, the later stages going to the older orders.

    ``created`` is sorted oldest first. A little noise on the age keeps the
    boundaries between stages as ragged as in a real shop.
    """
    statuses = _spread(rng, len(created), STATUS_WEIGHTS)
    result: list[str] = [CANCELLED if status == CANCELLED else "" for status in statuses]
    stages = sorted((s for s in statuses if s != CANCELLED), key=SALE_STATUSES.index, reverse=True)
    open_indexes = [i for i, status in enumerate(result) if not status]
    noisy_age = {i: (now - created[i]).total_seconds() + rng.gauss(0, 2 * 86_400) for i in open_indexes}
    for index, status in zip(sorted(open_indexes, key=lambda i: -noisy_age[i]), stages, strict=True):
        result[index] = status
    return result


def _plan_lines(rng: random.Random, plan: OrderPlan) -> None:
    """Lines, line discounts and the coupon."""
    line_count = rng.choices([1, 2, 3, 4], weights=[45, 30, 17, 8])[0] if plan.store != "Amazon" else rng.randint(1, 2)
    for product in rng.sample(CATALOGUE, line_count):
        quantity = rng.choices([1, 2, 3, 4], weights=[60, 25, 10, 5])[0]
        line = LinePlan(product, quantity)
        if quantity >= 3:
            # Bundle price: 10 % off three or more of one item.
            line.discount = cents(quantity * product.price * Decimal("0.10"))
        elif plan.store == "Amazon" and rng.random() < 0.15:
            # An Amazon promotion, reported on the line.
            line.discount = cents(product.price * Decimal("0.15"))
        plan.lines.append(line)
    subtotal = sum((line.net for line in plan.lines), ZERO)
    roll = rng.random()
    if plan.store == "Web" and roll < 0.12:
        plan.coupon = CouponPlan("10 % off your first order", "WELCOME10", cents(subtotal * Decimal("0.10")))
    elif plan.store == "Web" and roll < 0.22 and subtotal >= Decimal("40.00"):
        plan.coupon = CouponPlan("$5 off $40 or more", "SAVE5", Decimal("5.00"))
    elif plan.store == "eBay" and roll < 0.15:
        plan.coupon = CouponPlan("eBay seller coupon 8 % off", "EBAY8", cents(subtotal * Decimal("0.08")))


def _plan_shipping(rng: random.Random, plan: OrderPlan) -> None:
    """The shipping method; shipping is taxed on MA orders holding a taxable item.

    (A simplification of Massachusetts' rule on delivery charges; it gives the
    demo both taxed and untaxed shipping.)
    """
    region = "domestic" if plan.destination.country_code == "US" else "abroad"
    subtotal = sum((line.net for line in plan.lines), ZERO)
    if plan.store == "Web" and region == "domestic" and subtotal >= FREE_SHIPPING_FROM:
        plan.shipping = FREE_SHIPPING
    else:
        plan.shipping = rng.choice(SHIPPING[(plan.store, region)])
    plan.ship_taxed = plan.shipping.price > 0 and any(plan.taxed(line) for line in plan.lines)


def _plan_timeline(rng: random.Random, plan: OrderPlan, latest: dt.datetime) -> None:
    """Paid, shipped, delivered and last-modified times, all between creation and ``latest``."""
    created = plan.created
    plan.paid_at = min(created + dt.timedelta(seconds=rng.randint(5, 300)), latest)
    if plan.status in SHIPPED_STATUSES:
        age = latest - created
        delay = dt.timedelta(hours=rng.uniform(6, 72))
        plan.shipped_at = _between(rng, created, created + min(delay, age * 0.8))
        plan.tracking = _tracking(rng, plan.shipping.carrier)
        if plan.status == State.DELIVERED:
            plan.modified = _between(rng, plan.shipped_at, min(plan.shipped_at + dt.timedelta(days=6), latest))
        else:
            plan.modified = plan.shipped_at
    elif plan.status == State.PACKED:
        plan.modified = _between(rng, plan.paid_at, min(created + dt.timedelta(hours=12), latest))
    elif plan.status == CANCELLED:
        plan.modified = _between(rng, plan.paid_at, min(created + dt.timedelta(hours=20), latest))
    else:
        plan.modified = plan.paid_at


def _plan_payments(rng: random.Random, plans: list[OrderPlan]) -> None:
    """One payment per order, or two (gift card first, then a card) for some Web orders."""
    for plan in plans:
        total = plan.totals().total
        if plan.store == "Amazon":
            method = "Amazon"
        elif plan.store == "eBay":
            method = "eBay Managed Payments"
        elif plan.customer.company and rng.random() < 0.6:
            method = "Check"
        else:
            method = _pick(rng, WEB_CARDS)
        paid_at = plan.paid_at or plan.created
        plan.payments = [PaymentPlan(total, method, _reference(rng, plan.store, method), paid_at)]
    candidates = [
        p
        for p in plans
        if p.store == "Web" and p.payments[0].method not in ("Check", "PayPal") and p.totals().total >= Decimal("20")
    ]
    for plan in _sample(rng, candidates, SPLIT_SHARE):
        card = plan.payments[0]
        # The gift card covers part of the total; the card pays the rest (at least $1).
        gift = min(Decimal(rng.choice([10, 15, 25, 50])), card.amount - Decimal("1.00"))
        plan.payments = [
            PaymentPlan(gift, "Gift Card", _reference(rng, plan.store, "Gift Card"), card.paid_at),
            PaymentPlan(card.amount - gift, card.method, card.reference, card.paid_at + dt.timedelta(seconds=2)),
        ]


def _plan_refunds(rng: random.Random, sales: list[OrderPlan], now: dt.datetime) -> list[OrderPlan]:
    """Refunds of some shipped sales: a full refund, or one or two returned lines.

    Each refund is its own order, numbered ``<sale>-R1``, ``-R2``, with the
    sale's number in ``parent_number``. A refund is a modification of the sale,
    so the sale's ``modified`` moves to the latest refund.
    """
    latest = now - dt.timedelta(minutes=1)
    candidates = [s for s in sales if s.status in SHIPPED_STATUSES and len(s.payments) == 1]
    refunds: list[OrderPlan] = []
    for sale in _sample(rng, candidates, REFUND_SHARE):
        sale_total = sale.totals().total
        returned: list[LinePlan] = []
        after = sale.shipped_at or sale.created
        for count in (1, 2):
            if count == 2 and (rng.random() >= SECOND_REFUND_SHARE or len(returned) == len(sale.lines)):
                break
            created = _between(rng, after, min(after + dt.timedelta(days=9), latest))
            refund = _refund(sale, f"{sale.number}-R{count}", created)
            full = count == 1 and (rng.random() < 0.3 or (len(sale.lines) == 1 and sale.lines[0].quantity == 1))
            if full:
                refund.lines = [LinePlan(line.product, line.quantity, line.discount) for line in sale.lines]
                refund.coupon = sale.coupon
                refund.shipping, refund.ship_taxed = sale.shipping, sale.ship_taxed
            else:
                line = rng.choice([line for line in sale.lines if line not in returned])
                returned.append(line)
                refund.lines = [_returned_line(sale, line, rng.randint(1, line.quantity))]
                refund.shipping = ShippingOption("", ZERO, "")
            already = sum((r.totals().total for r in refunds if r.parent_number == sale.number), ZERO)
            if already + refund.totals().total > sale_total:
                break  # rounding would refund more than was paid: keep the refunds so far
            refund.payments = [
                PaymentPlan(
                    refund.totals().total,
                    sale.payments[0].method,
                    _reference(rng, sale.store, sale.payments[0].method, refund=True),
                    refund.created,
                )
            ]
            refund.paid_at = refund.modified = refund.created
            refund.private_note = rng.choice(REFUND_REASONS)
            refunds.append(refund)
            # Staff note the refund on the sale, so the sale changes too.
            sale.private_note = "\n".join(filter(None, [sale.private_note, f"Refunded in {refund.number}."]))
            sale.modified = max(sale.modified or sale.created, refund.created)
            after = refund.created
            if full:
                break
    return refunds


def _refund(sale: OrderPlan, number: str, created: dt.datetime) -> OrderPlan:
    """An empty refund of ``sale``: same store, customer and addresses."""
    return OrderPlan(
        number=number,
        store=sale.store,
        status=REFUNDED,
        created=created,
        customer=sale.customer,
        email=sale.email,
        ship_to=sale.ship_to,
        parent_number=sale.number,
    )


def _returned_line(sale: OrderPlan, line: LinePlan, quantity: int) -> LinePlan:
    """``quantity`` of ``line`` coming back, net of its share of the line discount and the coupon."""
    gross = quantity * line.product.price
    own_discount = cents(line.discount * quantity / line.quantity)
    subtotal = sum((sale_line.net for sale_line in sale.lines), ZERO)
    coupon_share = cents(sale.coupon.amount * (gross - own_discount) / subtotal) if sale.coupon and subtotal else ZERO
    return LinePlan(line.product, quantity, own_discount + coupon_share)


# --- writing ----------------------------------------------------------------------

#: The provider behind each way to pay that is not a card; cards go through Stripe.
PROVIDERS = {
    "PayPal": Payment.Provider.PAYPAL,
    "Check": Payment.Provider.MANUAL,
    "Gift Card": Payment.Provider.GIFT_CARD,
    "Amazon": Payment.Provider.AMAZON,
    "eBay Managed Payments": Payment.Provider.EBAY,
}


def _upsert(model: type[M], key: str, rows: list[dict[str, Any]]) -> dict[Any, M]:
    """Create or update one ``model`` row per dict, matched on ``key``; the rows by key."""
    return {row[key]: model._default_manager.update_or_create(**{key: row[key]}, defaults=row)[0] for row in rows}


def _stock(plans: list[OrderPlan]) -> dict[str, int]:
    """What each product has left: its opening stock, less what the sales took, plus what came back.

    Cancelled sales never left the shelf. A shop that sold out stops at zero.
    """
    taken: Counter[str] = Counter()
    for plan in plans:
        if plan.status != CANCELLED:
            for line in plan.lines:
                taken[line.product.sku] += -line.quantity if plan.parent_number else line.quantity
    return {item.sku: max(0, item.stock - taken[item.sku]) for item in CATALOGUE}


def _address(person: Person, countries: dict[str, Country]) -> Address:
    return Address(
        first_name=person.first_name,
        last_name=person.last_name,
        company=person.company,
        street=person.line1,
        street_2=person.line2,
        city=person.city,
        region=person.region_code,
        postcode=person.postal_code,
        country=countries[person.country_code],
        phone=person.phone,
    )


def _insert(objects: Sequence[Model]) -> None:
    """Insert ``objects`` so that each gets its primary key."""
    if not objects:
        return
    if connection.features.can_return_rows_from_bulk_insert:
        type(objects[0])._default_manager.bulk_create(objects)
    else:  # e.g. MySQL: bulk_create would leave the primary keys unset
        for obj in objects:
            obj.save(force_insert=True)


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


def _write(plans: list[OrderPlan]) -> None:
    """Write the planned orders the way the shop stores them, with everything they refer to."""
    countries = _upsert(Country, "code", [{"code": code, "name": name} for code, name in COUNTRIES.items()])
    channels = _upsert(Channel, "name", [{"name": name} for name in STORE_WEIGHTS])
    customers = _upsert(
        Customer,
        "email",
        [
            {
                "email": p.email,
                "first_name": p.first_name,
                "last_name": p.last_name,
                "company": p.company,
                "phone": p.phone,
            }
            for p in CUSTOMERS
        ],
    )
    stock = _stock(plans)
    products = _upsert(
        Product,
        "sku",
        [
            {
                "sku": item.sku,
                "title": item.title,
                "price": item.price,
                "taxable": item.taxable,
                "stock_quantity": stock[item.sku],
            }
            for item in CATALOGUE
        ],
    )
    used_coupons = {plan.coupon.code: plan.coupon.name for plan in plans if plan.coupon is not None}
    coupons = _upsert(Coupon, "code", [{"code": code, "title": title} for code, title in used_coupons.items()])

    billing = [_address(plan.customer, countries) for plan in plans]
    shipping = [_address(plan.destination, countries) for plan in plans]
    _insert([*billing, *shipping])

    orders: dict[str, Order] = {}
    for plan, bill_to, ship_to in zip(plans, billing, shipping, strict=True):
        totals = plan.totals()
        orders[plan.number] = Order(
            reference=plan.number,
            state=plan.status,
            channel=channels[plan.store],
            customer=customers[plan.customer.email],
            email=plan.email,
            placed_at=_stored(plan.created),
            paid_at=_stored(plan.paid_at),
            currency="USD",
            billing_address=bill_to,
            shipping_address=ship_to,
            shipping_method=plan.shipping.method,
            items_total=totals.subtotal,
            discount_total=plan.coupon.amount if plan.coupon else ZERO,
            discount_total_gross=totals.discount_incl,
            shipping_fee=plan.shipping.price,
            shipping_fee_gross=totals.shipping_incl,
            tax_total=totals.total_tax,
            grand_total=totals.total,
            customer_note=plan.note,
            staff_note=plan.private_note,
            refund_of=orders.get(plan.parent_number),
        )
    # Sales before refunds: a refund needs its sale's primary key.
    _insert([orders[plan.number] for plan in plans if not plan.parent_number])
    _insert([orders[plan.number] for plan in plans if plan.parent_number])

    items: list[OrderItem] = []
    redemptions: list[CouponRedemption] = []
    payments: list[Payment] = []
    shipments: list[Shipment] = []
    for plan in plans:
        order = orders[plan.number]
        for line in plan.lines:
            rate = plan.rate if plan.taxed(line) else Decimal("0")
            items.append(
                OrderItem(
                    order=order,
                    product=products[line.product.sku],
                    quantity=line.quantity,
                    unit_price=line.product.price,
                    unit_price_gross=line.product.price + cents(line.product.price * rate),
                    line_discount=line.discount,
                    line_discount_gross=line.discount + cents(line.discount * rate),
                )
            )
        if plan.coupon is not None:
            redemptions.append(
                CouponRedemption(
                    order=order,
                    coupon=coupons[plan.coupon.code],
                    amount=plan.coupon.amount,
                    amount_gross=plan.totals().discount_incl,
                )
            )
        payments.extend(
            Payment(
                order=order,
                provider=PROVIDERS.get(p.method, Payment.Provider.STRIPE),
                method=p.method,
                amount=p.amount,
                captured_at=_stored(p.paid_at),
                transaction_id=p.reference,
            )
            for p in plan.payments
        )
        if plan.shipped_at is not None:
            shipments.append(
                Shipment(
                    order=order,
                    carrier=plan.shipping.carrier,
                    tracking_code=plan.tracking,
                    shipped_at=_stored(plan.shipped_at),
                )
            )
    # bulk_create sends no signals, so shop.models.touch_order leaves updated_at alone here.
    OrderItem.objects.bulk_create(items)
    CouponRedemption.objects.bulk_create(redemptions)
    Payment.objects.bulk_create(payments)
    Shipment.objects.bulk_create(shipments)
    # updated_at is auto_now, so the inserts stamped the wall clock; the demo's orders were
    # last changed when their plans say (and reseeding must give the same data).
    # bulk_update() writes the values as they are.
    for plan in plans:
        orders[plan.number].updated_at = _stored(plan.modified or plan.created)
    Order.objects.bulk_update(orders.values(), ["updated_at"])


def _stored(moment: dt.datetime | None) -> dt.datetime | None:
    """A planned (aware) time as the database keeps it: naive local time when ``USE_TZ`` is off."""
    if moment is None or settings.USE_TZ:
        return moment
    return timezone.make_naive(moment)


def seed_demo_shop(orders: int, seed: int, now: dt.datetime | None = None) -> SeedReport:
    """Replace the demo orders with ``orders`` deterministic sales (plus their refunds).

    Sales are created over the :data:`DAYS` days before ``now`` (default: the
    current time) and numbered ``D10001``, ``D10002``… in order of
    creation; refunds are extra orders numbered ``<sale>-R1``. The same
    ``orders``, ``seed`` and ``now`` always give the same data. Orders whose
    number does not start with ``D`` are left alone. Runs in one transaction.
    """
    if orders < 1:
        raise ValueError(f"orders must be at least 1, not {orders}.")
    now = now or dt.datetime.now(dt.timezone.utc)  # aware even when USE_TZ is off
    if timezone.is_naive(now):
        raise ValueError("now must be an aware datetime.")
    now = now.replace(microsecond=0)
    rng = random.Random(seed)
    sales = _plan_sales(rng, orders, now)
    refunds = _plan_refunds(rng, sales, now)
    with transaction.atomic():
        delete_demo_orders()
        _write(sales + refunds)

    statuses = Counter(plan.status for plan in sales + refunds)
    stores = Counter(plan.store for plan in sales)
    return SeedReport(
        sales=len(sales),
        refunds=len(refunds),
        split_payments=sum(1 for plan in sales if len(plan.payments) > 1),
        first_number=sales[0].number,
        last_number=sales[-1].number,
        by_store={name: stores[name] for name in STORE_WEIGHTS if stores[name]},
        by_status={name: statuses[name] for name in (*SALE_STATUSES, CANCELLED, REFUNDED) if statuses[name]},
    )
