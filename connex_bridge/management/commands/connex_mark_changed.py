"""``manage.py connex_mark_changed``: re-sync orders after writes that sent no signal."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from connex_bridge.changes import mark_changed
from connex_bridge.filters import EXPECTED_DATE, parse_connex_datetime
from connex_bridge.sources import get_order_source


def _moment(option: str, text: str | None) -> dt.datetime | None:
    if text is None:
        return None
    value = text.strip()
    if len(value) == 10:  # a plain date: its start, in the shop's time zone
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            raise CommandError(f"{option} {text!r} is not a date; expected YYYY-MM-DD or {EXPECTED_DATE}.") from None
        start = dt.datetime.combine(day, dt.time())
        return timezone.make_aware(start) if settings.USE_TZ else start
    try:
        moment = parse_connex_datetime(value)
    except (ValueError, OverflowError):
        raise CommandError(f"{option} {text!r} is not a date; expected YYYY-MM-DD or {EXPECTED_DATE}.") from None
    if moment is None:
        return None
    return moment if settings.USE_TZ else timezone.make_naive(moment)


class Command(BaseCommand):
    help = (
        "Mark orders as changed now, so Connex's next modified-date window sends them again. Use it after "
        "writes that bypass signals (queryset.update(), bulk_create(), raw SQL, imports). Select orders by "
        "number, or by creation time with --since / --until."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("numbers", nargs="*", metavar="ORDER_NUMBER", help="Order numbers to mark.")
        parser.add_argument("--since", help="Mark orders created at or after this date / time.")
        parser.add_argument("--until", help="Mark orders created at or before this date / time.")

    def handle(self, *args: Any, **options: Any) -> None:
        numbers: list[str] = options["numbers"]
        since = _moment("--since", options["since"])
        until = _moment("--until", options["until"])
        if not numbers and options["since"] is None and options["until"] is None:
            raise CommandError("Name order numbers, or a creation window with --since and/or --until.")
        if numbers and (options["since"] is not None or options["until"] is not None):
            raise CommandError("Give order numbers or --since/--until, not both.")
        if since is not None and until is not None and since > until:
            raise CommandError(f"--since {options['since']} is after --until {options['until']}.")
        source = get_order_source()
        if not source.tracks_changes:
            raise CommandError(
                f"{type(source).__name__} reads the shop's own modified time ({source.modified_field}); "
                "update that field instead. connex_mark_changed serves sources with track_changes."
            )
        orders = source.get_model()._default_manager.all()  # type: ignore[union-attr]
        if numbers:
            orders = source.filter_order_numbers(orders, numbers)
            found = set(orders.values_list(source.number_field, flat=True))
            missing = [n for n in numbers if n not in found]
            if missing:
                raise CommandError(f"No order numbered {', '.join(missing)}; nothing was marked.")
        else:
            orders = source.filter_created(orders, since, until)
        count = mark_changed(source.change_label, orders.values_list("pk", flat=True).iterator())
        self.stdout.write(f"Marked {count} order(s) as changed; Connex's next sync sends them again.")
