"""``seed_demo_shop``: fill the demo shop with deterministic orders (see :mod:`demo.seeding`)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from shop.models import Order

from demo.seeding import seed_demo_shop


class Command(BaseCommand):
    """Replace the demo orders with ``--orders`` deterministic orders (sales and refunds)."""

    help = (
        "Replace the demo orders (references D10001…) with N deterministic orders over the last 30 days: "
        "sales and, among them, refunds of earlier sales. --if-empty does nothing when the shop already has orders."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--orders", type=int, default=200, help="How many orders to create, refunds included (default 200)."
        )
        parser.add_argument("--seed", type=int, default=1, help="Random seed; the same seed gives the same orders.")
        parser.add_argument(
            "--if-empty", action="store_true", help="Skip seeding when any order exists (a quick second start)."
        )

    def handle(self, *args: Any, orders: int, seed: int, if_empty: bool, **options: Any) -> None:
        if orders < 1:
            raise CommandError(f"--orders must be at least 1, not {orders}.")
        if if_empty and Order.objects.exists():
            self.stdout.write(
                f"The shop already has {Order.objects.count()} orders; not seeding (run without --if-empty to reseed)."
            )
            return
        report = seed_demo_shop(orders, seed)
        self.stdout.write(self.style.SUCCESS(report.summary()))
