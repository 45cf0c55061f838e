"""Connex's wire format, inbound: the JSON Connex sends, read into :mod:`connex_bridge.records`.

The bodies of ``inventory``, ``changeorderstatus`` and ``createorders``
(docs/protocol.md §2, §4, §5), as Json.NET writes them: PascalCase names,
every property of Connex's classes (nulls and zeros for the unused ones),
numbers for money, dates in whichever form its settings say. So they are read
the way Json.NET reads them: names case-insensitively (of two that differ only
in case, the later wins), unknown properties ignored, JSON null as the
default. Every number becomes an exact :class:`~decimal.Decimal`, never a float.

Each JMA shape is one table, property name → (record field, reader). A value
no reader accepts raises :class:`BadBodyError`, whose message names the JSON path,
the value (as JSON, cut short) and the form expected::

    [3].StockQuantity: "abc" is not a number
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import decimal
import json
import math
import re
import zoneinfo
from collections.abc import Callable, Iterator, Mapping
from decimal import Decimal
from typing import Any, TypeVar, cast

from django.conf import settings
from django.utils import timezone

from connex_bridge.conf import app_settings
from connex_bridge.records import (
    AddressRecord,
    CustomerRecord,
    DiscountRecord,
    LineRecord,
    OrderRecord,
    OrderStatusUpdate,
    ProductRecord,
)
from connex_bridge.vocabulary import INVOICE_MODES, ZERO

T = TypeVar("T")
#: Reads one property's value; the second argument is its JSON path, for messages.
Reader = Callable[[Any, str], Any]

#: The form a date must take, as the error messages say it.
EXPECTED_DATE = "ISO 8601 such as 2024-05-01T13:30:00Z, or /Date(ms)/"

_SHOWN = 60  # a value in a message is cut to this many characters
_DECIMAL_PLACES = 28  # what a .NET decimal holds
_DOTNET_DECIMAL_MAX = Decimal(2**96 - 1)  # 79228162514264337593543950335
_INT_MIN, _INT_MAX = -(2**31), 2**31 - 1  # a .NET int
_ROUND = decimal.Context(prec=_DECIMAL_PLACES, traps=[])
_INTEGRAL = decimal.Context(prec=_DECIMAL_PLACES + 1)
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
_SURROGATE = re.compile("[\ud800-\udfff]")
_TIMESTAMP = re.compile(
    r"""
    (?P<year>\d{4})-(?P<month>\d{2})-(?P<day>\d{2})
    [Tt\x20]
    (?P<hour>\d{2}):(?P<minute>\d{2})
    (?::(?P<second>\d{2})(?:[.,](?P<fraction>\d{1,9}))?)?
    \x20*
    (?P<zone>[Zz]|(?P<sign>[+\-\x20])(?P<zh>\d{2})(?::?(?P<zm>\d{2}))?)?
    """,
    re.VERBOSE | re.ASCII,
)
_MICROSOFT_DATE = re.compile(r"/Date\((?P<ms>-?\d{1,18})(?:[+-]\d{4})?\)/", re.ASCII)


class BadBodyError(ValueError):
    """A body Connex sent that cannot be read into records.

    ``path`` is the JSON path of the value at fault (``[3].StockQuantity``,
    ``Orders[0].ShippingDate``; ``body`` for the body as a whole) and
    ``problem`` what is wrong with it; the message is ``"{path}: {problem}"``.
    """

    def __init__(self, path: str, problem: str) -> None:
        self.path = path or "body"
        self.problem = problem
        super().__init__(f"{self.path}: {problem}")


# --- JSON text -----------------------------------------------------------------------------------


def loads(body: bytes | bytearray | str) -> Any:
    """Parse a JSON body as Json.NET wrote it, every number a :class:`~decimal.Decimal`.

    UTF-8, with or without the byte-order mark Json.NET may write. Of two
    equal keys in one object the later wins, as in Json.NET. ``NaN`` and
    ``Infinity`` (which Json.NET never sends) parse to Decimal NaN and
    Infinity, so that a property read as a number refuses them with its path.
    Raises :class:`BadBodyError` (path ``body``) for a body that is not UTF-8, is
    empty or is not JSON.
    """
    if isinstance(body, (bytes, bytearray)):
        try:
            text = body.decode("utf-8")
        except UnicodeDecodeError as exc:
            raise BadBodyError("body", f"not valid UTF-8 ({exc.reason} at byte {exc.start})") from None
    else:
        text = body
    text = text.removeprefix("\ufeff")
    if not text.strip(" \t\r\n"):
        raise BadBodyError("body", "empty; expected JSON")
    try:
        return json.loads(
            text, parse_float=Decimal, parse_int=Decimal, parse_constant=Decimal, object_pairs_hook=_last_wins
        )
    except json.JSONDecodeError as exc:
        raise BadBodyError("body", f"not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}") from None
    except RecursionError:
        raise BadBodyError("body", "nested too deeply to read") from None


def _last_wins(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    # A repeated key keeps its last value *in the last one's place*, so that
    # among keys differing only in case the last written still comes last.
    obj: dict[str, Any] = {}
    for key, value in pairs:
        obj.pop(key, None)
        obj[key] = value
    return obj


def _parsed(body: Any) -> Any:
    return loads(body) if isinstance(body, (bytes, bytearray, str)) else body


# --- messages ------------------------------------------------------------------------------------


def _show(value: Any) -> str:
    """``value`` as JSON (strings quoted), cut to 60 characters; a huge value is not copied whole."""
    out: list[str] = []
    size = 0
    for token in _tokens(value):
        out.append(token)
        size += len(token)
        if size > _SHOWN:
            break
    text = "".join(out)
    return text if len(text) <= _SHOWN else text[: _SHOWN - 1] + "…"


def _tokens(value: Any) -> Iterator[str]:
    if isinstance(value, str):
        cut = value[: _SHOWN + 1]
        text = json.dumps(cut, ensure_ascii=False)
        yield json.dumps(cut) if _SURROGATE.search(text) else text  # the message must stay encodable
    elif value is None:
        yield "null"
    elif isinstance(value, bool):
        yield "true" if value else "false"
    elif isinstance(value, Decimal):
        yield str(value)
    elif isinstance(value, float):
        yield repr(value) if math.isfinite(value) else str(Decimal(repr(value)))
    elif isinstance(value, int):
        try:
            yield str(value)
        except ValueError:  # more digits than Python converts to text
            yield "(a number too long to show)"
    elif isinstance(value, Mapping):
        yield "{"
        for index, (key, item) in enumerate(value.items()):
            yield "," if index else ""
            yield from _tokens(str(key))
            yield ":"
            yield from _tokens(item)
        yield "}"
    elif isinstance(value, (list, tuple)):
        yield "["
        for index, item in enumerate(value):
            yield "," if index else ""
            yield from _tokens(item)
        yield "]"
    else:
        yield repr(value)[: _SHOWN + 1]


def _kind(value: Any) -> str:
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, (list, tuple)):
        return "an array"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if value is None:
        return "null"
    return "a number"


def _join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


# --- readers of one value ------------------------------------------------------------------------


def _text(value: Any, path: str) -> str:
    if not isinstance(value, str):
        raise BadBodyError(path, f"{_show(value)} is not a string")
    if _SURROGATE.search(value):
        raise BadBodyError(path, f"{_show(value)} is not text (it holds a lone UTF-16 surrogate)")
    if "\x00" in value:  # no database keeps it (PostgreSQL refuses it outright)
        raise BadBodyError(path, f"{_show(value)} holds a NUL character")
    return value


def _as_decimal(value: Any) -> Decimal | None:
    if isinstance(value, Decimal):
        return value
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return Decimal(value)
    if isinstance(value, float):  # parsed by someone else: its shortest repr is the JSON it came from
        return Decimal(repr(value))
    return None


def _number(value: Any, path: str) -> Decimal:
    """An amount or a quantity, exactly; what a .NET decimal cannot hold is refused."""
    number = _as_decimal(value)
    if number is None or not number.is_finite():
        raise BadBodyError(path, f"{_show(value)} is not a number")
    if number.copy_abs() > _DOTNET_DECIMAL_MAX:
        raise BadBodyError(path, f"{_show(value)} is too large (at most {_DOTNET_DECIMAL_MAX})")
    if number.is_zero():
        return number if -_DECIMAL_PLACES <= cast(int, number.as_tuple().exponent) <= 0 else Decimal(0)
    if number.adjusted() < -_DECIMAL_PLACES:
        raise BadBodyError(path, f"{_show(value)} has more than {_DECIMAL_PLACES} decimal places")
    # Rounding to 28 digits works on the packed number: no digit-by-digit copy of a huge one.
    reduced = _ROUND.normalize(number)
    if reduced != number:
        raise BadBodyError(path, f"{_show(value)} has more than {_DECIMAL_PLACES} significant digits")
    exponent = cast(int, reduced.as_tuple().exponent)  # finite: an int
    if exponent < -_DECIMAL_PLACES:
        raise BadBodyError(path, f"{_show(value)} has more than {_DECIMAL_PLACES} decimal places")
    if exponent > 0:  # 1E+2 is 100
        return reduced.quantize(Decimal(1), context=_INTEGRAL)
    return number


def _whole(value: Any, path: str) -> int:
    number = _as_decimal(value)
    if (
        number is None
        or not number.is_finite()
        or not _INT_MIN <= number <= _INT_MAX
        or number != number.to_integral_value()
    ):
        raise BadBodyError(path, f"{_show(value)} is not a whole number from {_INT_MIN} to {_INT_MAX}")
    return int(number)


def _customer_id(value: Any, path: str) -> int:
    """JMACustomer's ``Id`` is a string in Connex's class; :class:`CustomerRecord` keeps whole numbers only."""
    if isinstance(value, str):
        text = _text(value, path).strip()
        if re.fullmatch(r"-?\d{1,10}", text, re.ASCII) and _INT_MIN <= int(text) <= _INT_MAX:
            return int(text)
        return 0  # a non-numeric id (a QuickBooks ListID, say) has no place in the record
    return _whole(value, path)


def _boolean(value: Any, path: str) -> bool:
    if not isinstance(value, bool):
        raise BadBodyError(path, f"{_show(value)} is not a boolean (expected true or false)")
    return value


def _invoice_mode(value: Any, path: str) -> str:
    """An InvoiceMode name, in Connex's spelling.

    Json.NET writes an enum as its number unless told to write names, and the
    numbers are not part of the protocol: a number reads as "no override".
    """
    if _as_decimal(value) is not None:
        return ""
    text = _text(value, path)
    for name in INVOICE_MODES:
        if name.lower() == text.lower():
            return name
    raise BadBodyError(path, f"{_show(value)} is not an InvoiceMode name (see docs/protocol.md §4)")


def _date(value: Any, path: str) -> dt.datetime | None:
    if isinstance(value, str):
        try:
            return _parse_date(value)
        except (ValueError, OverflowError):
            pass
    raise BadBodyError(path, f"{_show(value)} is not a date (expected {EXPECTED_DATE})")


def parse_timestamp(text: str) -> tuple[dt.datetime, dt.tzinfo | None] | None:
    """An ISO 8601 timestamp as Connex writes it, in the query string or in a body.

    Returns the wall-clock time it names (naive) and its zone: UTC for ``Z``,
    the fixed offset for ``+02:00`` / ``-0500`` / ``+02`` (at most 14 hours; a
    ``+`` that a query string turned into a blank is read as ``+``), ``None``
    when it has no zone, for the caller to decide whose clock that is.
    Fractional seconds of up to 9 digits (.NET writes 7; past microseconds they
    are cut), a ``T``, ``t`` or blank before the time, no seconds, and a leap
    second (read as the last microsecond of that minute) are accepted. .NET's
    "no value" dates (year 1, year 9999) are ``None``. ``ValueError`` otherwise.
    """
    match = _TIMESTAMP.fullmatch(text.strip())
    if match is None:
        raise ValueError(text)
    part = match.groupdict()
    year = int(part["year"])
    if year <= 1 or year >= 9999:
        return None
    second = int(part["second"] or 0)
    microsecond = int((part["fraction"] or "").ljust(6, "0")[:6])
    if second == 60:
        second, microsecond = 59, 999_999
    zone: dt.tzinfo | None = None
    if part["sign"]:
        minutes = int(part["zm"] or 0)
        offset = dt.timedelta(hours=int(part["zh"]), minutes=minutes)
        if offset > dt.timedelta(hours=14) or minutes >= 60:
            raise ValueError(text)
        zone = dt.timezone(-offset if part["sign"] == "-" else offset)
    elif part["zone"]:
        zone = dt.timezone.utc
    wall_clock = dt.datetime(
        year, int(part["month"]), int(part["day"]), int(part["hour"]), int(part["minute"]), second, microsecond
    )
    return wall_clock, zone


def _parse_date(text: str) -> dt.datetime | None:
    """A date as Json.NET writes it; ``None`` for .NET's empty dates (year 1, and year 9999).

    ``/Date(ms)/`` counts milliseconds since 1970 in UTC (a ``+0200`` suffix
    does not change the instant). ISO 8601 (:func:`parse_timestamp`) with a zone
    is that instant; without one it is the shop's wall-clock time, in the zone the
    ``"local"`` date form writes (``CONNEX_BRIDGE["TIME_ZONE"]``, else Django's
    ``TIME_ZONE``). Aware in UTC when ``USE_TZ`` is on, naive in Django's
    ``TIME_ZONE`` when it is off, like every date of :mod:`connex_bridge.records`.
    """
    microsoft = _MICROSOFT_DATE.fullmatch(text)
    if microsoft:
        instant = _EPOCH + dt.timedelta(milliseconds=int(microsoft["ms"]))
        return None if instant.year <= 1 or instant.year >= 9999 else _as_configured(instant)
    parsed = parse_timestamp(text)
    if parsed is None:
        return None
    wall_clock, zone = parsed
    if zone is not None:
        return _as_configured(wall_clock.replace(tzinfo=zone))
    shop_zone = app_settings.TIME_ZONE
    if not settings.USE_TZ and shop_zone == str(timezone.get_default_timezone()):
        return wall_clock  # already the database's naive wall-clock time, as outbound writes it
    return _as_configured(wall_clock.replace(tzinfo=zoneinfo.ZoneInfo(shop_zone)))


def _as_configured(instant: dt.datetime) -> dt.datetime:
    if settings.USE_TZ:
        return instant.astimezone(dt.timezone.utc)
    return instant.astimezone(timezone.get_default_timezone()).replace(tzinfo=None)


# --- the JMA shapes ------------------------------------------------------------------------------


class _Shape:
    """One JMA shape: its name for messages, and its table property name → (record field, reader)."""

    def __init__(self, name: str, table: dict[str, tuple[str, Reader]]) -> None:
        self.name = name
        self.table = table
        self._folded = {key.lower(): entry for key, entry in table.items()}

    def read(self, value: Any, path: str) -> dict[str, Any]:
        """The record fields of one object of this shape: those sent, and not null."""
        if not isinstance(value, Mapping):
            raise BadBodyError(path, f"expected a {self.name} object, got {_kind(value)}")
        fields: dict[str, Any] = {}
        for key, item in value.items():
            # Json.NET matches names ignoring case (ASCII only: a Kelvin sign is no K).
            entry = self._folded.get(key.lower()) if isinstance(key, str) and key.isascii() else None
            if entry is None:
                continue
            field, reader = entry
            if item is None:
                fields.pop(field, None)  # null: the default, even over an earlier spelling
            else:
                fields[field] = reader(item, _join(path, key))
        return fields

    def one(self, build: Callable[[dict[str, Any], str], T]) -> Callable[[Any, str], T]:
        """A reader of one object of this shape, made into a record by ``build``."""

        def read(value: Any, path: str) -> T:
            return build(self.read(value, path), path)

        return read

    def many(self, build: Callable[[dict[str, Any], str], T]) -> Callable[[Any, str], list[T]]:
        """A reader of a JSON array of this shape."""

        def read(value: Any, path: str) -> list[T]:
            if not isinstance(value, (list, tuple)):
                raise BadBodyError(path, f"expected a JSON array of {self.name}, got {_kind(value)}")
            return [build(self.read(item, f"{path}[{i}]"), f"{path}[{i}]") for i, item in enumerate(value)]

        return read


def _required_text(fields: dict[str, Any], field: str, path: str) -> None:
    value = fields.get(field)
    if value is None:
        raise BadBodyError(path, "missing")
    if not value.strip():
        raise BadBodyError(path, f"{_show(value)} is blank")


def _product(fields: dict[str, Any], path: str) -> ProductRecord:
    _required_text(fields, "sku", _join(path, "Sku"))
    return ProductRecord(**fields)


def _line(fields: dict[str, Any], path: str) -> LineRecord:
    # A property Json.NET did not write reads as the C# default, as Connex's own classes would.
    defaults = {"sku": "", "name": "", "quantity": Decimal(0), "unit_price_excl_tax": ZERO, "unit_price_incl_tax": ZERO}
    return LineRecord(**{**defaults, **fields})


def _order(fields: dict[str, Any], path: str) -> OrderRecord:
    # No OrderNumber (or a blank one) reads as "": createorders refuses that one order and takes the others.
    if not fields.get("number", "").strip():
        fields["number"] = ""
    created = fields.get("created_at") or fields.get("modified_at") or timezone.now()
    modified = fields.get("modified_at") or created
    return OrderRecord(
        **{"number": "", "status": "", "total": ZERO, **fields, "created_at": created, "modified_at": modified}
    )


_STATUS_FIELDS = frozenset(field.name for field in dataclasses.fields(OrderStatusUpdate))


def _status_update(fields: dict[str, Any], path: str) -> OrderStatusUpdate:
    update = OrderStatusUpdate(**{name: value for name, value in fields.items() if name in _STATUS_FIELDS})
    if not update.order_id:
        raise BadBodyError(_join(path, "Other"), "missing (and so is OrderNumber)")
    return update


_JMAADDRESS = _Shape(
    "JMAAddress",
    {
        "FirstName": ("first_name", _text),
        "LastName": ("last_name", _text),
        "Company": ("company", _text),
        "Address1": ("line1", _text),
        "Address2": ("line2", _text),
        "Address3": ("line3", _text),
        "City": ("city", _text),
        "RegionName": ("region_code", _text),
        "PostalCode": ("postal_code", _text),
        "CountryName": ("country_name", _text),
        "TwoLetterIsoCode": ("country_code", _text),
        "PhoneNumber": ("phone", _text),
        "Email": ("email", _text),
    },
)
_JMACUSTOMER = _Shape(
    "JMACustomer",
    {
        "Id": ("id", _customer_id),
        "Email": ("email", _text),
        "CompanyName": ("company", _text),
    },
)
_JMADISCOUNT = _Shape(
    "JMADiscount",
    {
        "Name": ("name", _text),
        "Code": ("code", _text),
        "Amount": ("amount", _number),
        "NonTaxable": ("non_taxable", _boolean),
    },
)
_JMAORDERDETAIL = _Shape(
    "JMAOrderDetail",
    {
        "Sku": ("sku", _text),
        "Name": ("name", _text),
        "Quantity": ("quantity", _number),
        "PriceExclTax": ("unit_price_excl_tax", _number),
        "PriceInclTax": ("unit_price_incl_tax", _number),
        "DiscountExclTax": ("discount_excl_tax", _number),
        "DiscountInclTax": ("discount_incl_tax", _number),
        "TaxCode": ("tax_code", _text),
    },
)
_JMAPRODUCT = _Shape(
    "JMAProduct",
    {
        "Sku": ("sku", _text),
        "Name": ("name", _text),
        "StockQuantity": ("stock_quantity", _number),
        "Amount": ("amount", _number),
        "Description": ("description", _text),
        "Barcode": ("barcode", _text),
        "ManufacturerPartNumber": ("manufacturer_part_number", _text),
        "PurchaseCost": ("purchase_cost", _number),
        "IsEnabled": ("is_enabled", _boolean),
    },
)
_JMAORDER = _Shape(
    "JMAOrder",
    {
        "OrderNumber": ("number", _text),
        "Id": ("id", _whole),
        "Other": ("other", _text),
        "CreationDate": ("created_at", _date),
        "ModifiedDate": ("modified_at", _date),
        "PaidDate": ("paid_at", _date),
        "OrderStatus": ("status", _text),
        "StoreName": ("store_name", _text),
        "Total": ("total", _number),
        "TotalTax": ("total_tax", _number),
        "ShippingInclTax": ("shipping_incl_tax", _number),
        "ShippingExclTax": ("shipping_excl_tax", _number),
        "ShippingMethod": ("shipping_method", _text),
        "DiscountInclTax": ("discount_incl_tax", _number),
        "DiscountExclTax": ("discount_excl_tax", _number),
        "Discounts": ("discounts", _JMADISCOUNT.many(lambda fields, path: DiscountRecord(**{"name": "", **fields}))),
        "OrderDetails": ("lines", _JMAORDERDETAIL.many(_line)),
        "BillingAddress": ("billing_address", _JMAADDRESS.one(lambda fields, path: AddressRecord(**fields))),
        "ShippingAddress": ("shipping_address", _JMAADDRESS.one(lambda fields, path: AddressRecord(**fields))),
        "Customer": ("customer", _JMACUSTOMER.one(lambda fields, path: CustomerRecord(**fields))),
        "CreditCardName": ("payment_method", _text),
        "ReferenceNumber": ("payment_reference", _text),
        "CurrencyCode": ("currency", _text),
        "TrackingNumber": ("tracking_number", _text),
        "ShippingDate": ("shipped_at", _date),
        "Note": ("note", _text),
        "PrivateNote": ("private_note", _text),
        "InvoiceMode": ("invoice_mode", _invoice_mode),
        "ParentOrderNumber": ("parent_number", _text),
    },
)
_JMAUSER = _Shape("JMAUser", {"Orders": ("orders", _JMAORDER.many(_order))})


# --- the bodies ----------------------------------------------------------------------------------


def read_products(body: Any) -> list[ProductRecord]:
    """An ``inventory`` body, a JSON array of JMAProduct, as :class:`~connex_bridge.records.ProductRecord` s.

    ``body`` is the JSON text (bytes or str) or what :func:`loads` made of it.
    Every product needs a non-blank ``Sku``. Raises :class:`BadBodyError`.
    """
    data = _parsed(body)
    if not isinstance(data, (list, tuple)):
        raise BadBodyError("body", f"expected a JSON array of JMAProduct, got {_kind(data)}")
    return _JMAPRODUCT.many(_product)(data, "")


def read_order_status(body: Any) -> OrderStatusUpdate:
    """A ``changeorderstatus`` body, one JMAOrder, as an :class:`~connex_bridge.records.OrderStatusUpdate`.

    The whole JMAOrder is read, so a malformed value anywhere in it is an
    error, as it would be for Json.NET; ``Other`` or ``OrderNumber`` must name
    the order. Raises :class:`BadBodyError`.
    """
    return _JMAORDER.one(_status_update)(_parsed(body), "")


def read_orders(body: Any) -> list[OrderRecord]:
    """A ``createorders`` body as :class:`~connex_bridge.records.OrderRecord` s: orders created in QuickBooks.

    Either shape Connex sends: a JMAUser, whose ``Orders`` list is read (its
    other lists are not), or a bare JSON array of JMAOrder. ``OrderNumber``
    is each order's key; one that is absent, null or blank reads as ``""``
    (``createorders`` refuses that order alone).

    What Json.NET leaves unset arrives as the C# default, and reads as the
    record's: ``""``, zero, no lines, no shipping address (billing serves).
    The dates of Connex's class are not nullable, so an unset one arrives as
    .NET's empty date: ``created_at`` then falls back to ``modified_at``, and
    to the time of reading; ``modified_at`` falls back to ``created_at``.
    ``TotalInclTax`` and ``TotalExclTax``, which outbound derives from
    ``Total`` and ``TotalTax``, are not read, nor is what the records have no
    place for (``PurchaseType``, ``Vendor``, a line's ``IsShipping`` …).
    ``is_cancelled`` stays false: these are sales. Raises :class:`BadBodyError`.
    """
    data = _parsed(body)
    if isinstance(data, (list, tuple)):
        return _JMAORDER.many(_order)(data, "")
    if not isinstance(data, Mapping):
        raise BadBodyError("body", f"expected a JMAUser object or a JSON array of JMAOrder, got {_kind(data)}")
    if not any(isinstance(key, str) and key.lower() == "orders" for key in data):
        raise BadBodyError("Orders", "missing")
    orders: list[OrderRecord] = _JMAUSER.read(data, "").get("orders", [])  # "Orders": null is no orders
    return orders
