"""Oscar's orders read as plain rows: what :class:`~connex_bridge.contrib.oscar.source.OscarOrderSource` works on.

Building Oscar model instances and prefetching five relations onto them costs a queryset clone
per order and relation, several times what turning the same data into a record costs. So the
source reads ``values_list`` rows instead — one query for the orders (with their user, addresses,
countries and site joined), then one query each for the lines, the basket discounts of the lines,
the surcharges, the payment sources and their transactions, the parcels and the parent notes
(:func:`read_chunk` for a window of one chunk, :class:`InStepTables` for a larger one) — and hands
its methods small row objects instead of instances (a source that overrides none of them builds
its records from the plain tuples instead: ``OscarOrderSource._records_of``).

A row object has the attribute names of the Oscar instance it stands for, for every field the
source reads: ``line.partner_sku``, ``order.user.email``, ``address.country.printable_name``,
``source.source_type.name``. Relations the source reads are :class:`Related` lists with ``.all()``,
so ``order.lines.all()`` and ``line.discounts.all()`` read as on an instance. Any other attribute
(``line.product``, ``order.user.first_name``, a method of the model) is read on the Oscar instance
instead: the first such read loads the instances of that table for the whole chunk of orders, one
query (the orders themselves through the source's ``prefetch()``), so a subclass that reads more
keeps a constant number of queries per chunk, at about the old cost.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from decimal import Decimal
from typing import TYPE_CHECKING, Any, NamedTuple

from django.apps import apps
from django.contrib.auth import get_user_model
from django.db.models import Case, F, Model, QuerySet, When

from connex_bridge.sources.rows import InStep, seen_through

if TYPE_CHECKING:
    from connex_bridge.contrib.oscar.source import OscarOrderSource


class Related:
    """A relation's rows, read like the relation's manager: ``.all()``, ``.first()``, ``.exists()``, ``.count()``."""

    __slots__ = ("rows",)

    def __init__(self, rows: list[Any]) -> None:
        self.rows = rows

    def all(self) -> list[Any]:
        return self.rows

    def first(self) -> Any:
        return self.rows[0] if self.rows else None

    def exists(self) -> bool:
        return bool(self.rows)

    def count(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[Any]:
        return iter(self.rows)

    def __len__(self) -> int:
        return len(self.rows)

    def __repr__(self) -> str:
        return f"Related({self.rows!r})"


class Chunk:
    """One chunk of orders: the rows its queries read, and the row objects of one order at a time.

    The related rows are kept as the plain tuples the queries return, grouped by order (the
    cyclic collector soon stops tracking tuples of plain values); :meth:`__iter__` builds each
    order's row objects only when its record is about to be built, and they go as soon as it is.
    Holding the whole chunk as row objects instead would keep tens of thousands of container
    objects alive at once, and Python's full garbage collections over them cost as much as the
    rest of the poll.

    :meth:`instance` loads a table's instances for every row of the chunk at once, so reading an
    attribute the rows lack costs one query per table and chunk, not one per row.
    """

    def __init__(self, source: OscarOrderSource, db: str) -> None:
        self.source = source
        self.db = db
        #: The order rows (``source.order_rows()``) and, by order key, their related rows as read.
        self.orders: list[tuple[Any, ...]] = []
        self.lines: dict[Any, list[tuple[Any, ...]]] = {}
        #: Basket line discounts by line key.
        self.discounts: dict[Any, list[tuple[Any, ...]]] = {}
        self.surcharges: dict[Any, list[tuple[Any, ...]]] = {}
        #: Payment sources joined with their transactions (a row per transaction, or one with none).
        self.sources: dict[Any, list[tuple[Any, ...]]] = {}
        self.parents: dict[Any, str] = {}
        #: The shipping events of the source's ``shipping_event_type``: (order key, notes, date).
        self.parcels: dict[Any, list[tuple[Any, ...]]] = {}
        self._instances: dict[type, dict[Any, Model]] = {}

    def __len__(self) -> int:
        return len(self.orders)

    def __iter__(self) -> Iterator[OrderRow]:
        """The row object of each order of the chunk, built as it is asked for."""
        for row in self.orders:
            yield self.order(row)

    def order(self, row: tuple[Any, ...]) -> OrderRow:
        """The row object of one order row, with everything that hangs off it."""
        pk, user_pk = row[0], row[11]
        user = None if user_pk is None else UserRow(user_pk, row[_A], self)
        billing: BillingAddressRow | None = None
        shipping: ShippingAddressRow | None = None
        country: CountryRow | None = None
        if row[_B] is not None:
            if row[_B + 9] is not None:
                country = CountryRow(row[_B + 9], row[_B + 9], row[_B + 10], self)
            billing = BillingAddressRow._make((*row[_B : _B + 9], country, self))
        if row[_S] is not None:
            code = row[_S + 9]
            if code is None:
                country = None
            elif country is None or country.pk != code:  # the billing address's country, or another
                country = CountryRow(code, code, row[_S + 10], self)
            shipping = ShippingAddressRow._make((*row[_S : _S + 9], country, row[_S + 11], self))
        lines = []
        discounts_of = self.discounts.get
        order_discounts: dict[Any, OrderDiscountRow] = {}
        for line in self.lines.get(pk, ()):
            found = []
            for _, discount_pk, amount, incl, od_pk, offer_name, voucher_code in discounts_of(line[1], ()):
                order_discount = order_discounts.get(od_pk)
                if order_discount is None:
                    order_discount = order_discounts[od_pk] = OrderDiscountRow(od_pk, offer_name, voucher_code, self)
                found.append(LineDiscountRow(discount_pk, amount, incl, od_pk, order_discount, self))
            lines.append(LineRow._make((*line[1:], Related(found), self)))
        surcharges = [SurchargeRow._make((*surcharge[1:], self)) for surcharge in self.surcharges.get(pk, ())]
        sources: list[SourceRow] = []
        source: SourceRow | None = None
        source_type: SourceTypeRow | None = None
        for found_row in self.sources.get(pk, ()):
            # order_id, pk, reference, amount_debited, source_type_id, its name, then the transaction's columns
            if source is None or source.pk != found_row[1]:
                if source_type is None or source_type.pk != found_row[4]:
                    source_type = SourceTypeRow(found_row[4], found_row[5], self)
                source = SourceRow(found_row[1], found_row[2], found_row[3], source_type, Related([]), self)
                sources.append(source)
            if found_row[6] is not None:
                source.transactions.rows.append(TransactionRow._make((*found_row[6:], self)))
        related = (Related(lines), Related(surcharges), Related(sources))
        shipped = self.parcels.get(pk, ())
        tracking = ", ".join(notes for _order, notes, _date in shipped if notes)
        shipped_at = shipped[0][2] if shipped else None
        return OrderRow._make(
            (*row[:_A], self.parents.get(pk), tracking, shipped_at, user, billing, shipping, *related, self)
        )

    def _keys(self, kind: type) -> set[Any]:
        """The primary keys of every row of ``kind`` in the chunk, from the rows as read."""
        orders = self.orders
        if kind is OrderRow:
            return {row[0] for row in orders}
        if kind is UserRow:
            return {row[11] for row in orders} - {None}
        if kind is BillingAddressRow:
            return {row[_B] for row in orders} - {None}
        if kind is ShippingAddressRow:
            return {row[_S] for row in orders} - {None}
        if kind is CountryRow:
            return ({row[_B + 9] for row in orders} | {row[_S + 9] for row in orders}) - {None}
        where = {
            LineRow: (self.lines, 1),
            SurchargeRow: (self.surcharges, 1),
            LineDiscountRow: (self.discounts, 1),
            OrderDiscountRow: (self.discounts, 4),
            SourceRow: (self.sources, 1),
            SourceTypeRow: (self.sources, 4),
            TransactionRow: (self.sources, 6),
        }
        table, column = where[kind]
        return {related[column] for rows in table.values() for related in rows} - {None}

    def release(self) -> None:
        """Forget the chunk's rows once its records are built.

        A row object built before (a record may keep one) then reads its instance alone.
        """
        self.orders = []
        self.lines, self.discounts, self.surcharges, self.sources, self.parents = {}, {}, {}, {}, {}
        self._instances.clear()

    def instance(self, row: Any) -> Model:
        kind = type(row)
        loaded = self._instances.get(kind)
        if loaded is None:
            model = _model(kind)
            manager = model._default_manager.db_manager(self.db)
            queryset = manager.filter(pk__in=list(self._keys(kind) | {row.pk}))
            if kind is OrderRow:
                queryset = self.source.prefetch(queryset)
            loaded = self._instances[kind] = {obj.pk: obj for obj in queryset}
        return loaded[row.pk]


def _model(kind: type) -> type[Model]:
    return get_user_model() if kind is UserRow else apps.get_model(MODELS[kind])


#: (row type, attribute) pairs its model does not have either: asked again, no model is consulted.
_ABSENT: set[tuple[type, str]] = set()


def _from_instance(row: Any, name: str) -> Any:
    """An attribute the row was not read with, read on the Oscar instance it stands for."""
    kind = type(row)
    if name.startswith("__") or name == "connex_chunk" or (kind, name) in _ABSENT:
        raise AttributeError(name)
    model = _model(kind)
    if not hasattr(model, name):  # neither a field, a relation nor a method: as the instance would say
        _ABSENT.add((kind, name))  # e.g. a billing address's phone_number, asked for on every order
        raise AttributeError(f"{model.__name__!r} object has no attribute {name!r}")
    return getattr(row.connex_chunk.instance(row), name)


class UserRow(NamedTuple):
    """The customer's user account (``order.user``)."""

    pk: Any
    email: str
    connex_chunk: Chunk

    def __getattr__(self, name: str) -> Any:
        return _from_instance(self, name)


class CountryRow(NamedTuple):
    """``address.Country`` (its primary key is ``iso_3166_1_a2``)."""

    pk: str
    iso_3166_1_a2: str
    printable_name: str
    connex_chunk: Chunk

    def __getattr__(self, name: str) -> Any:
        return _from_instance(self, name)


class BillingAddressRow(NamedTuple):
    """``order.BillingAddress``."""

    pk: Any
    first_name: str
    last_name: str
    line1: str
    line2: str
    line3: str
    line4: str
    state: str
    postcode: str
    country: CountryRow | None
    connex_chunk: Chunk

    def __getattr__(self, name: str) -> Any:
        return _from_instance(self, name)


class ShippingAddressRow(NamedTuple):
    """``order.ShippingAddress``: a billing address's fields and the phone number."""

    pk: Any
    first_name: str
    last_name: str
    line1: str
    line2: str
    line3: str
    line4: str
    state: str
    postcode: str
    country: CountryRow | None
    phone_number: Any
    connex_chunk: Chunk

    def __getattr__(self, name: str) -> Any:
        return _from_instance(self, name)


class OrderDiscountRow(NamedTuple):
    """The ``order.OrderDiscount`` (offer or voucher) a line discount belongs to."""

    pk: Any
    offer_name: str
    voucher_code: str
    connex_chunk: Chunk

    def __getattr__(self, name: str) -> Any:
        return _from_instance(self, name)


class LineDiscountRow(NamedTuple):
    """``order.OrderLineDiscount``: what one offer took off one line."""

    pk: Any
    amount: Decimal
    is_incl_tax: bool
    order_discount_id: Any
    order_discount: OrderDiscountRow
    connex_chunk: Chunk

    def __getattr__(self, name: str) -> Any:
        return _from_instance(self, name)


class LineRow(NamedTuple):
    """``order.Line``; ``discounts`` holds its basket offers' discounts only, as the source reads them.

    The prices before discounts are read only where a unit price is missing (``connex_before_discounts_*``,
    else ``None``): converting two more decimals per line costs more than the rest of the line.
    ``line_price_before_discounts_excl_tax`` itself is read on the ``Line`` instance.
    """

    pk: Any
    partner_sku: str
    upc: str | None
    product_id: Any
    title: str
    quantity: int
    unit_price_excl_tax: Decimal | None
    unit_price_incl_tax: Decimal | None
    line_price_excl_tax: Decimal
    line_price_incl_tax: Decimal
    tax_code: str | None
    connex_before_discounts_excl_tax: Decimal | None
    connex_before_discounts_incl_tax: Decimal | None
    discounts: Related
    connex_chunk: Chunk

    def __getattr__(self, name: str) -> Any:
        return _from_instance(self, name)


class SurchargeRow(NamedTuple):
    """``order.Surcharge``."""

    pk: Any
    code: str
    name: str
    excl_tax: Decimal
    incl_tax: Decimal
    tax_code: str | None
    connex_chunk: Chunk

    def __getattr__(self, name: str) -> Any:
        return _from_instance(self, name)


class SourceTypeRow(NamedTuple):
    """``payment.SourceType``."""

    pk: Any
    name: str
    connex_chunk: Chunk

    def __getattr__(self, name: str) -> Any:
        return _from_instance(self, name)


class TransactionRow(NamedTuple):
    """``payment.Transaction``."""

    pk: Any
    txn_type: str
    amount: Decimal
    reference: str
    date_created: dt.datetime
    connex_chunk: Chunk

    def __getattr__(self, name: str) -> Any:
        return _from_instance(self, name)


class SourceRow(NamedTuple):
    """``payment.Source``; ``transactions`` in the order they were created."""

    pk: Any
    reference: str
    amount_debited: Decimal
    source_type: SourceTypeRow
    transactions: Related
    connex_chunk: Chunk

    def __getattr__(self, name: str) -> Any:
        return _from_instance(self, name)


class OrderRow(NamedTuple):
    """``order.Order``, with what the source reads of its relations, and the poll's annotations."""

    pk: Any
    number: str
    status: str
    currency: str
    date_placed: dt.datetime
    total_incl_tax: Decimal
    total_excl_tax: Decimal
    shipping_excl_tax: Decimal
    shipping_incl_tax: Decimal
    shipping_method: str
    guest_email: str
    user_id: Any
    #: ``store_field`` read in the database (``None`` without one).
    connex_store_name: str | None
    #: The tracked change time (``modified_field``'s value for a source that tracks none).
    connex_changed_at: dt.datetime
    connex_is_cancelled: bool
    #: The number of the sale a refund order refunds (the parent note's message, read apart).
    connex_parent_number: str | None
    #: The notes of its shipping events of the source's ``shipping_event_type`` (the tracking numbers), joined.
    connex_tracking_number: str
    #: When the first of those events happened.
    connex_shipped_at: dt.datetime | None
    user: UserRow | None
    billing_address: BillingAddressRow | None
    shipping_address: ShippingAddressRow | None
    lines: Related
    surcharges: Related
    sources: Related
    connex_chunk: Chunk

    def __getattr__(self, name: str) -> Any:
        return _from_instance(self, name)


#: The Oscar model each row object stands for (the user: AUTH_USER_MODEL).
MODELS: dict[type, str] = {
    CountryRow: "address.Country",
    BillingAddressRow: "order.BillingAddress",
    ShippingAddressRow: "order.ShippingAddress",
    OrderDiscountRow: "order.OrderDiscount",
    LineDiscountRow: "order.OrderLineDiscount",
    LineRow: "order.Line",
    SurchargeRow: "order.Surcharge",
    SourceTypeRow: "payment.SourceType",
    TransactionRow: "payment.Transaction",
    SourceRow: "payment.Source",
    OrderRow: "order.Order",
}

#: The columns each query reads, in the order of the row objects' fields.
_ADDRESS = ("pk", "first_name", "last_name", "line1", "line2", "line3", "line4", "state", "postcode")
ORDER_COLUMNS = (
    "pk", "number", "status", "currency", "date_placed", "total_incl_tax", "total_excl_tax",
    "shipping_excl_tax", "shipping_incl_tax", "shipping_method", "guest_email", "user_id",
)  # fmt: skip
#: After ORDER_COLUMNS: the store and modified columns and the cancelled flag (the source names them),
#: then these.
ORDER_RELATED_COLUMNS = (
    "user__email",
    *(f"billing_address__{name}" for name in _ADDRESS),
    "billing_address__country__iso_3166_1_a2",
    "billing_address__country__printable_name",
    *(f"shipping_address__{name}" for name in _ADDRESS),
    "shipping_address__country__iso_3166_1_a2",
    "shipping_address__country__printable_name",
    "shipping_address__phone_number",
)
LINE_COLUMNS = (
    "order_id", "pk", "partner_sku", "upc", "product_id", "title", "quantity", "unit_price_excl_tax",
    "unit_price_incl_tax", "line_price_excl_tax", "line_price_incl_tax", "tax_code",
)  # fmt: skip
#: After LINE_COLUMNS: the prices before discounts, where the unit prices are missing.
LINE_FALLBACKS = {
    f"connex_before_discounts_{side}_tax": Case(
        When(**{f"unit_price_{side}_tax__isnull": True}, then=F(f"line_price_before_discounts_{side}_tax"))
    )
    for side in ("excl", "incl")
}
LINE_DISCOUNT_COLUMNS = (
    "line_id", "pk", "amount", "is_incl_tax", "order_discount_id", "order_discount__offer_name",
    "order_discount__voucher_code",
)  # fmt: skip
SURCHARGE_COLUMNS = ("order_id", "pk", "code", "name", "excl_tax", "incl_tax", "tax_code")
SOURCE_COLUMNS = (
    "order_id", "pk", "reference", "amount_debited", "source_type_id", "source_type__name",
    *(f"transactions__{name}" for name in ("pk", "txn_type", "amount", "reference", "date_created")),
)  # fmt: skip

_A = len(ORDER_COLUMNS) + 3  # where ORDER_RELATED_COLUMNS start in an order row
_B = _A + 1  # the billing address
_S = _B + len(_ADDRESS) + 2  # the shipping address


def _manager(label: str, db: str) -> Any:
    return apps.get_model(label)._default_manager.db_manager(db)


#: How a related table is filtered by its order: by a list of keys (``order__pk__in``, which Django
#: prepares about twice as fast as ``order_id__in``), or by a subquery of orders.
_BY_KEYS = {path: f"{path}__pk__in" for path in ("order", "line__order", "source__order")}
_BY_QUERY = {path: f"{path}__in" for path in ("order", "line__order", "source__order")}


def read_chunk(
    source: OscarOrderSource, rows: list[tuple[Any, ...]], db: str, window: QuerySet[Any] | None = None
) -> Chunk:
    """A chunk of order rows (``source.order_rows()``) with their lines, basket discounts, surcharges,
    payment sources and transactions, and parent notes: one query each for the whole chunk. Iterating
    it gives the orders' row objects.

    The related rows are those of the orders whose keys the chunk holds; or, when the chunk is
    every order of ``window`` (a queryset of orders), those of ``window``'s orders, which the database
    works out from the same filter at a constant cost instead of a lookup of thousands of keys.
    """
    chunk = Chunk(source, db)
    chunk.orders = rows
    orders: Any = [row[0] for row in rows]
    by_order = _BY_KEYS
    if window is not None:
        orders, by_order = window.values("pk"), _BY_QUERY

    def fetch(label: str, relation: str, columns: tuple[str, ...], *ordering: str, **filters: Any) -> Any:
        related = _manager(label, db).filter(**{by_order[relation]: orders}, **filters)
        if label == "order.Line":
            related = related.annotate(**LINE_FALLBACKS)
        return related.order_by(*(ordering or ("pk",))).values_list(*columns)

    def group(table: dict[Any, list[tuple[Any, ...]]], rows: Any) -> None:
        for row in rows:
            found = table.get(row[0])
            if found is None:
                table[row[0]] = [row]
            else:
                found.append(row)

    discounts = fetch(
        "order.OrderLineDiscount", "line__order", LINE_DISCOUNT_COLUMNS, order_discount__category="Basket"
    )
    group(chunk.discounts, discounts)
    group(chunk.lines, fetch("order.Line", "order", (*LINE_COLUMNS, *LINE_FALLBACKS)))
    group(chunk.surcharges, fetch("order.Surcharge", "order", SURCHARGE_COLUMNS))
    ordering = ("pk", "transactions__date_created", "transactions__pk")
    group(chunk.sources, fetch("payment.Source", "order", SOURCE_COLUMNS, *ordering))
    # The parcels: the notes (tracking numbers) and dates of the shipping events of the source's type.
    parcels = fetch(
        "order.ShippingEvent", "order", ("order_id", "notes", "date_created"), "order_id", "date_created", "pk",
        event_type__name=source.shipping_event_type,
    )  # fmt: skip
    group(chunk.parcels, parcels)
    # The sale a refund order refunds: its latest note of the source's parent_note_type.
    parents = chunk.parents
    for order_pk, message in fetch(
        "order.OrderNote", "order", ("order_id", "message"), "order_id", "-pk", note_type=source.parent_note_type
    ):
        parents.setdefault(order_pk, message)
    return chunk


class InStepTables:
    """The related tables of a window larger than a chunk, each read by one query for the whole window.

    Each query starts from the orders of the window, sorted by ``order_by`` (the orders' own total
    order), joined to one related table and sorted by it next: its rows come order by order, in the
    orders' order, and :meth:`chunk` hands each chunk of orders its own (:class:`InStep`). A window of
    any size is thus read by the same seven queries (on PostgreSQL eight), as a window of one chunk is,
    and memory holds one chunk's rows at a time. The sort key of a source that tracks changes (the
    latest change of each order) is worked out again for every related row, which the database does
    with one index lookup each.
    """

    def __init__(self, source: OscarOrderSource, ordered: QuerySet[Any], order_by: list[Any], size: int) -> None:
        self.source = source
        self.db = ordered.db

        def fetch(relation: str, columns: tuple[str, ...], ordering: tuple[str, ...], **filters: Any) -> InStep:
            selected = {f"{relation}__{name}": value for name, value in filters.items()}
            rows = ordered.filter(**(selected or {f"{relation}__isnull": False}))  # the join the columns reuse
            names = [f"{relation}__{name}" for name in columns]
            if relation == "lines":
                rows = rows.annotate(**{name: seen_through(value, "lines") for name, value in LINE_FALLBACKS.items()})
                names += LINE_FALLBACKS
            sort = [f"-{relation}__{name[1:]}" if name.startswith("-") else f"{relation}__{name}" for name in ordering]
            return InStep(rows.order_by(*order_by, *sort).values_list("pk", *names).iterator(chunk_size=size), relation)

        self.lines = fetch("lines", LINE_COLUMNS[1:], ("pk",))
        # The line discounts carry their line's key after their order's: (order key, *LINE_DISCOUNT_COLUMNS).
        self.discounts = fetch("lines__discounts", LINE_DISCOUNT_COLUMNS, ("pk",), order_discount__category="Basket")
        self.surcharges = fetch("surcharges", SURCHARGE_COLUMNS[1:], ("pk",))
        self.sources = fetch("sources", SOURCE_COLUMNS[1:], ("pk", "transactions__date_created", "transactions__pk"))
        self.parcels = fetch(
            "shipping_events", ("notes", "date_created"), ("date_created", "pk"),
            event_type__name=source.shipping_event_type,
        )  # fmt: skip
        self.notes = fetch("notes", ("message",), ("-pk",), note_type=source.parent_note_type)

    def chunk(self, rows: list[tuple[Any, ...]]) -> Chunk:
        """The chunk of order rows ``rows`` (the next ones of the window) with their related rows."""
        chunk = Chunk(self.source, self.db)
        chunk.orders = rows
        lines, discounts, surcharges, sources, parcels = (
            chunk.lines,
            chunk.discounts,
            chunk.surcharges,
            chunk.sources,
            chunk.parcels,
        )
        for row in rows:
            pk = row[0]
            if found := self.lines.take(pk):
                lines[pk] = found
            for discount in self.discounts.take(pk):
                line = discount[1]
                if line in discounts:
                    discounts[line].append(discount[1:])
                else:
                    discounts[line] = [discount[1:]]
            if found := self.surcharges.take(pk):
                surcharges[pk] = found
            if found := self.sources.take(pk):
                sources[pk] = found
            if found := self.parcels.take(pk):
                parcels[pk] = found
            if found := self.notes.take(pk):
                chunk.parents[pk] = found[0][1]  # the latest
        return chunk

    def finish(self) -> None:
        """Fail if a related row is left over (see :class:`InStep`)."""
        for stream in (self.lines, self.discounts, self.surcharges, self.sources, self.parcels, self.notes):
            stream.finish()
