"""The ``orders`` query string (docs/protocol.md §3) as a django-filter FilterSet.

The FilterSet has no model: every filter hands its work to the configured
:class:`~connex_bridge.sources.base.OrderSource` (for ``purchaseorders``, to the
configured :class:`~connex_bridge.purchases.PurchasesAdapter`), so the same
FilterSet filters connex_bridge's own models and a host shop's.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any, Protocol

import django_filters
from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import timezone

from connex_bridge.conf import app_settings
from connex_bridge.wire.inbound import parse_timestamp

EXPECTED_DATE = "yyyy-MM-ddTHH:mm:ssZ in UTC, e.g. 2024-05-01T13:30:00Z"

#: Most names one ``orderStatus`` or ``storeName`` list may hold. A merchant types a
#: handful; each name is one ``OR`` in the query, and SQLite refuses an expression
#: nested more than 1000 deep.
MAX_NAMES = 100


def parse_connex_datetime(text: str) -> dt.datetime | None:
    """Parse a timestamp of the query string as Connex sends it, in UTC; ``None`` for an open bound.

    Every form :func:`connex_bridge.wire.inbound.parse_timestamp` reads; one
    with no zone is UTC, as Connex's timers are. Raises ``ValueError`` for
    anything else.
    """
    parsed = parse_timestamp(text)
    if parsed is None:
        return None
    wall_clock, zone = parsed
    return wall_clock.replace(tzinfo=zone or dt.timezone.utc).astimezone(dt.timezone.utc)


def database_bound(value: dt.datetime, *, upper: bool) -> dt.datetime:
    """A window bound as the database compares it.

    With ``USE_TZ`` the aware value itself. Without it, the database holds
    naive wall-clock times in Django's ``TIME_ZONE``, and in the hour that
    repeats when clocks go back one naive time stands for two instants: the
    bound is widened by that hour where needed, so that no order in the window
    is lost (an extra order at the edge is harmless: answers are idempotent).
    """
    if settings.USE_TZ:
        return value
    zone = timezone.get_default_timezone()
    local = value.astimezone(zone)
    naive = local.replace(tzinfo=None)
    earlier = naive.replace(fold=0, tzinfo=zone).utcoffset()
    later = naive.replace(fold=1, tzinfo=zone).utcoffset()
    repeated = earlier - later if earlier is not None and later is not None else dt.timedelta(0)
    if repeated > dt.timedelta(0):
        if upper and local.fold == 1:
            naive += repeated
        elif not upper and local.fold == 0:
            naive -= repeated
    return naive.replace(fold=0)


class SingleValueWidget(forms.TextInput):
    """Reads one query parameter; a parameter repeated with different values is an error."""

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        values = data.getlist(name) if hasattr(data, "getlist") else [data.get(name)]
        distinct = list(dict.fromkeys(v for v in values if v is not None))
        if len(distinct) > 1:
            return distinct
        return distinct[0] if distinct else None


class CommaListWidget(forms.TextInput):
    """Reads a comma-separated list; repeated parameters are joined."""

    def value_from_datadict(self, data: Any, files: Any, name: str) -> Any:
        values = data.getlist(name) if hasattr(data, "getlist") else [data.get(name)]
        values = [v for v in values if v is not None]
        return ",".join(values) if values else None


class ConnexDateTimeField(forms.Field):
    """A Connex timestamp; an open bound cleans to ``None``."""

    widget = SingleValueWidget

    def to_python(self, value: Any) -> dt.datetime | None:
        if value in (None, ""):
            return None
        if isinstance(value, list):
            raise ValidationError(
                f"{self.label}= was sent more than once with different values ({', '.join(value)}); send it once.",
                code="repeated",
            )
        try:
            parsed = parse_connex_datetime(value)
        except (ValueError, OverflowError):
            raise ValidationError(
                f"{self.label}={value!r} is not a date and time; expected {EXPECTED_DATE}.", code="invalid"
            ) from None
        return parsed


class CommaListField(forms.Field):
    """A comma-separated list, trimmed, blanks dropped, duplicates removed (order kept)."""

    widget = CommaListWidget

    def __init__(self, *args: Any, max_items: int | None = None, **kwargs: Any) -> None:
        self.max_items = max_items
        super().__init__(*args, **kwargs)

    def to_python(self, value: Any) -> list[str]:
        if not value:
            return []
        if "\x00" in str(value):  # PostgreSQL cannot even compare a text with a NUL in it
            raise ValidationError(
                f"{self.label} contains a NUL character (%00); send plain comma-separated text.",
                code="null_character",
            )
        items = list(dict.fromkeys(item.strip() for item in str(value).split(",") if item.strip()))
        if self.max_items is not None and len(items) > self.max_items:
            raise ValidationError(
                f"{self.label} lists {len(items)} values; send at most {self.max_items} per request.",
                code="too_many",
            )
        return items


class ConnexDateTimeFilter(django_filters.Filter):
    field_class = ConnexDateTimeField


class CommaListFilter(django_filters.Filter):
    field_class = CommaListField


WINDOW_PARAMETERS = ("date_modified_min", "date_modified_max", "date_created_min", "date_created_max")


class OrderQueryForm(forms.Form):
    """Checks that hold across parameters: a window or an order number, min <= max."""

    data: QueryDict

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        if self.errors:
            return cleaned
        window_sent = any(self.data.get(name, "").strip() for name in WINDOW_PARAMETERS)
        if not window_sent and not cleaned.get("orderNumber"):
            raise ValidationError(
                "Send a window (date_modified_min and date_modified_max, or date_created_min and "
                f"date_created_max, as {EXPECTED_DATE}) or orderNumber=1001,1002; without one the "
                "answer would hold every order in the shop.",
                code="no_window",
            )
        for kind in ("modified", "created"):
            start, end = cleaned.get(f"date_{kind}_min"), cleaned.get(f"date_{kind}_max")
            if start is not None and end is not None and start > end:
                raise ValidationError(
                    f"date_{kind}_min ({self.data.get(f'date_{kind}_min')}) is after date_{kind}_max "
                    f"({self.data.get(f'date_{kind}_max')}); send a window whose start is not after its end.",
                    code="inverted_window",
                )
        return cleaned


class WindowFiltering(Protocol):
    """What the FilterSet hands its work to: an :class:`~connex_bridge.sources.OrderSource` for ``orders``,
    a :class:`~connex_bridge.purchases.PurchasesAdapter` for ``purchaseorders``."""

    def filter_modified(
        self, queryset: QuerySet[Any], start: dt.datetime | None, end: dt.datetime | None
    ) -> QuerySet[Any]: ...

    def filter_created(
        self, queryset: QuerySet[Any], start: dt.datetime | None, end: dt.datetime | None
    ) -> QuerySet[Any]: ...

    def filter_store_names(self, queryset: QuerySet[Any], names: Sequence[str]) -> QuerySet[Any]: ...

    def filter_order_numbers(self, queryset: QuerySet[Any], numbers: Sequence[str]) -> QuerySet[Any]: ...


class OrderFilterSet(django_filters.FilterSet):
    """Connex's ``orders`` / ``purchaseorders`` query string.

    ``orderStatus`` is parsed here but applied by
    :meth:`OrderSource.select_sales_and_refunds`, because it selects the ``Orders``
    list only: cancelled orders reach ``CancelledOrders`` whatever it says.
    ``orderNumber`` replaces the windows (a manual re-sync).
    """

    date_modified_min = ConnexDateTimeFilter(method="filter_window", label="date_modified_min")
    date_modified_max = ConnexDateTimeFilter(method="filter_window", label="date_modified_max")
    date_created_min = ConnexDateTimeFilter(method="filter_window", label="date_created_min")
    date_created_max = ConnexDateTimeFilter(method="filter_window", label="date_created_max")
    orderStatus = CommaListFilter(label="orderStatus", max_items=MAX_NAMES)  # noqa: N815 - Connex's parameter name
    storeName = CommaListFilter(method="filter_store_names", label="storeName", max_items=MAX_NAMES)  # noqa: N815
    orderNumber = CommaListFilter(method="filter_order_numbers", label="orderNumber")  # noqa: N815

    class Meta:
        form = OrderQueryForm

    def __init__(self, data: QueryDict | None, queryset: QuerySet[Any], *, source: WindowFiltering, **kwargs: Any):
        self.source = source
        super().__init__(_canonical_names(data), queryset, **kwargs)
        self.filters["orderNumber"].extra["max_items"] = app_settings.MAX_ORDER_NUMBERS

    @property
    def order_statuses(self) -> list[str]:
        """The cleaned ``orderStatus`` list (empty: every status)."""
        return list(self.form.cleaned_data.get("orderStatus") or [])

    def filter_queryset(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        cleaned = self.form.cleaned_data
        by_number = bool(cleaned.get("orderNumber"))
        for name, value in cleaned.items():
            if name == "orderStatus" or name in WINDOW_PARAMETERS:
                continue
            queryset = self.filters[name].filter(queryset, value)
        if not by_number:
            # Both ends of a window go to the source in one call: a source that tracks changes then
            # selects the window's orders with one subquery, not one per end.
            for kind in ("modified", "created"):
                start, end = cleaned.get(f"date_{kind}_min"), cleaned.get(f"date_{kind}_max")
                if start is not None or end is not None:
                    queryset = self._window(queryset, kind, start, end)
        return queryset

    def filter_window(self, queryset: QuerySet[Any], name: str, value: dt.datetime) -> QuerySet[Any]:
        """One end of a window, as django-filter applies a single filter."""
        upper = name.endswith("_max")
        return self._window(queryset, name.split("_")[1], *((None, value) if upper else (value, None)))

    def _window(
        self, queryset: QuerySet[Any], kind: str, start: dt.datetime | None, end: dt.datetime | None
    ) -> QuerySet[Any]:
        start = None if start is None else database_bound(start, upper=False)
        end = None if end is None else database_bound(end, upper=True)
        if kind == "modified":
            return self.source.filter_modified(queryset, start, end)
        return self.source.filter_created(queryset, start, end)

    def filter_store_names(self, queryset: QuerySet[Any], name: str, value: list[str]) -> QuerySet[Any]:
        return self.source.filter_store_names(queryset, value)

    def filter_order_numbers(self, queryset: QuerySet[Any], name: str, value: list[str]) -> QuerySet[Any]:
        return self.source.filter_order_numbers(queryset, value)

    def error_message(self) -> str:
        """All validation errors as one sentence for the 400 body."""
        return " ".join(str(message) for messages in self.errors.values() for message in messages)


_CANONICAL = {name.lower(): name for name in (*WINDOW_PARAMETERS, "orderStatus", "storeName", "orderNumber")}


def _canonical_names(data: QueryDict | None) -> QueryDict:
    """The query string with Connex's parameter names matched case-insensitively."""
    result = QueryDict(mutable=True)
    if data is not None:
        for key, values in data.lists():
            name = _CANONICAL.get(key.lower(), key)
            result.setlist(name, [*result.getlist(name), *values])
    return result
