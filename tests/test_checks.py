"""System checks: each connex_bridge.E00x id, reported at start-up."""

from __future__ import annotations

import pytest
from django.core.checks import registry
from django.test import override_settings

from connex_bridge.checks import check_deployment, check_lockout_settings, check_settings


def ids(config: object) -> list[str]:
    with override_settings(CONNEX_BRIDGE=config):
        return [message.id for message in check_settings()]


def test_the_check_runs_at_start_up():
    assert check_settings in registry.registry.get_checks()


def test_a_correct_configuration_raises_nothing():
    assert ids({}) == []
    assert ids({"DATE_FORMAT": "microsoft", "TIME_ZONE": "Asia/Kolkata", "CANCELLED_STATUSES": []}) == []


def test_e001_not_a_dict_or_unknown_key():
    assert ids(["DATE_FORMAT"]) == ["connex_bridge.E001"]
    assert ids({"ORDERSOURCE": "x"}) == ["connex_bridge.E001"]


@pytest.mark.parametrize("path", ["no.such.Source", "tests.altshop.models.Sale"])
def test_e002_order_source_not_importable_or_not_a_source(path):
    assert ids({"ORDER_SOURCE": path}) == ["connex_bridge.E002"]


def test_e003_unknown_date_format():
    assert ids({"DATE_FORMAT": "iso8601"}) == ["connex_bridge.E003"]


def test_e004_unknown_time_zone():
    assert ids({"TIME_ZONE": "Mars/Olympus_Mons"}) == ["connex_bridge.E004"]


@pytest.mark.parametrize("statuses", ["cancelled", ["cancelled", 3]])
def test_e005_cancelled_statuses_not_a_list_of_names(statuses):
    assert ids({"CANCELLED_STATUSES": statuses}) == ["connex_bridge.E005"]


@pytest.mark.parametrize(
    "config", [{"MIN_SECRET_LENGTH": 0}, {"MAX_ORDER_NUMBERS": "10"}, {"LAST_USED_RESOLUTION": -1}]
)
def test_e006_numbers_must_be_positive_whole_numbers(config):
    assert ids(config) == ["connex_bridge.E006"]


# --- lockout, proxies and transport: E007-E010, W001-W004 ----------------------

REDIS = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:6379"}}
LOCMEM = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
DUMMY = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}


def lockout_ids(config: object) -> list[str]:
    with override_settings(CONNEX_BRIDGE=config):
        return [message.id for message in check_lockout_settings()]


def deployment_ids(config: object = None, **django_settings: object) -> list[str]:
    with override_settings(CONNEX_BRIDGE=config or {}, **django_settings):
        return [message.id for message in check_deployment()]


def test_the_new_checks_run_at_start_up():
    checks = registry.registry.get_checks()
    assert check_lockout_settings in checks
    assert check_deployment in checks


def test_a_production_configuration_raises_nothing():
    config = {"LOCKOUT_CACHE": "default", "LOCKOUT_FAILURES": 5, "TRUSTED_PROXIES": ["10.0.0.0/8", "192.0.2.7"]}

    assert lockout_ids(config) == []
    assert deployment_ids(config, DEBUG=False, CACHES=REDIS) == []
    assert ids(config) == []  # the keys are known to E001


def test_e007_lockout_cache_is_not_a_cache_alias():
    assert lockout_ids({"LOCKOUT_CACHE": "lockout"}) == ["connex_bridge.E007"]
    assert lockout_ids({"LOCKOUT_CACHE": None}) == ["connex_bridge.E007"]


@pytest.mark.parametrize(
    "config",
    [{"LOCKOUT_FAILURES": 0}, {"LOCKOUT_IP_FAILURES": "30"}, {"LOCKOUT_SECONDS": -1}, {"LOCKOUT_SECONDS": True}],
)
def test_e008_lockout_numbers_must_be_positive_whole_numbers(config):
    assert lockout_ids(config) == ["connex_bridge.E008"]


@pytest.mark.parametrize("proxies", ["10.0.0.0/8", ["10.0.0.0/33"], ["proxy.internal"], [None]])
def test_e009_trusted_proxies_not_a_list_of_addresses_or_networks(proxies):
    assert lockout_ids({"TRUSTED_PROXIES": proxies}) == ["connex_bridge.E009"]


def test_e010_allow_http_is_not_a_bool():
    assert lockout_ids({"ALLOW_HTTP": "no"}) == ["connex_bridge.E010"]


def test_w001_allow_http_with_debug_off():
    assert deployment_ids({"ALLOW_HTTP": True}, DEBUG=False, CACHES=REDIS) == ["connex_bridge.W001"]
    assert deployment_ids({"ALLOW_HTTP": True}, DEBUG=True, CACHES=REDIS) == []
    assert deployment_ids({"ALLOW_HTTP": False}, DEBUG=False, CACHES=REDIS) == []


@pytest.mark.parametrize("caches", [LOCMEM, DUMMY])
def test_w002_a_cache_each_process_keeps_apart_counts_failures_in_production(caches):
    assert deployment_ids({}, DEBUG=False, CACHES=caches) == ["connex_bridge.W002"]
    assert deployment_ids({}, DEBUG=True, CACHES=caches) == []


def test_w002_names_the_lockout_cache_not_the_default():
    caches = {**LOCMEM, "shared": REDIS["default"]}

    assert deployment_ids({"LOCKOUT_CACHE": "shared"}, DEBUG=False, CACHES=caches) == []
    assert deployment_ids({}, DEBUG=False, CACHES=caches) == ["connex_bridge.W002"]


def test_w003_ssl_redirect_that_would_catch_the_connex_paths():
    # The requests through the middleware are in tests/test_transport.py.
    # As installed, SECURE_REDIRECT_EXEMPT covers the Connex paths by itself (connex_bridge's ready()).
    assert deployment_ids({}, CACHES=REDIS, SECURE_SSL_REDIRECT=True) == []
    # Replaced after start-up, it covers only what it lists.
    assert deployment_ids({}, CACHES=REDIS, SECURE_SSL_REDIRECT=True, SECURE_REDIRECT_EXEMPT=[]) == [
        "connex_bridge.W003"
    ]
    assert deployment_ids({}, CACHES=REDIS, SECURE_SSL_REDIRECT=True, SECURE_REDIRECT_EXEMPT=[r"^connex/"]) == []
    # Exempting the lower-case spelling only is not enough: Connex also sends AuthenticateToWebService.
    narrow = [r"^connex/authenticatetowebservice$", r"^connex/orders/?$"]
    assert deployment_ids({}, CACHES=REDIS, SECURE_SSL_REDIRECT=True, SECURE_REDIRECT_EXEMPT=narrow) == [
        "connex_bridge.W003"
    ]
    # Nor is it without the doubled slash of a base URL typed with a trailing one.
    one_slash = [r"^connex/(?i:authenticatetowebservice|orders)/?$"]
    assert deployment_ids({}, CACHES=REDIS, SECURE_SSL_REDIRECT=True, SECURE_REDIRECT_EXEMPT=one_slash) == [
        "connex_bridge.W003"
    ]
    # No SecurityMiddleware: nothing redirects.
    assert deployment_ids({}, CACHES=REDIS, SECURE_SSL_REDIRECT=True, MIDDLEWARE=[], SECURE_REDIRECT_EXEMPT=[]) == []


def test_w003_hint_at_the_root_names_the_actions_not_every_path(settings):
    settings.ROOT_URLCONF = "tests.urls_root"
    settings.SECURE_SSL_REDIRECT = True
    settings.SECURE_REDIRECT_EXEMPT = []
    settings.CACHES = REDIS

    [warning] = check_deployment()

    assert warning.id == "connex_bridge.W003"
    assert 'r"^(?i:authenticatetowebservice|orders)/?\\Z"' in warning.hint


def test_w004_trusted_proxies_that_trust_everybody():
    assert deployment_ids({"TRUSTED_PROXIES": ["0.0.0.0/0"]}, CACHES=REDIS) == ["connex_bridge.W004"]
    assert deployment_ids({"TRUSTED_PROXIES": ["::/0"]}, CACHES=REDIS) == ["connex_bridge.W004"]
    assert deployment_ids({"TRUSTED_PROXIES": ["10.0.0.0/8"]}, CACHES=REDIS) == []
