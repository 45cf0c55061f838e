"""The demo shop's back office in the Django admin."""

from __future__ import annotations

from django.contrib import admin

from shop.models import (
    Address,
    Channel,
    Country,
    Coupon,
    CouponRedemption,
    Customer,
    Order,
    OrderItem,
    Payment,
    Product,
    PurchaseOrder,
    PurchaseOrderItem,
    Shipment,
    Supplier,
)


@admin.register(Product)
class ProductAdmin(admin.ModelAdmin):
    list_display = ["sku", "title", "price", "stock_quantity", "taxable"]
    list_filter = ["taxable"]
    search_fields = ["sku", "title"]


@admin.register(Customer)
class CustomerAdmin(admin.ModelAdmin):
    list_display = ["email", "first_name", "last_name", "company"]
    search_fields = ["email", "first_name", "last_name", "company"]


@admin.register(Address)
class AddressAdmin(admin.ModelAdmin):
    list_display = ["__str__", "region", "country"]
    list_filter = ["country"]
    search_fields = ["first_name", "last_name", "street", "city"]


@admin.register(Coupon)
class CouponAdmin(admin.ModelAdmin):
    list_display = ["code", "title"]
    search_fields = ["code", "title"]


admin.site.register([Channel, Country])


class OrderItemInline(admin.TabularInline):
    model = OrderItem
    raw_id_fields = ["product"]
    extra = 0


class CouponRedemptionInline(admin.TabularInline):
    model = CouponRedemption
    extra = 0


class PaymentInline(admin.TabularInline):
    model = Payment
    extra = 0


class ShipmentInline(admin.TabularInline):
    model = Shipment
    extra = 0


@admin.register(Order)
class OrderAdmin(admin.ModelAdmin):
    list_display = ["reference", "state", "channel", "customer", "placed_at", "grand_total", "refund_of"]
    list_filter = ["state", "channel", "placed_at"]
    search_fields = ["reference", "email", "customer__last_name", "customer__company"]
    date_hierarchy = "placed_at"
    raw_id_fields = ["customer", "billing_address", "shipping_address", "refund_of"]
    readonly_fields = ["updated_at"]
    list_select_related = ["channel", "customer", "refund_of"]
    inlines = [OrderItemInline, CouponRedemptionInline, PaymentInline, ShipmentInline]


@admin.register(Supplier)
class SupplierAdmin(admin.ModelAdmin):
    list_display = ["name", "email"]
    search_fields = ["name", "email"]
    raw_id_fields = ["address"]


class PurchaseOrderItemInline(admin.TabularInline):
    model = PurchaseOrderItem
    raw_id_fields = ["product"]
    extra = 0


@admin.register(PurchaseOrder)
class PurchaseOrderAdmin(admin.ModelAdmin):
    list_display = ["reference", "kind", "state", "supplier", "ordered_at", "grand_total"]
    list_filter = ["kind", "state", "supplier"]
    search_fields = ["reference", "supplier__name"]
    date_hierarchy = "ordered_at"
    readonly_fields = ["updated_at"]
    list_select_related = ["supplier"]
    inlines = [PurchaseOrderItemInline]
