"""System checks: configuration errors are reported at start-up, not at the first poll.

Ids are documented in docs/checks.md.
"""

from __future__ import annotations

import zoneinfo
from typing import Any

from django.conf import settings
from django.core.checks import CheckMessage, Error, register
from django.core.exceptions import ImproperlyConfigured

from connex_bridge.conf import DATE_FORMATS, DEFAULTS, SETTING_NAME, ConnexBridgeSettings


@register()
def check_settings(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """connex_bridge.E001–E008: the ``CONNEX_BRIDGE`` dict and the order source it names."""
    value = getattr(settings, SETTING_NAME, None) or {}
    if not isinstance(value, dict):
        return [Error(f"{SETTING_NAME} must be a dict.", id="connex_bridge.E001")]
    errors: list[CheckMessage] = []
    unknown = sorted(set(value) - set(DEFAULTS))
    if unknown:
        errors.append(
            Error(
                f"{SETTING_NAME} has unknown key(s): {', '.join(unknown)}.",
                hint=f"Known keys: {', '.join(sorted(DEFAULTS))}.",
                id="connex_bridge.E001",
            )
        )
    path = value.get("ORDER_SOURCE", DEFAULTS["ORDER_SOURCE"])
    try:
        source_class = ConnexBridgeSettings.import_order_source(str(path))
    except ImproperlyConfigured as exc:
        errors.append(
            Error(str(exc), hint="Name a subclass of connex_bridge.sources.OrderSource.", id="connex_bridge.E002")
        )
    else:
        errors.extend(source_class().check())
    date_format = value.get("DATE_FORMAT", DEFAULTS["DATE_FORMAT"])
    if date_format not in DATE_FORMATS:
        errors.append(
            Error(
                f"{SETTING_NAME}['DATE_FORMAT'] is {date_format!r}.",
                hint=f"Use one of: {', '.join(DATE_FORMATS)}.",
                id="connex_bridge.E003",
            )
        )
    zone = value.get("TIME_ZONE")
    if zone is not None:
        try:
            zoneinfo.ZoneInfo(str(zone))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            errors.append(
                Error(
                    f"{SETTING_NAME}['TIME_ZONE'] is {zone!r}, which is not a known time zone.",
                    hint="Use an IANA name such as 'America/New_York', or None for Django's TIME_ZONE.",
                    id="connex_bridge.E004",
                )
            )
    statuses = value.get("CANCELLED_STATUSES", DEFAULTS["CANCELLED_STATUSES"])
    if isinstance(statuses, str) or not all(isinstance(s, str) for s in statuses):
        errors.append(
            Error(
                f"{SETTING_NAME}['CANCELLED_STATUSES'] must be a list of status names, not {statuses!r}.",
                hint="For example ['cancelled', 'refunded'].",
                id="connex_bridge.E005",
            )
        )
    for key in ("MIN_SECRET_LENGTH", "LAST_USED_RESOLUTION", "MAX_ORDER_NUMBERS"):
        number = value.get(key, DEFAULTS[key])
        if (
            not isinstance(number, int)
            or isinstance(number, bool)
            or number < (0 if key == "LAST_USED_RESOLUTION" else 1)
        ):
            errors.append(
                Error(
                    f"{SETTING_NAME}['{key}'] must be a positive whole number, not {number!r}.",
                    id="connex_bridge.E006",
                )
            )
    return errors
