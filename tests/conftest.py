"""Fixtures shared by the whole suite."""

from __future__ import annotations

import base64
import os
from typing import Any

import pytest
from django.test import Client

from connex_bridge.models import ConnexCredential
from connex_bridge.testing.harness import BuiltinHarness, ShopHarness
from tests.altshop.harness import AltShopDeclarativeHarness, AltShopHarness, AltShopTrackedHarness

#: Every order source the endpoint contract suite runs against. One line per source.
HARNESSES: list[ShopHarness] = [
    BuiltinHarness(),
    AltShopHarness(),
    AltShopDeclarativeHarness(),
    AltShopTrackedHarness(),
]
if os.environ.get("CONNEX_TEST_OSCAR"):  # tests/settings.py installs django-oscar (tox -e oscar)
    from connex_bridge.contrib.oscar.testing import OscarHarness

    HARNESSES.append(OscarHarness())
else:
    collect_ignore = ["test_oscar.py"]


def basic(username: str, password: str) -> str:
    """An HTTP Basic Authorization header value."""
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


class ConnexClient(Client):
    """A test client that sends one credential's Basic header, as Connex does."""

    def __init__(self, credential: ConnexCredential, **kwargs: Any) -> None:
        super().__init__(HTTP_AUTHORIZATION=basic(credential.username, credential.secret), **kwargs)  # type: ignore[attr-defined]


@pytest.fixture(params=HARNESSES, ids=lambda harness: harness.name)
def shop(request: pytest.FixtureRequest, settings: Any, db: None) -> ShopHarness:
    """The shop under test: each endpoint contract test runs once per order source."""
    harness: ShopHarness = request.param
    settings.CONNEX_BRIDGE = dict(harness.connex_settings)
    return harness


@pytest.fixture
def credential(request: pytest.FixtureRequest, db: None) -> ConnexCredential:
    harness = request.getfixturevalue("shop") if "shop" in request.fixturenames else BuiltinHarness()
    return harness.credential(username="connex")


@pytest.fixture
def connex(credential: ConnexCredential) -> ConnexClient:
    """A client polling as Connex with a valid credential."""
    return ConnexClient(credential)
