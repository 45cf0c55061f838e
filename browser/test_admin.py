"""What a merchant does in the admin, in a real browser, against the demo shop.

Each test signs in as a superuser, works the pages as a merchant would and asserts on what the
merchant sees (visible text) and on what Connex gets with the password the page showed.
Screenshots of every step: ``browser/screenshots/<test>/``.
"""

from __future__ import annotations

import re
from typing import Any

from playwright.sync_api import Page, expect

from browser.conftest import USERNAME, ConnexClient, Screenshots, add_credential, run_action
from connex_bridge.models import ConnexCredential


def test_add_credential_poll_orders_and_find_the_request_in_the_sync_log(
    admin_page: Page, shot: Screenshots, connex: ConnexClient, demo_orders: Any
) -> None:
    page = admin_page
    password = add_credential(page, shot)
    assert len(password) >= 16
    expect(page.get_by_text(USERNAME).first).to_be_visible()

    answer = connex.orders(USERNAME, password)
    assert answer.status == 200, answer.body
    assert answer.headers["Content-Type"].startswith("application/json")
    body = answer.json()
    assert {"Orders", "CancelledOrders", "Payments"} <= set(body)
    served = {order["OrderNumber"] for order in body["Orders"] + body["CancelledOrders"]}
    assert demo_orders.first_number in served

    # The sync log: the request is there, and an order number finds it.
    page.get_by_role("link", name="Home").first.click()
    page.get_by_role("link", name="Connex requests (sync log)").click()
    expect(page.locator("#result_list")).to_contain_text("orders")
    shot(page, "sync log")
    search = page.locator("#searchbar")
    search.fill(demo_orders.first_number)
    search.press("Enter")
    expect(page.get_by_text(re.compile(f"order {demo_orders.first_number} sent as", re.IGNORECASE))).to_be_visible()
    results = page.locator("#result_list tbody tr")
    expect(results).to_have_count(1)
    expect(results.first).to_contain_text(USERNAME)
    expect(results.first).to_contain_text("200")
    shot(page, "sync log searched by order number")

    # An order number no request sent finds nothing.
    search = page.locator("#searchbar")
    search.fill("D99999")
    search.press("Enter")
    expect(page.locator("#result_list tbody tr")).to_have_count(0)
    shot(page, "sync log searched by an unsent number")


def test_reloading_the_password_page_keeps_the_copied_password_working(
    admin_page: Page, shot: Screenshots, connex: ConnexClient, demo_orders: Any
) -> None:
    page = admin_page
    copied = add_credential(page, shot)
    assert connex.orders(USERNAME, copied).status == 200

    # The merchant reloads the page (a POST answer: the browser may ask to resend the form; accept).
    page.on("dialog", lambda dialog: dialog.accept())
    page.reload()
    shot(page, "after reload")
    text = page.locator("#content").inner_text()
    again = re.search(r"Password:\s*(\S+)", text)

    # What must be true: the password copied first still signs in, and no second, different one was issued.
    assert connex.orders(USERNAME, copied).status == 200
    assert again is None or again.group(1) == copied, "the reload showed a new password the merchant did not ask for"
    assert ConnexCredential.objects.filter(username=USERNAME).count() == 1


def test_disabling_a_credential_stops_its_password(
    admin_page: Page, shot: Screenshots, connex: ConnexClient, demo_orders: Any
) -> None:
    page = admin_page
    password = add_credential(page, shot)
    assert connex.orders(USERNAME, password).status == 200

    page.get_by_role("link", name="Connex credentials").first.click()
    run_action(page, USERNAME, re.compile("^Disable", re.IGNORECASE))
    expect(page.get_by_text("Disabled 1 credential.")).to_be_visible()
    shot(page, "credential disabled")
    answer = connex.orders(USERNAME, password)
    assert answer.status == 401, answer.body
    assert b"Orders" not in answer.body
