"""``demo_credential``: the demo shop's Connex credential and how to try it."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from connex_bridge.models import ConnexCredential

USERNAME = "connex-demo"
# Deliberately weaker than connex_bridge's minimum (MIN_SECRET_LENGTH, not a
# common password): it is easy to type for a local demo and, because of that,
# the command refuses to run unless DEBUG is on. set_secret() stores it without
# validate_secret(), which a real credential must pass.
PASSWORD = "demo-password"
#: The inventory body of the printed curl: one SKU the demo shop sells, one it does not.
STOCK_BODY = '[{"Sku": "MUG-CER-12", "StockQuantity": 24}, {"Sku": "NOT-IN-SHOP", "StockQuantity": 1}]'
#: The changeorderstatus body: QuickBooks shipped the demo's first order (its number is filled in).
STATUS_BODY = '{{"OrderNumber": "{number}", "OrderStatus": "Shipped", "TrackingNumber": "1Z999AA10123456784"}}'
#: The createorders body: an order typed into QuickBooks, two mugs and 10.00 shipping (it balances).
CREATE_BODY = (
    '[{"OrderNumber": "QB-1001", "OrderStatus": "Shipped", "StoreName": "Web", "CurrencyCode": "USD", '
    '"Total": 34.0, "TotalTax": 0, "ShippingExclTax": 10.0, "ShippingInclTax": 10.0, '
    '"OrderDetails": [{"Sku": "MUG-CER-12", "Quantity": 2, "PriceExclTax": 12.0, "PriceInclTax": 12.0}], '
    '"BillingAddress": {"FirstName": "Zoe", "LastName": "Quinn", "Address1": "12 Beacon Street", '
    '"City": "Boston", "RegionName": "MA", "PostalCode": "02108", "TwoLetterIsoCode": "US", '
    '"Email": "zoe@example.com"}, "Customer": {"Email": "zoe@example.com"}}]'
)


def connex_timestamp(moment: dt.datetime) -> str:
    """``moment`` the way Connex sends timestamps: UTC, ``yyyy-MM-ddTHH:mm:ssZ``."""
    return moment.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class Command(BaseCommand):
    """Create or reset the ``connex-demo`` credential and print how to pair Connex and curl the API."""

    help = (
        f"Ensure the demo Connex credential {USERNAME} / {PASSWORD} exists and is active, then print what to "
        "type into Connex and curl commands to try. Refuses to run unless DEBUG is True."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8000, help="The port runserver listens on (default 8000).")

    def handle(self, *args: Any, port: int, **options: Any) -> None:
        if not settings.DEBUG:
            raise CommandError(
                f"demo_credential sets the well-known password {PASSWORD!r}; it only runs with DEBUG = True."
            )
        if not 1 <= port <= 65535:
            raise CommandError(f"--port must be between 1 and 65535, not {port}.")
        credential, _ = ConnexCredential.objects.get_or_create(username=USERNAME)
        credential.set_secret(PASSWORD)
        credential.is_active = True
        credential.stores = []  # the demo credential sees every store
        credential.save()

        base = f"http://127.0.0.1:{port}/connex/"
        # Whole UTC days from 30 days ago to tomorrow: covers every demo order
        # (all made in the last 30 days) and reads well in a copied command.
        today = dt.datetime.now(dt.timezone.utc).replace(hour=0, minute=0, second=0, microsecond=0)
        start = connex_timestamp(today - dt.timedelta(days=30))
        end = connex_timestamp(today + dt.timedelta(days=1))
        auth = f"{USERNAME}:{PASSWORD}"
        from shop.models import Order

        first_order = Order.objects.order_by("pk").values_list("reference", flat=True).first() or "D10001"
        self.stdout.write(
            "\n".join(
                [
                    f"Connex demo credential ready. The Connex API is at {base}",
                    'In Connex, add a "custom store" and type:',
                    f"  User name: {USERNAME}",
                    f"  Password:  {PASSWORD}",
                    f"  URL:       {base}",
                    "Try it once runserver is up:",
                    f'  curl -u {auth} "{base}authenticatetowebservice"',
                    f'  curl -u {auth} "{base}orders?date_modified_min={start}&date_modified_max={end}"',
                    f'  curl -u {auth} "{base}purchaseorders?date_modified_min={start}&date_modified_max={end}"',
                    f"  curl -u {auth} -X PUT -H 'Content-Type: application/json' "
                    f"-d '{STOCK_BODY}' "
                    f'"{base}inventory"',
                    f"  curl -u {auth} -X POST -H 'Content-Type: application/json' "
                    f"-d '{STATUS_BODY.format(number=first_order)}' "
                    f'"{base}changeorderstatus"',
                    f"  curl -u {auth} -X POST -H 'Content-Type: application/json' "
                    f"-d '{CREATE_BODY}' "
                    f'"{base}createorders"',
                ]
            )
        )
