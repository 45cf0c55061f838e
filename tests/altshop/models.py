"""A test-only shop shaped nothing like Connex: cents, codes, a channel table, merchants, JSON."""

from django.db import models


class Channel(models.Model):
    label = models.CharField(max_length=50)


class Sale(models.Model):
    ref = models.CharField(max_length=20, unique=True)
    state = models.CharField(max_length=20)
    channel = models.ForeignKey(Channel, models.PROTECT)
    merchant = models.CharField(max_length=20, default="acme")
    placed_on = models.DateTimeField()
    touched = models.DateTimeField()
    buyer_email = models.EmailField()
    total_cents = models.IntegerField()
    tax_cents = models.IntegerField(default=0)
    shipping_cents = models.IntegerField(default=0)
    discount_cents = models.IntegerField(default=0)
    parent_ref = models.CharField(max_length=20, blank=True)
    extra = models.JSONField(default=dict, blank=True)


class SaleItem(models.Model):
    sale = models.ForeignKey(Sale, models.CASCADE, related_name="items")
    product_code = models.CharField(max_length=30)
    title = models.CharField(max_length=100)
    qty = models.IntegerField()
    price_cents = models.IntegerField()
    gross_cents = models.IntegerField()
    discount_cents = models.IntegerField(default=0)
    product_data = models.JSONField(default=dict, blank=True)


class Receipt(models.Model):
    sale = models.ForeignKey(Sale, models.CASCADE, related_name="receipts")
    cents = models.IntegerField()
    taken = models.DateTimeField()
    card = models.CharField(max_length=20)
    txn = models.CharField(max_length=40, blank=True)


class Promotion(models.Model):
    """Coupons shared by many sales: a many-to-many relation, which lines, payments and discounts may be."""

    code = models.CharField(max_length=20)
    sales = models.ManyToManyField(Sale, related_name="promotions")
