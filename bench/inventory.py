"""``python -m bench.inventory [--products 10000] [--db sqlite|postgres|mariadb] [--adapter builtin|demo]``

One ``inventory`` push of a body of N products, as Connex writes it, through the whole view
(body read, JSON parsed, batches applied, answer written), on a throwaway test database made
from tests/settings.py (``CONNEX_TEST_DB`` picks the server). Prints, for a first push (every
stock level changes) and the same body again (nothing changes):

    RESULT push=first products=N db=X ms=… peak_mb=… queries=… batches=…

``ms`` is one push timed without tracemalloc; ``peak_mb`` the tracemalloc peak of a second,
separate push of the same kind (Python allocations only); ``queries`` every SQL query of the
request, authentication included.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
import tracemalloc
from pathlib import Path

REPO_DIR = Path(__file__).resolve().parent.parent


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--products", type=int, default=10_000)
    parser.add_argument("--db", choices=("sqlite", "postgres", "mariadb"), default="sqlite")
    parser.add_argument("--adapter", choices=("builtin", "demo"), default="builtin")
    args = parser.parse_args()

    os.environ["CONNEX_TEST_DB"] = args.db
    os.environ.setdefault("CONNEX_TEST_DB_NAME", f"connex_bench_inventory_{os.getpid()}")
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.settings"
    sys.path[:0] = [str(REPO_DIR), str(REPO_DIR / "example_project")]
    import django

    django.setup()
    from django.db import connection
    from django.test.utils import setup_test_environment, teardown_test_environment

    from connex_bridge.testing.catalogue import BuiltinStockHarness
    from connex_bridge.testing.client import ConnexClient
    from connex_bridge.testing.factories import ConnexCredentialFactory

    setup_test_environment()
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        from django.conf import settings

        if args.adapter == "demo":
            from shop.harness import DemoStockHarness

            harness: BuiltinStockHarness = DemoStockHarness()  # type: ignore[assignment]
        else:
            harness = BuiltinStockHarness()
        settings.CONNEX_BRIDGE = dict(harness.connex_settings)
        _seed(args.adapter, args.products)
        client = ConnexClient(ConnexCredentialFactory())
        from connex_bridge.stock import get_stock_adapter

        batches = -(-args.products // get_stock_adapter().batch_size)
        # A first push that changes every level, timed; then measured for memory; then the same body again.
        results = []
        for label, offset in (("first", 1), ("again", 1)):
            body = json.dumps([_jmaproduct(f"SKU-{i:05}", (i + offset) % 500) for i in range(args.products)])
            if label == "first":
                _reset(args.adapter)
            client.put("/connex/inventory", "[]", content_type="application/json")  # warm: imports, URLconf
            queries: list[str] = []

            def count(execute, sql, params, many, context, queries=queries):  # type: ignore[no-untyped-def]
                queries.append(sql)
                return execute(sql, params, many, context)

            with connection.execute_wrapper(count):
                start = time.perf_counter()
                if os.environ.get("BENCH_PROFILE"):
                    import cProfile
                    import pstats

                    profiler = cProfile.Profile()
                    response = profiler.runcall(client.put, "/connex/inventory", body, content_type="application/json")
                    pstats.Stats(profiler).sort_stats("tottime").print_stats(22)
                else:
                    response = client.put("/connex/inventory", body, content_type="application/json")
                elapsed = time.perf_counter() - start
            answer = response.json()
            if response.status_code != 200 or len(answer["ProductSyncSuccess"]) != args.products:
                raise SystemExit(f"the push failed: {response.status_code} {str(answer)[:300]}")
            if label == "first":
                _reset(args.adapter)
            tracemalloc.start()
            client.put("/connex/inventory", body, content_type="application/json")
            peak = tracemalloc.get_traced_memory()[1]
            tracemalloc.stop()
            results.append(
                f"RESULT push={label} products={args.products} db={args.db} adapter={args.adapter} "
                f"ms={elapsed * 1000:.0f} peak_mb={peak / 2**20:.1f} queries={len(queries)} batches={batches} "
                f"body_mb={len(body) / 2**20:.1f}"
            )
        print("\n".join(results))
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)
        teardown_test_environment()
    return 0


def _jmaproduct(sku: str, quantity: int) -> dict[str, object]:
    return {"Sku": sku, "Name": f"{sku} in QuickBooks", "Description": None, "Barcode": None,
            "ManufacturerPartNumber": None, "StockQuantity": float(quantity), "Amount": 19.99,
            "PurchaseCost": 0.0, "IsEnabled": True}  # fmt: skip


def _model(adapter: str):  # type: ignore[no-untyped-def]
    if adapter == "demo":
        from shop.models import Product

        return Product
    from connex_bridge.models import Product

    return Product


def _seed(adapter: str, count: int) -> None:
    model = _model(adapter)
    name = "title" if adapter == "demo" else "name"
    model.objects.bulk_create(
        (model(sku=f"SKU-{i:05}", stock_quantity=999, price="19.99", **{name: f"Product {i}"}) for i in range(count)),
        batch_size=500,
    )


def _reset(adapter: str) -> None:
    """Every level back to 999, so the next push changes all of them."""
    _model(adapter).objects.update(stock_quantity=999)


if __name__ == "__main__":
    sys.exit(main())
