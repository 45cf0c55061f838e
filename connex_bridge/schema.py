"""An OpenAPI 3 schema of the Connex endpoints, made with drf-spectacular.

Optional: ``pip install "django-connex-bridge[schema]"``. Nothing else in
connex_bridge imports this module, so the app runs without drf-spectacular;
importing it without drf-spectacular is an ImportError saying what to install.

    python manage.py connex_schema > connex-openapi.json
    python manage.py connex_schema --format yaml --prefix /connex/ > connex-openapi.yaml

or, in Python, :func:`openapi_schema`. The schema describes the real contract:
the query parameters of ``orders`` and the forms they accept, HTTP Basic,
the JMAUser answer and the JSON-string errors. It is generated from the views
themselves (drf-spectacular extensions describe them from the outside), and
it ignores the host's ``REST_FRAMEWORK`` and ``SPECTACULAR_SETTINGS``, as the
endpoints do.
"""

from __future__ import annotations

import copy
import json
from typing import Any

try:
    from drf_spectacular.extensions import OpenApiAuthenticationExtension, OpenApiViewExtension
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.openapi import AutoSchema
    from drf_spectacular.plumbing import ComponentRegistry, ResolvedComponent
    from drf_spectacular.renderers import OpenApiYamlRenderer
    from drf_spectacular.settings import patched_settings
    from drf_spectacular.utils import OpenApiExample, OpenApiParameter, OpenApiResponse
except ImportError as exc:  # pragma: no cover - exercised by tests/test_schema_optional.py
    raise ImportError("connex_bridge.schema needs drf-spectacular: pip install 'django-connex-bridge[schema]'") from exc

from django.urls import include, path
from django.utils.module_loading import import_string

import connex_bridge
from connex_bridge import views
from connex_bridge.actions import ACTIONS, Action, base_path, routed_actions
from connex_bridge.conf import app_settings
from connex_bridge.filters import EXPECTED_DATE, MAX_NAMES, WINDOW_PARAMETERS
from connex_bridge.records import PURCHASE_TYPES
from connex_bridge.vocabulary import INVOICE_MODES

SECURITY_SCHEME = "connexBasic"


def _blanks() -> str:
    """A character class of what ``str.strip()`` removes, as ranges of ``\\uXXXX`` escapes."""
    codes = [code for code in range(0x10000) if chr(code).isspace()]
    ranges: list[list[int]] = []
    for code in codes:
        if ranges and ranges[-1][1] == code - 1:
            ranges[-1][1] = code
        else:
            ranges.append([code, code])
    return "[" + "".join(f"\\u{a:04x}" + (f"-\\u{b:04x}" if b > a else "") for a, b in ranges) + "]"


#: The timestamps ``orders`` reads (filters.parse_connex_datetime), as a pattern: blanks
#: around it are ignored, and an empty value is an open bound.
DATE_PATTERN = (
    rf"^{_blanks()}*([0-9]{{4}}-[0-9]{{2}}-[0-9]{{2}}[Tt ][0-9]{{2}}:[0-9]{{2}}(:[0-9]{{2}}([.,][0-9]{{1,9}})?)? *"
    rf"([Zz]|[+\- ][0-9]{{2}}(:?[0-9]{{2}})?)?)?{_blanks()}*$"
)

# --- the JSON shapes (docs/protocol.md §4) ------------------------------------------------


def _ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


def _object(properties: dict[str, Any], *, optional: tuple[str, ...] = ()) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": properties,
        "required": [name for name in properties if name not in optional],
    }


_STRING: dict[str, Any] = {"type": "string"}
_MONEY: dict[str, Any] = {"type": "number", "description": "An exact decimal amount (106.25), never a string."}
_DATE: dict[str, Any] = {
    "type": "string",
    "description": "Local wall-clock time (2024-05-01T21:30:05), UTC (…Z) or /Date(ms)/, per DATE_FORMAT.",
}
_OPTIONAL_DATE: dict[str, Any] = {**_DATE, "nullable": True}
_INTEGER: dict[str, Any] = {"type": "integer"}
_BOOLEAN: dict[str, Any] = {"type": "boolean"}


_SENT_DATE: dict[str, Any] = {
    "type": "string",
    "description": "ISO 8601 with a zone (Z, +02:00), without one (the shop's wall-clock time), or /Date(ms)/.",
}


def _sent(properties: dict[str, Any]) -> dict[str, Any]:
    """A shape Connex sends: every property optional and nullable; properties not listed are ignored."""
    nullable = {}
    for name, schema in properties.items():
        if "$ref" in schema:
            nullable[name] = {"allOf": [schema], "nullable": True}
        elif "type" in schema:
            nullable[name] = {**schema, "nullable": True}
        else:
            nullable[name] = schema  # any JSON value
    return {"type": "object", "properties": nullable}


def _strings(names: str) -> dict[str, Any]:
    """String properties, named in one blank-separated string."""
    return {name: _STRING for name in names.split()}


COMPONENTS: dict[str, dict[str, Any]] = {
    "JMAAddress": _object(
        _strings(
            "FirstName LastName FullName Company Address1 Address2 Address3 City RegionName PostalCode "
            "CountryName TwoLetterIsoCode PhoneNumber Email"
        )
    ),
    "JMACustomer": _object({"Id": _INTEGER, **_strings("Email CompanyName")}),
    "JMADiscount": _object({"Name": _STRING, "Code": _STRING, "Amount": _MONEY, "NonTaxable": _BOOLEAN}),
    "JMAProduct": _object(
        {"Sku": _STRING, "Name": _STRING, "Amount": _MONEY, "StockQuantity": _MONEY},
        optional=("StockQuantity",),
    ),
    "JMAOrderDetail": _object(
        {
            "Sku": {"type": "string", "minLength": 1},
            "Name": _STRING,
            "Quantity": {"type": "number"},
            "PriceExclTax": _MONEY,
            "PriceInclTax": _MONEY,
            "DiscountExclTax": _MONEY,
            "DiscountInclTax": _MONEY,
            "HasTax": _BOOLEAN,
            "IsShipping": _BOOLEAN,
            "TaxCode": _STRING,
            "Product": _ref("JMAProduct"),
        }
    ),
    "JMAOrder": _object(
        {
            "OrderNumber": _STRING,
            "Id": _INTEGER,
            "Other": _STRING,
            "CreationDate": _DATE,
            "ModifiedDate": _DATE,
            "PaidDate": _OPTIONAL_DATE,
            "OrderStatus": {"type": "string", "description": '"Cancelled" in CancelledOrders.'},
            "StoreName": _STRING,
            "Total": _MONEY,
            "TotalInclTax": _MONEY,
            "TotalExclTax": _MONEY,
            "TotalTax": _MONEY,
            "ShippingInclTax": _MONEY,
            "ShippingExclTax": _MONEY,
            "ShippingMethod": _STRING,
            "DiscountInclTax": _MONEY,
            "DiscountExclTax": _MONEY,
            "Discounts": {"type": "array", "items": _ref("JMADiscount")},
            "OrderDetails": {"type": "array", "items": _ref("JMAOrderDetail")},
            "BillingAddress": _ref("JMAAddress"),
            "ShippingAddress": _ref("JMAAddress"),
            "Customer": _ref("JMACustomer"),
            "CreditCardName": _STRING,
            "ReferenceNumber": _STRING,
            "CurrencyCode": _STRING,
            "TrackingNumber": _STRING,
            "ShippingDate": _OPTIONAL_DATE,
            "Note": _STRING,
            "PrivateNote": _STRING,
            "ParentOrderNumber": _STRING,
            "InvoiceMode": {"type": "string", "enum": sorted(INVOICE_MODES)},
        },
        optional=("InvoiceMode",),
    ),
    "JMAPayment": _object(
        {
            "OrderNumber": _STRING,
            "Order": _object({"OrderNumber": _STRING}),
            "PaymentAmount": _MONEY,
            "PaymentDate": _DATE,
            "CreditCardName": _STRING,
            "ReferenceNumber": _STRING,
            "DepositAccount": _STRING,
            "Id": _INTEGER,
            "ModifiedDate": _DATE,
        }
    ),
    "JMAUser": _object(
        {
            "Orders": {"type": "array", "items": _ref("JMAOrder"), "description": "Sales in the window."},
            "CancelledOrders": {
                "type": "array",
                "items": _ref("JMAOrder"),
                "description": "Cancelled and refunded orders in the window, whatever orderStatus says.",
            },
            "Payments": {
                "type": "array",
                "items": _ref("JMAPayment"),
                "description": "Every payment of every order in Orders.",
            },
            "Purchases": {"type": "array", "items": _ref("JMAOrder"), "maxItems": 0},
            "ProductsToQB": {"type": "array", "items": _ref("JMAProduct"), "maxItems": 0},
            "ProductsFromQBToUpdate": {"type": "array", "items": _ref("JMAProduct"), "maxItems": 0},
            "InventoryAdjustments": {"type": "array", "items": _ref("JMAProduct"), "maxItems": 0},
            "Customers": {"type": "array", "items": _ref("JMAAddress"), "maxItems": 0},
        }
    ),
    # --- the catalogue side: inventory and purchaseorders ---
    "JMAProductPushed": {
        "type": "object",
        "description": (
            "One product of an inventory body, as Json.NET writes it: names in any letter case, unknown "
            "properties ignored, null for what Connex has no value for."
        ),
        "properties": {
            "Sku": {"type": "string", "pattern": rf"[^{_blanks()[1:-1]}]", "description": "The QuickBooks item name."},
            **{
                name: {**_STRING, "nullable": True}
                for name in ("Name", "Description", "Barcode", "ManufacturerPartNumber")
            },
            "StockQuantity": {"type": "number", "nullable": True, "description": "The quantity on hand in QuickBooks."},
            "Amount": {**_MONEY, "nullable": True, "description": "The price; set only with INVENTORY_SETS_PRICES."},
            "PurchaseCost": {**_MONEY, "nullable": True},
            "IsEnabled": {"type": "boolean", "nullable": True},
        },
        "required": ["Sku"],
    },
    "JMAStockLevel": _object(
        {"Sku": _STRING, "Name": _STRING, "StockQuantity": {"type": "number"}, "Amount": _MONEY},
        optional=("Amount",),
    ),
    "JMAUpdateInventoryResponse": _object(
        {
            "ProductSyncSuccess": {
                "type": "array",
                "items": _ref("JMAStockLevel"),
                "description": "Each product applied, as the shop now holds it (Amount only when prices are set).",
            },
            "ProductSkusErrors": {
                "type": "object",
                "additionalProperties": _STRING,
                "description": "Each SKU not applied, and why (unknown SKU, bad quantity, no stock kept, sent twice).",
            },
        }
    ),
    # What Connex sends (changeorderstatus, createorders), as connex_bridge.wire.inbound reads it: only the
    # properties it reads, each optional and nullable (Json.NET writes null for an unset one); any other
    # property is ignored, so it is left free.
    "JMAAddressSent": _sent(
        _strings(
            "FirstName LastName Company Address1 Address2 Address3 City RegionName PostalCode CountryName "
            "TwoLetterIsoCode PhoneNumber Email"
        )
    ),
    "JMACustomerSent": _sent({"Id": {"description": "A number, or its text."}, **_strings("Email CompanyName")}),
    "JMADiscountSent": _sent({"Name": _STRING, "Code": _STRING, "Amount": _MONEY, "NonTaxable": _BOOLEAN}),
    "JMAOrderDetailSent": _sent(
        {
            **_strings("Sku Name TaxCode"),
            **{
                name: _MONEY
                for name in ["Quantity", "PriceExclTax", "PriceInclTax", "DiscountExclTax", "DiscountInclTax"]
            },
        }
    ),
    "JMAOrderSent": _sent(
        {
            **_strings(
                "OrderNumber Other OrderStatus StoreName ShippingMethod CreditCardName ReferenceNumber CurrencyCode "
                "TrackingNumber Note PrivateNote ParentOrderNumber"
            ),
            "Id": _INTEGER,
            **{name: _SENT_DATE for name in ("CreationDate", "ModifiedDate", "PaidDate", "ShippingDate")},
            **{
                name: _MONEY
                for name in [
                    "Total",
                    "TotalTax",
                    "ShippingInclTax",
                    "ShippingExclTax",
                    "DiscountInclTax",
                    "DiscountExclTax",
                ]
            },
            "Discounts": {"type": "array", "items": _ref("JMADiscountSent")},
            "OrderDetails": {"type": "array", "items": _ref("JMAOrderDetailSent")},
            "BillingAddress": _ref("JMAAddressSent"),
            "ShippingAddress": _ref("JMAAddressSent"),
            "Customer": _ref("JMACustomerSent"),
            "InvoiceMode": {"description": "An InvoiceMode name; a number reads as no override."},
        }
    ),
    "JMAUserOrders": {
        "type": "object",
        "properties": {"Orders": {"type": "array", "items": _ref("JMAOrderSent"), "nullable": True}},
        "required": ["Orders"],
        "description": "A JMAUser as Connex sends it to createorders: its Orders are read, its other lists ignored.",
    },
    "OrdersCreated": _object(
        {
            "OrdersCreated": {"type": "array", "items": _STRING, "description": "Numbers of the orders created."},
            "OrdersAlreadyPresent": {
                "type": "array",
                "items": _STRING,
                "description": "Numbers of the orders the shop already had, left as they are.",
            },
            "OrderNumbersErrors": {
                "type": "object",
                "additionalProperties": _STRING,
                "description": "Each refused order's number ([index] for one without) and why it was refused.",
            },
        }
    ),
    "Error": {
        "type": "string",
        "description": "What went wrong and what to do, as one sentence Connex shows the merchant.",
    },
}


def _purchase_components() -> dict[str, dict[str, Any]]:
    """JMAOrder as a purchase (PurchaseType, Vendor, QuantityReceived per line), and its JMAUser."""
    detail = copy.deepcopy(COMPONENTS["JMAOrderDetail"])
    detail["properties"]["QuantityReceived"] = {"type": "number"}
    detail["required"].append("QuantityReceived")
    purchase = copy.deepcopy(COMPONENTS["JMAOrder"])
    purchase["properties"].pop("InvoiceMode")  # optional in JMAOrder, never sent for a purchase
    purchase["properties"]["OrderDetails"] = {"type": "array", "items": _ref("JMAPurchaseDetail")}
    purchase["properties"]["PurchaseType"] = {"type": "string", "enum": list(PURCHASE_TYPES)}
    purchase["properties"]["Vendor"] = _STRING
    purchase["required"] += ["PurchaseType", "Vendor"]
    user = copy.deepcopy(COMPONENTS["JMAUser"])
    for spec in user["properties"].values():
        spec.pop("description", None)
        spec["maxItems"] = 0
    user["properties"]["Purchases"] = {
        "type": "array",
        "items": _ref("JMAPurchase"),
        "description": "The purchase orders and bills of the window.",
    }
    return {"JMAPurchaseDetail": detail, "JMAPurchase": purchase, "JMAUserPurchases": user}


COMPONENTS.update(_purchase_components())

# --- the operations ---------------------------------------------------------------------------


def _error(description: str, example: str) -> OpenApiResponse:
    return OpenApiResponse(
        response=_ref("Error"), description=description, examples=[OpenApiExample("message", value=example)]
    )


UNAUTHORIZED = _error(
    "The credentials are missing, malformed, wrong or disabled (one message for all of them).",
    "Connex could not sign in to the shop: the user name or password is wrong, or the credential was disabled.",
)
HTTPS_REQUIRED = _error(
    "The request came over plain HTTP (never redirected): the body names the https:// URL to type into Connex.",
    "The shop accepts Connex only over HTTPS, and this request came over plain HTTP, which would send the "
    "password unencrypted. In Connex, change the URL to https://shop.example.com/connex/ …",
)
THROTTLED = _error(
    "Too many failed sign-ins from this address (or with this user name from it); Retry-After says when to try again.",
    "Too many failed sign-ins came from this address, so the shop refuses them for 15 minutes. …",
)
RESPONSE_HEADERS = [
    OpenApiParameter(
        "WWW-Authenticate",
        location=OpenApiParameter.HEADER,
        response=[401],
        description='Basic realm="Connex", charset="UTF-8"',
    ),
    OpenApiParameter("Retry-After", location=OpenApiParameter.HEADER, response=[429], description="Seconds to wait."),
]


def _timestamp(name: str) -> OpenApiParameter:
    kind, end = name.split("_")[1:]
    return OpenApiParameter(
        name,
        type={"type": "string", "pattern": DATE_PATTERN},
        description=(
            f"{'Start' if end == 'min' else 'End'} of the window on the order's {kind} time, inclusive. "
            f"{EXPECTED_DATE}. Also accepted: fractional seconds (up to 9 digits; past microseconds they "
            "are cut, not rounded), an offset up to ±14:00 (+02:00, +0200, +02, or ' 02:00' when a '+' was "
            "not URL-encoded), no zone (UTC), a blank instead of the 'T', the leap second :60, blanks "
            "around the value. Years 0001 and 9999 (.NET's empty dates) and an empty value are open "
            "bounds. The name matches in any letter case; sent twice with different values it is a 400."
        ),
        examples=[OpenApiExample("Connex", value="2024-05-01T13:30:00Z")],
    )


def _names(name: str, meaning: str, max_items: int) -> OpenApiParameter:
    return OpenApiParameter(
        name,
        # No maxItems: the limit counts distinct values, which JSON Schema cannot say.
        type={"type": "array", "items": {"type": "string"}},
        style="form",
        explode=False,
        description=(
            f"{meaning} A comma-separated list (blanks trimmed, empty items and repeats dropped, repeated "
            f"parameters joined), at most {max_items} distinct values, no NUL character. The name matches in any "
            "letter case."
        ),
    )


def orders_parameters() -> list[OpenApiParameter]:
    """The query string of ``orders`` (docs/protocol.md §3)."""
    return [
        *(_timestamp(name) for name in WINDOW_PARAMETERS),
        _names(
            "orderStatus",
            "Status names whose sales go to Orders (case-insensitive); absent: every status. Cancelled "
            "orders reach CancelledOrders whatever it says.",
            MAX_NAMES,
        ),
        _names("storeName", "Store names (case-insensitive); absent: every store.", MAX_NAMES),
        _names(
            "orderNumber",
            "Order numbers to send again: the windows are ignored, orderStatus and storeName still apply.",
            app_settings.MAX_ORDER_NUMBERS,
        ),
    ]


ORDERS_DESCRIPTION = (
    "The orders, refunds and payments of a window (docs/protocol.md §3-§4). Send a window (date_modified_min / "
    "date_modified_max, or date_created_min / date_created_max) or orderNumber; without either the answer "
    "is a 400. Results come ordered by modified time, then id: the same window gives the same bytes. "
    "Unknown parameters are ignored."
)


class ConnexAutoSchema(AutoSchema):
    """Describes a Connex operation from its view's ``operations[method]`` (what ``@extend_schema``
    would say, without depending on the host's ``DEFAULT_SCHEMA_CLASS``), and registers the JMA shapes."""

    def _described(self) -> dict[str, Any]:
        operations: dict[str, dict[str, Any]] = self.view.operations  # type: ignore[attr-defined]
        return operations[self.method]

    def get_operation(
        self, path: str, path_regex: str, path_prefix: str, method: str, registry: ComponentRegistry
    ) -> Any:
        for name, schema in COMPONENTS.items():
            registry.register_on_missing(
                ResolvedComponent(name=name, type=ResolvedComponent.SCHEMA, schema=copy.deepcopy(schema), object=name)
            )
        return super().get_operation(path, path_regex, path_prefix, method, registry)

    def get_operation_id(self) -> str:
        return str(self._described()["operation_id"])

    def get_summary(self) -> str:
        return str(self._described()["summary"])

    def get_description(self) -> str:  # type: ignore[override]
        return str(self._described()["description"])

    def get_tags(self) -> list[str]:
        return ["Connex"]

    def get_override_parameters(self) -> list[Any]:
        return [*self._described().get("parameters", []), *RESPONSE_HEADERS]

    def get_request_serializer(self) -> Any:
        return self._described().get("request")

    def _get_request_body(self, direction: str = "request") -> dict[str, Any] | None:
        body = self._described().get("request")
        if body is None:
            return None
        return {"content": {"application/json": {"schema": body}}, "required": True}

    def get_response_serializers(self) -> dict[int, OpenApiResponse]:  # type: ignore[override]
        return {**self._described()["responses"], 401: UNAUTHORIZED, 403: HTTPS_REQUIRED, 429: THROTTLED}


PAIRING = {
    "summary": "Pairing check",
    "description": "Connex's pairing check: valid credentials answer the JSON string OK.",
    "responses": {
        200: OpenApiResponse(
            response={"type": "string", "enum": ["OK"]},
            description="The credentials are valid.",
            examples=[OpenApiExample("OK", value="OK")],
        )
    },
}


class OrdersViewSchema(OpenApiViewExtension):
    target_class = "connex_bridge.views.OrdersView"

    def view_replacement(self) -> type[views.OrdersView]:
        class Described(views.OrdersView):
            schema = ConnexAutoSchema()
            operations = {
                "GET": {
                    "operation_id": "orders",
                    "summary": "Orders, refunds and payments of a window",
                    "description": ORDERS_DESCRIPTION,
                    "parameters": orders_parameters(),
                    "responses": {
                        200: OpenApiResponse(response=_ref("JMAUser"), description="The window's JMAUser."),
                        400: _error(
                            "Bad input: the body names the parameter, the value and the expected form.",
                            f"date_modified_min='yesterday' is not a date and time; expected {EXPECTED_DATE}.",
                        ),
                    },
                }
            }

        return Described


BODY_ERRORS: dict[int, OpenApiResponse] = {
    400: _error(
        "The body could not be read: the text names the JSON path, the value and the form expected. Nothing "
        "was changed.",
        'ShippingDate: "yesterday" is not a date (expected ISO 8601 such as 2024-05-01T13:30:00Z, or /Date(ms)/)',
    ),
    413: _error(
        "The body is larger than MAX_BODY_BYTES; nothing was changed.",
        "The body holds more than 10485760 bytes (CONNEX_BRIDGE['MAX_BODY_BYTES']); the shop's developer can "
        "raise that setting.",
    ),
}


class ChangeOrderStatusViewSchema(OpenApiViewExtension):
    target_class = "connex_bridge.views.ChangeOrderStatusView"

    def view_replacement(self) -> type[views.ChangeOrderStatusView]:
        class Described(views.ChangeOrderStatusView):
            schema = ConnexAutoSchema()
            operations: dict[str, dict[str, Any]] = {
                "POST": {
                    "operation_id": "changeorderstatus",
                    "summary": "A status, tracking number and dates QuickBooks recorded for an order",
                    "description": (
                        "One JMAOrder (docs/protocol.md §2). The order is found by Other, else by OrderNumber, "
                        "among those the credential may see; OrderStatus maps through ORDER_STATUS_MAP (empty: "
                        "the shop's completed status); TrackingNumber, ShippingDate and PaidDate are recorded "
                        "where the shop keeps them. Idempotent. Every property of the JMAOrder may come; "
                        "names match in any letter case, unknown ones are ignored, dates are ISO 8601 or "
                        "/Date(ms)/."
                    ),
                    "request": _ref("JMAOrderSent"),
                    "responses": {
                        200: OpenApiResponse(
                            response={"type": "string", "enum": ["OK"]},
                            description="The change is recorded (or already was).",
                        ),
                        404: OpenApiResponse(
                            response={"type": "string", "enum": ["NOT FOUND"]},
                            description="The credential sees no such order.",
                        ),
                        **BODY_ERRORS,
                        501: _error(
                            "The shop's order source takes no status changes.",
                            "This shop does not take status changes from QuickBooks: …",
                        ),
                    },
                }
            }

        return Described


CREATE_ORDERS = {
    "summary": "Orders created in QuickBooks, created in the shop",
    "description": (
        "A JMAUser whose Orders are read, or a bare JSON array of JMAOrder (docs/protocol.md §2). Each order "
        "the shop does not have (by OrderNumber) is created in a transaction of its own; one that is refused "
        "(no number, a number twice, an unknown SKU, a store the credential may not see, totals that do not "
        "balance) never blocks the others."
    ),
    "request": {"oneOf": [_ref("JMAUserOrders"), {"type": "array", "items": _ref("JMAOrderSent")}]},
    "responses": {
        200: OpenApiResponse(response=_ref("OrdersCreated"), description="What became of each order."),
        **BODY_ERRORS,
        501: _error("The shop's order source creates no orders.", "This shop does not take orders created in …"),
    },
}


class CreateOrdersViewSchema(OpenApiViewExtension):
    target_class = "connex_bridge.views.CreateOrdersView"

    def view_replacement(self) -> type[views.CreateOrdersView]:
        class Described(views.CreateOrdersView):
            schema = ConnexAutoSchema()
            operations = {
                "POST": {**CREATE_ORDERS, "operation_id": "createorders"},
                "PUT": {**CREATE_ORDERS, "operation_id": "createorders_put"},
            }

        return Described


class AuthenticateViewSchema(OpenApiViewExtension):
    target_class = "connex_bridge.views.AuthenticateToWebServiceView"

    def view_replacement(self) -> type[views.AuthenticateToWebServiceView]:
        class Described(views.AuthenticateToWebServiceView):
            schema = ConnexAutoSchema()
            operations = {
                "GET": {**PAIRING, "operation_id": "authenticatetowebservice"},
                "POST": {**PAIRING, "operation_id": "authenticatetowebservice_post", "summary": "Pairing check (POST)"},
            }

        return Described


# --- the catalogue side: inventory and purchaseorders ---

NOT_SUPPORTED = _error(
    "The shop's configured adapter does not do this action (CONNEX_BRIDGE's STOCK_ADAPTER or PURCHASES_ADAPTER).",
    "This shop does not take stock levels from QuickBooks: turn off the inventory sync in Connex, …",
)


def _inventory_operation(operation_id: str, method: str) -> dict[str, Any]:
    return {
        "operation_id": operation_id,
        "summary": f"Stock levels from QuickBooks ({method})",
        "description": (
            "Sets each SKU's stock level to StockQuantity (and its price to Amount with INVENTORY_SETS_PRICES). "
            "Each SKU is applied or refused on its own: refused ones are in ProductSkusErrors with the reason. "
            "A body that cannot be read is a 400 and one over MAX_BODY_BYTES a 413; neither changes anything. "
            "PUT and POST do the same (Connex's builds differ)."
        ),
        "request": {"type": "array", "items": _ref("JMAProductPushed")},
        "responses": {
            200: OpenApiResponse(response=_ref("JMAUpdateInventoryResponse"), description="What was applied."),
            400: _error(
                "The body is not JSON, not an array of JMAProduct, or holds a value of the wrong type.",
                '[1].StockQuantity: "abc" is not a number',
            ),
            413: _error(
                "The body is larger than MAX_BODY_BYTES; nothing of it was applied.",
                "The body holds more than 10485760 bytes (CONNEX_BRIDGE['MAX_BODY_BYTES']); …",
            ),
            501: NOT_SUPPORTED,
        },
    }


class InventoryViewSchema(OpenApiViewExtension):
    target_class = "connex_bridge.views.InventoryView"

    def view_replacement(self) -> type[views.InventoryView]:
        class Described(views.InventoryView):
            schema = ConnexAutoSchema()
            operations = {
                "PUT": _inventory_operation("inventory", "PUT"),
                "POST": _inventory_operation("inventory_post", "POST"),
            }

        return Described


class PurchaseOrdersViewSchema(OpenApiViewExtension):
    target_class = "connex_bridge.views.PurchaseOrdersView"

    def view_replacement(self) -> type[views.PurchaseOrdersView]:
        class Described(views.PurchaseOrdersView):
            schema = ConnexAutoSchema()
            operations = {
                "GET": {
                    "operation_id": "purchaseorders",
                    "summary": "Purchase orders and bills of a window",
                    "description": (
                        "The shop's purchase orders and bills of a window, in the Purchases list of a JMAUser. The "
                        "query string is the one of orders, with its validation and 400s; orderStatus (the shop's "
                        "sales statuses) is ignored, and storeName too unless the adapter has a store_field."
                    ),
                    "parameters": orders_parameters(),
                    "responses": {
                        200: OpenApiResponse(response=_ref("JMAUserPurchases"), description="The window's purchases."),
                        400: _error(
                            "Bad input: the body names the parameter, the value and the expected form.",
                            f"date_modified_min='yesterday' is not a date and time; expected {EXPECTED_DATE}.",
                        ),
                        501: NOT_SUPPORTED,
                    },
                }
            }

        return Described


class ConnexBasicScheme(OpenApiAuthenticationExtension):
    target_class = "connex_bridge.authentication.ConnexBasicAuthentication"
    name = SECURITY_SCHEME

    def get_security_definition(self, auto_schema: Any) -> dict[str, str]:
        return {
            "type": "http",
            "scheme": "basic",
            "description": "The user name and password of a ConnexCredential (python manage.py connex_credential).",
        }


#: drf-spectacular settings for this schema, whatever the host's SPECTACULAR_SETTINGS say.
SETTINGS: dict[str, Any] = {
    "TITLE": "Connex for QuickBooks custom-store API (connex_bridge)",
    "DESCRIPTION": (
        "The HTTP API Connex for QuickBooks polls: HTTPS only, HTTP Basic on every request, JSON out. "
        "Action names match in any letter case, with or without a trailing slash, and never redirect."
    ),
    "VERSION": connex_bridge.__version__,
    "SERVERS": [],
    "SECURITY": [],
    "TAGS": [],
    "SCHEMA_PATH_PREFIX": None,
    "SCHEMA_PATH_PREFIX_TRIM": False,
    "SCHEMA_PATH_PREFIX_INSERT": "",
    "COMPONENT_SPLIT_REQUEST": False,
    "OAS_VERSION": "3.0.3",
    "CAMELIZE_NAMES": False,
    "SORT_OPERATIONS": True,
    "SORT_OPERATION_PARAMETERS": True,
    "AUTHENTICATION_WHITELIST": None,
    "RENDERER_WHITELIST": None,
    "PARSER_WHITELIST": None,
    "PREPROCESSING_HOOKS": [],
    "POSTPROCESSING_HOOKS": ["drf_spectacular.hooks.postprocess_schema_enums"],
    "EXTENSIONS_INFO": {},
    "EXTENSIONS_ROOT": {},
    "EXTERNAL_DOCS": {},
    "CONTACT": {},
    "LICENSE": {},
    "TOS": None,
}


def openapi_schema(prefix: str | None = None) -> dict[str, Any]:
    """The OpenAPI 3 schema of the Connex endpoints served under ``prefix``
    (default: where the host's URLconf includes them, see :func:`default_prefix`).

    Each action is listed once, lower-case and without a trailing slash, as
    Connex asks for it (the URLs accept every other spelling too).
    """
    prefix = default_prefix() if prefix is None else prefix
    route = prefix.strip("/")
    actions = [action for action, _path in routed_actions()] or list(ACTIONS)
    canonical = [path(action.name, described_view(action).as_view(action=action)) for action in actions]
    patterns = [path(f"{route}/" if route else "", include(canonical))]
    with patched_settings(SETTINGS):
        generator = SchemaGenerator(patterns=patterns)
        schema: dict[str, Any] = generator.get_schema(request=None, public=True)
    return schema


#: Dotted paths of the views an extension above describes (read before drf-spectacular loads them).
_EXTENDED_VIEWS = frozenset(
    str(extension.target_class)
    for extension in (
        OrdersViewSchema,
        AuthenticateViewSchema,
        InventoryViewSchema,
        PurchaseOrdersViewSchema,
        ChangeOrderStatusViewSchema,
        CreateOrdersViewSchema,
    )
)


def described_view(action: Action) -> type[views.ConnexAPIView]:
    """The view of ``action`` as the schema describes it.

    An action whose view has an extension here (``orders``, ``authenticatetowebservice``) is
    described by it; any other action of the table gets an operation per method from the table's
    ``summary``, so that no action the URLconf serves is missing from the schema.
    """
    view: type[views.ConnexAPIView] = import_string(action.view)
    if action.view in _EXTENDED_VIEWS:
        return view
    body = " It reads a JSON body." if action.reads_body else ""
    operations = {
        method: {
            "operation_id": action.name if index == 0 else f"{action.name}_{method.lower()}",
            "summary": action.summary or action.name,
            "description": f"{action.summary or action.name}.{body}",
            "responses": {200: OpenApiResponse(description="The action's JSON answer.")},
        }
        for index, method in enumerate(action.methods)
    }
    described: type[views.ConnexAPIView] = type(
        view.__name__, (view,), {"schema": ConnexAutoSchema(), "operations": operations}
    )
    return described


def default_prefix() -> str:
    """Where the host's URLconf serves the Connex endpoints (``/connex/`` when it cannot tell)."""
    return base_path() or "/connex/"


def render(schema: dict[str, Any], form: str = "json") -> str:
    """The schema as indented JSON, or as YAML (``form="yaml"``)."""
    if form == "yaml":
        return OpenApiYamlRenderer().render(schema).decode()
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
