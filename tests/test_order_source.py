"""The public OrderSource API: start-up validation, merchant scoping, change tracking."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import StringIO
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from connex_bridge.checks import check_order_source
from connex_bridge.models import OrderChange
from connex_bridge.records import AddressRecord, CustomerRecord, DiscountRecord, LineRecord, PaymentRecord
from connex_bridge.sources import OrderSource
from connex_bridge.sources.base import read_path
from connex_bridge.testing.client import ConnexClient
from connex_bridge.testing.harness import db_time
from tests.altshop.harness import AltShopHarness, AltShopTrackedHarness
from tests.altshop.models import Receipt, Sale, SaleItem
from tests.altshop.source import AltShopDeclarativeSource, AltShopSource, AltShopTrackedSource

LONG_AGO = dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc)
RECENTLY = "date_modified_min=2025-01-01T00:00:00Z"


def check_ids(settings, source: str) -> list[str]:
    settings.CONNEX_BRIDGE = {"ORDER_SOURCE": source}
    return [message.id for message in check_order_source()]


# --- start-up validation -----------------------------------------------------------


class MisspelledStore(AltShopSource):
    store_field = "channel__name"


class NoModifiedTime(AltShopSource):
    modified_field = None


class TracksUnknownModel(AltShopTrackedSource):
    track_changes = {"altshop.Refund": "sale_id"}


class TracksBadPath(AltShopTrackedSource):
    track_changes = {"altshop.SaleItem": "order_id"}


class TracksWithoutModel(AltShopTrackedSource):
    model = None


class UnknownRecordKey(AltShopDeclarativeSource):
    line_fields = {**AltShopDeclarativeSource.line_fields, "colour": "title"}


class MissingSku(AltShopDeclarativeSource):
    line_fields = {"name": "title", "quantity": "qty"}


class BadLinePath(AltShopDeclarativeSource):
    line_fields = {**AltShopDeclarativeSource.line_fields, "sku": "product__code"}


class UnknownModel(AltShopSource):
    model = "altshop.Nope"


class UnknownModelDeclarative(AltShopDeclarativeSource):
    model = "altshop.Nope"


class DeclarativeWithoutModel(AltShopDeclarativeSource):
    model = None


class LinesNotARelation(AltShopDeclarativeSource):
    lines = "ref"


class LinesNoSuchRelation(AltShopDeclarativeSource):
    lines = "things"


class NoTotal(AltShopDeclarativeSource):
    get_total = None  # neither a path nor a method


class BadOrderFieldPath(AltShopDeclarativeSource):
    order_fields = {**AltShopDeclarativeSource.order_fields, "total": "grand_total"}


class OneStore(AltShopDeclarativeSource):
    """A shop without stores: no store_field, one store name for every order."""

    store_field = None
    store_name = "Web"


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("tests.altshop.source.AltShopSource", []),
        ("tests.altshop.source.AltShopDeclarativeSource", []),
        ("tests.altshop.source.AltShopTrackedSource", []),
        ("connex_bridge.sources.builtin.BuiltinOrderSource", []),
        ("tests.test_order_source.OneStore", []),
        # E011: the model is unknown
        ("tests.test_order_source.UnknownModel", ["connex_bridge.E011"]),
        ("tests.test_order_source.UnknownModelDeclarative", ["connex_bridge.E011"]),
        # E012: the modified-date window has nothing to read
        ("tests.test_order_source.NoModifiedTime", ["connex_bridge.E012"]),
        # E018: a field path does not exist
        ("tests.test_order_source.MisspelledStore", ["connex_bridge.E018"]),
        ("tests.test_order_source.BadLinePath", ["connex_bridge.E018"]),
        ("tests.test_order_source.BadOrderFieldPath", ["connex_bridge.E018"]),
        # E019: lines / payments / discounts is not a relation
        ("tests.test_order_source.LinesNotARelation", ["connex_bridge.E019"]),
        ("tests.test_order_source.LinesNoSuchRelation", ["connex_bridge.E019"]),
        # E020: a map names a record field Connex does not get
        ("tests.test_order_source.UnknownRecordKey", ["connex_bridge.E020"]),
        # E021: a required mapping is missing
        ("tests.test_order_source.MissingSku", ["connex_bridge.E021"]),
        ("tests.test_order_source.NoTotal", ["connex_bridge.E021"]),
        # E022: no model, where one is needed
        ("tests.test_order_source.TracksWithoutModel", ["connex_bridge.E022"]),
        ("tests.test_order_source.DeclarativeWithoutModel", ["connex_bridge.E022"]),
        # E023: track_changes names an unknown model
        ("tests.test_order_source.TracksUnknownModel", ["connex_bridge.E023"]),
        # E024: a track_changes path cannot be followed
        ("tests.test_order_source.TracksBadPath", ["connex_bridge.E024"]),
    ],
)
def test_a_misconfigured_source_is_reported_at_start_up(settings, source, expected):
    assert check_ids(settings, source) == expected


@pytest.mark.parametrize(
    ("source", "says"),
    [
        ("UnknownModel", "UnknownModel.model is 'altshop.Nope'"),
        ("NoModifiedTime", "neither a modified_field nor track_changes"),
        ("LinesNotARelation", "LinesNotARelation.lines is 'ref', which is not a relation of altshop.Sale"),
        ("UnknownRecordKey", "line_fields has the key 'colour'"),
        ("MissingSku", "MissingSku.line_fields lacks sku, which Connex needs."),
        ("NoTotal", "NoTotal.order_fields lacks total"),
        ("TracksWithoutModel", "TracksWithoutModel declares no `model`"),
        ("DeclarativeWithoutModel", "DeclarativeWithoutModel declares no `model`"),
        ("TracksUnknownModel", "track_changes names 'altshop.Refund'"),
        ("TracksBadPath", "track_changes['altshop.SaleItem'] is 'order_id', which cannot be followed"),
    ],
)
def test_each_source_error_names_the_attribute_and_the_value(settings, source, says):
    settings.CONNEX_BRIDGE = {"ORDER_SOURCE": f"tests.test_order_source.{source}"}

    (error,) = check_order_source()

    assert says in error.msg


def test_the_check_names_the_attribute_and_the_bad_path(settings):
    settings.CONNEX_BRIDGE = {"ORDER_SOURCE": "tests.test_order_source.MisspelledStore"}

    (error,) = check_order_source()

    assert "MisspelledStore.store_field is 'channel__name'" in error.msg
    assert "altshop.Sale" in error.msg


def test_a_source_missing_its_required_methods_says_which():
    with pytest.raises(NotImplementedError, match="get_queryset"):
        OrderSource().get_queryset(None)  # type: ignore[arg-type]
    with pytest.raises(NotImplementedError, match="to_record"):
        OrderSource().to_record(None)


# --- merchant scoping ------------------------------------------------------------------


@pytest.fixture
def tracked(settings, db) -> AltShopTrackedHarness:
    harness = AltShopTrackedHarness()
    settings.CONNEX_BRIDGE = dict(harness.connex_settings)
    return harness


def numbers(client: ConnexClient, query: str) -> list[str]:
    body = client.get("/connex/orders?" + query).json()
    return [o["OrderNumber"] for o in body["Orders"] + body["CancelledOrders"]]


def test_no_credential_ever_receives_another_merchants_order(tracked):
    tracked.order("ACME-1")
    tracked.order("ACME-R1", status="refunded")
    tracked.order("GLOBEX-1")
    Sale.objects.filter(ref="GLOBEX-1").update(merchant="globex")

    acme = ConnexClient(tracked.credential(merchant="acme"))
    globex = ConnexClient(tracked.credential(merchant="globex"))
    unbound = ConnexClient(tracked.credential(merchant=""))

    assert numbers(acme, RECENTLY) == ["ACME-1", "ACME-R1"]
    assert numbers(acme, "orderNumber=GLOBEX-1,ACME-1") == ["ACME-1"]
    assert numbers(globex, RECENTLY + "&storeName=Web") == ["GLOBEX-1"]
    assert numbers(unbound, RECENTLY) == []  # a credential bound to no merchant sees nothing


# --- one-store shops ---------------------------------------------------------------------


@pytest.fixture
def one_store(settings, db) -> AltShopHarness:
    settings.CONNEX_BRIDGE = {"ORDER_SOURCE": "tests.test_order_source.OneStore"}
    return AltShopHarness()


def test_a_one_store_shop_names_its_store_on_every_order(one_store):
    one_store.order("1001", store="the channel table is not read")
    client = ConnexClient(one_store.credential())

    (order,) = client.get("/connex/orders?" + RECENTLY).json()["Orders"]

    assert order["StoreName"] == "Web"


def test_a_store_name_filter_on_a_one_store_shop_matches_all_orders_or_none(one_store):
    one_store.order("1001")
    one_store.order("1001-R1", status="refunded")
    client = ConnexClient(one_store.credential())

    assert numbers(client, RECENTLY + "&storeName=Amazon,wEB") == ["1001", "1001-R1"]
    assert numbers(client, RECENTLY + "&storeName=Amazon") == []
    assert numbers(ConnexClient(one_store.credential(stores=["WEB"])), RECENTLY) == ["1001", "1001-R1"]
    assert numbers(ConnexClient(one_store.credential(stores=["Amazon"])), RECENTLY) == []


# --- change tracking ----------------------------------------------------------------------


def test_every_save_or_delete_of_a_tracked_model_is_a_change_of_its_order(tracked):
    tracked.order("1001", modified_at=LONG_AGO)
    sale = Sale.objects.get(ref="1001")
    client = ConnexClient(tracked.credential())
    changes = [
        lambda: sale.save(),
        lambda: SaleItem.objects.create(sale=sale, product_code="X", title="X", qty=1, price_cents=1, gross_cents=1),
        lambda: sale.items.first().delete(),
        lambda: Receipt.objects.filter(sale=sale).first().save(),
    ]
    for change in changes:
        OrderChange.objects.update(changed_at=db_time(LONG_AGO))
        assert numbers(client, RECENTLY) == []
        change()
        assert numbers(client, RECENTLY) == ["1001"]


def test_tracking_costs_one_query_per_signal(tracked):
    tracked.order("1001", modified_at=LONG_AGO)
    sale = Sale.objects.get(ref="1001")

    with CaptureQueriesContext(connection) as queries:
        Receipt.objects.create(sale=sale, cents=100, taken=timezone.now(), card="Visa")

    assert len(queries) == 2  # the insert, and one upsert of the change record


def test_modified_date_is_the_last_change_and_falls_back_to_creation(tracked):
    tracked.order("1001", created_at=LONG_AGO)
    OrderChange.objects.all().delete()  # an order from before connex_bridge was installed
    client = ConnexClient(tracked.credential())

    (order,) = client.get("/connex/orders?orderNumber=1001").json()["Orders"]
    assert order["ModifiedDate"] == order["CreationDate"]

    Receipt.objects.create(sale=Sale.objects.get(ref="1001"), cents=100, taken=timezone.now(), card="Visa")
    (order,) = client.get("/connex/orders?orderNumber=1001").json()["Orders"]
    assert order["ModifiedDate"] > order["CreationDate"]


def test_a_window_of_a_tracked_source_is_one_subquery_of_its_changes_with_both_ends_inclusive(tracked):
    for number in ("1001", "1002"):
        tracked.order(number)
    ref = {str(sale.pk): sale.ref for sale in Sale.objects.all()}
    (first, one), (second, two) = sorted((c.changed_at, ref[c.order_key]) for c in OrderChange.objects.all())
    client = ConnexClient(tracked.credential())

    def z(at: dt.datetime) -> str:
        return at.astimezone(dt.timezone.utc).isoformat(timespec="microseconds").replace("+00:00", "Z")

    with CaptureQueriesContext(connection) as queries:
        assert sorted(numbers(client, f"date_modified_min={z(first)}&date_modified_max={z(second)}")) == [one, two]
    (orders,) = [q["sql"] for q in queries.captured_queries if "connex_changed_at" in q["sql"]]
    assert orders.count("connex_bridge_orderchange") == 2  # the sort key and the window, both ends in one
    assert numbers(client, f"date_modified_min={z(second)}") == [two]
    assert numbers(client, f"date_modified_max={z(first)}") == [one]


def mark(*args: str) -> str:
    out = StringIO()
    call_command("connex_mark_changed", *args, stdout=out)
    return out.getvalue()


def test_mark_changed_resends_orders_edited_without_signals(tracked):
    for n in range(3):
        tracked.order(f"100{n}", created_at=dt.datetime(2024, 5, n + 1, 12, tzinfo=dt.timezone.utc))
    OrderChange.objects.update(changed_at=db_time(LONG_AGO))
    Sale.objects.update(state="shipped")  # a bulk edit: no signal
    client = ConnexClient(tracked.credential())
    assert numbers(client, RECENTLY) == []

    assert mark("1000") == "Marked 1 order(s) as changed; Connex's next sync sends them again.\n"
    assert numbers(client, RECENTLY) == ["1000"]

    assert mark("--since", "2024-05-02", "--until", "2024-05-03T00:00:00Z").startswith("Marked 1 order(s)")
    assert sorted(numbers(client, RECENTLY)) == ["1000", "1001"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        ((), "Name order numbers, or a creation window with --since and/or --until."),
        (("1001", "--since", "2024-01-01"), "Give order numbers or --since/--until, not both."),
        (("nope",), "No order numbered nope; nothing was marked."),
        (("--since", "yesterday"), "--since 'yesterday' is not a date"),
        (("--since", "2024-02-01", "--until", "2024-01-01"), "--since 2024-02-01 is after --until 2024-01-01."),
    ],
)
def test_mark_changed_refuses_bad_input_with_one_line(tracked, args, message):
    tracked.order("1001")

    with pytest.raises(CommandError) as error:
        mark(*args)

    assert str(error.value).startswith(message)
    assert "\n" not in str(error.value)


def test_mark_changed_explains_itself_on_a_source_with_a_modified_field(settings, db):
    settings.CONNEX_BRIDGE = {"ORDER_SOURCE": "tests.altshop.source.AltShopSource"}

    with pytest.raises(CommandError, match="reads the shop's own modified time"):
        mark("1001")


def test_declarative_money_read_by_path_becomes_decimal(settings, db):
    class IntegerTotals(AltShopDeclarativeSource):
        order_fields = {**AltShopDeclarativeSource.order_fields, "total": "total_cents"}
        get_total = None  # the path, not the inherited method

    harness = AltShopTrackedHarness()
    harness.order("1001")
    sale = Sale.objects.get(ref="1001")

    record = IntegerTotals().to_record(sale)

    assert record.total == Decimal(sale.total_cents)
    assert isinstance(record.total, Decimal)


def test_payment_hooks_and_the_orders_payment_fields_do_not_collide(db):
    class Hooks(AltShopDeclarativeSource):
        def get_payment_method(self, receipt: Any) -> str:  # each payment's method
            return f"card {receipt.card}"

        def get_order_payment_method(self, sale: Any) -> str:  # the order's
            return "Visa"

    AltShopTrackedHarness().order("1001")

    record = Hooks().to_record(Sale.objects.get(ref="1001"))

    assert record.payment_method == "Visa"
    assert [p.method for p in record.payments] == ["card Visa"]


class AddressAndCustomerHooks(AltShopDeclarativeSource):
    """The whole billing address and customer from methods; no shipping address."""

    order_fields = {**AltShopDeclarativeSource.order_fields, "billing_address.city": "state"}  # the hook wins

    def get_billing_address(self, sale: Any) -> AddressRecord:
        return AddressRecord(first_name="Ada", last_name="Lovelace", line1="12 St James's Square", city="London")

    def get_shipping_address(self, sale: Any) -> None:
        return None

    def get_customer(self, sale: Any) -> CustomerRecord:
        return CustomerRecord(email=sale.buyer_email, company="Analytical Engines")


def test_address_and_customer_hooks_fill_the_whole_nested_record(settings, db):
    settings.CONNEX_BRIDGE = {"ORDER_SOURCE": "tests.test_order_source.AddressAndCustomerHooks"}
    harness = AltShopHarness()
    harness.order("1001")

    (order,) = ConnexClient(harness.credential()).get("/connex/orders?orderNumber=1001").json()["Orders"]

    billing = order["BillingAddress"]
    assert (billing["FirstName"], billing["Address1"], billing["City"]) == ("Ada", "12 St James's Square", "London")
    assert billing["Email"] == ""  # the hook's record stands whole: billing_address.email is not merged in
    assert order["ShippingAddress"] == billing  # None ships to the billing address
    assert (order["Customer"]["Email"], order["Customer"]["CompanyName"]) == ("buyer@example.com", "Analytical Engines")


def test_a_billing_address_hook_returning_none_sends_an_empty_address(db):
    class NoBilling(AltShopDeclarativeSource):
        def get_billing_address(self, sale: Any) -> None:
            return None

    AltShopHarness().order("1001")

    record = NoBilling().to_record(Sale.objects.get(ref="1001"))

    assert record.billing_address == AddressRecord()
    assert record.shipping_address is None


class ListsAsRecords(AltShopDeclarativeSource):
    """get_lines / get_discounts / get_payments returning records: no discounts path, no discount_fields."""

    def get_lines(self, sale: Any) -> list[Any]:
        shipping = LineRecord(sku="SHIP", name="Shipping", unit_price_excl_tax=Decimal("4.50"))  # quantity 1, no tax
        return [*sale.items.all(), shipping]  # host objects read through line_fields, and a record

    def get_discounts(self, sale: Any) -> list[DiscountRecord]:
        return [DiscountRecord(name="Spring sale", code="SPRING", amount=Decimal("2.00"))]

    def get_payments(self, sale: Any) -> list[PaymentRecord]:
        paid = sale.placed_on
        return [
            PaymentRecord(order_number="", amount=Decimal("1.00"), paid_at=paid, method="Gift card"),
            PaymentRecord(order_number="KEPT", amount=Decimal("2.00"), paid_at=paid, method="Visa"),
        ]


def test_list_hooks_may_return_records_which_pass_through(settings, db):
    assert check_ids(settings, "tests.test_order_source.ListsAsRecords") == []
    harness = AltShopHarness()
    harness.order("1001")

    body = ConnexClient(harness.credential()).get("/connex/orders?orderNumber=1001").json()

    (order,) = body["Orders"]
    assert [(line["Sku"], line["PriceExclTax"]) for line in order["OrderDetails"]] == [("SKU-1", 10.0), ("SHIP", 4.5)]
    assert order["Discounts"] == [{"Name": "Spring sale", "Code": "SPRING", "Amount": 2.0, "NonTaxable": False}]
    assert [(p["OrderNumber"], p["CreditCardName"]) for p in body["Payments"]] == [
        ("1001", "Gift card"),  # an empty order_number is the order's
        ("KEPT", "Visa"),
    ]


class JsonPaths(AltShopDeclarativeSource):
    """Paths into JSONFields: a product snapshot on each item, the store and notes in the sale's extras."""

    store_field = "extra__channel"
    order_fields = {
        **AltShopDeclarativeSource.order_fields,
        "note": "extra__notes__0",  # a list index
        "private_note": "extra__staff__note",  # a key the JSON lacks
    }
    line_fields = {"sku": "product_data__code", "name": "product_data__name", "quantity": "qty"}


class PathPastAPlainField(JsonPaths):
    line_fields = {**JsonPaths.line_fields, "sku": "title__code"}


class PathBeforeTheJsonFieldMisspelt(JsonPaths):
    line_fields = {**JsonPaths.line_fields, "sku": "product_dat__code"}


@pytest.fixture
def json_shop(settings, db) -> AltShopHarness:
    settings.CONNEX_BRIDGE = {"ORDER_SOURCE": "tests.test_order_source.JsonPaths"}
    harness = AltShopHarness()
    for number, channel in (("1001", "Web"), ("1002", "Amazon")):
        harness.order(number)
        Sale.objects.filter(ref=number).update(extra={"channel": channel, "notes": ["Leave at the door", "x"]})
    SaleItem.objects.update(product_data={"code": "MUG-1", "name": "Mug"})
    return harness


def test_paths_into_a_json_field_are_read_from_the_json(json_shop, settings):
    assert check_ids(settings, "tests.test_order_source.JsonPaths") == []

    (order,) = ConnexClient(json_shop.credential()).get("/connex/orders?orderNumber=1001").json()["Orders"]

    assert [(line["Sku"], line["Name"]) for line in order["OrderDetails"]] == [("MUG-1", "Mug")]
    assert (order["StoreName"], order["Note"], order["PrivateNote"]) == ("Web", "Leave at the door", "")


def test_a_filtered_path_into_a_json_field_filters_in_the_database(json_shop):
    client = ConnexClient(json_shop.credential())

    assert numbers(client, RECENTLY + "&storeName=wEB") == ["1001"]
    assert numbers(ConnexClient(json_shop.credential(stores=["amazon"])), RECENTLY) == ["1002"]


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("product_data__code", "MUG-1"),
        ("product_data__sizes__1", "L"),
        ("product_data__sizes__7", None),  # past the end of the list
        ("product_data__colour", None),  # a key the JSON lacks
        ("product_data__code__x", None),  # past a JSON scalar
        ("product_data__sizes__first", None),  # a list has no keys
    ],
)
def test_read_path_walks_into_json_by_key_and_index(path, expected):
    item = SaleItem(product_data={"code": "MUG-1", "sizes": ["S", "L"]})

    assert read_path(item, path) == expected


@pytest.mark.parametrize(
    ("source", "says"),
    [
        ("PathPastAPlainField", "goes past 'title', which is neither a relation nor a JSONField"),
        ("PathBeforeTheJsonFieldMisspelt", "(a path into a JSONField is checked up to the JSON field)"),
    ],
)
def test_a_bad_path_into_json_is_reported_up_to_the_json_field(settings, source, says):
    settings.CONNEX_BRIDGE = {"ORDER_SOURCE": f"tests.test_order_source.{source}"}

    (error,) = check_order_source()

    assert error.id == "connex_bridge.E018"
    assert says in error.msg


class NestedAsWhole(AltShopDeclarativeSource):
    order_fields = {**AltShopDeclarativeSource.order_fields, "customer": "buyer_email"}


def test_a_nested_record_as_one_key_is_reported_at_start_up(settings):
    assert check_ids(settings, "tests.test_order_source.NestedAsWhole") == ["connex_bridge.E020"]
