"""The contract suite's harness for django-oscar: orders placed through Oscar's own checkout code.

:class:`OscarHarness` turns an :class:`~connex_bridge.testing.harness.OrderSpec`
into an Oscar order the way a shop's checkout does: products and stock records
priced at the spec's unit prices (``partner_sku`` = the spec's SKU), a basket
under a tax strategy charging the spec's rate, a voucher with an absolute
offer for the order discount, the offers applied by Oscar's ``Applicator``, a
fixed-price shipping method, ``OrderCreator`` (through
``oscar.test.factories.create_order``) placing it, and payment sources
allocated and debited through ``Source.allocate()`` / ``Source.debit()``.

Its :meth:`~OscarHarness.bulk_create` (the benchmark's and the seeders' writer) writes the same
rows without the checkout: Oscar's prices, offer spread and totals worked out in memory
(:func:`oscar_prices`), then every table in one ``bulk_create`` each.

Needs django-oscar and the ``test`` extra (factory-boy); nothing at run time imports it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_DOWN, Decimal
from typing import Any

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.core.management.color import no_style
from django.db import connection, transaction
from django.db.models import Max, Model
from django.utils import timezone
from django.utils.text import slugify
from oscar.apps.partner import strategy
from oscar.apps.partner.prices import FixedPrice as FixedUnitPrice
from oscar.apps.shipping.methods import FixedPrice as FixedShippingPrice
from oscar.core.loading import get_class, get_model
from oscar.core.utils import get_default_currency, round_half_up_four_dec, round_half_up_two_dec
from oscar.test import factories

from connex_bridge.contrib.oscar.source import OscarOrderSource
from connex_bridge.testing.catalogue import StockHarness
from connex_bridge.testing.clock import db_time
from connex_bridge.testing.harness import BULK_BATCH, LineSpec, OrderSpec, ShopHarness, set_change_time
from connex_bridge.vocabulary import CENT, ZERO, cents

Applicator = get_class("offer.applicator", "Applicator")
Basket = get_model("basket", "Basket")
Benefit = get_model("offer", "Benefit")
BillingAddress = get_model("order", "BillingAddress")
Condition = get_model("offer", "Condition")
ConditionalOffer = get_model("offer", "ConditionalOffer")
Line = get_model("order", "Line")
LinePrice = get_model("order", "LinePrice")
Order = get_model("order", "Order")
OrderDiscount = get_model("order", "OrderDiscount")
OrderLineDiscount = get_model("order", "OrderLineDiscount")
OrderNote = get_model("order", "OrderNote")
ShippingAddress = get_model("order", "ShippingAddress")
Voucher = get_model("voucher", "Voucher")
VoucherApplication = get_model("voucher", "VoucherApplication")
Partner = get_model("partner", "Partner")
ProductClass = get_model("catalogue", "ProductClass")
Range = get_model("offer", "Range")
Source = get_model("payment", "Source")
Transaction = get_model("payment", "Transaction")
SourceType = get_model("payment", "SourceType")
StockRecord = get_model("partner", "StockRecord")

PARTNER = "Connex contract partner"
IN_STOCK = 1_000_000


class FixedRateExclusiveTax:
    """Pricing policy: the stock record's price plus ``rate``, the tax rounded to the cent per unit.

    Oscar's own ``FixedRateTax`` returns a ``TaxInclusiveFixedPrice``, whose offers
    discount tax-inclusive prices (UK style). The contract's discounts are
    tax-exclusive, so this policy returns a plain ``FixedPrice`` (US style: tax known,
    offers on the price before tax).
    """

    rate = Decimal("0")
    #: SKUs (``partner_sku``) the rate does not apply to: goods exempt from sales tax.
    untaxed: frozenset[str] = frozenset()

    def pricing_policy(self, product: Any, stockrecord: Any) -> Any:
        if not stockrecord or stockrecord.price is None:
            return strategy.UnavailablePrice()
        rate = Decimal("0") if stockrecord.partner_sku in self.untaxed else self.rate
        return FixedUnitPrice(
            currency=stockrecord.price_currency, excl_tax=stockrecord.price, tax=cents(stockrecord.price * rate)
        )


class SpecStrategy(strategy.UseFirstStockRecord, strategy.StockRequired, FixedRateExclusiveTax, strategy.Structured):
    """A shop strategy charging one tax rate on every product but the ``untaxed`` ones."""

    def __init__(self, rate: Decimal, request: Any = None, untaxed: frozenset[str] = frozenset()) -> None:
        super().__init__(request)
        self.rate = rate
        self.untaxed = untaxed


@dataclass
class LinePrices:
    """One basket line of a spec as Oscar's checkout prices it, and the order line it becomes."""

    quantity: int
    unit_excl_tax: Decimal
    unit_incl_tax: Decimal
    #: Before discounts (``line_price_before_discounts_*``) and after them (``line_price_*``).
    before_excl_tax: Decimal
    before_incl_tax: Decimal
    excl_tax: Decimal
    incl_tax: Decimal
    #: The voucher's share of the line (an ``OrderLineDiscount``); ``None`` where the voucher took nothing.
    voucher_share: Decimal | None
    #: The ``LinePrice`` rows: (unit price incl. tax, excl. tax, quantity) per price the units went at.
    breakdown: list[tuple[Decimal, Decimal, int]] = field(default_factory=list)


@dataclass
class OrderPrices:
    """What Oscar's checkout computes for one spec: its lines, the voucher's discount, the totals."""

    lines: list[LinePrices]
    #: The voucher offer's discount (``OrderDiscount.amount``); zero when there is no voucher.
    voucher_discount: Decimal
    shipping_excl_tax: Decimal
    shipping_incl_tax: Decimal
    total_excl_tax: Decimal
    total_incl_tax: Decimal


def oscar_prices(spec: OrderSpec) -> OrderPrices:
    """Oscar's arithmetic for what :meth:`OscarHarness.create` places, without a basket or a query.

    Step for step what the checkout does there: each unit priced by :class:`SpecStrategy` (tax
    rounded per unit); the voucher's ``Benefit.FIXED`` spread over the lines cheapest first, each
    share rounded down to the cent and the last line taking the rest
    (``AbsoluteDiscountBenefit.apply``); the line's own discount added tax-exclusive
    (``Line.discount``); the line's prices after discounts, its price breakdown and the basket's
    totals as ``basket.Line`` and ``Basket`` compute them; the shipping charge added
    (``OrderTotalCalculator``). tests/test_bulk_create.py checks the result against the checkout.
    """
    units = []
    for line in spec.lines:
        excl = line.unit_price_excl_tax
        units.append((excl, excl + cents(excl * spec.line_rate(line))))
    shares: list[Decimal | None] = [None] * len(spec.lines)
    voucher = ZERO
    if spec.discount:
        applicable = sorted(((excl, i) for i, (excl, _) in enumerate(units) if excl), key=lambda pair: pair[0])
        affected = Decimal("0.00")
        for price, i in applicable:
            affected += spec.lines[i].quantity * price
        discount = min(spec.discount, affected)
        if discount:
            applied = Decimal("0.00")
            for position, (price, i) in enumerate(applicable):
                if position == len(applicable) - 1:
                    part = discount - applied
                else:
                    part = ((price * spec.lines[i].quantity) / affected * discount).quantize(CENT, ROUND_DOWN)
                shares[i] = part
                applied += part
            voucher = discount
    lines = []
    for line, (excl, incl), share in zip(spec.lines, units, shares, strict=True):
        discounts = [d for d in (share, line.discount_excl_tax or None) if d is not None]
        taken = sum(discounts, ZERO)
        before_excl, before_incl = line.quantity * excl, line.quantity * incl
        ratio = excl / incl if incl else ZERO
        after_excl = max(ZERO, before_excl - taken) if taken else before_excl
        after_incl = round_half_up_two_dec(after_excl / ratio) if taken else before_incl
        prices = LinePrices(line.quantity, excl, incl, before_excl, before_incl, after_excl, after_incl, share)
        if not taken:
            prices.breakdown.append((incl, excl, line.quantity))
        else:
            # Every unit counts as discounted once any discount reached the line (LineOfferConsumer).
            per_unit = taken / line.quantity
            prices.breakdown.append((incl - per_unit, excl - round_half_up_four_dec(per_unit * ratio), line.quantity))
        lines.append(prices)
    basket_excl = round_half_up_two_dec(sum((p.excl_tax for p in lines), Decimal("0.00")))
    basket_incl = round_half_up_two_dec(sum((p.incl_tax for p in lines), Decimal("0.00")))
    shipping_incl = spec.shipping + spec.shipping_tax
    return OrderPrices(
        lines=lines,
        voucher_discount=voucher,
        shipping_excl_tax=spec.shipping,
        shipping_incl_tax=shipping_incl,
        total_excl_tax=basket_excl + spec.shipping,
        total_incl_tax=basket_incl + shipping_incl,
    )


class OscarHarness(ShopHarness):
    """django-oscar 4 through :class:`~connex_bridge.contrib.oscar.source.OscarOrderSource`."""

    name = "oscar"
    connex_settings = {"ORDER_SOURCE": "connex_bridge.contrib.oscar.source.OscarOrderSource"}
    source_class = OscarOrderSource
    # The pipeline of tests/oscar_settings.py; Oscar's payments have no paid date of their own to set.
    status_change = ("Being processed", "Shipped")
    keeps_paid_date = False

    def create(self, spec: OrderSpec) -> None:
        basket = Basket.objects.create()
        basket.strategy = SpecStrategy(spec.tax_rate, untaxed=frozenset(x.sku for x in spec.lines if not x.taxable))
        for line in spec.lines:
            basket.add_product(self.product(line.sku, line.name, line.unit_price_excl_tax), quantity=line.quantity)
        if spec.discount:
            basket.vouchers.add(self.voucher(spec.number, spec.discount))
        guest = AnonymousUser()  # what Oscar's checkout passes for a guest
        Applicator().apply(basket, user=guest)
        for line, basket_line in zip(spec.lines, basket.all_lines(), strict=True):
            if line.discount_excl_tax:
                # An exact discount on one line is no offer Oscar has (offers spread amounts over a
                # range): it is given with the basket line's own Line.discount(), which lowers the
                # line's price as an offer would but records no OrderDiscount.
                basket_line.discount(line.discount_excl_tax, line.quantity, incl_tax=False)
        order = factories.create_order(
            number=spec.number,
            basket=basket,
            user=guest,
            shipping_method=FixedShippingPrice(spec.shipping, spec.shipping + spec.shipping_tax),
            status=spec.status,
            site=self.site(spec.store),
            guest_email=spec.email,
            billing_address=factories.BillingAddressFactory(**self.address_fields()),
            shipping_address=factories.ShippingAddressFactory(**self.address_fields(), phone_number=""),
        )
        if spec.parent_number:
            OrderNote.objects.create(
                order=order, note_type=self.source_class.parent_note_type, message=spec.parent_number
            )
        amounts = [order.total_incl_tax] if spec.payments is None else spec.payment_amounts
        for index, amount in enumerate(amounts, start=1):
            self.pay(order, amount, spec.payment_method, f"ch_{spec.number}_{index}")
        if spec.paid_at is not None:
            # Oscar stamps a transaction when it is recorded; the spec's payments were made at paid_at.
            Transaction.objects.filter(source__order=order).update(date_created=db_time(spec.paid_at))

    def bulk_create(self, specs: Iterable[OrderSpec]) -> None:
        """The rows :meth:`create` leaves behind, built in memory and written with one ``bulk_create`` per table.

        Orders, their billing and shipping addresses, lines and line prices, the voucher's
        ``OrderDiscount`` and ``OrderLineDiscount`` rows (with the voucher, its offer and benefit, and
        the voucher's application), payment sources and their authorise and debit transactions, the
        refunds' parent notes and the orders' change times; products, stock records, sites, the
        country and payment source types are looked up or created once each, as :meth:`create` would.
        Prices come from :func:`oscar_prices`. Not written: baskets (an order placed here has none)
        and the analytics counters Oscar's ``order_placed`` signal moves. The ``/connex/orders`` answer
        is the one :meth:`create` gives (tests/test_bulk_create.py).
        """
        from connex_bridge.models import OrderChange

        specs = list(specs)
        with transaction.atomic():
            catalogue: dict[str, tuple[str, Decimal, int]] = {}
            for spec in specs:
                for line in spec.lines:
                    title, _, quantity = catalogue.get(line.sku, (line.name, ZERO, 0))
                    catalogue[line.sku] = (title, line.unit_price_excl_tax, quantity + line.quantity)
            records = {}
            for sku, (title, price, quantity) in catalogue.items():
                self.product(sku, title, price)
                records[sku] = StockRecord.objects.select_related("partner", "product").get(
                    partner__name=PARTNER, partner_sku=sku
                )
                records[sku].allocate(quantity)
            sites = {store: self.site(store) for store in {spec.store: None for spec in specs}}
            methods = {spec.payment_method: None for spec in specs}
            source_types = {
                method: SourceType.objects.filter(name=method).first() or SourceType.objects.create(name=method)
                for method in methods
            }
            stock_address = self.address_fields()  # one country row, as the factories' get_or_create leaves
            everything = condition = None
            if any(spec.discount for spec in specs):
                everything, _ = Range.objects.get_or_create(name="Everything", defaults={"includes_all_products": True})
                condition, _ = Condition.objects.get_or_create(range=everything, type=Condition.COUNT, value=1)
            through = Voucher.offers.through
            models: list[type[Model]] = [
                BillingAddress, ShippingAddress, Order, Line, LinePrice, Benefit, ConditionalOffer, Voucher,
                through, VoucherApplication, OrderDiscount, OrderLineDiscount, OrderNote, Source, Transaction,
            ]  # fmt: skip
            rows: dict[type[Model], list[Model]] = {model: [] for model in models}
            ids = {model: (model._default_manager.aggregate(top=Max("pk"))["top"] or 0) + 1 for model in models}

            def add(model: type[Model], **fields: Any) -> Any:
                row = model(pk=ids[model], **fields)
                ids[model] += 1
                rows[model].append(row)
                return row

            now = timezone.now()
            currency = get_default_currency()
            label = self.source_class().change_label
            changes = []
            paid: list[tuple[Any, dt.datetime]] = []
            for spec in specs:
                prices = oscar_prices(spec)
                billing = add(BillingAddress, **stock_address)
                shipping = add(ShippingAddress, **stock_address, phone_number="")
                for address in (billing, shipping):
                    address._update_search_text()
                created = spec.created_at or spec.modified_at
                modified = spec.modified_at or created
                order = add(
                    Order,
                    number=spec.number,
                    site=sites[spec.store],
                    currency=currency,
                    total_incl_tax=prices.total_incl_tax,
                    total_excl_tax=prices.total_excl_tax,
                    shipping_incl_tax=prices.shipping_incl_tax,
                    shipping_excl_tax=prices.shipping_excl_tax,
                    shipping_method=str(FixedShippingPrice.name),
                    shipping_code=FixedShippingPrice.code,
                    status=spec.status,
                    guest_email=spec.email,
                    billing_address=billing,
                    shipping_address=shipping,
                    date_placed=created if created is not None else now,
                )
                changes.append(OrderChange(source=label, order_key=str(order.pk), changed_at=db_time(modified or now)))
                order_discount = None
                if prices.voucher_discount:
                    name = f"Coupon for {spec.number}"
                    benefit = add(Benefit, range=everything, type=Benefit.FIXED, value=spec.discount)
                    offer = add(
                        ConditionalOffer,
                        name=name,
                        slug=slugify(name),
                        start_datetime=now - dt.timedelta(days=1),
                        end_datetime=now + dt.timedelta(days=30),
                        status=ConditionalOffer.OPEN,
                        offer_type=ConditionalOffer.VOUCHER,
                        condition=condition,
                        benefit=benefit,
                        num_applications=1,
                        total_discount=prices.voucher_discount,
                        num_orders=1,
                    )
                    voucher = add(
                        Voucher,
                        name=name,
                        code=f"SAVE-{spec.number}",
                        usage=Voucher.MULTI_USE,
                        start_datetime=now - dt.timedelta(days=1),
                        end_datetime=now + dt.timedelta(days=10),
                        num_orders=1,
                        total_discount=prices.voucher_discount,
                    )
                    add(through, voucher=voucher, conditionaloffer=offer)
                    add(VoucherApplication, voucher=voucher, order=order)
                    order_discount = add(
                        OrderDiscount,
                        order=order,
                        offer_id=offer.pk,
                        offer_name=name,
                        voucher_id=voucher.pk,
                        voucher_code=voucher.code,
                        frequency=1,
                        amount=prices.voucher_discount,
                        message="",
                    )
                for spec_line, line_prices in zip(spec.lines, prices.lines, strict=True):
                    self._add_line(add, order, records[spec_line.sku], spec_line, line_prices, order_discount)
                if spec.parent_number:
                    note_type = self.source_class.parent_note_type
                    add(OrderNote, order=order, note_type=note_type, message=spec.parent_number)
                amounts = [prices.total_incl_tax] if spec.payments is None else spec.payment_amounts
                for index, amount in enumerate(amounts, start=1):
                    reference = f"ch_{spec.number}_{index}"
                    source = add(
                        Source,
                        order=order,
                        source_type=source_types[spec.payment_method],
                        currency=currency,
                        reference=reference,
                        amount_allocated=amount,
                        amount_debited=amount,
                    )
                    for txn_type, txn_reference in (("Authorise", f"auth_{reference}"), ("Debit", reference)):
                        txn = add(Transaction, source=source, txn_type=txn_type, amount=amount, reference=txn_reference)
                        if spec.paid_at is not None:
                            paid.append((txn, db_time(spec.paid_at)))
            for model, table in rows.items():
                model._default_manager.bulk_create(table, batch_size=BULK_BATCH)
            # Transaction.date_created is auto_now_add: the insert stamped the wall clock, as the
            # checkout did; like create(), the payments are then dated when the spec says they were made.
            for txn, at in paid:
                txn.date_created = at
            Transaction._default_manager.bulk_update([txn for txn, _ in paid], ["date_created"], batch_size=500)
            OrderChange.objects.bulk_create(changes, batch_size=BULK_BATCH)
            with connection.cursor() as cursor:
                for sql in connection.ops.sequence_reset_sql(no_style(), models):
                    cursor.execute(sql)

    @staticmethod
    def _add_line(add: Any, order: Any, record: Any, spec_line: LineSpec, prices: LinePrices, discount: Any) -> None:
        """One order line, its price rows and its share of the voucher, as ``OrderCreator.create_line_models``."""
        product = record.product
        line = add(
            Line,
            order=order,
            partner=record.partner,
            partner_name=record.partner.name,
            partner_sku=record.partner_sku,
            stockrecord=record,
            product=product,
            title=product.get_title(),
            upc=product.upc,
            quantity=prices.quantity,
            line_price_excl_tax=prices.excl_tax,
            line_price_incl_tax=prices.incl_tax,
            line_price_before_discounts_excl_tax=prices.before_excl_tax,
            line_price_before_discounts_incl_tax=prices.before_incl_tax,
            unit_price_excl_tax=prices.unit_excl_tax,
            unit_price_incl_tax=prices.unit_incl_tax,
            tax_code=None,
            num_allocated=prices.quantity,
            status=getattr(settings, "OSCAR_INITIAL_LINE_STATUS", ""),
        )
        for incl, excl, quantity in prices.breakdown:
            add(LinePrice, order=order, line=line, quantity=quantity, price_incl_tax=incl, price_excl_tax=excl)
        if discount is not None and prices.voucher_share is not None:
            add(OrderLineDiscount, line=line, order_discount=discount, is_incl_tax=False, amount=prices.voucher_share)

    def set_times(self, number: str, created_at: dt.datetime | None, modified_at: dt.datetime | None) -> None:
        order = Order.objects.get(number=number)
        if created_at is not None:
            Order.objects.filter(pk=order.pk).update(date_placed=created_at)
        if modified_at is not None:
            set_change_time(self.source_class().change_label, order.pk, modified_at)

    def add_payment(self, number: str, amount: Decimal) -> None:
        order = Order.objects.get(number=number)
        self.pay(order, amount, "Visa", f"ch_{number}_extra")

    # --- the shop's catalogue, sites, vouchers and payments ------------------------------

    @staticmethod
    def product(sku: str, title: str, price: Decimal) -> Any:
        """The product sold as ``sku``, its stock record priced at ``price`` (today's price)."""
        record = StockRecord.objects.filter(partner__name=PARTNER, partner_sku=sku).first()
        if record is None:
            return factories.create_product(
                title=title, partner_name=PARTNER, partner_sku=sku, price=price, num_in_stock=IN_STOCK
            )
        record.price = price
        record.num_in_stock = IN_STOCK
        record.save()
        return record.product

    @staticmethod
    def site(store: str) -> Any:
        """The site standing for the store ``store`` (Oscar has sites, not stores)."""
        from django.contrib.sites.models import Site

        return Site.objects.get_or_create(domain=f"{store}.shop.test", defaults={"name": store})[0]

    @staticmethod
    def voucher(number: str, amount: Decimal) -> Any:
        """A voucher taking ``amount`` off the whole basket (a fixed-amount offer on every product)."""
        everything, _ = Range.objects.get_or_create(name="Everything", defaults={"includes_all_products": True})
        condition, _ = Condition.objects.get_or_create(range=everything, type=Condition.COUNT, value=1)
        offer = factories.create_offer(
            name=f"Coupon for {number}",
            offer_type=ConditionalOffer.VOUCHER,
            product_range=everything,
            condition=condition,
            benefit=Benefit.objects.create(range=everything, type=Benefit.FIXED, value=amount),
        )
        voucher = factories.VoucherFactory(name=f"Coupon for {number}", code=f"SAVE-{number}")
        voucher.offers.add(offer)
        return voucher

    @staticmethod
    def pay(order: Any, amount: Decimal, method: str, reference: str) -> Any:
        """A payment source of type ``method``, authorised then debited, as a gateway integration records it."""
        source_type = SourceType.objects.filter(name=method).first() or SourceType.objects.create(name=method)
        source = Source(order=order, source_type=source_type, currency=order.currency, reference=reference)
        source.allocate(amount, reference=f"auth_{reference}")
        source.debit(amount, reference=reference)
        return source

    @staticmethod
    def address_fields() -> dict[str, Any]:
        return {
            "first_name": "Zoë",
            "last_name": "Ångström",
            "line1": "1 Harbor Street",
            "line2": "",
            "line4": "Boston",
            "state": "MA",
            "postcode": "02110",
            "country": factories.CountryFactory(iso_3166_1_a2="US", printable_name="United States"),
        }


class OscarStockHarness(StockHarness):
    """django-oscar's stock records, set by :class:`~connex_bridge.contrib.oscar.stock.OscarStockAdapter`."""

    name = "oscar"
    connex_settings = {
        "ORDER_SOURCE": "connex_bridge.contrib.oscar.source.OscarOrderSource",
        "STOCK_ADAPTER": "connex_bridge.contrib.oscar.stock.OscarStockAdapter",
        "PURCHASES_ADAPTER": None,
    }

    def product(
        self,
        sku: str,
        *,
        quantity: int = 0,
        price: Decimal = Decimal("10.00"),
        name: str = "",
        tracks_stock: bool = True,
    ) -> None:
        product_class = "Stocked goods" if tracks_stock else "Services"
        ProductClass.objects.get_or_create(name=product_class, defaults={"track_stock": tracks_stock})
        factories.create_product(
            title=name or sku,
            product_class=product_class,
            partner_name=PARTNER,
            partner_sku=sku,
            price=price,
            num_in_stock=quantity,
        )

    def held(self, sku: str) -> tuple[Decimal, Decimal]:
        record = StockRecord.objects.get(partner_sku=sku)
        return Decimal(record.num_in_stock), record.price
