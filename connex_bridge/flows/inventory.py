"""``inventory``: QuickBooks' stock levels (and, when configured, prices) into the shop (docs/protocol.md §2).

Connex PUTs or POSTs a JSON array of JMAProduct, read by
:func:`connex_bridge.wire.read_products` into
:class:`~connex_bridge.records.ProductRecord` s; :func:`apply` hands them to
the configured :class:`~connex_bridge.stock.StockAdapter` in batches of
distinct SKUs, each batch in one transaction, and says per SKU what happened::

    result = apply(credential, wire.read_products(body))
    result.applied    # StockLevelRecords, as the shop now holds them
    result.refused    # {"MUG-RED": "The shop has no product with SKU 'MUG-RED': …"}

A SKU sent more than once in one body is refused (which of its values QuickBooks meant cannot be
known); every other SKU is applied or refused on its own, so one bad product never blocks the rest.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence

from connex_bridge.conf import app_settings
from connex_bridge.models import ConnexCredential
from connex_bridge.records import InventoryResult, ProductRecord, StockLevelRecord
from connex_bridge.stock import StockAdapter, get_stock_adapter


def stock_adapter_for(credential: ConnexCredential) -> StockAdapter:
    """The configured stock adapter, once it is known to take stock levels.

    :class:`~connex_bridge.adapters.NotSupportedError` when the shop takes none (the view answers 501
    before it reads the body).
    """
    adapter = get_stock_adapter()
    adapter.get_queryset(credential)  # a lazy queryset: no query, but NotSupportedError without a model
    return adapter


def apply(
    credential: ConnexCredential,
    products: Sequence[ProductRecord],
    *,
    adapter: StockAdapter | None = None,
    set_prices: bool | None = None,
) -> InventoryResult:
    """Apply ``products`` through ``adapter`` (default: the configured one).

    ``set_prices`` defaults to ``CONNEX_BRIDGE["INVENTORY_SETS_PRICES"]``. The result lists each SKU
    once, in the order of the body.
    """
    adapter = adapter if adapter is not None else stock_adapter_for(credential)
    set_prices = app_settings.INVENTORY_SETS_PRICES if set_prices is None else set_prices
    counts = Counter(product.sku for product in products)
    distinct = [product for product in products if counts[product.sku] == 1]
    outcome: dict[str, StockLevelRecord | str] = {}
    size = max(1, adapter.batch_size)
    for start in range(0, len(distinct), size):
        outcome.update(adapter.apply(credential, distinct[start : start + size], set_prices=set_prices))
    result = InventoryResult()
    for sku, count in counts.items():  # a Counter keeps the order in which the SKUs first came
        if count > 1:
            result.refused[sku] = (
                f"{sku!r} is in the body {count} times, so none of them was applied: send each SKU once."
            )
            continue
        done = outcome[sku]
        if isinstance(done, str):
            result.refused[sku] = done
        else:
            result.applied.append(done)
    return result
