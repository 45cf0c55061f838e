"""The endpoint contract suite against connex_bridge's own sources, run the way a host runs it.

One subclass of :class:`~connex_bridge.testing.contract.OrdersContract` per source, each naming
its harness. The demo shop runs it from example_project/shop/tests/, django-oscar from
tests/test_oscar_contract.py (``tox -e oscar``).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from connex_bridge.testing.contract import OrdersContract
from connex_bridge.testing.harness import BuiltinHarness, ShopHarness
from tests.altshop.harness import (
    AltShopDeclarativeHarness,
    AltShopHarness,
    AltShopOneStoreHarness,
    AltShopTrackedHarness,
)
from tests.jsonshop.harness import JsonShopHandWrittenHarness, JsonShopHarness

ROOT = Path(__file__).resolve().parent.parent
TEST = "test_orders_exactly_at_min_and_max_are_in_and_a_microsecond_outside_is_out"


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


class TestJsonShop(OrdersContract):
    """One store, JSON snapshots and money rows, free-text addresses, no currency, sales tax on the order."""

    harness = JsonShopHarness()


class TestJsonShopHandWritten(OrdersContract):
    harness = JsonShopHandWrittenHarness()


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


#: A host's test module, as docs/connect-your-shop.md tells a host to write it, around a source with a
#: classic bug: the lower bound of a window is exclusive, so an order modified at exactly
#: date_modified_min (which Connex sends after every sync) is never sent.
HOST_MODULE = """
import pytest

from connex_bridge.sources.builtin import BuiltinOrderSource
from connex_bridge.testing.contract import OrdersContract
from connex_bridge.testing.harness import BuiltinHarness


class EdgeDroppingSource(BuiltinOrderSource):
    def filter_window(self, queryset, field, start, end):
        if start is not None:
            queryset = queryset.filter(**{f"{field}__gt": start})
        if end is not None:
            queryset = queryset.filter(**{f"{field}__lte": end})
        return queryset


class EdgeDroppingHarness(BuiltinHarness):
    connex_settings = {"ORDER_SOURCE": "test_host_contract.EdgeDroppingSource"}


class ShopContract(OrdersContract):
    __test__ = False  # a base of the host's own: not collected, no harness yet


class TestSoundShop(ShopContract):
    harness = BuiltinHarness()


class TestBrokenShop(ShopContract):
    harness = EdgeDroppingHarness()


@pytest.mark.urls("tests.urls_root")
class TestServedAtTheRoot(OrdersContract):
    harness = BuiltinHarness()
"""


def run_host_suite(tmp_path: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """pytest on :data:`HOST_MODULE` in a project of its own: none of tests/'s conftest applies."""
    (tmp_path / "test_host_contract.py").write_text(HOST_MODULE)
    (tmp_path / "pytest.ini").write_text("[pytest]\nDJANGO_SETTINGS_MODULE = tests.settings\n")
    env = {name: value for name, value in os.environ.items() if name != "DJANGO_SETTINGS_MODULE"}
    # A database of its own: on PostgreSQL or MariaDB the host's run would otherwise create, and at its
    # end drop, the very test database this run is using.
    env["CONNEX_TEST_DB_NAME"] = os.environ.get("CONNEX_TEST_DB_NAME", "connex_bridge") + "_host"
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), str(ROOT / "example_project")])
    return subprocess.run(  # noqa: S603 - this interpreter, running pytest on the module above
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "-rf", *args],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def test_the_suite_run_by_a_host_fails_a_source_that_drops_orders_at_the_window_edge(tmp_path):
    run = run_host_suite(tmp_path, "-v", "-k", "microsecond_outside")

    assert run.returncode == 1, run.stdout + run.stderr
    outcomes = sorted(
        (nodeid.split("::")[1], nodeid.rpartition("[")[2].rstrip("]"), outcome)
        for nodeid, _, outcome in (line.partition(" ") for line in run.stdout.splitlines())
        if nodeid.startswith("test_host_contract.py::") and outcome.startswith(("PASSED", "FAILED"))
    )
    # Every subclass naming a harness ran; the host's own base and OrdersContract itself did not.
    assert [(cls, kind, outcome.split()[0]) for cls, kind, outcome in outcomes] == [
        ("TestBrokenShop", "created", "FAILED"),
        ("TestBrokenShop", "modified", "FAILED"),
        ("TestServedAtTheRoot", "created", "PASSED"),
        ("TestServedAtTheRoot", "modified", "PASSED"),
        ("TestSoundShop", "created", "PASSED"),
        ("TestSoundShop", "modified", "PASSED"),
    ], run.stdout
    assert f"FAILED test_host_contract.py::TestBrokenShop::{TEST}[modified]" in run.stdout
    # The assert is rewritten as in the host's own tests: the failure shows the order that went missing.
    assert "assert ['at-max', 'inside'] == ['at-max', 'at-min', 'inside']" in run.stdout
