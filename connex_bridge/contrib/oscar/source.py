"""django-oscar's orders, as Connex sees them.

::

    CONNEX_BRIDGE = {"ORDER_SOURCE": "connex_bridge.contrib.oscar.source.OscarOrderSource"}

Oscar orders have no modified time, so the source tracks changes itself: a save
or delete of the order, its lines, discounts, surcharges, notes, status
changes, shipping and payment events, payment sources and transactions marks
the order changed (:attr:`OscarOrderSource.track_changes`); edits of its
addresses do too (:mod:`connex_bridge.contrib.oscar.changes`). docs/oscar.md
says where every Connex field comes from.

A poll reads plain rows, not model instances (:mod:`connex_bridge.contrib.oscar.rows`): one query
for the orders and one per related table, for a window of any size; the methods below get row objects that carry
Oscar's attribute names, and read anything else on the instances, loaded per chunk.
A subclass that overrides none of the methods a record is built through (:data:`RECORD_HOOKS`)
has its records built from the rows directly, without row objects.

Money follows docs/protocol.md §4 to the cent:

* a line is sent at its unit price before discounts; the part of its discount
  that came from a basket offer or voucher (Oscar's ``OrderLineDiscount``) is
  the order-level discount, the rest stays the line's own discount;
* shipping is Oscar's charge after shipping offers;
* each surcharge is one more line, SKU ``SURCHARGE-<code>``;
* ``Total`` is ``total_incl_tax`` and ``TotalTax`` is ``total_incl_tax -
  total_excl_tax``.

Oscar rounds each line's price after discounts on its own but its total from
the unrounded sum, so its stored pieces can miss its own total by a cent or
so. Such a rounding gap goes into the order-level discount when there is one
(which then equals Oscar's own ``OrderDiscount.amount``); any other gap (custom
checkout code, surcharges rounded one by one) is sent as an ``ADJUSTMENT``
line rather than left for QuickBooks to book as "rounding".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.core import checks
from django.db.models import CharField, F, OuterRef, QuerySet, Subquery, Value

from connex_bridge.contrib.oscar.rows import (
    _A,
    _B,
    _S,
    ORDER_COLUMNS,
    ORDER_RELATED_COLUMNS,
    Chunk,
    InStepTables,
    LineRow,
    OrderRow,
    read_chunk,
)
from connex_bridge.records import (
    AddressRecord,
    CustomerRecord,
    DiscountRecord,
    LineRecord,
    OrderRecord,
    OrderStatusUpdate,
    PaymentRecord,
)
from connex_bridge.sources.base import CANCELLED_ANNOTATION, CHANGED_AT_ANNOTATION, OrderSource, WriteRefusedError
from connex_bridge.sources.rows import chunks, first_chunk
from connex_bridge.vocabulary import CENT, ONE, ZERO, cents

#: No payment source yet (a row's source key may be anything, even None).
_NONE = object()

#: Annotation holding the number of the sale a refund order refunds.
PARENT_ANNOTATION = "connex_parent_number"
#: Annotation holding an order's store name (:attr:`OscarOrderSource.store_field`), read by the orders query.
STORE_ANNOTATION = "connex_store_name"


class OscarOrderSource(OrderSource):
    """Serves django-oscar's ``order.Order`` (forked order apps keep the label and work too).

    Override an attribute or a method to fit the shop; e.g. ``store_field =
    "site__domain"`` to name stores by domain instead of by the site's name, or
    ``store_field = None`` and ``store_name = "Shop"`` for one store whatever the site.
    """

    model = "order.Order"
    number_field = "number"
    status_field = "status"
    #: Oscar has no stores: an order's store is its site's name.
    store_field = "site__name"
    created_field = "date_placed"
    modified_field = None
    #: A window of any size is read by the same queries (:meth:`iter_records`). A subclass whose
    #: methods read what the rows lack (``line.product``) loads those instances once per chunk of
    #: orders: it sets this to False.
    constant_queries = True
    track_changes = {
        "order.Order": "pk",
        "order.Line": "order_id",
        "order.OrderDiscount": "order_id",
        "order.OrderLineDiscount": "line__order_id",
        "order.Surcharge": "order_id",
        "order.OrderNote": "order_id",
        "order.OrderStatusChange": "order_id",
        "order.ShippingEvent": "order_id",
        "order.PaymentEvent": "order_id",
        "payment.Source": "order_id",
        "payment.Transaction": "source__order_id",
    }
    #: ``payment.Transaction`` types (case-insensitive) that are money received: one Connex payment each.
    payment_transaction_types: tuple[str, ...] = ("Debit",)
    #: ``note_type`` of an ``OrderNote`` whose message is the number of the sale this order refunds.
    parent_note_type = "Refund of"
    #: SKU prefix of the line sent for each surcharge (followed by the surcharge's code).
    surcharge_sku_prefix = "SURCHARGE-"
    #: SKU of the line that carries a gap between Oscar's stored pieces and its total.
    adjustment_sku = "ADJUSTMENT"
    #: Name of the ``ShippingEventType`` whose events are the order's parcels: their notes are its
    #: ``TrackingNumber``, the first one's date its ``ShippingDate``; ``changeorderstatus`` records a
    #: tracking number from QuickBooks as one (the type is created when missing).
    shipping_event_type = "Shipped"
    #: The status of an order QuickBooks completed (an empty ``OrderStatus``), as Oscar's sandbox names it.
    completed_status = "Complete"

    # --- queries -----------------------------------------------------------------

    def iter_records(self, queryset: QuerySet[Any], statuses: Sequence[str]) -> Iterator[OrderRecord]:
        """Every sale and refund, read as rows (:mod:`connex_bridge.contrib.oscar.rows`): one query for
        the orders (on PostgreSQL two for a window larger than a chunk, see
        :func:`~connex_bridge.sources.rows.first_chunk`), and six for their lines, basket discounts,
        surcharges, payment sources and transactions, parent notes and shipping events, whatever the
        size of the window: selected by the window when it fits in one chunk (:func:`read_chunk`), else
        sorted like the orders and read in step with them (:class:`InStepTables`).

        Each order goes through :meth:`to_record` as an
        :class:`~connex_bridge.contrib.oscar.rows.OrderRow`; unless the class overrides none of the
        hooks a record is built through (:data:`RECORD_HOOKS`): then its records are built straight
        from the rows, the same records without a row object in between."""
        window = self.select_sales_and_refunds(queryset, statuses)
        ordered = self.order_by(window)
        order_by = list(ordered.query.order_by)
        if not any(item in ("pk", "-pk", self.require_model()._meta.pk.name) for item in order_by):
            order_by.append("pk")  # a total order, which the related rows can follow
        rows = self.order_rows(ordered.order_by(*order_by))
        whole, every = first_chunk(rows, self.chunk_size)
        tables = None
        read: Iterable[Chunk]
        if whole is not None:
            # A first chunk that ends the window is the whole window (read in one snapshot): its related
            # rows are selected by the window's own filter, not by a list of up to chunk_size keys.
            read = (read_chunk(self, chunk, rows.db, window) for chunk in [whole])
        else:
            tables = InStepTables(self, ordered, order_by, self.chunk_size)
            read = (tables.chunk(chunk) for chunk in chunks(every, self.chunk_size))
        direct = builds_from_rows(type(self))
        for orders in read:
            try:
                if direct:
                    yield from self._records_of(orders)
                    continue
                for order in orders:
                    record = self.to_record(order)
                    record.is_cancelled = bool(order.connex_is_cancelled)
                    yield record
            finally:
                orders.release()
        if tables is not None:
            tables.finish()

    def order_rows(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        """``queryset`` (annotated and ordered by :meth:`order_by`) as the rows of
        :class:`~connex_bridge.contrib.oscar.rows.OrderRow`: the order, its store and modified time,
        whether it is cancelled, its user's email and its addresses with their countries, in one query."""
        modified = CHANGED_AT_ANNOTATION if self.tracks_changes else (self.modified_field or self.created_field)
        store = F(self.store_field) if self.store_field else Value(None, output_field=CharField())
        return queryset.annotate(**{STORE_ANNOTATION: store}).values_list(
            *ORDER_COLUMNS, STORE_ANNOTATION, modified, CANCELLED_ANNOTATION, *ORDER_RELATED_COLUMNS
        )

    def parent_number_expression(self) -> Subquery:
        """The message of the order's latest note of type :attr:`parent_note_type`: the sale it refunds."""
        return Subquery(
            _manager("order", "OrderNote")
            .filter(order=OuterRef("pk"), note_type=self.parent_note_type)
            .order_by("-pk")
            .values("message")[:1]
        )

    def prefetch(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        """What Oscar order *instances* carry when an attribute the rows lack is read on one.

        Polls read rows, not instances (:meth:`iter_records`). An attribute of an order row
        that the row was not read with (``order.user.first_name``, ``order.site``) is read on
        the Oscar instance, and the instances of the whole chunk are loaded through this
        queryset, once: a subclass that reads more of the order adds what it follows here
        (``super().prefetch(queryset).select_related("site")``), so a poll still costs the
        same few queries whatever the number of orders.
        """
        related = ["user", "billing_address__country", "shipping_address__country"]
        if self.store_field and "__" in self.store_field:
            related.append(self.store_field.rsplit("__", 1)[0])
        return queryset.select_related(*related).annotate(**{PARENT_ANNOTATION: self.parent_number_expression()})

    # --- start-up validation ---------------------------------------------------------

    def check(self) -> list[checks.CheckMessage]:
        """connex_bridge's checks of the source, and connex_bridge_oscar.W002."""
        messages = super().check()
        if not apps.is_installed("connex_bridge.contrib.oscar"):
            messages.append(
                checks.Warning(
                    f"{type(self).__name__} serves django-oscar's orders, but 'connex_bridge.contrib.oscar' is not "
                    "in INSTALLED_APPS: edits of an order's addresses will not reach Connex.",
                    hint="Add 'connex_bridge.contrib.oscar' to INSTALLED_APPS.",
                    id="connex_bridge_oscar.W002",
                )
            )
        return messages

    # --- the record --------------------------------------------------------------

    def to_record(self, order: Any) -> OrderRecord:
        """The record of one order: an :class:`~connex_bridge.contrib.oscar.rows.OrderRow` (what
        :meth:`iter_records` passes), or an Oscar ``Order`` instance (a preview, a shell), which is
        then read the way a poll reads it: one query for the order, one per related table."""
        if not isinstance(order, OrderRow):
            order = self.read_order(order)
        lines, discounts = self.get_lines(order)
        payments = self.get_payments(order)
        sources = list(order.sources.all())
        email = self.get_email(order)
        billing = order.billing_address or order.shipping_address
        return OrderRecord(
            number=order.number,
            id=order.pk,
            other=str(order.pk),
            status=order.status,
            store_name=self.store_name_of(order),
            currency=order.currency,
            created_at=order.date_placed,
            modified_at=self.modified_at(order),
            paid_at=min((p.paid_at for p in payments), default=None),
            total=order.total_incl_tax,
            total_tax=order.total_incl_tax - order.total_excl_tax,
            shipping_excl_tax=order.shipping_excl_tax,
            shipping_incl_tax=order.shipping_incl_tax,
            shipping_method=str(order.shipping_method or ""),
            discount_excl_tax=sum((d.amount for d in discounts), ZERO),
            discount_incl_tax=sum((d.amount_incl_tax for d in discounts), ZERO),
            lines=lines,
            discounts=[DiscountRecord(name=d.name, code=d.code, amount=d.amount) for d in discounts],
            billing_address=self.address_record(billing, email) if billing else AddressRecord(email=email),
            shipping_address=self.address_record(order.shipping_address, email) if order.shipping_address else None,
            customer=self.get_customer(order, email),
            payment_method=payments[0].method if payments else (sources[0].source_type.name if sources else ""),
            payment_reference=payments[0].reference if payments else (sources[0].reference if sources else ""),
            parent_number=order.connex_parent_number or "",
            tracking_number=order.connex_tracking_number,
            shipped_at=order.connex_shipped_at,
            payments=payments,
        )

    # --- back from QuickBooks: changeorderstatus ---------------------------------------

    def apply_status(self, order: Any, change: OrderStatusUpdate) -> bool:
        """The status through Oscar's ``EventHandler`` (``order.set_status()``: the pipeline, line
        cascades and the ``order_status_changed`` signal), and a tracking number as a shipping event of
        :attr:`shipping_event_type` with the number in its notes, for every line's quantity not yet
        shipped, once. ``PaidDate`` is not recorded: Oscar's payments are transactions with an amount.

        A status the pipeline does not allow from the order's is refused, and nothing is kept.
        """
        from oscar.core.loading import get_class  # Oscar's, or the shop's fork of it

        handler = get_class("order.processing", "EventHandler")()
        changed = False
        if change.status != order.status:
            try:
                handler.handle_order_status_change(order, change.status)
            except get_class("order.exceptions", "InvalidOrderStatus") as exc:
                allowed = ", ".join(order.available_statuses()) or "none"
                raise WriteRefusedError(
                    f"OrderStatus maps to {change.status!r}, which Oscar's order pipeline does not allow after "
                    f"{order.status!r} (allowed: {allowed}); map the name Connex sends in "
                    f"CONNEX_BRIDGE['ORDER_STATUS_MAP'], or change OSCAR_ORDER_STATUS_PIPELINE. ({exc})"
                ) from exc
            changed = True
        code = change.tracking_number
        if code:
            event_type = _manager("order", "ShippingEventType").get_or_create(name=self.shipping_event_type)[0]
            if not order.shipping_events.filter(event_type=event_type, notes=code).exists():
                lines, quantities = [], []
                for line in order.lines.all():
                    left = line.quantity - line.shipping_event_quantity(event_type)
                    if left > 0:
                        lines.append(line)
                        quantities.append(left)
                event = handler.handle_shipping_event(order, event_type, lines, quantities, reference=code)
                if change.shipped_at is not None:
                    type(event)._default_manager.filter(pk=event.pk).update(date_created=change.shipped_at)
                changed = True
        return changed

    def read_order(self, order: Any) -> OrderRow:
        """The row object of one Oscar ``Order`` instance, read as a poll reads it."""
        model = self.require_model()
        one = model._default_manager.db_manager(order._state.db or "default").filter(pk=order.pk)
        rows = self.order_rows(self.order_by(self.select_sales_and_refunds(one, ())))
        (found,) = read_chunk(self, list(rows), rows.db)
        return found

    def store_name_of(self, order: Any) -> str:
        """The ``StoreName``: :attr:`store_field` as the orders query read it (on an order row)."""
        if isinstance(order, OrderRow):
            return self.store_name if self.store_field is None else order.connex_store_name or ""
        return super().store_name_of(order)

    def modified_at(self, order: Any) -> dt.datetime:
        """The ``ModifiedDate``: the tracked change time as the orders query read it (on an order row)."""
        if isinstance(order, OrderRow):
            return order.connex_changed_at
        return super().modified_at(order)

    def get_lines(self, order: Any) -> tuple[list[LineRecord], list[_Coupon]]:
        """The order's lines (products, then surcharges, then any adjustment) and its coupons."""
        lines = [
            (
                (
                    None, line.pk, None, None, None, line.title, line.quantity, line.unit_price_excl_tax,
                    line.unit_price_incl_tax, line.line_price_excl_tax, line.line_price_incl_tax, line.tax_code,
                    _before_discounts(line, "excl") if line.unit_price_excl_tax is None else None,
                    _before_discounts(line, "incl") if line.unit_price_incl_tax is None else None,
                ),
                self.get_line_sku(line),
                [
                    (None, d.pk, d.amount, d.is_incl_tax, d.order_discount_id, d.order_discount.offer_name,
                     d.order_discount.voucher_code)
                    for d in line.discounts.all()
                ],
            )
            for line in order.lines.all()
        ]  # fmt: skip
        surcharges = [
            (None, sc.pk, sc.code, sc.name, sc.excl_tax, sc.incl_tax, sc.tax_code) for sc in order.surcharges.all()
        ]
        totals = (order.shipping_excl_tax, order.shipping_incl_tax, order.total_excl_tax, order.total_incl_tax)
        return self._priced_lines(lines, surcharges, totals)

    def _priced_lines(
        self,
        lines: Iterable[tuple[tuple[Any, ...], str, Iterable[tuple[Any, ...]]]],
        surcharges: Iterable[tuple[Any, ...]],
        totals: tuple[Decimal, Decimal, Decimal, Decimal],
    ) -> tuple[list[LineRecord], list[_Coupon]]:
        """:meth:`get_lines` from plain rows: each line as ``(its row, its SKU, its basket discounts' rows)``
        in the shapes of :data:`~connex_bridge.contrib.oscar.rows.LINE_COLUMNS` (and the prices before
        discounts) and ``LINE_DISCOUNT_COLUMNS``, the surcharges as ``SURCHARGE_COLUMNS``, and ``totals``
        the order's shipping and total, excl. and incl. tax. What a poll and :meth:`get_lines` share."""
        records: list[LineRecord] = []
        coupons: dict[Any, _Coupon] = {}
        net_excl, net_incl, total_excl, total_incl = totals
        for line, sku, discounts in lines:
            quantity = Decimal(line[6])
            unit_excl = line[7]
            if unit_excl is None:
                unit_excl = _unit_price(line[12], quantity)
            unit_incl = line[8]
            if unit_incl is None:
                unit_incl = _unit_price(line[13], quantity)
            line_excl, line_incl = line[9], line[10]
            share_excl = share_incl = ZERO
            for _line, _pk, amount, is_incl_tax, coupon_key, offer_name, voucher_code in discounts:
                excl, incl = _both_sides(amount, is_incl_tax, unit_excl, unit_incl)
                share_excl += excl
                share_incl += incl
                coupon = coupons.get(coupon_key)
                if coupon is None:
                    coupon = coupons[coupon_key] = _Coupon(offer_name, voucher_code)
                coupon.amount += excl
                coupon.amount_incl_tax += incl
            records.append(
                LineRecord(
                    sku=sku,
                    name=line[5],
                    quantity=quantity,
                    unit_price_excl_tax=unit_excl,
                    unit_price_incl_tax=unit_incl,
                    discount_excl_tax=quantity * unit_excl - line_excl - share_excl,
                    discount_incl_tax=quantity * unit_incl - line_incl - share_incl,
                    tax_code=line[11] or "",
                )
            )
            net_excl += line_excl
            net_incl += line_incl
        for _order, pk, code, name, excl_tax, incl_tax, tax_code in surcharges:
            records.append(
                LineRecord(
                    sku=f"{self.surcharge_sku_prefix}{code or pk}",
                    name=name,
                    quantity=ONE,
                    unit_price_excl_tax=excl_tax,
                    unit_price_incl_tax=incl_tax,
                    tax_code=tax_code or "",
                )
            )
            net_excl += excl_tax
            net_incl += incl_tax
        gap_excl, gap_incl = total_excl - net_excl, total_incl - net_incl
        rounding = CENT * (len(records) + 1)  # at most a cent per piece Oscar rounded on its own
        if coupons and abs(gap_excl) <= rounding and abs(gap_incl) <= rounding:
            # Oscar's total was computed from the unrounded discount (its OrderDiscount.amount); each
            # line's price after discounts was rounded on its own. The discount takes the difference.
            last = list(coupons.values())[-1]
            last.amount -= gap_excl
            last.amount_incl_tax -= gap_incl
        elif gap_excl:
            # A gap on the tax-inclusive side alone needs no line: TotalTax already absorbs it.
            records.append(
                LineRecord(
                    sku=self.adjustment_sku,
                    name="Adjustment to the order total",
                    quantity=ONE,
                    unit_price_excl_tax=gap_excl,
                    unit_price_incl_tax=gap_incl,
                )
            )
        return records, list(coupons.values())

    def get_line_sku(self, line: Any) -> str:
        """The partner's SKU; else the UPC; else the product id; else the line id. Never empty."""
        return _sku(line.partner_sku, line.upc, line.product_id, line.pk)

    def get_payments(self, order: Any) -> list[PaymentRecord]:
        """One payment per debit transaction of each payment source.

        A source with no debit transaction but an ``amount_debited`` (checkout
        code often sets it directly) is one payment dated when the order was
        placed. Authorisations and refunds are not payments.
        """
        rows: list[tuple[Any, ...]] = []
        for source in order.sources.all():
            head = (None, source.pk, source.reference, source.amount_debited, None, source.source_type.name)
            transactions = source.transactions.all()
            rows.extend((*head, t.pk, t.txn_type, t.amount, t.reference, t.date_created) for t in transactions)
            if not transactions:
                rows.append((*head, None, None, None, None, None))
        return self._payments(order.number, order.date_placed, rows, self._debit_types())

    def _debit_types(self) -> frozenset[str]:
        return frozenset(t.lower() for t in self.payment_transaction_types)

    def _payments(
        self, number: str, placed: dt.datetime, rows: Iterable[tuple[Any, ...]], debit_types: frozenset[str]
    ) -> list[PaymentRecord]:
        """:meth:`get_payments` from plain rows in the shape of
        :data:`~connex_bridge.contrib.oscar.rows.SOURCE_COLUMNS`: a row per transaction of each
        payment source, in order, or one with no transaction. What a poll and :meth:`get_payments` share."""
        payments = []
        source_pk: Any = _NONE
        debited = False
        head: tuple[Any, ...] = ()
        for row in rows:
            if row[1] != source_pk:
                if source_pk is not _NONE and not debited and head[3]:
                    payments.append(PaymentRecord(order_number=number, amount=head[3], paid_at=placed,
                                                  method=head[5], reference=head[2]))  # fmt: skip
                source_pk, head, debited = row[1], row, False
            if row[6] is not None and (row[7] or "").lower() in debit_types:
                debited = True
                payments.append(
                    PaymentRecord(
                        order_number=number,
                        amount=row[8],
                        paid_at=row[10],
                        method=row[5],
                        reference=row[9] or row[2],
                        id=row[6],
                    )
                )
        if source_pk is not _NONE and not debited and head[3]:
            payments.append(
                PaymentRecord(order_number=number, amount=head[3], paid_at=placed, method=head[5], reference=head[2])
            )
        return payments

    def get_email(self, order: Any) -> str:
        """The customer's email: the user's, or the guest's."""
        return (order.user.email if order.user else order.guest_email) or ""

    def get_customer(self, order: Any, email: str) -> CustomerRecord:
        """The customer: the user account's id (0 for a guest) and the email."""
        user = order.user
        return CustomerRecord(
            id=user.pk if user is not None and isinstance(user.pk, int) else 0,
            email=email,
        )

    def address_record(self, address: Any, email: str) -> AddressRecord:
        """A ``BillingAddress`` or ``ShippingAddress``; ``line4`` is Oscar's city, ``state`` the region."""
        country = address.country
        return _address(
            (address.pk, address.first_name, address.last_name, address.line1, address.line2, address.line3,
             address.line4, address.state, address.postcode),
            country.iso_3166_1_a2 if country else None,
            country.printable_name if country else "",
            getattr(address, "phone_number", None),
            email,
        )  # fmt: skip

    # --- a poll's records, straight from its rows ----------------------------------

    def _records_of(self, chunk: Chunk) -> Iterator[OrderRecord]:
        """The records of a chunk's orders, built from its rows as :meth:`to_record` builds them from
        the row objects (for a class that overrides none of :data:`RECORD_HOOKS`)."""
        debit_types = self._debit_types()
        store_name = self.store_name if self.store_field is None else None
        lines_of, discounts_of, surcharges_of = chunk.lines.get, chunk.discounts.get, chunk.surcharges.get
        sources_of, parcels_of, parents_of = chunk.sources.get, chunk.parcels.get, chunk.parents.get
        priced_lines, payments_of = self._priced_lines, self._payments
        for row in chunk.orders:
            pk, number, status, currency, placed, total_incl, total_excl, shipping_excl, shipping_incl = row[:9]
            email = (row[_A] if row[11] is not None else row[10]) or ""
            lines, coupons = priced_lines(
                [
                    (
                        line,
                        str(line[2]) if line[2] else _sku(line[2], line[3], line[4], line[1]),
                        discounts_of(line[1], ()),
                    )
                    for line in lines_of(pk, ())
                ],
                surcharges_of(pk, ()),
                (shipping_excl, shipping_incl, total_excl, total_incl),
            )
            sources = sources_of(pk, ())
            payments = payments_of(number, placed, sources, debit_types)
            if row[_B] is not None:
                billing = _address(row[_B : _B + 9], row[_B + 9], row[_B + 10], None, email)
            elif row[_S] is not None:
                billing = _address(row[_S : _S + 9], row[_S + 9], row[_S + 10], row[_S + 11], email)
            else:
                billing = AddressRecord(email=email)
            shipped = parcels_of(pk, ())
            user_pk = row[11]
            if coupons:
                discount_excl = sum((c.amount for c in coupons), ZERO)
                discount_incl = sum((c.amount_incl_tax for c in coupons), ZERO)
                discounts = [DiscountRecord(name=c.name, code=c.code, amount=c.amount) for c in coupons]
            else:
                discount_excl, discount_incl, discounts = ZERO, ZERO, []
            yield OrderRecord(
                number=number,
                id=pk,
                other=str(pk),
                status=status,
                store_name=store_name if store_name is not None else row[12] or "",
                currency=currency,
                created_at=placed,
                modified_at=row[13],
                paid_at=(
                    payments[0].paid_at if len(payments) == 1 else min((p.paid_at for p in payments), default=None)
                ),
                total=total_incl,
                total_tax=total_incl - total_excl,
                shipping_excl_tax=shipping_excl,
                shipping_incl_tax=shipping_incl,
                shipping_method=str(row[9] or ""),
                discount_excl_tax=discount_excl,
                discount_incl_tax=discount_incl,
                lines=lines,
                discounts=discounts,
                billing_address=billing,
                shipping_address=(
                    None
                    if row[_S] is None
                    else _address(row[_S : _S + 9], row[_S + 9], row[_S + 10], row[_S + 11], email)
                ),
                customer=CustomerRecord(id=user_pk if isinstance(user_pk, int) else 0, email=email),
                payment_method=payments[0].method if payments else (sources[0][5] if sources else ""),
                payment_reference=payments[0].reference if payments else (sources[0][2] if sources else ""),
                parent_number=parents_of(pk) or "",
                tracking_number=", ".join(notes for _order, notes, _date in shipped if notes),
                shipped_at=shipped[0][2] if shipped else None,
                payments=payments,
                is_cancelled=bool(row[14]),
            )


#: The methods a record is built through. A class overriding none of them has its poll's records
#: built straight from the rows (:meth:`OscarOrderSource._records_of`); one that overrides any has
#: them built through it, from row objects (:mod:`connex_bridge.contrib.oscar.rows`).
RECORD_HOOKS = (
    "to_record", "get_lines", "get_line_sku", "get_payments", "get_email", "get_customer", "address_record",
    "store_name_of", "modified_at",
)  # fmt: skip


def builds_from_rows(cls: type[OscarOrderSource]) -> bool:
    """Whether ``cls`` overrides none of :data:`RECORD_HOOKS` (asked once per poll)."""
    return all(getattr(cls, name) is getattr(OscarOrderSource, name) for name in RECORD_HOOKS)


def _sku(partner_sku: str, upc: str | None, product_id: Any, pk: Any) -> str:
    if partner_sku:
        return str(partner_sku)
    if upc:
        return str(upc)
    if product_id is not None:
        return f"PRODUCT-{product_id}"
    return f"LINE-{pk}"


def _address(
    values: Sequence[Any], country_code: str | None, country_name: str, phone: Any, email: str
) -> AddressRecord:
    """The record of an address from its ``(pk, first_name, last_name, line1, line2, line3, line4, state,
    postcode)``, its country's code and name (the code ``None`` without a country) and phone number."""
    return AddressRecord(
        first_name=values[1],
        last_name=values[2],
        line1=values[3],
        line2=values[4],
        line3=values[5],
        city=values[6],
        region_code=values[7],
        postal_code=values[8] or "",
        country_name=country_name if country_code is not None else "",
        country_code=country_code if country_code is not None else "",
        phone=str(phone) if phone else "",
        email=email,
    )


class _Coupon:
    """One basket offer or voucher's share of the order-level discount."""

    __slots__ = ("amount", "amount_incl_tax", "code", "name")

    def __init__(self, offer_name: str | None, voucher_code: str | None) -> None:
        self.name: str = offer_name or voucher_code or "Discount"
        self.code: str = voucher_code or ""
        self.amount = ZERO
        self.amount_incl_tax = ZERO


def _manager(app_label: str, model_name: str) -> QuerySet[Any]:
    return apps.get_model(app_label, model_name)._default_manager.all()


def _before_discounts(line: Any, side: str) -> Decimal:
    """A line's price before discounts, excl. or incl. tax: what a line without a unit price is sent at.

    Oscar's checkout stores unit prices, so a line row carries the price before discounts only where
    the unit price is missing (``connex_before_discounts_*``); an Oscar ``Line`` has it as a field.
    """
    if isinstance(line, LineRow):
        return getattr(line, f"connex_before_discounts_{side}_tax")
    return getattr(line, f"line_price_before_discounts_{side}_tax")


def _unit_price(line_total: Decimal, quantity: Decimal) -> Decimal:
    """A unit price Oscar did not store: the line's price before discounts over its quantity."""
    return cents(line_total / quantity) if quantity else line_total


def _both_sides(amount: Decimal, is_incl_tax: bool, unit_excl: Decimal, unit_incl: Decimal) -> tuple[Decimal, Decimal]:
    """A line discount as (excl. tax, incl. tax), converting the other side at the line's tax ratio."""
    if is_incl_tax:
        return (cents(amount * unit_excl / unit_incl) if unit_incl else amount), amount
    return amount, (cents(amount * unit_incl / unit_excl) if unit_excl else amount)
