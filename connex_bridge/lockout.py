"""Limits on failed Connex sign-ins, counted in Django's cache.

Two counters, each over ``LOCKOUT_SECONDS``:

* failures for one user name from one client address (``LOCKOUT_FAILURES``);
* failures from one client address, whatever the user name (``LOCKOUT_IP_FAILURES``).

Reaching either limit refuses that pair (or that address) for ``LOCKOUT_SECONDS``,
even with the right password, so guessing cannot go on. There is deliberately
no limit per user name alone: an attacker guessing from one address must not
be able to lock out the merchant's Connex, which signs in from another.

The counters live in the cache named by ``LOCKOUT_CACHE`` so that every worker
process and every server shares them (a per-process cache would multiply the
limits by the number of processes; system check ``connex_bridge.W002`` says so).
Cache keys are HMACs of the user name and address under the ``SECRET_KEY``;
values are counts and times. Nothing the client sent is stored in clear, and
the password never reaches this module.

So that the admin can say whether a credential is locked out, and clear it, the cache also keeps
a record per credential (:func:`lock_states`, :func:`clear_lockout`): when a failure that named a
known credential locks its pair or its address, the key of that lock and until when. The cache
cannot be listed, so this record is how the locks of a credential are found again; it holds key
digests and times, never an address. Recording changes nothing of what is locked.

When the cache itself fails, sign-ins go on unlimited and the error is logged:
an outage of the cache must not stop the merchant's orders from syncing, and
the secrets (192 random bits, or at least ``MIN_SECRET_LENGTH`` characters)
do not rest on the lockout alone. The log gets one line saying what failed and
how to fix it (:func:`diagnose`), once per process and then at most once an
hour while the failure lasts, not a traceback per sign-in; system checks
``connex_bridge.E028`` and ``E029`` report the same at start-up
(:func:`probe_lockout_cache`).
"""

from __future__ import annotations

import logging
import math
import threading
import time
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.core.cache import BaseCache, InvalidCacheBackendError, caches
from django.core.exceptions import ImproperlyConfigured
from django.db import connections
from django.utils.crypto import salted_hmac
from rest_framework import exceptions

from connex_bridge.conf import SETTING_NAME, app_settings

logger = logging.getLogger("connex_bridge.lockout")

_KEY_SALT = "connex_bridge.lockout"


def _duration(seconds: int) -> str:
    if seconds < 90:
        return f"{seconds} more second{'s' if seconds != 1 else ''}"
    minutes = math.ceil(seconds / 60)
    return f"{minutes} more minutes"


class LockedOut(exceptions.APIException):
    """429 with ``Retry-After``: too many failed sign-ins from this address."""

    status_code = 429
    default_code = "locked_out"

    def __init__(self, wait: int) -> None:
        self.wait = wait
        super().__init__(
            "Too many failed sign-ins came from this address, so the shop refuses them for "
            f"{_duration(wait)}. Check that the user name and password in Connex match the shop's Connex "
            "credential exactly (if unsure, rotate its secret in the shop and type the new one), then wait "
            "that long and sync again."
        )


class SignInAttempt:
    """One Basic sign-in by ``username`` from ``address``: refuse it while locked, count it if it fails."""

    def __init__(self, username: str, address: str) -> None:
        # casefold(): MariaDB's default collation matches user names in any
        # case, so case variants must not get counters of their own.
        self.address = address
        pair = self._key("pair", f"{username.casefold()}\n{address}")
        ip = self._key("address", address)
        self.pair_key, self.address_key = pair, ip
        self.pair_failures, self.pair_lock = f"{pair}:failures", f"{pair}:locked"
        self.address_failures, self.address_lock = f"{ip}:failures", f"{ip}:locked"
        self._pair_has_failures = False

    @staticmethod
    def _key(kind: str, value: str) -> str:
        digest = salted_hmac(_KEY_SALT, value, algorithm="sha256").hexdigest()
        return f"connex_bridge:lockout:{kind}:{digest}"

    @property
    def cache(self) -> BaseCache:
        return caches[app_settings.LOCKOUT_CACHE]

    def refuse_if_locked(self) -> None:
        """Raise :class:`LockedOut` while this pair or this address is locked out."""
        try:
            found = self.cache.get_many([self.pair_lock, self.address_lock, self.pair_failures])
        except Exception as exc:
            cache_failures.report(exc)
            return
        cache_failures.recovered()
        self._pair_has_failures = bool(found.get(self.pair_failures))
        until = [float(found[key]) for key in (self.pair_lock, self.address_lock) if found.get(key)]
        if until:
            wait = math.ceil(max(until) - time.time())
            raise LockedOut(min(max(wait, 1), app_settings.LOCKOUT_SECONDS))

    def failed(self, known_username: str | None = None) -> None:
        """Count a failed sign-in; lock the pair or the address when a limit is reached.

        ``known_username`` is logged with a lockout only when it names a credential,
        so a password typed into the user name field never reaches the logs.
        """
        seconds = app_settings.LOCKOUT_SECONDS
        limits = [
            (self.pair_failures, self.pair_lock, app_settings.LOCKOUT_FAILURES, "this user name from"),
            (self.address_failures, self.address_lock, app_settings.LOCKOUT_IP_FAILURES, "any user name from"),
        ]
        try:
            for failures_key, lock_key, limit, scope in limits:
                count = self._count(failures_key, seconds)
                if count >= limit:
                    until = time.time() + seconds
                    self.cache.set(lock_key, until, seconds)
                    if known_username:
                        _remember_lock(self.cache, known_username, lock_key.rpartition(":")[0], until, seconds)
                    logger.warning(
                        "Connex sign-ins for %s %s are refused for %d seconds after %d failed attempts%s.",
                        scope,
                        self.address,
                        seconds,
                        count,
                        f" (credential {known_username!r})" if known_username and "user name" in scope else "",
                    )
        except Exception as exc:
            cache_failures.report(exc)

    def succeeded(self) -> None:
        """Forget this pair's earlier failures (the address's count stays)."""
        if not self._pair_has_failures:
            return
        try:
            self.cache.delete(self.pair_failures)
        except Exception as exc:
            cache_failures.report(exc)

    def _count(self, key: str, seconds: int) -> int:
        cache = self.cache
        # add() starts the window (it never resets a running count); incr() is
        # atomic on Redis and Memcached, so concurrent workers lose no failure.
        cache.add(key, 0, seconds)
        try:
            value: Any = cache.incr(key)
        except ValueError:  # the window ended between add() and incr()
            cache.add(key, 1, seconds)
            return 1
        return int(value)


# --- what the admin shows and clears ------------------------------------------------------------

#: At most this many locks are remembered per credential (the latest ones): guesses from many
#: addresses must not grow the record without end.
REMEMBERED_LOCKS = 20


def _record_key(username: str) -> str:
    return SignInAttempt._key("credential", username.casefold())


def _remember_lock(cache: BaseCache, username: str, key: str, until: float, seconds: int) -> None:
    """Add lock ``key`` (a pair's or an address's, without ``:locked``) to the record of ``username``.

    Read, then written: two locks set at the same instant may keep only one, which costs the admin
    the sight of that lock (it still ends on time), never a sign-in.
    """
    record_key = _record_key(username)
    now = time.time()
    record = {k: v for k, v in dict(cache.get(record_key) or {}).items() if float(v) > now}
    record[key] = until
    latest = sorted(record.items(), key=lambda item: float(item[1]))[-REMEMBERED_LOCKS:]
    cache.set(record_key, dict(latest), seconds)


@dataclass(frozen=True)
class LockState:
    """Whether sign-ins of one credential are refused now, as far as its record and last address tell."""

    #: How many locks (of a (user name, address) pair or of an address) refuse it now.
    locks: int = 0
    #: When the last of them ends (seconds since the epoch), or None when none refuses it.
    until: float | None = None

    @property
    def locked(self) -> bool:
        return self.locks > 0


def _keys_of(username: str, record: dict[str, float], last_address: str | None) -> list[str]:
    """The lock keys (without ``:locked`` / ``:failures``) that may refuse ``username``."""
    keys = list(record)
    if last_address:
        attempt = SignInAttempt(username, last_address)
        keys += [attempt.pair_key, attempt.address_key]
    return list(dict.fromkeys(keys))


def lock_states(credentials: list[tuple[str, str | None]]) -> list[LockState] | None:
    """For each ``(user name, address it last signed in from or None)``, its :class:`LockState`.

    Two reads of the lockout cache whatever the number of credentials. None when the cache
    fails: then nobody can say (and sign-ins go on unlimited, see the module's docstring).
    """
    try:
        cache = caches[app_settings.LOCKOUT_CACHE]
        records = cache.get_many([_record_key(name) for name, _address in credentials]) if credentials else {}
        keys = [_keys_of(name, dict(records.get(_record_key(name)) or {}), address) for name, address in credentials]
        wanted = [f"{key}:locked" for found in keys for key in found]
        locks = cache.get_many(wanted) if wanted else {}
    except Exception as exc:
        cache_failures.report(exc)
        return None
    now = time.time()
    states = []
    for found in keys:
        ends = [float(locks[f"{key}:locked"]) for key in found if locks.get(f"{key}:locked")]
        ends = [end for end in ends if end > now]
        states.append(LockState(len(ends), max(ends)) if ends else LockState())
    return states


def clear_lockout(username: str, last_address: str | None) -> int:
    """Delete the locks and failure counts that may refuse ``username``; how many locks there were.

    The locks its record names, and those of the pair and the address of ``last_address`` (where
    Connex last signed in from). Raises what the cache raises.
    """
    cache = caches[app_settings.LOCKOUT_CACHE]
    record_key = _record_key(username)
    keys = _keys_of(username, dict(cache.get(record_key) or {}), last_address)
    now = time.time()
    found = cache.get_many([f"{key}:locked" for key in keys])
    cache.delete_many([record_key, *(f"{key}:{kind}" for key in keys for kind in ("locked", "failures"))])
    return sum(1 for value in found.values() if value and float(value) > now)


# --- when the lockout cache cannot be used -------------------------------------------------------

#: How long the start-up probe of the lockout cache waits for an answer (seconds): a cache server
#: that accepts connections but never answers must not hang ``manage.py check``.
PROBE_SECONDS = 2.0

#: How often one process logs a lockout cache failure that goes on (seconds).
REPORT_EVERY = 3600.0

_PROBE_KEY = "connex_bridge:lockout:probe"


@dataclass(frozen=True)
class CacheProblem:
    """Why the lockout cache ``alias`` cannot be used, and what fixes it (for the log and the checks)."""

    alias: str
    #: False when the cache's backend (or a package it needs) does not import; True when it loads
    #: but does not answer.
    loads: bool
    #: What failed, e.g. ``ModuleNotFoundError: No module named 'redis'``.
    cause: str
    #: One sentence naming the fix.
    fix: str

    @property
    def what(self) -> str:
        """``the lockout cache 'default' cannot be loaded (…)``."""
        how = "is not reachable" if self.loads else "cannot be loaded"
        return f"the lockout cache {self.alias!r} {how} ({self.cause})"


def _backend(alias: str) -> str:
    entry = settings.CACHES.get(alias)
    return str(entry.get("BACKEND", "")) if isinstance(entry, dict) else ""


def diagnose(alias: str, exc: BaseException) -> CacheProblem:
    """What ``exc``, raised by the cache ``alias``, means for the lockout, and the fix."""
    cause = f"{type(exc).__name__}: {exc}".rstrip(": ")
    backend = _backend(alias)
    missing = exc if isinstance(exc, ImportError) else exc.__cause__
    if isinstance(missing, ImportError) or isinstance(exc, InvalidCacheBackendError):
        module = (getattr(missing, "name", None) or "").partition(".")[0]
        if module == "redis":
            fix = (
                f"Install the redis package, which {backend or 'RedisCache'} needs: "
                'pip install redis (or the extra: pip install "django-connex-bridge[redis]").'
            )
        elif module:
            fix = (
                f"Install the package that provides the module {module!r}, which CACHES[{alias!r}] needs, "
                f"or correct its BACKEND ({backend!r})."
            )
        else:
            fix = f"Correct CACHES[{alias!r}]['BACKEND'] ({backend!r}): the dotted path of a cache backend."
        return CacheProblem(alias, loads=False, cause=cause, fix=fix)
    if backend == "django.core.cache.backends.db.DatabaseCache":
        fix = "Create its table with python manage.py createcachetable (or use Redis or Memcached)."
    else:
        fix = (
            f"Start the cache server, or correct CACHES[{alias!r}]['LOCATION'], or point "
            f"{SETTING_NAME}['LOCKOUT_CACHE'] at a cache that answers."
        )
    return CacheProblem(alias, loads=True, cause=cause, fix=fix)


def _close_this_threads_connections() -> None:
    """Close the connections a database cache opened in the probe's thread, which no one else will.

    Django ignores ``close()`` on an in-memory SQLite database (tests), lest the data go with it; this
    thread's connection is only one of the database's, so its own handle is closed all the same.
    """
    for connection in connections.all(initialized_only=True):
        connection.close()
        if connection.connection is not None:
            connection.connection.close()
            connection.connection = None


def probe_lockout_cache(timeout: float | None = None) -> CacheProblem | None:
    """None when the lockout cache answers a read within ``timeout`` seconds; else what is wrong.

    The read runs in a thread of its own, so a server that never answers costs ``timeout``
    (:data:`PROBE_SECONDS`) and no more; the thread is left to its fate. The thread has its own
    cache connection (Django keeps one per thread), so nothing of it is shared with the caller.
    """
    alias = app_settings.LOCKOUT_CACHE
    timeout = PROBE_SECONDS if timeout is None else timeout
    outcome: list[BaseException | None] = []

    def read() -> None:
        try:
            caches[alias].get(_PROBE_KEY)
        except Exception as exc:
            outcome.append(exc)
        else:
            outcome.append(None)
        finally:
            _close_this_threads_connections()

    thread = threading.Thread(target=read, name="connex_bridge lockout cache probe", daemon=True)
    thread.start()
    thread.join(timeout)
    if not outcome:
        return CacheProblem(
            alias,
            loads=True,
            cause=f"no answer within {timeout:g} seconds",
            fix=f"Check that the cache server named in CACHES[{alias!r}]['LOCATION'] is up and answers.",
        )
    exc = outcome[0]
    return None if exc is None else diagnose(alias, exc)


class CacheFailures:
    """Logs a failing lockout cache: one line with the fix, once per process, then at most hourly."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._logged: dict[str, tuple[str, float]] = {}  # alias → (cause, when it was logged)

    def report(self, exc: BaseException) -> None:
        """Log that sign-ins are not limited because the lockout cache raised ``exc``."""
        try:
            problem = diagnose(app_settings.LOCKOUT_CACHE, exc)
        except ImproperlyConfigured as wrong:  # the alias itself is wrong (connex_bridge.E007)
            problem = CacheProblem("?", loads=False, cause=str(wrong), fix="Correct the setting the message names.")
        now = time.monotonic()
        with self._lock:
            last = self._logged.get(problem.alias)
            if last is not None and last[0] == problem.cause and now - last[1] < REPORT_EVERY:
                logger.debug("The lockout cache failed again.", exc_info=exc)
                return
            self._logged[problem.alias] = (problem.cause, now)
        logger.error(
            "Connex sign-ins are not limited: %s. %s (Logged once an hour while it lasts.)",
            problem.what,
            problem.fix,
        )

    def recovered(self) -> None:
        """The lockout cache answered: say so once if it had been failing."""
        if not self._logged:  # the common case: no lock taken
            return
        with self._lock:
            was_failing = bool(self._logged)
            self._logged.clear()
        if was_failing:
            logger.warning(
                "The lockout cache %r answers again: Connex sign-ins are limited again.", app_settings.LOCKOUT_CACHE
            )


#: This process's record of lockout cache failures.
cache_failures = CacheFailures()
