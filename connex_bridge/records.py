"""Neutral, typed records of what Connex receives and sends.

An :class:`~connex_bridge.sources.base.OrderSource` turns the shop's own
models into these records; :mod:`connex_bridge.wire` alone turns the records
into Connex's JSON, and reads the JSON Connex sends back into them
(:class:`ProductRecord`, :class:`OrderStatusUpdate`, :class:`OrderRecord`).
Names here are the shop's (snake_case); PascalCase lives in the wire package
only.

Money is :class:`~decimal.Decimal` throughout; dates are ``datetime`` (aware
when ``USE_TZ`` is on, naive local time when it is off).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal

from connex_bridge.vocabulary import ONE, ZERO


@dataclass(slots=True)
class AddressRecord:
    """A postal address; every field is a string, empty when unknown."""

    first_name: str = ""
    last_name: str = ""
    company: str = ""
    line1: str = ""
    line2: str = ""
    line3: str = ""
    city: str = ""
    region_code: str = ""
    postal_code: str = ""
    country_name: str = ""
    country_code: str = ""
    phone: str = ""
    email: str = ""

    @classmethod
    def from_text(cls, text: str, **fields: str) -> AddressRecord:
        """An address from one free-text block, as shops that keep addresses as text store it.

        The text's non-blank lines, stripped, become :attr:`line1`, :attr:`line2`
        and :attr:`line3` in order; a fourth line and any after it are added to
        :attr:`line3`, joined by ``", "``, so no line is lost. ``fields`` fill the
        structured fields the shop knows apart (``first_name``, ``country_code`` …);
        a ``line1``–``line3`` among them wins over the text's.
        """
        lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
        parsed = {"line1": "", "line2": "", "line3": ""}
        for name, line in zip(("line1", "line2"), lines, strict=False):
            parsed[name] = line
        parsed["line3"] = ", ".join(lines[2:])
        return cls(**{**parsed, **fields})


@dataclass(slots=True)
class CustomerRecord:
    """Who bought: at least an email or a company name.

    Connex's JMACustomer has no name: the customer's name reaches QuickBooks
    through the billing and shipping addresses (:class:`AddressRecord`).
    """

    id: int = 0
    email: str = ""
    company: str = ""


@dataclass(slots=True)
class LineRecord:
    """One order line. Prices are per unit; discounts are for the whole line.

    Only ``sku`` and ``unit_price_excl_tax`` are required. ``unit_price_incl_tax``
    defaults to ``unit_price_excl_tax`` (a line without tax in its price).

    ``taxable`` is what Connex gets as ``HasTax``. Left at ``None`` it follows
    the prices: a line is taxable when its price including tax exceeds its price
    excluding tax. A shop that charges sales tax on the order (US style: unit
    prices without tax, one tax amount in ``OrderRecord.total_tax``) sets
    ``taxable=True`` and keeps both prices equal. ``tax_code`` is the QuickBooks
    sales tax code of the line (``"TAX"``, ``"NON"`` …), empty to let Connex's
    own mapping decide.
    """

    sku: str
    unit_price_excl_tax: Decimal
    name: str = ""
    quantity: Decimal = ONE
    unit_price_incl_tax: Decimal = None  # type: ignore[assignment]  # None until __post_init__: the price excl. tax
    discount_excl_tax: Decimal = ZERO
    discount_incl_tax: Decimal = ZERO
    tax_code: str = ""
    taxable: bool | None = None

    def __post_init__(self) -> None:
        if self.unit_price_incl_tax is None:
            self.unit_price_incl_tax = self.unit_price_excl_tax

    @property
    def has_tax(self) -> bool:
        """Whether the line is taxable (``HasTax``): :attr:`taxable`, or else whether its price carries tax."""
        return self.unit_price_incl_tax > self.unit_price_excl_tax if self.taxable is None else self.taxable


@dataclass(slots=True)
class DiscountRecord:
    """A coupon on the order; ``amount`` is positive (what the coupon took off, excl. tax)."""

    name: str = ""
    code: str = ""
    amount: Decimal = ZERO
    non_taxable: bool = False


@dataclass(slots=True)
class PaymentRecord:
    """One payment towards an order: ``amount`` and ``paid_at`` are required.

    ``order_number`` is the number of the order paid; an order source's
    ``get_payments`` may leave it empty and it becomes the order's number.
    """

    amount: Decimal
    paid_at: datetime
    order_number: str = ""
    method: str = ""
    reference: str = ""
    deposit_account: str = ""
    id: int = 0
    modified_at: datetime | None = None


@dataclass(slots=True)
class OrderRecord:
    """One sale or refund, as Connex should see it.

    ``total`` is the grand total charged, tax included. The wire module derives
    ``TotalInclTax`` (= total) and ``TotalExclTax`` (= total - total_tax).
    """

    number: str
    status: str
    created_at: datetime
    modified_at: datetime
    total: Decimal
    id: int = 0
    other: str = ""
    store_name: str = ""
    currency: str = ""
    paid_at: datetime | None = None
    total_tax: Decimal = ZERO
    shipping_excl_tax: Decimal = ZERO
    shipping_incl_tax: Decimal = ZERO
    shipping_method: str = ""
    discount_excl_tax: Decimal = ZERO
    discount_incl_tax: Decimal = ZERO
    lines: list[LineRecord] = field(default_factory=list)
    discounts: list[DiscountRecord] = field(default_factory=list)
    billing_address: AddressRecord = field(default_factory=AddressRecord)
    shipping_address: AddressRecord | None = None
    customer: CustomerRecord = field(default_factory=CustomerRecord)
    payment_method: str = ""
    payment_reference: str = ""
    tracking_number: str = ""
    shipped_at: datetime | None = None
    note: str = ""
    private_note: str = ""
    invoice_mode: str = ""
    parent_number: str = ""
    is_cancelled: bool = False
    payments: list[PaymentRecord] = field(default_factory=list)


@dataclass(slots=True)
class OrderStatusUpdate:
    """What ``changeorderstatus`` says became of one of the shop's orders in QuickBooks.

    Read from the JMAOrder Connex posts (docs/protocol.md §2). Connex echoes
    the ``Other`` it was sent (the shop's own order id) and may fall back to
    ``OrderNumber``; :attr:`order_id` picks one. An empty ``status`` means the
    order is complete. ``None`` dates were not sent (or were .NET's empty date).
    """

    number: str = ""
    other: str = ""
    status: str = ""
    tracking_number: str = ""
    shipped_at: datetime | None = None
    paid_at: datetime | None = None

    @property
    def order_id(self) -> str:
        """The shop's order id: ``other`` when Connex sent one, else the order ``number``."""
        return self.other.strip() or self.number.strip()


@dataclass(slots=True)
class ProductRecord:
    """One JMAProduct of an ``inventory`` push: QuickBooks' view of an item.

    ``sku`` is the QuickBooks item name, always present. Every other field is
    what Connex sent: ``None`` (or ``""``) means the property was absent or
    JSON null, so applying the record never overwrites a price or a stock
    level with a value Connex did not send. ``amount`` is the price.

    Note that Json.NET writes every property of Connex's class: a price
    Connex has no value for arrives as ``0``, not as null.
    """

    sku: str
    name: str = ""
    stock_quantity: Decimal | None = None
    amount: Decimal | None = None
    description: str = ""
    barcode: str = ""
    manufacturer_part_number: str = ""
    purchase_cost: Decimal | None = None
    is_enabled: bool | None = None


# --- the catalogue side: inventory and purchaseorders ------------------------------------------


@dataclass(slots=True)
class StockLevelRecord:
    """One product as the shop holds it after an ``inventory`` push applied QuickBooks' stock level.

    ``amount`` is the price, or ``None`` when the push did not set prices
    (``CONNEX_BRIDGE["INVENTORY_SETS_PRICES"]`` off): ``Amount`` is then not sent back.
    """

    sku: str
    stock_quantity: Decimal
    name: str = ""
    amount: Decimal | None = None


@dataclass(slots=True)
class InventoryResult:
    """What one ``inventory`` push did: the products applied, and why each other SKU was not.

    Both in the order of the body. ``refused`` maps a SKU to a reason the merchant can act on.
    """

    applied: list[StockLevelRecord] = field(default_factory=list)
    refused: dict[str, str] = field(default_factory=dict)


@dataclass(slots=True)
class PurchaseLineRecord:
    """One line of a purchase order or bill: ``quantity`` ordered at ``unit_cost`` (excl. tax) each.

    ``quantity_received`` is how much of it has arrived; ``unit_cost_incl_tax``
    defaults to ``unit_cost``.
    """

    sku: str
    unit_cost: Decimal
    name: str = ""
    quantity: Decimal = ONE
    quantity_received: Decimal = Decimal(0)
    unit_cost_incl_tax: Decimal = None  # type: ignore[assignment]  # None until __post_init__: the cost excl. tax

    def __post_init__(self) -> None:
        if self.unit_cost_incl_tax is None:
            self.unit_cost_incl_tax = self.unit_cost


#: The ``PurchaseType`` names a purchase may carry (docs/protocol.md §4).
PURCHASE_TYPES = ("PurchaseOrder", "Bill")


@dataclass(slots=True)
class PurchaseRecord:
    """A purchase order the shop sent a vendor, or a vendor's bill, as Connex should see it.

    ``purchase_type`` is ``"PurchaseOrder"`` or ``"Bill"``. ``total`` is what
    the shop owes the vendor, tax included; it balances:
    Σ (quantity × unit_cost) + shipping_excl_tax + total_tax = total.
    ``vendor_address`` is the vendor's billing address; ``ship_to_address``
    where the goods go (``None``: the vendor's address serves, as for orders).
    """

    number: str
    purchase_type: str
    vendor: str
    created_at: datetime
    modified_at: datetime
    total: Decimal
    id: int = 0
    other: str = ""
    status: str = ""
    currency: str = ""
    total_tax: Decimal = ZERO
    shipping_excl_tax: Decimal = ZERO
    shipping_incl_tax: Decimal = ZERO
    vendor_email: str = ""
    vendor_address: AddressRecord = field(default_factory=AddressRecord)
    ship_to_address: AddressRecord | None = None
    lines: list[PurchaseLineRecord] = field(default_factory=list)
    note: str = ""
    private_note: str = ""
