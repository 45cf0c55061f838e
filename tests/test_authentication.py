"""Basic authentication against ConnexCredential, on every endpoint (docs/protocol.md §1 and §7)."""

from __future__ import annotations

import base64
import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from connex_bridge import credential_secrets
from connex_bridge.authentication import MISSING, REJECTED
from connex_bridge.models import ConnexCredential
from connex_bridge.testing.client import HTTPSClient, basic
from connex_bridge.testing.factories import ConnexCredentialFactory

ENDPOINTS = ["/connex/authenticatetowebservice", "/connex/orders?orderNumber=1"]


@pytest.fixture
def client() -> Client:
    return HTTPSClient()


@pytest.mark.parametrize("url", ENDPOINTS)
def test_unknown_user_wrong_password_and_disabled_credential_get_the_same_401(client, credential, url):
    disabled = ConnexCredentialFactory(username="old", is_active=False)
    attempts = [
        basic("nobody", credential.secret),
        basic(credential.username, credential.secret + "x"),
        basic(disabled.username, disabled.secret),
    ]

    responses = [client.get(url, HTTP_AUTHORIZATION=header) for header in attempts]

    assert [r.status_code for r in responses] == [401, 401, 401]
    assert {r.content for r in responses} == {f'"{REJECTED}"'.encode()}
    assert all(r["WWW-Authenticate"].startswith('Basic realm="Connex"') for r in responses)


@pytest.mark.parametrize("url", ENDPOINTS)
def test_no_authorization_header_names_the_usual_cause(client, db, url):
    response = client.get(url)

    assert response.status_code == 401
    assert response.json() == MISSING
    assert "WSGIPassAuthorization On" in response.json()
    assert response["WWW-Authenticate"].startswith("Basic ")


@pytest.mark.parametrize(
    "header",
    ["Bearer abc", "Basic", "Basic !!!notbase64", "Basic " + base64.b64encode(b"no-colon").decode(), "Basic a b"],
)
def test_a_malformed_authorization_header_is_a_401_explaining_basic(client, db, header):
    response = client.get("/connex/authenticatetowebservice", HTTP_AUTHORIZATION=header)

    assert response.status_code == 401
    assert "HTTP Basic" in response.json()


def test_a_non_utf8_password_is_rejected_not_a_crash(client, credential):
    header = "Basic " + base64.b64encode(credential.username.encode() + b":\xff\xfe").decode()

    response = client.get("/connex/authenticatetowebservice", HTTP_AUTHORIZATION=header)

    assert response.status_code == 401
    assert response.json() == REJECTED


def test_a_nul_in_the_user_name_is_rejected_not_a_crash(client, credential):
    # Regression: PostgreSQL refuses a NUL in a query parameter, so this was a 500 there.
    header = "Basic " + base64.b64encode(credential.username.encode() + b"\x00:" + credential.secret.encode()).decode()

    response = client.get("/connex/authenticatetowebservice", HTTP_AUTHORIZATION=header)

    assert response.status_code == 401
    assert response.json() == REJECTED


def test_pairing_accepts_post_too(connex):
    response = connex.post("/connex/authenticatetowebservice")

    assert response.status_code == 200
    assert response.json() == "OK"


def test_last_used_is_recorded_but_written_at_most_once_a_minute(
    connex, credential, settings, django_assert_num_queries
):
    settings.CONNEX_BRIDGE = {"SYNC_LOG": False}  # its own writes: tests/test_synclog.py
    assert credential.last_used_at is None

    connex.get("/connex/authenticatetowebservice")
    credential.refresh_from_db()
    first = credential.last_used_at
    assert first is not None and timezone.now() - first < dt.timedelta(seconds=5)

    with django_assert_num_queries(1):  # the credential lookup only; no write
        connex.get("/connex/authenticatetowebservice")
    credential.refresh_from_db()
    assert credential.last_used_at == first


def test_the_secret_is_stored_only_as_a_salted_digest(db):
    one = ConnexCredentialFactory(secret="the same secret 123")
    two = ConnexCredentialFactory(secret="the same secret 123")

    stored = list(ConnexCredential.objects.values_list("secret_digest", flat=True))

    assert all("the same secret" not in digest for digest in stored)
    assert one.secret_digest != two.secret_digest
    assert one.check_secret("the same secret 123") and not one.check_secret("the same secret 124")


def test_an_unknown_user_is_checked_against_a_digest_too():
    # The work is the same as for a wrong password; the answer is always False.
    assert credential_secrets.check_unknown_user("anything") is False
    assert credential_secrets.check_digest("x", "garbage") is False
    assert credential_secrets.check_digest("x", "hmac-sha256$$") is False


def test_generated_secrets_are_long_and_distinct():
    generated = {credential_secrets.generate_secret() for _ in range(100)}

    assert len(generated) == 100
    assert all(len(secret) >= 32 for secret in generated)
