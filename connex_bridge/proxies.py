"""The address a request came from, seen through the host's trusted reverse proxies.

Without ``CONNEX_BRIDGE["TRUSTED_PROXIES"]`` the client is ``REMOTE_ADDR`` and
``X-Forwarded-For`` is ignored: any client can write that header, so trusting
it would let an attacker pick a fresh address for every guess. With trusted
proxies, the header is read from the right (each proxy appends the address it
saw) and the first address that is not a trusted proxy is the client. Entries
to the left of it were written by the client and are never believed.
"""

from __future__ import annotations

import ipaddress
from typing import TypeAlias

from django.http import HttpRequest

from connex_bridge.conf import IPNetwork, app_settings

IPAddress: TypeAlias = ipaddress.IPv4Address | ipaddress.IPv6Address


def parse_address(value: str) -> IPAddress | None:
    """An address from ``REMOTE_ADDR`` or one ``X-Forwarded-For`` entry; None when it is not one.

    Accepts a port (``192.0.2.1:443``, ``[2001:db8::1]:443``). An IPv4-mapped
    IPv6 address (``::ffff:192.0.2.1``) is the IPv4 address, so one client has
    one address whether the server listens on IPv4 or IPv6.
    """
    value = value.strip()
    if value.startswith("["):
        value = value[1:].partition("]")[0]
    elif value.count(":") == 1:
        value = value.partition(":")[0]
    try:
        address = ipaddress.ip_address(value)
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address


def _trusted(address: IPAddress, proxies: tuple[IPNetwork, ...]) -> bool:
    return any(address in network for network in proxies)


def client_address(request: HttpRequest) -> str:
    """The client's address as text, for counting failed sign-ins (never empty)."""
    remote_addr = str(request.META.get("REMOTE_ADDR") or "")
    remote = parse_address(remote_addr)
    if remote is None:
        return remote_addr or "unknown"
    proxies = app_settings.TRUSTED_PROXIES
    if not _trusted(remote, proxies):
        return str(remote)
    client = remote
    forwarded = str(request.META.get("HTTP_X_FORWARDED_FOR") or "")
    for entry in reversed(forwarded.split(",") if forwarded.strip() else []):
        address = parse_address(entry)
        if address is None:
            # A trusted proxy passed on something that is not an address: keep
            # the last address a trusted hop vouched for.
            break
        client = address
        if not _trusted(address, proxies):
            break
    return str(client)
