"""The naive contender: what a developer typically writes first for the ``orders`` JSON.

Nested DRF ``ModelSerializer`` classes (lines, discounts, payments, addresses),
PascalCase names through ``source=`` and ``SerializerMethodField``, the N+1
queries avoided with ``select_related`` / ``prefetch_related``, and DRF's
default ``JSONRenderer`` (with ``COERCE_DECIMAL_TO_STRING = False`` in the
settings, so money stays a JSON number; DRF's encoder writes it as a float).
Its JSON differs from the endpoint's byte for byte (``2.0`` for ``2``) but
parses to the same values.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from rest_framework import serializers
from rest_framework.renderers import JSONRenderer

from connex_bridge.conf import app_settings
from connex_bridge.models import Address, Discount, Order, OrderLine, Payment
from connex_bridge.vocabulary import CANCELLED_STATUS, INVOICE_MODES

LOCAL = "%Y-%m-%dT%H:%M:%S"  # DRF converts to the current time zone (TIME_ZONE) before formatting


def money(source: str) -> serializers.DecimalField:
    """A money field read from ``source``."""
    return serializers.DecimalField(max_digits=14, decimal_places=2, source=source)


def local_time(source: str) -> serializers.DateTimeField:
    """A date written as wall-clock time in ``TIME_ZONE``, without offset."""
    return serializers.DateTimeField(format=LOCAL, source=source)


class AddressSerializer(serializers.ModelSerializer[Address]):
    """JMAAddress."""

    FirstName = serializers.CharField(source="first_name")
    LastName = serializers.CharField(source="last_name")
    FullName = serializers.SerializerMethodField(method_name="get_full_name")
    Company = serializers.CharField(source="company")
    Address1 = serializers.CharField(source="line1")
    Address2 = serializers.CharField(source="line2")
    Address3 = serializers.CharField(source="line3")
    City = serializers.CharField(source="city")
    RegionName = serializers.CharField(source="region_code")
    PostalCode = serializers.CharField(source="postal_code")
    CountryName = serializers.CharField(source="country_name")
    TwoLetterIsoCode = serializers.CharField(source="country_code")
    PhoneNumber = serializers.CharField(source="phone")
    Email = serializers.CharField(source="email")

    class Meta:
        model = Address
        fields = [
            "FirstName",
            "LastName",
            "FullName",
            "Company",
            "Address1",
            "Address2",
            "Address3",
            "City",
            "RegionName",
            "PostalCode",
            "CountryName",
            "TwoLetterIsoCode",
            "PhoneNumber",
            "Email",
        ]

    def get_full_name(self, address: Address) -> str:
        return f"{address.first_name} {address.last_name}".strip()


class OrderLineSerializer(serializers.ModelSerializer[OrderLine]):
    """JMAOrderDetail."""

    Sku = serializers.CharField(source="sku")
    Name = serializers.CharField(source="name")
    Quantity = serializers.DecimalField(max_digits=14, decimal_places=4, source="quantity")
    PriceExclTax = money("unit_price_excl_tax")
    PriceInclTax = money("unit_price_incl_tax")
    DiscountExclTax = money("discount_excl_tax")
    DiscountInclTax = money("discount_incl_tax")
    HasTax = serializers.SerializerMethodField(method_name="get_has_tax")
    IsShipping = serializers.SerializerMethodField(method_name="get_is_shipping")
    TaxCode = serializers.CharField(source="tax_code")
    Product = serializers.SerializerMethodField(method_name="get_product")

    class Meta:
        model = OrderLine
        fields = [
            "Sku",
            "Name",
            "Quantity",
            "PriceExclTax",
            "PriceInclTax",
            "DiscountExclTax",
            "DiscountInclTax",
            "HasTax",
            "IsShipping",
            "TaxCode",
            "Product",
        ]

    def get_has_tax(self, line: OrderLine) -> bool:
        return line.unit_price_incl_tax > line.unit_price_excl_tax

    def get_is_shipping(self, line: OrderLine) -> bool:
        return False

    def get_product(self, line: OrderLine) -> dict[str, Any]:
        return {"Sku": line.sku, "Name": line.name, "Amount": line.unit_price_excl_tax}


class DiscountSerializer(serializers.ModelSerializer[Discount]):
    """JMADiscount."""

    Name = serializers.CharField(source="name")
    Code = serializers.CharField(source="code")
    Amount = money("amount")
    NonTaxable = serializers.BooleanField(source="non_taxable")

    class Meta:
        model = Discount
        fields = ["Name", "Code", "Amount", "NonTaxable"]


class PaymentSerializer(serializers.ModelSerializer[Payment]):
    """JMAPayment; ``payment.order`` is the prefetching order, so it costs no query."""

    OrderNumber = serializers.CharField(source="order.number")
    Order = serializers.SerializerMethodField(method_name="get_order")
    PaymentAmount = money("amount")
    PaymentDate = local_time("paid_at")
    CreditCardName = serializers.CharField(source="method")
    ReferenceNumber = serializers.SerializerMethodField(method_name="get_reference")
    DepositAccount = serializers.CharField(source="deposit_account")
    Id = serializers.IntegerField(source="id")
    ModifiedDate = local_time("modified_at")

    class Meta:
        model = Payment
        fields = [
            "OrderNumber",
            "Order",
            "PaymentAmount",
            "PaymentDate",
            "CreditCardName",
            "ReferenceNumber",
            "DepositAccount",
            "Id",
            "ModifiedDate",
        ]

    def get_order(self, payment: Payment) -> dict[str, str]:
        return {"OrderNumber": payment.order.number}

    def get_reference(self, payment: Payment) -> str:
        return payment.reference or payment.order.number


class OrderSerializer(serializers.ModelSerializer[Order]):
    """JMAOrder; ``context["cancelled"]`` marks the ``CancelledOrders`` list."""

    OrderNumber = serializers.CharField(source="number")
    Id = serializers.IntegerField(source="id")
    Other = serializers.SerializerMethodField(method_name="get_other")
    CreationDate = local_time("created_at")
    ModifiedDate = local_time("modified_at")
    PaidDate = local_time("paid_at")
    OrderStatus = serializers.SerializerMethodField(method_name="get_status")
    StoreName = serializers.CharField(source="store_name")
    Total = money("total")
    TotalInclTax = money("total")
    TotalExclTax = serializers.SerializerMethodField(method_name="get_total_excl_tax")
    TotalTax = money("total_tax")
    ShippingInclTax = money("shipping_incl_tax")
    ShippingExclTax = money("shipping_excl_tax")
    ShippingMethod = serializers.CharField(source="shipping_method")
    DiscountInclTax = money("discount_incl_tax")
    DiscountExclTax = money("discount_excl_tax")
    Discounts = DiscountSerializer(source="discounts", many=True)
    OrderDetails = OrderLineSerializer(source="lines", many=True)
    BillingAddress = serializers.SerializerMethodField(method_name="get_billing")
    ShippingAddress = serializers.SerializerMethodField(method_name="get_shipping")
    Customer = serializers.SerializerMethodField(method_name="get_customer")
    CreditCardName = serializers.CharField(source="payment_method")
    ReferenceNumber = serializers.CharField(source="payment_reference")
    CurrencyCode = serializers.CharField(source="currency")
    TrackingNumber = serializers.CharField(source="tracking_number")
    ShippingDate = local_time("shipped_at")
    Note = serializers.CharField(source="note")
    PrivateNote = serializers.CharField(source="private_note")
    ParentOrderNumber = serializers.CharField(source="parent_number")
    InvoiceMode = serializers.CharField(source="invoice_mode")

    class Meta:
        model = Order
        fields = [
            "OrderNumber",
            "Id",
            "Other",
            "CreationDate",
            "ModifiedDate",
            "PaidDate",
            "OrderStatus",
            "StoreName",
            "Total",
            "TotalInclTax",
            "TotalExclTax",
            "TotalTax",
            "ShippingInclTax",
            "ShippingExclTax",
            "ShippingMethod",
            "DiscountInclTax",
            "DiscountExclTax",
            "Discounts",
            "OrderDetails",
            "BillingAddress",
            "ShippingAddress",
            "Customer",
            "CreditCardName",
            "ReferenceNumber",
            "CurrencyCode",
            "TrackingNumber",
            "ShippingDate",
            "Note",
            "PrivateNote",
            "ParentOrderNumber",
            "InvoiceMode",
        ]

    def get_other(self, order: Order) -> str:
        return str(order.pk)

    def get_status(self, order: Order) -> str:
        return CANCELLED_STATUS if self.context.get("cancelled") else order.status

    def get_total_excl_tax(self, order: Order) -> Decimal:
        return order.total - order.total_tax

    def get_billing(self, order: Order) -> dict[str, Any]:
        if order.billing_address is None:
            return {**AddressSerializer(Address()).data, "Email": order.customer_email}
        return dict(AddressSerializer(order.billing_address).data)

    def get_shipping(self, order: Order) -> dict[str, Any]:
        if order.shipping_address is None:
            return self.get_billing(order)
        return dict(AddressSerializer(order.shipping_address).data)

    def get_customer(self, order: Order) -> dict[str, Any]:
        return {"Id": order.customer_id or 0, "Email": order.customer_email, "CompanyName": order.customer_company}

    def to_representation(self, instance: Order) -> dict[str, Any]:
        data = dict(super().to_representation(instance))
        if data["InvoiceMode"] not in INVOICE_MODES:
            del data["InvoiceMode"]
        return data


def orders_json(start: dt.datetime, end: dt.datetime) -> bytes:
    """The JMAUser JSON of the orders whose ``modified_at`` lies in ``[start, end]``."""
    orders = (
        Order.objects.filter(modified_at__gte=start, modified_at__lte=end)
        .order_by("modified_at", "id")
        .select_related("billing_address", "shipping_address")
        .prefetch_related("lines", "discounts", "payments")
    )
    cancelled_statuses = {status.lower() for status in app_settings.CANCELLED_STATUSES}
    sales = [order for order in orders if order.status.lower() not in cancelled_statuses]
    refunds = [order for order in orders if order.status.lower() in cancelled_statuses]
    payments = [payment for order in sales for payment in order.payments.all()]
    data = {
        "Orders": OrderSerializer(sales, many=True).data,
        "CancelledOrders": OrderSerializer(refunds, many=True, context={"cancelled": True}).data,
        "Payments": PaymentSerializer(payments, many=True).data,
        "Purchases": [],
        "ProductsToQB": [],
        "ProductsFromQBToUpdate": [],
        "InventoryAdjustments": [],
        "Customers": [],
    }
    return JSONRenderer().render(data)
