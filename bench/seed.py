"""Fast, deterministic seeding of realistic orders into connex_bridge's built-in models.

:func:`seed_orders` writes exactly ``count`` orders over :data:`SPAN` from
:data:`START` (a month that spans New York's switch to daylight saving time):
sales in every status (pending ones unpaid, cancelled ones too), refunds as
their own orders with ``parent_number``, one to eight lines (some sold by
weight, some in bulk), line discounts and coupons, one payment or two (gift
card + card), gifts shipped to another address, guests without an address
(the billing fallback), non-ASCII names and notes. Every order balances to
the cent by the invariant of docs/protocol.md §4.

Rows are built in memory with explicit primary keys and written with
``bulk_create`` in one transaction, so 100,000 orders take well under a minute
on SQLite. ``bulk_create`` calls no ``save()``: ``created_at`` and
``modified_at`` (orders and payments) are set here explicitly, as planned.
One ``random.Random(seed)`` drives every choice: the same arguments give the
same rows, byte for byte.
"""

from __future__ import annotations

import datetime as dt
import random
import string
import time
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TypeVar

from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Model

from connex_bridge.models import Address, Discount, Order, OrderLine, Payment
from connex_bridge.vocabulary import ZERO, cents

K = TypeVar("K")

#: The seeded month starts here; New York moves its clocks on 2025-03-09.
START = dt.datetime(2025, 2, 20, tzinfo=dt.timezone.utc)
SPAN = dt.timedelta(days=30)
BATCH_SIZE = 2000  # Django lowers it further where the backend limits query parameters (SQLite)

#: Share of the orders that are refunds of an earlier shipped sale.
REFUND_SHARE = 0.07
#: Share of eligible (Web, card, >= $20) sales paid in two payments.
SPLIT_SHARE = 0.12
SALE_STATUSES = {
    "pending": 3,
    "paid": 8,
    "awaiting_shipment": 10,
    "shipped": 35,
    "fulfilled": 40,
    "cancelled": 4,
}
SHIPPED = ("shipped", "fulfilled")
STORES = {"Web": 50, "Amazon": 30, "eBay": 20}
LINE_COUNTS = {1: 35, 2: 30, 3: 18, 4: 10, 5: 4, 6: 1.5, 8: 1.5}
CARDS = {"Visa": 40, "MasterCard": 25, "American Express": 10, "Discover": 5, "PayPal": 20}


@dataclass(frozen=True)
class Product:
    """A catalogue item; ``by_weight`` items sell in fractional quantities."""

    sku: str
    name: str
    price: Decimal
    taxable: bool
    by_weight: bool = False


# Prices of by-weight items are multiples of 4 cents, so a quarter of a unit costs whole cents.
CATALOGUE = (
    Product("BEAN-ETH-12", "Ethiopia Yirgacheffe whole bean, 12 oz", Decimal("16.50"), False),
    Product("BEAN-COL-12", "Colombia Huila whole bean, 12 oz", Decimal("14.75"), False),
    Product("BEAN-DEC-12", "Swiss Water decaf, 12 oz", Decimal("15.25"), False),
    Product("BEAN-CREME-12", "Café crème espresso blend, 12 oz", Decimal("17.40"), False),
    Product("BEAN-BULK-KG", "House blend, by the kilogram", Decimal("31.96"), False, by_weight=True),
    Product("TEA-SENCHA-KG", "Sencha 煎茶, by the kilogram", Decimal("88.00"), False, by_weight=True),
    Product("TEA-EARL-100", "Earl Grey, 100 g", Decimal("8.45"), False),
    Product("SHIRT-LOGO-M", "Logo T-shirt, size M", Decimal("22.00"), False),
    Product("MUG-CER-12", "Ceramic mug, 12 oz", Decimal("13.99"), True),
    Product("MUG-ENAMEL", "Enamel camp mug", Decimal("12.24"), True),
    Product("FILTER-V60-100", "V60 paper filters, 100 ct", Decimal("6.49"), True),
    Product("CHEMEX-6", "Chemex 6-cup brewer", Decimal("47.50"), True),
    Product("SCALE-DIG", "Digital pour-over scale", Decimal("34.99"), True),
    Product("KETTLE-GN", "Gooseneck kettle \u201cPro\u201d", Decimal("59.95"), True),
    Product("GRINDER-BURR", "Conical burr grinder", Decimal("129.00"), True),
    Product("SYRUP-VAN", "Vanilla syrup, 750 ml", Decimal("9.99"), True),
    Product("CUP-PAPER-1000", "Paper cups, case of 1000", Decimal("0.09"), True),
)

FIRST_NAMES: tuple[str, ...] = (
    "Zoë",
    "José",
    "François",
    "花子",
    "Γιώργος",
    "Siobhán",
    "Łukasz",
    "Alice",
    "Bob",
    "Carol",
)
FIRST_NAMES += ("David", "Renée", "Björn", "Emily", "Priya", "Ngọc", "Søren", "Ana", "Omar", "Leila")
LAST_NAMES: tuple[str, ...] = (
    "Ångström",
    "Müller",
    "Lefèvre",
    "山田",
    "Παπαδόπουλος",
    "O'Connor",
    "Wójcik",
    "Johnson",
    "Smith",
)
LAST_NAMES += ("Nguyen", "Cohen", "Dubois", "Þórsson", "Carter", "Raman")
COMPANIES = ("Blue Hill Roasters LLC", "Carter & Sons Hardware", "Café Lefèvre")
STREETS = ("Main Street", "Elm Street", "rue Saint-Denis", "Laugavegur")
SHIPPING_METHODS = {"Web": "USPS Priority Mail", "Amazon": "Amazon Standard Shipping", "eBay": "UPS Ground"}
#: city, region code, postal code, country code, sales-tax rate.
PLACES = (
    ("Boston", "MA", "02108", "US", Decimal("0.0625")),
    ("Cambridge", "MA", "02138", "US", Decimal("0.0625")),
    ("Worcester", "MA", "01608", "US", Decimal("0.0625")),
    ("Seattle", "WA", "98101", "US", Decimal("0.1035")),
    ("New York", "NY", "10119", "US", Decimal("0")),
    ("Chicago", "IL", "60647", "US", Decimal("0")),
    ("Austin", "TX", "78701", "US", Decimal("0")),
    ("Montréal", "QC", "H2X 3J8", "CA", Decimal("0")),
    ("千代田区", "東京都", "100-0005", "JP", Decimal("0")),
    ("Αθήνα", "", "105 63", "GR", Decimal("0")),
    ("Reykjavík", "", "101", "IS", Decimal("0")),
)
COUNTRIES = {"US": "United States", "CA": "Canada", "JP": "Japan", "GR": "Greece", "IS": "Iceland"}
NOTES = (
    "Please leave the parcel at the side door.",
    'Gift for "Mum" \u2014 no prices on the slip, please.',
    "Merci ! Livraison après 17 h si possible.",
    "よろしくお願いします。",
    "Ring twice;\nthe bell is quiet.",
    "\U0001f381 Happy birthday!",
)


@dataclass(frozen=True)
class Customer:
    """A shop customer with one postal address."""

    id: int
    first_name: str
    last_name: str
    company: str
    line1: str
    line2: str
    city: str
    region_code: str
    postal_code: str
    country_code: str
    phone: str
    email: str
    tax_rate: Decimal


@dataclass
class SeedReport:
    """What :func:`seed_orders` wrote, and how long it took."""

    orders: int = 0
    refunds: int = 0
    cancelled: int = 0
    lines: int = 0
    payments: int = 0
    discounts: int = 0
    addresses: int = 0
    seconds: float = 0.0
    first_modified: dt.datetime = START
    last_modified: dt.datetime = START

    def summary(self) -> str:
        """One line for the console."""
        rate = self.orders / self.seconds if self.seconds else 0.0
        return (
            f"{self.orders} orders ({self.refunds} refunds, {self.cancelled} cancelled), {self.lines} lines, "
            f"{self.payments} payments, {self.discounts} discounts, {self.addresses} addresses "
            f"in {self.seconds:.2f} s ({rate:,.0f} orders/s)"
        )


class _Seeder:
    """Builds the rows of :func:`seed_orders` in memory, then writes them."""

    def __init__(self, count: int, seed: int) -> None:
        self.count = count
        self.rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
        self.customers = [self._customer(index) for index in range(400)]
        self.addresses: list[Address] = []
        self.orders: list[Order] = []
        self.lines: list[OrderLine] = []
        self.discounts: list[Discount] = []
        self.payments: list[Payment] = []
        # Shipped single-payment sales that may still be refunded, with their refund count.
        self.refundable: list[Order] = []
        self.refund_count: dict[int, int] = {}
        self.lines_of: dict[int, list[OrderLine]] = {}
        self.tax_rate_of: dict[int, Decimal] = {}

    # --- random helpers ------------------------------------------------------------

    def _pick(self, weights: Mapping[K, float]) -> K:
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    def _token(self, length: int, alphabet: str = string.ascii_letters + string.digits) -> str:
        return "".join(self.rng.choices(alphabet, k=length))

    def _customer(self, index: int) -> Customer:
        rng = self.rng
        first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
        city, region, postal, country, rate = rng.choice(PLACES)
        company = rng.choice(COMPANIES) if index % 9 == 0 else ""
        return Customer(
            id=5001 + index,
            first_name=first,
            last_name=last,
            company=company,
            line1=f"{rng.randint(1, 2500)} {rng.choice(STREETS)}",
            line2=f"Apt {rng.randint(1, 40)}" if rng.random() < 0.2 else "",
            city=city,
            region_code=region,
            postal_code=postal,
            country_code=country,
            phone=f"+1 617 555 {rng.randint(0, 9999):04d}",
            email=f"customer{index}@example.com",
            tax_rate=rate,
        )

    def _address(self, customer: Customer, email: str) -> Address:
        address = Address(
            id=len(self.addresses) + 1,
            first_name=customer.first_name,
            last_name=customer.last_name,
            company=customer.company,
            line1=customer.line1,
            line2=customer.line2,
            city=customer.city,
            region_code=customer.region_code,
            postal_code=customer.postal_code,
            country_name=COUNTRIES[customer.country_code],
            country_code=customer.country_code,
            phone=customer.phone,
            email=email,
        )
        self.addresses.append(address)
        return address

    def _reference(self, store: str, method: str, refund: bool = False) -> str:
        if store == "Amazon":
            return f"{self.rng.randint(111, 114)}-{self._token(7, string.digits)}-{self._token(7, string.digits)}"
        if method == "PayPal":
            return self._token(17, string.ascii_uppercase + string.digits)
        if method == "Check":
            return f"Check {self.rng.randint(1001, 4999)}"
        if method == "Gift Card":
            return f"GC-{self._token(4, string.digits)}-{self._token(4, string.digits)}"
        return ("re_" if refund else "ch_") + self._token(24)

    # --- building rows -------------------------------------------------------------

    def _moment(self, index: int) -> dt.datetime:
        """The creation time of order ``index``: spread over the month, in order, with microseconds."""
        step = SPAN / self.count
        return START + step * index + step * self.rng.random()

    def build(self) -> None:
        """Plan every order, in order of creation."""
        for index in range(self.count):
            created = self._moment(index)
            if self.refundable and self.rng.random() < REFUND_SHARE:
                self._refund(self.rng.randrange(len(self.refundable)), created)
            else:
                self._sale(index, created)

    def _new_order(self, **fields: object) -> Order:
        order = Order(id=len(self.orders) + 1, currency="USD", **fields)
        self.orders.append(order)
        return order

    def _line(self, order: Order, product: Product, quantity: Decimal, discount: Decimal, rate: Decimal) -> None:
        taxed = product.taxable and rate > 0
        rate = rate if taxed else Decimal(0)
        line = OrderLine(
            id=len(self.lines) + 1,
            order_id=order.id,
            sku=product.sku,
            name=product.name,
            quantity=quantity,
            unit_price_excl_tax=product.price,
            unit_price_incl_tax=product.price + cents(product.price * rate),
            discount_excl_tax=discount,
            discount_incl_tax=discount + cents(discount * rate),
            tax_code="TAX" if taxed else "NON",
        )
        self.lines.append(line)
        self.lines_of.setdefault(order.id, []).append(line)

    def _balance(self, order: Order, coupons: Sequence[Decimal], shipping: Decimal, rate: Decimal) -> None:
        """Set the order's money from its lines, coupons and shipping (the invariant of docs/protocol.md §4)."""
        lines = self.lines_of.get(order.id, [])
        nets = [cents(line.quantity * line.unit_price_excl_tax) - line.discount_excl_tax for line in lines]
        subtotal = sum(nets, ZERO)
        taxed_net = sum((net for net, line in zip(nets, lines, strict=True) if line.tax_code == "TAX"), ZERO)
        line_tax = sum(
            (cents(net * rate) for net, line in zip(nets, lines, strict=True) if line.tax_code == "TAX"), ZERO
        )
        coupon = sum(coupons, ZERO)
        coupon_tax = cents(coupon * taxed_net / subtotal * rate) if coupon and subtotal else ZERO
        shipping_tax = cents(shipping * rate) if taxed_net else ZERO
        order.total_tax = line_tax + shipping_tax - coupon_tax
        order.total = subtotal - coupon + shipping + order.total_tax
        order.shipping_excl_tax, order.shipping_incl_tax = shipping, shipping + shipping_tax
        order.discount_excl_tax, order.discount_incl_tax = coupon, coupon + coupon_tax

    def _pay(self, order: Order, amount: Decimal, method: str, reference: str, at: dt.datetime) -> None:
        captured_later = self.rng.random() < 0.05
        self.payments.append(
            Payment(
                id=len(self.payments) + 1,
                order_id=order.id,
                amount=amount,
                paid_at=at,
                method=method,
                reference=reference if self.rng.random() < 0.97 else "",  # some gateways send no id
                deposit_account="Undeposited Funds" if method == "Check" else "",
                # bulk_create skips Payment.save(): the payment was last modified when made (or captured).
                modified_at=at + dt.timedelta(hours=self.rng.uniform(1, 48)) if captured_later else at,
            )
        )

    def _sale(self, index: int, created: dt.datetime) -> None:
        rng = self.rng
        store = self._pick(STORES)
        status = self._pick(SALE_STATUSES)
        customer = rng.choice(self.customers)
        guest = rng.random() < 0.1
        relay = f"{self._token(14, string.ascii_lowercase)}@marketplace.amazon.com"  # Amazon hides buyers' emails
        email = relay if store == "Amazon" else customer.email
        gift_to = rng.choice(self.customers) if rng.random() < 0.15 else None
        rate = (gift_to or customer).tax_rate
        billing = None if guest and rng.random() < 0.3 else self._address(customer, email)
        shipping_address = self._address(gift_to, "") if gift_to is not None else None
        paid_at = None if status == "pending" else created + dt.timedelta(seconds=rng.uniform(2, 300))
        shipped_at = created + dt.timedelta(hours=rng.uniform(6, 72)) if status in SHIPPED else None
        modified = {
            "pending": created,
            "paid": paid_at,
            "awaiting_shipment": created + dt.timedelta(hours=rng.uniform(1, 12)),
            "shipped": shipped_at,
            "fulfilled": (shipped_at or created) + dt.timedelta(days=rng.uniform(1, 6)),
            "cancelled": created + dt.timedelta(hours=rng.uniform(1, 20)),
        }[status] or created
        method = (
            "Amazon"
            if store == "Amazon"
            else "eBay Managed Payments"
            if store == "eBay"
            else "Check"
            if customer.company and rng.random() < 0.6
            else self._pick(CARDS)
        )
        order = self._new_order(
            number=f"B{100001 + index}",
            status=status,
            store_name=store,
            created_at=created,
            modified_at=modified,
            paid_at=paid_at,
            billing_address=billing,
            shipping_address=shipping_address,
            customer_id=None if guest else customer.id,
            customer_email=email,
            customer_company=customer.company,
            payment_method=method,
            shipping_method=SHIPPING_METHODS[store],
            tracking_number=("1Z" + self._token(16, string.ascii_uppercase + string.digits)) if shipped_at else "",
            shipped_at=shipped_at,
            note=rng.choice(NOTES) if rng.random() < 0.1 else "",
            private_note="Cancelled at the customer's request; payment voided." if status == "cancelled" else "",
            invoice_mode="SalesOrders" if status == "awaiting_shipment" and rng.random() < 0.2 else "",
        )
        for product in rng.sample(CATALOGUE, self._pick(LINE_COUNTS)):
            if product.by_weight:
                quantity = Decimal(rng.choice(("0.25", "0.5", "1.5", "2", "2.5")))
            elif product.price < 1:
                quantity = Decimal(rng.choice((100, 250, 1000)))
            else:
                quantity = Decimal(rng.choices((1, 2, 3, 4, 12), weights=(60, 25, 9, 4, 2))[0])
            gross = cents(quantity * product.price)
            discount = cents(gross * Decimal("0.10")) if quantity >= 3 else ZERO
            if not discount and store == "Amazon" and rng.random() < 0.15:
                discount = cents(gross * Decimal("0.15"))
            self._line(order, product, quantity, discount, rate)
        subtotal = sum(
            (cents(x.quantity * x.unit_price_excl_tax) - x.discount_excl_tax for x in self.lines_of[order.id]), ZERO
        )
        coupons = self._coupons(order, store, subtotal)
        shipping = ZERO if store == "Web" and subtotal >= 75 else Decimal(rng.choice(("4.99", "6.25", "9.45", "34.50")))
        self._balance(order, coupons, shipping, rate)
        self.tax_rate_of[order.id] = rate
        if paid_at is None:
            order.payment_method = ""
            return
        total = order.total
        if store == "Web" and method not in ("Check", "PayPal") and total >= 20 and rng.random() < SPLIT_SHARE:
            gift = min(Decimal(rng.choice((10, 15, 25, 50))), total - 1)
            self._pay(order, gift, "Gift Card", self._reference(store, "Gift Card"), paid_at)
            reference = self._reference(store, method)
            self._pay(order, total - gift, method, reference, paid_at + dt.timedelta(seconds=2))
        else:
            reference = self._reference(store, method)
            self._pay(order, total, method, reference, paid_at)
            if status in SHIPPED:
                self.refundable.append(order)
        order.payment_reference = reference

    def _coupons(self, order: Order, store: str, subtotal: Decimal) -> list[Decimal]:
        roll = self.rng.random()
        plans: list[tuple[str, str, Decimal]] = []
        if store == "Web" and roll < 0.12:
            plans.append(("10 % off your first order", "WELCOME10", cents(subtotal * Decimal("0.10"))))
            if roll < 0.02 and subtotal >= 40:
                plans.append(("$5 off $40 or more", "SAVE5", Decimal("5.00")))
        elif store == "Web" and roll < 0.22 and subtotal >= 40:
            plans.append(("$5 off $40 or more", "SAVE5", Decimal("5.00")))
        elif store == "eBay" and roll < 0.15:
            plans.append(("eBay seller coupon 8 % off", "EBAY8", cents(subtotal * Decimal("0.08"))))
        for name, code, amount in plans:
            self.discounts.append(
                Discount(
                    id=len(self.discounts) + 1,
                    order_id=order.id,
                    name=name,
                    code=code,
                    amount=amount,
                    non_taxable=code == "SAVE5",
                )
            )
        return [amount for _, _, amount in plans]

    def _refund(self, position: int, created: dt.datetime) -> None:
        """A refund of the sale at ``position`` in :attr:`refundable`: a full refund, or one returned line."""
        rng = self.rng
        sale = self.refundable[position]
        count = self.refund_count.get(sale.id, 0) + 1
        self.refund_count[sale.id] = count
        if count == 2 or rng.random() < 0.3:  # at most two refunds per sale
            self.refundable[position] = self.refundable[-1]
            self.refundable.pop()
        created = max(created, (sale.shipped_at or sale.created_at) + dt.timedelta(hours=rng.uniform(1, 48)))
        refund = self._new_order(
            number=f"{sale.number}-R{count}",
            status="refunded" if rng.random() < 0.9 else "Cancelled",  # statuses match in any case
            store_name=sale.store_name,
            created_at=created,
            modified_at=created,
            paid_at=created,
            billing_address=sale.billing_address,
            shipping_address=sale.shipping_address,
            customer_id=sale.customer_id,
            customer_email=sale.customer_email,
            customer_company=sale.customer_company,
            payment_method=sale.payment_method,
            private_note=rng.choice(("Returned: arrived damaged.", "Returned unopened within 30 days.")),
            parent_number=sale.number,
        )
        rate = self.tax_rate_of[sale.id]
        sale_lines = self.lines_of[sale.id]
        full = count == 1 and rng.random() < 0.3
        returned = sale_lines if full else [rng.choice(sale_lines)]
        for line in returned:
            quantity = line.quantity if full or line.quantity <= 1 else Decimal(rng.randint(1, int(line.quantity)))
            share = cents(line.discount_excl_tax * quantity / line.quantity)
            product = Product(line.sku, line.name, line.unit_price_excl_tax, line.tax_code == "TAX")
            self._line(refund, product, quantity, share, rate)
        self._balance(refund, [sale.discount_excl_tax] if full and sale.discount_excl_tax else [], ZERO, rate)
        self._pay(refund, refund.total, sale.payment_method, self._reference(sale.store_name, "", refund=True), created)
        # A refund is a change to the sale: it reappears in the next modified-date window.
        sale.modified_at = max(sale.modified_at, created)

    def write(self) -> None:
        """Insert every row in one transaction (explicit ids: no RETURNING needed)."""
        tables: list[tuple[type[Model], list[Model]]] = [
            (Address, list(self.addresses)),
            (Order, list(self.orders)),
            (OrderLine, list(self.lines)),
            (Discount, list(self.discounts)),
            (Payment, list(self.payments)),
        ]
        with transaction.atomic():
            for model, rows in tables:
                model._default_manager.bulk_create(rows, batch_size=BATCH_SIZE)
            # Explicit ids leave PostgreSQL's sequences behind; move them past the rows.
            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(no_style(), [model for model, _ in tables]):
                    cursor.execute(sql)


def seed_orders(count: int, seed: int = 1) -> SeedReport:
    """Write ``count`` realistic orders (refunds included) into an empty database."""
    if count < 1:
        raise ValueError(f"count must be at least 1, not {count}")
    started = time.perf_counter()
    seeder = _Seeder(count, seed)
    seeder.build()
    seeder.write()
    modified = [order.modified_at for order in seeder.orders]
    return SeedReport(
        orders=len(seeder.orders),
        refunds=sum(1 for order in seeder.orders if order.parent_number),
        cancelled=sum(1 for order in seeder.orders if order.status == "cancelled"),
        lines=len(seeder.lines),
        payments=len(seeder.payments),
        discounts=len(seeder.discounts),
        addresses=len(seeder.addresses),
        seconds=time.perf_counter() - started,
        first_modified=min(modified),
        last_modified=max(modified),
    )
