"""The sync log: each request to the Connex URLs, what it asked and what it got (docs/sync-log.md)."""

from __future__ import annotations

import datetime as dt
import json
import logging
from io import StringIO
from urllib.parse import urlencode

import pytest
from django.contrib.auth.models import User
from django.core.management import CommandError, call_command
from django.test import Client
from django.utils import timezone

from connex_bridge.models import ConnexCredential, SyncLogEntry, SyncLogRange
from connex_bridge.synclog import entries_serving, number_groups, position_in, prune, sent_status, status_at
from connex_bridge.testing.client import HTTPSClient, basic
from connex_bridge.testing.contract import T0, day_window
from connex_bridge.testing.factories import OrderFactory


def test_order_numbers_are_kept_as_a_few_groups_with_each_numbers_status():
    numbers = [(f"{n}", "paid") for n in range(1001, 1951) if n != 1002] + [("1960", "paid"), ("1002", "shipped")]
    numbers += [(f"{n}-R1", "refunded") for n in (1005, 1042, 1043)]  # refunds, numbered after their sale
    numbers += [("D0042", "paid"), ("D0043", "refunded"), ("WEB-A", "paid")]
    names: dict[str, int] = {}

    assert number_groups(numbers, names) == [
        ("", "", 0, 1001, 1960, "0,1*949,10", "0,1,0*949"),  # 1002 shipped, the rest paid; then 1960
        ("", "-R1", 0, 1005, 1043, "0,37,1", "2*3"),
        ("D", "", 4, 42, 43, "0,1", "0,2"),
        ("WEB-A", "", 0, None, None, "", "0"),
    ]
    assert names == {"paid": 0, "shipped": 1, "refunded": 2}
    assert [status_at("0,1,0*949", position) for position in (0, 1, 2, 950, 951)] == [0, 1, 0, 0, None]


def test_a_group_knows_exactly_which_numbers_it_holds():
    group = SyncLogRange(prefix="", suffix="-R1", first=1005, last=1043, numbers="0,37,1")

    assert [position_in(group, n) for n in (1005, 1006, 1042, 1043, 1044)] == [0, None, 1, 2, None]
    assert group.text == "1005-R1–1043-R1 (3 of them)"


@pytest.fixture
def streaming(credential) -> HTTPSClient:
    """A client that leaves the answer streaming, for the test to read (ConnexClient reads it whole)."""
    return HTTPSClient(HTTP_AUTHORIZATION=basic(credential.username, credential.secret))


def orders_in_window(count: int, **fields) -> list[str]:
    fields.setdefault("modified_at", T0)
    return [OrderFactory(number=f"{1001 + n}", **fields).number for n in range(count)]


def test_a_poll_is_logged_with_what_it_asked_and_what_it_got(streaming, credential):
    orders_in_window(3, status="paid")
    OrderFactory(number="1004", status="cancelled", modified_at=T0)
    query = urlencode(day_window())

    response = streaming.get("/connex/orders?" + query, REMOTE_ADDR="203.0.113.9")
    body = b"".join(response.streaming_content)

    (entry,) = SyncLogEntry.objects.all()
    assert (entry.credential, entry.username, entry.action, entry.method) == (credential, "connex", "orders", "GET")
    assert (entry.status, entry.complete, entry.message) == (200, True, "")
    assert entry.query == query
    assert (entry.orders, entry.refunds, entry.payments) == (3, 1, len(json.loads(body)["Payments"]))
    assert entry.bytes_sent == len(body)
    assert entry.client_address == "203.0.113.9"
    assert [(r.list, r.text) for r in entry.ranges.order_by("list")] == [
        ("CancelledOrders", "1004"),
        ("Orders", "1001–1003"),
    ]
    assert (sent_status(entry, "1002"), sent_status(entry, "1004"), sent_status(entry, "1005")) == (
        ("Orders", "paid"),
        ("CancelledOrders", "cancelled"),
        None,
    )
    assert credential.secret not in repr(list(SyncLogEntry.objects.values())) + repr(list(entry.ranges.values()))


def test_the_entry_is_written_after_the_answer_in_two_inserts(streaming, settings):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    orders_in_window(5)

    def statements() -> list[str]:
        response = streaming.get("/connex/orders?" + urlencode(day_window()))
        iterator = iter(response.streaming_content)
        with CaptureQueriesContext(connection) as queries:
            first = next(iterator)
            assert first and not SyncLogEntry.objects.filter(orders=5).exists()  # nothing before the end
            b"".join(iterator)
        return [query["sql"].split(" (")[0] for query in queries.captured_queries]

    settings.CONNEX_BRIDGE = {"SYNC_LOG": False}
    without = statements()
    settings.CONNEX_BRIDGE = {}
    logged = statements()

    # The same statements up to the end of the answer (PostgreSQL names its cursors afresh each time).
    assert [sql.split()[0] for sql in logged[: len(without)]] == [sql.split()[0] for sql in without]
    inserts = [sql for sql in logged[len(without) :] if sql.startswith("INSERT")]
    assert [sql.replace("`", '"') for sql in inserts] == [  # MySQL quotes names with backticks
        'INSERT INTO "connex_bridge_synclogentry"',
        'INSERT INTO "connex_bridge_synclogrange"',
    ]
    assert len(logged) - len(without) <= 4  # with the savepoint (or BEGIN / COMMIT) around them
    assert SyncLogEntry.objects.get().orders == 5


@pytest.mark.django_db(transaction=True)  # the answer's own transaction, as on a live shop
def test_an_answer_the_client_drops_is_logged_as_cut_short(streaming):
    orders_in_window(2)
    response = streaming.get("/connex/orders?" + urlencode(day_window()))
    iterator = iter(response.streaming_content)
    next(iterator)
    response.close()  # what the server does when Connex hangs up

    entry = SyncLogEntry.objects.get()
    assert (entry.status, entry.complete) == (200, False)


def test_a_wrong_password_is_logged_with_the_user_name_tried_never_the_password(db):
    client = HTTPSClient(HTTP_AUTHORIZATION=basic("conex", "hunter2-hunter2-hunter2"))

    response = client.get("/connex/orders")

    assert response.status_code == 401
    (entry,) = SyncLogEntry.objects.all()
    assert (entry.credential, entry.username, entry.status) == (None, "conex", 401)
    assert entry.message == response.json()
    assert "hunter2" not in repr(list(SyncLogEntry.objects.values()))


def test_a_flood_of_refused_requests_is_logged_once_a_minute_per_address_and_status(db, settings):
    settings.CONNEX_BRIDGE = {"LOCKOUT_FAILURES": 2, "LOCKOUT_IP_FAILURES": 100}
    guesser = HTTPSClient(HTTP_AUTHORIZATION=basic("connex", "wrong-wrong-wrong-wrong"))
    plain = Client(HTTP_AUTHORIZATION=basic("connex", "wrong-wrong-wrong-wrong"))

    statuses = [guesser.get("/connex/orders").status_code for _ in range(20)]
    statuses += [plain.get("/connex/orders").status_code for _ in range(5)]
    statuses += [guesser.get("/connex/orders", REMOTE_ADDR="198.51.100.4").status_code]

    assert statuses == [401, 401] + [429] * 18 + [403] * 5 + [401]
    logged = SyncLogEntry.objects.order_by("pk").values_list("status", "client_address")
    assert list(logged) == [(401, "127.0.0.1"), (429, "127.0.0.1"), (403, "127.0.0.1"), (401, "198.51.100.4")]


def test_bad_input_is_logged_with_the_message_connex_showed(connex):
    response = connex.get("/connex/orders?date_modified_min=yesterday")

    entry = SyncLogEntry.objects.get()
    assert (entry.status, entry.query) == (400, "date_modified_min=yesterday")
    assert entry.message == response.json() and "date_modified_min" in entry.message


def test_a_path_that_is_no_action_is_logged(db):
    HTTPSClient().get("/connex/orders/orders")

    entry = SyncLogEntry.objects.get()
    assert (entry.action, entry.status) == ("orders/orders", 404)
    assert "base URL" in entry.message


def test_a_log_that_cannot_be_written_fails_no_poll(connex, monkeypatch, caplog):
    orders_in_window(2)

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(SyncLogEntry.objects, "create", broken)
    with caplog.at_level(logging.ERROR, logger="connex_bridge.synclog"):
        body = connex.get("/connex/orders?" + urlencode(day_window())).json()

    assert len(body["Orders"]) == 2
    assert "Could not write the sync log entry of GET orders (status 200)" in caplog.text


def test_the_log_can_be_turned_off(connex, settings):
    settings.CONNEX_BRIDGE = {"SYNC_LOG": False}
    connex.get("/connex/authenticatetowebservice")

    assert not SyncLogEntry.objects.exists()


# --- finding an order, pruning -----------------------------------------------------------


@pytest.fixture
def logged(connex) -> list[SyncLogEntry]:
    orders_in_window(3, status="paid")
    connex.get("/connex/orders?orderNumber=1001,1002")
    connex.get("/connex/orders?orderNumber=1003")
    return list(SyncLogEntry.objects.order_by("pk"))


def test_the_requests_that_sent_an_order_are_found_by_its_number(logged):
    first, second = logged

    assert list(entries_serving("1002", SyncLogEntry.objects.all())) == [first]
    assert list(entries_serving(" 1003 ", SyncLogEntry.objects.all())) == [second]
    assert list(entries_serving("1004", SyncLogEntry.objects.all())) == []
    assert list(entries_serving("01002", SyncLogEntry.objects.all())) == []  # another number


def test_the_admin_finds_when_connex_last_received_an_order_in_two_clicks(logged):
    User.objects.create_superuser("admin", "admin@example.com", "pw")
    client = Client()
    client.login(username="admin", password="pw")

    listing = client.get("/admin/connex_bridge/synclogentry/?q=1002")
    assert listing.status_code == 200
    assert list(listing.context["cl"].result_list) == [logged[0]]
    assert "Order 1002 sent as" in listing.content.decode() and "paid (Orders)" in listing.content.decode()
    page = client.get(f"/admin/connex_bridge/synclogentry/{logged[0].pk}/change/")
    assert "1001–1002" in page.content.decode() and "paid ×2" in page.content.decode()
    assert client.get("/admin/connex_bridge/synclogentry/add/").status_code == 403


def test_pruning_keeps_the_days_the_setting_says(logged, settings):
    SyncLogEntry.objects.filter(pk=logged[0].pk).update(at=timezone.now() - dt.timedelta(days=31))
    settings.CONNEX_BRIDGE = {"SYNC_LOG_DAYS": 30}
    out = StringIO()

    call_command("connex_prune_log", stdout=out)

    assert list(SyncLogEntry.objects.all()) == [logged[1]]
    assert out.getvalue().strip() == "Deleted 1 sync log entry older than 30 days."
    assert prune(0, now=timezone.now() + dt.timedelta(seconds=1)) == 1


def test_pruning_refuses_a_negative_number_of_days(db):
    with pytest.raises(CommandError, match="--days -1 is negative"):
        call_command("connex_prune_log", "--days", "-1")


def test_a_deleted_credential_leaves_its_entries(logged):
    ConnexCredential.objects.all().delete()

    assert {entry.username for entry in SyncLogEntry.objects.all()} == {"connex"}


# --- the catalogue side -------------------------------------------------------------------


def test_an_inventory_push_is_logged_with_how_many_products_it_named(connex):
    from connex_bridge.testing.catalogue import BuiltinStockHarness

    BuiltinStockHarness().product("MUG-BLUE", quantity=1)
    body = json.dumps([{"Sku": "MUG-BLUE", "StockQuantity": 12.0}, {"Sku": "NOPE", "StockQuantity": 1.0}])

    assert connex.put("/connex/inventory", body, content_type="application/json").status_code == 200

    entry = SyncLogEntry.objects.get()
    assert (entry.action, entry.method, entry.products, entry.status) == ("inventory", "PUT", 2, 200)
    assert entry.body == f"application/json, {len(body.encode())} bytes"


def test_a_purchaseorders_poll_is_logged_with_the_purchases_it_sent(connex):
    from connex_bridge.testing.catalogue import BuiltinPurchasesHarness, PurchaseSpec

    for number in ("PO-1", "PO-2", "BILL-7"):
        BuiltinPurchasesHarness().purchase(PurchaseSpec(number, modified_at=T0))

    assert len(connex.get("/connex/purchaseorders?" + urlencode(day_window())).json()["Purchases"]) == 3

    entry = SyncLogEntry.objects.get()
    assert (entry.action, entry.purchases) == ("purchaseorders", 3)
    assert sorted(r.text for r in entry.ranges.filter(list="Purchases")) == ["BILL-7", "PO-1–PO-2"]
    assert list(entries_serving("PO-3", SyncLogEntry.objects.all())) == []
    assert list(entries_serving("PO-2", SyncLogEntry.objects.all())) == [entry]
