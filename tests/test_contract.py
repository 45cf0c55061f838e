"""The endpoint contract suite against connex_bridge's own sources, run the way a host runs it.

One subclass of :class:`~connex_bridge.testing.contract.OrdersContract` per source, each naming
its harness. The demo shop runs it from example_project/shop/tests/, django-oscar from
tests/test_oscar_contract.py (``tox -e oscar``).
"""

from __future__ import annotations

import pytest

from connex_bridge.testing.contract import OrdersContract
from connex_bridge.testing.harness import BuiltinHarness, ShopHarness
from tests.altshop.harness import (
    AltShopDeclarativeHarness,
    AltShopHarness,
    AltShopOneStoreHarness,
    AltShopTrackedHarness,
)


class TestBuiltin(OrdersContract):
    harness = BuiltinHarness()


class TestAltShop(OrdersContract):
    harness = AltShopHarness()


class TestAltShopDeclarative(OrdersContract):
    harness = AltShopDeclarativeHarness()


class TestAltShopTracked(OrdersContract):
    harness = AltShopTrackedHarness()


class TestAltShopOneStore(OrdersContract):
    harness = AltShopOneStoreHarness()


def test_a_contract_class_without_a_harness_is_an_error_that_says_what_to_set():
    with pytest.raises(TypeError) as raised:

        class TestMyShop(OrdersContract):
            pass

    assert str(raised.value) == (
        "test_a_contract_class_without_a_harness_is_an_error_that_says_what_to_set.<locals>.TestMyShop runs the "
        "Connex contract suite but names no shop: set `harness = MyShopHarness()` in its body, an instance of a "
        "subclass of connex_bridge.testing.harness.ShopHarness (found None)."
    )


def test_a_harness_class_instead_of_an_instance_is_the_same_error():
    with pytest.raises(TypeError, match=r"names no shop: set `harness = MyShopHarness\(\)`.*found <class"):

        class TestMyShop(OrdersContract):
            harness = BuiltinHarness


def test_a_base_of_the_hosts_own_may_leave_the_harness_to_its_subclasses():
    class MyContract(OrdersContract):
        __test__ = False

    class TestMyShop(MyContract):
        harness = BuiltinHarness()

    assert (OrdersContract.__test__, MyContract.__test__, TestMyShop.__test__) == (False, False, True)
    assert isinstance(TestMyShop.harness, ShopHarness)
