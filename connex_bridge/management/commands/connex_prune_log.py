"""``manage.py connex_prune_log``: delete sync log entries older than ``SYNC_LOG_DAYS`` (for cron)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from connex_bridge.conf import app_settings
from connex_bridge.synclog import prune


class Command(BaseCommand):
    help = (
        "Delete the sync log's entries older than CONNEX_BRIDGE['SYNC_LOG_DAYS'] days (default 90), or --days. "
        "Run it daily, e.g. from cron."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--days", type=int, help="Keep this many days instead of SYNC_LOG_DAYS.")

    def handle(self, *args: Any, **options: Any) -> None:
        days = options["days"]
        if days is not None and days < 0:
            raise CommandError(f"--days {days} is negative; give the number of days to keep (0 deletes every entry).")
        keep = app_settings.SYNC_LOG_DAYS if days is None else days
        deleted = prune(keep)
        self.stdout.write(f"Deleted {deleted} sync log entr{'y' if deleted == 1 else 'ies'} older than {keep} days.")
