"""Whatever arrives, the answer is a 200 or a 4xx Connex can show, never a 500.

Random query strings (odd encodings, NUL bytes, RTL marks, emoji, 10k-character
and empty values, repeated and mixed-case parameters) reach ``orders`` as raw
bytes, exactly as a WSGI server hands them over (PEP 3333: latin-1 decoded);
random bytes reach the Basic ``Authorization`` header the same way.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import string
from urllib.parse import quote_from_bytes

import pytest
from django.core.cache import cache
from hypothesis import HealthCheck, example, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from connex_bridge.authentication import REALM
from connex_bridge.filters import WINDOW_PARAMETERS, database_bound, parse_connex_datetime
from connex_bridge.testing.client import HTTPSClient
from connex_bridge.testing.factories import OrderFactory

UTC = dt.timezone.utc
PARAMETERS = (*WINDOW_PARAMETERS, "orderStatus", "storeName", "orderNumber")
LISTS = {"orderStatus", "storeName", "orderNumber"}
MAX_OFFSET = dt.timedelta(hours=14)
ENDPOINT_SETTINGS = hypothesis_settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)

# --- the timestamps -----------------------------------------------------------------

instants = st.datetimes(min_value=dt.datetime(2, 1, 2), max_value=dt.datetime(9998, 12, 30), timezones=st.just(UTC))
offsets = st.integers(min_value=-16 * 60, max_value=16 * 60).map(lambda minutes: dt.timedelta(minutes=minutes))


def zone_text(offset: dt.timedelta, sign_style: str, colon: bool) -> str:
    """An offset the way a client may spell it: ``+02:00``, ``-0530``, `` 02:00`` (a ``+`` become a blank)."""
    minutes = int(offset.total_seconds()) // 60
    sign = "-" if minutes < 0 else {"plus": "+", "blank": " "}[sign_style]
    hours, minutes = divmod(abs(minutes), 60)
    return f"{sign}{hours:02d}{':' if colon else ''}{minutes:02d}"


@st.composite
def connex_timestamps(draw: st.DrawFn) -> tuple[str, dt.datetime, dt.timedelta]:
    """(text, the instant it names, its offset): every accepted spelling, offsets up to ±16 hours."""
    instant = draw(instants)
    offset = draw(offsets)
    local = (instant + offset).replace(tzinfo=None)
    digits = draw(st.integers(min_value=0, max_value=9))
    fraction = f"{local.microsecond:06d}".ljust(9, "0")[:digits]
    text = f"{local.year:04d}-{local:%m-%d}{draw(st.sampled_from('Tt '))}{local:%H:%M:%S}"  # %Y: no zero-padding
    text += f".{fraction}" if digits else ""
    if offset or draw(st.booleans()):
        text += zone_text(offset, draw(st.sampled_from(["plus", "blank"])), draw(st.booleans()))
    else:
        text += draw(st.sampled_from(["Z", "z", ""]))
    # What the text names: the fraction beyond microseconds is dropped, not rounded.
    named = instant.replace(microsecond=int(fraction.ljust(6, "0")[:6]) if digits else 0)
    return draw(st.sampled_from(["", " "])) + text, named, offset


# Text shaped like a timestamp, so the parser gets past its first check (month 13, hour 24, offset 99…).
timestamp_shaped = st.from_regex(
    r"\A\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}(:\d{2}([.,]\d{1,9})?)? *([Zz]|[+\- ]\d{2}(:?\d{2})?)?\Z"
)


@given(text=st.one_of(st.text(), timestamp_shaped))
@example(text="2024-05-01T23:59:60Z")
@example(text="9999-12-31T23:59:59.9999999+14:00")
@example(text="0002-01-01T00:00:00+14:00")
@example(text="2024-05-01T12:00:00\x00Z")
def test_the_timestamp_parser_raises_only_value_or_overflow_error(text):
    try:
        parsed = parse_connex_datetime(text)
    except (ValueError, OverflowError):
        return
    assert parsed is None or parsed.tzinfo is UTC


@given(stamp=connex_timestamps())
@example(stamp=("2024-05-01T14:00:00+14:00", dt.datetime(2024, 5, 1, 0, 0, tzinfo=UTC), dt.timedelta(hours=14)))
@example(stamp=("2024-05-01T00:00:00-12:00", dt.datetime(2024, 5, 1, 12, 0, tzinfo=UTC), dt.timedelta(hours=-12)))
@example(stamp=("2024-05-01T15:00:00+15:00", dt.datetime(2024, 5, 1, 0, 0, tzinfo=UTC), dt.timedelta(hours=15)))
def test_an_offset_up_to_14_hours_is_read_as_that_instant_and_a_larger_one_is_refused(stamp):
    text, named, offset = stamp

    if abs(offset) > MAX_OFFSET:
        with pytest.raises(ValueError):
            parse_connex_datetime(text)
    else:
        assert parse_connex_datetime(text) == named


@given(
    day=st.dates(min_value=dt.date(2, 1, 1), max_value=dt.date(9998, 12, 31)),
    time=st.sampled_from(["23:59:60Z", "23:59:60", "23:59:60.5Z", "12:30:60+02:00"]),
)
def test_a_leap_second_is_the_last_microsecond_of_its_minute(day, time):
    parsed = parse_connex_datetime(f"{day.isoformat()}T{time}")

    assert parsed is not None
    assert (parsed.second, parsed.microsecond) == (59, 999_999)


@given(
    year=st.sampled_from(["0001", "9999", "0000"]),
    rest=st.sampled_from(["-01-01T00:00:00", "-12-31T23:59:59.9999999Z", "-01-01T00:00:00+14:00", "-06-15 12:00"]),
)
def test_the_dotnet_empty_years_are_open_bounds(year, rest):
    assert parse_connex_datetime(year + rest) is None


@hypothesis_settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    text=st.one_of(connex_timestamps().map(lambda stamp: stamp[0]), timestamp_shaped),
    zone=st.sampled_from(["UTC", "America/New_York", "Pacific/Kiritimati", "Pacific/Pago_Pago", "Australia/Lord_Howe"]),
    upper=st.booleans(),
)
@example(text="0002-01-01T00:00:00+14:00", zone="Pacific/Pago_Pago", upper=False)
@example(text="9998-12-31T23:59:59.9999999-14:00", zone="Pacific/Kiritimati", upper=True)
def test_every_accepted_timestamp_has_a_database_bound_in_any_clock(settings, text, zone, upper):
    try:
        parsed = parse_connex_datetime(text)
    except ValueError:
        return
    settings.TIME_ZONE = zone
    for use_tz in (True, False):
        settings.USE_TZ = use_tz
        if parsed is not None:
            assert database_bound(parsed, upper=upper).tzinfo is (UTC if use_tz else None)


# --- the query string ---------------------------------------------------------------


def any_case(name: str) -> st.SearchStrategy[str]:
    return st.lists(st.booleans(), min_size=len(name), max_size=len(name)).map(
        lambda upper: "".join(c.upper() if u else c.lower() for c, u in zip(name, upper, strict=True))
    )


# NUL, RTL mark, RTL override, zero-width space, byte-order mark, emoji and a joiner, URL syntax, blanks.
ODD = ["\x00", "\u200f", "\u202e", "\u200b", "\ufeff", "😀", "👩", "\u200d", "💻", "%", "&", "=", "+", "#", ",", " "]
odd_text = st.text(alphabet=st.one_of(st.sampled_from(ODD), st.characters()), max_size=40)
names = st.one_of(st.sampled_from(PARAMETERS).flatmap(any_case), st.sampled_from(PARAMETERS), odd_text)
values = st.one_of(
    connex_timestamps().map(lambda stamp: stamp[0]),
    timestamp_shaped,
    st.sampled_from(["", " ", "0001-01-01T00:00:00", "9999-12-31T23:59:59Z", "2024-05-01T23:59:60Z"]),
    st.lists(st.text(alphabet=string.ascii_letters + string.digits + " _-", max_size=8), max_size=6).map(",".join),
    odd_text,
    st.sampled_from(["9", "é", "😀", "\x00", "2024-05-01T00:00:00Z "]).map(
        lambda piece: piece * (10_000 // len(piece))
    ),
    st.one_of(st.integers(min_value=0, max_value=3000), st.sampled_from([101, 501, 1001, 2500])).map(
        lambda n: ",".join(str(i) for i in range(n))
    ),
)


@st.composite
def encoded(draw: st.DrawFn, text: st.SearchStrategy[str]) -> bytes:
    """One name or value as it may travel: percent-encoded UTF-8, raw bytes, or invalid UTF-8."""
    how = draw(st.sampled_from(["quoted", "raw", "invalid-utf8"]))
    if how == "invalid-utf8":
        return quote_from_bytes(draw(st.binary(max_size=20)) + b"\xff\xfe\xc3", safe="").encode()
    data = draw(text).encode("utf-8", "surrogatepass")
    return quote_from_bytes(data, safe="").encode() if how == "quoted" else data


# Half the queries carry a valid window, so odd values reach the database, not just the window check.
WINDOW = (b"date_modified_min", b"2024-05-01T00:00:00Z")
query_strings = st.tuples(st.booleans(), st.lists(st.tuples(encoded(names), encoded(values)), max_size=8)).map(
    lambda drawn: b"&".join(name + b"=" + value for name, value in ([WINDOW] if drawn[0] else []) + drawn[1])
)


@pytest.fixture
def connex_raw(connex):
    """``get(query_bytes)``: the query string as a WSGI server passes it on (bytes as latin-1)."""
    OrderFactory(modified_at=dt.datetime(2024, 5, 1, 12, tzinfo=UTC))

    def get(query: bytes):
        return connex.get("/connex/orders", QUERY_STRING=query.decode("latin-1"))

    return get


def assert_200_or_400_naming_a_parameter(response) -> None:
    assert response.status_code in (200, 400), response.content[:500]
    body = json.loads(response.content)
    if response.status_code == 200:
        assert set(body) >= {"Orders", "CancelledOrders", "Payments"}
    else:
        assert isinstance(body, str)
        assert any(name in body for name in PARAMETERS), body[:500]


@ENDPOINT_SETTINGS
@given(query=query_strings)
@example(query=b"date_modified_min=2024-05-01T00:00:00Z&storeName=" + ",".join(map(str, range(2000))).encode())
@example(query=b"orderNumber=1%00&orderStatus=%00")
@example(query=b"DATE_MODIFIED_MIN=%F0%28%8C%BC&date_modified_min=2024-05-01T00:00:00Z")
def test_any_query_string_is_a_200_or_a_400_naming_a_parameter(connex_raw, query):
    assert_200_or_400_naming_a_parameter(connex_raw(query))


@pytest.mark.parametrize(
    ("query", "status"),
    [
        (b"date_modified_min=0001-01-01T00:00:00&date_modified_max=9999-12-31T23:59:59Z", 200),
        (b"date_modified_min=2024-05-01T14:00:00%2B14:00", 200),
        (b"date_modified_min=2024-05-01T14:00:00+14:00", 200),  # the '+' arrives as a blank
        (b"date_modified_max=2024-04-30T12:00:00-12:00", 200),
        (b"date_modified_min=2024-05-01T12:00:00%2B15:00", 400),
        (b"date_modified_min=2024-05-01T12:00:00-15:00", 400),
        (b"date_modified_min=2024-05-01T12:00:00%2B14:01", 400),
        (b"date_modified_max=2024-05-01T23:59:60Z", 200),
        (b"Date_Modified_MIN=2024-05-01T00:00:00Z&DATE_MODIFIED_max=2024-05-02T00:00:00Z", 200),
        (b"date_modified_min=2024-05-01T00:00:00Z&date_modified_min=2024-05-01T00:00:00Z", 200),
        (b"date_modified_min=2024-05-01T00:00:00Z&DATE_MODIFIED_MIN=2024-05-02T00:00:00Z", 400),
        (b"date_modified_min=&orderNumber=", 400),
        (b"date_modified_min=2024-05-01T00:00:00Z&orderStatus=&storeName=", 200),
        (b"date_modified_min=" + b"9" * 10_000, 400),
        (b"date_modified_min=2024-05-01T00:00:00Z" + b"%20" * 10_000, 200),
        (b"orderStatus=" + b"x" * 10_000 + b"&orderNumber=1", 200),
        (b"date_modified_min=2024-05-01T00:00:00%E2%80%8FZ", 400),  # an RTL mark inside
        (b"date_modified_min=%EF%BB%BF2024-05-01T00:00:00Z", 400),  # a byte-order mark in front
        (b"date_modified_min=\xd9\xa2\xd9\xa0\xd9\xa2\xd9\xa4-05-01T00:00:00Z", 400),  # Arabic-Indic digits
    ],
)
def test_edge_values_get_the_documented_answer(connex_raw, query, status):
    response = connex_raw(query)

    assert response.status_code == status, response.content[:500]
    assert_200_or_400_naming_a_parameter(response)


def test_the_open_bounds_and_the_extreme_offsets_select_what_they_say(connex_raw):
    # The factory's order was modified at 2024-05-01T12:00Z.
    def numbers(query: bytes) -> int:
        return len(json.loads(connex_raw(query).content)["Orders"])

    assert numbers(b"date_modified_min=0001-01-01T00:00:00&date_modified_max=9999-12-31T23:59:59Z") == 1
    assert numbers(b"date_modified_min=2024-05-02T02:00:00%2B14:00") == 1  # = 12:00Z
    assert numbers(b"date_modified_min=2024-05-02T02:00:01%2B14:00") == 0
    assert numbers(b"date_modified_max=2024-05-01T00:00:00-12:00") == 1  # = 12:00Z
    assert numbers(b"date_modified_max=2024-04-30T23:59:59-12:00") == 0


# --- the Authorization header --------------------------------------------------------


def basic_of(data: bytes) -> str:
    return "Basic " + base64.b64encode(data).decode()


@hypothesis_settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    data=st.one_of(
        st.binary(max_size=300).map(lambda raw: raw.decode("latin-1")),
        st.binary(max_size=300).map(lambda raw: "Basic " + raw.decode("latin-1")),
        st.binary(max_size=300).map(basic_of),
        st.tuples(st.binary(max_size=50), st.binary(max_size=50)).map(lambda up: basic_of(up[0] + b":" + up[1])),
        st.binary(max_size=50).map(lambda password: basic_of(b"connex:" + password)),
        st.binary(max_size=50).map(lambda user: basic_of(user + b"\x00:" + b"x")),
    )
)
@example(data=basic_of(b"connex\x00:secret"))
@example(data=basic_of(b"\xff\xfe:\xff"))
@example(data="Basic " + "é" * 10_000)
def test_any_authorization_header_but_the_right_one_is_a_401_json_string(credential, data):
    cache.clear()  # each example starts with no failed sign-ins counted: a 401, not the lockout's 429
    client = HTTPSClient()
    for url in ("/connex/authenticatetowebservice", "/connex/orders?orderNumber=1"):
        response = client.get(url, HTTP_AUTHORIZATION=data)

        assert response.status_code == 401, response.content[:500]
        assert isinstance(response.json(), str)
        assert response["WWW-Authenticate"].startswith(f'Basic realm="{REALM}"')
