"""``createorders``: orders entered in QuickBooks (or another channel Connex syncs) created in the shop.

Connex sends a JMAUser whose ``Orders`` list holds them, or a bare JSON array of JMAOrder (both read by
:func:`connex_bridge.wire.read_orders`). :meth:`OrdersCreation.create` takes each order on its own: one that is
refused never blocks the others, and each is created in a transaction of its own, so a refused order
leaves nothing behind. The order number is the key: an order the shop already has is not created again
(sending the same body twice creates nothing the second time, and says so)::

    created = OrdersCreation(credential).create(wire.read_orders(body))
    created.created, created.already_present, created.refused   # what Connex is answered

An order is refused, with a reason the merchant can act on, when it has no ``OrderNumber``, its number
is sent twice in one body, it has no lines or a line without a SKU, a SKU the catalogue does not sell
(:meth:`~connex_bridge.sources.OrderSource.unknown_skus`), a store the credential may not see, or totals
that do not balance (docs/protocol.md §4), or when the order source refuses it.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Any

from django.db import DatabaseError, IntegrityError, transaction

from connex_bridge.flows.changeorderstatus import shop_status
from connex_bridge.models import ConnexCredential
from connex_bridge.quality import balance  # the invariant of docs/protocol.md §4, shared with the warning rules
from connex_bridge.records import OrderRecord
from connex_bridge.sources import OrderSource, get_order_source
from connex_bridge.sources.base import NO_ORDER_CREATION, WriteNotSupportedError, WriteRefusedError


@dataclass
class OrdersCreated:
    """What :meth:`OrdersCreation.create` did with each order of the body, in the body's order."""

    #: The numbers of the orders created.
    created: list[str] = field(default_factory=list)
    #: The numbers of the orders the shop already had, which were left as they are.
    already_present: list[str] = field(default_factory=list)
    #: Each refused order's number (``[index]`` in the body for an order without one) → why.
    refused: dict[str, str] = field(default_factory=dict)


class OrdersCreation:
    """The ``createorders`` flow of one credential: :meth:`create` creates what a body holds.

    Prepared before the body is read, so that a source that creates no orders is a
    :class:`~connex_bridge.sources.base.WriteNotSupportedError` (a 501) whatever the body holds.
    ``source`` defaults to the configured order source.
    """

    def __init__(self, credential: ConnexCredential, *, source: OrderSource | None = None) -> None:
        self.credential = credential
        self.source = source if source is not None else get_order_source()
        if not self.source.takes_orders:
            raise WriteNotSupportedError(NO_ORDER_CREATION)

    def create(self, records: list[OrderRecord]) -> OrdersCreated:
        """Create each of ``records`` the shop does not have yet, through the order source.

        Queries: one per 500 numbers to find the orders the shop has, one for the SKUs of the whole
        body, then, per order to create, those of :meth:`~connex_bridge.sources.OrderSource.create_order`.
        """
        source, credential = self.source, self.credential
        result = OrdersCreated()
        counts = Counter(record.number for record in records)
        wanted: list[OrderRecord] = []
        for index, record in enumerate(records):
            if not record.number:
                result.refused[f"[{index}]"] = (
                    "The order has no OrderNumber; the shop keys every order by its number, so it was not created."
                )
            elif counts[record.number] > 1:
                result.refused[record.number] = (
                    f"The body holds {counts[record.number]} orders numbered {record.number!r}; none of them "
                    "was created. Send each order once."
                )
            else:
                wanted.append(record)
        every_order = source.get_queryset(credential)  # numbers are the shop's, whatever the credential sees
        present = source.existing_numbers(every_order, [record.number for record in wanted])
        new = [record for record in wanted if record.number not in present]
        unknown = source.unknown_skus({line.sku for record in new for line in record.lines if line.sku.strip()})
        for record in wanted:
            if record.number in present:
                result.already_present.append(record.number)
                continue
            reason = _refusal(record, unknown, credential, source)
            if reason:
                result.refused[record.number] = reason
                continue
            mapped = replace(record, status=shop_status(record.status, source))
            outcome = _create(source, mapped, credential, every_order)
            if outcome == "created":
                result.created.append(record.number)
            elif outcome == "present":
                result.already_present.append(record.number)
            else:
                result.refused[record.number] = outcome
        return result


def _create(source: OrderSource, record: OrderRecord, credential: ConnexCredential, every_order: Any) -> str:
    """``"created"``, ``"present"`` (a concurrent push created it first), or the reason it was refused."""
    try:
        with transaction.atomic(using=every_order.db):
            source.create_order(record, credential)
    except WriteRefusedError as exc:
        return str(exc)
    except IntegrityError:
        if source.existing_numbers(every_order, [record.number]):
            return "present"
        return (
            "The shop's database refused the order (a value that must be unique, or one it cannot hold); "
            "nothing of it was kept."
        )
    except DatabaseError:
        return "The shop's database refused the order (a value too long or too large for it); nothing of it was kept."
    return "created"


def _refusal(record: OrderRecord, unknown: set[str], credential: ConnexCredential, source: OrderSource) -> str:
    """Why ``record`` cannot be created, or ``""``."""
    if not record.lines:
        return "The order has no lines (OrderDetails); the shop creates no empty order."
    blank = [index for index, line in enumerate(record.lines) if not line.sku.strip()]
    if blank:
        where = ", ".join(f"OrderDetails[{index}]" for index in blank)
        return f"{where} has no Sku; every line needs the QuickBooks item name the shop sells it under."
    missing = sorted({line.sku for line in record.lines if line.sku in unknown})
    if missing:
        skus = ", ".join(map(repr, missing))
        return (
            f"The shop's catalogue has no product with the SKU {skus}; add it to the catalogue (or fix the "
            "item name in QuickBooks) and send the order again."
        )
    if credential.stores and source.store_field is not None:
        allowed = {store.casefold() for store in credential.stores}
        if record.store_name.casefold() not in allowed:
            return (
                f"StoreName {record.store_name!r} is not one of the stores this credential may see "
                f"({', '.join(credential.stores)})."
            )
    expected = balance(record)
    if expected != record.total:
        return (
            f"The totals do not balance: the lines less discounts, plus shipping {record.shipping_excl_tax} and "
            f"tax {record.total_tax}, come to {expected}, but Total is {record.total} (docs/protocol.md §4)."
        )
    return ""
