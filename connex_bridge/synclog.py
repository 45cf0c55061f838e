"""The sync log: what each request to the Connex URLs asked, and what it was answered.

One :class:`~connex_bridge.models.SyncLogEntry` per request, written once the answer has been sent
(for ``orders``, when the stream ends or the client drops it), with the order numbers served kept
as ranges (:class:`~connex_bridge.models.SyncLogRange`). It never holds a secret: the user name
tried, the query string, a summary of the body. Writing it never fails a request: a failure to
write is logged (``connex_bridge.synclog``) and the answer goes out all the same.

``CONNEX_BRIDGE["SYNC_LOG"]`` turns it off; ``manage.py connex_prune_log`` deletes what is older than
``CONNEX_BRIDGE["SYNC_LOG_DAYS"]``.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import logging
import operator
import re
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, cast

from django.core.cache import caches
from django.db import router, transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponseBase, StreamingHttpResponse
from django.template.response import SimpleTemplateResponse
from django.utils import timezone
from django.utils.crypto import salted_hmac

from connex_bridge.conf import app_settings
from connex_bridge.proxies import client_address

logger = logging.getLogger(__name__)

#: Request attribute: the user name an Authorization header named (set by the authentication class).
USERNAME_ATTR = "_connex_username"

#: WSGI environ key of an in-process request ``manage.py connex_check`` makes as a credential: its value
#: is the :class:`~connex_bridge.models.ConnexCredential` object itself. No client can set it: headers reach
#: the environ as ``HTTP_*`` strings, never under this name and never as an object. Such a request signs
#: in without a password (no lockout counted, no *last used* written) and is not written to the sync log.
SELF_CHECK_ENVIRON = "connex_bridge.self_check_credential"

_NUMBER = re.compile(r"(\D*)(\d{1,18})(.*)", re.DOTALL)
_QUERY_CHARS = 2000
_MESSAGE_CHARS = 2000


def split_number(number: str) -> tuple[str, int | None, str, int]:
    """An order number as (prefix, its first run of digits, the rest, the digits' zero-padded width or 0).

    ``"D1042"`` → ``("D", 1042, "", 0)``; ``"D1042-R1"`` → ``("D", 1042, "-R1", 0)``; ``"0042"`` →
    ``("", 42, "", 4)``; ``"ABC"`` → ``("ABC", None, "", 0)``.
    """
    match = _NUMBER.fullmatch(number)
    if match is None:
        return number, None, "", 0
    prefix, digits, suffix = match.groups()
    return prefix, int(digits), suffix, len(digits) if digits.startswith("0") and len(digits) > 1 else 0


#: (prefix, suffix, width, first, last, numbers, statuses) of one group of numbers.
Group = tuple[str, str, int, "int | None", "int | None", str, str]


def number_groups(numbers: Iterable[tuple[str, str]], names: dict[str, int] | None = None) -> list[Group]:
    """The ``(number, status)`` pairs of one list, one group per shape of number.

    Numbers that differ only in their first run of digits (``D1001``, ``D1002`` …; ``D1001-R1``,
    ``D1042-R1`` …) form one group: its ``first`` and ``last`` number, ``numbers`` — the steps from
    one to the next in ascending order, run-length encoded (``"0,1*4999"``: ``first``, then 4,999
    numbers each one more) — and ``statuses``, each number's status in the same order, as indexes
    into ``names`` (status → index, filled in as statuses are met; share one between lists), run-length
    encoded (``"0*12,1,0*3"``). A number without digits is a group of its own (``first`` is None).
    """
    names = {} if names is None else names
    grouped: dict[tuple[str, str, int], list[tuple[int, int]]] = {}
    alone: list[Group] = []
    match = _NUMBER.fullmatch  # split_number(), inlined: this runs once per order of a re-sync
    for number, status in numbers:
        index = names.get(status)
        if index is None:
            index = names[status] = len(names)
        found = match(number)
        if found is None:
            alone.append((number, "", 0, None, None, "", str(index)))
            continue
        prefix, digits, suffix = found.groups()
        key = (prefix, suffix, len(digits) if len(digits) > 1 and digits[0] == "0" else 0)
        members = grouped.get(key)
        if members is None:
            members = grouped[key] = []
        members.append((int(digits), index))
    groups: list[Group] = []
    for (prefix, suffix, width), members in sorted(grouped.items()):
        members.sort()
        ns = [n for n, _index in members]
        steps = [0, *map(operator.sub, ns[1:], ns)]
        groups.append((prefix, suffix, width, ns[0], ns[-1], _rle(steps), _rle([index for _n, index in members])))
    return groups + sorted(alone)


def _rle(values: list[int]) -> str:
    return ",".join(
        f"{value}*{count}" if (count := len(list(run))) > 1 else str(value) for value, run in itertools.groupby(values)
    )


def _decoded(encoded: str) -> Iterator[int]:
    for part in encoded.split(",") if encoded else ():
        value, _, count = part.partition("*")
        yield from itertools.repeat(int(value), int(count or 1))


def position_in(group: Any, n: int) -> int | None:
    """Where number ``n`` is in a group's ascending numbers (a SyncLogRange), or None when it is not one."""
    number = group.first
    for position, step in enumerate(_decoded(group.numbers)):
        number += step
        if number == n:
            return position
        if number > n:
            return None
    return None


def status_at(statuses: str, position: int) -> int | None:
    """The status index at ``position`` of a group's encoded ``statuses``; None past its end."""
    return next(itertools.islice(_decoded(statuses), position, None), None)


def _candidates(number: str) -> tuple[QuerySet[Any], int | None]:
    from connex_bridge.models import SyncLogRange

    prefix, n, suffix, width = split_number(number.strip())
    if n is None:
        return SyncLogRange.objects.filter(prefix=prefix, first=None), None
    return SyncLogRange.objects.filter(prefix=prefix, suffix=suffix, width=width, first__lte=n, last__gte=n), n


def sent_status(entry: Any, number: str) -> tuple[str, str] | None:
    """``(list, status)`` of order ``number`` in what ``entry`` served, or None when it held no such number."""
    candidates, n = _candidates(number)
    for group in candidates.filter(entry=entry):
        position = 0 if n is None else position_in(group, n)
        if position is None:
            continue
        index = status_at(group.statuses, position)
        names = entry.statuses or []
        return group.list, names[index] if index is not None and index < len(names) else ""
    return None


def entries_serving(number: str, entries: QuerySet[Any]) -> QuerySet[Any]:
    """The entries of ``entries`` whose answer held order ``number`` (exactly, in any list).

    The database finds the groups whose first and last numbers bound it; each is then read to see
    whether the number itself is one of them.
    """
    candidates, n = _candidates(number)
    found = {
        group.entry_id
        for group in candidates.only("entry_id", "first", "numbers")
        if n is None or position_in(group, n) is not None
    }
    return entries.filter(pk__in=found)


@dataclass
class Counts:
    """What an answer held, as a view reports it to the log."""

    orders: list[tuple[str, str]] = field(default_factory=list)  # (number, status)
    refunds: list[tuple[str, str]] = field(default_factory=list)
    purchases: list[tuple[str, str]] = field(default_factory=list)
    payments: int = 0
    products: int = 0
    complete: bool = True


class Recorder:
    """Times one request and writes its entry once the answer has gone out."""

    def __init__(self, request: HttpRequest, action: str) -> None:
        self.request = request
        self.action = action
        self.at = timezone.now()
        self.started = time.perf_counter()

    def finish(self, response: HttpResponseBase, credential: Any = None, counts: Any = None) -> HttpResponseBase:
        """``response``, which writes the entry when it has been sent; ``counts`` is read then (a
        :class:`Counts`, an ``orders`` flow's ``Served``, or a callable returning one)."""
        if not app_settings.SYNC_LOG or SELF_CHECK_ENVIRON in self.request.META:
            return response
        if isinstance(response, StreamingHttpResponse) and not response.is_async:
            content = cast(Iterable[bytes], response.streaming_content)
            response.streaming_content = self._streamed(content, response, credential, counts)
            return response
        if isinstance(response, SimpleTemplateResponse) and not response.is_rendered:
            # A DRF Response is rendered after the view returns: log the bytes it became.
            response.add_post_render_callback(
                lambda rendered: self.write(rendered, credential, counts, _size(rendered))
            )
            return response
        self.write(response, credential, counts, _size(response))
        return response

    def _streamed(
        self, content: Iterable[bytes], response: HttpResponseBase, credential: Any, counts: Any
    ) -> Iterator[bytes]:
        sent = 0
        try:
            for chunk in content:
                sent += len(chunk)
                yield chunk
        finally:
            self.write(response, credential, counts, sent)

    def write(self, response: HttpResponseBase, credential: Any, counts: Any, sent: int) -> None:
        try:
            self._write(response, credential, counts, sent)
        except Exception:
            logger.exception(
                "Could not write the sync log entry of %s %s (status %s); the answer was sent all the same.",
                self.request.method,
                self.action or "/",
                response.status_code,
            )

    def _write(self, response: HttpResponseBase, credential: Any, counts: Any, sent: int) -> None:
        from connex_bridge.models import ConnexCredential, SyncLogEntry

        while callable(counts):
            counts = counts()
        held = _counts(counts)
        request = self.request
        if not isinstance(credential, ConnexCredential):
            credential = None
        address = client_address(request)[:45]
        if credential is None and not _first_in_a_while(address, response.status_code):
            return
        username = credential.username if credential is not None else getattr(request, USERNAME_ATTR, "")
        with transaction.atomic(using=router.db_for_write(SyncLogEntry)):
            self._insert(credential, username, address, response, held, sent)

    def _insert(
        self, credential: Any, username: str, address: str, response: HttpResponseBase, held: Counts, sent: int
    ) -> None:
        from connex_bridge.models import SyncLogEntry, SyncLogRange

        request = self.request
        names: dict[str, int] = {}  # the statuses of every list, indexed once for the entry
        lists = (("Orders", held.orders), ("CancelledOrders", held.refunds), ("Purchases", held.purchases))
        groups = [(name, group) for name, numbers in lists for group in number_groups(numbers, names)]
        entry = SyncLogEntry.objects.create(
            at=self.at,
            credential=credential,
            username=username[:150],
            action=self.action[:100],
            method=(request.method or "")[:10],
            query=request.META.get("QUERY_STRING", "")[:_QUERY_CHARS],
            body=_body_summary(request),
            status=response.status_code,
            message=_message(response),
            orders=len(held.orders),
            refunds=len(held.refunds),
            purchases=len(held.purchases),
            payments=held.payments,
            products=held.products,
            complete=held.complete,
            bytes_sent=sent,
            duration_ms=round((time.perf_counter() - self.started) * 1000),
            client_address=address,
            statuses=list(names),
        )
        ranges = [
            SyncLogRange(
                entry=entry, list=name, prefix=prefix[:100], suffix=suffix[:100], width=width, first=first, last=last,
                numbers=numbers, statuses=statuses,
            )
            for name, (prefix, suffix, width, first, last, numbers, statuses) in groups
        ]  # fmt: skip
        if ranges:
            SyncLogRange.objects.bulk_create(ranges, batch_size=500)


#: A request without a valid credential is logged once per client address and status in this many seconds.
THIN_SECONDS = 60


def _first_in_a_while(address: str, status: int) -> bool:
    """True for the first refused request (401, 403, 404, 429 …) of ``address`` with ``status`` in
    :data:`THIN_SECONDS`: a flood of guesses neither fills the log nor loads the database with writes.
    Counted in the lockout's cache; when that cache fails, every such request is logged."""
    key = (
        "connex_bridge:log:"
        + salted_hmac("connex_bridge.synclog", f"{status}:{address}", algorithm="sha256").hexdigest()[:32]
    )
    try:
        return bool(caches[app_settings.LOCKOUT_CACHE].add(key, 1, THIN_SECONDS))
    except Exception:
        return True


def _size(response: HttpResponseBase) -> int:
    return len(getattr(response, "content", b""))


def _counts(value: Any) -> Counts:
    if value is None or isinstance(value, Counts):
        return value or Counts()
    # An orders answer's Served.
    return Counts(
        orders=list(zip(value.order_numbers, value.order_statuses, strict=True)),
        refunds=list(zip(value.refund_numbers, value.refund_statuses, strict=True)),
        payments=value.payment_count,
        complete=value.complete,
    )


def _body_summary(request: HttpRequest) -> str:
    """``application/json, 12,345 bytes``: what came, never what it said."""
    length = request.META.get("CONTENT_LENGTH") or ""
    if not length or length == "0":
        return ""
    kind = (request.META.get("CONTENT_TYPE") or "no content type").split(";")[0][:100]
    try:
        return f"{kind}, {int(length):,} bytes"
    except ValueError:
        return kind


def _message(response: HttpResponseBase) -> str:
    """The JSON string an error answer carried (what Connex shows the merchant)."""
    if response.status_code < 400 or isinstance(response, StreamingHttpResponse):
        return ""
    data = getattr(response, "data", None)
    if not isinstance(data, str):
        try:
            data = json.loads(getattr(response, "content", b"") or b'""')
        except ValueError:
            data = ""
    return str(data)[:_MESSAGE_CHARS]


def prune(days: int | None = None, now: dt.datetime | None = None) -> int:
    """Delete the entries older than ``days`` (default ``SYNC_LOG_DAYS``); the number deleted."""
    from connex_bridge.models import SyncLogEntry

    keep = app_settings.SYNC_LOG_DAYS if days is None else days
    cutoff = (now or timezone.now()) - dt.timedelta(days=keep)
    deleted = 0
    while batch := list(SyncLogEntry.objects.filter(at__lt=cutoff).values_list("pk", flat=True)[:1000]):
        # In batches, so that a first prune of a year's log neither loads it nor locks it at once.
        SyncLogEntry.objects.filter(pk__in=batch).delete()
        deleted += len(batch)
    return deleted
