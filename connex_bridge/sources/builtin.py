"""The default order source: connex_bridge's own Order / Payment models."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from itertools import islice
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet

from connex_bridge.records import (
    AddressRecord,
    CustomerRecord,
    DiscountRecord,
    LineRecord,
    OrderRecord,
    PaymentRecord,
)
from connex_bridge.sources.base import CANCELLED_ANNOTATION, OrderSource

if TYPE_CHECKING:
    from connex_bridge.models import Address, Order


def address_record(address: Address | None) -> AddressRecord | None:
    """The record of a built-in :class:`~connex_bridge.models.Address`."""
    if address is None:
        return None
    return AddressRecord(
        first_name=address.first_name,
        last_name=address.last_name,
        company=address.company,
        line1=address.line1,
        line2=address.line2,
        line3=address.line3,
        city=address.city,
        region_code=address.region_code,
        postal_code=address.postal_code,
        country_name=address.country_name,
        country_code=address.country_code,
        phone=address.phone,
        email=address.email,
    )


_ADDRESS = (
    "first_name", "last_name", "company", "line1", "line2", "line3", "city", "region_code", "postal_code",
    "country_name", "country_code", "phone", "email",
)  # fmt: skip
_ORDER = (
    "pk", "number", "status", "store_name", "currency", "created_at", "modified_at", "paid_at", "total",
    "total_tax", "shipping_excl_tax", "shipping_incl_tax", "shipping_method", "discount_excl_tax",
    "discount_incl_tax", "customer_id", "customer_email", "customer_company", "payment_method",
    "payment_reference", "tracking_number", "shipped_at", "note", "private_note", "invoice_mode", "parent_number",
    "billing_address_id", "shipping_address_id",
    *(f"billing_address__{name}" for name in _ADDRESS),
    *(f"shipping_address__{name}" for name in _ADDRESS),
    CANCELLED_ANNOTATION,
)  # fmt: skip
_LINE = (
    "order_id", "sku", "name", "quantity", "unit_price_excl_tax", "unit_price_incl_tax", "discount_excl_tax",
    "discount_incl_tax", "tax_code",
)  # fmt: skip
_DISCOUNT = ("order_id", "name", "code", "amount", "non_taxable")
_PAYMENT = ("order_id", "amount", "paid_at", "method", "reference", "deposit_account", "pk", "modified_at")
_A = len(_ORDER) - 1 - 2 * len(_ADDRESS)  # where the billing address columns start


def _chunks(rows: Iterable[tuple[Any, ...]], size: int) -> Iterator[list[tuple[Any, ...]]]:
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _by_order(rows: Iterable[tuple[Any, ...]]) -> dict[int, list[tuple[Any, ...]]]:
    grouped: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for row in rows:
        grouped[row[0]].append(row)
    return grouped


class BuiltinOrderSource(OrderSource):
    """Serves :class:`connex_bridge.models.Order` and its lines, discounts and payments.

    It reads plain rows (``values_list``), not model instances: for a
    year's re-sync that is most of the answer's cost. :meth:`to_record` builds
    the same record from an instance, for subclasses and single orders.
    """

    model = "connex_bridge.Order"

    def iter_records(self, queryset: QuerySet[Any], statuses: Sequence[str]) -> Iterator[OrderRecord]:
        from connex_bridge.models import Discount, OrderLine, Payment

        orders = self.order_by(self.select_sales_and_refunds(queryset, statuses)).values_list(*_ORDER)
        for chunk in _chunks(orders.iterator(chunk_size=self.chunk_size), self.chunk_size):
            ids = [row[0] for row in chunk]
            lines = _by_order(OrderLine.objects.filter(order_id__in=ids).order_by("id").values_list(*_LINE))
            discounts = _by_order(Discount.objects.filter(order_id__in=ids).order_by("id").values_list(*_DISCOUNT))
            payments = _by_order(
                Payment.objects.filter(order_id__in=ids).order_by("paid_at", "id").values_list(*_PAYMENT)
            )
            for row in chunk:
                yield self._record(row, lines.get(row[0], ()), discounts.get(row[0], ()), payments.get(row[0], ()))

    @staticmethod
    def _record(
        row: tuple[Any, ...],
        lines: Iterable[tuple[Any, ...]],
        discounts: Iterable[tuple[Any, ...]],
        payments: Iterable[tuple[Any, ...]],
    ) -> OrderRecord:
        (
            pk, number, status, store_name, currency, created_at, modified_at, paid_at, total, total_tax,
            shipping_excl_tax, shipping_incl_tax, shipping_method, discount_excl_tax, discount_incl_tax,
            customer_id, customer_email, customer_company, payment_method, payment_reference, tracking_number,
            shipped_at, note, private_note, invoice_mode, parent_number, billing_id, shipping_id,
        ) = row[:_A]  # fmt: skip
        billing = (
            AddressRecord(*row[_A : _A + len(_ADDRESS)])
            if billing_id is not None
            else AddressRecord(email=customer_email)
        )
        shipping = AddressRecord(*row[_A + len(_ADDRESS) : -1]) if shipping_id is not None else None
        return OrderRecord(
            number=number,
            id=pk,
            other=str(pk),
            status=status,
            store_name=store_name,
            currency=currency,
            created_at=created_at,
            modified_at=modified_at,
            paid_at=paid_at,
            total=total,
            total_tax=total_tax,
            shipping_excl_tax=shipping_excl_tax,
            shipping_incl_tax=shipping_incl_tax,
            shipping_method=shipping_method,
            discount_excl_tax=discount_excl_tax,
            discount_incl_tax=discount_incl_tax,
            lines=[LineRecord(*line[1:]) for line in lines],
            discounts=[DiscountRecord(*discount[1:]) for discount in discounts],
            billing_address=billing,
            shipping_address=shipping,
            customer=CustomerRecord(
                id=customer_id or 0,
                email=customer_email,
                company=customer_company,
                first_name=billing.first_name,
                last_name=billing.last_name,
            ),
            payment_method=payment_method,
            payment_reference=payment_reference,
            tracking_number=tracking_number,
            shipped_at=shipped_at,
            note=note,
            private_note=private_note,
            invoice_mode=invoice_mode,
            parent_number=parent_number,
            is_cancelled=bool(row[-1]),
            payments=[
                PaymentRecord(number, amount, paid, method, reference, deposit, payment_pk, modified)
                for _, amount, paid, method, reference, deposit, payment_pk, modified in payments
            ],
        )

    def prefetch(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        return queryset.select_related("billing_address", "shipping_address").prefetch_related(
            "lines", "discounts", "payments"
        )

    def to_record(self, order: Order) -> OrderRecord:
        billing = address_record(order.billing_address) or AddressRecord(email=order.customer_email)
        return OrderRecord(
            number=order.number,
            id=order.pk,
            other=str(order.pk),
            status=order.status,
            store_name=order.store_name,
            currency=order.currency,
            created_at=order.created_at,
            modified_at=order.modified_at,
            paid_at=order.paid_at,
            total=order.total,
            total_tax=order.total_tax,
            shipping_excl_tax=order.shipping_excl_tax,
            shipping_incl_tax=order.shipping_incl_tax,
            shipping_method=order.shipping_method,
            discount_excl_tax=order.discount_excl_tax,
            discount_incl_tax=order.discount_incl_tax,
            lines=[
                LineRecord(
                    sku=line.sku,
                    name=line.name,
                    quantity=line.quantity,
                    unit_price_excl_tax=line.unit_price_excl_tax,
                    unit_price_incl_tax=line.unit_price_incl_tax,
                    discount_excl_tax=line.discount_excl_tax,
                    discount_incl_tax=line.discount_incl_tax,
                    tax_code=line.tax_code,
                )
                for line in order.lines.all()
            ],
            discounts=[
                DiscountRecord(name=d.name, code=d.code, amount=d.amount, non_taxable=d.non_taxable)
                for d in order.discounts.all()
            ],
            billing_address=billing,
            shipping_address=address_record(order.shipping_address),
            customer=CustomerRecord(
                id=order.customer_id or 0,
                email=order.customer_email,
                company=order.customer_company,
                first_name=billing.first_name,
                last_name=billing.last_name,
            ),
            payment_method=order.payment_method,
            payment_reference=order.payment_reference,
            tracking_number=order.tracking_number,
            shipped_at=order.shipped_at,
            note=order.note,
            private_note=order.private_note,
            invoice_mode=order.invoice_mode,
            parent_number=order.parent_number,
            payments=[
                PaymentRecord(
                    order_number=order.number,
                    amount=p.amount,
                    paid_at=p.paid_at,
                    method=p.method,
                    reference=p.reference,
                    deposit_account=p.deposit_account,
                    id=p.pk,
                    modified_at=p.modified_at,
                )
                for p in order.payments.all()
            ],
        )
