"""Fixtures shared by the whole suite."""

from __future__ import annotations

import base64
import json
import os
from collections.abc import Iterator
from functools import partial
from typing import Any

import pytest
from django.core.cache import cache
from django.http import HttpResponse
from django.test import Client
from shop.harness import DemoShopHarness

from connex_bridge.models import ConnexCredential
from connex_bridge.testing.harness import BuiltinHarness, ShopHarness
from tests.altshop.harness import AltShopDeclarativeHarness, AltShopHarness, AltShopTrackedHarness

#: Every order source the endpoint contract suite runs against. One line per source.
HARNESSES: list[ShopHarness] = [
    BuiltinHarness(),
    AltShopHarness(),
    AltShopDeclarativeHarness(),
    AltShopTrackedHarness(),
    DemoShopHarness(),
]
if os.environ.get("CONNEX_TEST_OSCAR"):  # tests/settings.py installs django-oscar (tox -e oscar)
    from connex_bridge.contrib.oscar.testing import OscarHarness

    HARNESSES.append(OscarHarness())
else:
    collect_ignore = ["test_oscar.py"]


def basic(username: str, password: str) -> str:
    """An HTTP Basic Authorization header value."""
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


def _https_by_default(name: str) -> Any:
    method = getattr(Client, name)

    def request(self: Client, path: str, *args: Any, secure: bool = True, **kwargs: Any) -> Any:
        return method(self, path, *args, secure=secure, **kwargs)

    request.__name__ = name
    return request


class HTTPSClient(Client):
    """A test client whose requests arrive over HTTPS, as the Connex endpoints require.

    ``secure=False`` on one request sends it over plain HTTP.
    """

    get = _https_by_default("get")
    post = _https_by_default("post")
    head = _https_by_default("head")
    options = _https_by_default("options")
    put = _https_by_default("put")
    patch = _https_by_default("patch")
    delete = _https_by_default("delete")
    trace = _https_by_default("trace")


class ConnexClient(HTTPSClient):
    """A test client that sends one credential's Basic header over HTTPS, as Connex does.

    A streamed answer is read to the end, as Connex reads it, and returned as
    a plain response (``.content``, ``.json()``) marked ``streamed = True``.
    """

    def __init__(self, credential: ConnexCredential, **kwargs: Any) -> None:
        super().__init__(HTTP_AUTHORIZATION=basic(credential.username, credential.secret), **kwargs)  # type: ignore[attr-defined]

    def request(self, **request: Any) -> Any:
        response = super().request(**request)
        if not response.streaming:
            response.streamed = False
            return response
        body = b"".join(response.streaming_content)
        read = HttpResponse(body, status=response.status_code)
        for header, value in response.items():
            read[header] = value
        read.streamed = True
        read.json = partial(json.loads, body)
        return read


@pytest.fixture(params=HARNESSES, ids=lambda harness: harness.name)
def shop(request: pytest.FixtureRequest, settings: Any, db: None) -> ShopHarness:
    """The shop under test: each endpoint contract test runs once per order source."""
    harness: ShopHarness = request.param
    settings.CONNEX_BRIDGE = dict(harness.connex_settings)
    return harness


@pytest.fixture(autouse=True)
def _forget_failed_sign_ins() -> Iterator[None]:
    """Each test starts with no failed sign-ins counted (the lockout lives in the cache)."""
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
