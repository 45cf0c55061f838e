"""schemathesis against the Connex endpoints: no request, however malformed, gets a 500.

The schema is the one connex_bridge.schema generates; requests go straight to
Django's WSGI application, with HTTP Basic for a seeded credential, against a
test database holding a few orders of every kind.
"""

from __future__ import annotations

import datetime as dt
import os
from decimal import Decimal
from typing import Any

import pytest
import schemathesis
from django.core import signals
from django.core.cache import cache
from django.core.handlers.wsgi import WSGIHandler
from django.db import close_old_connections
from hypothesis import HealthCheck, settings

from connex_bridge.testing.catalogue import BuiltinPurchasesHarness, BuiltinStockHarness, PurchaseSpec
from connex_bridge.testing.factories import AddressFactory, ConnexCredentialFactory, OrderFactory

USERNAME, SECRET = "connex-fuzz", "fuzz-secret-0123456789-abcdefghij"
NOW = dt.datetime.now(dt.timezone.utc)


class BehindTLS(WSGIHandler):
    """Django's WSGI application as a TLS-terminating server runs it: every request came over HTTPS,
    as Connex's do (plain HTTP is a 403 before anything else is read)."""

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        environ["wsgi.url_scheme"] = "https"
        return super().__call__(environ, start_response)


schema = schemathesis.openapi.from_wsgi("/openapi.json", BehindTLS())
schema.config.update(basic_auth=(USERNAME, SECRET))
# Positive and negative cases, at most this many per operation per phase (FUZZ_EXAMPLES=100 for a quick run).
schema.config.generation.update(max_examples=int(os.environ.get("FUZZ_EXAMPLES", "1000")))
# Every built-in check runs (not_a_server_error, status code / content type / body / header conformance,
# negative_data_rejection, ignored_auth, unsupported_method, …) but one: positive_data_acceptance
# expects every schema-valid request to succeed, and OpenAPI cannot say that `orders` needs a window
# or orderNumber, nor that a date must exist (2024-02-30 fits the pattern); those are 400s by design.
schema.config.checks.positive_data_acceptance.enabled = False


@pytest.fixture
def one_connection():
    """Keep the test's database connection across requests, as Django's test client does.

    A WSGI request closes the connections it finds in a transaction when it starts
    and ends; the test's own transaction is one of them.
    """
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


@pytest.fixture
def shop(db, one_connection):
    ConnexCredentialFactory(username=USERNAME, secret=SECRET)
    OrderFactory(number="1001", modified_at=NOW - dt.timedelta(hours=2))
    OrderFactory(
        number="1002",
        store_name="Amazon",
        lines=[{"quantity": 3, "unit_price_excl_tax": "19.99", "discount_excl_tax": "1.00"}],
        tax_rate=Decimal("0.0625"),
        shipping=Decimal("7.95"),
        discount=Decimal("4.00"),
        payments=[Decimal("50.00"), Decimal("16.17")],
        shipping_address=AddressFactory(),
        modified_at=NOW - dt.timedelta(minutes=5),
    )
    OrderFactory(number="1002-R1", status="refunded", parent_number="1002", modified_at=NOW)
    OrderFactory(number="1003", status="cancelled", created_at=dt.datetime(2001, 1, 1, tzinfo=dt.timezone.utc))
    for sku in ("MUG-BLUE", "MUG-RED"):
        BuiltinStockHarness().product(sku, quantity=3)
    BuiltinStockHarness().product("SERVICE", tracks_stock=False)
    BuiltinPurchasesHarness().purchase(PurchaseSpec("PO-1", modified_at=NOW - dt.timedelta(hours=1)))
    BuiltinPurchasesHarness().purchase(PurchaseSpec("BILL-1", purchase_type="Bill", modified_at=NOW))


@schema.parametrize()
@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], deadline=None)
def test_no_request_gets_a_server_error(case, shop):
    # Each case starts with no failed sign-ins counted, so the cases that send wrong credentials
    # (ignored_auth) do not lock the rest out with 429s.
    cache.clear()
    case.call_and_validate()
