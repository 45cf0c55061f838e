"""The Connex endpoints refuse plain HTTP with a message, never a redirect."""

from __future__ import annotations

import pytest
from django.test import Client

from connex_bridge.checks import check_deployment
from tests.conftest import HTTPSClient, basic

ENDPOINTS = ["/connex/authenticatetowebservice", "/connex/orders?orderNumber=1"]


@pytest.fixture
def plain(credential) -> Client:
    """Connex configured with an http:// URL."""
    return Client(HTTP_AUTHORIZATION=basic(credential.username, credential.secret))


@pytest.mark.parametrize("url", ENDPOINTS)
def test_plain_http_is_refused_with_403_saying_which_https_url_to_type(plain, url):
    response = plain.get(url)

    assert response.status_code == 403
    message = response.json()
    assert isinstance(message, str)
    assert "only over HTTPS" in message
    assert "change the URL to https://testserver/connex/" in message
    assert "Location" not in response


def test_a_post_over_plain_http_is_refused_too(plain):
    response = plain.post("/connex/authenticatetowebservice")

    assert response.status_code == 403
    assert "https://" in response.json()


def test_the_same_request_over_https_is_served(credential):
    response = HTTPSClient(HTTP_AUTHORIZATION=basic(credential.username, credential.secret)).get(ENDPOINTS[0])

    assert response.status_code == 200
    assert response.json() == "OK"


def test_credentials_sent_in_clear_are_neither_checked_nor_counted(db, settings, django_assert_num_queries):
    settings.CONNEX_BRIDGE = {"LOCKOUT_FAILURES": 2, "LOCKOUT_IP_FAILURES": 2}
    client = Client(HTTP_AUTHORIZATION=basic("connex", "wrong"))

    with django_assert_num_queries(0):
        statuses = [client.get(ENDPOINTS[0]).status_code for _ in range(5)]

    assert statuses == [403] * 5
    # None of them counted towards a lockout: over HTTPS the answer is the plain 401.
    assert HTTPSClient(HTTP_AUTHORIZATION=basic("connex", "wrong")).get(ENDPOINTS[0]).status_code == 401


def test_allow_http_serves_plain_http(plain, settings):
    settings.CONNEX_BRIDGE = {"ALLOW_HTTP": True}

    assert plain.get(ENDPOINTS[0]).status_code == 200


def test_debug_serves_plain_http(plain, settings):
    settings.DEBUG = True

    assert plain.get(ENDPOINTS[0]).status_code == 200


def test_a_client_cannot_claim_https_with_x_forwarded_proto(plain):
    response = plain.get(ENDPOINTS[0], HTTP_X_FORWARDED_PROTO="https")

    assert response.status_code == 403
    assert "SECURE_PROXY_SSL_HEADER" in response.json()


def test_behind_a_tls_proxy_secure_proxy_ssl_header_is_honoured(plain, settings):
    settings.SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

    assert plain.get(ENDPOINTS[0], HTTP_X_FORWARDED_PROTO="https").status_code == 200
    assert plain.get(ENDPOINTS[0], HTTP_X_FORWARDED_PROTO="http").status_code == 403


class TestSecureSSLRedirect:
    """SecurityMiddleware runs before the view: SECURE_SSL_REDIRECT must exempt the Connex paths."""

    @pytest.fixture
    def redirecting(self, settings):
        settings.SECURE_SSL_REDIRECT = True
        settings.SECURE_REDIRECT_EXEMPT = []

    def test_without_the_exemption_connex_gets_a_redirect_and_w003_says_so(self, credential, redirecting):
        response = Client(HTTP_AUTHORIZATION=basic(credential.username, credential.secret)).get(ENDPOINTS[0])

        assert response.status_code == 301  # what Connex cannot follow
        assert "connex_bridge.W003" in [w.id for w in check_deployment()]

    def test_the_regex_in_w003s_hint_makes_connex_get_the_https_message_instead(
        self, credential, redirecting, settings
    ):
        [hint] = [w.hint for w in check_deployment() if w.id == "connex_bridge.W003"]
        regex = hint.split('"')[1]
        assert regex == "^connex/"
        settings.SECURE_REDIRECT_EXEMPT = [r"^static/", regex]

        plain = Client(HTTP_AUTHORIZATION=basic(credential.username, credential.secret))
        for path in ["/connex/orders?orderNumber=1", "/connex/AuthenticateToWebService/", "/connex//Orders"]:
            response = plain.get(path)
            assert response.status_code == 403, path
            assert "https://" in response.json()
        assert HTTPSClient(HTTP_AUTHORIZATION=plain.defaults["HTTP_AUTHORIZATION"]).get(ENDPOINTS[0]).json() == "OK"
        assert plain.get("/admin/login/").status_code == 301  # the rest of the site still redirects
        assert "connex_bridge.W003" not in [w.id for w in check_deployment()]
