"""Deterministic, realistic orders as :class:`~connex_bridge.testing.harness.OrderSpec`: one generator for every shop.

:func:`generate_specs` plans a small US coffee shop's month: sales on its web site and two
marketplaces (Amazon, eBay) in every stage from paid to delivered, cancellations, and refunds as
orders of their own whose ``parent_number`` names the sale; one to four lines from a catalogue
of taxed and untaxed goods (Massachusetts taxes mugs, not coffee), bundle and marketplace line
discounts, coupons, shipping by carrier with tracking numbers, split payments (a gift card, then
a card), customers with non-ASCII names, notes, and gifts shipped to someone else (whose state
decides the tax).

The specs are shop-neutral: each harness's :meth:`~connex_bridge.testing.harness.ShopHarness.bulk_create`
writes them the shop's own way, so the demo shop, the benchmark's built-in tables and any host's
models hold the same orders and Connex must get the same answer from each. Every spec balances by
the invariant of docs/protocol.md §4 (its totals are computed from its parts), and the payments of
every order sum to its total.

One ``random.Random(seed)`` drives every choice and nothing reads the clock: the same arguments give
the same specs, byte for byte.
"""

from __future__ import annotations

import datetime as dt
import random
import string
from collections.abc import Mapping
from dataclasses import dataclass, replace
from decimal import Decimal
from typing import TypeVar

from connex_bridge.testing.harness import AddressSpec, LineSpec, OrderSpec
from connex_bridge.vocabulary import ZERO, cents

K = TypeVar("K")

#: The default month starts here: New York moves its clocks on 2025-03-09, inside it.
START = dt.datetime(2025, 2, 20, tzinfo=dt.timezone.utc)
SPAN = dt.timedelta(days=30)
#: Sales are numbered ``D10001``, ``D10002``… in order of creation; refunds ``D10001-R1``. Short:
#: QuickBooks keeps 11 characters of a reference number.
PREFIX = "D"
FIRST_NUMBER = 10001

#: Massachusetts sales tax, charged on taxable goods shipped to MA.
MA_TAX_RATE = Decimal("0.0625")
#: Sale statuses (the demo shop's states) and their shares; refunds are ``refunded``.
SALE_STATUSES: dict[str, float] = {"paid": 8, "packed": 10, "dispatched": 35, "delivered": 42, "cancelled": 5}
SHIPPED = ("dispatched", "delivered")
REFUNDED = "refunded"
STORES: dict[str, float] = {"Web": 50, "Amazon": 30, "eBay": 20}
#: Share of the orders that are refunds of an earlier shipped sale.
REFUND_SHARE = 0.07
#: Share of eligible (Web, card, >= $20) sales paid in two payments.
SPLIT_SHARE = 0.12
WEB_CARDS: dict[str, float] = {"Visa": 40, "MasterCard": 25, "American Express": 10, "Discover": 5, "PayPal": 20}


@dataclass(frozen=True)
class Product:
    """A catalogue item; ``taxable`` is its Massachusetts tax status."""

    sku: str
    name: str
    price: Decimal
    taxable: bool


# Coffee and tea are food and the T-shirt is clothing under $175: exempt from MA sales tax, so
# orders mix taxed and untaxed lines. Odd prices make the per-line rounding matter
# (12.24 × 6.25 % = 0.765 rounds half up to 0.77).
CATALOGUE = (
    Product("BEAN-ETH-12", "Ethiopia Yirgacheffe whole bean, 12 oz", Decimal("16.50"), False),
    Product("BEAN-COL-12", "Colombia Huila whole bean, 12 oz", Decimal("14.75"), False),
    Product("BEAN-DEC-12", "Swiss Water decaf, 12 oz", Decimal("15.25"), False),
    Product("BEAN-CREME-12", "Café crème espresso blend, 12 oz", Decimal("17.40"), False),
    Product("TEA-SENCHA-50", "Sencha 煎茶 green tea, 50 g", Decimal("9.80"), False),
    Product("TEA-EARL-100", "Earl Grey, 100 g", Decimal("8.45"), False),
    Product("SHIRT-LOGO-M", "Logo T-shirt, size M", Decimal("22.00"), False),
    Product("MUG-CER-12", "Ceramic mug, 12 oz", Decimal("13.99"), True),
    Product("MUG-ENAMEL", "Enamel camp mug", Decimal("12.24"), True),
    Product("FILTER-V60-100", "V60 paper filters, 100 ct", Decimal("6.49"), True),
    Product("CHEMEX-6", "Chemex 6-cup brewer", Decimal("47.50"), True),
    Product("SCALE-DIG", "Digital pour-over scale", Decimal("34.99"), True),
    Product("KETTLE-GN", "Gooseneck kettle \u201cPro\u201d", Decimal("59.95"), True),
    Product("GRINDER-BURR", "Conical burr grinder", Decimal("129.00"), True),
)

COUNTRIES = {"US": "United States", "CA": "Canada", "JP": "Japan", "GR": "Greece", "IS": "Iceland"}

# first|last|company|line 1|line 2|city|state|postal code|country|phone|email
# Half of them in Massachusetts (taxed), the rest elsewhere in the US or abroad (untaxed);
# names and addresses in several scripts, as real shops see them.
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


@dataclass(frozen=True)
class Customer:
    """A customer (or a gift recipient): an email and one postal address."""

    email: str
    address: AddressSpec


def _customer(row: str) -> Customer:
    first, last, company, line1, line2, city, region, postal, country, phone, email = (
        cell.strip() for cell in row.split("|")
    )
    address = AddressSpec(
        first_name=first,
        last_name=last,
        company=company,
        line1=line1,
        line2=line2,
        city=city,
        region_code=region,
        postal_code=postal,
        country_code=country,
        country_name=COUNTRIES[country],
        phone=phone,
    )
    return Customer(email, address)


CUSTOMERS = tuple(_customer(row) for row in _CUSTOMER_TABLE.strip().splitlines())

CUSTOMER_NOTES = (
    "Please leave the parcel at the side door.",
    'Gift for "Mum" \u2014 no prices on the slip, please.',
    "Merci ! Livraison après 17 h si possible.",
    "よろしくお願いします。",
    "Ring twice;\nthe bell is quiet.",
    "\U0001f381 Happy birthday!",
)
REFUND_REASONS = (
    "Returned: arrived damaged.",
    "Returned: wrong grind ordered.",
    "Returned unopened within 30 days.",
    "Refund: parcel lost in transit.",
)


@dataclass(frozen=True)
class Shipping:
    """A shipping method, its price (excl. tax) and carrier (which picks the tracking number's form)."""

    method: str
    price: Decimal
    carrier: str


SHIPPING = {
    ("Web", "domestic"): (
        Shipping("USPS Ground Advantage", Decimal("5.95"), "USPS"),
        Shipping("USPS Priority Mail", Decimal("9.45"), "USPS"),
        Shipping("UPS Ground", Decimal("12.40"), "UPS"),
    ),
    ("Amazon", "domestic"): (
        Shipping("Amazon Standard Shipping", Decimal("4.99"), "Amazon"),
        Shipping("Amazon Expedited Shipping", Decimal("8.99"), "Amazon"),
    ),
    ("eBay", "domestic"): (Shipping("USPS Ground Advantage", Decimal("6.25"), "USPS"),),
    ("Web", "abroad"): (Shipping("USPS Priority Mail International", Decimal("34.50"), "USPS"),),
    ("Amazon", "abroad"): (Shipping("Amazon Global Standard", Decimal("14.98"), "Amazon"),),
    ("eBay", "abroad"): (Shipping("eBay International Shipping", Decimal("19.80"), "USPS"),),
}
#: Web orders of at least this much (excl. tax) ship free within the US.
FREE_SHIPPING_FROM = Decimal("75.00")
FREE_SHIPPING = Shipping("Free shipping (USPS Ground Advantage)", ZERO, "USPS")


class _Generator:
    """The state of one :func:`generate_specs` run: the random source and the sales still refundable."""

    def __init__(self, count: int, seed: int, start: dt.datetime, span: dt.timedelta, prefix: str) -> None:
        self.rng = random.Random(seed)  # noqa: S311 - reproducible test data, not secrets
        self.count, self.start, self.end, self.prefix = count, start, start + span, prefix
        self.step = span / count
        self.specs: list[OrderSpec] = []
        self.sales = 0
        # Shipped single-payment sales that may still be refunded; what each has had refunded.
        self.refundable: list[OrderSpec] = []
        self.refunds_of: dict[str, list[OrderSpec]] = {}

    # --- random helpers --------------------------------------------------------------------

    def pick(self, weights: Mapping[K, float]) -> K:
        return self.rng.choices(list(weights), weights=list(weights.values()))[0]

    def token(self, length: int, alphabet: str = string.ascii_letters + string.digits) -> str:
        return "".join(self.rng.choices(alphabet, k=length))

    def later(self, moment: dt.datetime, low: dt.timedelta, high: dt.timedelta) -> dt.datetime:
        """A moment between ``low`` and ``high`` after ``moment``, never past the end of the span."""
        return min(moment + low + (high - low) * self.rng.random(), self.end)

    def tracking(self, carrier: str) -> str:
        if carrier == "UPS":
            return "1Z" + self.token(6, string.ascii_uppercase + string.digits) + self.token(10, string.digits)
        if carrier == "Amazon":
            return "TBA" + self.token(12, string.digits)
        return "9400" + self.token(18, string.digits)

    # --- orders ----------------------------------------------------------------------------

    def run(self) -> list[OrderSpec]:
        for index in range(self.count):
            # Spread over the span, in order, with microseconds (windows must cope with them).
            created = self.start + self.step * index + self.step * self.rng.random()
            refund = None
            if self.refundable and self.rng.random() < REFUND_SHARE:
                refund = self.refund(self.rng.randrange(len(self.refundable)), created)
            self.specs.append(refund or self.sale(created))
        return self.specs

    def sale(self, created: dt.datetime) -> OrderSpec:
        rng = self.rng
        self.sales += 1
        store = self.pick(STORES)
        status = self.pick(SALE_STATUSES)
        customer = rng.choice(CUSTOMERS)
        # Amazon hides buyers' email addresses behind a relay address.
        email = (
            f"{self.token(14, string.ascii_lowercase)}@marketplace.amazon.com" if store == "Amazon" else customer.email
        )
        gift_to = rng.choice([c for c in CUSTOMERS if c is not customer]) if rng.random() < 0.15 else None
        where = (gift_to or customer).address
        rate = MA_TAX_RATE if (where.country_code, where.region_code) == ("US", "MA") else ZERO

        lines = []
        for product in rng.sample(CATALOGUE, rng.choices((1, 2, 3, 4), weights=(45, 30, 17, 8))[0]):
            quantity = rng.choices((1, 2, 3, 4, 12), weights=(60, 25, 9, 4, 2))[0]
            discount = ZERO
            if quantity >= 3:  # bundle price: 10 % off three or more of one item
                discount = cents(quantity * product.price * Decimal("0.10"))
            elif store == "Amazon" and rng.random() < 0.15:  # an Amazon promotion, reported on the line
                discount = cents(product.price * Decimal("0.15"))
            lines.append(LineSpec(product.sku, product.name, quantity, product.price, discount, product.taxable))
        subtotal = sum((line.net for line in lines), ZERO)

        coupon, code, amount = "", "", ZERO
        roll = rng.random()
        if store == "Web" and roll < 0.12:
            coupon, code, amount = "10 % off your first order", "WELCOME10", cents(subtotal * Decimal("0.10"))
        elif store == "Web" and roll < 0.22 and subtotal >= 40:
            coupon, code, amount = "$5 off $40 or more", "SAVE5", Decimal("5.00")
        elif store == "eBay" and roll < 0.15:
            coupon, code, amount = "eBay seller coupon 8 % off", "EBAY8", cents(subtotal * Decimal("0.08"))

        region = "domestic" if where.country_code == "US" else "abroad"
        if store == "Web" and region == "domestic" and subtotal >= FREE_SHIPPING_FROM:
            shipping = FREE_SHIPPING
        else:
            shipping = rng.choice(SHIPPING[(store, region)])
        taxed = rate > 0 and any(line.taxable for line in lines)

        paid_at = self.later(created, dt.timedelta(seconds=5), dt.timedelta(seconds=300))
        shipped_at = self.later(created, dt.timedelta(hours=6), dt.timedelta(hours=72)) if status in SHIPPED else None
        if status == "delivered":
            modified = self.later(shipped_at or created, dt.timedelta(0), dt.timedelta(days=6))
        elif status == "dispatched":
            modified = shipped_at or created
        elif status == "packed":
            modified = self.later(paid_at, dt.timedelta(hours=1), dt.timedelta(hours=12))
        elif status == "cancelled":
            modified = self.later(paid_at, dt.timedelta(hours=1), dt.timedelta(hours=20))
        else:
            modified = paid_at

        if store == "Amazon":
            method = "Amazon"
        elif store == "eBay":
            method = "eBay Managed Payments"
        elif customer.address.company and rng.random() < 0.6:
            method = "Check"
        else:
            method = self.pick(WEB_CARDS)

        spec = OrderSpec(
            number=f"{self.prefix}{FIRST_NUMBER + self.sales - 1}",
            status=status,
            store=store,
            created_at=created,
            modified_at=modified,
            lines=lines,
            tax_rate=rate,
            shipping=shipping.price,
            discount=amount,
            payment_method=method,
            email=email,
            billing_address=customer.address,
            shipping_address=gift_to.address if gift_to is not None else None,
            shipping_method=shipping.method,
            shipping_taxable=taxed and shipping.price > 0,
            discount_taxable=bool(amount) and taxed,
            discount_name=coupon or "Coupon",
            discount_code=code or "SAVE",
            paid_at=paid_at,
            shipped_at=shipped_at,
            tracking_number=self.tracking(shipping.carrier) if shipped_at is not None else "",
            note=rng.choice(CUSTOMER_NOTES) if rng.random() < 0.1 else "",
            private_note="Cancelled at the customer's request before shipment; payment refunded."
            if status == "cancelled"
            else "",
        )
        total = spec.total
        if store == "Web" and method not in ("Check", "PayPal") and total >= 20 and rng.random() < SPLIT_SHARE:
            # A gift card covers part of the total; the card pays the rest (at least $1).
            gift = min(Decimal(rng.choice((10, 15, 25, 50))), total - 1)
            spec.payments, spec.payment_methods = [gift, total - gift], ["Gift Card", method]
        elif status in SHIPPED:
            self.refundable.append(spec)
        return spec

    def refund(self, position: int, created: dt.datetime) -> OrderSpec | None:
        """A refund of the sale at ``position`` of :attr:`refundable`: all of it, or some of one line.

        ``None`` when rounding would refund more than the sale was paid (a sale is made instead).
        """
        rng = self.rng
        sale = self.refundable[position]
        earlier = self.refunds_of.setdefault(sale.number, [])
        count = len(earlier) + 1
        if count == 2 or rng.random() < 0.3:  # at most two refunds per sale
            self.refundable[position] = self.refundable[-1]
            self.refundable.pop()
        after = max([sale.shipped_at or sale.created_at or created, *(r.created_at or created for r in earlier)])
        created = max(created, self.later(after, dt.timedelta(hours=1), dt.timedelta(hours=48)))
        full = count == 1 and (rng.random() < 0.3 or (len(sale.lines) == 1 and sale.lines[0].quantity == 1))
        refund = replace(
            sale,
            number=f"{sale.number}-R{count}",
            status=REFUNDED,
            created_at=created,
            modified_at=created,
            payments=None,
            payment_methods=None,
            parent_number=sale.number,
            paid_at=created,
            shipped_at=None,
            tracking_number="",
            note="",
            private_note=rng.choice(REFUND_REASONS),
        )
        if full:
            refund.lines = [replace(line) for line in sale.lines]
        else:
            line = rng.choice(sale.lines)
            quantity = rng.randint(1, line.quantity)
            # Back comes the line's share of its own discount and of the coupon.
            own = cents(line.discount_excl_tax * quantity / line.quantity)
            gross = quantity * line.unit_price_excl_tax
            coupon = cents(sale.discount * (gross - own) / sale.subtotal) if sale.discount else ZERO
            refund.lines = [replace(line, quantity=quantity, discount_excl_tax=own + coupon)]
            refund.discount, refund.shipping, refund.shipping_method = ZERO, ZERO, ""
        if sum((r.total for r in earlier), refund.total) > sale.total:
            return None
        earlier.append(refund)
        # A refund is a change to the sale (noted on it): the sale reappears in the next window.
        sale.private_note = "\n".join(filter(None, [sale.private_note, f"Refunded in {refund.number}."]))
        sale.modified_at = max(sale.modified_at or created, created)
        return refund


def generate_specs(
    count: int, seed: int = 1, start: dt.datetime = START, span: dt.timedelta = SPAN, prefix: str = PREFIX
) -> list[OrderSpec]:
    """``count`` orders (sales and their refunds), created over ``span`` from ``start``, in order of creation.

    About 7 % are refunds of earlier shipped sales, numbered ``<sale>-R1`` and ``-R2`` after it;
    sales are numbered ``<prefix>10001`` on. Every time (created, paid, shipped, modified) lies in
    ``[start, start + span]``. The same arguments give the same specs.
    """
    if count < 1:
        raise ValueError(f"count must be at least 1, not {count}")
    if start.tzinfo is None:
        raise ValueError("start must be an aware datetime")
    return _Generator(count, seed, start, span, prefix).run()
