"""The Connex endpoints refuse plain HTTP with a message, never a redirect."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.apps import apps
from django.http import HttpResponse
from django.middleware.security import SecurityMiddleware
from django.test import Client, RequestFactory

from connex_bridge.checks import check_deployment
from connex_bridge.testing.client import HTTPSClient, basic

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
    settings.CONNEX_BRIDGE = {"LOCKOUT_FAILURES": 2, "LOCKOUT_IP_FAILURES": 2, "SYNC_LOG": False}  # see test_synclog
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
    """SecurityMiddleware runs before the view: with SECURE_SSL_REDIRECT on, the Connex paths are exempt
    without the host listing them (ready() extends the host's SECURE_REDIRECT_EXEMPT, r"^static/" here)."""

    @pytest.fixture
    def redirecting(self, settings):
        settings.SECURE_SSL_REDIRECT = True
        # SECURE_REDIRECT_EXEMPT stays the object ready() made of tests/settings.py's: replacing it (as
        # settings.SECURE_REDIRECT_EXEMPT = [...] would) is the case W003 is for.

    @pytest.mark.parametrize(
        "path", ["/connex/orders?orderNumber=1", "/connex/AuthenticateToWebService/", "/connex//Orders"]
    )
    def test_plain_http_to_a_connex_path_gets_the_https_message_not_a_redirect(self, plain, redirecting, path):
        response = plain.get(path)

        assert response.status_code == 403
        assert "https://" in response.json()
        assert "Location" not in response

    def test_https_is_still_served(self, credential, redirecting):
        response = HTTPSClient(HTTP_AUTHORIZATION=basic(credential.username, credential.secret)).get(ENDPOINTS[1])

        assert response.status_code == 200

    @pytest.mark.parametrize("path", ["/admin/login/", "/account/orders", "/shop/orders/", "/connex/other"])
    def test_the_rest_of_the_site_still_redirects(self, redirecting, path):
        response = Client().get(path)

        assert response.status_code == 301
        assert response["Location"] == f"https://testserver{path}"

    def test_at_the_root_only_the_connex_actions_are_exempt(self, plain, redirecting, settings):
        settings.ROOT_URLCONF = "tests.urls_root"

        assert plain.get("/Orders/?orderNumber=1").status_code == 403
        assert plain.get("/authenticatetowebservice").status_code == 403
        assert plain.get("/account/orders").status_code == 301  # the host's page, not Connex's

    def test_the_hosts_own_exempt_patterns_still_apply(self, redirecting, settings):
        assert list(settings.SECURE_REDIRECT_EXEMPT)[:1] == [r"^static/"]
        assert Client().get("/static/missing.css").status_code == 404  # not redirected

    def test_running_ready_again_adds_the_connex_regex_once(self, redirecting, settings):
        apps.get_app_config("connex_bridge").ready()
        apps.get_app_config("connex_bridge").ready()

        patterns = list(settings.SECURE_REDIRECT_EXEMPT)
        assert len(patterns) == 2
        assert patterns[0] == r"^static/"

    def test_start_up_leaves_the_urlconf_alone_until_the_middleware_loads(self):
        # Importing the host's URLconf while apps load would break hosts whose URLconf needs every app.
        script = (
            "import sys, django; django.setup(); print('tests.urls' in sys.modules); "
            "from django.core.handlers.wsgi import WSGIHandler; WSGIHandler(); print('tests.urls' in sys.modules)"
        )
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"}
        root = Path(__file__).resolve().parent.parent
        run = subprocess.run(  # noqa: S603 - our own interpreter and script
            [sys.executable, "-c", script], cwd=root, env=env, capture_output=True, text=True, check=True
        )

        assert run.stdout.split() == ["False", "True"]

    @pytest.mark.parametrize("urlconf", ["tests.no_such_urlconf", "django.contrib.auth.urls"])
    def test_a_urlconf_that_cannot_load_or_does_not_route_connex_exempts_only_the_hosts_patterns(
        self, redirecting, settings, urlconf
    ):
        settings.ROOT_URLCONF = urlconf

        middleware = SecurityMiddleware(lambda request: HttpResponse())

        assert [pattern.pattern for pattern in middleware.redirect_exempt] == [r"^static/"]
        assert middleware.process_request(RequestFactory().get("/connex/orders")).status_code == 301

    def test_a_replaced_exempt_list_lets_connex_get_a_redirect_and_w003_says_so(
        self, credential, redirecting, settings
    ):
        settings.SECURE_REDIRECT_EXEMPT = []  # e.g. override_settings: ready() is not run again
        response = Client(HTTP_AUTHORIZATION=basic(credential.username, credential.secret)).get(ENDPOINTS[0])

        assert response.status_code == 301  # what Connex cannot follow
        assert "connex_bridge.W003" in [w.id for w in check_deployment()]

    def test_the_regex_in_w003s_hint_makes_connex_get_the_https_message_instead(
        self, credential, redirecting, settings
    ):
        settings.SECURE_REDIRECT_EXEMPT = []
        [hint] = [w.hint for w in check_deployment() if w.id == "connex_bridge.W003"]
        regex = hint.split('"')[1]
        actions = "authenticatetowebservice|orders|inventory|purchaseorders|changeorderstatus|createorders"
        expected = rf"^connex//*(?i:{actions})/?\Z"
        assert regex == expected
        settings.SECURE_REDIRECT_EXEMPT = [r"^static/", regex]

        plain = Client(HTTP_AUTHORIZATION=basic(credential.username, credential.secret))
        for path in ["/connex/orders?orderNumber=1", "/connex/AuthenticateToWebService/", "/connex//Orders"]:
            response = plain.get(path)
            assert response.status_code == 403, path
            assert "https://" in response.json()
        assert plain.get("/admin/login/").status_code == 301  # the rest of the site still redirects
        assert "connex_bridge.W003" not in [w.id for w in check_deployment()]
