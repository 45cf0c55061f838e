"""Fixtures shared by the whole suite."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.cache import cache
from shop.harness import DemoShopHarness

from connex_bridge import lockout
from connex_bridge.models import ConnexCredential
from connex_bridge.testing.client import ConnexClient
from connex_bridge.testing.harness import BuiltinHarness, ShopHarness
from tests.altshop.harness import AltShopDeclarativeHarness, AltShopHarness, AltShopTrackedHarness
from tests.jsonshop.harness import JsonShopHarness

#: The order sources the tests that take ``shop`` run against (tests/test_flows.py and others).
#: The endpoint contract suite itself runs per source from tests/test_contract.py,
#: tests/test_oscar_contract.py and example_project/shop/tests/, as a host runs it.
HARNESSES: list[ShopHarness] = [
    BuiltinHarness(),
    AltShopHarness(),
    AltShopDeclarativeHarness(),
    AltShopTrackedHarness(),
    DemoShopHarness(),
    JsonShopHarness(),
]
if os.environ.get("CONNEX_TEST_OSCAR"):  # tests/settings.py installs django-oscar (tox -e oscar)
    from connex_bridge.contrib.oscar.testing import OscarHarness

    HARNESSES.append(OscarHarness())
else:
    collect_ignore = ["test_oscar.py", "test_oscar_contract.py", "test_oscar_inventory.py"]


@pytest.fixture(params=HARNESSES, ids=lambda harness: harness.name)
def shop(request: pytest.FixtureRequest, settings: Any, db: None) -> ShopHarness:
    """The shop under test: each endpoint contract test runs once per order source."""
    harness: ShopHarness = request.param
    settings.CONNEX_BRIDGE = dict(harness.connex_settings)
    return harness


@pytest.fixture(autouse=True)
def _forget_failed_sign_ins(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Each test starts with no failed sign-ins counted (the lockout lives in the cache), and with
    no failure of the lockout cache logged yet (each is logged once)."""
    monkeypatch.setattr(lockout, "cache_failures", lockout.CacheFailures())
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def credential(request: pytest.FixtureRequest, db: None) -> ConnexCredential:
    harness = request.getfixturevalue("shop") if "shop" in request.fixturenames else BuiltinHarness()
    return harness.credential(username="connex")


@pytest.fixture
def connex(credential: ConnexCredential) -> ConnexClient:
    """A client polling as Connex with a valid credential."""
    return ConnexClient(credential)
