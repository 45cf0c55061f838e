"""Change tracking: record when a host order changes, for hosts with no modified time.

An order source lists the host models whose saves and deletes change an order
(``track_changes = {"order.Line": "order_id", …}``). :func:`connect` hooks
``post_save`` / ``post_delete`` of each, and every such signal upserts the
order's :class:`~connex_bridge.models.OrderChange` row in one statement.
Writes that send no signal (``queryset.update()``, ``bulk_create()``, raw
SQL, imports) need ``manage.py connex_mark_changed``.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.core.signals import setting_changed
from django.db import connection
from django.db.models import Model
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from connex_bridge.conf import SETTING_NAME
from connex_bridge.sources.base import get_order_source, read_path

if TYPE_CHECKING:
    from connex_bridge.sources.base import OrderSource

_connected: list[tuple[Any, type[Model], str]] = []


def mark_changed(source_label: str, order_keys: Iterable[Any], at: dt.datetime | None = None) -> int:
    """Record that the orders ``order_keys`` (host pks) of ``source_label`` changed at ``at`` (now)."""
    from connex_bridge.models import OrderChange

    when = at or timezone.now()
    rows = [
        OrderChange(source=source_label, order_key=str(key), changed_at=when)
        for key in dict.fromkeys(order_keys)
        if key is not None
    ]
    if rows:
        # MySQL / MariaDB upsert on any unique key and refuse to be told which.
        target = ["source", "order_key"] if connection.features.supports_update_conflicts_with_target else None
        OrderChange.objects.bulk_create(rows, update_conflicts=True, unique_fields=target, update_fields=["changed_at"])
    return len(rows)


def _receiver(source_label: str, path: str) -> Any:
    def record_change(sender: type[Model], instance: Model, **kwargs: Any) -> None:
        if kwargs.get("raw"):  # loaddata: fixtures are not changes to sync
            return
        mark_changed(source_label, [read_path(instance, path)])

    return record_change


def connect(source: OrderSource) -> None:
    """Hook the signals of ``source.track_changes``; undo any earlier hooks first."""
    disconnect()
    if not source.tracks_changes:
        return
    label = source.change_label
    for model_label, path in source.track_changes.items():
        model = apps.get_model(model_label)
        receiver = _receiver(label, path)
        for signal in (post_save, post_delete):
            signal.connect(receiver, sender=model, weak=False)
        _connected.append((receiver, model, path))


def disconnect() -> None:
    """Remove every hook :func:`connect` made."""
    while _connected:
        receiver, model, _path = _connected.pop()
        post_save.disconnect(receiver, sender=model)
        post_delete.disconnect(receiver, sender=model)


def connect_configured_source(**kwargs: Any) -> None:
    """Hook the configured source's tracked models (at start-up and when the setting changes)."""
    if kwargs.get("setting", SETTING_NAME) != SETTING_NAME:
        return
    try:
        source = get_order_source()
        connect(source)
    except (ImproperlyConfigured, LookupError, TypeError, ValueError):
        disconnect()  # the system checks report what is wrong


setting_changed.connect(connect_configured_source, dispatch_uid="connex_bridge.changes")
