"""Read-only admin lists of the built-in order store: orders (and refunds), purchase orders, products.

They hold what Connex is served when the built-in source and adapters are configured
(``ORDER_SOURCE``, ``PURCHASES_ADAPTER``, ``STOCK_ADAPTER``; the defaults). The rows come from the
shop's own code (the models' API), from Connex's ``createorders`` and ``inventory``, or from the demo
shop's seeding, never from the admin: nothing is added, changed or deleted here. Each list is
registered always and shown in the admin index only while its source or adapter is the built-in
one (a shop with its own order models would see an empty list and wonder); its URL keeps working.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from connex_bridge.conf import app_settings
from connex_bridge.models import Discount, Order, OrderLine, Payment, Product, PurchaseOrder, PurchaseOrderLine


def _is_builtin(setting: str, builtin: str) -> bool:
    """True when the dotted path in ``setting`` names the built-in class ``builtin`` (or a subclass)."""
    try:
        value = getattr(app_settings, setting) if setting == "ORDER_SOURCE" else app_settings.get(setting)
        if not value:
            return False
        return issubclass(import_string(value), import_string(builtin))
    except Exception:  # a wrong setting is the system checks' to report, not the admin index's
        return False


class ReadOnlyMixin:
    """Neither add nor change nor delete: the view permission is enough to read."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ReadOnlyInline(ReadOnlyMixin, admin.TabularInline):  # type: ignore[type-arg]
    extra = 0
    can_delete = False
    show_change_link = False

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [field.name for field in self.model._meta.fields if field.name not in ("id", self.fk_name or "order")]


class OrderLineInline(ReadOnlyInline):
    model = OrderLine
    fields = ["sku", "name", "quantity", "unit_price_excl_tax", "unit_price_incl_tax", "discount_excl_tax",
              "discount_incl_tax", "tax_code"]  # fmt: skip


class DiscountInline(ReadOnlyInline):
    model = Discount
    fields = ["name", "code", "amount", "non_taxable"]


class PaymentInline(ReadOnlyInline):
    model = Payment
    fields = ["amount", "paid_at", "method", "reference", "deposit_account", "modified_at"]


class BuiltinAdmin(ReadOnlyMixin, admin.ModelAdmin):  # type: ignore[type-arg]
    #: (setting, built-in class): the list is in the admin index while the setting names that class.
    used_when: tuple[str, str]

    def get_model_perms(self, request: HttpRequest) -> dict[str, bool]:
        if not _is_builtin(*self.used_when):
            return {}  # left out of the index; the URL still works
        return super().get_model_perms(request)

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return [field.name for field in self.model._meta.fields if field.name != "id"]


class RefundFilter(admin.SimpleListFilter):
    title = _("kind")
    parameter_name = "kind"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, Any]]:
        return [("sale", _("Sales")), ("refund", _("Refunds"))]

    def queryset(self, request: HttpRequest, queryset: Any) -> Any:
        if self.value() == "sale":
            return queryset.filter(parent_number="")
        if self.value() == "refund":
            return queryset.exclude(parent_number="")
        return queryset


@admin.register(Order)
class OrderAdmin(BuiltinAdmin):
    """The built-in orders and refunds (a refund is an order with the number of the sale it refunds)."""

    used_when = ("ORDER_SOURCE", "connex_bridge.sources.builtin.BuiltinOrderSource")
    list_display = ["number", "status", "store_name", "total", "currency", "parent_number", "created_at",
                    "modified_at"]  # fmt: skip
    list_filter = ["store_name", "status", RefundFilter, "modified_at"]
    search_fields = ["=number", "=parent_number", "customer_email"]
    search_help_text = _("An order number (exactly), the sale a refund refunds, or a customer's email.")
    date_hierarchy = "modified_at"
    list_select_related = False
    inlines = [OrderLineInline, DiscountInline, PaymentInline]
    ordering = ["-modified_at", "-id"]


@admin.register(Payment)
class PaymentAdmin(BuiltinAdmin):
    used_when = ("ORDER_SOURCE", "connex_bridge.sources.builtin.BuiltinOrderSource")
    list_display = ["order", "amount", "method", "reference", "paid_at", "modified_at"]
    list_filter = ["method", "order__store_name", "modified_at"]
    search_fields = ["=order__number", "reference"]
    list_select_related = ["order"]
    ordering = ["-modified_at", "-id"]


class PurchaseOrderLineInline(ReadOnlyInline):
    model = PurchaseOrderLine
    fk_name = "purchase_order"
    fields = ["sku", "name", "quantity", "quantity_received", "unit_cost"]


@admin.register(PurchaseOrder)
class PurchaseOrderAdmin(BuiltinAdmin):
    used_when = ("PURCHASES_ADAPTER", "connex_bridge.purchases.builtin.BuiltinPurchasesAdapter")
    list_display = ["number", "purchase_type", "status", "vendor", "total", "currency", "modified_at"]
    list_filter = ["purchase_type", "status", "modified_at"]
    search_fields = ["=number", "vendor"]
    date_hierarchy = "modified_at"
    inlines = [PurchaseOrderLineInline]
    ordering = ["-modified_at", "-id"]


@admin.register(Product)
class ProductAdmin(BuiltinAdmin):
    used_when = ("STOCK_ADAPTER", "connex_bridge.stock.builtin.BuiltinStockAdapter")
    list_display = ["sku", "name", "stock_quantity", "tracks_stock", "price"]
    list_filter = ["tracks_stock"]
    search_fields = ["sku", "name"]
