"""Fixtures shared by the whole suite."""

from __future__ import annotations

import base64
from typing import Any

import pytest
from django.test import Client

from connex_bridge.models import ConnexCredential
from connex_bridge.testing.factories import ConnexCredentialFactory


def basic(username: str, password: str) -> str:
    """An HTTP Basic Authorization header value."""
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


class ConnexClient(Client):
    """A test client that sends one credential's Basic header, as Connex does."""

    def __init__(self, credential: ConnexCredential, **kwargs: Any) -> None:
        super().__init__(HTTP_AUTHORIZATION=basic(credential.username, credential.secret), **kwargs)  # type: ignore[attr-defined]


@pytest.fixture
def credential(db: None) -> ConnexCredential:
    return ConnexCredentialFactory(username="connex")


@pytest.fixture
def connex(credential: ConnexCredential) -> ConnexClient:
    """A client polling as Connex with a valid credential."""
    return ConnexClient(credential)
