"""The ``CONNEX_BRIDGE`` settings dict, read afresh on every access.

Shaped like Django REST framework's ``api_settings``: one dict in the host's
settings laid over :data:`DEFAULTS`. Values are looked up on each attribute
access (so ``override_settings`` in tests just works). The order source the
``ORDER_SOURCE`` path names is imported and instantiated by
:func:`connex_bridge.sources.get_order_source`, beside the class it returns.
"""

from __future__ import annotations

import functools
import ipaddress
import zoneinfo
from collections.abc import Mapping
from typing import Any, TypeAlias

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

SETTING_NAME = "CONNEX_BRIDGE"

IPNetwork: TypeAlias = ipaddress.IPv4Network | ipaddress.IPv6Network

#: Every key ``CONNEX_BRIDGE`` accepts, with its default. Documented in
#: README.md's settings table; a key not listed here is a configuration error.
DEFAULTS: dict[str, Any] = {
    # Dotted path to the OrderSource subclass that serves orders to Connex.
    "ORDER_SOURCE": "connex_bridge.sources.builtin.BuiltinOrderSource",
    # How dates are written in the JSON: "local" (wall-clock time in
    # TIME_ZONE, no offset), "utc" (…Z) or "microsoft" (/Date(ms)/).
    "DATE_FORMAT": "local",
    # Time zone for DATE_FORMAT "local"; None means Django's TIME_ZONE.
    "TIME_ZONE": None,
    # Shop statuses (case-insensitive) whose orders go to CancelledOrders.
    "CANCELLED_STATUSES": ["cancelled", "refunded"],
    # Minimum length of a secret typed by the merchant.
    "MIN_SECRET_LENGTH": 16,
    # A credential's "last used" time is written at most this often (seconds).
    "LAST_USED_RESOLUTION": 60,
    # Largest number of order numbers one orderNumber= list may hold.
    "MAX_ORDER_NUMBERS": 500,
    # Alias (in Django's CACHES) of the cache that counts failed sign-ins. It
    # must be shared by every process and server: Redis or Memcached.
    "LOCKOUT_CACHE": "default",
    # Failed sign-ins for one user name from one client address before that
    # pair is refused for LOCKOUT_SECONDS.
    "LOCKOUT_FAILURES": 10,
    # Failed sign-ins from one client address, whatever the user name, before
    # that address is refused for LOCKOUT_SECONDS.
    "LOCKOUT_IP_FAILURES": 30,
    # How long failures are counted, and how long a lockout lasts (seconds).
    "LOCKOUT_SECONDS": 900,
    # Addresses or networks of the host's own reverse proxies. Empty: the
    # client is REMOTE_ADDR and X-Forwarded-For is ignored.
    "TRUSTED_PROXIES": [],
    # Serve Connex over plain HTTP even when DEBUG is off (never in production).
    "ALLOW_HTTP": False,
    # Largest request body connex_bridge reads (bytes); a larger one is a 413.
    "MAX_BODY_BYTES": 10 * 1024 * 1024,
    # Record every request to the Connex URLs in the sync log (docs/sync-log.md).
    "SYNC_LOG": True,
    # Days of sync log that manage.py connex_prune_log keeps.
    "SYNC_LOG_DAYS": 90,
    # --- the catalogue side: inventory and purchaseorders ---
    # Dotted path to the StockAdapter subclass that applies QuickBooks' stock
    # levels (inventory), or None for a shop that takes none (a 501).
    "STOCK_ADAPTER": "connex_bridge.stock.builtin.BuiltinStockAdapter",
    # Also set each product's price from the Amount QuickBooks sends.
    "INVENTORY_SETS_PRICES": False,
    # Dotted path to the PurchasesAdapter subclass that serves purchase orders
    # and bills (purchaseorders), or None for a shop that has none (a 501).
    "PURCHASES_ADAPTER": "connex_bridge.purchases.builtin.BuiltinPurchasesAdapter",
    # changeorderstatus and createorders: Connex / QuickBooks status name
    # (case-insensitive) -> the shop's own. A name not listed is taken as it is.
    "ORDER_STATUS_MAP": {},
    # The shop's status for an empty OrderStatus (QuickBooks completed the
    # order); None means the order source's completed_status.
    "COMPLETED_STATUS": None,
}

DATE_FORMATS = ("local", "utc", "microsoft")


def invalid(key: str, value: Any, expected: str) -> ImproperlyConfigured:
    """The error of a wrong ``CONNEX_BRIDGE`` value: it names the key, the value and what is expected."""
    return ImproperlyConfigured(f"{SETTING_NAME}[{key!r}] is {value!r}; expected {expected}.")


class ConnexBridgeSettings:
    """Typed access to ``settings.CONNEX_BRIDGE`` merged over :data:`DEFAULTS`.

    The one validator of the setting: each property checks its value (type, range, allowed
    values, parsing) and raises ImproperlyConfigured naming the key, the value and what is
    expected. The system checks (:mod:`connex_bridge.checks`) read these same properties and
    report what they raise, so start-up and run time can never disagree.
    """

    @property
    def user_settings(self) -> Mapping[str, Any]:
        """``settings.CONNEX_BRIDGE`` as the host wrote it (``{}`` when absent); it must be a dict."""
        value = getattr(settings, SETTING_NAME, None) or {}
        if not isinstance(value, Mapping):
            raise ImproperlyConfigured(f"{SETTING_NAME} is {value!r}; expected a dict of connex_bridge's settings.")
        return value

    @property
    def known_settings(self) -> Mapping[str, Any]:
        """:attr:`user_settings` once every key in it is one of :data:`DEFAULTS`."""
        value = self.user_settings
        unknown = sorted(set(value) - set(DEFAULTS))
        if unknown:
            raise ImproperlyConfigured(
                f"{SETTING_NAME} has unknown key(s) {', '.join(map(repr, unknown))}; "
                f"known keys are {', '.join(sorted(DEFAULTS))}."
            )
        return value

    def get(self, name: str) -> Any:
        """The raw value of ``name`` (the host's, or the default); the properties validate it."""
        return self.known_settings.get(name, DEFAULTS[name])

    def _whole_number(self, key: str, minimum: int) -> int:
        value = self.get(key)
        if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
            raise invalid(key, value, f"a whole number of at least {minimum}")
        return value

    @property
    def ORDER_SOURCE(self) -> str:
        """Dotted path of the order source (:func:`connex_bridge.sources.import_order_source` imports it)."""
        value = self.get("ORDER_SOURCE")
        if not isinstance(value, str) or not value:
            raise invalid("ORDER_SOURCE", value, "the dotted path of an OrderSource subclass, as a string")
        return value

    @property
    def DATE_FORMAT(self) -> str:
        """How dates are written: one of :data:`DATE_FORMATS`."""
        value = self.get("DATE_FORMAT")
        if value not in DATE_FORMATS:
            raise invalid("DATE_FORMAT", value, f"one of {', '.join(map(repr, DATE_FORMATS))}")
        return str(value)

    @property
    def TIME_ZONE(self) -> str:
        """The IANA time zone of "local" dates; Django's ``TIME_ZONE`` when the key is ``None``."""
        value = self.get("TIME_ZONE")
        if value is None:
            return str(settings.TIME_ZONE)
        if not (isinstance(value, str) and _is_known_zone(value)):
            raise invalid("TIME_ZONE", value, "an IANA time zone such as 'America/New_York', or None for Django's")
        return value

    @property
    def CANCELLED_STATUSES(self) -> list[str]:
        """The status names (case-insensitive) whose orders go to CancelledOrders, stripped."""
        value = self.get("CANCELLED_STATUSES")
        if (
            isinstance(value, str)
            or not isinstance(value, (list, tuple, set, frozenset))
            or not all(isinstance(status, str) and status.strip() for status in value)
        ):
            raise invalid("CANCELLED_STATUSES", value, "a list of status names, such as ['cancelled', 'refunded']")
        return [status.strip() for status in value]

    @property
    def MIN_SECRET_LENGTH(self) -> int:
        """Minimum length of a secret typed by the merchant."""
        return self._whole_number("MIN_SECRET_LENGTH", 1)

    @property
    def LAST_USED_RESOLUTION(self) -> int:
        """Seconds between two writes of a credential's "last used" time (0: every sign-in)."""
        return self._whole_number("LAST_USED_RESOLUTION", 0)

    @property
    def MAX_ORDER_NUMBERS(self) -> int:
        """Most order numbers one ``orderNumber`` list may hold."""
        return self._whole_number("MAX_ORDER_NUMBERS", 1)

    @property
    def LOCKOUT_CACHE(self) -> str:
        """Alias, in Django's ``CACHES``, of the cache that counts failed sign-ins."""
        value = self.get("LOCKOUT_CACHE")
        if not isinstance(value, str) or value not in settings.CACHES:
            raise invalid(
                "LOCKOUT_CACHE", value, f"an alias in CACHES: {', '.join(map(repr, sorted(settings.CACHES)))}"
            )
        return value

    @property
    def LOCKOUT_FAILURES(self) -> int:
        """Failed sign-ins of one user name from one address before that pair is locked out."""
        return self._whole_number("LOCKOUT_FAILURES", 1)

    @property
    def LOCKOUT_IP_FAILURES(self) -> int:
        """Failed sign-ins from one address, whatever the user name, before it is locked out."""
        return self._whole_number("LOCKOUT_IP_FAILURES", 1)

    @property
    def LOCKOUT_SECONDS(self) -> int:
        """How long failures are counted, and how long a lockout lasts."""
        return self._whole_number("LOCKOUT_SECONDS", 1)

    @property
    def TRUSTED_PROXIES(self) -> tuple[IPNetwork, ...]:
        """The trusted proxies as networks (a single address is a /32 or /128)."""
        value = self.get("TRUSTED_PROXIES")
        if isinstance(value, str) or not isinstance(value, (list, tuple)):
            raise invalid("TRUSTED_PROXIES", value, "a list of IP addresses or networks, such as ['10.0.0.0/8']")
        return parse_networks(tuple(str(entry) for entry in value))

    @property
    def ALLOW_HTTP(self) -> bool:
        """Serve Connex over plain HTTP with DEBUG off (never in production)."""
        value = self.get("ALLOW_HTTP")
        if not isinstance(value, bool):
            raise invalid("ALLOW_HTTP", value, "True or False")
        return value

    @property
    def SYNC_LOG(self) -> bool:
        """Record each request to the Connex URLs in the sync log."""
        value = self.get("SYNC_LOG")
        if not isinstance(value, bool):
            raise invalid("SYNC_LOG", value, "True or False")
        return value

    @property
    def SYNC_LOG_DAYS(self) -> int:
        """Days of sync log ``connex_prune_log`` keeps."""
        return self._whole_number("SYNC_LOG_DAYS", 1)

    @property
    def MAX_BODY_BYTES(self) -> int:
        """Largest request body connex_bridge reads, in bytes; a larger one is a 413."""
        return self._whole_number("MAX_BODY_BYTES", 1)

    # --- the catalogue side: inventory and purchaseorders ---

    def _adapter_path(self, key: str, base: str) -> str | None:
        value = self.get(key)
        if value is not None and (not isinstance(value, str) or not value):
            raise invalid(key, value, f"the dotted path of a {base} subclass, as a string, or None")
        return value

    @property
    def STOCK_ADAPTER(self) -> str | None:
        """Dotted path of the stock adapter (:func:`connex_bridge.stock.get_stock_adapter`); None: no stock taken."""
        return self._adapter_path("STOCK_ADAPTER", "StockAdapter")

    @property
    def INVENTORY_SETS_PRICES(self) -> bool:
        """Whether ``inventory`` also sets each product's price from the ``Amount`` QuickBooks sends."""
        value = self.get("INVENTORY_SETS_PRICES")
        if not isinstance(value, bool):
            raise invalid("INVENTORY_SETS_PRICES", value, "True or False")
        return value

    @property
    def PURCHASES_ADAPTER(self) -> str | None:
        """Dotted path of the purchases adapter (:func:`connex_bridge.purchases.get_purchases_adapter`);
        None: the shop has no purchase orders."""
        return self._adapter_path("PURCHASES_ADAPTER", "PurchasesAdapter")

    @property
    def ORDER_STATUS_MAP(self) -> dict[str, str]:
        """Connex / QuickBooks status names, case-folded and stripped, to the shop's own (stripped)."""
        value = self.get("ORDER_STATUS_MAP")
        expected = "a dict of Connex status names to the shop's, such as {'Shipped': 'dispatched'}"
        if not isinstance(value, Mapping) or not all(
            isinstance(key, str) and key.strip() and isinstance(status, str) and status.strip()
            for key, status in value.items()
        ):
            raise invalid("ORDER_STATUS_MAP", value, expected)
        folded: dict[str, str] = {}
        for key, status in value.items():
            name = key.strip().casefold()
            if name in folded:
                raise invalid("ORDER_STATUS_MAP", value, f"{expected}, each name once in any letter case")
            folded[name] = status.strip()
        return folded

    @property
    def COMPLETED_STATUS(self) -> str | None:
        """The shop's status for an empty ``OrderStatus``; ``None``: the order source's ``completed_status``."""
        value = self.get("COMPLETED_STATUS")
        if value is None:
            return None
        if not isinstance(value, str) or not value.strip():
            raise invalid("COMPLETED_STATUS", value, "a status name of the shop, or None for the order source's")
        return value.strip()


def _is_known_zone(name: str) -> bool:
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return False
    return True


@functools.lru_cache(maxsize=16)
def parse_networks(entries: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    """``["10.0.0.0/8", "192.0.2.7"]`` as networks; ImproperlyConfigured names a bad entry."""
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"{SETTING_NAME}['TRUSTED_PROXIES'] has {entry!r}, which is neither an IP address nor a network; "
                "expected a list of IP addresses or networks, such as ['10.0.0.0/8']."
            ) from None
    return tuple(networks)


app_settings = ConnexBridgeSettings()
