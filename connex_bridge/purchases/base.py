"""The adapter seam between ``purchaseorders`` and the shop's purchasing: :class:`PurchasesAdapter`.

A class of small documented methods, like
:class:`~connex_bridge.sources.OrderSource` but for what the shop buys: a shop
subclasses it, sets :attr:`~PurchasesAdapter.model` and writes
:meth:`~PurchasesAdapter.to_record`, and names the subclass in
``CONNEX_BRIDGE["PURCHASES_ADAPTER"]`` (``None``: the shop has no purchase
orders, and ``purchaseorders`` answers 501). :func:`get_purchases_adapter` sits
beside it.

The query string is the one of ``orders``, read by the same
:class:`~connex_bridge.filters.OrderFilterSet`, which calls the filtering
methods below. ``orderStatus`` names the shop's *sales* statuses, so it is
validated and then ignored; ``storeName`` applies only when the adapter has a
:attr:`~PurchasesAdapter.store_field`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

from django.db.models import QuerySet

from connex_bridge.adapters import ModelAdapter, get_adapter
from connex_bridge.records import PurchaseRecord
from connex_bridge.sources.base import OrderSource, in_window

if TYPE_CHECKING:
    from connex_bridge.models import ConnexCredential

#: The 501 of a shop whose ``PURCHASES_ADAPTER`` is ``None`` (or a :class:`PurchasesAdapter` without a model).
NOT_SUPPORTED = (
    "This shop does not send purchase orders or bills to QuickBooks: turn off the purchase order sync in "
    "Connex, or ask the shop's developer to set CONNEX_BRIDGE['PURCHASES_ADAPTER']."
)


class PurchasesAdapter(ModelAdapter):
    """Base class of every purchases adapter. Subclass it; override what differs.

    Required: :attr:`model` (or :meth:`get_queryset`) and :meth:`to_record`. The
    filtering defaults work on the field paths below. The base class itself has no
    model: a shop that keeps it answers ``purchaseorders`` with :data:`NOT_SUPPORTED`.
    """

    #: (:attr:`model`: the model of one purchase order or bill, a class or ``"app_label.Model"``.)
    #: Field path of its number (unique, stable): ``OrderNumber``, and what ``orderNumber=`` matches.
    number_field: str = "number"
    #: Field path of its creation time (``date_created_min`` / ``_max``).
    created_field: str = "created_at"
    #: Field path of its last-modified time (``date_modified_min`` / ``_max``); it must move on every change.
    modified_field: str = "modified_at"
    #: Field path of a store name, or ``None`` (the default: purchases belong to no store, so
    #: ``storeName`` and a credential's stores do not restrict them).
    store_field: str | None = None
    #: Field path of the host's merchant / tenant; when set, a credential sees only its own merchant's.
    merchant_field: str | None = None
    #: Purchases fetched (with their prefetched lines) per round trip while the answer streams.
    chunk_size: int = 2000
    #: The 501 message when this adapter has no purchases to serve.
    not_supported: str = NOT_SUPPORTED

    # --- which rows ---------------------------------------------------------

    def scope(self, queryset: QuerySet[Any], credential: ConnexCredential) -> QuerySet[Any]:
        """Restrict ``queryset`` to what ``credential`` may see: its merchant's (with
        :attr:`merchant_field`), its stores' (with :attr:`store_field` and a store list)."""
        if self.merchant_field:
            if not credential.merchant:
                return queryset.none()
            queryset = queryset.filter(**{self.merchant_field: credential.merchant})
        if credential.stores and self.store_field:
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
        return self.filter_window(queryset, self.modified_field, start, end)

    def filter_created(
        self, queryset: QuerySet[Any], start: dt.datetime | None, end: dt.datetime | None
    ) -> QuerySet[Any]:
        """The ``date_created_min`` / ``date_created_max`` window."""
        return self.filter_window(queryset, self.created_field, start, end)

    def filter_store_names(self, queryset: QuerySet[Any], names: Sequence[str]) -> QuerySet[Any]:
        """Purchases of any of the store ``names`` (case-insensitive); all of them without :attr:`store_field`."""
        if self.store_field is None:
            return queryset
        return queryset.filter(OrderSource._any_iexact(self.store_field, names))

    def filter_order_numbers(self, queryset: QuerySet[Any], numbers: Sequence[str]) -> QuerySet[Any]:
        """Purchases whose number is one of ``numbers`` (exact match)."""
        return queryset.filter(**{f"{self.number_field}__in": list(numbers)})

    def order_by(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        """A stable order, so the same window gives the same bytes: modified time, then id."""
        return queryset.order_by(self.modified_field, "pk")

    def prefetch(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        """Add ``select_related`` / ``prefetch_related`` so :meth:`to_record` runs no query of its own."""
        return queryset

    # --- what each row says ----------------------------------------------------

    def iter_records(self, queryset: QuerySet[Any]) -> Iterator[PurchaseRecord]:
        """Every purchase of a filtered queryset as records, in :meth:`order_by`'s order,
        :attr:`chunk_size` rows (and their prefetched relations) per round trip."""
        for row in self.prefetch(self.order_by(queryset)).iterator(chunk_size=self.chunk_size):
            yield self.to_record(row)

    def to_record(self, purchase: Any) -> PurchaseRecord:
        """The :class:`~connex_bridge.records.PurchaseRecord` of one purchase row. Required."""
        raise NotImplementedError(f"{type(self).__name__} must implement to_record()")


def get_purchases_adapter() -> PurchasesAdapter:
    """The purchases adapter ``CONNEX_BRIDGE["PURCHASES_ADAPTER"]`` names, instantiated once per dotted path.

    :class:`~connex_bridge.adapters.NotSupportedError` (:data:`NOT_SUPPORTED`) when the setting is ``None``.
    """
    return get_adapter("PURCHASES_ADAPTER", PurchasesAdapter, NOT_SUPPORTED)
