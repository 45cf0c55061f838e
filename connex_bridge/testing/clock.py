"""Times as the test database stores them (a leaf: the harness and the factories both use it)."""

from __future__ import annotations

import datetime as dt


def db_time(value: dt.datetime) -> dt.datetime:
    """``value`` as the database stores it: aware with ``USE_TZ``, naive local time without."""
    from django.conf import settings
    from django.utils import timezone

    if settings.USE_TZ or timezone.is_naive(value):
        return value
    return timezone.make_naive(value, timezone.get_default_timezone())
