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
}

DATE_FORMATS = ("local", "utc", "microsoft")


class ConnexBridgeSettings:
    """Typed access to ``settings.CONNEX_BRIDGE`` merged over :data:`DEFAULTS`."""

    @property
    def user_settings(self) -> Mapping[str, Any]:
        value = getattr(settings, SETTING_NAME, None) or {}
        if not isinstance(value, Mapping):
            raise ImproperlyConfigured(f"{SETTING_NAME} must be a dict, not {type(value).__name__}.")
        unknown = sorted(set(value) - set(DEFAULTS))
        if unknown:
            raise ImproperlyConfigured(
                f"{SETTING_NAME} has unknown key(s) {', '.join(map(repr, unknown))}; "
                f"known keys are {', '.join(sorted(DEFAULTS))}."
            )
        return value

    def get(self, name: str) -> Any:
        return self.user_settings.get(name, DEFAULTS[name])

    @property
    def ORDER_SOURCE(self) -> str:
        return str(self.get("ORDER_SOURCE"))

    @property
    def DATE_FORMAT(self) -> str:
        value = self.get("DATE_FORMAT")
        if value not in DATE_FORMATS:
            raise ImproperlyConfigured(
                f"{SETTING_NAME}['DATE_FORMAT'] is {value!r}; expected one of {', '.join(DATE_FORMATS)}."
            )
        return str(value)

    @property
    def TIME_ZONE(self) -> str:
        return str(self.get("TIME_ZONE") or settings.TIME_ZONE)

    @property
    def CANCELLED_STATUSES(self) -> list[str]:
        return [str(s).strip() for s in self.get("CANCELLED_STATUSES")]

    @property
    def MIN_SECRET_LENGTH(self) -> int:
        return int(self.get("MIN_SECRET_LENGTH"))

    @property
    def LAST_USED_RESOLUTION(self) -> int:
        return int(self.get("LAST_USED_RESOLUTION"))

    @property
    def MAX_ORDER_NUMBERS(self) -> int:
        return int(self.get("MAX_ORDER_NUMBERS"))

    @property
    def LOCKOUT_CACHE(self) -> str:
        return str(self.get("LOCKOUT_CACHE"))

    @property
    def LOCKOUT_FAILURES(self) -> int:
        return int(self.get("LOCKOUT_FAILURES"))

    @property
    def LOCKOUT_IP_FAILURES(self) -> int:
        return int(self.get("LOCKOUT_IP_FAILURES"))

    @property
    def LOCKOUT_SECONDS(self) -> int:
        return int(self.get("LOCKOUT_SECONDS"))

    @property
    def TRUSTED_PROXIES(self) -> tuple[IPNetwork, ...]:
        """The trusted proxies as networks (a single address is a /32 or /128)."""
        value = self.get("TRUSTED_PROXIES")
        if isinstance(value, str) or not isinstance(value, (list, tuple)):
            raise ImproperlyConfigured(
                f"{SETTING_NAME}['TRUSTED_PROXIES'] must be a list of IP addresses or networks, not {value!r}."
            )
        return parse_networks(tuple(str(entry) for entry in value))

    @property
    def ALLOW_HTTP(self) -> bool:
        return bool(self.get("ALLOW_HTTP"))


@functools.lru_cache(maxsize=16)
def parse_networks(entries: tuple[str, ...]) -> tuple[IPNetwork, ...]:
    """``["10.0.0.0/8", "192.0.2.7"]`` as networks; ImproperlyConfigured names a bad entry."""
    networks = []
    for entry in entries:
        try:
            networks.append(ipaddress.ip_network(entry.strip(), strict=False))
        except ValueError:
            raise ImproperlyConfigured(
                f"{SETTING_NAME}['TRUSTED_PROXIES'] has {entry!r}, which is neither an IP address nor a network "
                "such as '10.0.0.0/8'."
            ) from None
    return tuple(networks)


app_settings = ConnexBridgeSettings()
