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
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from connex_bridge.testing.clock import db_time  # re-exported: harnesses import it from here
from connex_bridge.vocabulary import ZERO, cents

if TYPE_CHECKING:
    from django.db.models import Model

    from connex_bridge.models import ConnexCredential

#: Rows per INSERT of the bulk writers (Django lowers it where the backend limits query parameters).
BULK_BATCH = 2000


@dataclass
class LineSpec:
    """One line: ``quantity`` × ``unit_price_excl_tax``, less ``discount_excl_tax`` for the line.

    ``taxable``: whether the order's ``tax_rate`` applies to the line (food and clothing are exempt
    in Massachusetts, so real US orders mix taxed and untaxed lines).
    """

    sku: str = "SKU-1"
    name: str = "Product"
    quantity: int = 1
    unit_price_excl_tax: Decimal = Decimal("10.00")
    discount_excl_tax: Decimal = ZERO
    taxable: bool = True

    @property
    def net(self) -> Decimal:
        return self.quantity * self.unit_price_excl_tax - self.discount_excl_tax


@dataclass
class AddressSpec:
    """A postal address; an order's billing or shipping address."""

    first_name: str = "Zoë"
    last_name: str = "Ångström"
    company: str = ""
    line1: str = "1 Main Street"
    line2: str = ""
    city: str = "Boston"
    region_code: str = "MA"
    postal_code: str = "02108"
    country_code: str = "US"
    country_name: str = "United States"
    phone: str = ""


@dataclass
class OrderSpec:
    """A shop-neutral order. Its totals follow from the lines, so docs/protocol.md §4's invariants hold.

    The fields after ``email`` describe an order in more detail (as
    :func:`connex_bridge.testing.specs.generate_specs` makes them); their defaults
    leave each harness writing what it always wrote, so a contract test that does not
    name them sees no difference.
    """

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
    #: ``None``: the harness's own stock address (each harness always wrote one).
    billing_address: AddressSpec | None = None
    #: ``None``: no address of its own; the goods go to the billing address.
    shipping_address: AddressSpec | None = None
    shipping_method: str = ""
    #: Whether ``tax_rate`` applies to the shipping.
    shipping_taxable: bool = True
    #: Whether the order discount lowers the tax: by its share of the taxable lines (see :attr:`discount_tax`).
    discount_taxable: bool = True
    discount_name: str = "Coupon"
    discount_code: str = "SAVE"
    #: The method of each payment (a gift card, then a card); ``None``: ``payment_method`` for each.
    payment_methods: list[str] | None = None
    #: When the payments were made; ``None``: when the harness writes them.
    paid_at: dt.datetime | None = None
    shipped_at: dt.datetime | None = None
    tracking_number: str = ""
    #: The customer's note at checkout, and the shop's own (a refund is noted on its sale).
    note: str = ""
    private_note: str = ""

    def line_rate(self, line: LineSpec) -> Decimal:
        """The tax rate of one line: the order's, or zero on an untaxed line."""
        return self.tax_rate if line.taxable else ZERO

    def unit_price_incl_tax(self, line: LineSpec) -> Decimal:
        return cents(line.unit_price_excl_tax * (1 + self.line_rate(line)))

    def line_discount_incl_tax(self, line: LineSpec) -> Decimal:
        return cents(line.discount_excl_tax * (1 + self.line_rate(line)))

    def line_tax(self, line: LineSpec) -> Decimal:
        return cents(line.net * self.line_rate(line))

    @property
    def subtotal(self) -> Decimal:
        """Σ quantity × unit price − line discount, excl. tax."""
        return sum((line.net for line in self.lines), ZERO)

    @property
    def shipping_tax(self) -> Decimal:
        return cents(self.shipping * self.tax_rate) if self.shipping_taxable else ZERO

    @property
    def discount_tax(self) -> Decimal:
        """The tax the order discount takes off: the rate on the discount's share of the taxable lines.

        On an order whose lines are all taxable that is simply the rate on the discount.
        """
        if not self.discount_taxable or not self.discount:
            return ZERO
        subtotal = self.subtotal
        taxed = sum((line.net for line in self.lines if line.taxable), ZERO)
        if taxed == subtotal:
            return cents(self.discount * self.tax_rate)
        return cents(cents(self.discount * taxed / subtotal) * self.tax_rate) if subtotal else ZERO

    @property
    def tax(self) -> Decimal:
        return sum((self.line_tax(line) for line in self.lines), ZERO) + self.shipping_tax - self.discount_tax

    @property
    def total(self) -> Decimal:
        return self.subtotal - self.discount + self.shipping + self.tax

    @property
    def payment_amounts(self) -> list[Decimal]:
        return [self.total] if self.payments is None else [Decimal(p) for p in self.payments]

    @property
    def payment_method_list(self) -> list[str]:
        """The method of each of :attr:`payment_amounts`."""
        amounts = self.payment_amounts
        return list(self.payment_methods) if self.payment_methods is not None else [self.payment_method] * len(amounts)


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

    # What QuickBooks writes back (``changeorderstatus``, ``createorders``); the tests of those actions
    # read these flags, and assert the 501 a shop that takes no such write answers.

    #: A status change the shop takes, in its own status names: (a status an order has, the status
    #: QuickBooks moves it to). ``None``: the source takes no status changes (a 501).
    status_change: tuple[str, str] | None = None
    #: False when the shop has nowhere to keep the ``PaidDate`` QuickBooks sends.
    keeps_paid_date: bool = True
    #: Whether the source creates orders sent by ``createorders`` (False: a 501).
    creates_orders: bool = False
    #: Whether ``createorders`` asks the shop's catalogue for each SKU (False: every SKU is taken).
    catalogue: bool = False

    def add_product(self, sku: str, name: str, price: Decimal) -> None:
        """Put a product in the shop's catalogue (for shops with :attr:`catalogue`)."""

    def credential(self, **kwargs: Any) -> ConnexCredential:
        """A credential allowed to see this shop's test orders; ``.secret`` holds its secret."""
        from connex_bridge.testing.factories import ConnexCredentialFactory

        return ConnexCredentialFactory(**{"merchant": self.merchant, **kwargs})  # type: ignore[return-value]

    def create(self, spec: OrderSpec) -> None:
        """Create the order the shop's own way (its times are pinned afterwards)."""
        raise NotImplementedError

    def bulk_create(self, specs: Iterable[OrderSpec]) -> None:
        """Write many orders at once, each timed as :meth:`order` times one: for seeders and the benchmark.

        ``specs`` come in order of creation (a refund after the sale it refunds), as
        :func:`connex_bridge.testing.specs.generate_specs` makes them. The default calls
        :meth:`create` and :meth:`set_times` per spec, in one transaction: correct for any shop, but
        at the speed of its checkout. A harness may override it with a faster writer (rows built in
        memory and written with ``bulk_create``); it must leave the shop serving the same
        ``/connex/orders`` answer as the default would (tests/test_bulk_create.py checks the built-in
        and demo harnesses).
        """
        from django.db import transaction

        with transaction.atomic():
            for spec in specs:
                self.create(spec)
                created = spec.created_at or spec.modified_at
                self.set_times(spec.number, created, spec.modified_at or created)

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
    status_change = ("awaiting_shipment", "shipped")
    creates_orders = True
    catalogue = True

    def add_product(self, sku: str, name: str, price: Decimal) -> None:
        from connex_bridge.models import Product

        Product.objects.get_or_create(sku=sku, defaults={"name": name, "price": price})

    def create(self, spec: OrderSpec) -> None:
        from connex_bridge.models import Payment

        # Saved one by one, as a shop's code would: save() stamps the times and the signals touch the order.
        for row in self.rows(spec):
            row.save(force_insert=True)
        if spec.paid_at is not None:
            # Payment.save() stamped "now"; the payments were last modified when they were made.
            Payment.objects.filter(order__number=spec.number).update(modified_at=db_time(spec.paid_at))

    def rows(self, spec: OrderSpec) -> list[Model]:
        """The unsaved rows of one order, in the order they can be inserted (related rows by object).

        Shared by :meth:`create` and :meth:`bulk_create`, so both write the same order.
        """
        from connex_bridge.models import Address, Discount, Order, OrderLine, Payment

        def address(where: AddressSpec, email: str) -> Address:
            return Address(
                first_name=where.first_name,
                last_name=where.last_name,
                company=where.company,
                line1=where.line1,
                line2=where.line2,
                city=where.city,
                region_code=where.region_code,
                postal_code=where.postal_code,
                country_code=where.country_code,
                country_name=where.country_name,
                phone=where.phone,
                email=email,
            )

        if spec.billing_address is None:
            billing = Address(first_name="Zoë", last_name="Ångström", email=spec.email, city="Boston")
        else:
            billing = address(spec.billing_address, spec.email)
        rows: list[Model] = [billing]
        shipping = None if spec.shipping_address is None else address(spec.shipping_address, "")
        if shipping is not None:
            rows.append(shipping)
        order = Order(
            number=spec.number,
            status=spec.status,
            store_name=spec.store,
            total=spec.total,
            total_tax=spec.tax,
            shipping_excl_tax=spec.shipping,
            shipping_incl_tax=spec.shipping + spec.shipping_tax,
            shipping_method=spec.shipping_method,
            discount_excl_tax=spec.discount,
            discount_incl_tax=spec.discount + spec.discount_tax,
            billing_address=billing,
            shipping_address=shipping,
            customer_email=spec.email,
            customer_company=spec.billing_address.company if spec.billing_address else "",
            payment_method=spec.payment_method,
            paid_at=None if spec.paid_at is None else db_time(spec.paid_at),
            tracking_number=spec.tracking_number,
            shipped_at=None if spec.shipped_at is None else db_time(spec.shipped_at),
            note=spec.note,
            private_note=spec.private_note,
            parent_number=spec.parent_number,
        )
        rows.append(order)
        rows.extend(
            OrderLine(
                order=order,
                sku=line.sku,
                name=line.name,
                quantity=line.quantity,
                unit_price_excl_tax=line.unit_price_excl_tax,
                unit_price_incl_tax=spec.unit_price_incl_tax(line),
                discount_excl_tax=line.discount_excl_tax,
                discount_incl_tax=spec.line_discount_incl_tax(line),
            )
            for line in spec.lines
        )
        if spec.discount:
            rows.append(
                Discount(
                    order=order,
                    name=spec.discount_name,
                    code=spec.discount_code,
                    amount=spec.discount,
                    non_taxable=not spec.discount_taxable,
                )
            )
        payments = zip(spec.payment_amounts, spec.payment_method_list, strict=True)
        for index, (amount, method) in enumerate(payments, start=1):
            payment = Payment(order=order, amount=amount, method=method, reference=f"ch_{spec.number}_{index}")
            if spec.paid_at is not None:
                payment.paid_at = payment.modified_at = db_time(spec.paid_at)
            rows.append(payment)
        return rows

    def bulk_create(self, specs: Iterable[OrderSpec]) -> None:
        """The rows of :meth:`rows`, with primary keys counted on from the tables' largest, in one transaction.

        ``bulk_create`` calls no ``save()`` and sends no signals: the orders' times are set here,
        as :meth:`set_times` would pin them. 100,000 orders take well under a minute on SQLite.
        """
        from django.core.management.color import no_style
        from django.db import connection, transaction
        from django.db.models import Max

        from connex_bridge.models import Address, Discount, Order, OrderLine, Payment

        models: list[type[Model]] = [Address, Order, OrderLine, Discount, Payment]
        tables: dict[type[Model], list[Model]] = {model: [] for model in models}
        with transaction.atomic():
            next_id = {model: (model._default_manager.aggregate(top=Max("pk"))["top"] or 0) + 1 for model in models}
            for spec in specs:
                created = spec.created_at or spec.modified_at
                modified = spec.modified_at or created
                for row in self.rows(spec):
                    model = type(row)
                    row.pk, next_id[model] = next_id[model], next_id[model] + 1
                    if isinstance(row, Order):
                        if created is not None:
                            row.created_at = db_time(created)
                        if modified is not None:
                            row.modified_at = db_time(modified)
                    tables[model].append(row)
            for model, table in tables.items():
                model._default_manager.bulk_create(table, batch_size=BULK_BATCH)
            # Explicit ids leave PostgreSQL's sequences behind; move them past the rows.
            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(no_style(), models):
                    cursor.execute(sql)

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
