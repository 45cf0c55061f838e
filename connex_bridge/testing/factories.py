"""factory-boy factories for connex_bridge's models.

``OrderFactory`` builds a balanced order: its totals follow from its lines,
discount, shipping and tax, so the invariants of docs/protocol.md §4 hold to
the cent. Pass ``created_at`` / ``modified_at`` to pin the timestamps (they are
written last, after lines and payments, which otherwise move ``modified_at``).
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import factory
from django.utils import timezone

from connex_bridge.models import Address, ConnexCredential, Discount, Order, OrderLine, Payment
from connex_bridge.testing.clock import db_time
from connex_bridge.vocabulary import cents


class ConnexCredentialFactory(factory.django.DjangoModelFactory):
    """A credential; its clear secret is on ``credential.secret`` after creation."""

    class Meta:
        model = ConnexCredential
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"connex-{n}")
    is_active = True
    stores: list[str] = []

    @factory.post_generation
    def secret(obj: ConnexCredential, create: bool, extracted: str | None, **kwargs: Any) -> None:  # noqa: N805
        from connex_bridge.credential_secrets import generate_secret

        obj.secret = extracted or generate_secret()
        obj.set_secret(obj.secret)
        if create:
            obj.save()


class AddressFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Address

    first_name = "Zoë"
    last_name = factory.Sequence(lambda n: f"Ångström{n}")
    line1 = factory.Sequence(lambda n: f"{n} Main Street")
    city = "Boston"
    region_code = "MA"
    postal_code = "02108"
    country_name = "United States"
    country_code = "US"
    phone = "+1 617 555 0100"
    email = factory.LazyAttribute(lambda a: f"{a.last_name.lower()}@example.com")


class OrderLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrderLine

    order = factory.SubFactory("connex_bridge.testing.factories.OrderFactory")
    sku = factory.Sequence(lambda n: f"SKU-{n:04d}")
    name = factory.Sequence(lambda n: f"Product {n}")
    quantity = Decimal("1")
    unit_price_excl_tax = Decimal("10.00")
    unit_price_incl_tax = factory.LazyAttribute(lambda line: line.unit_price_excl_tax)


class PaymentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Payment

    order = factory.SubFactory("connex_bridge.testing.factories.OrderFactory")
    amount = Decimal("10.00")
    method = "Visa"
    reference = factory.Sequence(lambda n: f"ch_{n:08d}")


class OrderFactory(factory.django.DjangoModelFactory):
    """A balanced order with ``lines`` (a list of dicts of OrderLine fields) and
    ``payments`` (a list of amounts; default: one payment of the total).

    ``tax_rate`` taxes every line; ``shipping`` and ``discount`` are excl. tax.
    """

    class Meta:
        model = Order
        skip_postgeneration_save = True

    # Not model fields: _create() consumes them to build a balanced order.
    lines = factory.LazyFunction(lambda: [{"quantity": Decimal("1"), "unit_price_excl_tax": Decimal("10.00")}])
    tax_rate = Decimal("0")
    shipping = Decimal("0.00")
    discount = Decimal("0.00")
    payments = None
    created_at = None
    modified_at = None

    number = factory.Sequence(lambda n: f"{1000 + n}")
    status = "shipped"
    store_name = "Web"
    currency = "USD"
    customer_email = factory.Sequence(lambda n: f"buyer{n}@example.com")
    billing_address = factory.SubFactory(AddressFactory)
    payment_method = "Visa"

    @classmethod
    def _create(cls, model_class: type[Order], *args: Any, **kwargs: Any) -> Order:
        lines = kwargs.pop("lines")
        rate = Decimal(kwargs.pop("tax_rate"))
        shipping = Decimal(kwargs.pop("shipping"))
        discount = Decimal(kwargs.pop("discount"))
        payments = kwargs.pop("payments")
        created_at = kwargs.pop("created_at")
        modified_at = kwargs.pop("modified_at")

        subtotal = Decimal("0.00")
        tax = Decimal("0.00")
        for spec in lines:
            quantity = Decimal(spec.get("quantity", 1))
            excl = Decimal(spec.get("unit_price_excl_tax", "10.00"))
            line_discount = Decimal(spec.get("discount_excl_tax", "0.00"))
            net = quantity * excl - line_discount
            subtotal += net
            tax += cents(net * rate)
        tax += cents(shipping * rate)
        tax -= cents(discount * rate)
        total = subtotal - discount + shipping + tax

        kwargs.setdefault("total", total)
        kwargs.setdefault("total_tax", tax)
        kwargs.setdefault("shipping_excl_tax", shipping)
        kwargs.setdefault("shipping_incl_tax", shipping + cents(shipping * rate))
        kwargs.setdefault("discount_excl_tax", discount)
        kwargs.setdefault("discount_incl_tax", discount + cents(discount * rate))
        order = super()._create(model_class, *args, **kwargs)

        for index, spec in enumerate(lines, start=1):
            excl = Decimal(spec.get("unit_price_excl_tax", "10.00"))
            line_discount = Decimal(spec.get("discount_excl_tax", "0.00"))
            OrderLine.objects.create(
                order=order,
                sku=spec.get("sku") or f"SKU-{index:03d}",
                name=spec.get("name", "Product"),
                quantity=Decimal(spec.get("quantity", 1)),
                unit_price_excl_tax=excl,
                unit_price_incl_tax=spec.get("unit_price_incl_tax", cents(excl * (1 + rate))),
                discount_excl_tax=line_discount,
                discount_incl_tax=cents(line_discount * (1 + rate)),
            )
        if discount:
            Discount.objects.create(order=order, name="Coupon", code="SAVE", amount=discount)
        for amount in [order.total] if payments is None else payments:
            Payment.objects.create(order=order, amount=Decimal(amount), method=order.payment_method)

        stamps = {}
        if created_at is not None:
            stamps["created_at"] = db_time(created_at)
        stamps["modified_at"] = db_time(modified_at or created_at or timezone.now())
        Order.objects.filter(pk=order.pk).update(**stamps)
        order.refresh_from_db()
        return order
