"""The admin's preview: what Connex would receive for a credential and a window, with the warnings.

Reached from the sync log's changelist (*Preview what Connex receives*), at
``admin:connex_bridge_synclogentry_preview``; hooked in by ``SyncLogEntryAdmin.get_urls()``. It runs the
``orders`` flow the endpoint runs (:class:`~connex_bridge.flows.orders.OrdersAnswer`, with the
credential's stores) and writes its JSON with the same wire code, so what the page shows is what the
endpoint would send; each order's warnings come from :mod:`connex_bridge.quality`. Reading only:
nothing is written (no sync log entry, no *last used*). Staff with the view permission on credentials
or on the sync log may use it. Documented in docs/preview-and-self-test.md.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import json
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import django.contrib.admin
from django import forms
from django.contrib.admin import ModelAdmin
from django.core.exceptions import PermissionDenied
from django.db import connections, transaction
from django.http import HttpRequest, HttpResponse, QueryDict, StreamingHttpResponse
from django.template.response import TemplateResponse
from django.urls import URLPattern, path, reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from connex_bridge import quality, wire
from connex_bridge.filters import EXPECTED_DATE, parse_connex_datetime
from connex_bridge.flows import InvalidInputError
from connex_bridge.flows.orders import OrdersAnswer
from connex_bridge.models import ConnexCredential, SyncLogEntry
from connex_bridge.records import OrderRecord, PaymentRecord

TEMPLATE = "admin/connex_bridge/synclogentry/preview.html"

#: Most orders the page reads and shows: past it the page says so and offers the whole answer as a download.
PREVIEW_LIMIT = 500
#: Most characters of the raw JSON the page itself holds; the download link has all of it.
JSON_SHOWN_CHARS = 200_000
#: The window when the credential has no ``orders`` poll in the sync log.
DEFAULT_WINDOW = dt.timedelta(hours=24)

_CONNEX_FORM = "%Y-%m-%dT%H:%M:%SZ"
_PARAMETERS = {
    "date_from": "date_modified_min",
    "date_to": "date_modified_max",
    "order_status": "orderStatus",
    "store_name": "storeName",
}


def may_preview(request: HttpRequest) -> bool:
    """Staff who may view credentials or the sync log."""
    user = request.user
    return bool(
        user.is_active
        and user.is_staff
        and (user.has_perm("connex_bridge.view_connexcredential") or user.has_perm("connex_bridge.view_synclogentry"))
    )


def connex_time(value: dt.datetime) -> str:
    """A moment as Connex writes it in the query string (UTC, ``yyyy-MM-ddTHH:mm:ssZ``)."""
    return value.astimezone(dt.timezone.utc).strftime(_CONNEX_FORM)


@dataclass
class DefaultWindow:
    """The query the form starts from, and where it came from (for the page to say)."""

    values: dict[str, str]
    polled_at: dt.datetime | None = None


def default_window(credential: ConnexCredential, now: dt.datetime | None = None) -> DefaultWindow:
    """The window (and status / store lists) of ``credential``'s last ``orders`` poll in the sync log;
    the last 24 hours when it has none with a modified-time window."""
    entry = (
        SyncLogEntry.objects.filter(credential=credential, action__iexact="orders")
        .order_by("-at", "-pk")
        .only("at", "query")
        .first()
    )
    if entry is not None:
        sent = {str(name).lower(): str(value) for name, value in QueryDict(entry.query).items()}
        values = {
            field_name: sent.get(parameter.lower(), "")
            for field_name, parameter in _PARAMETERS.items()
            if sent.get(parameter.lower(), "")
        }
        if "date_from" in values or "date_to" in values:
            return DefaultWindow(values, entry.at)
    # Rounded up to the second: the query string's form has no fraction, and the last second counts.
    end = (now or dt.datetime.now(dt.timezone.utc)).replace(microsecond=0) + dt.timedelta(seconds=1)
    return DefaultWindow({"date_from": connex_time(end - DEFAULT_WINDOW), "date_to": connex_time(end)})


class ConnexTimeField(forms.CharField):
    """A moment in any form the ``orders`` query string takes; the error names the field, value and form."""

    def __init__(self, *, parameter: str, **kwargs: Any) -> None:
        self.parameter = parameter
        super().__init__(**kwargs)

    def clean(self, value: Any) -> str:
        text: str = super().clean(value)
        if not text:
            return ""
        try:
            parse_connex_datetime(text)
        except (ValueError, OverflowError):
            raise forms.ValidationError(
                gettext("%(label)s (%(parameter)s) %(value)r is not a date and time; expected %(expected)s.")
                % {"label": self.label, "parameter": self.parameter, "value": text, "expected": EXPECTED_DATE},
                code="invalid",
            ) from None
        return text


class PreviewForm(forms.Form):
    """Which credential, and the window Connex would ask for (empty: its last poll's, or 24 hours)."""

    credential = forms.ModelChoiceField(
        ConnexCredential.objects.order_by("username"), label=_("credential"), to_field_name="username"
    )
    date_from = ConnexTimeField(
        label=_("Modified from"), parameter="date_modified_min", required=False, help_text=EXPECTED_DATE
    )
    date_to = ConnexTimeField(label=_("Modified to"), parameter="date_modified_max", required=False)
    order_status = forms.CharField(
        label=_("Order statuses"), required=False, help_text=_("Comma list, as Connex's order status setting.")
    )
    store_name = forms.CharField(
        label=_("Stores"), required=False, help_text=_("Comma list, as Connex's order store setting.")
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and parse_connex_datetime(start) and parse_connex_datetime(end):
            first, last = parse_connex_datetime(start), parse_connex_datetime(end)
            if first is not None and last is not None and first > last:
                self.add_error(
                    "date_to",
                    gettext("%(label)s %(value)r is before %(start)r; expected a moment after the start.")
                    % {"label": self.fields["date_to"].label, "value": end, "start": start},
                )
        return data

    def parameters(self) -> dict[str, str]:
        """The query string Connex would send, as the ``orders`` flow reads it."""
        return {
            parameter: self.cleaned_data[field_name]
            for field_name, parameter in _PARAMETERS.items()
            if self.cleaned_data.get(field_name)
        }


@dataclass
class PreviewOrder:
    """One order of the preview with its warnings."""

    record: OrderRecord
    warnings: list[quality.SyncWarning] = field(default_factory=list)

    @property
    def customer(self) -> str:
        address = self.record.billing_address
        name = f"{address.first_name} {address.last_name}".strip() or address.company
        email = self.record.customer.email or address.email
        return " — ".join(part for part in (name, email) if part)

    @property
    def list_name(self) -> str:
        return "CancelledOrders" if self.record.is_cancelled else "Orders"

    @property
    def has_errors(self) -> bool:
        return any(warning.severity == quality.ERROR for warning in self.warnings)


@dataclass
class Preview:
    """What the ``orders`` flow gave for a credential and a query, read up to ``limit`` orders."""

    orders: list[PreviewOrder]
    #: More orders than ``limit``: the page shows the first ones, and the JSON only as a download.
    truncated: bool
    #: The answer's JSON, byte for byte what the endpoint sends; None when truncated.
    body: bytes | None
    payments: int
    #: The warnings of the whole answer that belong to no order shown (lists, payments of other orders).
    answer_warnings: list[quality.SyncWarning]

    @property
    def warnings(self) -> list[quality.SyncWarning]:
        return [w for order in self.orders for w in order.warnings] + self.answer_warnings

    @property
    def counts(self) -> dict[str, int]:
        return quality.count_by_severity(self.warnings)


def build_preview(credential: ConnexCredential, parameters: dict[str, str], limit: int | None = None) -> Preview:
    """Run the ``orders`` flow as the endpoint does, reading at most ``limit`` orders (default
    :data:`PREVIEW_LIMIT`); :class:`InvalidInputError` for a query it refuses."""
    limit = PREVIEW_LIMIT if limit is None else limit
    answer = OrdersAnswer(credential, parameters)
    orders: list[OrderRecord] = []
    payments: list[PaymentRecord] = []
    truncated = False
    # Stopping at the limit abandons the read, which rolls its snapshot transaction back. Inside a
    # transaction the caller opened (ATOMIC_REQUESTS), the read joins it: a savepoint of its own keeps
    # that rollback from spoiling the caller's transaction.
    nested = connections[answer.using].in_atomic_block
    with transaction.atomic(using=answer.using) if nested else contextlib.nullcontext():
        records = answer.records()
        try:
            for item in records:
                if isinstance(item, OrderRecord):
                    if len(orders) == limit:
                        truncated = True
                        break
                    orders.append(item)
                else:
                    payments.append(item)
        finally:
            close = getattr(records, "close", None)  # a generator: ends the read's transaction now
            if close is not None:
                close()
    shown = [PreviewOrder(record, quality.check_record(record)) for record in orders]
    body = None
    answer_warnings: list[quality.SyncWarning] = []
    if not truncated:
        # The writer the endpoint streams with, over the same records: the same bytes.
        body = b"".join(wire.stream_user(orders, payments=payments))
        by_number = {order.record.number: order for order in shown if not order.record.is_cancelled}
        parsed = json.loads(body, parse_float=Decimal)
        for warning in quality.check_answer(parsed, orders=False):
            target = by_number.get(warning.order_number)
            (target.warnings if target is not None else answer_warnings).append(warning)
    return Preview(shown, truncated, body, len(payments), answer_warnings)


@functools.cache
def list_breadcrumbs() -> bool:
    """Whether the installed admin writes breadcrumbs as ``<ol class="breadcrumbs">`` (Django 6) rather
    than a ``<div>`` with ``›`` (Django 5.2): the page mirrors the stock templates either way."""
    base = Path(django.contrib.admin.__file__).parent / "templates" / "admin" / "change_list.html"
    try:
        return '<ol class="breadcrumbs">' in base.read_text(encoding="utf-8")
    except OSError:
        return False


class PreviewViews:
    """The preview page and its download, served under the sync log's admin URLs."""

    def __init__(self, model_admin: ModelAdmin[Any]) -> None:
        self.model_admin = model_admin

    def urls(self) -> list[URLPattern]:
        site = self.model_admin.admin_site
        opts = self.model_admin.opts
        prefix = f"{opts.app_label}_{opts.model_name}"
        return [
            path("preview/", site.admin_view(self.preview), name=f"{prefix}_preview"),
            path("preview/download/", site.admin_view(self.download), name=f"{prefix}_preview_download"),
        ]

    def _form(self, request: HttpRequest) -> tuple[PreviewForm, DefaultWindow | None]:
        data = request.GET.copy()
        window = None
        if data.get("credential") and not (data.get("date_from") or data.get("date_to")):
            credential = ConnexCredential.objects.filter(username=data["credential"]).first()
            if credential is not None:
                window = default_window(credential)
                for name in _PARAMETERS:
                    data[name] = window.values.get(name, "")
        return PreviewForm(data if data.get("credential") else None), window

    def preview(self, request: HttpRequest) -> HttpResponse:
        if not may_preview(request):
            raise PermissionDenied
        form, window = self._form(request)
        preview = None
        if form.is_bound and form.is_valid():
            try:
                preview = build_preview(form.cleaned_data["credential"], form.parameters())
            except InvalidInputError as exc:
                form.add_error(None, str(exc))
        opts = self.model_admin.opts
        site = self.model_admin.admin_site
        json_text = preview.body.decode() if preview is not None and preview.body is not None else ""
        context = {
            **site.each_context(request),
            "opts": opts,
            "title": gettext("Preview what Connex receives"),
            "form": form,
            "window": window,
            "preview": preview,
            "limit": PREVIEW_LIMIT,
            "json_text": json_text[:JSON_SHOWN_CHARS],
            "json_cut": len(json_text) > JSON_SHOWN_CHARS,
            "download_query": form.data.urlencode() if form.is_bound and isinstance(form.data, QueryDict) else "",
            "download_url": reverse(f"{site.name}:{opts.app_label}_{opts.model_name}_preview_download"),
            "changelist_url": reverse(f"{site.name}:{opts.app_label}_{opts.model_name}_changelist"),
            "list_breadcrumbs": list_breadcrumbs(),
            "credential": form.cleaned_data.get("credential") if form.is_bound and form.is_valid() else None,
        }
        return TemplateResponse(request, TEMPLATE, context)

    def download(self, request: HttpRequest) -> HttpResponse | StreamingHttpResponse:
        """The whole answer as the endpoint streams it, as a file: no limit, since it is streamed."""
        if not may_preview(request):
            raise PermissionDenied
        form, _window = self._form(request)
        if not form.is_valid():
            errors = " ".join(str(e) for errors in form.errors.values() for e in errors)
            return HttpResponse(errors or gettext("Choose a credential."), status=400, content_type="text/plain")
        credential = form.cleaned_data["credential"]
        try:
            answer = OrdersAnswer(credential, form.parameters())
        except InvalidInputError as exc:
            return HttpResponse(str(exc), status=400, content_type="text/plain")
        response = StreamingHttpResponse(answer.stream(), content_type="application/json")
        response["Content-Disposition"] = f'attachment; filename="connex-orders-{credential.pk}.json"'
        return response
