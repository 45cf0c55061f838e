from __future__ import annotations

from django.apps import AppConfig


class ConnexBridgeOscarConfig(AppConfig):
    """connex_bridge's django-oscar integration. Its label keeps clear of Oscar's own ``oscar``."""

    name = "connex_bridge.contrib.oscar"
    label = "connex_bridge_oscar"
    verbose_name = "Connex for QuickBooks: django-oscar"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from connex_bridge.contrib.oscar import (
            changes,
            checks,  # noqa: F401 - registers the system check
        )

        changes.connect_addresses()
