"""An order source for simple shops: name the host's fields by path, write no methods.

::

    class ShopSource(DeclarativeOrderSource):
        model = "shop.Order"
        number_field = "reference"
        status_field = "state"
        store_field = "channel__name"        # None for a shop with one store
        created_field = "placed_at"
        modified_field = "updated_at"
        order_fields = {"total": "grand_total", "total_tax": "tax", "customer.email": "email",
                        "currency": Value("USD"),     # a constant
                        "billing_address.text": "address"}  # a free-text address
        lines = "items"
        line_fields = {"sku": "product__sku", "name": "title", "quantity": "qty",
                       "unit_price_excl_tax": "net_price", "unit_price_incl_tax": "gross_price"}
        payments = "payments"
        payment_fields = {"amount": "amount", "paid_at": "created", "method": "provider"}

        def get_customer_company(self, order):   # a method overrides one field
            return order.company or order.customer.company

Keys of ``order_fields`` are :class:`~connex_bridge.records.OrderRecord`
fields; ``customer.*``, ``billing_address.*`` and ``shipping_address.*`` reach
into the nested records, and ``billing_address.text`` / ``shipping_address.text``
take a free-text address (:meth:`AddressRecord.from_text`). A value is a field
path, or ``django.db.models.Value(constant)``. A method ``get_<key>`` (dots as underscores) wins
over a path: ``get_total(order)``, ``get_customer_email(order)``,
``get_line_sku(line)``, ``get_payment_amount(payment)``,
``get_discount_amount(discount)``. ``get_billing_address(order)``,
``get_shipping_address(order)`` and ``get_customer(order)`` return a whole
nested record and win over its paths. ``get_order_<key>`` names an order field
too, and is the only way to reach ``payment_method`` / ``payment_reference``,
whose short names are the payment hooks for ``method`` / ``reference``. The fields Connex filters
by (number, status, store, created and modified time) are read through their
``*_field`` paths only, so that what is sent is what the database filtered;
a ``get_`` method for one of them, or one whose name matches no field, is a
system check error. The ``select_related`` and
``prefetch_related`` the paths need are worked out from the model.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import fields as dataclass_fields
from dataclasses import replace
from decimal import Decimal
from difflib import get_close_matches
from typing import Any

from django.core import checks
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.db.models import QuerySet, Value, prefetch_related_objects
from django.db.models.expressions import Combinable
from django.utils import timezone

from connex_bridge.records import (
    AddressRecord,
    CustomerRecord,
    DiscountRecord,
    LineRecord,
    OrderRecord,
    OrderStatusUpdate,
    PaymentRecord,
)
from connex_bridge.sources.base import (
    CANCELLED_ANNOTATION,
    CHANGED_AT_ANNOTATION,
    OrderSource,
    WriteRefusedError,
    no_model_error,
    path_error,
    query_path,
    read_path,
    related_model,
    relation_names,
    relation_path,
    resolve_path,
)
from connex_bridge.sources.rows import (
    COLUMN,
    CONSTANT,
    HOOK,
    JOINED,
    ChildPlan,
    Columns,
    Compiled,
    ReadPlan,
    Step,
    ToMany,
    back_path,
    chunks,
    first_chunk,
    instances,
    own_fields,
    split_to_many,
)
from connex_bridge.vocabulary import ZERO

_NESTED = {"customer": CustomerRecord, "billing_address": AddressRecord, "shipping_address": AddressRecord}
_ORDER_KEYS = {f.name for f in dataclass_fields(OrderRecord)} - {
    "lines", "discounts", "payments", "is_cancelled", *_NESTED,  # these are built from their own keys
}  # fmt: skip
_EMPTY_ADDRESS = AddressRecord()
_RECORDS: dict[str, type[Any]] = {"line": LineRecord, "payment": PaymentRecord, "discount": DiscountRecord}
#: What a child record has where its row has nothing: a line needs a SKU and a price.
_DEFAULTS = {"line": {"sku": "", "unit_price_excl_tax": ZERO}}
#: A free-text address (AddressRecord.from_text), beside the address's own fields.
_ADDRESS_TEXT = {"billing_address.text", "shipping_address.text"}
_KEYS = {
    "order": _ORDER_KEYS
    | {f"{prefix}.{f.name}" for prefix, record in _NESTED.items() for f in dataclass_fields(record)}
    | _ADDRESS_TEXT,
    "line": {f.name for f in dataclass_fields(LineRecord)},
    "payment": {f.name for f in dataclass_fields(PaymentRecord)} - {"order_number"},
    "discount": {f.name for f in dataclass_fields(DiscountRecord)},
}
_REQUIRED = {
    "line": {"sku", "quantity", "unit_price_excl_tax"},
    "payment": {"amount", "paid_at"},
    "discount": {"name"},
}
# Read through the filtering paths (number_field …), never order_fields or a method: what Connex
# gets must be what the database filtered by. The value names the attribute that sets each.
_FILTER_KEYS = {
    "number": "number_field", "status": "status_field", "store_name": "store_field",
    "created_at": "created_field", "modified_at": "modified_field",
}  # fmt: skip
_MONEY = {
    "total", "total_tax", "shipping_excl_tax", "shipping_incl_tax", "discount_excl_tax", "discount_incl_tax",
    "quantity", "unit_price_excl_tax", "unit_price_incl_tax", "amount",
}  # fmt: skip


class DeclarativeOrderSource(OrderSource):
    """An :class:`OrderSource` configured by field paths on :attr:`model`."""

    #: OrderRecord field (or ``customer.email``, ``billing_address.city`` …) → path on the order,
    #: or ``Value(constant)``.
    order_fields: Mapping[str, str | Combinable] = {}
    #: Path from the order to its lines (a reverse relation or many-to-many), or ``None``.
    lines: str | None = None
    #: LineRecord field → path on a line. ``sku``, ``quantity`` and ``unit_price_excl_tax`` are required.
    line_fields: Mapping[str, str | Combinable] = {}
    #: Path from the order to its payments, or ``None``.
    payments: str | None = None
    #: PaymentRecord field → path on a payment. ``amount`` and ``paid_at`` are required.
    payment_fields: Mapping[str, str | Combinable] = {}
    #: Path from the order to its coupons / discounts, or ``None``.
    discounts: str | None = None
    #: DiscountRecord field → path on a discount. ``name`` is required.
    discount_fields: Mapping[str, str | Combinable] = {}

    #: ``changeorderstatus``: True to take status changes from QuickBooks, written to the order's own
    #: fields: :attr:`status_field`, and, when named, :attr:`tracking_field`, :attr:`shipped_field` and
    #: :attr:`paid_field`. Each must be a field of :attr:`model` itself (no ``__``). A subclass that
    #: writes them elsewhere overrides :meth:`apply_status` and sets this too.
    writes_status: bool = False
    #: Field of the order that keeps the tracking number QuickBooks sends, or ``None``.
    tracking_field: str | None = None
    #: Field of the order that keeps the shipping date, or ``None``.
    shipped_field: str | None = None
    #: Field of the order that keeps the paid date, or ``None``.
    paid_field: str | None = None

    # --- what QuickBooks writes back -------------------------------------------------

    @property
    def takes_status_changes(self) -> bool:
        """:attr:`writes_status`."""
        return self.writes_status

    def filter_other(self, queryset: QuerySet[Any], other: str) -> QuerySet[Any]:
        """By the path ``order_fields["other"]`` names, when it names one; else by primary key."""
        path = self.order_fields.get("other")
        if isinstance(path, str):
            return queryset.filter(**{path: other})
        return super().filter_other(queryset, other)

    def write_fields(self) -> dict[str, str]:
        """The fields :meth:`apply_status` writes, by attribute name."""
        named = {
            "status_field": self.status_field,
            "tracking_field": self.tracking_field,
            "shipped_field": self.shipped_field,
            "paid_field": self.paid_field,
        }
        return {attribute: path for attribute, path in named.items() if path}

    def apply_status(self, order: Any, change: OrderStatusUpdate) -> bool:
        """Write the change to the order's fields (:meth:`write_fields`), and its modified time.

        A status field with ``choices`` takes one of them, matched in any letter case (and saved as
        the choice is spelled); any other status is refused. Nothing is saved when the order
        already holds every value.
        """
        model = self.require_model()
        sent: dict[str, Any] = {
            "status_field": change.status,
            "tracking_field": change.tracking_number or None,
            "shipped_field": change.shipped_at,
            "paid_field": change.paid_at,
        }
        values: dict[str, Any] = {}
        for attribute, name in self.write_fields().items():
            value = sent[attribute]
            if value is None:
                continue
            field: Any = model._meta.get_field(name)
            if attribute == "status_field" and field.choices:
                value = _choice(field, value)
            limit = getattr(field, "max_length", None)
            if isinstance(value, str) and limit is not None and len(value) > limit:
                raise WriteRefusedError(
                    f"{_CONNEX_NAMES[attribute]} {value[:40]!r} is longer than the shop keeps ({limit} characters)."
                )
            values[field.attname] = value
        changed = [name for name, value in values.items() if getattr(order, name) != value]
        if not changed:
            return False
        for name in changed:
            setattr(order, name, values[name])
        if self.modified_field and "__" not in self.modified_field and not self.tracks_changes:
            setattr(order, self.modified_field, timezone.now())  # auto_now or not: the change must show
            changed.append(self.modified_field)
        order.save(update_fields=changed)
        return True

    # --- queries -----------------------------------------------------------------

    def prefetch(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        """What the ``get_…`` hooks follow beyond a row's own fields: add ``prefetch_related`` /
        ``select_related`` lookups here, and they are fetched once per chunk of orders.

        The mapped paths need nothing here: they are read as plain rows (:mod:`connex_bridge.sources.rows`).
        """
        return queryset

    @property
    def constant_queries(self) -> bool:  # type: ignore[override]
        """True when every child relation is read in step with the orders and no hook needs a
        ``prefetch()`` (whose lookups run per chunk of orders)."""
        plan = self.read_plan()
        return plan.in_step and not plan.lookups and not _overrides(self, "iter_records")

    @property
    def refunds_last(self) -> bool:  # type: ignore[override]
        """True: :meth:`iter_records` reads every sale before the first refund (unless a subclass
        replaces it), so that the answer holds no refund back while it streams."""
        return not _overrides(self, "iter_records")

    def iter_records(self, queryset: QuerySet[Any], statuses: Sequence[str]) -> Iterator[OrderRecord]:
        """Every sale, then every refund, as records read from rows: one query for the orders (on
        PostgreSQL two for a window larger than a chunk) and one per child relation, however large the
        window (see :mod:`connex_bridge.sources.rows`)."""
        plan = self.read_plan()
        yield from self._read(plan, self.select_sales_and_refunds(queryset, statuses), "to_record" in plan.overrides)

    def _read(self, plan: ReadPlan, window: QuerySet[Any], custom: bool) -> Iterator[OrderRecord]:
        ordered = self.order_by(window)
        order_by = [CANCELLED_ANNOTATION, *ordered.query.order_by]
        if not any(item in ("pk", "-pk", self.require_model()._meta.pk.name) for item in order_by):
            order_by.append("pk")  # a total order, which the child rows can follow
        rows = plan.columns.select(ordered.order_by(*order_by))
        db = rows.db
        whole, every = first_chunk(rows, self.chunk_size)
        if whole is not None:
            # The whole window fits in one chunk (a poll, most of the time): each child relation is
            # selected by the window itself, a semi-join rather than thousands of keys sent as
            # parameters, and grouped by order, without the join and sort that reading in step takes.
            yield from self._records(plan, whole, db, custom, self._grouped(plan, window.values("pk")))
            return
        orders = chunks(every, self.chunk_size)
        if plan.in_step:
            streams = [(child, child.in_step(ordered, order_by, self.chunk_size)) for child in plan.children]

            def in_step(pk: Any) -> dict[str, Any]:
                return {child.kind: (child, stream.take(pk)) for child, stream in streams}

            for chunk in orders:
                yield from self._records(plan, chunk, db, custom, in_step)
            for _child, stream in streams:
                stream.finish()
            return
        # A child the database cannot reach from the order (a subquery in its field map) is read per
        # chunk of orders, by the chunk's keys.
        for chunk in orders:
            yield from self._records(plan, chunk, db, custom, self._grouped(plan, [row[plan.pk] for row in chunk]))

    @staticmethod
    def _grouped(plan: ReadPlan, keys: Any) -> Callable[[Any], dict[str, Any]]:
        """Each child relation's rows for the orders ``keys`` selects (their primary keys, or a
        ``values("pk")`` queryset), read at once; looked up by order."""
        grouped = {child.kind: (child, child.rows_by_order(keys)) for child in plan.children}

        def by_key(pk: Any) -> dict[str, Any]:
            return {kind: (child, rows.get(pk, ())) for kind, (child, rows) in grouped.items()}

        return by_key

    def read_plan(self) -> ReadPlan:
        """The columns and steps this source reads, worked out on first use (per source instance)."""
        plan: ReadPlan | None = self.__dict__.get("_read_plan")
        if plan is None:
            plan = self.__dict__["_read_plan"] = self._make_plan()
        return plan

    def _make_plan(self) -> ReadPlan:
        model = self.require_model()
        columns = Columns()
        positions = {
            "pk": columns.add("pk"),
            "number": columns.add(self.number_field),
            "status": columns.add(self.status_field),
            "created": columns.add(self.created_field),
            "modified": columns.add(
                CHANGED_AT_ANNOTATION if self.tracks_changes else (self.modified_field or self.created_field)
            ),
            "cancelled": columns.add(CANCELLED_ANNOTATION),
        }
        store = columns.add(self.store_field) if self.store_field is not None else None
        steps = [self._step("order", key, self.order_fields, columns) for key in self._order_keys()]
        list_hooks = {kind: _overrides(self, f"get_{kind}s") for kind in ("line", "payment", "discount")}
        needs_instance = (
            any(step[1] == HOOK for step in steps)
            or any(self._method("order", prefix) for prefix in _NESTED)
            or any(list_hooks.values())
            or any(_overrides(self, name) for name in ("to_record", "store_name_of", "modified_at"))
        )
        children: list[ChildPlan] = []
        lookups: list[Any] = []
        by_relation: dict[str, ChildPlan] = {}  # one query per to-many relation, whatever it reads
        for index, (key, source, arg, money) in enumerate(steps):
            if source == JOINED:
                to_many, value_path = split_to_many(model, arg.path)
                child = by_relation.get(to_many)
                if child is None:
                    related = relation_path(model, to_many)[1]
                    back = back_path(model, to_many)
                    child = by_relation[to_many] = ChildPlan(
                        f"to-many {to_many}",
                        related,
                        query_path(model, to_many),
                        back,
                        _stable(related),
                        _keyed(back),
                        [],
                    )
                    children.append(child)
                steps[index] = (key, JOINED, (child.kind, child.columns.add(value_path), arg), money)
        for kind, relation, paths in (
            ("line", self.lines, self.line_fields),
            ("payment", self.payments, self.payment_fields),
            ("discount", self.discounts, self.discount_fields),
        ):
            if not relation:
                continue
            accessor, related = relation_path(model, relation)
            if list_hooks[kind]:
                lookups.append(accessor)  # the hook reads the relation from the instance
                continue
            children.append(
                self._child_plan(kind, related, query_path(model, relation), back_path(model, relation), paths)
            )
        instance_fields = instance_slice = None
        if needs_instance:
            instance_fields = own_fields(model)
            instance_slice = slice(len(columns.names), len(columns.names) + len(instance_fields))
            columns.names.extend(instance_fields)
            extra = self.prefetch(model._default_manager.all())
            lookups.extend(extra._prefetch_related_lookups)  # type: ignore[attr-defined]
            if isinstance(extra.query.select_related, dict):
                lookups.extend(_flatten(extra.query.select_related))
        overrides = frozenset(
            name
            for name in ("to_record", "store_name_of", "modified_at", "get_lines", "get_payments", "get_discounts")
            if _overrides(self, name)
        )
        nested_hooks = {prefix: hook for prefix in _NESTED if (hook := self._method("order", prefix)) is not None}
        return ReadPlan(
            in_step=all(child.seen_from_order() is not None for child in children),
            compiled=Compiled.of(steps),
            overrides=overrides,
            nested_hooks=nested_hooks,
            columns=columns,
            pk=positions["pk"],
            number=positions["number"],
            status=positions["status"],
            store=store,
            created=positions["created"],
            modified=positions["modified"],
            cancelled=positions["cancelled"],
            steps=steps,
            children=children,
            instance_fields=instance_fields,
            instance_slice=instance_slice,
            lookups=lookups,
        )

    def _child_plan(
        self, kind: str, related: type[models.Model], relation: str, back: str, paths: Mapping[str, str | Combinable]
    ) -> ChildPlan:
        columns = _keyed(back)
        keys = dict.fromkeys([*paths, *(key for key in _KEYS[kind] if self._method(kind, key))])
        steps = [self._step(kind, key, paths, columns) for key in keys]
        # A stable order: without one, PostgreSQL may return lines differently each time,
        # and the same window must give the same bytes.
        child = ChildPlan(kind, related, relation, back, _stable(related), columns, steps)
        child.compiled = Compiled.of(steps, _RECORDS[kind], _DEFAULTS.get(kind))
        if any(step[1] == HOOK for step in steps):
            child.instance_fields = own_fields(related)
            child.instance_slice = slice(len(columns.names), len(columns.names) + len(child.instance_fields))
            columns.names.extend(child.instance_fields)
        return child

    def _step(self, kind: str, key: str, paths: Mapping[str, str | Combinable], columns: Columns) -> Step:
        money = key in _MONEY
        method = self._method(kind, key)
        if method is not None:
            return (key, HOOK, method, money)
        path = paths[key]
        if isinstance(path, ToMany):
            return (key, JOINED, path, money)
        if isinstance(path, Value):
            value = path.value
            if money and value is not None and not isinstance(value, Decimal):
                value = Decimal(str(value))
            return (key, CONSTANT, value, False)
        return (key, COLUMN, columns.add(path), money)

    # --- records -----------------------------------------------------------------

    def _records(
        self,
        plan: ReadPlan,
        chunk: list[tuple[Any, ...]],
        db: str,
        custom: bool,
        children_of: Callable[[Any], dict[str, Any]],
    ) -> Iterator[OrderRecord]:
        """The records of a chunk of order rows; ``children_of(pk)`` gives each order's child rows."""
        objects: list[Any] = [None] * len(chunk)
        if plan.instance_fields is not None and plan.instance_slice is not None:
            model = self.require_model()
            objects = instances(model, db, chunk, plan.instance_slice, plan.instance_fields)
            for obj, row in zip(objects, chunk, strict=True):
                setattr(obj, CANCELLED_ANNOTATION, row[plan.cancelled])
                if self.tracks_changes:
                    setattr(obj, CHANGED_AT_ANNOTATION, row[plan.modified])
            if plan.lookups:
                prefetch_related_objects(objects, *plan.lookups)
        for obj, row in zip(objects, chunk, strict=True):
            kids = children_of(row[plan.pk])
            if custom:
                obj._connex_row = (row, kids, db)
                record = self.to_record(obj)
            else:
                record = self._assemble(plan, row, obj, kids, db)
            record.is_cancelled = bool(row[plan.cancelled])
            yield record

    def to_record(self, order: Any) -> OrderRecord:
        """The record of one order. Called outside a poll (a preview, a shell), it reads the order the
        way a poll does: one query for the order and one per child relation."""
        read = getattr(order, "_connex_row", None)
        if read is not None:
            return self._assemble(self.read_plan(), read[0], order, read[1], read[2])
        model = self.require_model()
        one = self.select_sales_and_refunds(model._default_manager.filter(pk=order.pk), ())
        (record,) = self._read(self.read_plan(), one, custom=False)
        return record

    def _assemble(
        self, plan: ReadPlan, row: tuple[Any, ...], order: Any, children: Mapping[str, Any], db: str
    ) -> OrderRecord:
        assert plan.compiled is not None  # noqa: S101 - set by _make_plan
        slots = plan.compiled._fill(row, order)  # the generated function itself: no wrapper call per row
        if plan.compiled.joined:
            plan.compiled.join(slots, children)
        values, customer_fields, billing_fields, shipped = slots
        pk = row[plan.pk]
        values.setdefault("id", pk if isinstance(pk, int) else 0)
        values.setdefault("other", str(pk))
        number = values["number"] = str(row[plan.number])
        values["status"] = row[plan.status] or ""
        overrides = plan.overrides
        if "store_name_of" in overrides:
            values["store_name"] = self.store_name_of(order)
        else:
            values["store_name"] = self.store_name if plan.store is None else row[plan.store] or ""
        values["created_at"] = row[plan.created]
        values["modified_at"] = self.modified_at(order) if "modified_at" in overrides else row[plan.modified]
        hooks = plan.nested_hooks
        customer = hooks["customer"](order) if "customer" in hooks else CustomerRecord(**customer_fields)
        billing = hooks["billing_address"](order) if "billing_address" in hooks else _address(billing_fields)
        # None when no shipping field is filled: Connex then ships to the billing address.
        if "shipping_address" in hooks:
            shipping = hooks["shipping_address"](order)
        else:
            shipping = _address(shipped) if shipped else None
        lines = self._children("line", order, children, db, overrides)
        discounts = self._children("discount", order, children, db, overrides)
        payments = self._children("payment", order, children, db, overrides)
        # Unmapped, the order's discount is its coupons' sum, and an amount including tax is the
        # amount without: what a shop adding sales tax on the order has.
        if "discount_excl_tax" not in values and discounts:
            values["discount_excl_tax"] = sum((discount.amount for discount in discounts), ZERO)
        for excl, incl in (("shipping_excl_tax", "shipping_incl_tax"), ("discount_excl_tax", "discount_incl_tax")):
            if incl not in values and excl in values:
                values[incl] = values[excl]
        if payments:
            # Unmapped, the order was paid the way its last payment was: the one that settled it
            # (the card, after a gift card), which is the one a sales receipt names.
            settled_by = payments[-1]
            values.setdefault("payment_method", settled_by.method)
            values.setdefault("payment_reference", settled_by.reference)
        return OrderRecord(
            **values,
            customer=customer or CustomerRecord(),
            billing_address=billing or AddressRecord(),
            # An address with nothing in it (say, a blank free-text one) ships to the billing address.
            shipping_address=shipping if shipping != _EMPTY_ADDRESS else None,
            lines=lines,
            discounts=discounts,
            payments=self._numbered(payments, number, "get_payments" in overrides),
        )

    @staticmethod
    def _numbered(payments: list[PaymentRecord], number: str, from_hook: bool) -> list[PaymentRecord]:
        """The payments with the order's number where they have none: records read from rows get it
        in place; those a ``get_payments`` hook returned are copied, as the hook may hold on to them."""
        if from_hook:
            return [payment if payment.order_number else replace(payment, order_number=number) for payment in payments]
        for payment in payments:
            if not payment.order_number:
                payment.order_number = number
        return payments

    def _children(
        self, kind: str, order: Any, children: Mapping[str, Any], db: str, overrides: frozenset[str]
    ) -> list[Any]:
        """The records of one child list: from the rows read, or from the ``get_<kind>s`` hook."""
        if kind not in children:
            if f"get_{kind}s" not in overrides:
                return []
            build = {"line": self._line, "discount": self._discount, "payment": self._payment}[kind]
            return [build(item) for item in getattr(self, f"get_{kind}s")(order)]
        child, rows = children[kind]
        if not rows:
            return []
        compiled = child.compiled
        assert compiled is not None  # noqa: S101 - set by _child_plan
        make = compiled._build  # the generated function itself
        if child.instance_fields is None or child.instance_slice is None:
            return [make(row, None) for row in rows]
        objects = instances(child.model, db, rows, child.instance_slice, child.instance_fields)
        return [make(row, obj) for row, obj in zip(rows, objects, strict=True)]

    # A get_lines / get_discounts / get_payments override may return records, which pass through
    # unchanged, as well as host objects read through the field maps.

    def _line(self, line: Any) -> LineRecord:
        return line if isinstance(line, LineRecord) else LineRecord(**self._child("line", line, self.line_fields))

    def _discount(self, discount: Any) -> DiscountRecord:
        if isinstance(discount, DiscountRecord):
            return discount
        return DiscountRecord(**self._child("discount", discount, self.discount_fields))

    def _payment(self, payment: Any) -> PaymentRecord:
        """A payment record; an empty ``order_number`` becomes the order's in :meth:`_assemble`."""
        if isinstance(payment, PaymentRecord):
            return payment
        return PaymentRecord(**self._child("payment", payment, self.payment_fields))

    def get_lines(self, order: Any) -> Iterable[Any]:
        """The order's line objects (default: :attr:`lines`), or :class:`LineRecord` s as they are."""
        return _related(order, self.lines)

    def get_payments(self, order: Any) -> Iterable[Any]:
        """The order's payment objects (default: :attr:`payments`), or :class:`PaymentRecord` s as they
        are (an empty ``order_number`` becomes the order's number)."""
        return _related(order, self.payments)

    def get_discounts(self, order: Any) -> Iterable[Any]:
        """The order's discount objects (default: :attr:`discounts`), or :class:`DiscountRecord` s as they are."""
        return _related(order, self.discounts)

    def _order_keys(self) -> list[str]:
        overridden = [key for key in _KEYS["order"] if self._method("order", key)]
        keys = dict.fromkeys([*self.order_fields, *overridden])
        return [key for key in keys if key not in _FILTER_KEYS]

    def _nested(self, prefix: str, order: Any, from_paths: Callable[[], Any]) -> Any:
        """A nested record: ``get_<prefix>(order)`` when the source has it (it wins over the
        ``<prefix>.*`` paths), else the record built from those paths."""
        method = self._method("order", prefix)
        return method(order) if method is not None else from_paths()

    def _child(self, kind: str, obj: Any, paths: Mapping[str, str | Combinable]) -> dict[str, Any]:
        keys = dict.fromkeys([*paths, *(key for key in _KEYS[kind] if self._method(kind, key))])
        values = {key: self._value(kind, key, obj, paths) for key in keys}
        values = {key: value for key, value in values.items() if value is not None}
        if kind == "line":
            values.setdefault("sku", "")
            values.setdefault("unit_price_excl_tax", ZERO)
        return values

    def _method(self, kind: str, key: str) -> Callable[[Any], Any] | None:
        name = key.replace(".", "_")
        if kind != "order":
            return getattr(self, f"get_{kind}_{name}", None)
        # get_order_<field> always names an order field; the short get_<field> does too,
        # unless it is a child's hook: get_payment_method is the payment's method, so the
        # order's payment_method is get_order_payment_method.
        method = getattr(self, f"get_order_{name}", None)
        if method is None and not _is_child_hook(name):
            method = getattr(self, f"get_{name}", None)
        return method

    def _value(self, kind: str, key: str, obj: Any, paths: Mapping[str, str | Combinable]) -> Any:
        method = self._method(kind, key)
        if method is not None:
            value = method(obj)
        else:
            path = paths[key]
            if isinstance(path, Value):
                value = path.value
            elif isinstance(path, str):
                value = read_path(obj, path)
            else:
                raise TypeError(
                    f"{type(self).__name__}.{kind}_fields[{key!r}] is a query expression, which the database "
                    f"computes for the rows {kind}s reads; an object get_{kind}s() returns is read by path only."
                )
        if key in _MONEY and value is not None and not isinstance(value, Decimal):
            value = Decimal(str(value))
        return value

    # --- start-up validation ------------------------------------------------------

    def check(self) -> list[checks.CheckMessage]:
        """The base checks, then the maps' and the methods' (docs/checks.md: E018–E022, E026, E027)."""
        errors = super().check()
        if any(error.id in ("connex_bridge.E011", "connex_bridge.E022") for error in errors):
            return errors  # no model to read the maps on
        model = self.get_model()
        name = type(self).__name__
        if model is None:
            return [*errors, no_model_error(name, "a DeclarativeOrderSource reads every field on it")]
        errors.extend(self._check_methods())
        groups: list[tuple[str, type[models.Model], Mapping[str, str | Combinable]]] = [
            ("order", model, self.order_fields)
        ]
        for kind, relation, paths, attribute in (
            ("line", self.lines, self.line_fields, "lines"),
            ("payment", self.payments, self.payment_fields, "payments"),
            ("discount", self.discounts, self.discount_fields, "discounts"),
        ):
            if not relation:
                continue
            try:
                related = related_model(model, relation)
            except FieldDoesNotExist as exc:
                errors.append(_relation_error(name, attribute, relation, model, kind, exc))
                continue
            groups.append((kind, related, paths))
            missing = sorted(key for key in _REQUIRED[kind] if key not in paths and not self._method(kind, key))
            if missing:
                errors.append(_missing_error(name, kind, missing, related))
        for kind, on_model, paths in groups:
            for key, path in paths.items():
                if kind == "order" and key in _FILTER_KEYS:
                    errors.append(_filter_key_error(name, f"order_fields[{key!r}]", key, model))
                    continue
                if key not in _KEYS[kind]:
                    errors.append(_unknown_key_error(name, kind, key, on_model))
                    continue
                if isinstance(path, ToMany):
                    try:
                        if kind != "order":
                            raise FieldDoesNotExist(f"{type(path).__name__}() is read for order_fields only")
                        to_many, value_path = split_to_many(on_model, path.path)
                        resolve_path(related_model(on_model, to_many), value_path)
                    except FieldDoesNotExist as exc:
                        errors.append(path_error(name, f"{kind}_fields[{key!r}]", path.path, on_model, exc))
                    continue
                if isinstance(path, Combinable):
                    continue  # a constant or a query expression: the database resolves it
                try:
                    resolve_path(on_model, path)
                except FieldDoesNotExist as exc:
                    errors.append(path_error(name, f"{kind}_fields[{key!r}]", path, on_model, exc))
        if "total" not in self.order_fields and not self._method("order", "total"):
            errors.append(_missing_error(name, "order", ["total"], model))
        if self.writes_status and type(self).apply_status is DeclarativeOrderSource.apply_status:
            errors.extend(self._check_write_fields(model))
        return errors

    def _check_write_fields(self, model: type[models.Model]) -> list[checks.CheckMessage]:
        """connex_bridge.E035: a field :meth:`apply_status` writes is not a field of the order itself."""
        errors: list[checks.CheckMessage] = []
        for attribute, path in self.write_fields().items():
            try:
                field = model._meta.get_field(path)
                plain = field.concrete and not field.is_relation
            except FieldDoesNotExist:
                plain = False
            if not plain:
                errors.append(
                    checks.Error(
                        f"{type(self).__name__}.{attribute} is {path!r}, which writes_status cannot write: it is not "
                        f"a field of {model._meta.label} itself.",
                        hint="Name a field of the order model (no '__'), or override apply_status() to write "
                        "the change where the shop keeps it.",
                        id="connex_bridge.E035",
                    )
                )
        return errors

    def _check_methods(self) -> list[checks.CheckMessage]:
        """connex_bridge.E026 / E027: each ``get_…`` method the subclass defines is a hook that is called."""
        name = type(self).__name__
        model = self.require_model()
        hooks = _hook_names()
        errors: list[checks.CheckMessage] = []
        for cls in type(self).__mro__:
            if cls is DeclarativeOrderSource:
                break  # the methods below are connex_bridge's own
            for method in sorted(vars(cls)):
                if not method.startswith("get_") or not callable(vars(cls)[method]):
                    continue
                key = method.removeprefix("get_").removeprefix("order_")
                if key in _FILTER_KEYS:
                    errors.append(_filter_key_error(name, f"{method}()", key, model))
                elif method not in hooks:
                    close = get_close_matches(method, sorted(hooks), n=1, cutoff=0.6)
                    guess = f"Did you mean {close[0]}()? " if close else ""
                    errors.append(
                        checks.Error(
                            f"{name}.{method}() is no hook: no field of Connex's order, line, payment or "
                            f"discount is named so, so it would never be called for {model._meta.label}.",
                            hint=f"{guess}A helper that is no hook must not start with 'get_'; "
                            "docs/connect-your-shop.md lists every hook.",
                            id="connex_bridge.E026",
                        )
                    )
        return errors


#: The JMAOrder property each written field comes from, for messages.
_CONNEX_NAMES = {
    "status_field": "OrderStatus",
    "tracking_field": "TrackingNumber",
    "shipped_field": "ShippingDate",
    "paid_field": "PaidDate",
}


def _choice(field: Any, status: str) -> str:
    """The choice of ``field`` that is ``status`` in any letter case; WriteRefusedError naming the choices."""
    choices = [str(value) for value, _label in field.flatchoices]
    for value in choices:
        if value.casefold() == status.casefold():
            return value
    raise WriteRefusedError(
        f"OrderStatus maps to {status!r}, which is not a status of this shop ({', '.join(choices)}); map the name "
        "Connex sends to one of them in CONNEX_BRIDGE['ORDER_STATUS_MAP']."
    )


def _hook_names() -> set[str]:
    """Every ``get_…`` method a DeclarativeOrderSource calls, or has as connex_bridge's own."""
    names = {n for cls in DeclarativeOrderSource.__mro__ for n in vars(cls) if n.startswith("get_")}
    for key in _KEYS["order"]:
        if key not in _FILTER_KEYS:
            names |= {f"get_order_{key.replace('.', '_')}", f"get_{key.replace('.', '_')}"}
    names |= {f"get_{prefix}" for prefix in _NESTED}
    for kind in ("line", "payment", "discount"):
        names |= {f"get_{kind}_{key}" for key in _KEYS[kind]}
    return names


def _filter_key_error(name: str, where: str, key: str, model: type[models.Model]) -> checks.CheckMessage:
    """connex_bridge.E027: a field Connex filters by, set other than by its ``*_field`` path."""
    attribute = _FILTER_KEYS[key]
    return checks.Error(
        f"{name}.{where} sets the order's {key}, which Connex filters by: it is read through {attribute} "
        f"on {model._meta.label} only, so that what Connex is sent is what the database filtered.",
        hint=f"Point {attribute} at the field (a path may go through relations and into a JSONField) and "
        f"remove {where}."
        + (" A shop with one store sets store_field = None and store_name." if key == "store_name" else ""),
        id="connex_bridge.E027",
    )


def _unknown_key_error(name: str, kind: str, key: str, model: type[models.Model]) -> checks.CheckMessage:
    """connex_bridge.E020: a key of a field map that is no field of the record."""
    known = sorted(_KEYS[kind] - _FILTER_KEYS.keys())
    close = get_close_matches(key, known, n=1)
    guess = f"Did you mean {close[0]!r}? " if close else ""
    return checks.Error(
        f"{name}.{kind}_fields has the key {key!r} (for {model._meta.label}), which is no field of the "
        f"{kind} Connex gets.",
        hint=f"{guess}Known keys: {', '.join(known)}.",
        id="connex_bridge.E020",
    )


def _relation_error(
    name: str, attribute: str, relation: str, model: type[models.Model], kind: str, exc: Exception
) -> checks.CheckMessage:
    """connex_bridge.E019: ``lines`` / ``payments`` / ``discounts`` names no relation of the order."""
    many = relation_names(model)
    json = sorted(f.name for f in model._meta.get_fields() if isinstance(f, models.JSONField))
    hint = f"Name the reverse relation or many-to-many from the order to its {kind}s ("
    hint += f"{model._meta.label} has: {', '.join(many)}" if many else f"{model._meta.label} has none"
    hint += "), or None."
    if json:
        hint += (
            f" {kind.capitalize()}s kept in a JSONField ({', '.join(json)}) are returned by a "
            f"get_{kind}s(order) method, as records or dicts read through {kind}_fields."
        )
    return checks.Error(
        f"{name}.{attribute} is {relation!r}, which is not a relation of {model._meta.label}: {exc}",
        hint=hint,
        id="connex_bridge.E019",
    )


def _missing_error(name: str, kind: str, missing: list[str], model: type[models.Model]) -> checks.CheckMessage:
    """connex_bridge.E021: ``{kind}_fields`` lacks a key Connex needs, and no method supplies it."""
    prefix = "" if kind == "order" else f"{kind}_"
    methods = " / ".join(f"get_{prefix}{key}()" for key in missing)
    json = [f.name for f in model._meta.get_fields() if isinstance(f, models.JSONField)]
    into = f" (a path may go into a JSONField: {json[0]}__<key>)" if json else ""
    return checks.Error(
        f"{name}.{kind}_fields lacks {', '.join(missing)}, which Connex needs.",
        hint=f"Map each to a path on {model._meta.label}{into} or to Value(constant), or write {methods}.",
        id="connex_bridge.E021",
    )


def _is_child_hook(name: str) -> bool:
    """True when ``get_<name>`` is a line / payment / discount hook (``payment_method`` …)."""
    kind, _, field = name.partition("_")
    return kind in ("line", "payment", "discount") and field in _KEYS[kind]


def _address(fields: dict[str, Any]) -> AddressRecord:
    """The address of the ``<prefix>.*`` values read; a ``text`` one is a free-text address."""
    if "text" in fields:
        return AddressRecord.from_text(**fields)
    return AddressRecord(**fields)


def _related(order: Any, relation: str | None) -> Iterable[Any]:
    if not relation:
        return ()
    model: type[models.Model] = type(order)
    manager = read_path(order, relation_path(model, relation)[0])
    return manager.all() if manager is not None else ()


def _overrides(source: DeclarativeOrderSource, name: str) -> bool:
    """True when the source's class replaces DeclarativeOrderSource's method ``name``."""
    return getattr(type(source), name) is not getattr(DeclarativeOrderSource, name)


def _flatten(tree: dict[str, Any], prefix: str = "") -> list[str]:
    """The paths of a ``select_related`` tree (``{"customer": {"country": {}}}`` → ``customer__country``)."""
    paths: list[str] = []
    for name, below in tree.items():
        path = f"{prefix}{name}"
        deeper = _flatten(below, f"{path}__") if below else []
        paths.extend(deeper or [path])
    return paths


def _keyed(back: str) -> Columns:
    """The columns of a child query, the first of which is the key of the row's order."""
    columns = Columns()
    columns.add(back)
    return columns


def _stable(model: type[models.Model]) -> list[Any]:
    """``Meta.ordering`` with the primary key last, so that ties come out the same on every poll."""
    ordering = list(model._meta.ordering or [])
    if not any(item in ("pk", "-pk", model._meta.pk.name, f"-{model._meta.pk.name}") for item in ordering):
        ordering.append("pk")
    return ordering
