"""``changeorderstatus``: QuickBooks says what became of one of the shop's orders (docs/protocol.md §2).

Connex posts one JMAOrder (read by :func:`connex_bridge.wire.read_order_status`): the shop's order id
in ``Other`` as the ``orders`` answer sent it, else the ``OrderNumber``; the new ``OrderStatus`` (empty:
completed); and the ``TrackingNumber``, ``ShippingDate`` and ``PaidDate`` QuickBooks knows.
:class:`StatusChange` finds the order among those the credential may see and has the order
source record the change (:meth:`~connex_bridge.sources.OrderSource.apply_status`), in one
transaction::

    result = StatusChange(credential).apply(wire.read_order_status(body))
    result.answer            # "OK", or "NOT FOUND"
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from django.db import transaction

from connex_bridge.conf import app_settings
from connex_bridge.flows import InvalidInputError
from connex_bridge.models import ConnexCredential
from connex_bridge.records import OrderStatusUpdate
from connex_bridge.sources import OrderSource, get_order_source
from connex_bridge.sources.base import NO_STATUS_CHANGES, WriteNotSupportedError, WriteRefusedError

#: The answer when the order was found (whether or not anything changed).
OK = "OK"
#: The answer (a 404) when the credential sees no such order.
NOT_FOUND = "NOT FOUND"


def shop_status(sent: str, source: OrderSource) -> str:
    """The shop's status for the ``OrderStatus`` Connex sent.

    Empty: ``CONNEX_BRIDGE["COMPLETED_STATUS"]``, else the source's ``completed_status``. Otherwise
    the name's entry in ``CONNEX_BRIDGE["ORDER_STATUS_MAP"]`` (matched in any letter case), or the
    name itself when the map has none.
    """
    name = sent.strip()
    if not name:
        return app_settings.COMPLETED_STATUS or source.completed_status
    return app_settings.ORDER_STATUS_MAP.get(name.casefold(), name)


@dataclass(frozen=True)
class StatusChanged:
    """What :func:`change_order_status` did."""

    #: Whether the credential sees the order.
    found: bool
    #: Whether anything of the order changed (false when the change was already recorded).
    changed: bool = False
    #: The change as the shop recorded it: its own status name.
    change: OrderStatusUpdate | None = None

    @property
    def answer(self) -> str:
        """What Connex is answered: ``"OK"`` or ``"NOT FOUND"``."""
        return OK if self.found else NOT_FOUND


class StatusChange:
    """The ``changeorderstatus`` flow of one credential: :meth:`apply` records a change.

    Prepared before the body is read, so that a source that takes no status changes is a
    :class:`~connex_bridge.sources.base.WriteNotSupportedError` (a 501) whatever the body holds.
    ``source`` defaults to the configured order source.
    """

    def __init__(self, credential: ConnexCredential, *, source: OrderSource | None = None) -> None:
        self.credential = credential
        self.source = source if source is not None else get_order_source()
        if not self.source.takes_status_changes:
            raise WriteNotSupportedError(NO_STATUS_CHANGES)

    def apply(self, update: OrderStatusUpdate) -> StatusChanged:
        """Record ``update`` on the order it names, if the credential may see it, in one transaction.

        :class:`~connex_bridge.flows.InvalidInputError` when the shop refuses the change (a status
        it does not have, say), with nothing of it kept.
        """
        source = self.source
        change = replace(
            update, number=update.number.strip(), other=update.other.strip(), status=shop_status(update.status, source)
        )
        queryset = source.scope(source.get_queryset(self.credential), self.credential)
        with transaction.atomic(using=queryset.db):
            order = source.find_order(queryset, change.other, change.number)
            if order is None:
                return StatusChanged(found=False)
            try:
                changed = source.apply_status(order, change)
            except WriteRefusedError as exc:
                raise InvalidInputError(str(exc)) from exc
        return StatusChanged(found=True, changed=bool(changed), change=change)
