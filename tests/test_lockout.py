"""Failed sign-ins are limited per (user name, client address) and per client address."""

from __future__ import annotations

import logging
import sys
import time

import pytest
from django.core.cache import caches

from connex_bridge import lockout
from connex_bridge.lockout import SignInAttempt
from connex_bridge.proxies import client_address
from connex_bridge.testing.client import HTTPSClient, basic
from connex_bridge.testing.factories import ConnexCredentialFactory
from tests.cache_servers import closed_port, redis_cache

PAIRING = "/connex/authenticatetowebservice"
ATTACKER = "203.0.113.5"
MERCHANT = "198.51.100.7"  # where the merchant's Connex polls from


@pytest.fixture
def limits(settings):
    # The sync log's own writes are tested in tests/test_synclog.py.
    settings.CONNEX_BRIDGE = {
        "LOCKOUT_FAILURES": 3,
        "LOCKOUT_IP_FAILURES": 5,
        "LOCKOUT_SECONDS": 600,
        "SYNC_LOG": False,
    }


@pytest.fixture
def client() -> HTTPSClient:
    return HTTPSClient()


def sign_in(client, username: str, password: str, address: str, **extra):
    return client.get(PAIRING, HTTP_AUTHORIZATION=basic(username, password), REMOTE_ADDR=address, **extra)


def test_after_the_limit_even_the_right_password_gets_429_with_retry_after_and_what_to_do(client, credential, limits):
    failures = [sign_in(client, "connex", f"guess-{n}", ATTACKER).status_code for n in range(3)]

    locked = sign_in(client, "connex", credential.secret, ATTACKER)

    assert failures == [401, 401, 401]
    assert locked.status_code == 429
    assert 595 <= int(locked["Retry-After"]) <= 600
    message = locked.json()  # a JSON string, like every other error
    assert isinstance(message, str)
    assert message.startswith("Too many failed sign-ins came from this address")
    assert "10 more minutes" in message
    assert "user name and password in Connex" in message
    assert "Location" not in locked


def test_a_locked_out_request_is_refused_before_the_database_is_asked(
    client, credential, limits, django_assert_num_queries
):
    for n in range(3):
        sign_in(client, "connex", f"guess-{n}", ATTACKER)

    with django_assert_num_queries(0):
        assert sign_in(client, "connex", credential.secret, ATTACKER).status_code == 429


def test_an_attacker_guessing_from_one_address_cannot_lock_out_the_merchant_at_another(client, credential, limits):
    for n in range(8):  # past both limits: the pair and the whole address are locked
        sign_in(client, "connex", f"guess-{n}", ATTACKER)
    assert sign_in(client, "connex", credential.secret, ATTACKER).status_code == 429

    response = sign_in(client, "connex", credential.secret, MERCHANT)

    assert response.status_code == 200
    assert response.json() == "OK"


def test_one_address_guessing_many_user_names_is_refused_after_the_address_limit(client, credential, limits):
    other = ConnexCredentialFactory(username="warehouse")
    statuses = [sign_in(client, f"user-{n}", "guess", ATTACKER).status_code for n in range(5)]

    assert statuses == [401] * 5
    assert sign_in(client, "user-99", "guess", ATTACKER).status_code == 429
    assert sign_in(client, other.username, other.secret, ATTACKER).status_code == 429
    assert sign_in(client, other.username, other.secret, MERCHANT).status_code == 200


def test_a_success_forgets_the_pairs_earlier_failures(client, credential, limits):
    for n in range(2):
        sign_in(client, "connex", f"typo-{n}", MERCHANT)
    assert sign_in(client, "connex", credential.secret, MERCHANT).status_code == 200

    # Two more typos: without the reset this would be the third and fourth failure.
    statuses = [sign_in(client, "connex", f"typo-again-{n}", MERCHANT).status_code for n in range(2)]

    assert statuses == [401, 401]
    assert sign_in(client, "connex", credential.secret, MERCHANT).status_code == 200


def test_the_lockout_ends_after_lockout_seconds(client, credential, settings):
    settings.CONNEX_BRIDGE = {"LOCKOUT_FAILURES": 2, "LOCKOUT_SECONDS": 1}
    for n in range(2):
        sign_in(client, "connex", f"guess-{n}", ATTACKER)
    locked = sign_in(client, "connex", credential.secret, ATTACKER)
    assert locked.status_code == 429
    assert locked["Retry-After"] == "1"
    assert "1 more second." in locked.json()

    time.sleep(1.2)

    assert sign_in(client, "connex", credential.secret, ATTACKER).status_code == 200


@pytest.mark.parametrize("header", [None, "Bearer abc", "Basic !!!"])
def test_requests_that_guess_nothing_do_not_count(client, credential, limits, header):
    extra = {} if header is None else {"HTTP_AUTHORIZATION": header}
    for _ in range(10):
        assert client.get(PAIRING, REMOTE_ADDR=ATTACKER, **extra).status_code == 401

    assert sign_in(client, "connex", credential.secret, ATTACKER).status_code == 200


def test_a_disabled_credential_counts_as_a_failure(client, db, limits):
    disabled = ConnexCredentialFactory(username="old", is_active=False)
    for _ in range(3):
        assert sign_in(client, "old", disabled.secret, ATTACKER).status_code == 401

    assert sign_in(client, "old", disabled.secret, ATTACKER).status_code == 429


def test_case_variants_of_a_user_name_share_one_count(client, credential, limits):
    # MariaDB's collation matches user names in any case: the counts must too.
    for username in ("CONNEX", "Connex", "connEX"):
        sign_in(client, username, "guess", ATTACKER)

    assert sign_in(client, "connex", credential.secret, ATTACKER).status_code == 429


def test_the_count_lives_in_the_cache_named_by_lockout_cache(client, credential, settings):
    settings.CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "default"},
        "lockout": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "lockout"},
    }
    settings.CONNEX_BRIDGE = {"LOCKOUT_CACHE": "lockout", "LOCKOUT_FAILURES": 2}
    for n in range(2):
        sign_in(client, "connex", f"guess-{n}", ATTACKER)

    caches["default"].clear()
    assert sign_in(client, "connex", credential.secret, ATTACKER).status_code == 429
    caches["lockout"].clear()
    assert sign_in(client, "connex", credential.secret, ATTACKER).status_code == 200


class BrokenCache:
    def __getattr__(self, name):
        def fail(*args, **kwargs):
            raise ConnectionError("cache server unreachable")

        return fail


def test_a_failing_cache_lets_connex_sign_in_and_logs_the_error(client, credential, limits, monkeypatch, caplog):
    monkeypatch.setattr(SignInAttempt, "cache", property(lambda self: BrokenCache()))

    with caplog.at_level(logging.ERROR, logger="connex_bridge.lockout"):
        good = sign_in(client, "connex", credential.secret, MERCHANT)
        bad = sign_in(client, "connex", "wrong", ATTACKER)

    assert good.status_code == 200
    assert bad.status_code == 401
    [record] = [r for r in caplog.records if r.name == "connex_bridge.lockout"]
    assert "Connex sign-ins are not limited" in record.getMessage()
    assert "cache server unreachable" in record.getMessage()


def lockout_log(caplog) -> list[logging.LogRecord]:
    return [record for record in caplog.records if record.name == "connex_bridge.lockout"]


def test_redis_cache_without_the_redis_package_logs_one_line_with_the_fix_not_a_traceback_per_sign_in(
    client, credential, settings, monkeypatch, caplog
):
    settings.CACHES = redis_cache()
    monkeypatch.setitem(sys.modules, "redis", None)  # `import redis` fails, as when it is not installed

    with caplog.at_level(logging.INFO, logger="connex_bridge.lockout"):
        answers = [sign_in(client, "connex", password, MERCHANT).status_code for password in (credential.secret, "x")]
        answers += [sign_in(client, "connex", credential.secret, MERCHANT).status_code for _ in range(3)]

    assert answers == [200, 401, 200, 200, 200]  # sign-ins go on, unlimited
    [record] = lockout_log(caplog)
    assert record.levelno == logging.ERROR
    assert record.exc_info is None
    assert record.getMessage() == (
        "Connex sign-ins are not limited: the lockout cache 'default' cannot be loaded (ModuleNotFoundError: import "
        "of redis halted; None in sys.modules). Install the redis package, which "
        "django.core.cache.backends.redis.RedisCache needs: pip install redis (or the extra: pip install "
        '"django-connex-bridge[redis]"). (Logged once an hour while it lasts.)'
    )


def test_an_unreachable_cache_server_is_logged_again_after_an_hour_and_its_recovery_once(
    client, credential, settings, monkeypatch, caplog
):
    settings.CACHES = redis_cache(f"redis://127.0.0.1:{closed_port()}")
    clock = [1000.0]
    monkeypatch.setattr(lockout.time, "monotonic", lambda: clock[0])

    with caplog.at_level(logging.INFO, logger="connex_bridge.lockout"):
        sign_in(client, "connex", credential.secret, MERCHANT)
        clock[0] += 3599
        sign_in(client, "connex", credential.secret, MERCHANT)
        assert len(lockout_log(caplog)) == 1
        clock[0] += 2
        sign_in(client, "connex", credential.secret, MERCHANT)
        assert len(lockout_log(caplog)) == 2
        settings.CACHES = redis_cache()  # the server is back
        sign_in(client, "connex", credential.secret, MERCHANT)
        sign_in(client, "connex", credential.secret, MERCHANT)

    failed, again, back = lockout_log(caplog)
    assert "'default' is not reachable (ConnectionError: " in failed.getMessage()
    assert "Start the cache server, or correct CACHES['default']['LOCATION']" in failed.getMessage()
    assert again.getMessage() == failed.getMessage()
    assert back.levelno == logging.WARNING
    assert back.getMessage() == "The lockout cache 'default' answers again: Connex sign-ins are limited again."


def test_a_lockout_is_logged_with_the_address_and_the_known_credential(client, credential, limits, caplog):
    with caplog.at_level(logging.WARNING, logger="connex_bridge.lockout"):
        for n in range(3):
            sign_in(client, "connex", f"guess-{n}", ATTACKER)

    [record] = [r for r in caplog.records if r.name == "connex_bridge.lockout"]
    assert ATTACKER in record.getMessage()
    assert "'connex'" in record.getMessage()


class TestTrustedProxies:
    """The client address behind the host's own proxies; a forged X-Forwarded-For changes nothing."""

    def test_without_trusted_proxies_x_forwarded_for_is_ignored(self, client, credential, limits):
        for n in range(3):  # a new "address" in the header on every guess
            sign_in(client, "connex", "guess", ATTACKER, HTTP_X_FORWARDED_FOR=f"192.0.2.{n}")

        assert sign_in(client, "connex", credential.secret, ATTACKER, HTTP_X_FORWARDED_FOR=MERCHANT).status_code == 429

    def test_behind_a_trusted_proxy_the_right_most_untrusted_address_is_the_client(self, client, credential, settings):
        settings.CONNEX_BRIDGE = {"LOCKOUT_FAILURES": 3, "TRUSTED_PROXIES": ["10.0.0.0/8"]}
        proxy = "10.0.0.2"
        for n in range(3):
            # The attacker forges the left part; the proxy appends the address it saw.
            forged = f"192.0.2.{n}, {ATTACKER}"
            assert sign_in(client, "connex", "guess", proxy, HTTP_X_FORWARDED_FOR=forged).status_code == 401

        attacker = sign_in(client, "connex", credential.secret, proxy, HTTP_X_FORWARDED_FOR=f"{MERCHANT}, {ATTACKER}")
        merchant = sign_in(client, "connex", credential.secret, proxy, HTTP_X_FORWARDED_FOR=MERCHANT)

        assert attacker.status_code == 429
        assert merchant.status_code == 200

    def test_a_client_that_is_not_a_trusted_proxy_cannot_name_another_address(self, client, credential, settings):
        settings.CONNEX_BRIDGE = {"LOCKOUT_FAILURES": 3, "TRUSTED_PROXIES": ["10.0.0.0/8"]}
        for n in range(3):
            sign_in(client, "connex", "guess", ATTACKER, HTTP_X_FORWARDED_FOR=f"10.0.0.{n}")

        assert sign_in(client, "connex", credential.secret, ATTACKER).status_code == 429


@pytest.mark.parametrize(
    ("remote_addr", "forwarded", "proxies", "expected"),
    [
        ("203.0.113.5", "", [], "203.0.113.5"),
        ("203.0.113.5", "198.51.100.7", [], "203.0.113.5"),
        ("::ffff:203.0.113.5", "", [], "203.0.113.5"),  # IPv4 on an IPv6 socket is the same client
        ("2001:db8::1", "", [], "2001:db8::1"),
        ("10.0.0.2", "198.51.100.7", ["10.0.0.0/8"], "198.51.100.7"),
        ("10.0.0.2", "192.0.2.1, 198.51.100.7, 10.0.0.9", ["10.0.0.0/8"], "198.51.100.7"),
        ("10.0.0.2", "198.51.100.7:51234", ["10.0.0.2"], "198.51.100.7"),
        ("10.0.0.2", "[2001:db8::7]:443", ["10.0.0.2"], "2001:db8::7"),
        ("10.0.0.2", "", ["10.0.0.0/8"], "10.0.0.2"),
        ("10.0.0.2", "10.0.0.3, 10.0.0.4", ["10.0.0.0/8"], "10.0.0.3"),
        ("10.0.0.2", "unknown, 10.0.0.4", ["10.0.0.0/8"], "10.0.0.4"),  # never a made-up "address"
        ("203.0.113.5", "10.0.0.4", ["10.0.0.0/8"], "203.0.113.5"),
        ("", "", [], "unknown"),
    ],
)
def test_client_address(settings, rf, remote_addr, forwarded, proxies, expected):
    settings.CONNEX_BRIDGE = {"TRUSTED_PROXIES": proxies}
    request = rf.get("/", REMOTE_ADDR=remote_addr, HTTP_X_FORWARDED_FOR=forwarded)

    assert client_address(request) == expected
