"""The default order source: connex_bridge's own Order / Payment models."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

from django.db.models import Case, Model, Q, QuerySet

from connex_bridge.conf import app_settings
from connex_bridge.records import (
    AddressRecord,
    CustomerRecord,
    DiscountRecord,
    LineRecord,
    OrderRecord,
    OrderStatusUpdate,
    PaymentRecord,
)
from connex_bridge.sources.base import CANCELLED_ANNOTATION, OrderSource, WriteRefusedError, flag
from connex_bridge.sources.rows import InconsistentReadError, InStep, chunks, every_row, first_chunk

__all__ = ["BuiltinOrderSource", "InconsistentReadError", "address_record"]

if TYPE_CHECKING:
    from connex_bridge.models import Address, ConnexCredential, Order


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
    "billing_address_id", "shipping_address_id", CANCELLED_ANNOTATION,
)  # fmt: skip
#: The addresses of an order joined to it: for a window read in chunks, after the order's own columns.
_JOINED = (*(f"billing_address__{name}" for name in _ADDRESS), *(f"shipping_address__{name}" for name in _ADDRESS))
_LINE = (
    "order_id", "sku", "unit_price_excl_tax", "name", "quantity", "unit_price_incl_tax", "discount_excl_tax",
    "discount_incl_tax", "tax_code",
)  # fmt: skip
_DISCOUNT = ("order_id", "name", "code", "amount", "non_taxable")
_PAYMENT = ("order_id", "amount", "paid_at", "method", "reference", "deposit_account", "pk", "modified_at")
#: The payments of a window of up to ``chunk_size`` orders are fetched in one query when they number at
#: most this many times ``chunk_size`` (a sale has one or two; a row is a few narrow columns), else streamed.
PAYMENTS_PER_ORDER = 4
_A = len(_ORDER) - 1  # where the cancelled flag is; joined addresses follow it
_AN = len(_ADDRESS)


def _by_order(rows: Iterable[tuple[Any, ...]]) -> dict[int, list[tuple[Any, ...]]]:
    grouped: dict[int, list[tuple[Any, ...]]] = defaultdict(list)
    for row in rows:
        grouped[row[0]].append(row)
    return grouped


def _on_relation(q: Q, relation: str) -> Q | None:
    """``q`` (field lookups on an order) rewritten for a model that reaches the order
    through ``relation``; ``None`` when it holds something that cannot be moved."""
    children: list[Any] = []
    for child in q.children:
        if isinstance(child, Q):
            moved = _on_relation(child, relation)
            if moved is None:
                return None
            children.append(moved)
        elif isinstance(child, tuple) and isinstance(child[0], str) and not hasattr(child[1], "resolve_expression"):
            children.append((f"{relation}__{child[0]}", child[1]))
        else:
            return None
    moved = Q()
    moved.connector, moved.negated, moved.children = q.connector, q.negated, children
    return moved


def _joined(
    row: tuple[Any, ...], joined: tuple[Any, ...], at: int
) -> tuple[tuple[Any, ...] | None, tuple[Any, ...] | None]:
    """The billing and shipping address columns of order ``row``, from ``joined`` (a row that holds
    them from index ``at``); ``None`` for an address the order has not."""
    billing = joined[at : at + _AN] if row[_A - 2] is not None else None
    return billing, joined[at + _AN : at + 2 * _AN] if row[_A - 1] is not None else None


class BuiltinOrderSource(OrderSource):
    """Serves :class:`connex_bridge.models.Order` and its lines, discounts and payments.

    It reads plain rows (``values_list``), not model instances: for a
    year's re-sync that is most of the answer's cost. :meth:`to_record` builds
    the same record from an instance, for subclasses and single orders.

    Five queries read any window (on PostgreSQL six one larger than
    :attr:`chunk_size`), and nothing is held back while the answer streams:
    the orders come sales first, then refunds, each in modified-time order
    (see :func:`~connex_bridge.sources.rows.first_chunk`); their addresses,
    lines and discounts come from one query each (for a window of up to
    :attr:`chunk_size` orders, selected by the window and grouped by order or,
    for addresses, by address; for a larger one, sorted like the orders and
    read in step with them); the payments of the sales come from a last query,
    after every order is written.
    """

    model = "connex_bridge.Order"
    refunds_last = True

    @property
    def constant_queries(self) -> bool:  # type: ignore[override]
        """True unless a subclass orders or tells apart orders in a way the in-step reading cannot follow."""
        return self._in_step() is not None

    def iter_records(self, queryset: QuerySet[Any], statuses: Sequence[str]) -> Iterator[OrderRecord]:
        """Sales, then refunds, each in the order of :meth:`order_by`. When
        :meth:`iter_payments` reads the payments apart, the records carry none."""
        from connex_bridge.models import Discount, OrderLine

        window = self.select_sales_and_refunds(queryset, statuses)
        ordered = self.order_by(window)
        orders = ordered.order_by(CANCELLED_ANNOTATION, *ordered.query.order_by)
        plan = self._in_step()
        if plan is None:
            yield from self._iter_chunked(orders.values_list(*_ORDER, *_JOINED))
            return
        on_order, modified = plan
        whole, every = first_chunk(orders.values_list(*_ORDER), self.chunk_size)
        if whole is not None:
            # The whole window fits in one chunk (a poll, most of the time): its addresses, lines and
            # discounts are selected by the window itself, each address once however many orders share
            # it, without the joins and sort that reading in step takes; one query each.
            addresses = self._addresses(window)
            lines_of, discounts_of = self._lines_and_discounts(window.values("pk"))
            for row in whole:
                pk = row[0]
                billing, shipping = addresses.get(row[_A - 2]), addresses.get(row[_A - 1])
                yield self._record(row, billing, shipping, lines_of.get(pk, ()), discounts_of.get(pk, ()), ())
            return

        def in_step(model: type[Model], fields: tuple[str, ...], name: str) -> InStep:
            rows = (
                model._default_manager.filter(order__in=window.values("pk"))
                .alias(connex_order_cancelled=on_order)
                .order_by("connex_order_cancelled", f"order__{modified}", "order_id", "pk")
                .values_list(*fields)
            )
            return InStep(rows.iterator(chunk_size=self.chunk_size), name)

        # A larger window: the addresses come joined to the orders in a query of their own, sorted like them.
        joined_rows = InStep(orders.values_list("pk", *_JOINED).iterator(chunk_size=self.chunk_size), "Addresses")
        lines = in_step(OrderLine, _LINE, "Lines")
        discounts = in_step(Discount, _DISCOUNT, "Discounts")
        for row in every:
            pk = row[0]
            joined = joined_rows.take(pk)
            if len(joined) != 1:
                raise InconsistentReadError(
                    f"The addresses of order id {pk} did not come in step with the orders; "
                    "the answer stops before it is complete."
                )
            billing, shipping = _joined(row, joined[0], 1)
            yield self._record(row, billing, shipping, lines.take(pk), discounts.take(pk), ())
        joined_rows.finish()
        lines.finish()
        discounts.finish()

    def iter_payments(self, queryset: QuerySet[Any], statuses: Sequence[str]) -> Iterator[PaymentRecord] | None:
        """The payments of every sale, read by one query after the orders are written."""
        from connex_bridge.models import Payment

        plan = self._in_step()
        if plan is None:
            return None
        sales = self.select_sales_and_refunds(queryset, statuses).filter(**{CANCELLED_ANNOTATION: False})
        rows = (
            Payment.objects.filter(order__in=sales.values("pk"))
            .order_by(f"order__{plan[1]}", "order_id", "paid_at", "pk")
            .values_list(*_PAYMENT[1:3], "order__number", *_PAYMENT[3:])
        )
        return (PaymentRecord(*row) for row in every_row(rows, PAYMENTS_PER_ORDER * self.chunk_size))

    def _in_step(self) -> tuple[Case, str] | None:
        """How lines, discounts and payments are sorted like the orders: an expression
        telling whether a row's order is cancelled, and the order's modified field.
        ``None`` when a subclass orders or tells apart orders in a way this cannot
        follow; the orders are then read in chunks, each with its related rows."""
        from connex_bridge.models import Order

        modified = self.modified_field or self.created_field
        if self.tracks_changes:
            return None
        if tuple(self.order_by(Order.objects.none()).query.order_by) != (modified, "pk"):
            return None
        cancelled = _on_relation(self.cancelled_q(), "order")
        if cancelled is None:
            return None
        return flag(cancelled), modified

    def _iter_chunked(self, orders: QuerySet[Any]) -> Iterator[OrderRecord]:
        """Orders (with their addresses joined) in chunks, each chunk's lines, discounts and payments
        fetched by order id."""
        from connex_bridge.models import Payment

        for chunk in chunks(orders.iterator(chunk_size=self.chunk_size), self.chunk_size):
            ids = [row[0] for row in chunk]
            lines, discounts = self._lines_and_discounts(ids)
            payments = _by_order(
                Payment.objects.filter(order_id__in=ids).order_by("paid_at", "id").values_list(*_PAYMENT)
            )
            for row in chunk:
                pk = row[0]
                billing, shipping = _joined(row, row, _A + 1)
                yield self._record(
                    row, billing, shipping, lines.get(pk, ()), discounts.get(pk, ()), payments.get(pk, ())
                )

    @staticmethod
    def _addresses(window: QuerySet[Any]) -> dict[int, tuple[Any, ...]]:
        """The address columns of every billing and shipping address of ``window``, by address id: one
        query, a ``UNION ALL`` of two semi-joins, so that each is found by its key in any database."""
        from connex_bridge.models import Address

        def of(field: str) -> QuerySet[Any]:
            return Address.objects.filter(pk__in=window.values(field)).order_by().values_list("pk", *_ADDRESS)

        return {row[0]: row[1:] for row in of("billing_address_id").union(of("shipping_address_id"), all=True)}

    @staticmethod
    def _lines_and_discounts(keys: Any) -> tuple[dict[int, list[tuple[Any, ...]]], dict[int, list[tuple[Any, ...]]]]:
        """The lines and the discounts of the orders ``keys`` selects (a list of ids or a ``values("pk")``
        queryset), each grouped by order."""
        from connex_bridge.models import Discount, OrderLine

        lines = _by_order(OrderLine.objects.filter(order__in=keys).order_by("pk").values_list(*_LINE))
        return lines, _by_order(Discount.objects.filter(order__in=keys).order_by("pk").values_list(*_DISCOUNT))

    @staticmethod
    def _record(
        row: tuple[Any, ...],
        billing_columns: Sequence[Any] | None,
        shipping_columns: Sequence[Any] | None,
        lines: Iterable[tuple[Any, ...]],
        discounts: Iterable[tuple[Any, ...]],
        payments: Iterable[tuple[Any, ...]],
    ) -> OrderRecord:
        (
            pk, number, status, store_name, currency, created_at, modified_at, paid_at, total, total_tax,
            shipping_excl_tax, shipping_incl_tax, shipping_method, discount_excl_tax, discount_incl_tax,
            customer_id, customer_email, customer_company, payment_method, payment_reference, tracking_number,
            shipped_at, note, private_note, invoice_mode, parent_number, _billing_id, _shipping_id,
        ) = row[:_A]  # fmt: skip
        billing = (
            AddressRecord(*billing_columns) if billing_columns is not None else AddressRecord(email=customer_email)
        )
        shipping = AddressRecord(*shipping_columns) if shipping_columns is not None else None
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
            ),
            payment_method=payment_method,
            payment_reference=payment_reference,
            tracking_number=tracking_number,
            shipped_at=shipped_at,
            note=note,
            private_note=private_note,
            invoice_mode=invoice_mode,
            parent_number=parent_number,
            is_cancelled=bool(row[_A]),
            payments=[
                PaymentRecord(amount, paid, number, method, reference, deposit, payment_pk, modified)
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

    # --- what QuickBooks writes back ---------------------------------------------------

    def apply_status(self, order: Order, change: OrderStatusUpdate) -> bool:
        """The status, and what Connex sent of the tracking number, shipping date and paid date, saved on
        the order (``save()`` moves ``modified_at``); nothing is saved when the order already holds them."""
        values: dict[str, Any] = {"status": change.status}
        if change.tracking_number:
            values["tracking_number"] = change.tracking_number
        if change.shipped_at is not None:
            values["shipped_at"] = change.shipped_at
        if change.paid_at is not None:
            values["paid_at"] = change.paid_at
        _check_lengths(order, values)
        changed = [name for name, value in values.items() if getattr(order, name) != value]
        for name in changed:
            setattr(order, name, values[name])
        if changed:
            order.save(update_fields=changed)
        return bool(changed)

    def unknown_skus(self, skus: set[str]) -> set[str]:
        """The SKUs of ``skus`` that are no built-in :class:`~connex_bridge.models.Product` (exactly, in any
        database's collation), in one query. A shop whose ``STOCK_ADAPTER`` is not the built-in one keeps its
        catalogue elsewhere, so every SKU is taken."""
        from connex_bridge.models import Product
        from connex_bridge.stock import get_stock_adapter
        from connex_bridge.stock.builtin import BuiltinStockAdapter

        if app_settings.STOCK_ADAPTER is None or not isinstance(get_stock_adapter(), BuiltinStockAdapter):
            return set()
        return skus - set(Product.objects.filter(sku__in=skus).values_list("sku", flat=True))

    def create_order(self, record: OrderRecord, credential: ConnexCredential) -> None:
        """The order, its addresses, lines and coupons as built-in rows: at most five INSERTs."""
        from connex_bridge.models import Address, Discount, Order, OrderLine

        def address(found: AddressRecord | None) -> Address | None:
            if found is None or found == AddressRecord():
                return None
            return Address(**{name: getattr(found, name) for name in _ADDRESS})

        order = Order(
            number=record.number,
            status=record.status,
            store_name=record.store_name,
            currency=record.currency or "USD",
            created_at=record.created_at,
            paid_at=record.paid_at,
            total=record.total,
            total_tax=record.total_tax,
            shipping_excl_tax=record.shipping_excl_tax,
            shipping_incl_tax=record.shipping_incl_tax,
            shipping_method=record.shipping_method,
            discount_excl_tax=record.discount_excl_tax,
            discount_incl_tax=record.discount_incl_tax,
            customer_id=record.customer.id or None,
            customer_email=record.customer.email or record.billing_address.email,
            customer_company=record.customer.company,
            payment_method=record.payment_method,
            payment_reference=record.payment_reference,
            tracking_number=record.tracking_number,
            shipped_at=record.shipped_at,
            note=record.note,
            private_note=record.private_note,
            invoice_mode=record.invoice_mode,
            parent_number=record.parent_number,
        )
        lines = [
            OrderLine(
                order=order,
                sku=line.sku,
                name=line.name,
                quantity=line.quantity,
                unit_price_excl_tax=line.unit_price_excl_tax,
                unit_price_incl_tax=line.unit_price_incl_tax,
                discount_excl_tax=line.discount_excl_tax,
                discount_incl_tax=line.discount_incl_tax,
                tax_code=line.tax_code,
            )
            for line in record.lines
        ]
        discounts = [
            Discount(order=order, name=d.name, code=d.code, amount=d.amount, non_taxable=d.non_taxable)
            for d in record.discounts
        ]
        billing, shipping = address(record.billing_address), address(record.shipping_address)
        addresses = [found for found in (billing, shipping) if found is not None]
        for row in (*addresses, order, *lines, *discounts):
            _check_fit(row)
        for found in addresses:
            found.save(force_insert=True)
        order.billing_address, order.shipping_address = billing, shipping
        order.save(force_insert=True)
        OrderLine.objects.bulk_create(lines)
        if discounts:
            Discount.objects.bulk_create(discounts)


def _check_lengths(order: Model, values: dict[str, Any]) -> None:
    """WriteRefusedError when a text value is longer than its field holds (databases differ in what they do)."""
    for name, value in values.items():
        limit = getattr(order._meta.get_field(name), "max_length", None)
        if isinstance(value, str) and limit is not None and len(value) > limit:
            raise WriteRefusedError(
                f"The order's {name} {value[:40]!r} is longer than the shop keeps ({limit} characters); "
                "nothing was changed."
            )


def _check_fit(row: Model) -> None:
    """WriteRefusedError when a value of ``row`` does not fit its field: text too long, an amount with more
    decimal places or digits than the field keeps (the database would cut or round it)."""
    from django.db import models

    label = row._meta.verbose_name
    for field in row._meta.concrete_fields:
        value = getattr(row, field.attname)
        if isinstance(field, models.CharField) and isinstance(value, str) and len(value) > (field.max_length or 0):
            raise WriteRefusedError(
                f"The {label}'s {field.verbose_name} {value[:40]!r} is longer than the shop keeps "
                f"({field.max_length} characters)."
            )
        if isinstance(field, models.DecimalField) and value is not None:
            places = field.decimal_places or 0
            if value != round(value, places):
                raise WriteRefusedError(
                    f"The {label}'s {field.verbose_name} {value} has more decimal places than the shop keeps "
                    f"({places})."
                )
            if value and value.adjusted() + 1 > (field.max_digits or 0) - places:
                raise WriteRefusedError(f"The {label}'s {field.verbose_name} {value} is larger than the shop keeps.")
