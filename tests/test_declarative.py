"""The declarative source's map syntax, hooks and start-up checks, as a shop developer meets them."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.db import connection
from django.db.models import CharField, F, OuterRef, Subquery, Value
from django.db.models.functions import Concat, Upper

from connex_bridge.checks import check_order_source
from connex_bridge.flows.orders import OrdersAnswer
from connex_bridge.records import AddressRecord, LineRecord, PaymentRecord
from connex_bridge.sources import First, Joined, get_order_source
from connex_bridge.sources.rows import fetches_first_chunk_apart
from connex_bridge.testing.client import ConnexClient
from tests.altshop.harness import AltShopHarness
from tests.altshop.models import Receipt, Sale
from tests.altshop.source import AltShopDeclarativeSource, AltShopSource
from tests.jsonshop.harness import JsonShopHarness
from tests.jsonshop.models import GiftCardRedemption, Order
from tests.jsonshop.source import JsonShopSource

SOURCE = "tests.test_declarative"


def errors(settings, source: str) -> list[Any]:
    settings.CONNEX_BRIDGE = {"ORDER_SOURCE": f"{SOURCE}.{source}"}
    return list(check_order_source())


def one_order(settings, source: str, **extra: Any) -> dict[str, Any]:
    settings.CONNEX_BRIDGE = {"ORDER_SOURCE": f"{SOURCE}.{source}"}
    harness = AltShopHarness()
    harness.order("1001")
    if extra:
        Sale.objects.filter(ref="1001").update(**extra)
    (order,) = ConnexClient(harness.credential()).get("/connex/orders?orderNumber=1001").json()["Orders"]
    return order


# --- records -------------------------------------------------------------------------


def test_a_line_needs_only_a_sku_and_a_price():
    line = LineRecord(sku="MUG-1", unit_price_excl_tax=Decimal("4.00"))

    assert (line.name, line.quantity, line.unit_price_incl_tax, line.tax_code) == ("", 1, Decimal("4.00"), "")
    assert line.has_tax is False


@pytest.mark.parametrize(
    ("taxable", "incl", "has_tax"),
    [(None, "4.00", False), (None, "4.80", True), (True, "4.00", True), (False, "4.80", False)],
)
def test_has_tax_follows_the_prices_unless_the_line_says(taxable, incl, has_tax):
    line = LineRecord(sku="A", unit_price_excl_tax=Decimal("4.00"), unit_price_incl_tax=Decimal(incl), taxable=taxable)

    assert line.has_tax is has_tax


def test_a_payment_needs_only_an_amount_and_a_time():
    paid = PaymentRecord(amount=Decimal("5.00"), paid_at=None)  # type: ignore[arg-type]

    assert (paid.order_number, paid.method, paid.reference) == ("", "", "")


@pytest.mark.parametrize(
    ("text", "lines"),
    [
        ("1 Main Street\nSpringfield", ("1 Main Street", "Springfield", "")),
        ("  Acme Ltd \r\n\r\n1 Main Street\n\nSpringfield IL 62701\nUSA\n", ("Acme Ltd", "1 Main Street",
                                                                           "Springfield IL 62701, USA")),
        ("", ("", "", "")),
        ("a\nb\nc\nd\ne", ("a", "b", "c, d, e")),
    ],
)  # fmt: skip
def test_a_free_text_address_fills_the_lines_in_order_and_loses_none(text, lines):
    address = AddressRecord.from_text(text, first_name="Zoë", country_code="US")

    assert (address.line1, address.line2, address.line3) == lines
    assert (address.first_name, address.country_code) == ("Zoë", "US")


# --- constants, free text, taxable lines through the endpoint -------------------------------


class WithConstants(AltShopDeclarativeSource):
    order_fields = {
        **AltShopDeclarativeSource.order_fields,
        "currency": Value("USD"),
        "billing_address.country_code": Value("US"),
        "billing_address.text": "extra__address",
        "billing_address.first_name": "extra__name",
    }
    line_fields = {**AltShopDeclarativeSource.line_fields, "taxable": Value(True), "tax_code": Value("TAX")}
    payment_fields = {**AltShopDeclarativeSource.payment_fields, "deposit_account": Value("Undeposited Funds")}


def test_constants_and_a_free_text_address_reach_connex(settings, db):
    assert errors(settings, "WithConstants") == []

    order = one_order(
        settings, "WithConstants", extra={"address": "Zoë Ångström\n1 Main St\n\nApt 4\nBoston MA", "name": "Zoë"}
    )

    assert order["CurrencyCode"] == "USD"
    billing = order["BillingAddress"]
    assert (billing["Address1"], billing["Address2"], billing["Address3"]) == ("Zoë Ångström", "1 Main St",
                                                                             "Apt 4, Boston MA")  # fmt: skip
    assert (billing["FirstName"], billing["TwoLetterIsoCode"]) == ("Zoë", "US")
    (line,) = order["OrderDetails"]
    assert (line["HasTax"], line["TaxCode"], line["PriceInclTax"]) == (True, "TAX", line["PriceExclTax"])


# --- every get_ method is a hook that is called, or an error -------------------------------------


class Misspelt(AltShopDeclarativeSource):
    def get_billing_adress(self, sale: Any) -> AddressRecord:
        return AddressRecord(city="Boston")


class HelperNamedLikeAHook(AltShopDeclarativeSource):
    def get_rate_for(self, sale: Any) -> Decimal:
        return Decimal(1)


def test_a_misspelt_hook_is_an_error_naming_the_closest_hook(settings):
    (error,) = errors(settings, "Misspelt")

    assert error.id == "connex_bridge.E026"
    assert "Misspelt.get_billing_adress() is no hook" in error.msg
    assert "altshop.Sale" in error.msg
    assert "Did you mean get_billing_address()?" in error.hint


def test_a_helper_starting_with_get_is_told_to_change_its_name(settings):
    (error,) = errors(settings, "HelperNamedLikeAHook")

    assert error.id == "connex_bridge.E026"
    assert "must not start with 'get_'" in error.hint


class EveryKindOfHook(AltShopDeclarativeSource):
    """One hook of each kind: all are called, none is an error."""

    def get_customer_company(self, sale: Any) -> str:
        return "Acme"

    def get_order_payment_method(self, sale: Any) -> str:
        return "On account"

    def get_shipping_address_city(self, sale: Any) -> str:
        return "Cambridge"

    def get_line_name(self, item: Any) -> str:
        return item.title.upper()

    def get_payment_method(self, receipt: Any) -> str:
        return "Amex"


def test_every_kind_of_hook_is_called(settings, db):
    assert errors(settings, "EveryKindOfHook") == []

    order = one_order(settings, "EveryKindOfHook")

    assert order["Customer"]["CompanyName"] == "Acme"
    assert order["CreditCardName"] == "On account"
    assert order["ShippingAddress"]["City"] == "Cambridge"
    assert order["OrderDetails"][0]["Name"] == "PRODUCT"


class StatusByMethod(AltShopDeclarativeSource):
    def get_status(self, sale: Any) -> str:
        return sale.state.title()


class ModifiedByMethod(AltShopDeclarativeSource):
    def get_order_modified_at(self, sale: Any) -> Any:
        return sale.placed_on


class NumberInTheMap(AltShopDeclarativeSource):
    order_fields = {**AltShopDeclarativeSource.order_fields, "number": "pk"}


@pytest.mark.parametrize(
    ("source", "says", "fix"),
    [
        ("StatusByMethod", "StatusByMethod.get_status() sets the order's status", "Point status_field"),
        ("ModifiedByMethod", "get_order_modified_at() sets the order's modified_at", "Point modified_field"),
        ("NumberInTheMap", "order_fields['number'] sets the order's number", "Point number_field"),
    ],
)
def test_a_field_connex_filters_by_cannot_be_set_by_a_method_or_the_map(settings, source, says, fix):
    (error,) = errors(settings, source)

    assert error.id == "connex_bridge.E027"
    assert says in error.msg
    assert fix in error.hint


class WritesTrackingThroughARelation(AltShopDeclarativeSource):
    writes_status = True
    tracking_field = "channel__label"


class WritesAnOverriddenStatus(WritesTrackingThroughARelation):
    def apply_status(self, order: Any, change: Any) -> bool:
        return False  # writes the change its own way: no field of the map is written


def test_e032_writes_status_needs_fields_of_the_order_itself_unless_apply_status_is_its_own(settings):
    (error,) = errors(settings, "WritesTrackingThroughARelation")

    assert error.id == "connex_bridge.E035"
    assert "tracking_field is 'channel__label'" in error.msg
    assert "override apply_status()" in error.hint
    assert errors(settings, "WritesAnOverriddenStatus") == []


# --- error messages that teach ------------------------------------------------------------------


class NoStoreField(AltShopSource):
    store_field = "store_name"  # the default, which this shop's Sale lacks


class NoModifiedField(AltShopSource):
    modified_field = "updated_at"


class NumberMisspelt(AltShopSource):
    number_field = "reff"


class AddressPastText(AltShopDeclarativeSource):
    order_fields = {**AltShopDeclarativeSource.order_fields, "billing_address.city": "buyer_email__city"}


class LinesInJson(AltShopDeclarativeSource):
    lines = "extra"


class SkuMissing(AltShopDeclarativeSource):
    line_fields = {"name": "title", "quantity": "qty"}


class KeyMisspelt(AltShopDeclarativeSource):
    order_fields = {**AltShopDeclarativeSource.order_fields, "curency": Value("USD")}


@pytest.mark.parametrize(
    ("source", "error_id", "says", "fix"),
    [
        ("NoStoreField", "E018", "NoStoreField.store_field is 'store_name'", "sets `store_field = None`"),
        ("NoModifiedField", "E018", "is 'updated_at'", "sets `modified_field = None` and lists the models"),
        ("NumberMisspelt", "E018", "NumberMisspelt.number_field is 'reff'", "Did you mean 'ref'?"),
        ("AddressPastText", "E018", "'buyer_email__city'", "A free-text address maps whole: `billing_address.text`"),
        ("LinesInJson", "E019", "LinesInJson.lines is 'extra'", "altshop.Sale has: items, promotions, receipts"),
        ("LinesInJson", "E019", "", "kept in a JSONField (extra) are returned by a get_lines(order) method"),
        ("SkuMissing", "E021", "line_fields lacks sku", "a JSONField: product_data__<key>) or to Value(constant)"),
        ("SkuMissing", "E021", "", "write get_line_sku()"),
        ("KeyMisspelt", "E020", "has the key 'curency'", "Did you mean 'currency'?"),
    ],
)
def test_each_error_names_the_value_the_model_and_the_fix(settings, source, error_id, says, fix):
    (error,) = errors(settings, source)

    assert error.id == f"connex_bridge.{error_id}"
    assert says in error.msg
    assert "altshop.Sale" in error.msg + error.hint
    assert fix in error.hint


# --- relations named as Python reads them ---------------------------------------------------------


class GiftCardsByAccessor(JsonShopSource):
    payments = "giftcardredemption_set"  # order.giftcardredemption_set, as Python reads it
    payment_fields = {"amount": "amount", "paid_at": "redeemed_at", "method": Value("Gift card")}


class GiftCardsByQueryName(GiftCardsByAccessor):
    payments = "giftcardredemption"  # the name a query uses


@pytest.mark.parametrize("source", ["GiftCardsByAccessor", "GiftCardsByQueryName"])
def test_a_reverse_relation_without_related_name_works_by_either_name(settings, db, source):
    assert errors(settings, source) == []
    harness = JsonShopHarness()
    harness.order("1001", payments=[])
    GiftCardRedemption.objects.create(order=Order.objects.get(number="1001"), amount=Decimal("25.00"))

    body = ConnexClient(harness.credential()).get("/connex/orders?orderNumber=1001").json()

    assert [(p["OrderNumber"], p["PaymentAmount"], p["CreditCardName"]) for p in body["Payments"]] == [
        ("1001", 25.0, "Gift card")
    ]


class GiftCardsMisnamed(GiftCardsByAccessor):
    payments = "giftcards"


def test_a_relation_that_is_not_there_lists_the_ones_that_are_as_python_reads_them(settings):
    (error,) = errors(settings, "GiftCardsMisnamed")

    assert error.id == "connex_bridge.E019"
    assert "jsonshop.Order has: giftcardredemption_set, items, payments" in error.hint


# --- query expressions in the maps, and records outside a poll ---------------------------------------


class WithExpressions(AltShopDeclarativeSource):
    order_fields = {
        **AltShopDeclarativeSource.order_fields,
        "note": Concat(Value("Sale "), F("ref"), output_field=CharField()),
        "tracking_number": Subquery(
            Receipt.objects.filter(sale=OuterRef("pk")).order_by("-pk").values("txn")[:1]
        ),  # the last receipt's transaction id
    }
    line_fields = {**AltShopDeclarativeSource.line_fields, "name": Upper("title")}


def test_query_expressions_in_the_maps_are_computed_by_the_database(settings, db):
    assert errors(settings, "WithExpressions") == []

    order = one_order(settings, "WithExpressions")

    assert (order["Note"], order["TrackingNumber"]) == ("Sale 1001", "t1")
    assert order["OrderDetails"][0]["Name"] == "PRODUCT"


def test_to_record_outside_a_poll_gives_what_the_poll_sends(settings, db):
    settings.CONNEX_BRIDGE = {"ORDER_SOURCE": f"{SOURCE}.WithExpressions"}
    harness = AltShopHarness()
    harness.order("1001", payments=[Decimal("4.00"), Decimal("6.00")])
    (polled, *_) = OrdersAnswer(harness.credential(), {"orderNumber": "1001"}).records()

    record = get_order_source().to_record(Sale.objects.get(ref="1001"))

    assert record == polled
    assert (record.note, len(record.payments)) == ("Sale 1001", 2)


# --- Joined: the values of a to-many path in one field -----------------------------------------------


class JoinedReceipts(AltShopDeclarativeSource):
    order_fields = {**AltShopDeclarativeSource.order_fields, "tracking_number": Joined("receipts__txn", " / ")}


def test_joined_values_of_a_to_many_path_come_in_order_without_blanks(settings, db):
    assert errors(settings, "JoinedReceipts") == []
    harness = AltShopHarness()
    harness.order("1001", payments=[Decimal("1.00"), Decimal("2.00"), Decimal("7.00")])  # txn t1, t2, t3
    harness.order("1002", payments=[])
    Receipt.objects.filter(txn="t2").update(txn="")
    client = ConnexClient(harness.credential())

    orders = client.get("/connex/orders?orderNumber=1001,1002").json()["Orders"]

    assert [(o["OrderNumber"], o["TrackingNumber"]) for o in orders] == [("1001", "t1 / t3"), ("1002", "")]


class JoinedWithoutToMany(AltShopDeclarativeSource):
    order_fields = {**AltShopDeclarativeSource.order_fields, "note": Joined("channel__label")}


class JoinedEndsAtTheRelation(AltShopDeclarativeSource):
    order_fields = {**AltShopDeclarativeSource.order_fields, "note": Joined("receipts")}


class JoinedInALineMap(AltShopDeclarativeSource):
    line_fields = {**AltShopDeclarativeSource.line_fields, "name": Joined("sale__receipts__txn")}


@pytest.mark.parametrize(
    ("source", "says"),
    [
        ("JoinedWithoutToMany", "goes through no to-many relation, so it has one value: map it as a path"),
        ("JoinedEndsAtTheRelation", "ends at the relation 'receipts': name the field to join"),
        ("JoinedInALineMap", "Joined() is read for order_fields only"),
    ],
)
def test_a_joined_path_that_cannot_be_joined_is_reported_at_start_up(settings, source, says):
    (error,) = errors(settings, source)

    assert error.id == "connex_bridge.E018"
    assert says in error.msg


class FirstAndJoinedReceipts(AltShopDeclarativeSource):
    order_fields = {
        **AltShopDeclarativeSource.order_fields,
        "tracking_number": Joined("receipts__txn"),
        "paid_at": First("receipts__taken"),
        "private_note": First("receipts__card"),
    }


def test_first_takes_the_first_related_row_and_shares_its_relations_query(settings, db, django_assert_max_num_queries):
    assert errors(settings, "FirstAndJoinedReceipts") == []
    harness = AltShopHarness()
    harness.order("1001", payments=[Decimal("1.00"), Decimal("9.00")])
    harness.order("1002", payments=[])
    Receipt.objects.filter(txn="t2").update(card="Amex")
    first = Receipt.objects.get(txn="t1")
    client = ConnexClient(harness.credential())

    orders = client.get("/connex/orders?orderNumber=1001,1002").json()["Orders"]

    assert [(o["TrackingNumber"], o["PrivateNote"]) for o in orders] == [("t1, t2", first.card), ("", "")]
    assert orders[0]["PaidDate"] is not None and orders[1]["PaidDate"] is None
    plan = get_order_source().read_plan()
    assert [child.kind for child in plan.children].count("to-many receipts") == 1


# --- how child rows are read: in step with the orders, or per chunk ---------------------------------


class LineNamedBySubquery(AltShopDeclarativeSource):
    # A subquery refers to the line by OuterRef: it cannot be seen from the order, so lines are read per chunk.
    line_fields = {
        **AltShopDeclarativeSource.line_fields,
        "name": Subquery(Receipt.objects.filter(sale=OuterRef("sale")).order_by("pk").values("txn")[:1]),
    }


@pytest.mark.parametrize(
    ("source", "in_step", "queries"),
    [
        # The orders (on PostgreSQL: a chunk and a row fetched apart, then streamed), then their lines,
        # payments and receipts, each in one query for the whole window.
        ("JoinedReceipts", True, lambda chunks, orders: orders + 3),
        ("WithExpressions", True, lambda chunks, orders: orders + 2),  # Upper("title"): through the relation
        ("LineNamedBySubquery", False, lambda chunks, orders: orders + 2 * chunks),  # lines, payments per chunk
    ],
)
def test_child_rows_come_in_one_query_unless_their_map_holds_a_subquery(
    settings, db, monkeypatch, django_assert_num_queries, source, in_step, queries
):
    settings.CONNEX_BRIDGE = {"ORDER_SOURCE": f"{SOURCE}.{source}"}
    harness = AltShopHarness()
    for n in range(5):
        harness.order(f"{1001 + n}", payments=[Decimal("4.00"), Decimal("6.00")])
    monkeypatch.setattr(AltShopDeclarativeSource, "chunk_size", 2)
    answer = OrdersAnswer(harness.credential(), {"orderNumber": ",".join(f"{1001 + n}" for n in range(5))})

    with django_assert_num_queries(queries(3, 1 + fetches_first_chunk_apart(connection.alias))):
        records = list(answer.records())

    assert get_order_source().constant_queries is in_step
    orders = [record for record in records if not isinstance(record, PaymentRecord)]
    assert [order.number for order in orders] == [f"{1001 + n}" for n in range(5)]
    assert all(len(order.lines) == 1 and len(order.payments) == 2 for order in orders)
    if source == "LineNamedBySubquery":
        assert orders[2].lines[0].name == Receipt.objects.filter(sale__ref="1003").order_by("pk")[0].txn


def test_a_window_that_fits_in_one_chunk_selects_each_child_by_the_window_itself(
    settings, db, monkeypatch, django_assert_num_queries
):
    settings.CONNEX_BRIDGE = {"ORDER_SOURCE": f"{SOURCE}.JoinedReceipts"}
    harness = AltShopHarness()
    for n in range(4):
        harness.order(f"{1001 + n}", payments=[Decimal("4.00"), Decimal("6.00")])
    answer = OrdersAnswer(harness.credential(), {"orderNumber": ",".join(f"{1001 + n}" for n in range(4))})

    def read(chunk_size: int, orders: int) -> tuple[list[Any], list[str]]:
        monkeypatch.setattr(AltShopDeclarativeSource, "chunk_size", chunk_size)
        with django_assert_num_queries(orders + 3) as queries:  # the orders, lines, payments and receipts
            records = list(answer.records())
        sql = [q["sql"] for q in queries.captured_queries]
        if apart:
            assert sql[0].endswith(f"LIMIT {chunk_size + 1}")  # a chunk and a row, in one plain fetch
        return records, sql[orders:]

    apart = fetches_first_chunk_apart(connection.alias)
    whole, by_window = read(4, 1)  # exactly one chunk
    in_chunks, in_step = read(3, 1 + apart)  # a larger window: on PostgreSQL its orders are read again

    assert whole == in_chunks
    sales = f"FROM {connection.ops.quote_name('altshop_sale')}"
    assert all(sales not in sql.split(" WHERE ")[0] for sql in by_window)  # no join to sort by
    assert all(sales in sql.split(" WHERE ")[0] for sql in in_step)  # read through the orders


class PromotionsAsDiscounts(AltShopDeclarativeSource):
    discounts = "promotions"
    discount_fields = {"name": "code", "code": "code"}


def test_children_through_a_many_to_many_relation_are_read_in_step_under_each_of_their_orders(
    settings, db, django_assert_num_queries
):
    from tests.altshop.models import Promotion

    assert errors(settings, "PromotionsAsDiscounts") == []
    harness = AltShopHarness()
    sales = [Sale.objects.get(ref=harness.order(f"{1001 + n}").number) for n in range(3)]
    spring, vip = Promotion.objects.create(code="SPRING"), Promotion.objects.create(code="VIP")
    spring.sales.add(sales[0], sales[2])
    vip.sales.add(sales[2])
    answer = OrdersAnswer(harness.credential(), {"orderNumber": "1001,1002,1003"})

    with django_assert_num_queries(4):  # the orders, their items, receipts and promotions
        orders = [record for record in answer.records() if not isinstance(record, PaymentRecord)]

    assert get_order_source().constant_queries
    assert [[d.code for d in order.discounts] for order in orders] == [["SPRING"], [], ["SPRING", "VIP"]]
