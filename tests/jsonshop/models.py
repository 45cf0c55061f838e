"""A test-only shop of a common lightweight shape, which connex_bridge was not designed against.

One store and one currency (no field for either); each item keeps the product's SKU and name in a
JSON snapshot; tax, shipping and coupons are rows in a JSON field on the order, their amounts as text;
addresses are free text; payments have a table of their own; and ``date_updated`` does not move when
a payment is added (the shop saves payments without touching the order).
"""

from django.db import models


class Order(models.Model):
    number = models.CharField(max_length=20, unique=True)
    status = models.CharField(max_length=20)
    email = models.EmailField()
    billing_address = models.TextField(blank=True)
    shipping_address = models.TextField(blank=True)
    total = models.DecimalField(max_digits=12, decimal_places=2)
    #: {"rows": [{"kind": "tax" | "shipping" | "coupon", "label": ..., "code": ..., "amount": "1.23"}]}
    _extra = models.JSONField(default=dict, blank=True)
    date_created = models.DateTimeField(auto_now_add=True)
    date_updated = models.DateTimeField(auto_now=True)


class OrderItem(models.Model):
    order = models.ForeignKey(Order, models.CASCADE, related_name="items")
    #: {"code": "MUG-1", "name": "Mug"}: the product as it was when ordered.
    product_data = models.JSONField()
    quantity = models.PositiveIntegerField()
    #: Unit price without tax (the shop adds sales tax on the order).
    price = models.DecimalField(max_digits=12, decimal_places=2)


class Payment(models.Model):
    order = models.ForeignKey(Order, models.CASCADE, related_name="payments")
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    created = models.DateTimeField(auto_now_add=True)
    provider = models.CharField(max_length=30)
    transaction_id = models.CharField(max_length=60, blank=True)


class GiftCardRedemption(models.Model):
    """A second kind of payment, with no related_name: ``order.giftcardredemption_set``."""

    order = models.ForeignKey(Order, models.CASCADE)
    amount = models.DecimalField(max_digits=12, decimal_places=2)
    redeemed_at = models.DateTimeField(auto_now_add=True)
