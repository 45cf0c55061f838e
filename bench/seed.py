"""Seeding the benchmark: the same generated orders in the built-in tables and in the source's own.

:func:`seed_orders` writes :func:`connex_bridge.testing.specs.generate_specs`'s ``count`` orders
(a month from :data:`~connex_bridge.testing.specs.START` that spans New York's switch to daylight
saving time: every sale status, refunds as their own orders, taxed and untaxed lines, coupons,
split payments, gifts, non-ASCII names and notes) with each harness's bulk writer
(:meth:`~connex_bridge.testing.harness.ShopHarness.bulk_create`): the built-in models always (the
floor and the naive contenders read them, and ``ours`` on them is the baseline), and a host
shop's models too when the benchmark measures its source. Both hold the same orders, so all the
contenders answer for the same month. 100,000 orders take well under a minute on SQLite.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Sequence
from dataclasses import dataclass

from connex_bridge.testing.harness import BuiltinHarness, OrderSpec, ShopHarness
from connex_bridge.testing.specs import START, generate_specs


@dataclass
class SeedReport:
    """What :func:`seed_orders` wrote, and how long it took."""

    orders: int = 0
    refunds: int = 0
    cancelled: int = 0
    lines: int = 0
    payments: int = 0
    discounts: int = 0
    seconds: float = 0.0
    first_modified: dt.datetime = START
    last_modified: dt.datetime = START
    #: Seconds of each harness's writer, by harness name.
    writers: dict[str, float] | None = None

    def summary(self) -> str:
        """One line for the console."""
        rate = self.orders / self.seconds if self.seconds else 0.0
        writers = ", ".join(f"{name} {seconds:.2f} s" for name, seconds in (self.writers or {}).items())
        return (
            f"{self.orders} orders ({self.refunds} refunds, {self.cancelled} cancelled), {self.lines} lines, "
            f"{self.payments} payments, {self.discounts} discounts in {self.seconds:.2f} s "
            f"({rate:,.0f} orders/s; {writers})"
        )


def seed_orders(count: int, seed: int = 1, harnesses: Sequence[ShopHarness] = ()) -> SeedReport:
    """Write ``count`` generated orders (refunds included) with each of ``harnesses`` (default: the built-in one)."""
    if count < 1:
        raise ValueError(f"count must be at least 1, not {count}")
    started = time.perf_counter()
    specs: list[OrderSpec] = generate_specs(count, seed=seed)
    writers = {}
    for harness in harnesses or [BuiltinHarness()]:
        began = time.perf_counter()
        harness.bulk_create(specs)
        writers[harness.name] = time.perf_counter() - began
    modified = [spec.modified_at or spec.created_at or START for spec in specs]
    return SeedReport(
        orders=len(specs),
        refunds=sum(1 for spec in specs if spec.parent_number),
        cancelled=sum(1 for spec in specs if spec.status == "cancelled"),
        lines=sum(len(spec.lines) for spec in specs),
        payments=sum(len(spec.payment_amounts) for spec in specs),
        discounts=sum(1 for spec in specs if spec.discount),
        seconds=time.perf_counter() - started,
        first_modified=min(modified),
        last_modified=max(modified),
        writers=writers,
    )
