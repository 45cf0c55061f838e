"""The warning rules: what in an ``orders`` answer QuickBooks would reject, mis-book, or cut.

Shared by the admin's preview page (:mod:`connex_bridge.admin_preview`) and ``manage.py
connex_check``, so the merchant sees the same warnings in both. Pure functions, no database:

* :func:`check_order` reads one JMAOrder as the answer carries it (a dict, PascalCase, money as
  :class:`~decimal.Decimal`: ``json.loads(body, parse_float=Decimal)``);
* :func:`check_record` reads one :class:`~connex_bridge.records.OrderRecord` through the very
  JMAOrder the wire module writes for it, so a record and its JSON get the same warnings;
* :func:`check_answer` reads a whole JMAUser: the rules of every order, then the answer's own rules
  (every list present, payments linked to an order of the answer, no number twice);
  :func:`check_answer_bytes` reads the body itself.

Each :class:`SyncWarning` names the order, a stable rule code (:data:`RULES`; the table in
docs/preview-and-self-test.md), the JSON path, the value and what to change. ``severity`` is
``"error"`` when QuickBooks would refuse or mis-book the order, ``"warning"`` when it books it but the
merchant should look.
"""

from __future__ import annotations

import json
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from connex_bridge.records import OrderRecord
from connex_bridge.vocabulary import ZERO
from connex_bridge.wire.outbound import JMAUSER_LISTS

ERROR = "error"
WARNING = "warning"


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule: its stable code, how bad a breach is, and one line on what it checks."""

    code: str
    severity: str
    summary: str


#: Every rule, by its code. The codes are stable: scripts and the docs rely on them.
RULES: dict[str, Rule] = {
    rule.code: rule
    for rule in (
        Rule("SKU_EMPTY", ERROR, "a line has no SKU: QuickBooks would get an item with no name"),
        Rule("SKU_PADDED", ERROR, "a SKU starts or ends with blanks: it matches no QuickBooks item name"),
        Rule("TOTALS_UNBALANCED", ERROR, "the lines, discounts, shipping and tax do not add up to Total"),
        Rule("NUMBER_EMPTY", ERROR, "the order has no OrderNumber"),
        Rule("NUMBER_TOO_LONG", WARNING, "the OrderNumber is longer than the 11 characters QuickBooks keeps"),
        Rule("NUMBER_DUPLICATE", ERROR, "the same OrderNumber twice in one list of the answer"),
        Rule("ADDRESS_NO_NAME", WARNING, "the billing address has no name and no company"),
        Rule("ADDRESS_INCOMPLETE", WARNING, "an address lacks its first line, city, country or US/CA postal code"),
        Rule("TEXT_CONTROL_CHARACTER", ERROR, "a text holds a control character, which qbXML cannot carry"),
        Rule("TEXT_NOT_WINDOWS_1252", WARNING, "a text holds a character outside Windows-1252"),
        Rule("MONEY_NOT_NUMBER", ERROR, "an amount is not a JSON number"),
        Rule("MONEY_NOT_EXACT", ERROR, "an amount has more decimal places than QuickBooks keeps"),
        Rule("JSON_INVALID", ERROR, "the answer is not JSON, or not a JSON object"),
        Rule("JSON_LIST_MISSING", ERROR, "a list of the JMAUser is absent or null"),
        Rule("PAYMENT_UNLINKED", ERROR, "a payment names no order of the answer's Orders"),
    )
}

#: How many characters of a reference number QuickBooks Desktop keeps (docs/protocol.md §4).
QUICKBOOKS_NUMBER_LENGTH = 11
#: Decimal places of an amount (totals, tax, shipping, discounts, payments): QuickBooks keeps cents.
AMOUNT_PLACES = 2
#: Decimal places of a unit price (``PriceExclTax``, ``PriceInclTax``, ``Product.Amount``): QuickBooks
#: Desktop keeps up to five on an item's rate.
PRICE_PLACES = 5

_ORDER_AMOUNTS = (
    "Total",
    "TotalInclTax",
    "TotalExclTax",
    "TotalTax",
    "ShippingInclTax",
    "ShippingExclTax",
    "DiscountInclTax",
    "DiscountExclTax",
)
_LINE_AMOUNTS = ("DiscountExclTax", "DiscountInclTax")
_LINE_PRICES = ("PriceExclTax", "PriceInclTax")
#: Properties that hold dates, not text for QuickBooks.
_DATES = frozenset({"CreationDate", "ModifiedDate", "PaidDate", "ShippingDate", "PaymentDate"})
#: Control characters XML 1.0 allows in text.
_XML_WHITESPACE = frozenset("\t\n\r")


@dataclass(frozen=True, slots=True)
class SyncWarning:
    """One thing in the answer the merchant should fix before QuickBooks books it."""

    #: The order's ``OrderNumber`` (``""`` for a rule of the whole answer).
    order_number: str
    #: The rule's stable code, a key of :data:`RULES`.
    code: str
    #: Where: a JSON path inside the order (``OrderDetails[0].Sku``), or in the answer (``Payments[2]``).
    path: str
    #: The value found there, as text (``repr`` of a string, so blanks show).
    value: str
    #: What is wrong and what to change, for the merchant.
    message: str

    @property
    def severity(self) -> str:
        """``"error"`` (QuickBooks refuses or mis-books it) or ``"warning"``."""
        return RULES[self.code].severity

    def line(self) -> str:
        """One line for a report: ``order 1001: SKU_PADDED at OrderDetails[0].Sku = ' MUG': …``."""
        where = f"order {self.order_number}" if self.order_number else "answer"
        return f"{where}: {self.code} at {self.path} = {self.value}: {self.message}"


def balance(record: OrderRecord) -> Decimal:
    """Σ (quantity × unit price − line discount) − order discount + shipping + tax, all excl. tax:
    what the order's ``Total`` must be (docs/protocol.md §4)."""
    lines = sum((line.quantity * line.unit_price_excl_tax - line.discount_excl_tax for line in record.lines), ZERO)
    return lines - record.discount_excl_tax + record.shipping_excl_tax + record.total_tax


def _no_date(value: Any) -> None:
    return None


def check_record(record: OrderRecord) -> list[SyncWarning]:
    """The warnings of one order record, read through the JMAOrder Connex would get for it."""
    from connex_bridge.wire import outbound  # the writer needs settings; the rules over JSON do not

    return check_order(outbound.order(record, _no_date))


def check_order(order: Mapping[str, Any]) -> list[SyncWarning]:
    """The warnings of one JMAOrder (a dict as the answer holds it, money as ``Decimal``)."""
    number = order.get("OrderNumber")
    number_text = number if isinstance(number, str) else ("" if number is None else str(number))
    found: list[SyncWarning] = []
    warn = _warner(number_text, found)
    _check_number(number, warn)
    lines = order.get("OrderDetails")
    lines = lines if isinstance(lines, list) else []
    for index, line in enumerate(lines):
        if isinstance(line, Mapping):
            _check_sku(line.get("Sku"), f"OrderDetails[{index}].Sku", warn)
    _check_money(order, lines, warn)
    _check_balance(order, lines, warn)
    _check_addresses(order, warn)
    for path, text in _texts(order, ""):
        _check_text(path, text, warn)
    return found


def check_answer(answer: Any, *, orders: bool = True) -> list[SyncWarning]:
    """The warnings of a whole JMAUser: each order's (unless ``orders`` is false: a caller that checked
    the records already), then the answer's own (lists, payments, numbers twice)."""
    found: list[SyncWarning] = []
    if not isinstance(answer, Mapping):
        return [SyncWarning("", "JSON_INVALID", "$", _shown(type(answer).__name__), _NOT_OBJECT)]
    for name in JMAUSER_LISTS:
        if not isinstance(answer.get(name), list):
            state = "absent" if name not in answer else f"{_shown(answer[name])} instead of a list"
            found.append(
                SyncWarning(
                    "",
                    "JSON_LIST_MISSING",
                    name,
                    "absent" if name not in answer else _shown(answer[name]),
                    f"The answer's {name} is {state}; Connex needs every list, [] when empty. The shop's "
                    "connex_bridge (or the proxy in front of it) must send the answer unchanged.",
                )
            )
    for name in ("Orders", "CancelledOrders"):
        entries = [entry for entry in _list(answer, name) if isinstance(entry, Mapping)]
        if orders:
            for order in entries:
                found.extend(check_order(order))
        counts = Counter(order.get("OrderNumber") for order in entries)
        for number, count in counts.items():
            if count > 1 and isinstance(number, str) and number:
                found.append(
                    SyncWarning(
                        number,
                        "NUMBER_DUPLICATE",
                        f"{name}[].OrderNumber",
                        repr(number),
                        f"{count} orders in {name} carry the number {number!r}; QuickBooks books one of them. "
                        "Give every order a number of its own in the shop.",
                    )
                )
    found.extend(_check_payments(answer))
    return found


def check_answer_bytes(body: bytes) -> list[SyncWarning]:
    """The warnings of an ``orders`` answer as it came over the wire (money read as exact decimals)."""
    try:
        answer = json.loads(body, parse_float=Decimal)
    except ValueError as exc:
        start = _shown(body[:60].decode("utf-8", "replace"))
        return [SyncWarning("", "JSON_INVALID", "$", start, f"{_NOT_JSON} ({exc}).")]
    return check_answer(answer)


def count_by_severity(warnings: Iterable[SyncWarning]) -> dict[str, int]:
    """``{"error": n, "warning": m}``: the summary the preview and the command print."""
    counts = {ERROR: 0, WARNING: 0}
    for warning in warnings:
        counts[warning.severity] += 1
    return counts


# --- the rules -------------------------------------------------------------------------------------

_NOT_OBJECT = "The answer is not a JSON object (a JMAUser); Connex cannot read it. Check the URL typed into Connex."
_NOT_JSON = "The answer is not JSON; Connex cannot read it. Check the URL typed into Connex and what serves it"


def _shown(value: Any) -> str:
    text = repr(value) if isinstance(value, str) else ("null" if value is None else str(value))
    return text if len(text) <= 80 else text[:79] + "…"


def _list(answer: Mapping[str, Any], name: str) -> list[Any]:
    value = answer.get(name)
    return value if isinstance(value, list) else []


def _check_number(number: Any, warn: Any) -> None:
    if not isinstance(number, str) or not number.strip():
        warn(
            "NUMBER_EMPTY",
            "OrderNumber",
            number,
            "The order has no OrderNumber, the key QuickBooks books it by. Give the order a number in the shop.",
        )
    elif len(number) > QUICKBOOKS_NUMBER_LENGTH:
        warn(
            "NUMBER_TOO_LONG",
            "OrderNumber",
            number,
            f"QuickBooks keeps {QUICKBOOKS_NUMBER_LENGTH} characters of a reference number and this one has "
            f"{len(number)}: Connex books it as {number[:QUICKBOOKS_NUMBER_LENGTH]!r} with the whole number in "
            "the memo, so two orders sharing those characters collide. Use shorter order numbers in the shop.",
        )


def _check_sku(sku: Any, path: str, warn: Any) -> None:
    if not isinstance(sku, str) or not sku.strip():
        warn(
            "SKU_EMPTY",
            path,
            sku,
            "The line has no SKU, and QuickBooks would get an item with no name. Give the product a SKU "
            "in the shop's catalogue (the QuickBooks item name).",
        )
    elif sku != sku.strip():
        warn(
            "SKU_PADDED",
            path,
            sku,
            f"The SKU has blanks before or after it, so it matches no QuickBooks item ({sku.strip()!r} would); "
            "remove the blanks from the product's SKU in the shop's catalogue.",
        )


def _places(value: Decimal, places: int) -> bool:
    """Whether ``value`` is exact to ``places`` decimal places (trailing zeros beyond them are fine)."""
    try:
        return value == value.quantize(Decimal(1).scaleb(-places))
    except InvalidOperation:
        return False


def _amount(value: Any) -> Decimal | None:
    """The exact amount of a JSON number; None when it is not a number."""
    if isinstance(value, bool) or not isinstance(value, (int, float, Decimal)):
        return None
    if isinstance(value, float):
        return Decimal(repr(value))  # read without parse_float=Decimal: its shortest repr is what was sent
    return Decimal(value)


def _money_fields(order: Mapping[str, Any], lines: list[Any]) -> Iterator[tuple[str, Any, int]]:
    for name in _ORDER_AMOUNTS:
        if name in order:
            yield name, order[name], AMOUNT_PLACES
    discounts = order.get("Discounts")
    for index, discount in enumerate(discounts if isinstance(discounts, list) else []):
        if isinstance(discount, Mapping) and "Amount" in discount:
            yield f"Discounts[{index}].Amount", discount["Amount"], AMOUNT_PLACES
    for index, line in enumerate(lines):
        if not isinstance(line, Mapping):
            continue
        for name in _LINE_PRICES:
            if name in line:
                yield f"OrderDetails[{index}].{name}", line[name], PRICE_PLACES
        for name in _LINE_AMOUNTS:
            if name in line:
                yield f"OrderDetails[{index}].{name}", line[name], AMOUNT_PLACES
        product = line.get("Product")
        if isinstance(product, Mapping) and "Amount" in product:
            yield f"OrderDetails[{index}].Product.Amount", product["Amount"], PRICE_PLACES


def _check_one_amount(path: str, value: Any, places: int, warn: Any) -> None:
    amount = _amount(value)
    if amount is None or not amount.is_finite():
        warn(
            "MONEY_NOT_NUMBER",
            path,
            value,
            "Connex reads amounts as JSON numbers (106.25), never strings or null; the order source must "
            "give a Decimal here (docs/protocol.md §4).",
        )
    elif not _places(amount, places):
        warn(
            "MONEY_NOT_EXACT",
            path,
            value,
            f"QuickBooks keeps {places} decimal places here and this amount has more, so it books a rounded "
            "amount and a rounding difference. The order source must round it (to the cent for totals), "
            "typically a float that should have been a Decimal (docs/protocol.md §4).",
        )


def _check_money(order: Mapping[str, Any], lines: list[Any], warn: Any) -> None:
    for path, value, places in _money_fields(order, lines):
        _check_one_amount(path, value, places, warn)


def _check_balance(order: Mapping[str, Any], lines: list[Any], warn: Any) -> None:
    """docs/protocol.md §4: Σ (Quantity × PriceExclTax − DiscountExclTax) − DiscountExclTax +
    ShippingExclTax + TotalTax = Total, exactly. Left to the money rules when a term is no number."""
    terms: list[Decimal] = []
    for line in lines:
        if not isinstance(line, Mapping):
            return
        quantity, price, discount = (_amount(line.get(n, 0)) for n in ("Quantity", "PriceExclTax", "DiscountExclTax"))
        if quantity is None or price is None or discount is None:
            return
        terms.append(quantity * price - discount)
    order_terms = [_amount(order.get(n, 0)) for n in ("DiscountExclTax", "ShippingExclTax", "TotalTax", "Total")]
    if any(term is None for term in order_terms):
        return
    discount, shipping, tax, total = (term for term in order_terms if term is not None)
    try:
        expected = sum(terms, ZERO) - discount + shipping + tax
        if expected == total:
            return
    except InvalidOperation:
        return
    warn(
        "TOTALS_UNBALANCED",
        "Total",
        total,
        f"The lines less their discounts ({sum(terms, ZERO)}), less the order discount {discount}, plus shipping "
        f"{shipping} and tax {tax} come to {expected}, but Total is {total}: QuickBooks would add a rounding "
        f"line of {total - expected}. Fix the order's totals (or the order source's arithmetic) so they add "
        "up to the cent (docs/protocol.md §4).",
    )


def _empty(address: Mapping[str, Any], *names: str) -> bool:
    return all(not str(address.get(name) or "").strip() for name in names)


def _check_address(address: Mapping[str, Any], name: str, warn: Any) -> None:
    missing = [
        part
        for part, names in (
            ("Address1", ("Address1",)),
            ("City", ("City",)),
            ("CountryName", ("CountryName", "TwoLetterIsoCode")),
        )
        if _empty(address, *names)
    ]
    country = str(address.get("TwoLetterIsoCode") or "").strip().upper()
    if country in {"US", "CA"} and _empty(address, "PostalCode"):
        missing.append("PostalCode")
    for part in missing:
        warn(
            "ADDRESS_INCOMPLETE",
            f"{name}.{part}",
            address.get(part, ""),
            f"The {name} has no {part}; QuickBooks prints the address on the invoice and bases sales tax on it. "
            "Complete the address on the order in the shop.",
        )


def _check_addresses(order: Mapping[str, Any], warn: Any) -> None:
    billing = order.get("BillingAddress")
    billing = billing if isinstance(billing, Mapping) else {}
    customer = order.get("Customer")
    company = customer.get("CompanyName") if isinstance(customer, Mapping) else ""
    if _empty(billing, "FirstName", "LastName", "Company") and not str(company or "").strip():
        warn(
            "ADDRESS_NO_NAME",
            "BillingAddress.FullName",
            billing.get("FullName", ""),
            "The billing address has no name and no company, and Connex names the QuickBooks customer after "
            "them; without one the sale lands on Connex's default customer. Add the buyer's name to the order.",
        )
    _check_address(billing, "BillingAddress", warn)
    shipping = order.get("ShippingAddress")
    if isinstance(shipping, Mapping) and shipping != billing:
        _check_address(shipping, "ShippingAddress", warn)


def _texts(value: Any, path: str) -> Iterator[tuple[str, str]]:
    """Every string of a JSON value with its path, dates left out."""
    if isinstance(value, str):
        yield path, value
    elif isinstance(value, Mapping):
        for key, item in value.items():
            if key not in _DATES:
                yield from _texts(item, f"{path}.{key}" if path else str(key))
    elif isinstance(value, list):
        for index, item in enumerate(value):
            yield from _texts(item, f"{path}[{index}]")


def _check_text(path: str, text: str, warn: Any) -> None:
    control = next((c for c in text if unicodedata.category(c) == "Cc" and c not in _XML_WHITESPACE), None)
    if control is not None:
        warn(
            "TEXT_CONTROL_CHARACTER",
            path,
            text,
            f"The text holds the control character U+{ord(control):04X}, which qbXML (XML 1.0) cannot carry: "
            "QuickBooks refuses the whole request. Remove it from the order in the shop (often pasted text).",
        )
        return
    try:
        text.encode("cp1252")
    except UnicodeEncodeError as exc:
        character = text[exc.start]
        warn(
            "TEXT_NOT_WINDOWS_1252",
            path,
            text,
            f"The character {character!r} (U+{ord(character):04X}) is not in Windows-1252, the character set "
            "QuickBooks Desktop stores: it arrives as '?' or the request is refused. Replace it in the shop "
            "(e.g. an emoji or a character of another script).",
        )


def _check_payments(answer: Mapping[str, Any]) -> Iterator[SyncWarning]:
    numbers = {order.get("OrderNumber") for order in _list(answer, "Orders") if isinstance(order, Mapping)}
    for index, entry in enumerate(_list(answer, "Payments")):
        if not isinstance(entry, Mapping):
            continue
        number = entry.get("OrderNumber")
        nested = entry.get("Order")
        nested_number = nested.get("OrderNumber") if isinstance(nested, Mapping) else None
        label = number if isinstance(number, str) else ""
        if number not in numbers:
            yield SyncWarning(
                label,
                "PAYMENT_UNLINKED",
                f"Payments[{index}].OrderNumber",
                _shown(number),
                "The payment names no order of the answer's Orders, so Connex cannot apply it to an invoice. "
                "The order source must send each payment with the order it pays (docs/protocol.md §4).",
            )
        elif nested_number != number:
            yield SyncWarning(
                label,
                "PAYMENT_UNLINKED",
                f"Payments[{index}].Order.OrderNumber",
                _shown(nested_number),
                f"The payment's Order.OrderNumber differs from its OrderNumber {number!r}; older Connex builds "
                "read the nested one. Both must name the order paid (docs/protocol.md §4).",
            )
        if "PaymentAmount" in entry:
            found: list[SyncWarning] = []
            amount_path = f"Payments[{index}].PaymentAmount"
            _check_one_amount(amount_path, entry["PaymentAmount"], AMOUNT_PLACES, _warner(label, found))
            yield from found


def _warner(number: str, found: list[SyncWarning]) -> Any:
    """A ``warn(code, path, value, message)`` that adds the warnings of order ``number`` to ``found``."""

    def warn(code: str, path: str, value: Any, message: str) -> None:
        found.append(SyncWarning(number, code, path, _shown(value), message))

    return warn
