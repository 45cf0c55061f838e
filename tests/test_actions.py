"""The one table of actions: every part of the package that knows the actions reads it."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.module_loading import import_string

from connex_bridge.actions import ACTIONS
from connex_bridge.checks import check_deployment
from connex_bridge.testing.client import basic

EXTRA = "tests.urls_extra_action"


def test_each_view_answers_exactly_the_methods_its_action_lists():
    for action in ACTIONS:
        view = import_string(action.view)
        handled = {method.upper() for method in ("get", "post", "put", "patch", "delete") if hasattr(view, method)}
        assert handled == set(action.methods), action.name


class TestAnActionAddedToTheTable:
    @pytest.fixture(autouse=True)
    def _urlconf(self, settings):
        settings.ROOT_URLCONF = EXTRA

    @pytest.mark.parametrize(
        "path", ["/connex/ping", "/connex/ping/", "/connex/PING", "/connex/Ping/", "/connex//ping"]
    )
    def test_is_routed_in_any_letter_case_with_or_without_a_slash(self, connex, path):
        response = connex.get(path)

        assert response.status_code == 200
        assert response.json() == "pong"

    def test_reverses_under_the_namespace(self):
        assert reverse("connex_bridge:ping") == "/connex/ping"

    def test_needs_credentials_like_every_action(self, db):
        from connex_bridge.testing.client import HTTPSClient

        assert HTTPSClient().get("/connex/ping").status_code == 401

    def test_is_exempt_from_the_https_redirect(self, settings, credential):
        settings.SECURE_SSL_REDIRECT = True
        plain = Client(HTTP_AUTHORIZATION=basic(credential.username, credential.secret))

        response = plain.get("/connex/PING/")

        assert response.status_code == 403  # connex_bridge's "use https://", not a redirect
        assert "https://" in response.json()
        assert plain.get("/connex/pong").status_code == 301  # no action: redirected like the rest of the site

    def test_is_covered_by_the_deployment_check(self, settings):
        settings.SECURE_SSL_REDIRECT = True
        settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                                       "LOCATION": "redis://127.0.0.1:6379"}}  # fmt: skip
        # An exempt list written for the default actions misses the added one.
        settings.SECURE_REDIRECT_EXEMPT = [
            r"^connex//*(?i:authenticatetowebservice|orders|inventory|purchaseorders|changeorderstatus|createorders)/?\Z"
        ]

        [warning] = check_deployment()

        assert warning.id == "connex_bridge.W003"
        assert "/connex/ping" in warning.msg
        assert "ping" in warning.hint

    def test_is_named_by_the_404_of_a_path_that_is_no_action(self, db):
        response = Client().get("/connex/stocklevels", secure=True)

        assert response.status_code == 404
        assert (
            "authenticatetowebservice, orders, inventory, purchaseorders, changeorderstatus, createorders, ping"
            in response.json()
        )
