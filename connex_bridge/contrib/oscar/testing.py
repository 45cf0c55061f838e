"""The contract suite's harness for django-oscar: orders placed through Oscar's own checkout code.

:class:`OscarHarness` turns an :class:`~connex_bridge.testing.harness.OrderSpec`
into an Oscar order the way a shop's checkout does: products and stock records
priced at the spec's unit prices (``partner_sku`` = the spec's SKU), a basket
under a tax strategy charging the spec's rate, a voucher with an absolute
offer for the order discount, the offers applied by Oscar's ``Applicator``, a
fixed-price shipping method, ``OrderCreator`` (through
``oscar.test.factories.create_order``) placing it, and payment sources
allocated and debited through ``Source.allocate()`` / ``Source.debit()``.

Needs django-oscar and the ``test`` extra (factory-boy); nothing at run time imports it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import AnonymousUser
from oscar.apps.partner import strategy
from oscar.apps.partner.prices import FixedPrice as FixedUnitPrice
from oscar.apps.shipping.methods import FixedPrice as FixedShippingPrice
from oscar.core.loading import get_class, get_model
from oscar.test import factories

from connex_bridge.contrib.oscar.source import OscarOrderSource
from connex_bridge.testing.catalogue import StockHarness
from connex_bridge.testing.clock import db_time
from connex_bridge.testing.harness import OrderSpec, ShopHarness, set_change_time
from connex_bridge.vocabulary import cents

Applicator = get_class("offer.applicator", "Applicator")
Basket = get_model("basket", "Basket")
Benefit = get_model("offer", "Benefit")
Condition = get_model("offer", "Condition")
ConditionalOffer = get_model("offer", "ConditionalOffer")
Order = get_model("order", "Order")
OrderNote = get_model("order", "OrderNote")
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
