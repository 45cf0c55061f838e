"""System checks: each connex_bridge id, reported at start-up through the settings module.

The order source's own ids (E011, E012, E018–E024) are tested in tests/test_order_source.py.
"""

from __future__ import annotations

import ast
import re
import sys
import time
from io import StringIO
from pathlib import Path

import pytest
from django.core.checks import Tags, registry
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings

import connex_bridge
from connex_bridge import lockout
from connex_bridge.checks import (
    SETTING_CHECKS,
    TAG,
    check_catalogue_adapters,
    check_deployment,
    check_deployment_with_debug_on,
    check_lockout_cache,
    check_order_source,
    check_settings,
)
from connex_bridge.conf import DEFAULTS, app_settings
from connex_bridge.sources import import_order_source
from tests.cache_servers import closed_port, redis_cache, silent_server

ROOT = Path(__file__).resolve().parent.parent


def ids(config: object) -> list[str]:
    with override_settings(CONNEX_BRIDGE=config):
        return [message.id for message in check_settings()]


def source_ids(config: object) -> list[str]:
    with override_settings(CONNEX_BRIDGE=config):
        return [message.id for message in check_order_source()]


def test_the_checks_run_at_start_up():
    checks = registry.registry.get_checks()

    assert check_settings in checks
    assert check_order_source in checks
    assert check_lockout_cache in checks
    assert check_deployment in checks
    assert check_deployment_with_debug_on not in checks
    assert check_deployment_with_debug_on in registry.registry.get_checks(include_deployment_checks=True)


def test_a_correct_configuration_raises_nothing():
    assert ids({}) == []
    assert ids({"DATE_FORMAT": "microsoft", "TIME_ZONE": "Asia/Kolkata", "CANCELLED_STATUSES": []}) == []
    assert ids({"LAST_USED_RESOLUTION": 0, "CANCELLED_STATUSES": ("void",), "ALLOW_HTTP": False}) == []
    assert source_ids({}) == []


def test_every_key_is_checked_under_an_id_of_its_own():
    assert set(SETTING_CHECKS) | {"ORDER_SOURCE"} == set(DEFAULTS)  # ORDER_SOURCE: check_order_source's E002
    assert len({check_id for check_id, _hint in SETTING_CHECKS.values()}) == len(SETTING_CHECKS)


# --- one validator: the check says what the setting raises when read -------------------------

BAD_VALUES = [
    ("DATE_FORMAT", "iso8601", "connex_bridge.E003"),
    ("TIME_ZONE", "Mars/Olympus_Mons", "connex_bridge.E004"),
    ("CANCELLED_STATUSES", "cancelled", "connex_bridge.E005"),
    ("MIN_SECRET_LENGTH", 0, "connex_bridge.E006"),
    ("LOCKOUT_CACHE", "lockout", "connex_bridge.E007"),
    ("LOCKOUT_FAILURES", True, "connex_bridge.E008"),
    ("TRUSTED_PROXIES", ["proxy.internal"], "connex_bridge.E009"),
    ("ALLOW_HTTP", "no", "connex_bridge.E010"),
    ("LAST_USED_RESOLUTION", -1, "connex_bridge.E013"),
    ("MAX_ORDER_NUMBERS", "10", "connex_bridge.E014"),
    ("LOCKOUT_IP_FAILURES", 0, "connex_bridge.E015"),
    ("LOCKOUT_SECONDS", 1.5, "connex_bridge.E016"),
    ("MAX_BODY_BYTES", "10MB", "connex_bridge.E025"),
    ("SYNC_LOG", "on", "connex_bridge.E040"),
    ("SYNC_LOG_DAYS", 0, "connex_bridge.E041"),
    ("STOCK_ADAPTER", 3, "connex_bridge.E030"),
    ("INVENTORY_SETS_PRICES", "yes", "connex_bridge.E031"),
    ("PURCHASES_ADAPTER", "", "connex_bridge.E032"),
    ("ORDER_STATUS_MAP", {"Shipped": ""}, "connex_bridge.E033"),
    ("COMPLETED_STATUS", " ", "connex_bridge.E034"),
]


@pytest.mark.parametrize(("key", "value", "check_id"), BAD_VALUES)
def test_the_check_reports_exactly_what_reading_the_setting_raises(key, value, check_id):
    with override_settings(CONNEX_BRIDGE={key: value}):
        with pytest.raises(ImproperlyConfigured) as raised:
            getattr(app_settings, key)
        [error] = check_settings()

    assert (error.id, error.msg) == (check_id, str(raised.value))
    assert f"CONNEX_BRIDGE[{key!r}]" in error.msg
    assert "expected" in error.msg


@pytest.mark.parametrize(
    ("key", "path", "reason", "check_id"),
    [
        ("STOCK_ADAPTER", "no.such.Adapter", "cannot be imported", "connex_bridge.E030"),
        ("STOCK_ADAPTER", "connex_bridge.purchases.PurchasesAdapter", "not a StockAdapter", "connex_bridge.E030"),
        ("PURCHASES_ADAPTER", "shop.connex_inventory.ShopStockAdapter", "not a PurchasesAdapter", "connex_bridge.E032"),
    ],
)
def test_an_adapter_that_cannot_be_imported_or_is_of_the_wrong_class_is_reported(key, path, reason, check_id):
    with override_settings(CONNEX_BRIDGE={key: path}):
        [error] = check_catalogue_adapters()
        assert check_settings() == []  # a string: what check_settings checks is fine

    assert error.id == check_id
    assert f"CONNEX_BRIDGE[{key!r}] is {path!r}" in error.msg
    assert reason in error.msg


def test_adapters_set_to_none_or_to_their_defaults_pass_the_checks():
    assert check_catalogue_adapters() == []
    with override_settings(CONNEX_BRIDGE={"STOCK_ADAPTER": None, "PURCHASES_ADAPTER": None}):
        assert check_catalogue_adapters() == []


def test_the_dict_and_its_keys_are_reported_as_they_are_raised():
    for config, name, check_id in [
        (["DATE_FORMAT"], "user_settings", "connex_bridge.E001"),
        ({"ORDERSOURCE": "x"}, "known_settings", "connex_bridge.E017"),
    ]:
        with override_settings(CONNEX_BRIDGE=config):
            with pytest.raises(ImproperlyConfigured) as raised:
                getattr(app_settings, name)
            assert [(e.id, e.msg) for e in check_settings()] == [(check_id, str(raised.value))]


@pytest.mark.parametrize("path", [3, "", "no.such.Source", "tests.altshop.models.Sale"])
def test_the_order_source_check_reports_what_importing_it_raises(path):
    with override_settings(CONNEX_BRIDGE={"ORDER_SOURCE": path}):
        with pytest.raises(ImproperlyConfigured) as raised:
            import_order_source(app_settings.ORDER_SOURCE)
        [error] = check_order_source()

    assert (error.id, error.msg) == ("connex_bridge.E002", str(raised.value))
    assert "CONNEX_BRIDGE['ORDER_SOURCE']" in error.msg


# --- one test per id -------------------------------------------------------------------------


def test_e001_not_a_dict():
    assert ids(["DATE_FORMAT"]) == ["connex_bridge.E001"]
    assert ids("DATE_FORMAT=utc") == ["connex_bridge.E001"]
    assert source_ids(["DATE_FORMAT"]) == []  # said once, by check_settings


@pytest.mark.parametrize("path", [["x"], "", "no.such.Source", "tests.altshop.models.Sale"])
def test_e002_order_source_not_a_path_not_importable_or_not_a_source(path):
    assert source_ids({"ORDER_SOURCE": path}) == ["connex_bridge.E002"]
    assert ids({"ORDER_SOURCE": path}) == []


def test_e003_unknown_date_format():
    assert ids({"DATE_FORMAT": "iso8601"}) == ["connex_bridge.E003"]


@pytest.mark.parametrize("zone", ["Mars/Olympus_Mons", "", "America/", 5])
def test_e004_unknown_time_zone(zone):
    assert ids({"TIME_ZONE": zone}) == ["connex_bridge.E004"]


@pytest.mark.parametrize("statuses", ["cancelled", ["cancelled", 3], ["cancelled", " "], 3])
def test_e005_cancelled_statuses_not_a_list_of_names(statuses):
    assert ids({"CANCELLED_STATUSES": statuses}) == ["connex_bridge.E005"]


@pytest.mark.parametrize("value", [0, "16", True, 12.0])
def test_e006_min_secret_length_not_a_positive_whole_number(value):
    assert ids({"MIN_SECRET_LENGTH": value}) == ["connex_bridge.E006"]


def test_e007_lockout_cache_is_not_a_cache_alias():
    assert ids({"LOCKOUT_CACHE": "lockout"}) == ["connex_bridge.E007"]
    assert ids({"LOCKOUT_CACHE": None}) == ["connex_bridge.E007"]


@pytest.mark.parametrize("value", [0, "10", True])
def test_e008_lockout_failures_not_a_positive_whole_number(value):
    assert ids({"LOCKOUT_FAILURES": value}) == ["connex_bridge.E008"]


@pytest.mark.parametrize("proxies", ["10.0.0.0/8", ["10.0.0.0/33"], ["proxy.internal"], [None]])
def test_e009_trusted_proxies_not_a_list_of_addresses_or_networks(proxies):
    assert ids({"TRUSTED_PROXIES": proxies}) == ["connex_bridge.E009"]


@pytest.mark.parametrize("value", ["no", 1, None])
def test_e010_allow_http_is_not_a_bool(value):
    assert ids({"ALLOW_HTTP": value}) == ["connex_bridge.E010"]


@pytest.mark.parametrize("value", [-1, "60", False])
def test_e013_last_used_resolution_not_a_whole_number_of_seconds(value):
    assert ids({"LAST_USED_RESOLUTION": value}) == ["connex_bridge.E013"]


@pytest.mark.parametrize("value", [0, "10", True])
def test_e014_max_order_numbers_not_a_positive_whole_number(value):
    assert ids({"MAX_ORDER_NUMBERS": value}) == ["connex_bridge.E014"]


@pytest.mark.parametrize("value", [0, "30", True])
def test_e015_lockout_ip_failures_not_a_positive_whole_number(value):
    assert ids({"LOCKOUT_IP_FAILURES": value}) == ["connex_bridge.E015"]


@pytest.mark.parametrize("value", [-1, "900", True, 1.5])
def test_e016_lockout_seconds_not_a_positive_whole_number(value):
    assert ids({"LOCKOUT_SECONDS": value}) == ["connex_bridge.E016"]


@pytest.mark.parametrize("value", [0, "10485760", True, 1e7])
def test_e025_max_body_bytes_not_a_positive_whole_number(value):
    assert ids({"MAX_BODY_BYTES": value}) == ["connex_bridge.E025"]


@pytest.mark.parametrize(
    "value", [["Shipped"], {"Shipped": 3}, {"": "dispatched"}, {"Shipped": "dispatched", " SHIPPED": "sent"}]
)
def test_e030_order_status_map_not_a_map_of_names_each_once(value):
    assert ids({"ORDER_STATUS_MAP": value}) == ["connex_bridge.E033"]


@pytest.mark.parametrize("value", ["", "  ", 3, ["completed"]])
def test_e031_completed_status_neither_a_name_nor_none(value):
    assert ids({"COMPLETED_STATUS": value}) == ["connex_bridge.E034"]


def test_e017_unknown_key():
    assert ids({"ORDERSOURCE": "x"}) == ["connex_bridge.E017"]
    # Every key is read through the dict the misspelling is in: the name is fixed first.
    assert ids({"ORDERSOURCE": "x", "DATE_FORMAT": "iso"}) == ["connex_bridge.E017"]
    assert source_ids({"ORDERSOURCE": "x"}) == []


# --- the lockout cache cannot be used: E028, E029 --------------------------------------------


def lockout_cache_errors(caches: object, config: object = None) -> list[tuple[str, str, str]]:
    with override_settings(CACHES=caches, CONNEX_BRIDGE=config or {}):
        return [(message.id, message.msg, message.hint or "") for message in check_lockout_cache()]


def test_a_shared_cache_that_answers_raises_nothing():
    assert lockout_cache_errors(redis_cache()) == []
    assert lockout_cache_errors({"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}) == []


def test_e028_redis_cache_without_the_redis_package(monkeypatch):
    monkeypatch.setitem(sys.modules, "redis", None)  # `import redis` fails, as when it is not installed

    [(check_id, message, hint)] = lockout_cache_errors(redis_cache())

    assert check_id == "connex_bridge.E028"
    assert "'default' cannot be loaded" in message
    assert "not limited" in message
    assert 'pip install redis (or the extra: pip install "django-connex-bridge[redis]")' in hint


def test_e028_a_cache_backend_that_does_not_exist():
    caches = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "lockout": {"BACKEND": "nope.Cache"},
    }

    [(check_id, message, hint)] = lockout_cache_errors(caches, {"LOCKOUT_CACHE": "lockout"})

    assert check_id == "connex_bridge.E028"
    assert "'lockout' cannot be loaded" in message
    assert "No module named 'nope'" in message
    assert "'nope'" in hint and "BACKEND" in hint


def test_e029_a_cache_server_that_cannot_be_reached():
    port = closed_port()

    [(check_id, message, hint)] = lockout_cache_errors(redis_cache(f"redis://127.0.0.1:{port}"))

    assert check_id == "connex_bridge.E029"
    assert "'default' is not reachable" in message
    assert f"127.0.0.1:{port}" in message  # redis-py's own words: connection refused
    assert "Start the cache server" in hint and "LOCATION" in hint


@pytest.mark.django_db
def test_e029_a_database_cache_without_its_table_names_createcachetable():
    caches = {"default": {"BACKEND": "django.core.cache.backends.db.DatabaseCache", "LOCATION": "no_such_table"}}

    [(check_id, message, hint)] = lockout_cache_errors(caches)

    assert check_id == "connex_bridge.E029"
    assert "no_such_table" in message
    assert "python manage.py createcachetable" in hint


def test_e029_a_cache_server_that_never_answers_delays_the_check_by_the_probe_s_timeout(monkeypatch):
    monkeypatch.setattr(lockout, "PROBE_SECONDS", 0.5)
    with silent_server() as location:
        started = time.monotonic()
        [(check_id, message, _hint)] = lockout_cache_errors(redis_cache(location))
        elapsed = time.monotonic() - started

    assert check_id == "connex_bridge.E029"
    assert "no answer within 0.5 seconds" in message
    assert elapsed < 1.5


def test_e028_and_e029_stop_manage_py_check(monkeypatch):
    with override_settings(CACHES=redis_cache(f"redis://127.0.0.1:{closed_port()}")):
        with pytest.raises(SystemCheckError, match=r"connex_bridge\.E029"):
            run_check(TAG)
        monkeypatch.setitem(sys.modules, "redis", None)
        with pytest.raises(SystemCheckError, match=r"connex_bridge\.E028"):
            run_check(TAG)


def test_a_wrong_lockout_cache_alias_is_e007_s_alone():
    assert lockout_cache_errors(redis_cache(), {"LOCKOUT_CACHE": "nope"}) == []


# --- deployment warnings: W001-W004 ----------------------------------------------------------

REDIS = {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": "redis://127.0.0.1:6379"}}
LOCMEM = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
DUMMY = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}


def deployment_ids(config: object = None, **django_settings: object) -> list[str]:
    with override_settings(CONNEX_BRIDGE=config or {}, **django_settings):
        return [message.id for message in check_deployment()]


def test_a_production_configuration_raises_nothing():
    config = {"LOCKOUT_CACHE": "default", "LOCKOUT_FAILURES": 5, "TRUSTED_PROXIES": ["10.0.0.0/8", "192.0.2.7"]}

    assert ids(config) == []
    assert deployment_ids(config, DEBUG=False, CACHES=REDIS) == []


def test_w001_allow_http_with_debug_off():
    assert deployment_ids({"ALLOW_HTTP": True}, DEBUG=False, CACHES=REDIS) == ["connex_bridge.W001"]
    assert deployment_ids({"ALLOW_HTTP": True}, DEBUG=True, CACHES=REDIS) == []
    assert deployment_ids({"ALLOW_HTTP": False}, DEBUG=False, CACHES=REDIS) == []
    assert deployment_ids({"ALLOW_HTTP": "yes"}, DEBUG=False, CACHES=REDIS) == []  # E010's


@pytest.mark.parametrize("caches", [LOCMEM, DUMMY])
def test_w002_a_cache_each_process_keeps_apart_counts_failures_in_production(caches):
    assert deployment_ids({}, DEBUG=False, CACHES=caches) == ["connex_bridge.W002"]
    assert deployment_ids({}, DEBUG=True, CACHES=caches) == []


@pytest.mark.parametrize("debug", [True, False])
def test_check_deploy_warns_of_plain_http_and_a_per_process_cache_whatever_debug_says(debug):
    # startproject's settings: DEBUG on, no CACHES (a local-memory cache).
    with override_settings(CONNEX_BRIDGE={"ALLOW_HTTP": True}, DEBUG=debug, CACHES=LOCMEM, SILENCED_SYSTEM_CHECKS=[]):
        deploy = run_check(TAG, deploy=True)
        everyday = run_check(TAG)

    assert "connex_bridge.W001" in deploy
    assert "connex_bridge.W002" in deploy
    assert deploy.count("connex_bridge.W001") == deploy.count("connex_bridge.W002") == 1
    # Without --deploy they are development's noise while DEBUG is on.
    assert ("connex_bridge.W001" in everyday) is (not debug)
    assert ("connex_bridge.W002" in everyday) is (not debug)


def test_with_debug_on_check_deploy_names_debug_as_what_lets_plain_http_in():
    with override_settings(CONNEX_BRIDGE={}, DEBUG=True, CACHES=REDIS):
        [warning] = check_deployment_with_debug_on()
    with override_settings(CONNEX_BRIDGE={}, DEBUG=False, CACHES=LOCMEM):
        assert check_deployment_with_debug_on() == []  # check_deployment's, on every check

    assert warning.id == "connex_bridge.W001"
    assert "DEBUG is on" in warning.msg
    assert "plain HTTP" in warning.msg


def test_w002_names_the_lockout_cache_not_the_default():
    caches = {**LOCMEM, "shared": REDIS["default"]}

    assert deployment_ids({"LOCKOUT_CACHE": "shared"}, DEBUG=False, CACHES=caches) == []
    assert deployment_ids({}, DEBUG=False, CACHES=caches) == ["connex_bridge.W002"]
    assert deployment_ids({"LOCKOUT_CACHE": "nope"}, DEBUG=False, CACHES=caches) == []  # E007's


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
    assert (
        'r"^(?i:authenticatetowebservice|orders|inventory|purchaseorders|changeorderstatus|createorders)/?\\Z"'
        in warning.hint
    )


def test_w004_trusted_proxies_that_trust_everybody():
    assert deployment_ids({"TRUSTED_PROXIES": ["0.0.0.0/0"]}, CACHES=REDIS) == ["connex_bridge.W004"]
    assert deployment_ids({"TRUSTED_PROXIES": ["::/0"]}, CACHES=REDIS) == ["connex_bridge.W004"]
    assert deployment_ids({"TRUSTED_PROXIES": ["10.0.0.0/8"]}, CACHES=REDIS) == []
    assert deployment_ids({"TRUSTED_PROXIES": ["0.0.0.0/0", "nope"]}, CACHES=REDIS) == []  # E009's


# --- tags: manage.py check --tag connex_bridge ------------------------------------------------


def test_every_check_carries_the_connex_bridge_tag():
    assert set(check_settings.tags) == {TAG}
    assert set(check_order_source.tags) == {TAG, Tags.models}
    assert set(check_lockout_cache.tags) == {TAG, Tags.caches}
    assert set(check_deployment.tags) == {TAG, Tags.security}
    assert set(check_deployment_with_debug_on.tags) == {TAG, Tags.security}
    assert TAG in registry.registry.tags_available()


def run_check(*tags: str, fail_level: str = "ERROR", deploy: bool = False) -> str:
    out, err = StringIO(), StringIO()
    call_command("check", tags=list(tags), fail_level=fail_level, deploy=deploy, stdout=out, stderr=err)
    return out.getvalue() + err.getvalue()


def test_check_tag_connex_bridge_runs_the_settings_source_and_deployment_checks():
    assert "no issues" in run_check(TAG)
    with override_settings(CONNEX_BRIDGE={"DATE_FORMAT": "iso"}), pytest.raises(SystemCheckError, match="E003"):
        run_check(TAG)
    with (
        override_settings(CONNEX_BRIDGE={"ORDER_SOURCE": "tests.test_order_source.MisspelledStore"}),
        pytest.raises(SystemCheckError, match="E018"),
    ):
        run_check(TAG)
    with override_settings(CONNEX_BRIDGE={"TRUSTED_PROXIES": ["0.0.0.0/0"]}):
        assert "connex_bridge.W004" in run_check(TAG)  # a warning: reported, not raised


@pytest.mark.django_db  # Django 6.1's model checks ask the database
def test_the_deployment_warnings_run_with_django_s_security_checks_and_without_deploy():
    with override_settings(CONNEX_BRIDGE={"ALLOW_HTTP": True}, DEBUG=False, CACHES=REDIS):
        with pytest.raises(SystemCheckError, match=r"connex_bridge\.W001"):
            run_check(Tags.security, fail_level="WARNING")
        assert "connex_bridge.W001" not in run_check(Tags.models, fail_level="WARNING")


@pytest.mark.django_db  # Django 6.1's model checks ask the database
def test_the_source_checks_run_with_django_s_model_checks():
    with (
        override_settings(CONNEX_BRIDGE={"ORDER_SOURCE": "tests.test_order_source.MisspelledStore"}),
        pytest.raises(SystemCheckError, match=r"connex_bridge\.E018"),
    ):
        run_check(Tags.models)


# --- docs/checks.md lists exactly the ids the code raises ---------------------------------------

CHECK_ID = re.compile(r"connex_bridge(?:_oscar)?\.[EW]\d{3}")


def ids_in_code() -> set[str]:
    """Every string constant of the package that is exactly a check id (docstrings are not)."""
    found = set()
    for path in Path(connex_bridge.__file__).resolve().parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and CHECK_ID.fullmatch(node.value):
                found.add(node.value)
    return found


def ids_in_docs() -> list[str]:
    text = (ROOT / "docs" / "checks.md").read_text()
    return re.findall(r"^\| `(" + CHECK_ID.pattern + r")` \|", text, flags=re.MULTILINE)


def test_docs_checks_md_has_one_row_per_id_the_code_raises():
    documented = ids_in_docs()

    assert len(documented) == len(set(documented)), "an id has two rows"
    assert len(ids_in_code()) >= 25
    assert sorted(ids_in_code() - set(documented)) == [], "raised in code, missing from docs/checks.md"
    assert sorted(set(documented) - ids_in_code()) == [], "documented, never raised"


def test_every_id_has_a_test():
    tests = [path.read_text() for path in (ROOT / "tests").glob("test_*.py")]

    untested = [check_id for check_id in sorted(ids_in_code()) if not any(check_id in text for text in tests)]

    assert untested == []
