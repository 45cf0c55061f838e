"""Reading a Connex body (connex_bridge.parsers): size limit, any Content-Type, exact decimals, clear 400s.

Through a real DRF view that reads an ``inventory``-shaped body the way the Connex endpoints will; the
suite's hostile ``REST_FRAMEWORK`` (tests/settings.py) is in force throughout.
"""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.handlers.asgi import ASGIRequest
from django.test import RequestFactory, override_settings
from django.urls import path
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from connex_bridge import wire
from connex_bridge.parsers import ConnexJSONParser, read_body, read_json
from connex_bridge.renderers import ConnexJSONRenderer
from connex_bridge.views import AlwaysJSON, connex_exception_handler

pytestmark = pytest.mark.urls("tests.test_parsers")

LIMIT = 1000
TOO_LARGE = (
    "The body holds more than 1000 bytes (CONNEX_BRIDGE['MAX_BODY_BYTES']); "
    "the shop's developer can raise that setting."
)


class ConnexPolicy(APIView):
    """Pins every DRF policy, as the Connex views do, so the suite's hostile REST_FRAMEWORK cannot leak in."""

    authentication_classes: list[Any] = []
    permission_classes: list[Any] = []
    throttle_classes: list[Any] = []
    renderer_classes = [ConnexJSONRenderer]
    parser_classes = [ConnexJSONParser]
    content_negotiation_class = AlwaysJSON

    def get_exception_handler(self) -> Any:
        return connex_exception_handler


class ProductsView(ConnexPolicy):
    """Reads a JMAProduct array with read_body, and answers what it read."""

    def post(self, request: Request) -> Response:
        products = read_body(request, wire.read_products)
        return Response([{"Sku": p.sku, "Amount": p.amount, "Exact": type(p.amount).__name__} for p in products])


class DataView(ConnexPolicy):
    """Reads the body through DRF's request.data, which calls the view's parser."""

    def post(self, request: Request) -> Response:
        return Response([p.sku for p in wire.read_products(request.data)])


urlpatterns = [path("products", ProductsView.as_view()), path("data", DataView.as_view())]


class Unreadable(io.RawIOBase):
    """A request stream that fails the test if anything reads it."""

    def read(self, size: int = -1) -> bytes:
        raise AssertionError("the body was read")


def products_body(size: int) -> bytes:
    """A JMAProduct array of about ``size`` bytes."""
    item = b'{"Sku":"WIDGET-%d","Amount":106.25,"Description":"' + b"x" * 200 + b'"}'
    count = max(1, size // (len(item) + 1))
    return b"[" + b",".join(item.replace(b"%d", str(n).encode()) for n in range(count)) + b"]"


@pytest.fixture
def limit(settings):
    settings.CONNEX_BRIDGE = {"MAX_BODY_BYTES": LIMIT}


def post_chunked(client, url: str, body: bytes):
    """A body without Content-Length, as a chunked upload reaches Django from gunicorn or mod_wsgi."""
    return client.generic(
        "POST", url, content_type="application/json", **{"wsgi.input": io.BytesIO(body), "wsgi.input_terminated": True}
    )


def test_a_body_is_read_with_exact_decimals(client):
    response = client.post("/products", b'[{"Sku":"WIDGET-1","Amount":106.25}]', content_type="application/json")

    assert response.status_code == 200
    assert response.content == b'[{"Sku":"WIDGET-1","Amount":106.25,"Exact":"Decimal"}]'


def test_a_declared_length_over_the_limit_is_a_413_before_anything_is_read(client, limit):
    response = client.generic("POST", "/products", CONTENT_LENGTH=str(LIMIT + 1), **{"wsgi.input": Unreadable()})

    assert response.status_code == 413
    assert response.json() == TOO_LARGE


def test_the_default_limit_is_ten_mebibytes(client):
    response = client.generic("POST", "/products", CONTENT_LENGTH="10485761", **{"wsgi.input": Unreadable()})

    assert response.status_code == 413
    assert response.json().startswith("The body holds more than 10485760 bytes (CONNEX_BRIDGE['MAX_BODY_BYTES'])")


def test_a_body_at_the_limit_is_read(client, limit):
    body = products_body(LIMIT)
    body += b" " * (LIMIT - len(body))

    response = client.post("/products", body, content_type="application/json")

    assert len(body) == LIMIT
    assert response.status_code == 200


def test_a_body_without_content_length_is_read(client):
    response = post_chunked(client, "/products", b'[{"Sku":"WIDGET-1","Amount":106.25}]')

    assert response.status_code == 200
    assert response.json() == [{"Sku": "WIDGET-1", "Amount": 106.25, "Exact": "Decimal"}]


def test_a_body_without_content_length_over_the_limit_is_a_413(client, limit):
    response = post_chunked(client, "/products", products_body(50 * LIMIT))

    assert response.status_code == 413
    assert response.json() == TOO_LARGE


def test_without_content_length_or_an_end_to_the_stream_there_is_no_body(client):
    # A WSGI server that does not say the stream ends with the body: reading on would hang.
    response = client.generic("POST", "/products", **{"wsgi.input": Unreadable()})

    assert response.status_code == 400
    assert response.json() == "The body is empty; expected JSON."


def test_a_body_larger_than_djangos_upload_limit_but_within_max_body_bytes_is_read(client, settings):
    body = products_body(settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 500_000)

    response = client.post("/products", body, content_type="application/json")

    assert len(body) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE
    assert response.status_code == 200
    assert len(response.json()) == body.count(b"WIDGET-")


def test_request_data_is_limited_too(client, limit):
    response = client.post("/data", products_body(2 * LIMIT), content_type="application/json")

    assert response.status_code == 413
    assert response.json() == TOO_LARGE


@pytest.mark.parametrize(
    "headers",
    [{"content_type": "application/json"}, {"content_type": "text/plain; charset=utf-8"},
     {"content_type": "application/x-www-form-urlencoded"}, {"content_type": ""}],
)  # fmt: skip
def test_any_content_type_or_none_is_read_as_json(client, headers):
    response = client.post("/products", b'[{"Sku":"WIDGET-1"}]', **headers)

    assert response.status_code == 200
    assert response.json()[0]["Sku"] == "WIDGET-1"


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b'[{"Sku":"WIDGET-1","Amount" 106.25}]',
         "The body is not valid JSON: Expecting ':' delimiter at line 1 column 29."),
        (b'[{"Sku":"WIDGET-1"} {"Sku":"B"}]',
         "The body is not valid JSON: Expecting ',' delimiter at line 1 column 21."),
        (b'[{"Sku":"WIDGET-1",\n"Name":}]', "The body is not valid JSON: Expecting value at line 2 column 8."),
        (b'[{"Sku":"Caf\xe9"}]', "The body is not valid UTF-8 (invalid continuation byte at byte 12)."),
        (b"", "The body is empty; expected JSON."),
        (b"\xef\xbb\xbf", "The body is empty; expected JSON."),
    ],
)  # fmt: skip
def test_a_body_that_is_not_json_is_a_400_saying_where(client, body, message):
    response = client.post("/products", body, content_type="application/json")

    assert response.status_code == 400
    assert response.json() == message


def test_a_utf8_byte_order_mark_is_stripped(client):
    response = client.post("/products", b'\xef\xbb\xbf[{"Sku":"WIDGET-1"}]', content_type="application/json")

    assert response.status_code == 200
    assert response.json()[0]["Sku"] == "WIDGET-1"


def test_a_body_the_inbound_reader_refuses_is_a_400_naming_path_and_value(client):
    response = client.post("/products", b'[{"Sku":"A"},{"Sku":"B","Amount":"abc"}]', content_type="application/json")

    assert response.status_code == 400
    assert response.json() == '[1].Amount: "abc" is not a number'


@override_settings(
    REST_FRAMEWORK={
        "STRICT_JSON": False,  # DRF's own JSON parser would then take NaN
        "COMPACT_JSON": False,
        "UNICODE_JSON": False,
        "COERCE_DECIMAL_TO_STRING": True,
        "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.FormParser"],
        "DEFAULT_CONTENT_NEGOTIATION_CLASS": "rest_framework.negotiation.DefaultContentNegotiation",
        "EXCEPTION_HANDLER": "tests.urls.broken_exception_handler",
    }
)
@pytest.mark.parametrize(
    ("body", "status", "answer"),
    [
        (b'[{"Sku":"Caf\xc3\xa9","Amount":106.25}]', 200, '[{"Sku":"Café","Amount":106.25,"Exact":"Decimal"}]'),
        # A float would read 1.0000000000000001 as 1.0.
        (b'[{"Sku":"A","Amount":1.0000000000000001}]', 200,
         '[{"Sku":"A","Amount":1.0000000000000001,"Exact":"Decimal"}]'),
        (b'[{"Sku":"A","Amount":NaN}]', 400, '"[0].Amount: NaN is not a number"'),
        (b'[{"Sku":"A" "Name":"B"}]', 400,
         '"The body is not valid JSON: Expecting \',\' delimiter at line 1 column 13."'),
    ],
)  # fmt: skip
def test_the_hosts_rest_framework_settings_change_nothing(client, body, status, answer):
    response = client.post("/products", body, content_type="text/plain")

    assert response.status_code == status
    assert response.content.decode() == answer


def test_a_body_a_middleware_read_first_is_still_read():
    request = RequestFactory().post("/products", b'[{"Sku":"WIDGET-1"}]', content_type="application/json")
    assert request.body  # as a middleware might

    response = ProductsView.as_view()(request)

    assert response.status_code == 200
    assert response.data[0]["Sku"] == "WIDGET-1"


def test_an_asgi_body_without_content_length_is_read():
    scope = {"type": "http", "method": "POST", "path": "/products", "headers": [(b"transfer-encoding", b"chunked")]}
    request = ASGIRequest(scope, io.BytesIO(b'[{"Sku":"WIDGET-1","Amount":1.10}]'))

    data = read_json(Request(request, parsers=[ConnexJSONParser()]))

    assert data == [{"Sku": "WIDGET-1", "Amount": Decimal("1.10")}]
    assert str(data[0]["Amount"]) == "1.10"
