"""The demo shop's models: a small US coffee shop selling on its web site and two marketplaces.

Shaped like a shop, not like Connex: references and states are the shop's own, prices are stored net of
sales tax with a gross twin where tax applies, and a refund is an order of its own (``refund_of`` names
the sale it pays back). Nothing here knows about Connex; ``shop.connex`` adapts these models to it.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import models
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

ZERO = Decimal("0.00")


def money(verbose_name: str, **kwargs: Any) -> models.DecimalField[Any, Any]:
    """An amount in the order's currency."""
    kwargs.setdefault("default", ZERO)
    return models.DecimalField(verbose_name, max_digits=12, decimal_places=2, **kwargs)


class Channel(models.Model):
    """Where orders are placed: the web shop or a marketplace."""

    name = models.CharField(max_length=50, unique=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Country(models.Model):
    """A country addresses can be in."""

    code = models.CharField("ISO code", max_length=2, primary_key=True)
    name = models.CharField(max_length=100)

    class Meta:
        ordering = ["name"]
        verbose_name_plural = "countries"

    def __str__(self) -> str:
        return self.name


class Product(models.Model):
    """Something the shop sells."""

    sku = models.CharField("SKU", max_length=40, unique=True)
    title = models.CharField(max_length=200)
    price = money("price", help_text="Before sales tax.")
    stock_quantity = models.IntegerField(default=0)
    taxable = models.BooleanField(default=True, help_text="Subject to sales tax (food and clothing are not).")

    class Meta:
        ordering = ["sku"]

    def __str__(self) -> str:
        return f"{self.sku} {self.title}"


class Customer(models.Model):
    """Someone who has bought from the shop."""

    email = models.EmailField(unique=True)
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    company = models.CharField(max_length=200, blank=True)
    phone = models.CharField(max_length=50, blank=True)

    class Meta:
        ordering = ["last_name", "first_name"]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"


class Address(models.Model):
    """A postal address as typed at checkout. Each order keeps its own copies, so later edits never
    rewrite an order that was already invoiced."""

    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    company = models.CharField(max_length=200, blank=True)
    street = models.CharField(max_length=200)
    street_2 = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100)
    region = models.CharField("state / province", max_length=50, blank=True)
    postcode = models.CharField(max_length=20, blank=True)
    country = models.ForeignKey(Country, models.PROTECT, related_name="+")
    phone = models.CharField(max_length=50, blank=True)

    class Meta:
        verbose_name_plural = "addresses"

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}, {self.street}, {self.city}"


class Coupon(models.Model):
    """A discount code customers type at checkout."""

    code = models.CharField(max_length=40, unique=True)
    title = models.CharField(max_length=200)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class Order(models.Model):
    """A sale, or a refund of one (``refund_of`` set, state ``refunded``).

    ``updated_at`` moves whenever the order is saved, and whenever one of its items, coupons, payments or
    shipments is saved or deleted (see :func:`touch_order`). Code that writes with ``queryset.update()``
    or ``bulk_create()`` sets it itself.
    """

    class State(models.TextChoices):
        NEW = "new", "New (awaiting payment)"
        PAID = "paid", "Paid"
        PACKED = "packed", "Packed"
        DISPATCHED = "dispatched", "Dispatched"
        DELIVERED = "delivered", "Delivered"
        CANCELLED = "cancelled", "Cancelled"
        REFUNDED = "refunded", "Refunded"

    reference = models.CharField(max_length=20, unique=True)
    state = models.CharField(max_length=20, choices=State.choices, default=State.NEW, db_index=True)
    channel = models.ForeignKey(Channel, models.PROTECT, related_name="orders")
    customer = models.ForeignKey(Customer, models.PROTECT, related_name="orders")
    email = models.EmailField(help_text="Where order mail goes; marketplaces hand out a relay address.")
    placed_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    currency = models.CharField(max_length=3, default="USD")

    billing_address = models.ForeignKey(Address, models.PROTECT, related_name="+")
    shipping_address = models.ForeignKey(
        Address, models.PROTECT, null=True, blank=True, related_name="+", help_text="Empty when nothing ships."
    )
    shipping_method = models.CharField(max_length=100, blank=True)

    items_total = money("items total", help_text="Items after their own discounts, before tax.")
    discount_total = money("coupon discount", help_text="Before tax.")
    discount_total_gross = money("coupon discount incl. tax")
    shipping_fee = money("shipping fee", help_text="Before tax.")
    shipping_fee_gross = money("shipping fee incl. tax")
    tax_total = money("sales tax")
    grand_total = money("grand total")

    customer_note = models.TextField(blank=True)
    staff_note = models.TextField(blank=True)
    refund_of = models.ForeignKey(
        "self", models.PROTECT, null=True, blank=True, related_name="refunds", help_text="The sale this refunds."
    )

    class Meta:
        ordering = ["-placed_at", "-id"]

    def __str__(self) -> str:
        return self.reference


class OrderItem(models.Model):
    """A product on an order, at the prices it sold for."""

    order = models.ForeignKey(Order, models.CASCADE, related_name="items")
    product = models.ForeignKey(Product, models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(default=1)
    unit_price = money("unit price", help_text="Before tax.")
    unit_price_gross = money("unit price incl. tax")
    line_discount = money("line discount", help_text="On the whole line, before tax.")
    line_discount_gross = money("line discount incl. tax")

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.product.sku}"


class CouponRedemption(models.Model):
    """A coupon used on an order and what it took off."""

    order = models.ForeignKey(Order, models.CASCADE, related_name="coupon_redemptions")
    coupon = models.ForeignKey(Coupon, models.PROTECT, related_name="redemptions")
    amount = money("amount", help_text="Before tax.")
    amount_gross = money("amount incl. tax", help_text="Equal to the amount when the coupon lowered no tax.")

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.coupon.code} −{self.amount}"


class Payment(models.Model):
    """Money taken for an order, or on a refund, money paid back."""

    class Provider(models.TextChoices):
        STRIPE = "stripe", "Stripe"
        PAYPAL = "paypal", "PayPal"
        GIFT_CARD = "gift_card", "Gift card"
        MANUAL = "manual", "Manual (check, bank transfer)"
        AMAZON = "amazon", "Amazon (marketplace)"
        EBAY = "ebay", "eBay (marketplace)"

    order = models.ForeignKey(Order, models.CASCADE, related_name="payments")
    provider = models.CharField(max_length=20, choices=Provider.choices)
    method = models.CharField(max_length=50, help_text="As printed on the receipt: Visa, PayPal, Check …")
    amount = money("amount")
    captured_at = models.DateTimeField(default=timezone.now)
    transaction_id = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["captured_at", "id"]

    def __str__(self) -> str:
        return f"{self.amount} {self.method}"


class Shipment(models.Model):
    """A parcel sent for an order."""

    order = models.ForeignKey(Order, models.CASCADE, related_name="shipments")
    carrier = models.CharField(max_length=50)
    tracking_code = models.CharField(max_length=100)
    shipped_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["shipped_at", "id"]

    def __str__(self) -> str:
        return f"{self.carrier} {self.tracking_code}"


class Supplier(models.Model):
    """Someone the shop buys its stock from."""

    name = models.CharField(max_length=200, unique=True, help_text="As the books name the vendor.")
    email = models.EmailField(blank=True)
    address = models.ForeignKey(Address, models.PROTECT, related_name="+", help_text="Where their invoices come from.")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class PurchaseOrder(models.Model):
    """What the shop ordered from a supplier (``kind`` order), or a supplier's bill for goods delivered.

    ``updated_at`` moves whenever the purchase order or one of its items is saved (see
    :func:`touch_purchase_order`).
    """

    class Kind(models.TextChoices):
        ORDER = "order", "Purchase order"
        BILL = "bill", "Supplier bill"

    class State(models.TextChoices):
        SENT = "sent", "Sent to the supplier"
        PART_RECEIVED = "part_received", "Partly received"
        RECEIVED = "received", "Received"

    reference = models.CharField(max_length=20, unique=True)
    supplier = models.ForeignKey(Supplier, models.PROTECT, related_name="purchase_orders")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.ORDER)
    state = models.CharField(max_length=20, choices=State.choices, default=State.SENT)
    ordered_at = models.DateTimeField(default=timezone.now, db_index=True)
    updated_at = models.DateTimeField(auto_now=True, db_index=True)
    currency = models.CharField(max_length=3, default="USD")
    freight = money("freight", help_text="Before tax.")
    tax_total = money("tax")
    grand_total = money("grand total", help_text="Items at cost, plus freight and tax.")
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["-ordered_at", "-id"]

    def __str__(self) -> str:
        return self.reference


class PurchaseOrderItem(models.Model):
    """A product on a purchase order, at the unit cost agreed, and how many have arrived."""

    purchase_order = models.ForeignKey(PurchaseOrder, models.CASCADE, related_name="items")
    product = models.ForeignKey(Product, models.PROTECT, related_name="+")
    quantity = models.PositiveIntegerField(default=1)
    received = models.PositiveIntegerField(default=0)
    unit_cost = money("unit cost", help_text="Before tax.")

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.quantity} × {self.product.sku}"


def touch_purchase_order(sender: type[models.Model], instance: Any, raw: bool = False, **kwargs: Any) -> None:
    """A change to an item is a change to its purchase order: move ``updated_at``."""
    if raw:
        return
    PurchaseOrder.objects.filter(pk=instance.purchase_order_id).update(updated_at=timezone.now())


post_save.connect(touch_purchase_order, sender=PurchaseOrderItem, dispatch_uid="shop.touch_purchase_order.save")
post_delete.connect(touch_purchase_order, sender=PurchaseOrderItem, dispatch_uid="shop.touch_purchase_order.delete")


def touch_order(sender: type[models.Model], instance: Any, raw: bool = False, **kwargs: Any) -> None:
    """A change to an item, coupon, payment or shipment is a change to its order: move ``updated_at``,
    which the shop's back office and its Connex sync both read."""
    if raw:  # loaddata: fixtures are not changes
        return
    Order.objects.filter(pk=instance.order_id).update(updated_at=timezone.now())


for _part in (OrderItem, CouponRedemption, Payment, Shipment):
    post_save.connect(touch_order, sender=_part, dispatch_uid=f"shop.touch_order.save.{_part.__name__}")
    post_delete.connect(touch_order, sender=_part, dispatch_uid=f"shop.touch_order.delete.{_part.__name__}")
