from __future__ import annotations

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ConnexBridgeConfig(AppConfig):
    """connex_bridge's app config; pins its own auto field so hosts never get migrations."""

    name = "connex_bridge"
    verbose_name = _("Connex for QuickBooks")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self) -> None:
        from connex_bridge import (
            changes,
            checks,  # noqa: F401 - registers the system checks
            transport,
        )

        changes.connect_configured_source()
        transport.exempt_connex_paths()  # resolves no URL now: SecurityMiddleware does, when it loads
