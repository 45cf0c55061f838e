"""The built-in order store in the admin: read-only lists, searchable by number, shown while it is in use."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from connex_bridge.models import Order, Product, PurchaseOrder
from connex_bridge.testing.factories import OrderFactory

pytestmark = pytest.mark.django_db

ORDERS = reverse("admin:connex_bridge_order_changelist")


def test_orders_list_searches_by_number_and_filters_by_store_status_and_modified(admin_client):
    OrderFactory(number="D1042", store_name="Web", status="shipped")
    OrderFactory(number="D1043", store_name="Retail", status="paid")
    OrderFactory(number="D1042-R1", parent_number="D1042", store_name="Web", status="refunded")

    found = admin_client.get(ORDERS, {"q": "D1042"}).content.decode()
    every = admin_client.get(ORDERS).content.decode()

    assert "D1042" in found and "D1043" not in found
    assert "D1042-R1" in found  # its sale's number finds the refund too
    for facet in ("?store_name=Retail", "?status=paid", "?kind=refund", "?modified_at__gte="):
        assert facet in every
    refunds = admin_client.get(ORDERS, {"kind": "refund"}).content.decode()
    assert "D1042-R1" in refunds and "D1043" not in refunds


def test_an_order_is_read_only_with_its_lines_and_payments(admin_client):
    order = OrderFactory(number="D2001", lines=[{"sku": "MUG-1", "name": "Mug", "unit_price_excl_tax": Decimal("9")}])
    change = reverse("admin:connex_bridge_order_change", args=[order.pk])

    content = admin_client.get(change).content.decode()

    assert "MUG-1" in content and "Visa" in content
    assert 'name="_save"' not in content
    assert 'name="lines-0-sku"' not in content
    assert admin_client.get(reverse("admin:connex_bridge_order_add")).status_code == 403
    assert admin_client.post(change, {"number": "X", "status": "void"}).status_code == 403
    assert admin_client.get(reverse("admin:connex_bridge_order_delete", args=[order.pk])).status_code == 403
    order.refresh_from_db()
    assert (order.number, order.status) == ("D2001", "shipped")


def test_purchase_orders_and_products_are_listed_read_only(admin_client):
    PurchaseOrder.objects.create(number="PO-7", vendor="Acme Supplies", total=Decimal("5.00"))
    Product.objects.create(sku="MUG-1", name="Mug", stock_quantity=4)

    purchases = admin_client.get(reverse("admin:connex_bridge_purchaseorder_changelist"), {"q": "PO-7"})
    products = admin_client.get(reverse("admin:connex_bridge_product_changelist"))

    assert "Acme Supplies" in purchases.content.decode()
    assert "MUG-1" in products.content.decode()
    assert admin_client.get(reverse("admin:connex_bridge_product_add")).status_code == 403


def test_the_index_lists_the_built_in_store_only_while_it_is_configured(admin_client, settings):
    index = admin_client.get(reverse("admin:index")).content.decode()
    assert ORDERS in index

    settings.CONNEX_BRIDGE = {
        "ORDER_SOURCE": "shop.connex.ShopOrderSource",
        "STOCK_ADAPTER": None,
        "PURCHASES_ADAPTER": None,
    }
    index = admin_client.get(reverse("admin:index")).content.decode()

    assert ORDERS not in index
    assert reverse("admin:connex_bridge_product_changelist") not in index
    assert reverse("admin:connex_bridge_connexcredential_changelist") in index
    assert admin_client.get(ORDERS).status_code == 200  # still reachable by its URL
    assert not Order.objects.exists()
