"""The adapter seam between connex_bridge and a shop's own order models.

Modelled on django-allauth's adapters: :class:`OrderSource` is a class of
small documented methods; a shop subclasses it, overrides what differs from
the defaults and names its subclass in ``CONNEX_BRIDGE["ORDER_SOURCE"]``.
Views and the FilterSet talk only to the source, never to a model. Like
allauth's ``get_adapter()``, :func:`get_order_source` sits beside the class.

The default filtering methods work on field paths named by class attributes
(``number_field``, ``status_field`` …), so the database does the filtering.
docs/connect-your-shop.md documents every method.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator, Sequence
from difflib import get_close_matches
from functools import cache, reduce
from operator import or_
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.core import checks
from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured, ValidationError
from django.core.signals import setting_changed
from django.db import models
from django.db.models import BooleanField, Case, ForeignObjectRel, Q, QuerySet, Value, When
from django.db.models.functions import Cast, Coalesce, Concat
from django.dispatch import receiver
from django.utils.module_loading import import_string

from connex_bridge.adapters import NotSupportedError, model_class
from connex_bridge.conf import SETTING_NAME, app_settings
from connex_bridge.records import OrderRecord, OrderStatusUpdate, PaymentRecord

if TYPE_CHECKING:
    from connex_bridge.models import ConnexCredential

#: Name of the annotation that marks a row as a cancelled/refunded order.
CANCELLED_ANNOTATION = "connex_is_cancelled"
#: Name of the annotation holding a tracked order's last change time.
CHANGED_AT_ANNOTATION = "connex_changed_at"

#: What ``changeorderstatus`` answers (501) for a source that takes no status changes.
NO_STATUS_CHANGES = (
    "This shop does not take status changes from QuickBooks: its order source has no apply_status(). "
    "Ask Connex support to turn off order status updates, or have the shop's developer add them."
)
#: What ``createorders`` answers (501) for a source that creates no orders.
NO_ORDER_CREATION = (
    "This shop does not take orders created in QuickBooks: its order source has no create_order(). "
    "Ask Connex support to turn off order creation, or have the shop's developer add it."
)


def in_window(queryset: QuerySet[Any], field: str, start: dt.datetime | None, end: dt.datetime | None) -> QuerySet[Any]:
    """Rows of ``queryset`` whose ``field`` lies in ``[start, end]``, both ends inclusive; ``None`` is open."""
    if start is not None:
        queryset = queryset.filter(**{f"{field}__gte": start})
    if end is not None:
        queryset = queryset.filter(**{f"{field}__lte": end})
    return queryset


class WriteNotSupportedError(NotSupportedError):
    """The order source does not take this write from QuickBooks; answered 501 with the message."""


class WriteRefusedError(ValueError):
    """The shop refuses one write from QuickBooks (a status it does not have, a SKU it does not sell).

    The message says why, for the merchant, naming the value; nothing of the write is kept.
    """


_INTEGER_KEYS: dict[type[models.Field[Any, Any]], type[models.Field[Any, Any]]] = {
    models.AutoField: models.IntegerField,
    models.BigAutoField: models.BigIntegerField,
    models.SmallAutoField: models.SmallIntegerField,
}


def related_model(model: type[models.Model], path: str) -> type[models.Model]:
    """The model at the end of a relation path; FieldDoesNotExist if it is not a relation."""
    return relation_path(model, path)[1]


@cache
def relation_path(model: type[models.Model], path: str) -> tuple[str, type[models.Model]]:
    """The attribute path of a relation path (what ``prefetch_related`` and ``getattr`` take), and its model.

    A step may name a reverse relation as a query does (``orderpayment``) or as Python
    reads it (``orderpayment_set``, the accessor without a ``related_name``); either
    becomes the accessor. Raises FieldDoesNotExist when a step is not a relation.
    """
    accessors: list[str] = []
    on = model
    for name in path.split("__"):
        field = relation_step(on, name)
        if not isinstance(field.related_model, type):
            raise FieldDoesNotExist(f"{path!r} is not a relation of {model._meta.label}: {name!r} is a plain field")
        accessors.append(field.get_accessor_name() or name if isinstance(field, ForeignObjectRel) else field.name)
        on = field.related_model
    return "__".join(accessors), on


def query_path(model: type[models.Model], path: str) -> str:
    """A relation path as a query spells it (``orderpayment``, where Python reads ``orderpayment_set``)."""
    names: list[str] = []
    on: Any = model
    for name in path.split("__"):
        step = relation_step(on, name)
        names.append(step.name)  # a reverse relation's name is its query name
        on = step.related_model
    return "__".join(names)


def relation_step(model: type[models.Model], name: str) -> Any:
    """The field or reverse relation ``name`` of ``model``: by field name or query name, or by the accessor
    Python reads (``orderpayment_set``). Raises FieldDoesNotExist."""
    try:
        return model._meta.get_field(name)
    except FieldDoesNotExist:
        for relation in model._meta.related_objects:
            if relation.get_accessor_name() == name:
                return relation
        raise


def relation_names(model: type[models.Model]) -> list[str]:
    """The to-many relations of ``model`` as Python reads them (``items``, ``orderpayment_set``)."""
    names = []
    for field in model._meta.get_fields():
        if field.one_to_many or field.many_to_many:
            accessor = field.get_accessor_name() if isinstance(field, ForeignObjectRel) else field.name
            names.append(accessor or field.name)
    return sorted(names)


def resolve_path(model: type[models.Model], path: str) -> list[models.Field[Any, Any] | Any]:
    """The fields a ``__`` path walks through, from ``model``; raises FieldDoesNotExist.

    A path may go on into a ``JSONField`` (``product_data__code``): it is resolved up to
    and including the JSON field, which is the last field returned; the steps after it
    are keys of the JSON (or list indexes), which no model describes.
    """
    fields: list[models.Field[Any, Any] | Any] = []
    for name in path.split("__"):
        if model is None:
            raise FieldDoesNotExist(
                f"{path!r} goes past {fields[-1].name!r}, which is neither a relation nor a JSONField"
            )
        field = model._meta.pk if name == "pk" else model._meta.get_field(name)
        fields.append(field)
        if isinstance(field, models.JSONField):
            break
        model = field.related_model  # type: ignore[assignment]
    return fields


class OrderSource:
    """Base class of every order source. Subclass it; override what differs.

    Required: :meth:`get_queryset` and :meth:`to_record`. Everything else has
    a default that works on the field paths below, read on :attr:`model`.
    """

    #: The host's order model (a class or ``"app_label.Model"``). Lets system
    #: checks validate the field paths and change tracking know what to track.
    model: type[models.Model] | str | None = None
    #: Field path of the order number (unique, stable forever).
    number_field: str = "number"
    #: Field path of the shop's status name.
    status_field: str = "status"
    #: Field path of the store / sales-channel name, or ``None`` for a shop
    #: with one store: every order is then in :attr:`store_name`.
    store_field: str | None = "store_name"
    #: The ``StoreName`` of every order when :attr:`store_field` is ``None``
    #: (one-store shops); a ``storeName`` filter or a credential's stores then
    #: match every order when they name it (case-insensitive), none otherwise.
    store_name: str = ""
    #: Field path of the creation time.
    created_field: str = "created_at"
    #: Field path of the last-modified time (must move on every change), or
    #: ``None`` when the host has none and :attr:`track_changes` is used.
    modified_field: str | None = "modified_at"
    #: Field path of the host's merchant / tenant; when set, a credential sees
    #: only orders whose merchant equals its ``merchant`` (and none without one).
    merchant_field: str | None = None
    #: Change tracking for hosts without a reliable modified time:
    #: ``{"app_label.Model": "path to the order's pk"}``. A save or delete of
    #: any of these models records a change of that order (see
    #: :mod:`connex_bridge.changes`); the modified-date window then reads
    #: those records instead of :attr:`modified_field`.
    track_changes: dict[str, str] = {}
    #: Orders fetched (with their prefetched lines, payments …) per round trip
    #: while the answer streams: the query count is constant up to this many
    #: orders, and memory holds about this many orders at a time.
    chunk_size: int = 5000
    #: True when an answer takes the same number of queries however many
    #: orders it holds (else, a few more per :attr:`chunk_size` orders).
    constant_queries: bool = False
    #: True when :meth:`iter_records` yields every sale before the first
    #: refund. The answer then writes refunds as they come instead of holding
    #: them back until the sales are written.
    refunds_last: bool = False

    # --- the host model --------------------------------------------------------

    def get_model(self) -> type[models.Model] | None:
        """:attr:`model` as a class (``None`` when not declared)."""
        return model_class(self.model)

    @property
    def tracks_changes(self) -> bool:
        """True when the modified-date window reads connex_bridge's change records."""
        return bool(self.track_changes)

    def require_model(self) -> type[models.Model]:
        """:attr:`model` as a class; a TypeError naming the source when it is not declared."""
        model = self.get_model()
        if model is None:
            raise TypeError(f"{type(self).__name__} must declare `model` (the host's order model)")
        return model

    @property
    def change_label(self) -> str:
        """The label change records of this source's orders are filed under."""
        return self.require_model()._meta.label_lower

    # --- which rows ---------------------------------------------------------

    def get_queryset(self, credential: ConnexCredential) -> QuerySet[Any]:
        """Every order of the shop, before scoping and Connex's filters. Required
        unless :attr:`model` is set (default: its default manager)."""
        model = self.get_model()
        if model is None:
            raise NotImplementedError(f"{type(self).__name__} must implement get_queryset() or set `model`")
        return model._default_manager.all()

    def scope(self, queryset: QuerySet[Any], credential: ConnexCredential) -> QuerySet[Any]:
        """Restrict ``queryset`` to what ``credential`` may see.

        Default: a credential with a list of stores sees only those stores;
        with :attr:`merchant_field` set, only its own merchant's orders.
        Override to apply the host's own permissions; filter in the database.
        """
        if self.merchant_field:
            if not credential.merchant:
                return queryset.none()
            queryset = queryset.filter(**{self.merchant_field: credential.merchant})
        if credential.stores:
            queryset = self.filter_store_names(queryset, credential.stores)
        return queryset

    def filter_window(
        self, queryset: QuerySet[Any], field: str, start: dt.datetime | None, end: dt.datetime | None
    ) -> QuerySet[Any]:
        """Rows whose ``field`` lies in ``[start, end]``, both ends inclusive; ``None`` is open."""
        return in_window(queryset, field, start, end)

    def filter_modified(
        self, queryset: QuerySet[Any], start: dt.datetime | None, end: dt.datetime | None
    ) -> QuerySet[Any]:
        """The ``date_modified_min`` / ``date_modified_max`` window."""
        if self.tracks_changes:
            return queryset.filter(pk__in=self.changed_keys(start, end))
        if self.modified_field is None:
            raise TypeError(f"{type(self).__name__} has no modified_field and tracks no changes")
        return self.filter_window(queryset, self.modified_field, start, end)

    def filter_created(
        self, queryset: QuerySet[Any], start: dt.datetime | None, end: dt.datetime | None
    ) -> QuerySet[Any]:
        """The ``date_created_min`` / ``date_created_max`` window."""
        return self.filter_window(queryset, self.created_field, start, end)

    def filter_store_names(self, queryset: QuerySet[Any], names: Sequence[str]) -> QuerySet[Any]:
        """Orders of any of the store ``names`` (case-insensitive)."""
        if self.store_field is None:
            # One store: every order is in it, or none is.
            wanted = self.store_name.casefold()
            return queryset if any(name.casefold() == wanted for name in names) else queryset.none()
        return queryset.filter(self._any_iexact(self.store_field, names))

    def filter_order_numbers(self, queryset: QuerySet[Any], numbers: Sequence[str]) -> QuerySet[Any]:
        """Orders whose number is one of ``numbers`` (exact match)."""
        return queryset.filter(**{f"{self.number_field}__in": list(numbers)})

    def status_q(self, statuses: Sequence[str]) -> Q:
        """A ``Q`` matching any of the status names ``statuses`` (case-insensitive)."""
        return self._any_iexact(self.status_field, statuses)

    def cancelled_q(self) -> Q:
        """A ``Q`` matching cancelled / refunded orders (``CANCELLED_STATUSES``)."""
        return self.status_q(app_settings.CANCELLED_STATUSES)

    def order_by(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        """A stable order, so the same window gives the same bytes: modified time, then id."""
        if self.tracks_changes:
            return queryset.annotate(**{CHANGED_AT_ANNOTATION: self.changed_at_expression()}).order_by(
                CHANGED_AT_ANNOTATION, "pk"
            )
        return queryset.order_by(self.modified_field or self.created_field, "pk")

    def prefetch(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        """Add ``select_related`` / ``prefetch_related`` so :meth:`to_record` runs no query."""
        return queryset

    # --- change tracking -------------------------------------------------------

    def changed_keys(self, start: dt.datetime | None, end: dt.datetime | None) -> QuerySet[Any]:
        """Primary keys (typed like the host's) of orders changed in ``[start, end]``."""
        from connex_bridge.models import OrderChange

        changes = self.filter_window(OrderChange.objects.filter(source=self.change_label), "changed_at", start, end)
        pk = self.require_model()._meta.pk
        key_type = _INTEGER_KEYS.get(type(pk), type(pk))
        return changes.annotate(key=Cast("order_key", output_field=key_type())).values("key")

    def changed_at_expression(self) -> Coalesce:
        """The last change time of each order; its creation time if it never changed."""
        from connex_bridge.models import OrderChange

        # Concat, not Cast: MySQL/MariaDB give a CAST the connection's collation and refuse to compare it
        # with a column of another; CONCAT_WS yields to the column's. The column stays bare, so its index works.
        key = Concat(models.OuterRef("pk"), models.Value(""), output_field=models.CharField())
        latest = OrderChange.objects.filter(source=self.change_label, order_key=key).values("changed_at")[:1]
        return Coalesce(models.Subquery(latest), self.created_field, output_field=models.DateTimeField())

    def store_name_of(self, order: Any) -> str:
        """The ``StoreName`` of one order row: :attr:`store_field` read on it, or :attr:`store_name`."""
        if self.store_field is None:
            return self.store_name
        return read_path(order, self.store_field) or ""

    def modified_at(self, order: models.Model) -> dt.datetime:
        """The ``ModifiedDate`` of one order row (as fetched by :meth:`iter_records`)."""
        if self.tracks_changes:
            return getattr(order, CHANGED_AT_ANNOTATION)
        return read_path(order, self.modified_field or self.created_field)

    # --- which list each row goes to ---------------------------------------

    def select_sales_and_refunds(self, queryset: QuerySet[Any], statuses: Sequence[str]) -> QuerySet[Any]:
        """One query for both lists: sales whose status is in ``statuses`` (all
        statuses when empty) and every cancelled order, whatever ``statuses`` says.
        Each row is annotated with ``connex_is_cancelled``.
        """
        cancelled = self.cancelled_q()
        if statuses:  # with none, every row is a sale or a refund: no filter to evaluate
            queryset = queryset.filter(cancelled | (~cancelled & self.status_q(statuses)))
        return queryset.annotate(**{CANCELLED_ANNOTATION: flag(cancelled)})

    def iter_records(self, queryset: QuerySet[Any], statuses: Sequence[str]) -> Iterator[OrderRecord]:
        """Every sale and refund of a filtered queryset as records, in a stable order.

        A record's ``is_cancelled`` says which list it belongs to.
        """
        rows = self.prefetch(self.order_by(self.select_sales_and_refunds(queryset, statuses)))
        for row in rows.iterator(chunk_size=self.chunk_size):
            record = self.to_record(row)
            record.is_cancelled = bool(getattr(row, CANCELLED_ANNOTATION))
            yield record

    def iter_payments(self, queryset: QuerySet[Any], statuses: Sequence[str]) -> Iterable[PaymentRecord] | None:
        """The ``Payments`` list read on its own, or ``None`` (the default).

        With ``None`` the payments are those each sale record of
        :meth:`iter_records` carries, held back until every order is written.
        A source may instead return a lazy iterable of the payments of every
        sale, in the order of the sales and then of each sale's payments
        (sales records then need carry none); it is iterated once every order
        has been written, in the same read transaction as :meth:`iter_records`.
        """
        return None

    # --- what each row says --------------------------------------------------

    def to_record(self, order: Any) -> OrderRecord:
        """The :class:`~connex_bridge.records.OrderRecord` of one host order. Required."""
        raise NotImplementedError(f"{type(self).__name__} must implement to_record()")

    # --- what QuickBooks writes back: changeorderstatus, createorders ------------

    #: The shop's status for an order QuickBooks completed (``changeorderstatus`` with an empty
    #: ``OrderStatus``), unless ``CONNEX_BRIDGE["COMPLETED_STATUS"]`` names one.
    completed_status: str = "completed"

    @property
    def takes_status_changes(self) -> bool:
        """Whether ``changeorderstatus`` is served: true when the class implements :meth:`apply_status`."""
        return type(self).apply_status is not OrderSource.apply_status

    @property
    def takes_orders(self) -> bool:
        """Whether ``createorders`` is served: true when the class implements :meth:`create_order`."""
        return type(self).create_order is not OrderSource.create_order

    def find_order(self, queryset: QuerySet[Any], other: str, number: str) -> Any | None:
        """The order ``changeorderstatus`` names, among ``queryset`` (the orders the credential may see).

        By ``other`` (what this source sent as ``Other``, see :meth:`filter_other`), else by the order
        ``number``; ``None`` when neither finds one. An order found by ``other`` whose number is not
        ``number`` (when one was sent) is not taken: the two must name the same order. At most two queries.
        """
        if other:
            found = self.filter_other(queryset, other).first()
            if found is not None and (not number or str(read_path(found, self.number_field)) == number):
                return found
        if number:
            return self.filter_order_numbers(queryset, [number]).first()
        return None

    def filter_other(self, queryset: QuerySet[Any], other: str) -> QuerySet[Any]:
        """Orders whose ``Other`` is ``other``: by primary key, which every source here sends as ``Other``.

        A value the key cannot hold (``"abc"`` for an integer key) matches nothing.
        """
        try:
            return queryset.filter(pk=other)
        except (ValueError, TypeError, ValidationError):
            return queryset.none()

    def apply_status(self, order: Any, change: OrderStatusUpdate) -> bool:
        """Record what QuickBooks says became of ``order`` (a row of :meth:`find_order`).

        ``change.status`` is already the shop's own status name (mapped through
        ``CONNEX_BRIDGE["ORDER_STATUS_MAP"]``; an empty ``OrderStatus`` is the completed status).
        ``change.tracking_number`` is ``""`` and the dates ``None`` when Connex sent none: leave
        what the shop has. The change must move the order's modified time (or be tracked), so
        that the next ``orders`` window carries it; nothing must change when it is already
        recorded (Connex may send the same change twice). Return whether anything changed.
        Raise :class:`WriteRefusedError` for a change the shop does not accept. Called inside a
        transaction. The default raises :class:`WriteNotSupportedError` (a 501).
        """
        raise WriteNotSupportedError(NO_STATUS_CHANGES)

    def existing_numbers(self, queryset: QuerySet[Any], numbers: Sequence[str]) -> set[str]:
        """Which of ``numbers`` the shop already has, among ``queryset`` (every order of the shop).

        ``createorders`` creates only the others. One query per 500 numbers.
        """
        found: set[str] = set()
        numbers = list(numbers)
        for start in range(0, len(numbers), 500):
            rows = self.filter_order_numbers(queryset, numbers[start : start + 500])
            found.update(str(number) for number in rows.values_list(self.number_field, flat=True))
        return found

    def unknown_skus(self, skus: set[str]) -> set[str]:
        """Which of ``skus`` the shop's catalogue does not sell; ``createorders`` refuses orders with one.

        The default knows every SKU (a shop without a catalogue of its own). Override it to ask the
        catalogue, in one query for the whole body.
        """
        return set()

    def create_order(self, record: OrderRecord, credential: ConnexCredential) -> None:
        """Create one order QuickBooks sent (``createorders``) from its record.

        Called inside a transaction of its own, after the flow checked that the number is new, the
        lines' SKUs are known (:meth:`unknown_skus`) and the totals balance. ``record.status`` is the
        shop's status (mapped like ``changeorderstatus``'s). ``credential`` is the credential that sent
        it (its merchant, for a source with :attr:`merchant_field`). Raise :class:`WriteRefusedError`
        for an order the shop cannot take; whatever was written is then rolled back. A bounded
        number of queries, whatever the number of lines. The default raises
        :class:`WriteNotSupportedError` (a 501).
        """
        raise WriteNotSupportedError(NO_ORDER_CREATION)

    # --- start-up validation ------------------------------------------------------

    def field_paths(self) -> dict[str, str]:
        """Every field path this source filters or reads on :attr:`model`, by attribute name."""
        paths = {
            "number_field": self.number_field,
            "status_field": self.status_field,
            "created_field": self.created_field,
        }
        if self.store_field is not None:
            paths["store_field"] = self.store_field
        if self.modified_field is not None and not self.tracks_changes:
            paths["modified_field"] = self.modified_field
        if self.merchant_field is not None:
            paths["merchant_field"] = self.merchant_field
        return paths

    def check(self) -> list[checks.CheckMessage]:
        """System-check messages for this source (docs/checks.md: E011, E012, E018, E022–E024)."""
        name = type(self).__name__
        errors: list[checks.CheckMessage] = []
        try:
            model = self.get_model()
        except (LookupError, ValueError) as exc:
            return [
                checks.Error(
                    f"{name}.model is {self.model!r}: {exc}",
                    hint="Name the host's order model as 'app_label.Model' or as the class.",
                    id="connex_bridge.E011",
                )
            ]
        if model is None:
            if self.tracks_changes:
                errors.append(no_model_error(name, "change tracking files its records under it"))
            return errors
        for attribute, path in self.field_paths().items():
            try:
                resolve_path(model, path)
            except FieldDoesNotExist as exc:
                errors.append(path_error(name, attribute, path, model, exc))
        if self.modified_field is None and not self.tracks_changes:
            errors.append(
                checks.Error(
                    f"{name} has neither a modified_field nor track_changes: the modified-date window "
                    f"would have nothing to read on {model._meta.label}.",
                    hint="Name the host's last-modified field, or, if it has none or it does not move when "
                    "a payment or line is added, list the models that change an order in track_changes.",
                    id="connex_bridge.E012",
                )
            )
        for label, path in self.track_changes.items():
            try:
                tracked = apps.get_model(label)
            except (LookupError, ValueError) as exc:
                errors.append(
                    checks.Error(
                        f"{name}.track_changes names {label!r}, which is not an installed model: {exc}",
                        hint="Key each entry by 'app_label.Model' of a model in INSTALLED_APPS.",
                        id="connex_bridge.E023",
                    )
                )
                continue
            try:
                resolve_path(tracked, path)
            except FieldDoesNotExist as exc:
                errors.append(
                    checks.Error(
                        f"{name}.track_changes[{label!r}] is {path!r}, which cannot be followed from "
                        f"{tracked._meta.label}: {exc}",
                        hint="Map 'app_label.Model' to the path from that model to the order's pk.",
                        id="connex_bridge.E024",
                    )
                )
        return errors

    # --- helpers -------------------------------------------------------------

    @staticmethod
    def _any_iexact(field: str, values: Sequence[str]) -> Q:
        if not values:
            return Q(pk__in=[])
        return reduce(or_, (Q(**{f"{field}__iexact": value}) for value in values))


def path_error(name: str, attribute: str, path: str, model: type[models.Model], exc: Exception) -> checks.CheckMessage:
    """connex_bridge.E018: the field path ``attribute`` of the source ``name`` does not exist on ``model``."""
    # Keys inside a JSONField cannot be checked, so a path into one was validated up to it.
    scope = " (a path into a JSONField is checked up to the JSON field)" if "__" in path else ""
    return checks.Error(
        f"{name}.{attribute} is {path!r}, which does not exist on {model._meta.label}{scope}: {exc}",
        hint=path_hint(attribute, path, model),
        id="connex_bridge.E018",
    )


#: The fix for a path that does not exist, where the attribute is one shops often cannot fill.
_SHAPE_HINTS = {
    "store_field": "A shop with one store (no store or channel field) sets `store_field = None`; every "
    "order's StoreName is then the source's `store_name` (default empty).",
    "modified_field": "A shop without a last-modified field, or whose one does not move when a payment or "
    "line is added, sets `modified_field = None` and lists the models that change an order in "
    "`track_changes`.",
}


def path_hint(attribute: str, path: str, model: type[models.Model]) -> str:
    """How to fix ``path``: a shop-shape fix, the closest field name, or why a step cannot be followed."""
    shape = _SHAPE_HINTS.get(attribute, "")
    on: Any = model
    for name in path.split("__"):
        if on is None:
            break
        try:
            field = on._meta.pk if name == "pk" else on._meta.get_field(name)
        except FieldDoesNotExist:
            names = sorted({f.name for f in on._meta.get_fields()})
            close = get_close_matches(name, names, n=1)
            guess = f"Did you mean {close[0]!r}? " if close else ""
            found = f"{guess}Fields of {on._meta.label}: {', '.join(names)}."
            return f"{shape} {found}" if shape else found
        if isinstance(field, models.JSONField):
            break
        if field.related_model is None and name != path.split("__")[-1]:
            text = ""
            if isinstance(field, (models.TextField, models.CharField)) and "address" in attribute:
                text = " A free-text address maps whole: `billing_address.text` / `shipping_address.text`."
            return (
                f"{on._meta.label}.{name} is a {type(field).__name__}: only relations and JSONFields can be "
                f"followed by '__'.{text}"
            )
        on = field.related_model
    return shape or "Fix the path; docs/connect-your-shop.md lists what each attribute takes."


def no_model_error(name: str, reason: str) -> checks.CheckMessage:
    """connex_bridge.E022: the source ``name`` declares no ``model`` but needs one."""
    return checks.Error(
        f"{name} declares no `model`, which it needs: {reason}.",
        hint="Set `model` to the host's order model ('app_label.Model' or the class).",
        id="connex_bridge.E022",
    )


def flag(q: Q) -> Case:
    """A boolean expression: whether a row matches ``q``."""
    return Case(When(q, then=Value(True)), default=Value(False), output_field=BooleanField())


#: What a JSONField's value may be, past which a path's steps are keys, not attributes.
_JSON_SCALARS = (str, int, float, bool)


def read_path(obj: Any, path: str) -> Any:
    """Follow a ``__`` path through attributes; ``None`` as soon as a step is ``None``.

    Into a JSON value (what a ``JSONField`` holds) each step is a key of a dict, or the
    index of a list when it is digits; a missing key or index, or a step past a JSON
    scalar, is ``None``, as ``product_data__code`` is in the database.
    """
    for name in path.split("__"):
        if obj is None:
            return None
        if isinstance(obj, dict):
            obj = obj.get(name)
        elif isinstance(obj, list):
            obj = obj[int(name)] if name.isdigit() and int(name) < len(obj) else None
        elif isinstance(obj, _JSON_SCALARS):
            return None
        else:
            obj = getattr(obj, name)
    return obj


def import_order_source(path: str) -> type[OrderSource]:
    """The :class:`OrderSource` subclass at the dotted ``path``; ImproperlyConfigured says why not."""
    try:
        cls = import_string(path)
    except ImportError as exc:
        raise ImproperlyConfigured(
            f"{SETTING_NAME}['ORDER_SOURCE'] is {path!r}, which cannot be imported: {exc}"
        ) from exc
    if not (isinstance(cls, type) and issubclass(cls, OrderSource)):
        raise ImproperlyConfigured(f"{SETTING_NAME}['ORDER_SOURCE'] is {path!r}, which is not an OrderSource subclass.")
    return cls


_sources: dict[str, OrderSource] = {}


def get_order_source() -> OrderSource:
    """The order source ``CONNEX_BRIDGE["ORDER_SOURCE"]`` names, instantiated once per dotted path."""
    path = app_settings.ORDER_SOURCE
    source = _sources.get(path)
    if source is None:
        source = _sources[path] = import_order_source(path)()
    return source


@receiver(setting_changed)
def _forget_sources(setting: str, **kwargs: Any) -> None:
    if setting == SETTING_NAME:
        _sources.clear()
