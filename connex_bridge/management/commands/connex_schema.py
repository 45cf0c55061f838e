"""``manage.py connex_schema``: print the OpenAPI 3 schema of the Connex endpoints."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser


class Command(BaseCommand):
    help = (
        "Print the OpenAPI 3 schema of the Connex endpoints (every action it serves). Needs "
        "drf-spectacular: pip install 'django-connex-bridge[schema]'."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--prefix",
            help="Path the Connex URLs are served under, e.g. /connex/ (default: found in the URLconf).",
        )
        parser.add_argument("--format", choices=["json", "yaml"], default="json", help="Output format (json).")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            from connex_bridge import schema
        except ImportError as exc:
            raise CommandError(str(exc)) from None
        self.stdout.write(schema.render(schema.openapi_schema(options["prefix"]), options["format"]), ending="")
