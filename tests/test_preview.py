"""The admin's preview of what Connex receives, and the warning rules it shows (connex_bridge/quality.py)."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal
from typing import Any

import pytest
from django.contrib.auth.models import Permission, User
from django.test import Client
from django.urls import reverse

from connex_bridge import quality
from connex_bridge.admin_preview import connex_time
from connex_bridge.models import SyncLogEntry
from connex_bridge.testing.client import ConnexClient
from connex_bridge.testing.factories import ConnexCredentialFactory, OrderFactory

PREVIEW = "admin:connex_bridge_synclogentry_preview"
NOW = dt.datetime.now(dt.timezone.utc)
WINDOW = {"date_from": connex_time(NOW - dt.timedelta(hours=1)), "date_to": connex_time(NOW + dt.timedelta(hours=1))}


@pytest.fixture
def staff(db: None) -> Client:
    user = User.objects.create_user("clerk", password="x", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_synclogentry"))
    client = Client()
    client.force_login(user)
    return client


def preview(client: Client, username: str, **query: str) -> Any:
    return client.get(reverse(PREVIEW), {"credential": username, **query})


def test_the_page_shows_the_orders_and_the_bytes_the_endpoint_sends(staff: Client) -> None:
    credential = ConnexCredentialFactory(username="qb")
    OrderFactory(number="1001", lines=[{"sku": "MUG", "quantity": 2}])
    OrderFactory(number="1002")

    response = preview(staff, "qb", **WINDOW)

    assert response.status_code == 200
    shown = response.context["preview"]
    assert [order.record.number for order in shown.orders] == ["1001", "1002"]
    endpoint = ConnexClient(credential).get(
        "/connex/orders", {"date_modified_min": WINDOW["date_from"], "date_modified_max": WINDOW["date_to"]}
    )
    assert shown.body == endpoint.content
    page = response.content.decode()
    assert 'data-number="1001"' in page and "0 errors" in page
    assert "Preview what Connex receives" in page


def test_each_bad_order_shows_its_warning_next_to_it(staff: Client) -> None:
    ConnexCredentialFactory(username="qb")
    OrderFactory(number="2001", lines=[{"sku": " MUG"}])
    OrderFactory(number="2002", total=Decimal("99.99"))
    OrderFactory(number="ORDER-2003-LONG")

    response = preview(staff, "qb", **WINDOW)

    codes = {order.record.number: {w.code for w in order.warnings} for order in response.context["preview"].orders}
    assert codes == {"2001": {"SKU_PADDED"}, "2002": {"TOTALS_UNBALANCED"}, "ORDER-2003-LONG": {"NUMBER_TOO_LONG"}}
    page = response.content.decode()
    assert "SKU_PADDED" in page and "TOTALS_UNBALANCED" in page and "NUMBER_TOO_LONG" in page
    assert "2 errors" in page and "1 warning" in page


def test_the_credentials_stores_apply(staff: Client) -> None:
    ConnexCredentialFactory(username="web-only", stores=["Web"])
    OrderFactory(number="3001", store_name="Web")
    OrderFactory(number="3002", store_name="Retail")

    response = preview(staff, "web-only", **WINDOW)

    assert [order.record.number for order in response.context["preview"].orders] == ["3001"]


def test_a_bad_window_is_a_form_error_naming_the_field_value_and_form(staff: Client) -> None:
    ConnexCredentialFactory(username="qb")

    response = preview(staff, "qb", date_from="yesterday")

    assert response.context["preview"] is None
    (error,) = response.context["form"].errors["date_from"]
    assert "'yesterday'" in error and "date_modified_min" in error and "yyyy-MM-ddTHH:mm:ssZ" in error
    assert "yesterday" in response.content.decode()


def test_the_default_window_is_the_last_orders_poll(staff: Client) -> None:
    credential = ConnexCredentialFactory(username="qb")
    SyncLogEntry.objects.create(
        credential=credential,
        username="qb",
        action="orders",
        method="GET",
        status=200,
        query="date_modified_min=2024-05-01T00:00:00Z&date_modified_max=2024-05-02T00:00:00Z&orderStatus=shipped",
    )

    response = preview(staff, "qb")

    form = response.context["form"]
    assert form.cleaned_data["date_from"] == "2024-05-01T00:00:00Z"
    assert form.cleaned_data["order_status"] == "shipped"
    assert "last orders poll" in response.content.decode()


def test_without_a_poll_the_window_is_the_last_24_hours(staff: Client) -> None:
    ConnexCredentialFactory(username="qb")
    OrderFactory(number="4001")

    response = preview(staff, "qb")

    assert [order.record.number for order in response.context["preview"].orders] == ["4001"]


def test_the_page_needs_a_view_permission(db: None) -> None:
    ConnexCredentialFactory(username="qb")
    user = User.objects.create_user("nobody", password="x", is_staff=True)
    client = Client()
    client.force_login(user)

    assert preview(client, "qb", **WINDOW).status_code == 403
    assert Client().get(reverse(PREVIEW)).status_code == 302  # to the admin's login


def test_the_page_is_past_its_limit_a_note_and_a_download(staff: Client, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("connex_bridge.admin_preview.PREVIEW_LIMIT", 2)
    ConnexCredentialFactory(username="qb")
    for number in ("5001", "5002", "5003"):
        OrderFactory(number=number)

    response = preview(staff, "qb", **WINDOW)
    download = staff.get(reverse(PREVIEW + "_download"), {"credential": "qb", **WINDOW})

    assert response.context["preview"].truncated
    assert len(response.context["preview"].orders) == 2
    whole = json.loads(b"".join(download.streaming_content))
    assert [order["OrderNumber"] for order in whole["Orders"]] == ["5001", "5002", "5003"]
    assert "the first 2" in response.content.decode()


def test_the_sync_log_changelist_links_to_the_preview(admin_client: Client) -> None:
    page = admin_client.get(reverse("admin:connex_bridge_synclogentry_changelist")).content.decode()

    assert reverse(PREVIEW) in page


# --- the rules, over the JSON -----------------------------------------------------------------------


def an_order(**changes: Any) -> dict[str, Any]:
    order: dict[str, Any] = {
        "OrderNumber": "1001",
        "Total": Decimal("21.25"),
        "TotalTax": Decimal("1.25"),
        "ShippingExclTax": Decimal("0.00"),
        "DiscountExclTax": Decimal("0.00"),
        "OrderDetails": [{"Sku": "MUG", "Quantity": 2, "PriceExclTax": Decimal("10.00"), "DiscountExclTax": 0}],
        "BillingAddress": {"FirstName": "Zoë", "Address1": "1 Main St", "City": "Boston", "TwoLetterIsoCode": "US",
                           "PostalCode": "02108"},
    }  # fmt: skip
    order.update(changes)
    return order


def codes(order: dict[str, Any]) -> list[str]:
    return [warning.code for warning in quality.check_order(order)]


def test_a_clean_order_has_no_warning() -> None:
    assert codes(an_order()) == []


@pytest.mark.parametrize(
    ("changes", "code"),
    [
        ({"OrderDetails": [{"Sku": "", "Quantity": 1, "PriceExclTax": Decimal("20.00")}]}, "SKU_EMPTY"),
        ({"Total": Decimal("21.26")}, "TOTALS_UNBALANCED"),
        ({"OrderNumber": ""}, "NUMBER_EMPTY"),
        ({"BillingAddress": {"Address1": "1 Main St", "City": "Boston", "CountryName": "France"}}, "ADDRESS_NO_NAME"),
        ({"Note": "bell\x07"}, "TEXT_CONTROL_CHARACTER"),
        ({"Note": "thanks 👍"}, "TEXT_NOT_WINDOWS_1252"),
        ({"TotalTax": "1.25"}, "MONEY_NOT_NUMBER"),
        ({"Total": Decimal("21.250000001"), "TotalTax": Decimal("1.250000001")}, "MONEY_NOT_EXACT"),
    ],
)
def test_each_rule(changes: dict[str, Any], code: str) -> None:
    assert code in codes(an_order(**changes))


def test_an_incomplete_us_address_names_each_part() -> None:
    found = quality.check_order(an_order(BillingAddress={"FirstName": "A", "TwoLetterIsoCode": "US"}))

    assert {w.path for w in found if w.code == "ADDRESS_INCOMPLETE"} == {
        "BillingAddress.Address1", "BillingAddress.City", "BillingAddress.PostalCode",
    }  # fmt: skip


def test_latin_1_accents_and_windows_1252_quotes_are_fine() -> None:
    assert codes(an_order(Note="Zoë’s “café” – €5")) == []


def test_the_answers_own_rules() -> None:
    answer = {
        "Orders": [an_order()],
        "CancelledOrders": [],
        "Payments": [{"OrderNumber": "9999", "Order": {"OrderNumber": "9999"}, "PaymentAmount": Decimal("1.00")}],
        "Purchases": None,
    }

    found = {(w.code, w.path) for w in quality.check_answer(answer)}

    assert ("PAYMENT_UNLINKED", "Payments[0].OrderNumber") in found
    assert ("JSON_LIST_MISSING", "Purchases") in found
    assert ("JSON_LIST_MISSING", "Customers") in found
    assert quality.check_answer_bytes(b"<html>")[0].code == "JSON_INVALID"


def test_every_rule_is_in_the_docs_table() -> None:
    from pathlib import Path

    text = (Path(__file__).resolve().parent.parent / "docs" / "preview-and-self-test.md").read_text()

    assert [code for code in quality.RULES if f"| `{code}` |" not in text] == []


def test_the_breadcrumbs_are_written_as_the_stock_admin_writes_them(admin_client: Client) -> None:
    ConnexCredentialFactory(username="qb")
    stock = admin_client.get(reverse("admin:connex_bridge_synclogentry_changelist")).content.decode()
    page = preview(admin_client, "qb", **WINDOW).content.decode()

    for markup in ('<ol class="breadcrumbs">', '<div class="breadcrumbs">'):
        assert (markup in page) == (markup in stock)
    assert 'aria-current="page">Preview what Connex receives' in page or "&rsaquo; Preview what Connex" in page
