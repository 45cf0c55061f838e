"""The adapter seam between ``inventory`` and the shop's products: :class:`StockAdapter`.

Like :class:`~connex_bridge.sources.OrderSource`, a class of small documented
methods working on field paths named by class attributes; a shop subclasses
it, overrides what differs and names the subclass in
``CONNEX_BRIDGE["STOCK_ADAPTER"]`` (``None``: the shop takes no stock levels,
and ``inventory`` answers 501). :func:`get_stock_adapter` sits beside it.

One call of :meth:`StockAdapter.apply` is one batch of at most
:attr:`~StockAdapter.batch_size` distinct SKUs, applied in one transaction
with a constant number of queries: the products are read (one query), their
rows locked in primary-key order (one ``SELECT … FOR UPDATE``, so two pushes
for the same SKUs wait for each other instead of deadlocking or interleaving)
and the changed ones written (one ``bulk_update``). Stock levels are set, not
added to, so the same body twice leaves the same state and gets the same answer.
docs/connect-your-shop.md documents every method.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any, cast

from django.db import connections, models, transaction
from django.db.models import QuerySet

from connex_bridge.adapters import ModelAdapter, get_adapter
from connex_bridge.records import ProductRecord, StockLevelRecord
from connex_bridge.sources.base import read_path

if TYPE_CHECKING:
    from connex_bridge.models import ConnexCredential

#: The 501 of a shop whose ``STOCK_ADAPTER`` is ``None`` (or a :class:`StockAdapter` without a model).
NOT_SUPPORTED = (
    "This shop does not take stock levels from QuickBooks: turn off the inventory sync in Connex, "
    "or ask the shop's developer to set CONNEX_BRIDGE['STOCK_ADAPTER']."
)

#: The annotation :meth:`StockAdapter.annotate` may add for a product's name.
NAME_ANNOTATION = "connex_name"
#: The annotation :meth:`StockAdapter.annotate` may add for whether a product tracks stock.
TRACKS_ANNOTATION = "connex_tracks_stock"


class StockAdapter(ModelAdapter):
    """Base class of every stock adapter. Subclass it; override what differs.

    Required: :attr:`model` (or :meth:`get_queryset`). The defaults read and
    write the field paths below on it. The base class itself has no model: a
    shop that keeps it answers ``inventory`` with :data:`NOT_SUPPORTED`.
    """

    #: (:attr:`model`: the model holding one stock level per SKU, a class or ``"app_label.Model"``.)
    #: Field of the SKU: QuickBooks' item name must equal it (exact match).
    sku_field: str = "sku"
    #: Field of the quantity on hand that QuickBooks' ``StockQuantity`` sets.
    quantity_field: str = "stock_quantity"
    #: Field of the price that ``Amount`` sets when ``INVENTORY_SETS_PRICES`` is on; ``None``: prices are never set.
    price_field: str | None = "price"
    #: Field path of the product's name, sent back as ``Name``; ``None``: no name.
    name_field: str | None = "name"
    #: Field path of a boolean saying whether the product tracks stock; ``None``: every product does.
    tracks_stock_field: str | None = None
    #: Whether the shop counts whole units: a fractional ``StockQuantity`` is then refused.
    whole_units: bool = True
    #: The largest quantity the quantity field holds.
    max_quantity: Decimal = Decimal(2**31 - 1)
    #: Distinct SKUs applied per transaction (three queries each).
    batch_size: int = 200
    #: The 501 message when this adapter cannot take stock levels.
    not_supported: str = NOT_SUPPORTED

    # --- which rows ---------------------------------------------------------

    def scope(self, queryset: QuerySet[Any], credential: ConnexCredential) -> QuerySet[Any]:
        """Restrict ``queryset`` to the rows ``credential`` may change (default: all of them)."""
        return queryset

    def annotate(self, queryset: QuerySet[Any]) -> QuerySet[Any]:
        """Add what :meth:`name_of` and :meth:`tracks_stock` read, to the one query that finds a batch's rows.

        Default: :attr:`name_field` and :attr:`tracks_stock_field` as annotations.
        """
        annotations: dict[str, Any] = {}
        if self.name_field:
            annotations[NAME_ANNOTATION] = models.F(self.name_field)
        if self.tracks_stock_field:
            annotations[TRACKS_ANNOTATION] = models.F(self.tracks_stock_field)
        return queryset.annotate(**annotations)

    def find(self, queryset: QuerySet[Any], skus: Sequence[str]) -> dict[str, list[Any]]:
        """The rows of each of ``skus`` (one query); a SKU the shop does not know is absent."""
        found: dict[str, list[Any]] = {}
        rows = self.annotate(queryset.filter(**{f"{self.sku_field}__in": list(skus)})).order_by("pk")
        for row in rows:
            found.setdefault(read_path(row, self.sku_field), []).append(row)
        return found

    def lock(self, rows: Sequence[Any]) -> dict[Any, Any]:
        """``rows`` again, locked until the batch's transaction ends, by primary key (one query).

        Locked in primary-key order, so two pushes naming the same SKUs in another order
        queue up instead of deadlocking; read afresh under the lock, so what is written
        and sent back is what the shop holds.
        """
        model = type(rows[0])
        fields = [self.quantity_field, *([self.price_field] if self.price_field else [])]
        locked = model._default_manager.filter(pk__in=[row.pk for row in rows]).order_by("pk").only(*fields)
        return {row.pk: row for row in locked.select_for_update()}

    def write(self, rows: Sequence[Any], fields: Sequence[str]) -> None:
        """Save ``fields`` of the changed ``rows``: one ``UPDATE … SET f = CASE pk WHEN … END``, no signals.

        What ``bulk_update()`` sends, written directly: ``bulk_update()`` spends milliseconds
        per row building its expressions, which for a 10,000-product push is most of the time.
        """
        model = type(rows[0])
        connection = connections[rows[0]._state.db or "default"]
        quote = connection.ops.quote_name
        meta: Any = model._meta
        pk = quote(meta.pk.column)
        sets: list[str] = []
        params: list[Any] = []
        for name in fields:
            field = meta.get_field(name)
            sets.append(f"{quote(field.column)} = CASE {pk}{' WHEN %s THEN %s' * len(rows)} END")
            for row in rows:
                params += [row.pk, field.get_db_prep_save(getattr(row, name), connection)]
        keys = ", ".join(["%s"] * len(rows))
        # Only quoted names of the model's own table and columns are formatted in; every value is a parameter.
        sql = f"UPDATE {quote(meta.db_table)} SET {', '.join(sets)} WHERE {pk} IN ({keys})"  # noqa: S608
        with connection.cursor() as cursor:
            cursor.execute(sql, [*params, *(row.pk for row in rows)])

    # --- what each row says ----------------------------------------------------

    def name_of(self, row: Any) -> str:
        """The product's ``Name`` in the answer."""
        return str(getattr(row, NAME_ANNOTATION, "") or "")

    def tracks_stock(self, row: Any) -> bool:
        """Whether the product keeps a stock level QuickBooks may set."""
        return bool(getattr(row, TRACKS_ANNOTATION, True))

    def quantity_of(self, row: Any) -> Decimal:
        """The quantity on hand the row holds."""
        return Decimal(getattr(row, self.quantity_field))

    # --- what QuickBooks may set -----------------------------------------------

    def check_quantity(self, product: ProductRecord) -> str | None:
        """Why ``product.stock_quantity`` cannot be applied, or ``None``."""
        quantity = product.stock_quantity
        if quantity is None:
            return "StockQuantity was not sent (or was null): send the quantity on hand."
        if quantity < 0:
            return (
                f"StockQuantity {quantity} is negative, and the shop keeps no stock below zero: correct the "
                f"quantity on hand of {product.sku!r} in QuickBooks."
            )
        if self.whole_units and quantity != quantity.to_integral_value():
            return (
                f"StockQuantity {quantity} is not a whole number, and the shop counts {product.sku!r} in whole units."
            )
        if quantity > self.max_quantity:
            return f"StockQuantity {quantity} is more than the shop can hold (at most {self.max_quantity})."
        return None

    def price_limits(self) -> tuple[int, int] | None:
        """``(max_digits, decimal_places)`` of the price field when it is a DecimalField."""
        model = self.get_model()
        if model is None or not self.price_field:
            return None
        field = model._meta.get_field(self.price_field)
        if isinstance(field, models.DecimalField) and field.max_digits is not None:
            return field.max_digits, field.decimal_places or 0
        return None

    def check_price(self, product: ProductRecord) -> str | None:
        """Why ``product.amount`` cannot be applied as the price, or ``None``.

        An ``Amount`` of zero (or none) is not a price: Json.NET writes 0 for an item
        without one, so the price is then left as it is.
        """
        amount = product.amount
        if amount is None or amount.is_zero() or not self.price_field:
            return None
        if amount < 0:
            return f"Amount {amount} is negative; a price must be positive."
        limits = self.price_limits()
        if limits is not None:
            digits, places = limits
            if amount != amount.quantize(Decimal(1).scaleb(-places)):
                return f"Amount {amount} has more decimal places than the shop's prices ({places})."
            if amount.adjusted() >= digits - places:
                return (
                    f"Amount {amount} is more than the shop's prices can hold "
                    f"({digits - places} digits before the point)."
                )
        return None

    # --- one batch ---------------------------------------------------------------

    def apply(
        self, credential: ConnexCredential, products: Sequence[ProductRecord], *, set_prices: bool = False
    ) -> dict[str, StockLevelRecord | str]:
        """Apply one batch of products with distinct SKUs, in one transaction.

        Returns, for each SKU, the :class:`~connex_bridge.records.StockLevelRecord` the
        shop now holds, or the reason it was not applied.
        """
        outcome: dict[str, StockLevelRecord | str] = {}
        wanted: dict[str, ProductRecord] = {}
        for product in products:
            reason = self.check_quantity(product) or (self.check_price(product) if set_prices else None)
            if reason:
                outcome[product.sku] = reason
            else:
                wanted[product.sku] = product
        if not wanted:
            return outcome
        queryset = self.scope(self.get_queryset(credential), credential)
        sets_price = set_prices and bool(self.price_field)
        with transaction.atomic(using=queryset.db):
            found = self.find(queryset, list(wanted))
            chosen: dict[str, Any] = {}
            for sku in wanted:
                rows = found.get(sku, [])
                if not rows:
                    outcome[sku] = _unknown(sku)
                elif len(rows) > 1:
                    outcome[sku] = (
                        f"{len(rows)} of the shop's products have SKU {sku!r}, so none was changed: give each "
                        "product its own SKU."
                    )
                elif not self.tracks_stock(rows[0]):
                    outcome[sku] = (
                        f"The shop does not track stock of {sku!r}: turn stock tracking on for the product, or "
                        "leave the item out of the inventory sync."
                    )
                else:
                    chosen[sku] = rows[0]
            locked = self.lock(list(chosen.values())) if chosen else {}
            changed: list[Any] = []
            for sku, row in chosen.items():
                product, held = wanted[sku], locked.get(row.pk)
                if held is None:  # deleted between the two queries
                    outcome[sku] = _unknown(sku)
                    continue
                quantity = cast(Decimal, product.stock_quantity)  # check_quantity refused None
                value: Any = int(quantity) if self.whole_units else quantity
                dirty = self.quantity_of(held) != quantity
                setattr(held, self.quantity_field, value)
                price = getattr(held, self.price_field) if self.price_field else None
                if sets_price and product.amount is not None and not product.amount.is_zero():
                    dirty = dirty or price != product.amount
                    price = product.amount
                    setattr(held, str(self.price_field), price)
                if dirty:
                    changed.append(held)
                outcome[sku] = StockLevelRecord(
                    sku=sku,
                    stock_quantity=Decimal(value),
                    name=self.name_of(row),
                    amount=Decimal(price) if sets_price and price is not None else None,
                )
            if changed:
                self.write(changed, [self.quantity_field, *([self.price_field] if sets_price else [])])  # type: ignore[list-item]
        return outcome


def _unknown(sku: str) -> str:
    return (
        f"The shop has no product with SKU {sku!r}: the QuickBooks item name must equal the "
        "product's SKU (add the product to the shop, or leave the item out of the sync)."
    )


def get_stock_adapter() -> StockAdapter:
    """The stock adapter ``CONNEX_BRIDGE["STOCK_ADAPTER"]`` names, instantiated once per dotted path.

    :class:`~connex_bridge.adapters.NotSupportedError` (:data:`NOT_SUPPORTED`) when the setting is ``None``.
    """
    return get_adapter("STOCK_ADAPTER", StockAdapter, NOT_SUPPORTED)
