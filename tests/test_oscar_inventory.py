"""django-oscar on the catalogue side: stock records by partner SKU, and no purchase orders.

tests/test_inventory.py runs every ``inventory`` test against Oscar too (``OscarStockHarness``);
these are what only Oscar has. Collected under ``tox -e oscar`` only (tests/conftest.py).
"""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from oscar.core.loading import get_model
from oscar.test import factories

from connex_bridge.contrib.oscar.stock import OscarStockAdapter
from connex_bridge.contrib.oscar.testing import OscarStockHarness
from connex_bridge.flows import inventory
from connex_bridge.records import ProductRecord
from connex_bridge.testing.client import ConnexClient
from connex_bridge.testing.contract import day_window
from connex_bridge.testing.factories import ConnexCredentialFactory

StockRecord = get_model("partner", "StockRecord")
ProductClass = get_model("catalogue", "ProductClass")
Product = get_model("catalogue", "Product")

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _oscar(settings):
    settings.CONNEX_BRIDGE = dict(OscarStockHarness.connex_settings)


def test_purchaseorders_answers_501_oscar_has_no_purchase_orders():
    response = ConnexClient(ConnexCredentialFactory()).get("/connex/purchaseorders", day_window())

    assert response.status_code == 501
    assert response.json().startswith("This shop does not send purchase orders or bills to QuickBooks")


def test_a_variant_is_named_and_tracked_by_its_parent():
    untracked, _ = ProductClass.objects.get_or_create(name="Gift cards", defaults={"track_stock": False})
    parent = factories.create_product(title="Gift card", product_class="Gift cards", structure="parent")
    child = Product.objects.create(title="", parent=parent, structure=Product.CHILD)  # a variant has no class
    factories.create_stockrecord(child, partner_name="Shop", partner_sku="GIFT-25", num_in_stock=3)
    assert child.product_class is None and untracked.track_stock is False

    result = inventory.apply(ConnexCredentialFactory(), [ProductRecord(sku="GIFT-25", stock_quantity=Decimal(9))])

    assert result.applied == []
    assert "does not track stock of 'GIFT-25'" in result.refused["GIFT-25"]
    assert StockRecord.objects.get(partner_sku="GIFT-25").num_in_stock == 3


def test_a_sku_two_partners_use_is_refused_unless_the_adapter_names_its_partner():
    factories.create_product(title="Blue mug", partner_name="East warehouse", partner_sku="MUG", num_in_stock=1)
    factories.create_product(title="Blue mug", partner_name="West warehouse", partner_sku="MUG", num_in_stock=2)
    credential = ConnexCredentialFactory()
    push = [ProductRecord(sku="MUG", stock_quantity=Decimal(12))]

    refused = inventory.apply(credential, push)

    class EastAdapter(OscarStockAdapter):
        partner_name = "East warehouse"

    applied = inventory.apply(credential, push, adapter=EastAdapter())

    assert "2 of the shop's products have SKU 'MUG'" in refused.refused["MUG"]
    assert [(level.sku, level.stock_quantity, level.name) for level in applied.applied] == [("MUG", 12, "Blue mug")]
    held = dict(StockRecord.objects.values_list("partner__name", "num_in_stock"))
    assert held == {"East warehouse": 12, "West warehouse": 2}


def test_allocated_units_are_left_alone_and_a_stock_record_without_a_level_gets_one():
    factories.create_product(title="Kettle", partner_name="Shop", partner_sku="KETTLE", num_in_stock=10)
    StockRecord.objects.filter(partner_sku="KETTLE").update(num_allocated=4)
    factories.create_product(title="Scale", partner_name="Shop", partner_sku="SCALE")
    StockRecord.objects.filter(partner_sku="SCALE").update(num_in_stock=None)
    body = json.dumps([{"Sku": "KETTLE", "StockQuantity": 6.0}, {"Sku": "SCALE", "StockQuantity": 0}])

    response = ConnexClient(ConnexCredentialFactory()).put("/connex/inventory", body, content_type="application/json")

    assert response.json()["ProductSkusErrors"] == {}
    kettle = StockRecord.objects.get(partner_sku="KETTLE")
    assert (kettle.num_in_stock, kettle.num_allocated, kettle.net_stock_level) == (6, 4, 2)
    assert StockRecord.objects.get(partner_sku="SCALE").num_in_stock == 0
