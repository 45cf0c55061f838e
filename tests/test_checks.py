"""System checks: each connex_bridge.E00x id, reported at start-up."""

from __future__ import annotations

import pytest
from django.core.checks import registry
from django.test import override_settings

from connex_bridge.checks import check_settings


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
