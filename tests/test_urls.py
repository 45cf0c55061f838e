"""Action names match in any case, with or without a slash, and never redirect (docs/protocol.md §1)."""

from __future__ import annotations

import pytest
from django.urls import reverse

SPELLINGS = [
    "authenticatetowebservice",
    "AuthenticateToWebService",
    "AuthenticateToWebservice",
    "AUTHENTICATETOWEBSERVICE",
]


@pytest.mark.parametrize("name", SPELLINGS)
@pytest.mark.parametrize("slash", ["", "/"])
@pytest.mark.parametrize("method", ["get", "post"])
def test_every_spelling_of_the_pairing_action_answers_ok(connex, name, slash, method):
    response = getattr(connex, method)(f"/connex/{name}{slash}")

    assert response.status_code == 200
    assert response.json() == "OK"


@pytest.mark.parametrize("path", ["/connex/orders", "/connex/orders/", "/connex/Orders", "/connex/ORDERS/"])
def test_every_spelling_of_orders_is_served(connex, path):
    response = connex.get(path + "?orderNumber=1")

    assert response.status_code == 200
    assert response.json()["Orders"] == []


@pytest.mark.parametrize("path", ["/connex/orders", "/connex/authenticatetowebservice"])
def test_nothing_redirects_even_with_append_slash(connex, settings, path):
    settings.APPEND_SLASH = True

    prefix, action = path.rsplit("/", 1)
    for candidate in (path, path + "/", f"{prefix}/{action.upper()}"):
        assert connex.get(candidate + "?orderNumber=1").status_code == 200


def test_urls_reverse_so_hosts_can_link_to_them():
    assert reverse("connex_bridge:orders") == "/connex/orders"
    assert reverse("connex_bridge:authenticate") == "/connex/authenticatetowebservice"


def test_the_hosts_rest_framework_defaults_do_not_leak_in(connex):
    # tests/settings.py sets session auth, admin-only permission, a browsable
    # renderer, a 1/day throttle and an exception handler that raises.
    for _ in range(3):
        response = connex.get("/connex/orders?orderNumber=1", HTTP_ACCEPT="text/html")
        assert response.status_code == 200
        assert response["Content-Type"] == "application/json"
    assert connex.get("/connex/orders").status_code == 400  # our handler, not the host's


def test_a_base_url_typed_with_a_trailing_slash_still_works(connex):
    # Connex appends "/orders" to the base URL the merchant typed.
    assert connex.get("/connex//orders?orderNumber=1").status_code == 200
    assert connex.get("/connex//AuthenticateToWebService").json() == "OK"
