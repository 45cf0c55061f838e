"""Test-only OrderSources over tests.altshop: they prove the adapter seam.

``AltShopSource`` writes every method by hand; ``AltShopDeclarativeSource``
names paths and overrides the cent fields with methods; ``AltShopTrackedSource``
ignores the host's ``touched`` column and tracks changes itself, and scopes
credentials to a merchant; ``AltShopOneStoreSource`` has one store and no
refund links.
"""

from dataclasses import replace
from decimal import Decimal
from typing import Any

from django.db.models import Prefetch

from connex_bridge.records import AddressRecord, CustomerRecord, LineRecord, OrderRecord, PaymentRecord
from connex_bridge.sources import DeclarativeOrderSource, OrderSource
from connex_bridge.vocabulary import from_minor_units
from tests.altshop.models import Receipt, SaleItem


class AltShopSource(OrderSource):
    model = "altshop.Sale"
    number_field = "ref"
    status_field = "state"
    store_field = "channel__label"
    created_field = "placed_on"
    modified_field = "touched"

    def prefetch(self, queryset: Any) -> Any:
        return queryset.select_related("channel").prefetch_related(
            Prefetch("items", queryset=SaleItem.objects.order_by("pk")),
            Prefetch("receipts", queryset=Receipt.objects.order_by("pk")),
        )

    def to_record(self, order: Any) -> OrderRecord:
        return OrderRecord(
            number=order.ref,
            id=order.pk,
            other=str(order.pk),
            status=order.state,
            store_name=order.channel.label,
            created_at=order.placed_on,
            modified_at=order.touched,
            total=from_minor_units(order.total_cents),
            total_tax=from_minor_units(order.tax_cents),
            shipping_excl_tax=from_minor_units(order.shipping_cents),
            shipping_incl_tax=from_minor_units(order.shipping_cents),
            discount_excl_tax=from_minor_units(order.discount_cents),
            discount_incl_tax=from_minor_units(order.discount_cents),
            parent_number=order.parent_ref,
            billing_address=AddressRecord(email=order.buyer_email),
            customer=CustomerRecord(email=order.buyer_email),
            lines=[
                LineRecord(
                    sku=item.product_code,
                    name=item.title,
                    quantity=Decimal(item.qty),
                    unit_price_excl_tax=from_minor_units(item.price_cents),
                    unit_price_incl_tax=from_minor_units(item.gross_cents),
                    discount_excl_tax=from_minor_units(item.discount_cents),
                    discount_incl_tax=from_minor_units(item.discount_cents),
                )
                for item in order.items.all()
            ],
            payments=[
                PaymentRecord(
                    order_number=order.ref,
                    amount=from_minor_units(r.cents),
                    paid_at=r.taken,
                    method=r.card,
                    reference=r.txn,
                    id=r.pk,
                )
                for r in order.receipts.all()
            ],
        )


class AltShopDeclarativeSource(DeclarativeOrderSource):
    model = "altshop.Sale"
    number_field = "ref"
    status_field = "state"
    store_field = "channel__label"
    created_field = "placed_on"
    modified_field = "touched"
    order_fields = {
        "customer.email": "buyer_email",
        "billing_address.email": "buyer_email",
        "parent_number": "parent_ref",
    }
    lines = "items"
    line_fields = {"sku": "product_code", "name": "title", "quantity": "qty"}
    payments = "receipts"
    payment_fields = {"paid_at": "taken", "method": "card", "reference": "txn", "id": "pk"}

    def get_total(self, sale: Any) -> Decimal:
        return from_minor_units(sale.total_cents)

    def get_total_tax(self, sale: Any) -> Decimal:
        return from_minor_units(sale.tax_cents)

    def get_shipping_excl_tax(self, sale: Any) -> Decimal:
        return from_minor_units(sale.shipping_cents)

    def get_shipping_incl_tax(self, sale: Any) -> Decimal:
        return from_minor_units(sale.shipping_cents)

    def get_discount_excl_tax(self, sale: Any) -> Decimal:
        return from_minor_units(sale.discount_cents)

    def get_discount_incl_tax(self, sale: Any) -> Decimal:
        return from_minor_units(sale.discount_cents)

    def get_line_unit_price_excl_tax(self, item: Any) -> Decimal:
        return from_minor_units(item.price_cents)

    def get_line_unit_price_incl_tax(self, item: Any) -> Decimal:
        return from_minor_units(item.gross_cents)

    def get_line_discount_excl_tax(self, item: Any) -> Decimal:
        return from_minor_units(item.discount_cents)

    def get_line_discount_incl_tax(self, item: Any) -> Decimal:
        return from_minor_units(item.discount_cents)

    def get_payment_amount(self, receipt: Any) -> Decimal:
        return from_minor_units(receipt.cents)


class AltShopTrackedSource(AltShopDeclarativeSource):
    modified_field = None
    merchant_field = "merchant"
    track_changes = {"altshop.Sale": "pk", "altshop.SaleItem": "sale_id", "altshop.Receipt": "sale_id"}


class AltShopOneStoreSource(AltShopSource):
    """The alt shop as a one-store shop that keeps no link from a refund to its sale.

    Every order is in ``store_name`` (the channel column is not read), and no
    ``ParentOrderNumber`` is sent: the shape ``ShopHarness.single_store`` and
    ``ShopHarness.parent_numbers`` describe.
    """

    store_field = None
    store_name = "Alt Outlet"

    def to_record(self, order: Any) -> OrderRecord:
        return replace(super().to_record(order), store_name=self.store_name, parent_number="")
