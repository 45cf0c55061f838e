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

When the cache itself fails, sign-ins go on unlimited and the error is logged:
an outage of the cache must not stop the merchant's orders from syncing, and
the secrets (192 random bits, or at least ``MIN_SECRET_LENGTH`` characters)
do not rest on the lockout alone.
"""

from __future__ import annotations

import logging
import math
import time
from typing import Any

from django.core.cache import BaseCache, caches
from django.utils.crypto import salted_hmac
from rest_framework import exceptions

from connex_bridge.conf import app_settings

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
        except Exception:
            logger.exception("The lockout cache failed; this Connex sign-in is not limited.")
            return
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
                    self.cache.set(lock_key, time.time() + seconds, seconds)
                    logger.warning(
                        "Connex sign-ins for %s %s are refused for %d seconds after %d failed attempts%s.",
                        scope,
                        self.address,
                        seconds,
                        count,
                        f" (credential {known_username!r})" if known_username and "user name" in scope else "",
                    )
        except Exception:
            logger.exception("The lockout cache failed; this failed Connex sign-in was not counted.")

    def succeeded(self) -> None:
        """Forget this pair's earlier failures (the address's count stays)."""
        if not self._pair_has_failures:
            return
        try:
            self.cache.delete(self.pair_failures)
        except Exception:
            logger.exception("The lockout cache failed; could not clear the failures of a Connex sign-in.")

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
