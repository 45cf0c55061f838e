"""Connex's wire format, outbound: the JMA shapes, date forms and money encoding of the answers.

It turns :mod:`connex_bridge.records` into plain dicts
whose money values stay :class:`~decimal.Decimal`; :func:`dumps` writes them
as exact JSON numbers (``106.25``, never ``106.25000000001``).
"""

from __future__ import annotations

import datetime as dt
import itertools
import tempfile
import zoneinfo
from collections.abc import Callable, Iterable, Iterator, Mapping
from decimal import Decimal
from typing import Any

import orjson
from django.conf import settings
from django.utils import timezone

from connex_bridge.conf import app_settings
from connex_bridge.records import (
    AddressRecord,
    CustomerRecord,
    InventoryResult,
    OrderRecord,
    PaymentRecord,
    PurchaseRecord,
    StockLevelRecord,
)
from connex_bridge.vocabulary import CANCELLED_STATUS, INVOICE_MODES, ZERO

DateWriter = Callable[[dt.datetime | None], str | None]

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)


def date_writer(form: str | None = None, zone: str | None = None) -> DateWriter:
    """A function writing datetimes in Connex's date form (docs/protocol.md §5).

    ``form`` is ``"local"`` (wall-clock time in ``zone`` without offset),
    ``"utc"`` (``…Z``) or ``"microsoft"`` (``/Date(ms)/``); both default to the
    ``CONNEX_BRIDGE`` settings. Naive datetimes (``USE_TZ = False``) are read
    as Django's ``TIME_ZONE``.
    """
    form = form or app_settings.DATE_FORMAT
    target = zoneinfo.ZoneInfo(zone or app_settings.TIME_ZONE)
    default_zone = timezone.get_default_timezone()

    def aware(value: dt.datetime) -> dt.datetime:
        if value.tzinfo is None:
            return value.replace(tzinfo=default_zone)
        return value

    if form == "utc":

        def write(value: dt.datetime | None) -> str | None:
            if value is None:
                return None
            # The first 19 characters of an aware isoformat() are the wall-clock time.
            return aware(value).astimezone(dt.timezone.utc).isoformat(timespec="seconds")[:19] + "Z"

    elif form == "microsoft":

        def write(value: dt.datetime | None) -> str | None:
            if value is None:
                return None
            delta = aware(value) - _EPOCH
            milliseconds = (delta.days * 86_400 + delta.seconds) * 1000 + delta.microseconds // 1000
            return f"/Date({milliseconds})/"

    else:
        same_zone = not settings.USE_TZ and str(target) == str(default_zone)

        def write(value: dt.datetime | None) -> str | None:
            if value is None:
                return None
            if same_zone and value.tzinfo is None:
                return value.isoformat(timespec="seconds")
            return aware(value).astimezone(target).isoformat(timespec="seconds")[:19]

    return write


def _native_date_writer() -> tuple[Callable[[dt.datetime | None], dt.datetime | None], int] | None:
    """For the configured ``"local"`` or ``"utc"`` form: a function giving each datetime as the
    ``datetime`` that orjson, with the option returned beside it, writes exactly as :func:`date_writer`
    does (``2024-05-01T21:30:05``, ``2024-05-02T01:30:05Z``), in C rather than by ``isoformat()``.
    ``None`` for the ``"microsoft"`` form."""
    form = app_settings.DATE_FORMAT
    default_zone = timezone.get_default_timezone()
    if form == "utc":
        utc = dt.timezone.utc

        def to_utc(value: dt.datetime | None) -> dt.datetime | None:
            if value is None:
                return None
            return (value if value.tzinfo is not None else value.replace(tzinfo=default_zone)).astimezone(utc)

        return to_utc, orjson.OPT_OMIT_MICROSECONDS | orjson.OPT_UTC_Z
    if form != "local":
        return None
    target = zoneinfo.ZoneInfo(app_settings.TIME_ZONE)
    same_zone = not settings.USE_TZ and str(target) == str(default_zone)

    def to_local(value: dt.datetime | None) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            if same_zone:
                return value
            value = value.replace(tzinfo=default_zone)
        return value.astimezone(target).replace(tzinfo=None)  # naive: orjson writes no offset

    return to_local, orjson.OPT_OMIT_MICROSECONDS


def address(record: AddressRecord) -> dict[str, str]:
    """JMAAddress."""
    full_name = f"{record.first_name} {record.last_name}".strip()
    return {
        "FirstName": record.first_name or "",
        "LastName": record.last_name or "",
        "FullName": full_name,
        "Company": record.company or "",
        "Address1": record.line1 or "",
        "Address2": record.line2 or "",
        "Address3": record.line3 or "",
        "City": record.city or "",
        "RegionName": record.region_code or "",
        "PostalCode": record.postal_code or "",
        "CountryName": record.country_name or "",
        "TwoLetterIsoCode": record.country_code or "",
        "PhoneNumber": record.phone or "",
        "Email": record.email or "",
    }


def customer(record: CustomerRecord) -> dict[str, Any]:
    """JMACustomer: Connex's class has no name; the customer's name reaches QuickBooks in the addresses."""
    return {
        "Id": record.id or 0,
        "Email": record.email or "",
        "CompanyName": record.company or "",
    }


def order(record: OrderRecord, write_date: DateWriter) -> dict[str, Any]:
    """JMAOrder for a sale, or for a refund when ``record.is_cancelled``."""
    billing = address(record.billing_address)
    shipping = address(record.shipping_address) if record.shipping_address is not None else billing
    data: dict[str, Any] = {
        "OrderNumber": record.number,
        "Id": record.id or 0,
        "Other": record.other or "",
        "CreationDate": write_date(record.created_at),
        "ModifiedDate": write_date(record.modified_at),
        "PaidDate": write_date(record.paid_at),
        "OrderStatus": CANCELLED_STATUS if record.is_cancelled else record.status,
        "StoreName": record.store_name or "",
        "Total": record.total,
        "TotalInclTax": record.total,
        "TotalExclTax": record.total - record.total_tax,
        "TotalTax": record.total_tax,
        "ShippingInclTax": record.shipping_incl_tax,
        "ShippingExclTax": record.shipping_excl_tax,
        "ShippingMethod": record.shipping_method or "",
        "DiscountInclTax": record.discount_incl_tax,
        "DiscountExclTax": record.discount_excl_tax,
        "Discounts": [
            {"Name": d.name or "", "Code": d.code or "", "Amount": d.amount, "NonTaxable": bool(d.non_taxable)}
            for d in record.discounts
        ],
        "OrderDetails": [
            {
                "Sku": line.sku,
                "Name": line.name or "",
                "Quantity": _plain(line.quantity),
                "PriceExclTax": line.unit_price_excl_tax,
                "PriceInclTax": line.unit_price_incl_tax,
                "DiscountExclTax": line.discount_excl_tax,
                "DiscountInclTax": line.discount_incl_tax,
                "HasTax": line.has_tax,
                "IsShipping": False,
                "TaxCode": line.tax_code or "",
                "Product": {"Sku": line.sku, "Name": line.name or "", "Amount": line.unit_price_excl_tax},
            }
            for line in record.lines
        ],
        "BillingAddress": billing,
        "ShippingAddress": shipping,
        "Customer": customer(record.customer),
        "CreditCardName": record.payment_method or "",
        "ReferenceNumber": record.payment_reference or "",
        "CurrencyCode": record.currency or "",
        "TrackingNumber": record.tracking_number or "",
        "ShippingDate": write_date(record.shipped_at),
        "Note": record.note or "",
        "PrivateNote": record.private_note or "",
        "ParentOrderNumber": record.parent_number or "",
    }
    if record.invoice_mode in INVOICE_MODES:
        data["InvoiceMode"] = record.invoice_mode
    return data


def payment(record: PaymentRecord, write_date: DateWriter) -> dict[str, Any]:
    """JMAPayment, with the nested ``Order`` object older Connex builds read."""
    return {
        "OrderNumber": record.order_number,
        "Order": {"OrderNumber": record.order_number},
        "PaymentAmount": record.amount,
        "PaymentDate": write_date(record.paid_at),
        "CreditCardName": record.method or "",
        "ReferenceNumber": record.reference or record.order_number,
        "DepositAccount": record.deposit_account or "",
        "Id": record.id or 0,
        "ModifiedDate": write_date(record.modified_at or record.paid_at),
    }


#: The lists of a JMAUser, in the order they are written. Every answer writes
#: every one of them (``[]`` when unused): a JSON null would override the
#: defaults of Connex's classes.
JMAUSER_LISTS = (
    "Orders",
    "CancelledOrders",
    "Payments",
    "Purchases",
    "ProductsToQB",
    "ProductsFromQBToUpdate",
    "InventoryAdjustments",
    "Customers",
)
_FLUSH_BYTES = 64 * 1024

#: How much JSON held back for a later list stays in memory; past it, the rest waits in a temporary file,
#: so that the Payments of a year's re-sync (some 300 bytes an order) do not grow the worker with the window.
HELD_IN_MEMORY_BYTES = 1024 * 1024


class Held:
    """Items of a later list, encoded and comma-joined as they come, read back once when that list is written.

    The first :data:`HELD_IN_MEMORY_BYTES` stay in memory; the rest goes to a temporary file (deleted when
    closed, which reading it to the end does).
    """

    def __init__(self) -> None:
        self._file: Any = tempfile.SpooledTemporaryFile(max_size=HELD_IN_MEMORY_BYTES)  # noqa: SIM115
        self._empty = True

    def __bool__(self) -> bool:
        return not self._empty

    def add(self, item: bytes) -> None:
        if not self._empty:
            self._file.write(b",")
        self._file.write(item)
        self._empty = False

    def pieces(self) -> Iterator[bytes]:
        """What was added, in pieces of :data:`_FLUSH_BYTES`; closes the buffer."""
        with self._file as file:
            file.seek(0)
            while piece := file.read(_FLUSH_BYTES):
                yield piece

    def close(self) -> None:
        self._file.close()


def stream_envelope(lists: Mapping[str, Iterable[bytes | bytearray | Held]]) -> Iterator[bytes]:
    """The JMAUser envelope, streamed: every list of :data:`JMAUSER_LISTS`, in order.

    ``lists`` maps a list's name to its items, each already encoded as JSON
    (one item may also be several items joined by commas, or a :class:`Held`
    buffer of them). A list not given is ``[]``. The lists are read one after the other, lazily, so a later list's
    iterable may depend on what reading an earlier one left behind. Output is
    yielded in chunks of about 64 KB.
    """
    unknown = set(lists) - set(JMAUSER_LISTS)
    if unknown:
        raise ValueError(f"JMAUser has no list {sorted(unknown)[0]!r}")
    out = bytearray(b"{")
    for index, name in enumerate(JMAUSER_LISTS):
        out += b',"' if index else b'"'
        out += name.encode()
        out += b'":['
        first = True
        for item in lists.get(name, ()):
            if not first:
                out += b","
            first = False
            if isinstance(item, Held):
                for piece in item.pieces():
                    out += piece
                    if len(out) >= _FLUSH_BYTES:
                        yield bytes(out)
                        out = bytearray()
                continue
            out += item
            if len(out) >= _FLUSH_BYTES:
                yield bytes(out)
                out = bytearray()
        out += b"]"
    out += b"}"
    yield bytes(out)


def stream_user(
    records: Iterable[OrderRecord],
    write_date: DateWriter | None = None,
    *,
    refunds_last: bool = False,
    payments: Iterable[PaymentRecord] | None = None,
) -> Iterator[bytes]:
    """The JMAUser of an ``orders`` answer as a stream of JSON chunks.

    ``records`` come in the answer's order (``is_cancelled`` says which list
    each belongs to). Sales are written as they arrive. Refunds mixed in
    among them are held back as encoded JSON until ``Orders`` is done, unless
    ``refunds_last`` says every sale comes before the first refund: then they
    are written as they arrive too, and a sale after a refund is an error
    rather than a misfiled order. ``payments``, when given, is read once every
    order has been written and is the whole ``Payments`` list; otherwise the
    payments each sale carries are held back. Whatever is held back is kept in
    a :class:`Held` buffer (one growing buffer, since every small bytes object
    orjson returns keeps a few kilobytes allocated; past a megabyte, a
    temporary file).

    Without ``write_date``, dates in the configured form are handed to orjson as ``datetime`` objects
    where it writes them the same (the ``"local"`` and ``"utc"`` forms), which is quicker than
    writing each as text first.
    """
    encode = dumps
    native = _native_date_writer() if write_date is None else None
    if native is not None:
        write: Any = native[0]
        option = native[1]

        def encode(data: Any) -> bytes:
            return orjson.dumps(data, default=_default, option=option)

    else:
        write = write_date or date_writer()
    rows = iter(records)
    held_refunds = Held()
    held_payments = Held()
    first_refund: list[OrderRecord] = []

    def sales() -> Iterator[bytes]:
        for record in rows:
            if record.is_cancelled:
                if refunds_last:
                    first_refund.append(record)
                    return
                held_refunds.add(encode(order(record, write)))
                continue
            if payments is None:
                for entry in record.payments:
                    held_payments.add(encode(payment(entry, write)))
            yield encode(order(record, write))

    def refunds() -> Iterator[bytes | Held]:
        if not refunds_last:
            if held_refunds:
                yield held_refunds
            return
        for record in itertools.chain(first_refund, rows):
            if not record.is_cancelled:
                raise ValueError(f"Sale {record.number!r} came after a refund from a source that sends refunds last.")
            yield encode(order(record, write))

    def payment_list() -> Iterator[bytes | Held]:
        if payments is None:
            if held_payments:
                yield held_payments
            return
        for entry in payments:
            yield encode(payment(entry, write))

    try:
        yield from stream_envelope({"Orders": sales(), "CancelledOrders": refunds(), "Payments": payment_list()})
    finally:  # a stream cut short leaves no temporary file behind
        held_refunds.close()
        held_payments.close()


# --- the catalogue side: inventory and purchaseorders ------------------------------------------


def stock_level(record: StockLevelRecord) -> dict[str, Any]:
    """JMAProduct of a product an ``inventory`` push applied, as the shop now holds it.

    ``Amount`` only when the push set prices (``record.amount`` is not ``None``).
    """
    data: dict[str, Any] = {
        "Sku": record.sku,
        "Name": record.name or "",
        "StockQuantity": _plain(record.stock_quantity),
    }
    if record.amount is not None:
        data["Amount"] = record.amount
    return data


def inventory_response(result: InventoryResult) -> dict[str, Any]:
    """JMAUpdateInventoryResponse: ``ProductSyncSuccess`` (JMAProduct list) and ``ProductSkusErrors`` (SKU → reason)."""
    return {
        "ProductSyncSuccess": [stock_level(record) for record in result.applied],
        "ProductSkusErrors": dict(result.refused),
    }


def purchase(record: PurchaseRecord, write_date: DateWriter) -> dict[str, Any]:
    """JMAOrder of a purchase order or bill: ``PurchaseType``, ``Vendor``, the vendor's address as billing,
    and per line ``QuantityReceived`` beside ``Quantity``; unit costs are the lines' prices."""
    vendor = address(record.vendor_address)
    ship_to = address(record.ship_to_address) if record.ship_to_address is not None else vendor
    return {
        "OrderNumber": record.number,
        "Id": record.id or 0,
        "Other": record.other or "",
        "CreationDate": write_date(record.created_at),
        "ModifiedDate": write_date(record.modified_at),
        "PaidDate": None,
        "OrderStatus": record.status or "",
        "StoreName": "",
        "Total": record.total,
        "TotalInclTax": record.total,
        "TotalExclTax": record.total - record.total_tax,
        "TotalTax": record.total_tax,
        "ShippingInclTax": record.shipping_incl_tax,
        "ShippingExclTax": record.shipping_excl_tax,
        "ShippingMethod": "",
        "DiscountInclTax": ZERO,
        "DiscountExclTax": ZERO,
        "Discounts": [],
        "OrderDetails": [
            {
                "Sku": line.sku,
                "Name": line.name or "",
                "Quantity": _plain(line.quantity),
                "QuantityReceived": _plain(line.quantity_received),
                "PriceExclTax": line.unit_cost,
                "PriceInclTax": line.unit_cost_incl_tax,
                "DiscountExclTax": ZERO,
                "DiscountInclTax": ZERO,
                "HasTax": line.unit_cost_incl_tax > line.unit_cost,
                "IsShipping": False,
                "TaxCode": "",
                "Product": {"Sku": line.sku, "Name": line.name or "", "Amount": line.unit_cost},
            }
            for line in record.lines
        ],
        "BillingAddress": vendor,
        "ShippingAddress": ship_to,
        "Customer": {"Id": 0, "Email": record.vendor_email or "", "CompanyName": record.vendor},
        "CreditCardName": "",
        "ReferenceNumber": "",
        "CurrencyCode": record.currency or "",
        "TrackingNumber": "",
        "ShippingDate": None,
        "Note": record.note or "",
        "PrivateNote": record.private_note or "",
        "ParentOrderNumber": "",
        "PurchaseType": record.purchase_type,
        "Vendor": record.vendor,
    }


def stream_purchases(records: Iterable[PurchaseRecord], write_date: DateWriter | None = None) -> Iterator[bytes]:
    """The JMAUser of a ``purchaseorders`` answer as a stream of JSON chunks: ``Purchases`` holds
    ``records``, written as they arrive; every other list is ``[]``."""
    write = write_date or date_writer()
    return stream_envelope({"Purchases": (dumps(purchase(record, write)) for record in records)})


def orders_created(
    created: Iterable[str], already_present: Iterable[str], refused: Mapping[str, str]
) -> dict[str, Any]:
    """The answer to ``createorders``, in the style of JMAUpdateInventoryResponse (docs/protocol.md §2).

    ``OrdersCreated`` and ``OrdersAlreadyPresent`` list order numbers; ``OrderNumbersErrors`` maps each
    refused order's number (``[index]`` for one sent without a number) to the reason. All three are
    always present.
    """
    return {
        "OrdersCreated": list(created),
        "OrdersAlreadyPresent": list(already_present),
        "OrderNumbersErrors": dict(refused),
    }


def _plain(quantity: Decimal) -> Decimal:
    """A quantity without trailing zeros: 4, not 4.0000 (never 1E+2)."""
    normal = quantity.normalize()
    return normal.quantize(Decimal(1)) if normal == normal.to_integral_value() else normal


def _default(value: Any) -> Any:
    if type(value) is Decimal:
        # str() is three times quicker than format(value, "f") and the same for the amounts a database
        # holds; an exponent (1E+2, 1E-7), NaN or Infinity takes the slow path.
        text = str(value)
        if "E" in text or not text[-1].isdigit():
            if not value.is_finite():
                raise TypeError(f"{value} is not a finite amount")
            text = format(value, "f")
        return orjson.Fragment(text)
    raise TypeError(f"Type is not JSON serializable: {type(value).__name__}")


def dumps(data: Any) -> bytes:
    """Serialize to UTF-8 JSON with Decimals as exact numbers."""
    return orjson.dumps(data, default=_default)
