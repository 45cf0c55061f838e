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
