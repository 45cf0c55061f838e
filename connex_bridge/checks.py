"""System checks: configuration errors are reported at start-up, not at the first poll.

Ids are documented in docs/checks.md.
"""

from __future__ import annotations

import re
import zoneinfo
from typing import Any

from django.conf import settings
from django.core.cache import InvalidCacheBackendError, caches
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.checks import CheckMessage, Error, Warning, register
from django.core.exceptions import ImproperlyConfigured

from connex_bridge.conf import DATE_FORMATS, DEFAULTS, SETTING_NAME, parse_networks
from connex_bridge.sources import import_order_source
from connex_bridge.transport import exempt_regex, routed_paths


@register()
def check_settings(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """connex_bridge.E001–E006, E011, E012: the ``CONNEX_BRIDGE`` dict and the order source it names."""
    value = getattr(settings, SETTING_NAME, None) or {}
    if not isinstance(value, dict):
        return [Error(f"{SETTING_NAME} must be a dict.", id="connex_bridge.E001")]
    errors: list[CheckMessage] = []
    unknown = sorted(set(value) - set(DEFAULTS))
    if unknown:
        errors.append(
            Error(
                f"{SETTING_NAME} has unknown key(s): {', '.join(unknown)}.",
                hint=f"Known keys: {', '.join(sorted(DEFAULTS))}.",
                id="connex_bridge.E001",
            )
        )
    path = value.get("ORDER_SOURCE", DEFAULTS["ORDER_SOURCE"])
    try:
        source_class = import_order_source(str(path))
    except ImproperlyConfigured as exc:
        errors.append(
            Error(str(exc), hint="Name a subclass of connex_bridge.sources.OrderSource.", id="connex_bridge.E002")
        )
    else:
        errors.extend(source_class().check())
    date_format = value.get("DATE_FORMAT", DEFAULTS["DATE_FORMAT"])
    if date_format not in DATE_FORMATS:
        errors.append(
            Error(
                f"{SETTING_NAME}['DATE_FORMAT'] is {date_format!r}.",
                hint=f"Use one of: {', '.join(DATE_FORMATS)}.",
                id="connex_bridge.E003",
            )
        )
    zone = value.get("TIME_ZONE")
    if zone is not None:
        try:
            zoneinfo.ZoneInfo(str(zone))
        except (zoneinfo.ZoneInfoNotFoundError, ValueError):
            errors.append(
                Error(
                    f"{SETTING_NAME}['TIME_ZONE'] is {zone!r}, which is not a known time zone.",
                    hint="Use an IANA name such as 'America/New_York', or None for Django's TIME_ZONE.",
                    id="connex_bridge.E004",
                )
            )
    statuses = value.get("CANCELLED_STATUSES", DEFAULTS["CANCELLED_STATUSES"])
    if isinstance(statuses, str) or not all(isinstance(s, str) for s in statuses):
        errors.append(
            Error(
                f"{SETTING_NAME}['CANCELLED_STATUSES'] must be a list of status names, not {statuses!r}.",
                hint="For example ['cancelled', 'refunded'].",
                id="connex_bridge.E005",
            )
        )
    for key in ("MIN_SECRET_LENGTH", "LAST_USED_RESOLUTION", "MAX_ORDER_NUMBERS"):
        number = value.get(key, DEFAULTS[key])
        if (
            not isinstance(number, int)
            or isinstance(number, bool)
            or number < (0 if key == "LAST_USED_RESOLUTION" else 1)
        ):
            errors.append(
                Error(
                    f"{SETTING_NAME}['{key}'] must be a positive whole number, not {number!r}.",
                    id="connex_bridge.E006",
                )
            )
    return errors


def _user_settings() -> dict[str, Any] | None:
    value = getattr(settings, SETTING_NAME, None) or {}
    return value if isinstance(value, dict) else None  # not a dict: E001 says so


def _positive_int(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 1


@register()
def check_lockout_settings(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """connex_bridge.E007–E010: the lockout, proxy and transport keys of ``CONNEX_BRIDGE``."""
    value = _user_settings()
    if value is None:
        return []
    errors: list[CheckMessage] = []
    alias = value.get("LOCKOUT_CACHE", DEFAULTS["LOCKOUT_CACHE"])
    if not isinstance(alias, str) or alias not in settings.CACHES:
        errors.append(
            Error(
                f"{SETTING_NAME}['LOCKOUT_CACHE'] is {alias!r}, which is not a cache alias in CACHES.",
                hint=f"Use one of: {', '.join(sorted(settings.CACHES))}; ideally a Redis or Memcached cache.",
                id="connex_bridge.E007",
            )
        )
    for key in ("LOCKOUT_FAILURES", "LOCKOUT_IP_FAILURES", "LOCKOUT_SECONDS"):
        number = value.get(key, DEFAULTS[key])
        if not _positive_int(number):
            errors.append(
                Error(
                    f"{SETTING_NAME}['{key}'] must be a positive whole number, not {number!r}.",
                    hint=f"The default is {DEFAULTS[key]}.",
                    id="connex_bridge.E008",
                )
            )
    proxies = value.get("TRUSTED_PROXIES", DEFAULTS["TRUSTED_PROXIES"])
    try:
        if isinstance(proxies, str) or not isinstance(proxies, (list, tuple)):
            raise ImproperlyConfigured(f"{SETTING_NAME}['TRUSTED_PROXIES'] must be a list, not {proxies!r}.")
        parse_networks(tuple(str(entry) for entry in proxies))
    except ImproperlyConfigured as exc:
        errors.append(
            Error(
                str(exc),
                hint="List the addresses or networks of your own reverse proxies, e.g. ['10.0.0.0/8'].",
                id="connex_bridge.E009",
            )
        )
    allow_http = value.get("ALLOW_HTTP", DEFAULTS["ALLOW_HTTP"])
    if not isinstance(allow_http, bool):
        errors.append(
            Error(
                f"{SETTING_NAME}['ALLOW_HTTP'] must be True or False, not {allow_http!r}.",
                id="connex_bridge.E010",
            )
        )
    return errors


def connex_paths() -> list[str]:
    """Paths Connex asks for (without the leading slash), in the spellings it uses; [] when not routed."""
    paths = routed_paths()
    if not paths:
        return []
    prefix = paths["orders"][: -len("orders")]  # as the middleware sees it: decoded, no leading slash
    variants = [*paths.values(), f"{prefix}AuthenticateToWebService", f"{prefix}Orders/"]
    if prefix:  # a base URL typed with a trailing slash
        variants.append(f"{prefix}/orders")
    return variants


@register()
def check_deployment(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """connex_bridge.W001–W004: settings that would expose Connex's password or break the sync."""
    value = _user_settings()
    if value is None:
        return []
    warnings: list[CheckMessage] = []
    if not settings.DEBUG and value.get("ALLOW_HTTP") is True:
        warnings.append(
            Warning(
                f"{SETTING_NAME}['ALLOW_HTTP'] is on with DEBUG off: Connex's password may cross the network in clear.",
                hint="Serve the shop over HTTPS and remove ALLOW_HTTP (behind a TLS proxy, set "
                "SECURE_PROXY_SSL_HEADER instead).",
                id="connex_bridge.W001",
            )
        )
    alias = value.get("LOCKOUT_CACHE", DEFAULTS["LOCKOUT_CACHE"])
    if not settings.DEBUG and isinstance(alias, str) and alias in settings.CACHES:
        try:
            cache = caches[alias]
        except InvalidCacheBackendError:
            cache = None  # Django's own checks report a broken CACHES entry
        if isinstance(cache, (LocMemCache, DummyCache)):
            kind = (
                "a dummy cache, which counts nothing"
                if isinstance(cache, DummyCache)
                else (
                    "a local-memory cache, which each process keeps apart (every worker and server would allow "
                    "the full number of failed sign-ins)"
                )
            )
            warnings.append(
                Warning(
                    f"Failed Connex sign-ins are counted in the cache {alias!r}, {kind}.",
                    hint="Point CONNEX_BRIDGE['LOCKOUT_CACHE'] at a cache every process shares, such as "
                    "django.core.cache.backends.redis.RedisCache.",
                    id="connex_bridge.W002",
                )
            )
    middleware = "django.middleware.security.SecurityMiddleware"
    if settings.SECURE_SSL_REDIRECT and middleware in settings.MIDDLEWARE:
        exempt = [re.compile(pattern) for pattern in settings.SECURE_REDIRECT_EXEMPT]
        paths = connex_paths()
        caught = [path for path in paths if not any(pattern.search(path) for pattern in exempt)]
        if caught:
            # connex_bridge's ready() adds this regex itself; W003 means that was undone (e.g. a
            # SECURE_REDIRECT_EXEMPT replaced after start-up).
            regex = exempt_regex()
            warnings.append(
                Warning(
                    f"SECURE_SSL_REDIRECT would answer Connex's requests to /{caught[0]} with a redirect, "
                    "which Connex does not follow: the sync fails instead of being told to use https://.",
                    hint=f'Add r"{regex}" to SECURE_REDIRECT_EXEMPT; connex_bridge refuses plain HTTP itself '
                    "with a message saying to use https://.",
                    id="connex_bridge.W003",
                )
            )
    proxies = value.get("TRUSTED_PROXIES", DEFAULTS["TRUSTED_PROXIES"])
    try:
        networks = parse_networks(tuple(str(entry) for entry in proxies)) if isinstance(proxies, (list, tuple)) else ()
    except ImproperlyConfigured:
        networks = ()  # E009
    if any(network.prefixlen == 0 for network in networks):
        warnings.append(
            Warning(
                f"{SETTING_NAME}['TRUSTED_PROXIES'] trusts every address, so any client can name its own "
                "address in X-Forwarded-For and escape the limits on failed sign-ins.",
                hint="List only the addresses or networks of your own reverse proxies.",
                id="connex_bridge.W004",
            )
        )
    return warnings
