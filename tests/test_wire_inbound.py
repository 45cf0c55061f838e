"""The wire module, inbound: Connex's JSON (docs/protocol.md §2, §4, §5) read into records.

Bodies are written the way Json.NET writes Connex's C# classes: every property, in declaration order,
PascalCase, nulls and zeros for the unused ones, decimals with a point (``17.0``), .NET's empty date
``0001-01-01T00:00:00`` for an unset ``DateTime``, enums as numbers.
"""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo
from decimal import Decimal

import pytest
from django.conf import settings
from django.utils import timezone

from connex_bridge import wire
from connex_bridge.filters import parse_connex_datetime
from connex_bridge.records import AddressRecord, CustomerRecord, DiscountRecord, LineRecord, ProductRecord
from tests.connex_bodies import (
    JMADISCOUNT,
    JMAORDERDETAIL,
    address,
    customer,
    jmauser,
    json_net,
    order,
    product,
)


def as_utc(value: dt.datetime) -> dt.datetime:
    """The instant a record's date stands for: naive ones are in Django's TIME_ZONE (USE_TZ off)."""
    if timezone.is_naive(value):
        value = value.replace(tzinfo=timezone.get_default_timezone())
    return value.astimezone(dt.timezone.utc)


def error(reader, body) -> str:
    with pytest.raises(wire.BadBodyError) as caught:
        reader(body)
    return str(caught.value)


# --- JMAProduct (inventory) ----------------------------------------------------------------------


def test_a_product_array_as_json_net_writes_it_reads_into_product_records():
    body = "[" + product(Sku='"WIDGET-1"', Name='"Widget"', StockQuantity="17.0", Amount="106.25", IsEnabled="true")
    body += "," + product(Sku='"GADGET"', Description='"Blue"', Barcode='"0123456789012"', PurchaseCost="4.5") + "]"

    products = wire.read_products(body.encode())

    assert products == [
        ProductRecord(sku="WIDGET-1", name="Widget", stock_quantity=Decimal("17.0"), amount=Decimal("106.25"),
                      purchase_cost=Decimal("0.0"), is_enabled=True),
        ProductRecord(sku="GADGET", description="Blue", barcode="0123456789012", stock_quantity=Decimal("0.0"),
                      amount=Decimal("0.0"), purchase_cost=Decimal("4.5"), is_enabled=False),
    ]  # fmt: skip


def test_a_property_connex_did_not_send_or_sent_as_null_is_none_so_it_overwrites_nothing():
    (pushed,) = wire.read_products('[{"Sku":"WIDGET-1","StockQuantity":3,"Amount":null}]')

    assert pushed == ProductRecord(sku="WIDGET-1", stock_quantity=Decimal(3))
    assert pushed.amount is None
    assert pushed.purchase_cost is None
    assert pushed.is_enabled is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("106.25", "106.25"),
        ("0.1", "0.1"),
        ("17", "17"),
        ("17.0", "17.0"),
        ("1e2", "100"),
        ("1.5E+3", "1500"),
        ("-0.01", "-0.01"),
        ("0.0000000000000000000000000001", "1E-28"),
        ("792281625142643375935439503.3", "792281625142643375935439503.3"),
    ],
)
def test_amounts_are_exact_decimals_never_floats(text, expected):
    (pushed,) = wire.read_products(f'[{{"Sku":"A","Amount":{text}}}]')

    assert type(pushed.amount) is Decimal
    assert str(pushed.amount) == expected


def test_amounts_add_up_exactly():
    pushed = wire.read_products('[{"Sku":"A","Amount":0.1},{"Sku":"B","Amount":0.2}]')

    assert pushed[0].amount + pushed[1].amount == Decimal("0.3")  # with floats: 0.30000000000000004


def test_a_body_parsed_elsewhere_with_floats_still_gives_decimals():
    (pushed,) = wire.read_products(json.loads('[{"Sku":"A","Amount":106.25,"StockQuantity":3}]'))

    assert pushed.amount == Decimal("106.25")
    assert type(pushed.stock_quantity) is Decimal


def test_property_names_are_matched_in_any_case():
    body = '[{"sku":"A","STOCKQUANTITY":5,"amount":1.5,"isenabled":false,"ManufacturerPARTNumber":"M-1"}]'

    assert wire.read_products(body) == [
        ProductRecord(sku="A", stock_quantity=Decimal(5), amount=Decimal("1.5"), is_enabled=False,
                      manufacturer_part_number="M-1"),
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("body", "amount"),
    [
        ('[{"Sku":"A","Amount":1,"amount":2}]', Decimal(2)),
        ('[{"Sku":"A","amount":2,"Amount":1}]', Decimal(1)),
        ('[{"Sku":"A","Amount":1,"AMOUNT":null}]', None),
        ('[{"Sku":"A","Amount":1,"amount":2,"Amount":3}]', Decimal(3)),  # the same key again: still the last
    ],
)
def test_of_names_differing_only_in_case_the_last_wins_as_in_json_net(body, amount):
    (pushed,) = wire.read_products(body)

    assert pushed.amount == amount


def test_unknown_properties_are_ignored_whatever_they_hold():
    (pushed,) = wire.read_products('[{"Sku":"A","Weight":"heavy","Colour":{"r":1},"Amount":2,"Sku2":NaN}]')

    assert pushed == ProductRecord(sku="A", amount=Decimal(2))


def test_a_non_ascii_name_that_folds_to_a_property_name_is_not_that_property():
    # U+212A KELVIN SIGN lower-cases to "k"; Json.NET's ordinal comparison does not match it.
    (pushed,) = wire.read_products('[{"Sku":"A","S\u212au":"B"}]')

    assert pushed.sku == "A"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('[{"Sku":"A"},{"Sku":"B"},{"Sku":"C"},{"Sku":"D","StockQuantity":"abc"}]',
         '[3].StockQuantity: "abc" is not a number'),
        ('[{"Sku":"A","stockquantity":"17"}]', '[0].stockquantity: "17" is not a number'),
        ('[{"Sku":"A","Amount":true}]', "[0].Amount: true is not a number"),
        ('[{"Sku":"A","Amount":[1]}]', "[0].Amount: [1] is not a number"),
        ('[{"Sku":"A","Amount":NaN}]', "[0].Amount: NaN is not a number"),
        ('[{"Sku":"A","Amount":Infinity}]', "[0].Amount: Infinity is not a number"),
        ('[{"Sku":"A","Amount":-Infinity}]', "[0].Amount: -Infinity is not a number"),
        ('[{"Sku":"A","Amount":1e30}]', "[0].Amount: 1E+30 is too large (at most 79228162514264337593543950335)"),
        ('[{"Sku":"A","Amount":1e999999999}]',
         "[0].Amount: 1E+999999999 is too large (at most 79228162514264337593543950335)"),
        ('[{"Sku":"A","Amount":1234567890.1234567890123456789}]',
         "[0].Amount: 1234567890.1234567890123456789 has more than 28 significant digits"),
        ('[{"Sku":"A","Amount":1e-29}]', "[0].Amount: 1E-29 has more than 28 decimal places"),
        ('[{"Sku":"A","Amount":0.00000000000000000000000000015}]',
         "[0].Amount: 1.5E-28 has more than 28 decimal places"),
        ('[{"Sku":"A","IsEnabled":"true"}]', '[0].IsEnabled: "true" is not a boolean (expected true or false)'),
        ('[{"Sku":"A","IsEnabled":1}]', "[0].IsEnabled: 1 is not a boolean (expected true or false)"),
        ('[{"Sku":12345}]', "[0].Sku: 12345 is not a string"),
        ('[{"Sku":"A","Name":{"en":"Widget"}}]', '[0].Name: {"en":"Widget"} is not a string'),
        ('[{"Sku":"A","Name":"\\ud800"}]', '[0].Name: "\\ud800" is not text (it holds a lone UTF-16 surrogate)'),
        ('[{"Sku":"A"},{"Sku":"B"},{"Name":"Widget"}]', "[2].Sku: missing"),
        ('[{"Sku":null}]', "[0].Sku: missing"),
        ('[{"Sku":"  "}]', '[0].Sku: "  " is blank'),
        ('["WIDGET-1"]', "[0]: expected a JMAProduct object, got a string"),
        ("[[]]", "[0]: expected a JMAProduct object, got an array"),
        ('{"Sku":"WIDGET-1"}', "body: expected a JSON array of JMAProduct, got an object"),
        ("null", "body: expected a JSON array of JMAProduct, got null"),
        ('[{"Sku":"A" "Name":"B"}]',  # a message every Python since 3.10 words alike
         "body: not valid JSON: Expecting ',' delimiter at line 1 column 13"),
        ("", "body: empty; expected JSON"),
    ],
)  # fmt: skip
def test_a_malformed_product_body_is_an_error_naming_path_value_and_form(body, message):
    assert error(wire.read_products, body) == message


def test_a_huge_value_is_cut_short_in_the_message():
    message = error(wire.read_products, '[{"Sku":"A","Amount":"' + "9" * 100_000 + '"}]')

    assert message == '[0].Amount: "' + "9" * 58 + "… is not a number"


def test_a_huge_array_in_the_wrong_place_is_cut_short_too():
    message = error(wire.read_products, '[{"Sku":"A","Name":[' + ",".join(["12345"] * 100_000) + "]}]")

    assert message == "[0].Name: [" + ",".join(["12345"] * 10)[:58] + "… is not a string"


# --- JMAOrder (changeorderstatus) ----------------------------------------------------------------


def test_a_status_push_names_the_shops_order_by_other_and_carries_the_shipment():
    body = order(
        OrderNumber='"1001"', Other='"55"', OrderStatus='"shipped"', TrackingNumber='"1Z999AA10123456784"',
        ShippingDate='"2024-05-02T01:30:05Z"', PaidDate='"/Date(1714613405000)/"',
    )  # fmt: skip

    update = wire.read_order_status(body)

    assert update.order_id == "55"
    assert (update.number, update.other, update.status) == ("1001", "55", "shipped")
    assert update.tracking_number == "1Z999AA10123456784"
    assert as_utc(update.shipped_at) == dt.datetime(2024, 5, 2, 1, 30, 5, tzinfo=dt.timezone.utc)
    assert as_utc(update.paid_at) == dt.datetime(2024, 5, 2, 1, 30, 5, tzinfo=dt.timezone.utc)


@pytest.mark.parametrize("other", ["null", '""', '"  "'])
def test_without_other_the_order_number_names_the_order(other):
    update = wire.read_order_status(order(OrderNumber='"1001"', Other=other))

    assert update.order_id == "1001"


def test_an_empty_status_and_unset_dates_read_as_they_came():
    update = wire.read_order_status(order(Other='"55"', OrderStatus='""'))

    assert update.status == ""  # empty = complete (docs/protocol.md §2)
    assert update.shipped_at is None
    assert update.paid_at is None


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (order(), "Other: missing (and so is OrderNumber)"),
        (order(Other='"55"', ShippingDate='"yesterday"'),
         'ShippingDate: "yesterday" is not a date (expected ISO 8601 such as 2024-05-01T13:30:00Z, or /Date(ms)/)'),
        (order(Other='"55"', Total='"12.00"'), 'Total: "12.00" is not a number'),
        (order(Other='"55"', TrackingNumber='"1Z\\u0000"'), 'TrackingNumber: "1Z\\u0000" holds a NUL character'),
        (order(Other='"55"', BillingAddress='"12 Main St"'),
         'BillingAddress: expected a JMAAddress object, got a string'),
        ("[" + order(Other='"55"') + "]", "body: expected a JMAOrder object, got an array"),
    ],
)  # fmt: skip
def test_a_malformed_status_push_is_an_error_naming_path_value_and_form(body, message):
    assert error(wire.read_order_status, body) == message


# --- JMAOrder (createorders) ---------------------------------------------------------------------


def full_order() -> str:
    """A JMAOrder with every field of docs/protocol.md §4 set, dates in each form Json.NET writes."""
    line = json_net(
        JMAORDERDETAIL, Sku='"WIDGET-1"', Name='"Widget"', Quantity="2.0", PriceExclTax="50.00",
        PriceInclTax="53.125", DiscountExclTax="5.0", DiscountInclTax="5.3125", HasTax="true", TaxCode='"TAX"',
        Product=product(Sku='"WIDGET-1"', Name='"Widget"', Amount="50.0"),
    )  # fmt: skip
    shipping_line = json_net(JMAORDERDETAIL, Sku='"SHIPPING"', Quantity="1.0", PriceExclTax="10.0", IsShipping="true")
    coupon = json_net(JMADISCOUNT, Name='"Spring"', Code='"SPRING10"', Amount="10.0", NonTaxable="true")
    return order(
        OrderNumber='"Q-1001"', Id="1001", Other='"55"', OrderStatus='"Pending"', StoreName='"QuickBooks"',
        CreationDate='"2024-05-01T21:30:05"', ModifiedDate='"2024-05-02T01:30:05.1234567Z"',
        PaidDate='"/Date(1714613405000)/"', ShippingDate='"2024-05-02T03:30:05+02:00"',
        Total="106.25", TotalInclTax="106.25", TotalExclTax="100.00", TotalTax="6.25", ShippingInclTax="10.0",
        ShippingExclTax="10.0", ShippingMethod='"UPS Ground"', DiscountInclTax="10.625", DiscountExclTax="10.0",
        Discounts="[" + coupon + "]", OrderDetails="[" + line + "," + shipping_line + "]",
        BillingAddress=address(FirstName='"Ada"', LastName='"Lovelace"', FullName='"Ada Lovelace"',
                               Company='"Engines Ltd"', Address1='"12 Main St"', Address2='"Suite 4"',
                               Address3='"Back door"', City='"Boston"', RegionName='"MA"', PostalCode='"02101"',
                               CountryName='"United States"', TwoLetterIsoCode='"US"', PhoneNumber='"555-0100"',
                               Email='"ada@example.com"'),
        ShippingAddress=address(FirstName='"Charles"', City='"Cambridge"'),
        Customer=customer(Id='"42"', Email='"ada@example.com"', CompanyName='"Engines Ltd"'),
        CreditCardName='"Visa"', ReferenceNumber='"ch_123"', CurrencyCode='"USD"', TrackingNumber='"1Z999"',
        Note='"Leave at the door"', PrivateNote='"VIP"', InvoiceMode='"SalesOrders"', ParentOrderNumber='""',
        PurchaseType='"Bill"', Vendor='"Acme"',
    )  # fmt: skip


@pytest.mark.parametrize("number", ["null", '""', '"  "'])
def test_an_order_without_a_number_reads_with_an_empty_one_for_createorders_to_refuse_alone(number):
    first, second = wire.read_orders(jmauser([order(OrderNumber=number), order(OrderNumber='"2"')]))

    assert (first.number, second.number) == ("", "2")


def test_an_order_created_in_quickbooks_reads_into_an_order_record():
    (record,) = wire.read_orders(jmauser([full_order()]))

    assert (record.number, record.id, record.other, record.status) == ("Q-1001", 1001, "55", "Pending")
    assert (record.store_name, record.currency, record.invoice_mode) == ("QuickBooks", "USD", "SalesOrders")
    assert (record.total, record.total_tax) == (Decimal("106.25"), Decimal("6.25"))
    assert (record.shipping_incl_tax, record.shipping_excl_tax) == (Decimal("10.0"), Decimal("10.0"))
    assert (record.discount_incl_tax, record.discount_excl_tax) == (Decimal("10.625"), Decimal("10.0"))
    assert record.shipping_method == "UPS Ground"
    assert record.lines == [
        LineRecord(sku="WIDGET-1", name="Widget", quantity=Decimal("2.0"), unit_price_excl_tax=Decimal("50.00"),
                   unit_price_incl_tax=Decimal("53.125"), discount_excl_tax=Decimal("5.0"),
                   discount_incl_tax=Decimal("5.3125"), tax_code="TAX"),
        LineRecord(sku="SHIPPING", name="", quantity=Decimal("1.0"), unit_price_excl_tax=Decimal("10.0"),
                   unit_price_incl_tax=Decimal("0.0"), discount_excl_tax=Decimal("0.0"),
                   discount_incl_tax=Decimal("0.0")),
    ]  # fmt: skip
    assert record.discounts == [
        DiscountRecord(name="Spring", code="SPRING10", amount=Decimal("10.0"), non_taxable=True)
    ]
    assert record.billing_address == AddressRecord(
        first_name="Ada", last_name="Lovelace", company="Engines Ltd", line1="12 Main St", line2="Suite 4",
        line3="Back door", city="Boston", region_code="MA", postal_code="02101", country_name="United States",
        country_code="US", phone="555-0100", email="ada@example.com",
    )  # fmt: skip
    assert record.shipping_address == AddressRecord(first_name="Charles", city="Cambridge")
    assert record.customer == CustomerRecord(id=42, email="ada@example.com", company="Engines Ltd")
    assert (record.payment_method, record.payment_reference) == ("Visa", "ch_123")
    assert (record.tracking_number, record.note, record.private_note) == ("1Z999", "Leave at the door", "VIP")
    assert record.parent_number == ""
    assert not record.is_cancelled
    assert record.payments == []


def test_the_dates_of_an_order_read_as_the_instants_they_name():
    (record,) = wire.read_orders(jmauser([full_order()]))
    shop_zone = zoneinfo.ZoneInfo(settings.TIME_ZONE)  # no zone: the shop's wall-clock time

    assert as_utc(record.created_at) == dt.datetime(2024, 5, 1, 21, 30, 5, tzinfo=shop_zone)
    assert as_utc(record.modified_at) == dt.datetime(2024, 5, 2, 1, 30, 5, 123456, tzinfo=dt.timezone.utc)
    assert as_utc(record.paid_at) == dt.datetime(2024, 5, 2, 1, 30, 5, tzinfo=dt.timezone.utc)
    assert as_utc(record.shipped_at) == dt.datetime(2024, 5, 2, 1, 30, 5, tzinfo=dt.timezone.utc)


def test_createorders_reads_a_jmauser_and_a_bare_array_alike():
    orders = [full_order(), order(OrderNumber='"Q-1002"', CreationDate='"2024-05-03T10:00:00Z"')]

    from_user = wire.read_orders(jmauser(orders))
    from_array = wire.read_orders("[" + ",".join(orders) + "]")

    assert [r.number for r in from_user] == ["Q-1001", "Q-1002"]
    assert from_array == from_user


def test_a_jmauser_with_null_orders_holds_no_orders():
    assert wire.read_orders('{"Orders":null,"Payments":[]}') == []


def test_an_unset_creation_date_falls_back_to_the_modified_date_then_to_now():
    before = timezone.now()
    only_modified, neither = wire.read_orders(
        "[" + order(OrderNumber='"1"', ModifiedDate='"2024-05-03T10:00:00Z"') + "," + order(OrderNumber='"2"') + "]"
    )
    after = timezone.now()

    assert as_utc(only_modified.created_at) == dt.datetime(2024, 5, 3, 10, tzinfo=dt.timezone.utc)
    assert only_modified.modified_at == only_modified.created_at
    assert before <= neither.created_at <= after
    assert neither.modified_at == neither.created_at


@pytest.mark.parametrize(
    ("sent", "read"), [("0", ""), ("14", ""), ('"salesorders"', "SalesOrders"), ('"None"', "None")]
)
def test_invoice_mode_is_read_by_name_and_a_number_is_no_override(sent, read):
    (record,) = wire.read_orders("[" + order(OrderNumber='"1"', InvoiceMode=sent) + "]")

    assert record.invoice_mode == read


@pytest.mark.parametrize(("sent", "read"), [('"42"', 42), ("42", 42), ('"80000001-1234567890"', 0), ("null", 0)])
def test_a_customer_id_is_kept_when_it_is_a_whole_number(sent, read):
    (record,) = wire.read_orders("[" + order(OrderNumber='"1"', Customer=customer(Id=sent)) + "]")

    assert record.customer.id == read


def test_null_nested_objects_and_lists_read_as_their_defaults():
    body = order(OrderNumber='"1"', BillingAddress="null", ShippingAddress="null", Customer="null",
                 OrderDetails="null", Discounts="null")  # fmt: skip

    (record,) = wire.read_orders("[" + body + "]")

    assert record.billing_address == AddressRecord()
    assert record.shipping_address is None  # billing serves
    assert record.customer == CustomerRecord()
    assert (record.lines, record.discounts) == ([], [])


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (jmauser([full_order(), order(OrderNumber='"2"', ShippingDate='"yesterday"')]),
         'Orders[1].ShippingDate: "yesterday" is not a date '
         "(expected ISO 8601 such as 2024-05-01T13:30:00Z, or /Date(ms)/)"),
        ("[" + order(OrderNumber='"1"', Id="1.5") + "]",
         "[0].Id: 1.5 is not a whole number from -2147483648 to 2147483647"),
        ("[" + order(OrderNumber='"1"', Id="2147483648") + "]",
         "[0].Id: 2147483648 is not a whole number from -2147483648 to 2147483647"),
        (jmauser([order(OrderNumber='"1"', OrderDetails='{"Sku":"A"}')]),
         "Orders[0].OrderDetails: expected a JSON array of JMAOrderDetail, got an object"),
        (jmauser([order(OrderNumber='"1"', OrderDetails='[{"Sku":"A"},7]')]),
         "Orders[0].OrderDetails[1]: expected a JMAOrderDetail object, got a number"),
        (jmauser([order(OrderNumber='"1"', OrderDetails='[{"Sku":"A","Quantity":"2"}]')]),
         'Orders[0].OrderDetails[0].Quantity: "2" is not a number'),
        (jmauser([order(OrderNumber='"1"', Discounts='[{"NonTaxable":"no"}]')]),
         'Orders[0].Discounts[0].NonTaxable: "no" is not a boolean (expected true or false)'),
        (jmauser([order(OrderNumber='"1"', BillingAddress=address(City="12"))]),
         "Orders[0].BillingAddress.City: 12 is not a string"),
        (jmauser([order(OrderNumber='"1"', InvoiceMode='"Sales"')]),
         'Orders[0].InvoiceMode: "Sales" is not an InvoiceMode name (see docs/protocol.md §4)'),
        ('{"Payments":[]}', "Orders: missing"),
        ('"Q-1001"', "body: expected a JMAUser object or a JSON array of JMAOrder, got a string"),
        ("[1001]", "[0]: expected a JMAOrder object, got a number"),
    ],
)  # fmt: skip
def test_a_malformed_createorders_body_is_an_error_naming_path_value_and_form(body, message):
    assert error(wire.read_orders, body) == message


# --- dates (docs/protocol.md §5) -----------------------------------------------------------------


def shipped_at(text: str) -> dt.datetime | None:
    return wire.read_order_status({"Other": "55", "ShippingDate": text}).shipped_at


@pytest.mark.parametrize(
    "text",
    [
        "2017-05-09T13:58:32Z",
        "2017-05-09T13:58:32z",
        "2017-05-09T13:58:32.0000000Z",
        "2017-05-09T15:58:32+02:00",
        "2017-05-09T15:58:32+0200",
        "2017-05-09T15:58:32+02",
        "2017-05-09T08:58:32-05:00",
        "2017-05-09T19:28:32+05:30",
        "/Date(1494338312000)/",
        "/Date(1494338312000+0200)/",  # Json.NET's local form: the milliseconds are UTC all the same
        "/Date(1494338312000-0500)/",
    ],
)
def test_every_date_form_json_net_writes_reads_as_the_same_instant(text):
    assert as_utc(shipped_at(text)) == dt.datetime(2017, 5, 9, 13, 58, 32, tzinfo=dt.timezone.utc)


@pytest.mark.parametrize(
    ("text", "microsecond"),
    [("2017-05-09T13:58:32.1Z", 100_000), ("2017-05-09T13:58:32.123456Z", 123_456),
     ("2017-05-09T13:58:32.1234567Z", 123_456), ("/Date(1494338312789)/", 789_000)],
)  # fmt: skip
def test_fractions_of_a_second_are_kept_to_the_microsecond(text, microsecond):
    assert as_utc(shipped_at(text)).microsecond == microsecond


@pytest.mark.parametrize("use_tz", [True, False])
def test_dates_are_aware_with_use_tz_and_naive_local_without(settings, use_tz):
    settings.USE_TZ = use_tz

    for text in ["2017-05-09T13:58:32Z", "/Date(1494338312000)/", "2017-05-09T13:58:32"]:
        assert timezone.is_aware(shipped_at(text)) is use_tz, text


@pytest.mark.parametrize("config", [{}, {"TIME_ZONE": "Asia/Kolkata"}, {"TIME_ZONE": "America/Los_Angeles"}])
def test_a_date_without_zone_is_the_shops_wall_clock_time_as_the_local_form_writes_it(settings, config):
    settings.CONNEX_BRIDGE = config
    zone = zoneinfo.ZoneInfo(config.get("TIME_ZONE", settings.TIME_ZONE))

    assert as_utc(shipped_at("2024-05-01T21:30:05")) == dt.datetime(2024, 5, 1, 21, 30, 5, tzinfo=zone)


@pytest.mark.parametrize("form", ["local", "utc", "microsoft"])
@pytest.mark.parametrize("config", [{}, {"TIME_ZONE": "Asia/Kolkata"}])
def test_a_date_written_in_any_form_reads_back_as_the_same_instant(settings, form, config):
    settings.CONNEX_BRIDGE = config
    evening = (
        timezone.make_aware(dt.datetime(2024, 5, 1, 21, 30, 5))
        if settings.USE_TZ
        else dt.datetime(2024, 5, 1, 21, 30, 5)
    )

    written = wire.date_writer(form)(evening)

    assert as_utc(shipped_at(written)) == as_utc(evening)


@pytest.mark.parametrize(
    "text", ["0001-01-01T00:00:00", "0001-01-01T00:00:00Z", "0001-01-01T00:00:00+00:00", "/Date(-62135596800000)/",
             "9999-12-31T23:59:59.9999999"],
)  # fmt: skip
def test_dotnets_empty_dates_read_as_none(text):
    assert shipped_at(text) is None


@pytest.mark.parametrize(
    ("text", "same_as"),
    [("2017-05-09 13:58:32Z", "2017-05-09T13:58:32Z"), ("2017-05-09T13:58Z", "2017-05-09T13:58:00Z"),
     ("2017-05-09T13:58:32.12345678Z", "2017-05-09T13:58:32.123456Z"),
     ("2017-05-09t13:58:32z", "2017-05-09T13:58:32Z")],
)  # fmt: skip
def test_a_body_date_is_read_in_every_form_the_query_string_accepts(text, same_as):
    # One timestamp reader for both (wire.inbound.parse_timestamp): lenient where leniency is harmless.
    assert shipped_at(text) == shipped_at(same_as)
    assert as_utc(shipped_at(text)) == parse_connex_datetime(same_as)


@pytest.mark.parametrize(
    "text",
    ["yesterday", "2017-05-09", "2017-05-09T13:58:32.1234567890Z", "13:58 2017-05-09",
     "2017-13-09T13:58:32Z", "2017-05-09T24:00:00Z", "2017-05-09T13:58:32+02:75", "2017-05-09T13:58:32+25:00",
     "/Date(abc)/", "/Date(999999999999999999)/", "Date(1494338312000)", ""],
)  # fmt: skip
def test_anything_else_is_not_a_date(text):
    message = error(wire.read_order_status, {"Other": "55", "ShippingDate": text})

    assert message == f"ShippingDate: {json.dumps(text)} is not a date (expected {wire.inbound.EXPECTED_DATE})"


def test_a_number_is_not_a_date():
    message = error(wire.read_order_status, '{"Other":"55","ShippingDate":1494338312000}')

    assert message == f"ShippingDate: 1494338312000 is not a date (expected {wire.inbound.EXPECTED_DATE})"


# --- JSON text -----------------------------------------------------------------------------------


def test_a_utf8_byte_order_mark_is_accepted():
    assert wire.read_products(b'\xef\xbb\xbf[{"Sku":"A"}]') == [ProductRecord(sku="A")]


def test_loads_parses_every_number_as_a_decimal():
    assert wire.loads(b'{"a":1,"b":1.50,"c":-2e-3}') == {"a": Decimal(1), "b": Decimal("1.50"), "c": Decimal("-0.002")}
    assert [type(v) for v in wire.loads(b"[1,1.5,1e2]")] == [Decimal, Decimal, Decimal]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'[{"Sku":"A" "Name":"B"}]', "body: not valid JSON: Expecting ',' delimiter at line 1 column 13"),
        (b'[{"Sku":"\xff"}]', "body: not valid UTF-8 (invalid start byte at byte 9)"),
        (b" \r\n", "body: empty; expected JSON"),
        (b"[" * 100_000 + b"]" * 100_000, "body: nested too deeply to read"),
    ],
)
def test_text_that_is_not_json_is_an_error_at_body(body, message):
    assert error(wire.loads, body) == message
