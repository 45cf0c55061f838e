"""System checks: configuration errors are reported at start-up, not at the first poll.

Every check reads the settings through :mod:`connex_bridge.conf` (and the order source through
:func:`connex_bridge.sources.import_order_source`) and reports what they raise: one validator, so
a value the check passes is a value the app accepts. One id per misconfiguration, each documented
in docs/checks.md; every check carries the tag :data:`TAG` (``manage.py check --tag connex_bridge``).
"""

from __future__ import annotations

import re
from typing import Any

from django.conf import settings
from django.core.cache import InvalidCacheBackendError, caches
from django.core.cache.backends.dummy import DummyCache
from django.core.cache.backends.locmem import LocMemCache
from django.core.checks import CheckMessage, Error, Tags, Warning, register
from django.core.exceptions import ImproperlyConfigured

from connex_bridge.adapters import import_adapter
from connex_bridge.conf import DEFAULTS, SETTING_NAME, app_settings
from connex_bridge.lockout import probe_lockout_cache
from connex_bridge.purchases import PurchasesAdapter
from connex_bridge.sources import import_order_source
from connex_bridge.stock import StockAdapter
from connex_bridge.transport import exempt_regex, routed_paths

#: The tag of every connex_bridge check: ``manage.py check --tag connex_bridge`` runs them alone.
TAG = "connex_bridge"

#: ``CONNEX_BRIDGE`` key → the id a wrong value of it is reported under, and a hint (or None).
#: ORDER_SOURCE is :func:`check_order_source`'s (connex_bridge.E002).
SETTING_CHECKS: dict[str, tuple[str, str | None]] = {
    "DATE_FORMAT": ("connex_bridge.E003", None),
    "TIME_ZONE": ("connex_bridge.E004", None),
    "CANCELLED_STATUSES": ("connex_bridge.E005", "Name the shop's cancelled and refunded statuses."),
    "MIN_SECRET_LENGTH": ("connex_bridge.E006", f"The default is {DEFAULTS['MIN_SECRET_LENGTH']}."),
    "LOCKOUT_CACHE": ("connex_bridge.E007", "Name a cache every process shares, ideally Redis or Memcached."),
    "LOCKOUT_FAILURES": ("connex_bridge.E008", f"The default is {DEFAULTS['LOCKOUT_FAILURES']}."),
    "TRUSTED_PROXIES": ("connex_bridge.E009", "List the addresses or networks of your own reverse proxies."),
    "ALLOW_HTTP": ("connex_bridge.E010", None),
    "LAST_USED_RESOLUTION": ("connex_bridge.E013", f"The default is {DEFAULTS['LAST_USED_RESOLUTION']}."),
    "MAX_ORDER_NUMBERS": ("connex_bridge.E014", f"The default is {DEFAULTS['MAX_ORDER_NUMBERS']}."),
    "LOCKOUT_IP_FAILURES": ("connex_bridge.E015", f"The default is {DEFAULTS['LOCKOUT_IP_FAILURES']}."),
    "LOCKOUT_SECONDS": ("connex_bridge.E016", f"The default is {DEFAULTS['LOCKOUT_SECONDS']}."),
    "MAX_BODY_BYTES": ("connex_bridge.E025", f"The default is {DEFAULTS['MAX_BODY_BYTES']} (10 MiB)."),
    "SYNC_LOG": ("connex_bridge.E040", None),
    "SYNC_LOG_DAYS": ("connex_bridge.E041", f"The default is {DEFAULTS['SYNC_LOG_DAYS']}."),
    # the catalogue side (check_catalogue_adapters imports the two adapters under the same ids)
    "STOCK_ADAPTER": ("connex_bridge.E030", "Name a subclass of connex_bridge.stock.StockAdapter, or None."),
    "INVENTORY_SETS_PRICES": ("connex_bridge.E031", None),
    "PURCHASES_ADAPTER": (
        "connex_bridge.E032",
        "Name a PurchasesAdapter subclass (connex_bridge.purchases), or None.",
    ),
    # changeorderstatus and createorders
    "ORDER_STATUS_MAP": ("connex_bridge.E033", "Map each Connex status name to one of the shop's, once."),
    "COMPLETED_STATUS": ("connex_bridge.E034", "Name the shop's completed status, or leave it None."),
}


@register(TAG)
def check_settings(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """connex_bridge.E001, E017 and the id of each key in :data:`SETTING_CHECKS`."""
    errors = _report("user_settings", "connex_bridge.E001", "For example CONNEX_BRIDGE = {}.") or _report(
        "known_settings", "connex_bridge.E017", "Check the spelling against README.md's settings table."
    )
    if errors:
        return errors  # every key would be read through the same error: fix the dict first
    for key, (check_id, hint) in SETTING_CHECKS.items():
        errors += _report(key, check_id, hint)
    return errors


def _report(name: str, check_id: str, hint: str | None) -> list[CheckMessage]:
    """[] when ``app_settings.<name>`` reads; else what it raises, as the Error ``check_id``."""
    try:
        getattr(app_settings, name)
    except ImproperlyConfigured as exc:
        return [Error(str(exc), hint=hint, id=check_id)]
    return []


@register(TAG, Tags.models)
def check_order_source(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """connex_bridge.E002, then the source's own checks (:meth:`~connex_bridge.sources.OrderSource.check`)."""
    if _setting("known_settings") is None:
        return []  # E001 / E017
    try:
        source_class = import_order_source(app_settings.ORDER_SOURCE)
    except ImproperlyConfigured as exc:
        return [
            Error(
                str(exc),
                hint="Name a subclass of connex_bridge.sources.OrderSource by its dotted path.",
                id="connex_bridge.E002",
            )
        ]
    return source_class().check()


@register(TAG)
def check_catalogue_adapters(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """connex_bridge.E030 / E032: ``STOCK_ADAPTER`` / ``PURCHASES_ADAPTER`` cannot be imported or are of
    the wrong class (a value that is not a string or None is :func:`check_settings`' report)."""
    errors: list[CheckMessage] = []
    for key, base in (("STOCK_ADAPTER", StockAdapter), ("PURCHASES_ADAPTER", PurchasesAdapter)):
        path = _setting(key)
        if path is None:
            continue
        try:
            import_adapter(key, path, base)
        except ImproperlyConfigured as exc:
            check_id, hint = SETTING_CHECKS[key]
            errors.append(Error(str(exc), hint=hint, id=check_id))
    return errors


def _setting(key: str) -> Any:
    """``app_settings.<key>``, or None when it is wrong (:func:`check_settings` reports that)."""
    try:
        return getattr(app_settings, key)
    except ImproperlyConfigured:
        return None


def connex_paths() -> list[str]:
    """Paths Connex asks for (without the leading slash), in the spellings it uses; [] when not routed."""
    paths = routed_paths()
    if not paths:
        return []
    variants = []
    for name, path in paths.items():
        prefix = path[: -len(name)]  # as the middleware sees it: decoded, no leading slash
        variants += [path, f"{prefix}{name.upper()}/"]
        if prefix:  # a base URL typed with a trailing slash
            variants.append(f"{prefix}/{name}")
    return variants


@register(TAG, Tags.caches)
def check_lockout_cache(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """connex_bridge.E028 and E029: the cache that counts failed sign-ins cannot be used.

    One read, in a thread given :data:`connex_bridge.lockout.PROBE_SECONDS`, so that a cache
    server that never answers delays ``manage.py check`` by that and no more.
    """
    if _setting("LOCKOUT_CACHE") is None:
        return []  # E001, E017 or E007
    problem = probe_lockout_cache()
    if problem is None:
        return []
    return [
        Error(
            f"Failed Connex sign-ins cannot be counted, so they are not limited: {problem.what}.",
            hint=problem.fix,
            id="connex_bridge.E029" if problem.loads else "connex_bridge.E028",
        )
    ]


def _plain_http_warnings() -> list[CheckMessage]:
    """connex_bridge.W001 when plain HTTP would be accepted: DEBUG on, or ALLOW_HTTP."""
    if settings.DEBUG:
        return [
            Warning(
                "DEBUG is on, so connex_bridge accepts Connex over plain HTTP: Connex's password may cross the "
                "network in clear.",
                hint="Turn DEBUG off in production and serve the shop over HTTPS.",
                id="connex_bridge.W001",
            )
        ]
    if _setting("ALLOW_HTTP") is True:
        return [
            Warning(
                f"{SETTING_NAME}['ALLOW_HTTP'] is on with DEBUG off: Connex's password may cross the network in clear.",
                hint="Serve the shop over HTTPS and remove ALLOW_HTTP (behind a TLS proxy, set "
                "SECURE_PROXY_SSL_HEADER instead).",
                id="connex_bridge.W001",
            )
        ]
    return []


def _per_process_cache_warnings() -> list[CheckMessage]:
    """connex_bridge.W002 when the lockout cache is a local-memory or dummy cache."""
    alias = _setting("LOCKOUT_CACHE")
    if alias is None:
        return []  # E001, E017 or E007
    try:
        cache = caches[alias]
    except (InvalidCacheBackendError, ImportError):
        return []  # E028
    if not isinstance(cache, (LocMemCache, DummyCache)):
        return []
    kind = (
        "a dummy cache, which counts nothing"
        if isinstance(cache, DummyCache)
        else (
            "a local-memory cache, which each process keeps apart (every worker and server would allow "
            "the full number of failed sign-ins)"
        )
    )
    return [
        Warning(
            f"Failed Connex sign-ins are counted in the cache {alias!r}, {kind}.",
            hint="Point CONNEX_BRIDGE['LOCKOUT_CACHE'] at a cache every process shares, such as "
            "django.core.cache.backends.redis.RedisCache (with the redis package: pip install redis).",
            id="connex_bridge.W002",
        )
    ]


@register(TAG, Tags.security, deploy=True)
def check_deployment_with_debug_on(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """``check --deploy`` only: connex_bridge.W001 and W002 while DEBUG is on.

    With DEBUG off :func:`check_deployment` reports them on every ``check``; with DEBUG on (the
    ``startproject`` default) they would be noise in development, but ``check --deploy`` asks
    what production would be like, so there they are reported whatever DEBUG says.
    """
    if not settings.DEBUG:
        return []  # check_deployment's
    return _plain_http_warnings() + _per_process_cache_warnings()


@register(TAG, Tags.security)
def check_deployment(app_configs: Any = None, **kwargs: Any) -> list[CheckMessage]:
    """connex_bridge.W001–W004: settings that would expose Connex's password or break the sync.

    Not ``deploy=True``: each already stays silent in development (W001 and W002 need DEBUG off,
    W003 a redirect to HTTPS, W004 a proxy list trusting everyone), and a shop that never runs
    ``check --deploy`` must still hear of them. ``check --deploy`` adds W001 and W002 with DEBUG
    on (:func:`check_deployment_with_debug_on`).
    """
    warnings: list[CheckMessage] = []
    if not settings.DEBUG:
        warnings += _plain_http_warnings() + _per_process_cache_warnings()
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
    networks = _setting("TRUSTED_PROXIES") or ()
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
