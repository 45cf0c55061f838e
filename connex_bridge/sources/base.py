"""The adapter seam between connex_bridge and a shop's own order models.

Modelled on django-allauth's adapters: :class:`OrderSource` is a class of
small documented methods; a shop subclasses it, overrides what differs from
the defaults and names its subclass in ``CONNEX_BRIDGE["ORDER_SOURCE"]``.
Views and the FilterSet talk only to the source, never to a model.

The default filtering methods work on field paths named by class attributes
(``number_field``, ``status_field`` …), so the database does the filtering.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from functools import reduce
from operator import or_
from typing import TYPE_CHECKING, Any

from django.db.models import BooleanField, Case, Model, Q, QuerySet, Value, When

from connex_bridge.conf import app_settings
from connex_bridge.records import OrderRecord

if TYPE_CHECKING:
    from connex_bridge.models import ConnexCredential

#: Name of the annotation that marks a row as a cancelled/refunded order.
CANCELLED_ANNOTATION = "connex_is_cancelled"


class OrderSource:
    """Base class of every order source. Subclass it; override what differs.

    Required: :meth:`get_queryset` and :meth:`to_record`. Everything else has
    a default that works on the field paths below.
    """

    #: Field path of the order number (unique, stable forever).
    number_field: str = "number"
    #: Field path of the shop's status name.
    status_field: str = "status"
    #: Field path of the store / sales-channel name.
    store_field: str = "store_name"
    #: Field path of the creation time.
    created_field: str = "created_at"
    #: Field path of the last-modified time (must move on every change).
    modified_field: str = "modified_at"

    # --- which rows ---------------------------------------------------------

    def get_queryset(self, credential: ConnexCredential) -> QuerySet[Any]:
        """Every order ``credential`` may see, before Connex's filters. Required."""
        raise NotImplementedError(f"{type(self).__name__} must implement get_queryset()")

    def scope(self, queryset: QuerySet[Any], credential: ConnexCredential) -> QuerySet[Any]:
        """Restrict ``queryset`` to what ``credential`` may see.

        Default: a credential with a list of stores sees only those stores.
        """
        if credential.stores:
            return self.filter_store_names(queryset, credential.stores)
        return queryset

    def filter_window(
        self, queryset: QuerySet[Any], field: str, start: dt.datetime | None, end: dt.datetime | None
    ) -> QuerySet[Any]:
        """Rows whose ``field`` lies in ``[start, end]``, both ends inclusive; ``None`` is open."""
        if start is not None:
            queryset = queryset.filter(**{f"{field}__gte": start})
        if end is not None:
            queryset = queryset.filter(**{f"{field}__lte": end})
        return queryset

    def filter_modified(
        self, queryset: QuerySet[Any], start: dt.datetime | None, end: dt.datetime | None
    ) -> QuerySet[Any]:
        """The ``date_modified_min`` / ``date_modified_max`` window."""
        return self.filter_window(queryset, self.modified_field, start, end)

    def filter_created(
        self, queryset: QuerySet[Any], start: dt.datetime | None, end: dt.datetime | None
    ) -> QuerySet[Any]:
        """The ``date_created_min`` / ``date_created_max`` window."""
        return self.filter_window(queryset, self.created_field, start, end)

    def filter_store_names(self, queryset: QuerySet[Any], names: Sequence[str]) -> QuerySet[Any]:
        """Orders of any of the store ``names`` (case-insensitive)."""
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
        return queryset.order_by(self.modified_field, "pk")

    def prefetch(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        """Add ``select_related`` / ``prefetch_related`` so :meth:`to_record` runs no query."""
        return queryset

    # --- which list each row goes to ---------------------------------------

    def select_sales_and_refunds(self, queryset: QuerySet[Any], statuses: Sequence[str]) -> QuerySet[Any]:
        """One query for both lists: sales whose status is in ``statuses`` (all
        statuses when empty) and every cancelled order, whatever ``statuses`` says.
        Each row is annotated with ``connex_is_cancelled``.
        """
        cancelled = self.cancelled_q()
        sales = ~cancelled & self.status_q(statuses) if statuses else ~cancelled
        return queryset.filter(cancelled | sales).annotate(
            **{
                CANCELLED_ANNOTATION: Case(
                    When(cancelled, then=Value(True)), default=Value(False), output_field=BooleanField()
                )
            }
        )

    def sales_and_refunds(
        self, queryset: QuerySet[Any], statuses: Sequence[str]
    ) -> tuple[list[OrderRecord], list[OrderRecord]]:
        """The ``Orders`` and ``CancelledOrders`` lists for a filtered queryset."""
        rows = self.prefetch(self.order_by(self.select_sales_and_refunds(queryset, statuses)))
        sales: list[OrderRecord] = []
        refunds: list[OrderRecord] = []
        for row in rows:
            cancelled = bool(getattr(row, CANCELLED_ANNOTATION))
            record = self.to_record(row)
            record.is_cancelled = cancelled
            (refunds if cancelled else sales).append(record)
        return sales, refunds

    # --- what each row says --------------------------------------------------

    def to_record(self, order: Model) -> OrderRecord:
        """The :class:`~connex_bridge.records.OrderRecord` of one host order. Required."""
        raise NotImplementedError(f"{type(self).__name__} must implement to_record()")

    # --- helpers -------------------------------------------------------------

    @staticmethod
    def _any_iexact(field: str, values: Sequence[str]) -> Q:
        if not values:
            return Q(pk__in=[])
        return reduce(or_, (Q(**{f"{field}__iexact": value}) for value in values))
