"""Action names match in any case, with or without a slash, and never redirect (docs/protocol.md §1)."""

from __future__ import annotations

import pytest
from django.test import Client
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


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize("path", ["/connex/stock", "/connex/foo", "/connex/Stock/", "/connex//purchases"])
def test_a_path_that_is_no_served_action_is_a_json_404_naming_the_actions(db, settings, debug, path):
    settings.DEBUG = debug

    response = Client().get(path, secure=True)

    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    message = response.json()
    assert isinstance(message, str)  # Connex shows it to the merchant
    name = path.strip("/").rsplit("/", 1)[-1]
    assert f"no action {name!r}" in message
    assert "it serves authenticatetowebservice, orders, inventory, purchaseorders" in message
    assert "the base URL (/connex/)" in message


@pytest.mark.parametrize("debug", [False, True])
@pytest.mark.parametrize("method", ["get", "post", "put"])
def test_the_base_url_itself_is_a_json_404_saying_connex_adds_the_action(db, settings, debug, method):
    settings.DEBUG = debug

    response = getattr(Client(), method)("/connex/", secure=True)

    assert response.status_code == 404
    assert "This is the base URL" in response.json()
    assert (
        "(authenticatetowebservice, orders, inventory, purchaseorders, changeorderstatus, createorders)"
        in response.json()
    )


def test_a_base_url_typed_with_the_action_in_it_is_told_what_to_type(db):
    # The merchant typed https://…/connex/orders as the base URL: Connex asks for connex/orders/orders.
    response = Client().get("/connex/orders/orders?orderNumber=1", secure=True)

    assert response.status_code == 404
    assert "no path 'orders/orders'" in response.json()
    assert "the base URL (/connex/)" in response.json()


def test_included_at_the_root_a_path_that_is_no_action_gets_the_hosts_404(db, settings):
    settings.ROOT_URLCONF = "tests.urls_root"

    response = Client().get("/about", secure=True)

    assert response.status_code == 404
    assert response["Content-Type"].startswith("text/html")
    assert Client().get("/account/orders", secure=True).content == b"the customer's orders"


def test_a_long_path_is_cut_short_in_the_404(db):
    response = Client().get("/connex/" + "x" * 5000, secure=True)

    assert response.status_code == 404
    assert len(response.json()) < 400
    assert "'" + "x" * 79 + "…'" in response.json()
