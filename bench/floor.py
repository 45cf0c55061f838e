"""The floor: the cheapest correct Python path to the ``orders`` JSON of a window.

One query per table with ``values_list`` (orders, addresses, lines, discounts,
payments), plain dict assembly and one ``orjson.dumps``. No model instances,
no records, no request. Its output is byte-identical to the endpoint's for the
built-in models (same keys in the same order, same decimals, same date form),
so the benchmark can compare even a 100,000-order window without parsing it.

It reproduces :mod:`connex_bridge.wire` for ``DATE_FORMAT = "local"``:
wall-clock time in ``TIME_ZONE`` without offset or fraction, quantities without
trailing zeros, money as exact decimals, the billing address falling back to
the customer's email, shipping falling back to billing, cancelled/refunded
orders in ``CancelledOrders`` with ``OrderStatus`` ``"Cancelled"``, and
``Payments`` for the orders in ``Orders`` only.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo
from decimal import Decimal
from typing import Any

import orjson
from django.db.models import Q

from connex_bridge.conf import app_settings
from connex_bridge.models import Address, Discount, Order, OrderLine, Payment
from connex_bridge.vocabulary import CANCELLED_STATUS, INVOICE_MODES

ORDER_COLUMNS = (
    "id",
    "number",
    "status",
    "store_name",
    "currency",
    "created_at",
    "modified_at",
    "paid_at",
    "total",
    "total_tax",
    "shipping_excl_tax",
    "shipping_incl_tax",
    "shipping_method",
    "discount_excl_tax",
    "discount_incl_tax",
    "billing_address_id",
    "shipping_address_id",
    "customer_id",
    "customer_email",
    "customer_company",
    "payment_method",
    "payment_reference",
    "tracking_number",
    "shipped_at",
    "note",
    "private_note",
    "invoice_mode",
    "parent_number",
)
ADDRESS_COLUMNS = (
    "id",
    "first_name",
    "last_name",
    "company",
    "line1",
    "line2",
    "line3",
    "city",
    "region_code",
    "postal_code",
    "country_name",
    "country_code",
    "phone",
    "email",
)
LINE_COLUMNS = (
    "order_id",
    "sku",
    "name",
    "quantity",
    "unit_price_excl_tax",
    "unit_price_incl_tax",
    "discount_excl_tax",
    "discount_incl_tax",
    "tax_code",
)
EMPTY_LISTS = ("Purchases", "ProductsToQB", "ProductsFromQBToUpdate", "InventoryAdjustments", "Customers")
ONE = Decimal(1)


def _default(value: Any) -> Any:
    # orjson has no Decimal type; a Fragment is written verbatim (wire.dumps does the same, by str()
    # where that has no exponent: the seeded amounts never have one).
    if isinstance(value, Decimal):
        return orjson.Fragment(str(value))
    raise TypeError(f"Type is not JSON serializable: {type(value).__name__}")


def _plain(quantity: Decimal) -> Decimal:
    """4, not 4.0000; 100, not 1E+2 (as :func:`connex_bridge.wire._plain`)."""
    normal = quantity.normalize()
    return normal.quantize(ONE) if normal == normal.to_integral_value() else normal


def _address(row: tuple[Any, ...]) -> dict[str, str]:
    _, first, last, company, line1, line2, line3, city, region, postal, country, code, phone, email = row
    return {
        "FirstName": first,
        "LastName": last,
        "FullName": f"{first} {last}".strip(),
        "Company": company,
        "Address1": line1,
        "Address2": line2,
        "Address3": line3,
        "City": city,
        "RegionName": region,
        "PostalCode": postal,
        "CountryName": country,
        "TwoLetterIsoCode": code,
        "PhoneNumber": phone,
        "Email": email,
    }


def _email_only(email: str) -> dict[str, str]:
    """The billing address of an order without one: the customer's email alone."""
    fields = ("FirstName", "LastName", "FullName", "Company", "Address1", "Address2", "Address3", "City")
    more = ("RegionName", "PostalCode", "CountryName", "TwoLetterIsoCode", "PhoneNumber")
    return {**dict.fromkeys(fields + more, ""), "Email": email}


def orders_json(start: dt.datetime, end: dt.datetime) -> bytes:
    """The JMAUser JSON of the orders whose ``modified_at`` lies in ``[start, end]``."""
    zone = zoneinfo.ZoneInfo(app_settings.TIME_ZONE)
    cancelled_statuses = {status.lower() for status in app_settings.CANCELLED_STATUSES}
    window = Order.objects.filter(modified_at__gte=start, modified_at__lte=end)
    order_ids = window.values("id")

    def local(value: dt.datetime | None) -> dt.datetime | None:
        # A naive datetime: orjson writes it without offset (and, with OPT_OMIT_MICROSECONDS, without fraction).
        return None if value is None else value.astimezone(zone).replace(tzinfo=None)

    addresses = {
        row[0]: _address(row)
        for row in Address.objects.filter(
            Q(id__in=window.values("billing_address_id")) | Q(id__in=window.values("shipping_address_id"))
        ).values_list(*ADDRESS_COLUMNS)
    }
    lines: dict[int, list[dict[str, Any]]] = {}
    for order_id, sku, name, quantity, excl, incl, discount_excl, discount_incl, tax_code in (
        OrderLine.objects.filter(order_id__in=order_ids).order_by("id").values_list(*LINE_COLUMNS)
    ):
        lines.setdefault(order_id, []).append(
            {
                "Sku": sku,
                "Name": name,
                "Quantity": _plain(quantity),
                "PriceExclTax": excl,
                "PriceInclTax": incl,
                "DiscountExclTax": discount_excl,
                "DiscountInclTax": discount_incl,
                "HasTax": incl > excl,
                "IsShipping": False,
                "TaxCode": tax_code,
                "Product": {"Sku": sku, "Name": name, "Amount": excl},
            }
        )
    discounts: dict[int, list[dict[str, Any]]] = {}
    for order_id, name, code, amount, non_taxable in (
        Discount.objects.filter(order_id__in=order_ids)
        .order_by("id")
        .values_list("order_id", "name", "code", "amount", "non_taxable")
    ):
        discounts.setdefault(order_id, []).append(
            {"Name": name, "Code": code, "Amount": amount, "NonTaxable": bool(non_taxable)}
        )
    payments: dict[int, list[tuple[Any, ...]]] = {}
    for row in (
        Payment.objects.filter(order_id__in=order_ids)
        .order_by("paid_at", "id")
        .values_list("order_id", "amount", "paid_at", "method", "reference", "deposit_account", "id", "modified_at")
    ):
        payments.setdefault(row[0], []).append(row)

    sales: list[dict[str, Any]] = []
    refunds: list[dict[str, Any]] = []
    payment_entries: list[dict[str, Any]] = []
    for (
        pk,
        number,
        status,
        store_name,
        currency,
        created_at,
        modified_at,
        paid_at,
        total,
        total_tax,
        shipping_excl,
        shipping_incl,
        shipping_method,
        discount_excl,
        discount_incl,
        billing_id,
        shipping_id,
        customer_id,
        customer_email,
        customer_company,
        payment_method,
        payment_reference,
        tracking_number,
        shipped_at,
        note,
        private_note,
        invoice_mode,
        parent_number,
    ) in window.order_by("modified_at", "id").values_list(*ORDER_COLUMNS):
        cancelled = status.lower() in cancelled_statuses
        billing = addresses[billing_id] if billing_id is not None else _email_only(customer_email)
        order = {
            "OrderNumber": number,
            "Id": pk,
            "Other": str(pk),
            "CreationDate": local(created_at),
            "ModifiedDate": local(modified_at),
            "PaidDate": local(paid_at),
            "OrderStatus": CANCELLED_STATUS if cancelled else status,
            "StoreName": store_name,
            "Total": total,
            "TotalInclTax": total,
            "TotalExclTax": total - total_tax,
            "TotalTax": total_tax,
            "ShippingInclTax": shipping_incl,
            "ShippingExclTax": shipping_excl,
            "ShippingMethod": shipping_method,
            "DiscountInclTax": discount_incl,
            "DiscountExclTax": discount_excl,
            "Discounts": discounts.get(pk, []),
            "OrderDetails": lines.get(pk, []),
            "BillingAddress": billing,
            "ShippingAddress": addresses[shipping_id] if shipping_id is not None else billing,
            "Customer": {
                "Id": customer_id or 0,
                "Email": customer_email,
                "CompanyName": customer_company,
            },
            "CreditCardName": payment_method,
            "ReferenceNumber": payment_reference,
            "CurrencyCode": currency,
            "TrackingNumber": tracking_number,
            "ShippingDate": local(shipped_at),
            "Note": note,
            "PrivateNote": private_note,
            "ParentOrderNumber": parent_number,
        }
        if invoice_mode in INVOICE_MODES:
            order["InvoiceMode"] = invoice_mode
        if cancelled:
            refunds.append(order)
            continue
        sales.append(order)
        for _, amount, paid, method, reference, deposit_account, payment_id, payment_modified in payments.get(pk, ()):
            payment_entries.append(
                {
                    "OrderNumber": number,
                    "Order": {"OrderNumber": number},
                    "PaymentAmount": amount,
                    "PaymentDate": local(paid),
                    "CreditCardName": method,
                    "ReferenceNumber": reference or number,
                    "DepositAccount": deposit_account,
                    "Id": payment_id,
                    "ModifiedDate": local(payment_modified or paid),
                }
            )
    user: dict[str, Any] = {"Orders": sales, "CancelledOrders": refunds, "Payments": payment_entries}
    user.update((name, []) for name in EMPTY_LISTS)
    return orjson.dumps(user, default=_default, option=orjson.OPT_OMIT_MICROSECONDS)
