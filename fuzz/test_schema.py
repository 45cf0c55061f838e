"""The OpenAPI schema says what the endpoints do (needs drf-spectacular: the "schema" extra)."""

from __future__ import annotations

import json
import re

from django.core.management import call_command
from drf_spectacular.settings import spectacular_settings
from hypothesis import example, given
from hypothesis import strategies as st

from connex_bridge.filters import WINDOW_PARAMETERS, parse_connex_datetime
from connex_bridge.schema import DATE_PATTERN, openapi_schema
from tests.test_bad_input_property import connex_timestamps, timestamp_shaped

ORDERS = "/connex/orders"
PAIRING = "/connex/authenticatetowebservice"
INVENTORY = "/connex/inventory"
PURCHASES = "/connex/purchaseorders"
CHANGE = "/connex/changeorderstatus"
CREATE = "/connex/createorders"


def test_the_schema_lists_each_connex_action_once_with_its_methods():
    schema = openapi_schema()

    assert schema["openapi"].startswith("3.")
    assert {path: sorted(operations) for path, operations in schema["paths"].items()} == {
        PAIRING: ["get", "post"],
        ORDERS: ["get"],
        INVENTORY: ["post", "put"],
        PURCHASES: ["get"],
        CHANGE: ["post"],
        CREATE: ["post", "put"],
    }


def test_an_action_added_to_the_table_is_in_the_schema_with_no_other_edit(settings):
    settings.ROOT_URLCONF = "tests.urls_extra_action"  # the table plus "ping"

    schema = openapi_schema()

    assert sorted(schema["paths"]) == [PAIRING, CHANGE, CREATE, INVENTORY, ORDERS, "/connex/ping", PURCHASES]
    ping = schema["paths"]["/connex/ping"]
    assert sorted(ping) == ["get"]
    assert ping["get"]["summary"] == "Ping"
    assert ping["get"]["security"] == [{"connexBasic": []}]
    assert {"401", "403", "429"} <= set(ping["get"]["responses"])


def test_every_operation_needs_http_basic_and_documents_401_403_and_429_as_json_strings():
    schema = openapi_schema()

    assert schema["components"]["securitySchemes"] == {
        "connexBasic": {"type": "http", "scheme": "basic", "description": schema_description(schema)}
    }
    for operations in schema["paths"].values():
        for operation in operations.values():
            assert operation["security"] == [{"connexBasic": []}]
            for code in ("401", "403", "429"):
                body = operation["responses"][code]["content"]["application/json"]["schema"]
                assert body == {"$ref": "#/components/schemas/Error"}
            assert "WWW-Authenticate" in operation["responses"]["401"]["headers"]
            assert "Retry-After" in operation["responses"]["429"]["headers"]
    assert schema["components"]["schemas"]["Error"]["type"] == "string"


def schema_description(schema: dict) -> str:
    return schema["components"]["securitySchemes"]["connexBasic"]["description"]


def test_orders_documents_its_query_parameters_and_the_jmauser_answer():
    schema = openapi_schema()
    operation = schema["paths"][ORDERS]["get"]
    parameters = {p["name"]: p for p in operation["parameters"]}

    assert set(parameters) == {*WINDOW_PARAMETERS, "orderStatus", "storeName", "orderNumber"}
    assert all(p["in"] == "query" and not p.get("required") for p in parameters.values())
    for name in WINDOW_PARAMETERS:
        assert parameters[name]["schema"] == {"type": "string", "pattern": DATE_PATTERN}
        assert "yyyy-MM-ddTHH:mm:ssZ" in parameters[name]["description"]
    for name in ("orderStatus", "storeName", "orderNumber"):
        assert parameters[name]["schema"]["type"] == "array"
        assert (parameters[name]["style"], parameters[name]["explode"]) == ("form", False)  # 1001,1002
    assert set(operation["responses"]) == {"200", "400", "401", "403", "429"}
    assert operation["responses"]["200"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/JMAUser"
    }
    user = schema["components"]["schemas"]["JMAUser"]
    assert set(user["required"]) == {
        "Orders", "CancelledOrders", "Payments", "Purchases", "ProductsToQB", "ProductsFromQBToUpdate",
        "InventoryAdjustments", "Customers",
    }  # fmt: skip


def test_inventory_documents_its_body_its_answer_and_its_413_and_501():
    schema = openapi_schema()
    components = schema["components"]["schemas"]

    for method in ("put", "post"):
        operation = schema["paths"][INVENTORY][method]
        body = operation["requestBody"]["content"]["application/json"]["schema"]
        assert body == {"type": "array", "items": {"$ref": "#/components/schemas/JMAProductPushed"}}
        assert set(operation["responses"]) == {"200", "400", "401", "403", "413", "429", "501"}
        answer = operation["responses"]["200"]["content"]["application/json"]["schema"]
        assert answer == {"$ref": "#/components/schemas/JMAUpdateInventoryResponse"}
    assert components["JMAProductPushed"]["required"] == ["Sku"]
    assert set(components["JMAUpdateInventoryResponse"]["required"]) == {"ProductSyncSuccess", "ProductSkusErrors"}


def test_purchaseorders_takes_the_query_string_of_orders_and_answers_purchases_only():
    schema = openapi_schema()
    operation = schema["paths"][PURCHASES]["get"]
    user = schema["components"]["schemas"]["JMAUserPurchases"]

    assert operation["parameters"] == schema["paths"][ORDERS]["get"]["parameters"]
    assert set(operation["responses"]) == {"200", "400", "401", "403", "429", "501"}
    assert user["properties"]["Purchases"]["items"] == {"$ref": "#/components/schemas/JMAPurchase"}
    assert all(spec["maxItems"] == 0 for name, spec in user["properties"].items() if name != "Purchases")
    purchase = schema["components"]["schemas"]["JMAPurchase"]
    assert {"PurchaseType", "Vendor"} <= set(purchase["required"])
    assert "QuantityReceived" in schema["components"]["schemas"]["JMAPurchaseDetail"]["required"]


@given(text=st.one_of(st.text(), timestamp_shaped, connex_timestamps().map(lambda stamp: stamp[0])))
@example(text=" 2024-05-01T12:00:00Z\x1c")
@example(text="")
def test_the_date_pattern_admits_every_timestamp_the_endpoint_accepts(text):
    # So a schema-violating timestamp is always one the endpoint refuses (schemathesis checks it).
    try:
        parse_connex_datetime(text)
    except ValueError:
        return
    assert re.search(DATE_PATTERN, text)


def test_the_prefix_is_where_the_urlconf_serves_connex_or_the_one_given():
    assert ORDERS in openapi_schema()["paths"]
    assert "/shop/connex/orders" in openapi_schema("/shop/connex/")["paths"]
    assert "/orders" in openapi_schema("/")["paths"]


def test_the_hosts_spectacular_and_rest_framework_settings_do_not_change_the_schema(settings, monkeypatch):
    plain = openapi_schema()
    host = {
        "TITLE": "Host API",
        "SCHEMA_PATH_PREFIX_INSERT": "/api",
        "SERVERS": [{"url": "https://api.example.com"}],
        "SECURITY": [{"jwt": []}],
        "OAS_VERSION": "3.1.0",
        "CAMELIZE_NAMES": True,
        "AUTHENTICATION_WHITELIST": ["rest_framework.authentication.SessionAuthentication"],
        "PREPROCESSING_HOOKS": [lambda endpoints: []],
    }
    for name, value in host.items():  # as SPECTACULAR_SETTINGS would set them
        monkeypatch.setattr(spectacular_settings, name, value)
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_SCHEMA_CLASS": "rest_framework.schemas.AutoSchema"}

    assert openapi_schema() == plain
    assert spectacular_settings.TITLE == "Host API"  # and the host's own settings are left as they were


def test_connex_schema_prints_the_schema_as_json_or_yaml(capsys):
    call_command("connex_schema")
    assert json.loads(capsys.readouterr().out) == openapi_schema()

    call_command("connex_schema", "--format", "yaml", "--prefix", "/shop/connex/")
    out = capsys.readouterr().out
    assert out.startswith("openapi: 3.")
    assert "/shop/connex/orders:" in out


def test_the_write_back_actions_document_their_bodies_and_every_answer():
    paths = openapi_schema()["paths"]
    change, creates = paths[CHANGE]["post"], [paths[CREATE][method] for method in ("post", "put")]

    assert change["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/JMAOrderSent"
    }
    assert {"200", "400", "404", "413", "501"} <= set(change["responses"])
    for create in creates:
        body = create["requestBody"]["content"]["application/json"]["schema"]
        assert body["oneOf"][0] == {"$ref": "#/components/schemas/JMAUserOrders"}
        assert body["oneOf"][1]["items"] == {"$ref": "#/components/schemas/JMAOrderSent"}
        assert create["responses"]["200"]["content"]["application/json"]["schema"] == {
            "$ref": "#/components/schemas/OrdersCreated"
        }
        assert {"400", "413", "501"} <= set(create["responses"])
