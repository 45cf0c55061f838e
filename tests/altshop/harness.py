"""Contract-suite harnesses for the test-only alt shop (three sources over one model)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from connex_bridge.testing.harness import OrderSpec, ShopHarness, db_time, set_change_time
from connex_bridge.vocabulary import to_minor_units
from tests.altshop.models import Channel, Receipt, Sale, SaleItem


class AltShopHarness(ShopHarness):
    """Alt shop with a hand-written source: money in cents, stores in a table."""

    name = "altshop"
    connex_settings = {"ORDER_SOURCE": "tests.altshop.source.AltShopSource"}

    def create(self, spec: OrderSpec) -> None:
        now = timezone.now()
        sale = Sale.objects.create(
            ref=spec.number,
            state=spec.status,
            channel=Channel.objects.get_or_create(label=spec.store)[0],
            placed_on=now,
            touched=now,
            buyer_email=spec.email,
            total_cents=to_minor_units(spec.total),
            tax_cents=to_minor_units(spec.tax),
            shipping_cents=to_minor_units(spec.shipping),
            discount_cents=to_minor_units(spec.discount),
            parent_ref=spec.parent_number,
        )
        for line in spec.lines:
            SaleItem.objects.create(
                sale=sale,
                product_code=line.sku,
                title=line.name,
                qty=line.quantity,
                price_cents=to_minor_units(line.unit_price_excl_tax),
                gross_cents=to_minor_units(spec.unit_price_incl_tax(line)),
                discount_cents=to_minor_units(line.discount_excl_tax),
            )
        for index, amount in enumerate(spec.payment_amounts, start=1):
            Receipt.objects.create(
                sale=sale, cents=to_minor_units(amount), taken=now, card=spec.payment_method, txn=f"t{index}"
            )

    def set_times(self, number: str, created_at: dt.datetime | None, modified_at: dt.datetime | None) -> None:
        stamps = {"placed_on": created_at, "touched": modified_at}
        Sale.objects.filter(ref=number).update(**{k: db_time(v) for k, v in stamps.items() if v is not None})

    def add_payment(self, number: str, amount: Decimal) -> None:
        sale = Sale.objects.get(ref=number)
        Receipt.objects.create(sale=sale, cents=to_minor_units(amount), taken=timezone.now(), card="Visa")
        Sale.objects.filter(pk=sale.pk).update(touched=timezone.now())  # the shop's own code keeps touched


class AltShopDeclarativeHarness(AltShopHarness):
    """Alt shop through a DeclarativeOrderSource."""

    name = "altshop-declarative"
    connex_settings = {"ORDER_SOURCE": "tests.altshop.source.AltShopDeclarativeSource"}


class AltShopTrackedHarness(AltShopHarness):
    """Alt shop whose modified times come from connex_bridge's change tracking."""

    name = "altshop-tracked"
    connex_settings = {"ORDER_SOURCE": "tests.altshop.source.AltShopTrackedSource"}
    merchant = "acme"

    def set_times(self, number: str, created_at: dt.datetime | None, modified_at: dt.datetime | None) -> None:
        if created_at is not None:
            Sale.objects.filter(ref=number).update(placed_on=db_time(created_at))
        if modified_at is not None:
            set_change_time("altshop.sale", Sale.objects.get(ref=number).pk, modified_at)

    def add_payment(self, number: str, amount: Decimal) -> None:
        # No touch of the shop's own column: the Receipt's post_save signal must do it.
        Receipt.objects.create(
            sale=Sale.objects.get(ref=number), cents=to_minor_units(amount), taken=timezone.now(), card="Visa"
        )


class AltShopOneStoreHarness(AltShopHarness):
    """Alt shop with one store and no refund links: the contract's shape flags at work."""

    name = "altshop-one-store"
    connex_settings = {"ORDER_SOURCE": "tests.altshop.source.AltShopOneStoreSource"}
    single_store = "Alt Outlet"
    parent_numbers = False
