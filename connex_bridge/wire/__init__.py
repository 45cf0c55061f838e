"""Connex's wire format: every JMA shape, date form and money encoding, both ways.

The only package that knows Connex's PascalCase property names
(docs/protocol.md §4–§5). :mod:`~connex_bridge.wire.outbound` turns
:mod:`connex_bridge.records` into Connex's JSON, money as exact numbers;
:mod:`~connex_bridge.wire.inbound` reads the JSON Connex sends into the same
records, money as exact decimals.
"""

from __future__ import annotations

from connex_bridge.wire.inbound import BadBodyError, loads, read_order_status, read_orders, read_products
from connex_bridge.wire.outbound import (
    JMAUSER_LISTS,
    DateWriter,
    address,
    customer,
    date_writer,
    dumps,
    inventory_response,
    order,
    orders_created,
    payment,
    purchase,
    stock_level,
    stream_envelope,
    stream_purchases,
    stream_user,
)

__all__ = [
    "JMAUSER_LISTS",
    "BadBodyError",
    "DateWriter",
    "address",
    "customer",
    "date_writer",
    "dumps",
    "inventory_response",
    "loads",
    "order",
    "orders_created",
    "payment",
    "purchase",
    "read_order_status",
    "read_orders",
    "read_products",
    "stock_level",
    "stream_envelope",
    "stream_purchases",
    "stream_user",
]
