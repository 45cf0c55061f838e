"""System check of the django-oscar integration (id documented in docs/checks.md)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Warning, register
from django.core.exceptions import ImproperlyConfigured

from connex_bridge.checks import TAG
from connex_bridge.conf import SETTING_NAME, app_settings
from connex_bridge.sources import import_order_source


@register(TAG)
def check_cancelled_statuses(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """connex_bridge_oscar.W001: no status of Oscar's pipeline counts as cancelled."""
    from connex_bridge.contrib.oscar.source import OscarOrderSource

    try:
        source_class = import_order_source(app_settings.ORDER_SOURCE)
        cancelled = {status.lower() for status in app_settings.CANCELLED_STATUSES}
    except ImproperlyConfigured:
        return []  # connex_bridge's own checks report it
    pipeline = getattr(settings, "OSCAR_ORDER_STATUS_PIPELINE", None) or {}
    if not issubclass(source_class, OscarOrderSource) or not pipeline:
        return []
    statuses = {str(status) for key, following in pipeline.items() for status in (key, *following)}
    if any(status.lower() in cancelled for status in statuses):
        return []
    return [
        Warning(
            f"No status of OSCAR_ORDER_STATUS_PIPELINE is in {SETTING_NAME}['CANCELLED_STATUSES'], so no "
            "cancelled or refunded Oscar order will ever reach Connex's CancelledOrders.",
            hint=f"Name its cancelled and refunded statuses there; it has {', '.join(sorted(statuses))}.",
            id="connex_bridge_oscar.W001",
        )
    ]
