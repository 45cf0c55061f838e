"""App config of the demo shop."""

from __future__ import annotations

from django.apps import AppConfig


class ShopConfig(AppConfig):
    """The demo shop's models; pins its auto field so a host's DEFAULT_AUTO_FIELD spawns no migration."""

    name = "shop"
    verbose_name = "Shop"
    default_auto_field = "django.db.models.BigAutoField"
