"""The JSON shop's order source: docs/connect-your-shop.md shows this file from its imports on."""

from decimal import Decimal

from django.db.models import Value

from connex_bridge.records import DiscountRecord
from connex_bridge.sources import DeclarativeOrderSource


def rows(order, kind):
    return [row for row in order._extra.get("rows", []) if row["kind"] == kind]


class JsonShopSource(DeclarativeOrderSource):
    model = "jsonshop.Order"  # number_field "number" and status_field "status" are the defaults
    store_field, store_name = None, "Shop"  # one store: every order's StoreName is "Shop"
    created_field = "date_created"
    modified_field = None  # date_updated misses payments: track changes instead
    track_changes = {"jsonshop.Order": "pk", "jsonshop.OrderItem": "order_id", "jsonshop.Payment": "order_id"}
    order_fields = {"total": "total", "currency": Value("USD"), "customer.email": "email",
                    "billing_address.text": "billing_address", "shipping_address.text": "shipping_address"}
    lines = "items"
    line_fields = {"sku": "product_data__code", "name": "product_data__name", "quantity": "quantity",
                   "unit_price_excl_tax": "price", "taxable": Value(True)}  # sales tax is on the order
    payments = "payments"
    payment_fields = {"amount": "amount", "paid_at": "created", "method": "provider", "reference": "transaction_id"}

    def get_total_tax(self, order):
        return sum(Decimal(row["amount"]) for row in rows(order, "tax"))

    def get_shipping_excl_tax(self, order):
        return sum(Decimal(row["amount"]) for row in rows(order, "shipping"))

    def get_discounts(self, order):  # the order's discount_excl_tax is their sum
        return [DiscountRecord(name=row["label"], code=row["code"], amount=Decimal(row["amount"]))
                for row in rows(order, "coupon")]
