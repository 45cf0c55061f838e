"""The endpoint contract suite's view of the demo shop (run by shop/tests/test_connex_contract.py)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, TypeVar

from django.db import connection, transaction
from django.db.models import Max, Model

from connex_bridge.testing.catalogue import PurchasesHarness, PurchaseSpec, StockHarness
from connex_bridge.testing.harness import BULK_BATCH, AddressSpec, OrderSpec, ShopHarness, db_time

M = TypeVar("M", bound=Model)

#: The address an order gets when its spec names none (what the contract suite's orders always had).
STOCK_ADDRESS = AddressSpec(region_code="", postal_code="")
#: The provider behind each way to pay that is not a card; cards go through Stripe.
PROVIDERS = {
    "PayPal": "paypal",
    "Check": "manual",
    "Gift Card": "gift_card",
    "Amazon": "amazon",
    "eBay Managed Payments": "ebay",
}
#: The carrier of a shipment, from the shipping method's name.
CARRIERS = (("UPS", "UPS"), ("Amazon", "Amazon"), ("eBay", "USPS"), ("USPS", "USPS"))


def _carrier(method: str) -> str:
    return next((carrier for word, carrier in CARRIERS if word in method), "USPS")


def _ensure(model: type[M], key: str, rows: dict[Any, dict[str, Any]]) -> dict[Any, int]:
    """The primary key of the ``model`` row of each key of ``rows``, creating the missing ones.

    Existing rows are kept as they are: products, customers and coupons belong to the shop, and
    its own orders may use them.
    """
    found: dict[Any, int] = {}
    keys = list(rows)
    for start in range(0, len(keys), 500):  # under SQLite's parameter limit
        chunk = keys[start : start + 500]
        found.update(model._default_manager.filter(**{f"{key}__in": chunk}).values_list(key, "pk"))
    missing = [model(**{key: k, **rows[k]}) for k in keys if k not in found]
    if missing:
        if model._meta.pk is not None and model._meta.pk.name != key:  # Country's key is its primary key
            next_id = _next_id(model)
            for offset, row in enumerate(missing):
                row.pk = next_id + offset
        model._default_manager.bulk_create(missing, batch_size=BULK_BATCH)
        found.update((getattr(row, key), row.pk) for row in missing)
    return found


class DemoShopHarness(ShopHarness):
    """Creates orders in the demo shop the way its checkout does, served by ``shop.connex.ShopOrderSource``."""

    name = "demoshop"
    connex_settings = {
        "ORDER_SOURCE": "shop.connex.ShopOrderSource",
        "CANCELLED_STATUSES": ["cancelled", "refunded"],
        "STOCK_ADAPTER": "shop.connex_inventory.ShopStockAdapter",
        "PURCHASES_ADAPTER": "shop.connex_inventory.ShopPurchasesAdapter",
        "ORDER_STATUS_MAP": {"Shipped": "dispatched", "Complete": "delivered", "Completed": "delivered"},
    }
    status_change = ("packed", "dispatched")
    creates_orders = True
    catalogue = True

    def add_product(self, sku: str, name: str, price: Decimal) -> None:
        from shop.models import Product

        Product.objects.get_or_create(sku=sku, defaults={"title": name, "price": price})

    def create(self, spec: OrderSpec) -> None:
        from shop.models import (
            Address,
            Channel,
            Country,
            Coupon,
            CouponRedemption,
            Customer,
            Order,
            OrderItem,
            Payment,
            Product,
            Shipment,
        )

        def address(where: AddressSpec) -> Address:
            country, _ = Country.objects.get_or_create(code=where.country_code, defaults={"name": where.country_name})
            return Address.objects.create(**self._address_fields(where), country=country)

        billing = spec.billing_address or STOCK_ADDRESS
        customer, _ = Customer.objects.get_or_create(
            email=spec.email, defaults=self._customer_fields(spec.billing_address)
        )
        order = Order.objects.create(
            **self._order_fields(spec),
            channel=Channel.objects.get_or_create(name=spec.store)[0],
            customer=customer,
            billing_address=address(billing),
            shipping_address=address(spec.shipping_address) if spec.shipping_address else None,
            refund_of=Order.objects.get(reference=spec.parent_number) if spec.parent_number else None,
        )
        for line in spec.lines:
            product, _ = Product.objects.get_or_create(
                sku=line.sku, defaults={"title": line.name, "price": line.unit_price_excl_tax, "taxable": line.taxable}
            )
            OrderItem.objects.create(order=order, product=product, **self._item_fields(spec, line))
        if spec.discount:
            coupon = Coupon.objects.get_or_create(code=spec.discount_code, defaults={"title": spec.discount_name})[0]
            CouponRedemption.objects.create(order=order, coupon=coupon, **self._redemption_fields(spec))
        for fields in self._payment_fields(spec):
            Payment.objects.create(order=order, **fields)
        if spec.shipped_at is not None:
            Shipment.objects.create(order=order, **self._shipment_fields(spec, spec.shipped_at))

    # The columns of each row, shared by create() and bulk_create() so both write the same orders.

    @staticmethod
    def _address_fields(where: AddressSpec) -> dict[str, Any]:
        return {
            "first_name": where.first_name,
            "last_name": where.last_name,
            "company": where.company,
            "street": where.line1,
            "street_2": where.line2,
            "city": where.city,
            "region": where.region_code,
            "postcode": where.postal_code,
            "phone": where.phone,
        }

    @staticmethod
    def _customer_fields(where: AddressSpec | None) -> dict[str, Any]:
        if where is None:
            return {"first_name": "Zoë", "last_name": "Ångström"}
        return {"first_name": where.first_name, "last_name": where.last_name, "company": where.company}

    @staticmethod
    def _order_fields(spec: OrderSpec) -> dict[str, Any]:
        fields = {
            "reference": spec.number,
            "state": spec.status,
            "email": spec.email,
            "shipping_method": spec.shipping_method,
            "items_total": spec.subtotal,
            "discount_total": spec.discount,
            "discount_total_gross": spec.discount + spec.discount_tax,
            "shipping_fee": spec.shipping,
            "shipping_fee_gross": spec.shipping + spec.shipping_tax,
            "tax_total": spec.tax,
            "grand_total": spec.total,
            "customer_note": spec.note,
            "staff_note": spec.private_note,
        }
        if spec.paid_at is not None:
            fields["paid_at"] = db_time(spec.paid_at)
        return fields

    @staticmethod
    def _item_fields(spec: OrderSpec, line: Any) -> dict[str, Any]:
        return {
            "quantity": line.quantity,
            "unit_price": line.unit_price_excl_tax,
            "unit_price_gross": spec.unit_price_incl_tax(line),
            "line_discount": line.discount_excl_tax,
            "line_discount_gross": spec.line_discount_incl_tax(line),
        }

    @staticmethod
    def _redemption_fields(spec: OrderSpec) -> dict[str, Any]:
        return {"amount": spec.discount, "amount_gross": spec.discount + spec.discount_tax}

    @staticmethod
    def _payment_fields(spec: OrderSpec) -> list[dict[str, Any]]:
        payments = []
        amounts = spec.payment_amounts
        for index, (amount, method) in enumerate(zip(amounts, spec.payment_method_list, strict=True), start=1):
            fields: dict[str, Any] = {
                "provider": PROVIDERS.get(method, "stripe"),
                "method": method,
                "amount": amount,
                "transaction_id": f"ch_{spec.number}_{index}",
            }
            if spec.paid_at is not None:
                # The card after the gift card, two seconds later: the receipt names the payment that settled it.
                fields["captured_at"] = db_time(spec.paid_at + dt.timedelta(seconds=2 * (index - 1)))
            payments.append(fields)
        return payments

    @staticmethod
    def _shipment_fields(spec: OrderSpec, shipped_at: dt.datetime) -> dict[str, Any]:
        return {
            "carrier": _carrier(spec.shipping_method),
            "tracking_code": spec.tracking_number,
            "shipped_at": db_time(shipped_at),
        }

    def bulk_create(self, specs: Iterable[OrderSpec]) -> None:
        """Every order's rows built in memory with explicit primary keys and written with ``bulk_create``.

        Channels, countries, customers, products and coupons are looked up by their natural keys
        and created when missing. ``bulk_create`` sends no signals, so ``shop.models.touch_order``
        moves nothing; ``updated_at`` is ``auto_now``, so the inserts stamp the wall clock and a
        ``bulk_update`` (which writes values as they are) puts back the specs' times.
        """
        from shop.models import (
            Address,
            Channel,
            Country,
            Coupon,
            CouponRedemption,
            Customer,
            Order,
            OrderItem,
            Payment,
            Product,
            Shipment,
        )

        specs = list(specs)
        with transaction.atomic():
            addresses = [(s.billing_address or STOCK_ADDRESS, s.shipping_address) for s in specs]
            countries = _ensure(
                Country,
                "code",
                {a.country_code: {"name": a.country_name} for pair in addresses for a in pair if a is not None},
            )
            channels = _ensure(Channel, "name", {s.store: {} for s in specs})
            customers = _ensure(Customer, "email", {s.email: self._customer_fields(s.billing_address) for s in specs})
            products = _ensure(
                Product,
                "sku",
                {
                    line.sku: {"title": line.name, "price": line.unit_price_excl_tax, "taxable": line.taxable}
                    for s in specs
                    for line in s.lines
                },
            )
            coupons = _ensure(
                Coupon, "code", {s.discount_code: {"title": s.discount_name} for s in specs if s.discount}
            )
            parents = {s.parent_number for s in specs if s.parent_number}
            order_ids: dict[str, int] = dict(
                Order.objects.filter(reference__in=parents - {s.number for s in specs}).values_list("reference", "pk")
            )

            ids = {model: _next_id(model) for model in (Address, Order, OrderItem, CouponRedemption, Payment, Shipment)}
            rows: dict[type[Model], list[Model]] = {model: [] for model in ids}
            planned: dict[int, dt.datetime] = {}  # each order's last change, by primary key

            def add(model: type[M], **fields: Any) -> int:
                pk = ids[model]
                ids[model] += 1
                rows[model].append(model(pk=pk, **fields))
                return pk

            for spec, (billing, shipping) in zip(specs, addresses, strict=True):
                billing_id = add(Address, **self._address_fields(billing), country_id=countries[billing.country_code])
                shipping_id = (
                    add(Address, **self._address_fields(shipping), country_id=countries[shipping.country_code])
                    if shipping is not None
                    else None
                )
                created = spec.created_at or spec.modified_at
                modified = spec.modified_at or created
                times: dict[str, Any] = {"placed_at": db_time(created)} if created is not None else {}
                if modified is not None:
                    planned[ids[Order]] = db_time(modified)
                order_id = order_ids[spec.number] = add(
                    Order,
                    **self._order_fields(spec),
                    **times,
                    channel_id=channels[spec.store],
                    customer_id=customers[spec.email],
                    billing_address_id=billing_id,
                    shipping_address_id=shipping_id,
                    refund_of_id=order_ids[spec.parent_number] if spec.parent_number else None,
                )
                for line in spec.lines:
                    add(OrderItem, order_id=order_id, product_id=products[line.sku], **self._item_fields(spec, line))
                if spec.discount:
                    add(
                        CouponRedemption,
                        order_id=order_id,
                        coupon_id=coupons[spec.discount_code],
                        **self._redemption_fields(spec),
                    )
                for fields in self._payment_fields(spec):
                    add(Payment, order_id=order_id, **fields)
                if spec.shipped_at is not None:
                    add(Shipment, order_id=order_id, **self._shipment_fields(spec, spec.shipped_at))
            for model, table in rows.items():
                model._default_manager.bulk_create(table, batch_size=BULK_BATCH)
            pinned: list[Any] = [order for order in rows[Order] if order.pk in planned]
            for order in pinned:
                order.updated_at = planned[order.pk]
            Order.objects.bulk_update(pinned, ["updated_at"], batch_size=500)
            _reset_sequences([Country, Channel, Customer, Product, Coupon, *ids])

    def set_times(self, number: str, created_at: dt.datetime | None, modified_at: dt.datetime | None) -> None:
        from shop.models import Order

        # update() leaves auto_now alone, so the times stay as pinned.
        stamps = {"placed_at": created_at, "updated_at": modified_at}
        Order.objects.filter(reference=number).update(**{k: db_time(v) for k, v in stamps.items() if v is not None})

    def add_payment(self, number: str, amount: Decimal) -> None:
        from shop.models import Order, Payment

        # No update of the order here: the shop's own touch_order must move updated_at.
        Payment.objects.create(
            order=Order.objects.get(reference=number), provider=Payment.Provider.STRIPE, method="Visa", amount=amount
        )


def _next_id(model: type[Model]) -> int:
    return (model._default_manager.aggregate(top=Max("pk"))["top"] or 0) + 1


def _reset_sequences(models: list[type[Model]]) -> None:
    """Explicit ids leave PostgreSQL's sequences behind; move them past the rows."""
    from django.core.management.color import no_style

    with connection.cursor() as cursor:
        for sql in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(sql)


# --- the catalogue side: inventory and purchaseorders -----------------------------------------


class DemoStockHarness(StockHarness):
    """The demo shop's ``shop.Product``, served by ``shop.connex_inventory.ShopStockAdapter``."""

    name = "demoshop"
    connex_settings = DemoShopHarness.connex_settings
    can_skip_stock = False  # every product of the demo shop keeps stock

    def product(
        self,
        sku: str,
        *,
        quantity: int = 0,
        price: Decimal = Decimal("10.00"),
        name: str = "",
        tracks_stock: bool = True,
    ) -> None:
        from shop.models import Product

        Product.objects.create(sku=sku, title=name or sku, stock_quantity=quantity, price=price)

    def held(self, sku: str) -> tuple[Decimal, Decimal]:
        from shop.models import Product

        product = Product.objects.get(sku=sku)
        return Decimal(product.stock_quantity), product.price


class DemoPurchasesHarness(PurchasesHarness):
    """The demo shop's purchase orders to its suppliers, served by ``shop.connex_inventory.ShopPurchasesAdapter``."""

    name = "demoshop"
    connex_settings = DemoShopHarness.connex_settings
    poll_queries = 3  # the purchase orders with their suppliers' addresses, their items, the items' products

    def purchase(self, spec: PurchaseSpec) -> None:
        from shop.models import Address, Country, Product, PurchaseOrder, PurchaseOrderItem, Supplier

        supplier = Supplier.objects.filter(name=spec.vendor).first()
        if supplier is None:
            country, _ = Country.objects.get_or_create(code="US", defaults={"name": "United States"})
            address = Address.objects.create(
                first_name="",
                last_name="",
                company=spec.vendor,
                street="400 Harbor Way",
                city=spec.vendor_city,
                region="CA",
                postcode="94607",
                country=country,
            )
            supplier = Supplier.objects.create(name=spec.vendor, address=address)
        purchase = PurchaseOrder.objects.create(
            reference=spec.number,
            supplier=supplier,
            kind={"PurchaseOrder": "order", "Bill": "bill"}[spec.purchase_type],
            freight=spec.freight,
            tax_total=spec.tax,
            grand_total=spec.total,
        )
        for sku, quantity, received, cost in spec.lines:
            product, _ = Product.objects.get_or_create(sku=sku, defaults={"title": sku})
            PurchaseOrderItem.objects.create(
                purchase_order=purchase, product=product, quantity=quantity, received=received, unit_cost=cost
            )
        times = {"ordered_at": spec.created_at, "updated_at": spec.modified_at or spec.created_at}
        pinned = {name: db_time(value) for name, value in times.items() if value is not None}
        PurchaseOrder.objects.filter(pk=purchase.pk).update(**pinned)

    def touch(self, number: str) -> None:
        from shop.models import PurchaseOrderItem

        item = PurchaseOrderItem.objects.filter(purchase_order__reference=number).first()
        assert item is not None  # noqa: S101 - a test helper
        item.received += 1
        item.save()
