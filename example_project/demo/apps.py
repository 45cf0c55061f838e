"""App config of the demo shop."""

from __future__ import annotations

from django.apps import AppConfig


class DemoConfig(AppConfig):
    """The demo app; it has no models, only management commands."""

    name = "demo"
    verbose_name = "Demo shop"
    default_auto_field = "django.db.models.BigAutoField"
