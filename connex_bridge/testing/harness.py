"""The endpoint contract suite's view of a shop: make orders, move their clocks.

The endpoint contract suite (:class:`connex_bridge.testing.contract.OrdersContract`) runs
against one order source at a time. Each source comes with a :class:`ShopHarness` that
creates orders the shop's own way from a neutral :class:`OrderSpec`; the tests only ever
talk to the harness and to the HTTP API. To run the suite against a source, subclass
``ShopHarness`` and name an instance in a subclass of ``OrdersContract``
(docs/connect-your-shop.md, "Testing your source").
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from connex_bridge.testing.clock import db_time  # re-exported: harnesses import it from here
from connex_bridge.vocabulary import ZERO, cents

if TYPE_CHECKING:
    from connex_bridge.models import ConnexCredential


@dataclass
class LineSpec:
    """One line: ``quantity`` × ``unit_price_excl_tax``, less ``discount_excl_tax`` for the line."""

    sku: str = "SKU-1"
    name: str = "Product"
    quantity: int = 1
    unit_price_excl_tax: Decimal = Decimal("10.00")
    discount_excl_tax: Decimal = ZERO

    @property
    def net(self) -> Decimal:
        return self.quantity * self.unit_price_excl_tax - self.discount_excl_tax


@dataclass
class OrderSpec:
    """A shop-neutral order. Its totals follow from the lines, so docs/protocol.md §4's invariants hold."""

    number: str
    status: str = "shipped"
    store: str = "Web"
    created_at: dt.datetime | None = None
    modified_at: dt.datetime | None = None
    lines: list[LineSpec] = field(default_factory=lambda: [LineSpec()])
    tax_rate: Decimal = Decimal("0")
    shipping: Decimal = ZERO
    discount: Decimal = ZERO
    #: Payment amounts; ``None``: one payment of the total.
    payments: list[Decimal] | None = None
    payment_method: str = "Visa"
    parent_number: str = ""
    email: str = "buyer@example.com"

    def unit_price_incl_tax(self, line: LineSpec) -> Decimal:
        return cents(line.unit_price_excl_tax * (1 + self.tax_rate))

    def line_tax(self, line: LineSpec) -> Decimal:
        return cents(line.net * self.tax_rate)

    @property
    def subtotal(self) -> Decimal:
        """Σ quantity × unit price − line discount, excl. tax."""
        return sum((line.net for line in self.lines), ZERO)

    @property
    def shipping_tax(self) -> Decimal:
        return cents(self.shipping * self.tax_rate)

    @property
    def discount_tax(self) -> Decimal:
        return cents(self.discount * self.tax_rate)

    @property
    def tax(self) -> Decimal:
        return sum((self.line_tax(line) for line in self.lines), ZERO) + self.shipping_tax - self.discount_tax

    @property
    def total(self) -> Decimal:
        return self.subtotal - self.discount + self.shipping + self.tax

    @property
    def payment_amounts(self) -> list[Decimal]:
        return [self.total] if self.payments is None else [Decimal(p) for p in self.payments]


class ShopHarness:
    """Creates orders in one shop for the contract suite. Subclass per order source."""

    #: Short name, shown in test ids.
    name: str = "shop"
    #: ``CONNEX_BRIDGE`` settings that select this shop's source.
    connex_settings: dict[str, Any] = {}
    #: The merchant the suite's credentials are bound to (sources with ``merchant_field``).
    merchant: str = ""

    # What the shop cannot represent. The suite reads these flags and asserts what Connex must
    # get from such a shop instead, so one suite fits every shape and no test is skipped.

    #: The one store of a shop that has no store field (its source's ``store_field = None``): every
    #: order's ``StoreName`` is this name (the source's ``store_name``), whatever ``OrderSpec.store``
    #: says. A ``storeName`` filter or a credential's stores then select every order when they name
    #: this store (in any case) and none when they name another. ``None``: each order has its own store.
    single_store: str | None = None
    #: False when the shop cannot record which order a refund refunds (``OrderSpec.parent_number``):
    #: every ``ParentOrderNumber`` is then ``""``.
    parent_numbers: bool = True
    #: True for a US-style shop: unit prices without tax and one tax amount on the order. Its lines go
    #: out taxable (``HasTax`` true) with ``PriceInclTax == PriceExclTax``; the totals still balance.
    #: False: prices carry their tax per line, and a taxed line has ``PriceInclTax > PriceExclTax``.
    order_level_tax: bool = False

    def credential(self, **kwargs: Any) -> ConnexCredential:
        """A credential allowed to see this shop's test orders; ``.secret`` holds its secret."""
        from connex_bridge.testing.factories import ConnexCredentialFactory

        return ConnexCredentialFactory(**{"merchant": self.merchant, **kwargs})  # type: ignore[return-value]

    def create(self, spec: OrderSpec) -> None:
        """Create the order the shop's own way (its times are pinned afterwards)."""
        raise NotImplementedError

    def set_times(self, number: str, created_at: dt.datetime | None, modified_at: dt.datetime | None) -> None:
        """Make the order look created / last modified at these times (``None``: leave as is)."""
        raise NotImplementedError

    def add_payment(self, number: str, amount: Decimal) -> None:
        """Record one more payment the shop's usual way (it must count as a change)."""
        raise NotImplementedError

    def order(self, number: str, **kwargs: Any) -> OrderSpec:
        """Build, create and time one order; returns its spec."""
        spec = OrderSpec(number=number, **kwargs)
        self.create(spec)
        created = spec.created_at or spec.modified_at
        self.set_times(number, created, spec.modified_at or created)
        return spec


class BuiltinHarness(ShopHarness):
    """connex_bridge's own models (the default source)."""

    name = "builtin"
    connex_settings = {"ORDER_SOURCE": "connex_bridge.sources.builtin.BuiltinOrderSource"}

    def create(self, spec: OrderSpec) -> None:
        from connex_bridge.models import Address, Discount, Order, OrderLine, Payment

        address = Address.objects.create(first_name="Zoë", last_name="Ångström", email=spec.email, city="Boston")
        order = Order.objects.create(
            number=spec.number,
            status=spec.status,
            store_name=spec.store,
            total=spec.total,
            total_tax=spec.tax,
            shipping_excl_tax=spec.shipping,
            shipping_incl_tax=spec.shipping + spec.shipping_tax,
            discount_excl_tax=spec.discount,
            discount_incl_tax=spec.discount + spec.discount_tax,
            billing_address=address,
            customer_email=spec.email,
            payment_method=spec.payment_method,
            parent_number=spec.parent_number,
        )
        for line in spec.lines:
            OrderLine.objects.create(
                order=order,
                sku=line.sku,
                name=line.name,
                quantity=line.quantity,
                unit_price_excl_tax=line.unit_price_excl_tax,
                unit_price_incl_tax=spec.unit_price_incl_tax(line),
                discount_excl_tax=line.discount_excl_tax,
                discount_incl_tax=cents(line.discount_excl_tax * (1 + spec.tax_rate)),
            )
        if spec.discount:
            Discount.objects.create(order=order, name="Coupon", code="SAVE", amount=spec.discount)
        for index, amount in enumerate(spec.payment_amounts, start=1):
            Payment.objects.create(
                order=order, amount=amount, method=spec.payment_method, reference=f"ch_{spec.number}_{index}"
            )

    def set_times(self, number: str, created_at: dt.datetime | None, modified_at: dt.datetime | None) -> None:
        from connex_bridge.models import Order

        stamps = {"created_at": created_at, "modified_at": modified_at}
        Order.objects.filter(number=number).update(**{k: db_time(v) for k, v in stamps.items() if v is not None})

    def add_payment(self, number: str, amount: Decimal) -> None:
        from connex_bridge.models import Order, Payment

        Payment.objects.create(order=Order.objects.get(number=number), amount=amount, method="Visa")


def set_change_time(model_label: str, order_key: Any, at: dt.datetime) -> None:
    """Pin a tracked order's last change time (for harnesses of tracked sources).

    ``model_label`` is the source's order model, ``"app_label.Model"`` in any case;
    ``order_key`` the order's primary key.
    """
    from connex_bridge.models import OrderChange

    OrderChange.objects.update_or_create(
        source=model_label.lower(), order_key=str(order_key), defaults={"changed_at": db_time(at)}
    )
