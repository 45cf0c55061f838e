"""The CONNEX_BRIDGE settings dict (connex_bridge/conf.py)."""

from __future__ import annotations

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from connex_bridge.conf import DEFAULTS, app_settings
from connex_bridge.sources import get_order_source
from connex_bridge.sources.builtin import BuiltinOrderSource
from tests.altshop.source import AltShopSource


def test_defaults_apply_when_the_setting_is_absent(settings):
    assert app_settings.DATE_FORMAT == "local"
    assert app_settings.CANCELLED_STATUSES == ["cancelled", "refunded"]
    assert app_settings.TIME_ZONE == settings.TIME_ZONE
    assert isinstance(get_order_source(), BuiltinOrderSource)


def test_override_settings_takes_effect_at_once():
    with override_settings(CONNEX_BRIDGE={"DATE_FORMAT": "utc", "ORDER_SOURCE": "tests.altshop.source.AltShopSource"}):
        assert app_settings.DATE_FORMAT == "utc"
        assert isinstance(get_order_source(), AltShopSource)
    assert app_settings.DATE_FORMAT == "local"
    assert isinstance(get_order_source(), BuiltinOrderSource)


def test_an_unknown_key_is_an_error_naming_it():
    with (
        override_settings(CONNEX_BRIDGE={"DATE_FORMATS": "utc"}),
        pytest.raises(ImproperlyConfigured, match="'DATE_FORMATS'"),
    ):
        _ = app_settings.DATE_FORMAT


def test_a_bad_value_is_an_error_naming_the_key():
    with (
        override_settings(CONNEX_BRIDGE={"DATE_FORMAT": "iso"}),
        pytest.raises(ImproperlyConfigured, match=r"DATE_FORMAT.*'iso'"),
    ):
        _ = app_settings.DATE_FORMAT


@pytest.mark.parametrize(
    ("path", "reason"),
    [("tests.altshop.source.Nope", "cannot be imported"), ("tests.altshop.models.Sale", "not an OrderSource")],
)
def test_a_bad_order_source_is_an_error_naming_the_path(path, reason):
    with override_settings(CONNEX_BRIDGE={"ORDER_SOURCE": path}), pytest.raises(ImproperlyConfigured, match=reason):
        get_order_source()


def test_every_default_has_a_typed_accessor():
    for key in DEFAULTS:
        assert hasattr(type(app_settings), key), key


@pytest.mark.parametrize(
    ("key", "value"),
    [
        ("ORDER_SOURCE", 3),
        ("DATE_FORMAT", None),
        ("TIME_ZONE", "Mars/Olympus_Mons"),
        ("TIME_ZONE", ""),
        ("CANCELLED_STATUSES", "cancelled"),
        ("CANCELLED_STATUSES", ["cancelled", None]),
        ("MIN_SECRET_LENGTH", True),
        ("LAST_USED_RESOLUTION", -1),
        ("MAX_ORDER_NUMBERS", "500"),
        ("LOCKOUT_CACHE", "lockout"),
        ("LOCKOUT_FAILURES", 0),
        ("LOCKOUT_IP_FAILURES", 2.5),
        ("LOCKOUT_SECONDS", False),
        ("TRUSTED_PROXIES", "10.0.0.0/8"),
        ("ALLOW_HTTP", "false"),
        ("STOCK_ADAPTER", ""),
        ("INVENTORY_SETS_PRICES", 1),
        ("PURCHASES_ADAPTER", ["connex_bridge.purchases.builtin.BuiltinPurchasesAdapter"]),
    ],
)
def test_reading_a_wrong_value_names_the_key_the_value_and_what_is_expected(key, value):
    with override_settings(CONNEX_BRIDGE={key: value}), pytest.raises(ImproperlyConfigured) as raised:
        getattr(app_settings, key)

    assert f"CONNEX_BRIDGE[{key!r}] is {value!r}; expected " in str(raised.value)


def test_a_bad_proxy_entry_is_named():
    with (
        override_settings(CONNEX_BRIDGE={"TRUSTED_PROXIES": ["10.0.0.0/8", "proxy.internal"]}),
        pytest.raises(ImproperlyConfigured, match=r"TRUSTED_PROXIES.*'proxy.internal'.*expected"),
    ):
        _ = app_settings.TRUSTED_PROXIES


def test_values_are_read_as_their_types():
    config = {
        "TIME_ZONE": "Asia/Kolkata",
        "CANCELLED_STATUSES": (" Voided ",),
        "LAST_USED_RESOLUTION": 0,
        "TRUSTED_PROXIES": ["192.0.2.7"],
        "ALLOW_HTTP": True,
    }
    with override_settings(CONNEX_BRIDGE=config):
        assert app_settings.TIME_ZONE == "Asia/Kolkata"
        assert app_settings.CANCELLED_STATUSES == ["Voided"]
        assert app_settings.LAST_USED_RESOLUTION == 0
        assert [str(network) for network in app_settings.TRUSTED_PROXIES] == ["192.0.2.7/32"]
        assert app_settings.ALLOW_HTTP is True


def test_the_source_is_instantiated_once_per_path_and_forgotten_when_the_setting_changes():
    first = get_order_source()
    assert get_order_source() is first
    with override_settings(CONNEX_BRIDGE={"DATE_FORMAT": "utc"}):
        assert get_order_source() is not first
        assert isinstance(get_order_source(), BuiltinOrderSource)
