"""How a declarative source reads its orders: plain rows, one query per table.

A :class:`~connex_bridge.sources.declarative.DeclarativeOrderSource` knows every
field path it reads, so it reads them as ``values_list`` rows instead of model
instances: one query for the orders (see :func:`first_chunk`), and one for each
child relation (lines, payments, discounts): selected by the window itself and grouped
by order when the window holds up to ``chunk_size`` orders; for a larger one,
sorted like the orders and read in step with them (:class:`InStep`), or, for a
child the database cannot reach from the order, one per chunk. :class:`ReadPlan`
is worked out once per source: which columns each query selects, and for each
record field where its value comes from — a column, a constant, or a hook.

Hooks (``get_<field>`` methods) are what a source writes in Python, and they
take the host's model instance. Where a table has hooks, its instances are
built from the same row (``Model.from_db`` with the model's own fields, no
extra query); what the hooks follow beyond those fields is fetched with the
lookups the source's ``prefetch()`` names, once per chunk. That is the
documented cost of a hook: a few microseconds per row, more for what it follows.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import chain, islice
from typing import Any

from django.core.exceptions import FieldDoesNotExist
from django.db import connections, models
from django.db.models import Aggregate, F, ForeignObjectRel, OuterRef, Q, Subquery, Value
from django.db.models.expressions import Combinable

from connex_bridge.sources.base import relation_step

#: Where a record field's value comes from.
COLUMN, CONSTANT, HOOK, JOINED = 0, 1, 2, 3


@dataclass(frozen=True)
class ToMany:
    """A field-map value read through a to-many relation, like a child relation: one query per
    chunk of orders (shared by every such value of the same relation), no model instance. The
    related rows come in their model's ``Meta.ordering``, then primary key."""

    path: str

    def reduce(self, values: list[Any]) -> Any:
        raise NotImplementedError


@dataclass(frozen=True)
class Joined(ToMany):
    """The values of a path through a to-many relation, joined into one text.

    ``Joined("shipments__tracking_code")`` is every shipment's tracking code, blanks left out,
    joined by ``separator``; no value at all leaves the field empty.
    """

    separator: str = ", "

    def reduce(self, values: list[Any]) -> Any:
        return self.separator.join(str(value) for value in values if value not in (None, "")) or None


@dataclass(frozen=True)
class First(ToMany):
    """The value of a path through a to-many relation on the first related row, or none.

    ``First("shipments__shipped_at")`` is when the first shipment left.
    """

    def reduce(self, values: list[Any]) -> Any:
        return values[0] if values else None


#: One record field: (key, source kind, column index / constant / hook function, converts to Decimal).
Step = tuple[str, int, Any, bool]


@dataclass
class Columns:
    """The columns one ``values_list`` query selects, each once, and the expressions it annotates."""

    names: list[str] = field(default_factory=list)
    annotations: dict[str, Any] = field(default_factory=dict)
    _index: dict[Any, int] = field(default_factory=dict)

    def add(self, path: str | Any) -> int:
        """The index of ``path`` (a field path, or a query expression) in the row."""
        key = path if isinstance(path, str) else id(path)
        if key not in self._index:
            if isinstance(path, str):
                name = path
            else:
                name = f"connex_x{len(self.annotations)}"
                self.annotations[name] = path
            self._index[key] = len(self.names)
            self.names.append(name)
        return self._index[key]

    def select(self, queryset: models.QuerySet[Any]) -> models.QuerySet[Any]:
        if self.annotations:
            queryset = queryset.annotate(**self.annotations)
        return queryset.values_list(*self.names)


@dataclass
class ChildPlan:
    """How one child relation (lines, payments or discounts) is read."""

    kind: str
    model: type[models.Model]
    #: Path from the order to its child rows (``items``, ``basket__lines`` …).
    relation: str
    #: Path from a child row to its order's primary key (``order_id``, ``orders__pk`` …): the
    #: first column of :attr:`columns`, so that every row starts with its order's key.
    back: str
    ordering: list[Any]  # as Meta.ordering: names, "-name", expressions
    columns: Columns
    steps: list[Step]
    #: Indexes of the model's own fields in a row, when hooks need instances.
    instance_fields: list[str] | None = None
    instance_slice: slice | None = None
    compiled: Compiled | None = None

    def rows_by_order(self, order_keys: Sequence[Any] | models.QuerySet[Any]) -> dict[Any, list[tuple[Any, ...]]]:
        """Each order's child rows, in the child model's ordering (else by primary key).

        ``order_keys``: the orders' primary keys, or a ``values("pk")`` queryset selecting them.
        """
        children = self.model._default_manager.filter(**{f"{self.back}__in": order_keys})
        rows = self.columns.select(children.order_by(*self.ordering))
        grouped: dict[Any, list[tuple[Any, ...]]] = {}
        found = grouped.get
        for row in rows:
            group = found(row[0])
            if group is None:
                grouped[row[0]] = [row]
            else:
                group.append(row)
        return grouped

    def seen_from_order(self) -> tuple[list[Any], dict[str, Any], list[Any]] | None:
        """What the child query selects, annotates and sorts by, as paths from the order through
        :attr:`relation`; ``None`` when an expression of the field map or the ordering cannot be
        moved there (a subquery, an aggregate)."""
        annotations: dict[str, Any] = {}
        for name, expression in self.columns.annotations.items():
            moved = seen_through(expression, self.relation)
            if moved is None:
                return None
            annotations[name] = moved
        # The first column is the order's own key; the rest are reached through the relation.
        names = [
            "pk",
            *(name if name in annotations else f"{self.relation}__{name}" for name in self.columns.names[1:]),
        ]
        ordering = [seen_through(item, self.relation) for item in self.ordering]
        if any(item is None for item in ordering):
            return None
        return names, annotations, ordering

    def in_step(self, ordered: models.QuerySet[Any], order_by: Sequence[Any], chunk_size: int) -> InStep:
        """The child rows of every order of ``ordered`` in one query, sorted by ``order_by`` (the
        orders' own total order) and then the child's: handed out order by order (:class:`InStep`)."""
        seen = self.seen_from_order()
        assert seen is not None  # noqa: S101 - the plan reads in step only when every child can be
        names, annotations, ordering = seen
        rows = ordered.filter(**{f"{self.relation}__isnull": False})  # the join the columns below reuse
        if annotations:
            rows = rows.annotate(**annotations)
        rows = rows.order_by(*order_by, *ordering).values_list(*names)
        return InStep(rows.iterator(chunk_size=chunk_size), self.kind)


def seen_through(value: Any, relation: str) -> Any:
    """``value`` — a field path (``"-position"``), a ``Q`` or a query expression on a child model —
    as the same value reached from the order through ``relation``; ``None`` when it holds what
    cannot be moved (a subquery or an outer reference, an aggregate)."""
    if isinstance(value, str):
        descending = value.startswith("-")
        return f"{'-' if descending else ''}{relation}__{value.removeprefix('-')}"
    if isinstance(value, (OuterRef, Subquery, Aggregate)):
        return None
    if isinstance(value, F):
        return F(f"{relation}__{value.name}")  # type: ignore[attr-defined]
    if isinstance(value, Q):
        children: list[Any] = []
        for child in value.children:
            if isinstance(child, tuple):
                moved = child[1] if not hasattr(child[1], "resolve_expression") else seen_through(child[1], relation)
                if moved is None:
                    return None
                children.append((f"{relation}__{child[0]}", moved))
            else:
                moved = seen_through(child, relation)
                if moved is None:
                    return None
                children.append(moved)
        q = copy.copy(value)
        q.children = children
        return q
    if isinstance(value, Value):
        return value
    if hasattr(value, "get_source_expressions"):
        sources = value.get_source_expressions()
        moved_sources = [source if source is None else seen_through(source, relation) for source in sources]
        if any(m is None and s is not None for m, s in zip(moved_sources, sources, strict=True)):
            return None
        clone = copy.copy(value)
        clone.set_source_expressions(moved_sources)
        return clone
    return None


class InconsistentReadError(RuntimeError):
    """The rows of a related table did not come in the orders' order.

    Raised before the answer is complete, so it is cut short (no valid JSON)
    and Connex books nothing of it, rather than book an order with rows that
    are not its own.
    """


class InStep:
    """Rows of a table related to the orders, sorted like them, handed out order by order.

    Each row starts with its order's key. A row that does not belong to the
    order asked for waits for a later one; a row whose order has passed, or
    never comes, is still waiting at :meth:`finish`.
    """

    def __init__(self, rows: Iterable[tuple[Any, ...]], name: str) -> None:
        self._rows = iter(rows)
        self._head = next(self._rows, None)
        self._name = name

    def take(self, pk: Any) -> list[tuple[Any, ...]]:
        """The rows of order ``pk``, the next order of the answer."""
        taken = []
        head = self._head
        while head is not None and head[0] == pk:
            taken.append(head)
            head = next(self._rows, None)
        self._head = head
        return taken

    def finish(self) -> None:
        """Fail if rows are left over: their order was sent without them, or not at all."""
        if self._head is not None:
            raise InconsistentReadError(
                f"{self._name} of order id {self._head[0]} did not come in step with the orders; "
                "the answer stops before it is complete."
            )


@dataclass
class ReadPlan:
    """Everything a declarative source reads, worked out once (see the module docstring)."""

    columns: Columns
    pk: int
    number: int
    status: int
    store: int | None
    created: int
    modified: int
    cancelled: int
    #: OrderRecord fields (and ``customer.email`` …) other than the five above.
    steps: list[Step]
    children: list[ChildPlan]
    #: The order model's own fields, when order hooks need instances; and where they sit in a row.
    instance_fields: list[str] | None
    instance_slice: slice | None
    #: What hooks follow beyond an instance's own fields (from the source's prefetch()).
    lookups: list[Any]
    compiled: Compiled | None = None
    #: True when every child relation is read in step with the orders (:meth:`ChildPlan.in_step`),
    #: False when one is read per chunk of orders (:meth:`ChildPlan.rows_by_order`).
    in_step: bool = True
    #: The source's own methods that replace a path's value, and list hooks, found once.
    overrides: frozenset[str] = frozenset()
    #: get_customer / get_billing_address / get_shipping_address, where the source has them.
    nested_hooks: dict[str, Callable[[Any], Any]] = field(default_factory=dict)


def is_expression(path: Any) -> bool:
    """True for a query expression in a field map (``F``, ``Subquery``, ``Concat`` …), other than ``Value``."""
    return isinstance(path, Combinable) and not isinstance(path, Value)


def back_path(model: type[models.Model], relation: str) -> str:
    """The path from the model at the end of ``relation`` back to ``model``'s primary key."""
    steps: list[str] = []
    on: Any = model
    for name in relation.split("__"):
        step = relation_step(on, name)
        steps.append(step.field.name if isinstance(step, ForeignObjectRel) else step.related_query_name())
        on = step.related_model
    if len(steps) == 1 and isinstance(step, models.ManyToOneRel) and step.field.target_field.primary_key:
        return step.field.attname  # order_id: no join
    return "__".join(reversed(steps)) + "__pk"


def split_to_many(model: type[models.Model], path: str) -> tuple[str, str]:
    """``path`` cut after its first to-many step: (the relation, the path on the related model).

    FieldDoesNotExist when the path has no to-many step, or nothing after it.
    """
    names = path.split("__")
    on: Any = model
    for index, name in enumerate(names):
        step = relation_step(on, name)
        if step.one_to_many or step.many_to_many:
            if index == len(names) - 1:
                raise FieldDoesNotExist(f"{path!r} ends at the relation {name!r}: name the field to join")
            return "__".join(names[: index + 1]), "__".join(names[index + 1 :])
        if step.related_model is None:
            break
        on = step.related_model
    raise FieldDoesNotExist(f"{path!r} goes through no to-many relation, so it has one value: map it as a path")


def own_fields(model: type[models.Model]) -> list[str]:
    """The columns ``Model.from_db`` takes to build an instance: every concrete field, by attname."""
    return [f.attname for f in model._meta.concrete_fields]


def instances(
    model: type[models.Model], db: str, rows: Iterable[tuple[Any, ...]], where: slice, names: list[str]
) -> list[models.Model]:
    """Model instances built from the ``where`` part of each row (no query)."""
    return [model.from_db(db, names, row[where]) for row in rows]


def first_chunk(rows: models.QuerySet[Any], size: int) -> tuple[list[Any] | None, Iterator[Any]]:
    """``(the rows, an empty iterator)`` when ``rows`` fit in one chunk of ``size``, else ``(None, an
    iterator over every row from the first)``; one row is read ahead to know.

    Where ``.iterator()`` streams through a server-side cursor (PostgreSQL, unless
    ``DISABLE_SERVER_SIDE_CURSORS``), the first ``size`` + 1 rows are fetched by a plain query
    (``LIMIT``) instead: PostgreSQL plans a cursor to return its first rows soon
    (``cursor_tuple_fraction``), which here, where every row is read, costs a slower plan and a round
    trip per fetch. A larger window is then read again from its first row, streamed (one query more; in
    the snapshot an answer is read in, the same rows). Elsewhere the rows come from one query, and those
    read ahead are freed once the iterator has passed them: the caller holds no chunk of a larger window."""
    if fetches_first_chunk_apart(rows.db):
        head = list(rows[: size + 1])
        if len(head) <= size:
            return head, iter(())
        del head
        return None, rows.iterator(chunk_size=size)
    iterator = rows.iterator(chunk_size=size)
    head = list(islice(iterator, size + 1))
    if len(head) <= size:
        return head, iterator
    return None, chain(head, iterator)


def fetches_first_chunk_apart(using: str) -> bool:
    """Whether :func:`first_chunk` fetches the first chunk of database ``using`` by a query of its own."""
    connection = connections[using]
    return connection.vendor == "postgresql" and not connection.settings_dict.get("DISABLE_SERVER_SIDE_CURSORS")


def every_row(rows: models.QuerySet[Any], size: int) -> Iterator[Any]:
    """Every row of ``rows``, read as :func:`first_chunk` reads them (on PostgreSQL: by one plain query
    when they are at most ``size``)."""
    whole, every = first_chunk(rows, size)
    return iter(whole) if whole is not None else every


def chunks(rows: Iterable[tuple[Any, ...]], size: int) -> Iterator[list[tuple[Any, ...]]]:
    """``rows`` in lists of ``size`` (the last one shorter)."""
    iterator = iter(rows)
    while chunk := list(islice(iterator, size)):
        yield chunk


#: Where a field's value lands: the record itself, or one of its nested records.
SLOTS = ("", "customer", "billing_address", "shipping_address")


@dataclass
class Compiled:
    """A table's steps sorted for the row loop: columns, constants and hooks, each with its slot."""

    #: (slot, field, column index, converts to Decimal)
    columns: list[tuple[int, str, int, bool]]
    #: per slot: the constant fields
    constants: list[dict[str, Any]]
    #: (slot, field, hook, converts to Decimal)
    hooks: list[tuple[int, str, Callable[[Any], Any], bool]]
    #: (slot, field, the child plan's kind, column, the ToMany value, converts to Decimal)
    joined: list[tuple[int, str, str, int, ToMany, bool]] = field(default_factory=list)

    #: The record a child row becomes (LineRecord …), and the fields it has before the row's.
    record: type[Any] | None = None
    defaults: dict[str, Any] = field(default_factory=dict)
    _fill: Callable[[tuple[Any, ...], Any], list[dict[str, Any]]] = field(init=False, repr=False)
    _build: Callable[[tuple[Any, ...], Any], Any] = field(init=False, repr=False)

    @classmethod
    def of(
        cls, steps: Sequence[Step], record: type[Any] | None = None, defaults: Mapping[str, Any] | None = None
    ) -> Compiled:
        compiled = cls([], [{} for _ in SLOTS], [], record=record, defaults=dict(defaults or {}))
        for key, kind, arg, money in steps:
            prefix, dot, name = key.partition(".")
            slot = SLOTS.index(prefix) if dot else 0
            field_name = name if dot else key
            if kind == COLUMN:
                compiled.columns.append((slot, field_name, arg, money))
            elif kind == CONSTANT:
                compiled.constants[slot][field_name] = arg
            elif kind == JOINED:
                compiled.joined.append((slot, field_name, *arg, money))
            else:
                compiled.hooks.append((slot, field_name, arg, money))
        compiled.constants[0] = {**compiled.defaults, **compiled.constants[0]}
        compiled._generate()
        return compiled

    def fill(self, row: tuple[Any, ...], instance: Any) -> list[dict[str, Any]]:
        """The fields of one row, per slot; ``None`` values are left out (the record's default stands)."""
        return self._fill(row, instance)

    def build(self, row: tuple[Any, ...], instance: Any) -> Any:
        """The :attr:`record` of one child row."""
        return self._build(row, instance)

    def _generate(self) -> None:
        """Write :meth:`fill` and :meth:`build` as straight-line functions of this table's steps.

        The row loop is most of an answer's cost: a function with one statement per field, its
        column index and field name written in, does in one pass what a loop over the steps does
        with a lookup per field. Only names of record fields and integers go into the code.
        """
        body = [
            f"    s{slot} = dict(constants[{slot}])" if self.constants[slot] else f"    s{slot} = {{}}"
            for slot in range(len(SLOTS))
        ]
        built = body[:1]  # a child record: every field lands in slot 0
        for slot, name, index, money in self.columns:
            step = [f"    v = row[{int(index)}]", "    if v is not None:"]
            if money:
                step.append("        if v.__class__ is not Decimal: v = Decimal(str(v))")
            step.append(f"        s{slot}[{name!r}] = v")
            body += step
            built += step if slot == 0 else []
        for number, (slot, name, _hook, money) in enumerate(self.hooks):
            step = [f"    v = hooks[{number}](instance)", "    if v is not None:"]
            if money:
                step.append("        if not isinstance(v, Decimal): v = Decimal(str(v))")
            step.append(f"        s{slot}[{name!r}] = v")
            body += step
            built += step if slot == 0 else []
        slots = ", ".join(f"s{slot}" for slot in range(len(SLOTS)))
        source = "\n".join(
            [
                "def fill(row, instance):", *body, f"    return [{slots}]",
                "def build(row, instance):", *built, "    return record(**s0)",
            ]
        )  # fmt: skip
        namespace: dict[str, Any] = {
            "Decimal": Decimal,
            "constants": self.constants,
            "hooks": [hook for _slot, _name, hook, _money in self.hooks],
            "record": self.record,
        }
        exec(compile(source, f"<connex_bridge read plan: {self.record or 'order'}>", "exec"), namespace)  # noqa: S102
        self._fill = namespace["fill"]
        self._build = namespace["build"]

    def join(self, slots: list[dict[str, Any]], children: Mapping[str, Any]) -> None:
        """Add the ToMany values of one order (its rows of each relation are in ``children``)."""
        for slot, name, kind, column, value, money in self.joined:
            reduced = value.reduce([row[column] for row in children[kind][1]])
            if reduced is not None:
                if money and not isinstance(reduced, Decimal):
                    reduced = Decimal(str(reduced))
                slots[slot][name] = reduced
