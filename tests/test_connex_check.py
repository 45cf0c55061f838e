"""``manage.py connex_check``: in-process and over HTTP against a live server."""

from __future__ import annotations

import io
from decimal import Decimal
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.http import HttpResponseRedirect
from django.urls import include, path

from connex_bridge.models import ConnexCredential, SyncLogEntry
from connex_bridge.testing.factories import ConnexCredentialFactory, OrderFactory


def check(*args: str, stdin: str = "") -> tuple[int, str]:
    out = io.StringIO()
    try:
        call_command("connex_check", *args, stdout=out, stdin=io.StringIO(stdin))
    except CommandError as exc:
        return 1, out.getvalue() + str(exc)
    return 0, out.getvalue()


@pytest.fixture
def http_allowed(settings: Any) -> None:
    settings.CONNEX_BRIDGE = {"ALLOW_HTTP": True}  # the live server speaks plain HTTP on localhost


def test_in_process_a_clean_shop_is_ok_with_a_report(db: None) -> None:
    credential = ConnexCredentialFactory(username="qb")
    OrderFactory(number="1001")
    used = credential.last_used_at

    code, out = check("--username", "qb")

    assert code == 0, out
    assert "authenticatetowebservice: 200 in" in out and "orders: 200 in" in out
    assert "OK: Connex would sync cleanly." in out
    assert SyncLogEntry.objects.count() == 0  # nothing logged
    assert ConnexCredential.objects.get(pk=credential.pk).last_used_at == used


def test_in_process_a_bad_order_is_a_line_naming_it_and_the_rule(db: None) -> None:
    ConnexCredentialFactory(username="qb")
    OrderFactory(number="1001")
    OrderFactory(number="1002", lines=[{"sku": "MUG "}], total=Decimal("1.00"))

    code, out = check("--username", "qb", "--since", "2h")

    assert code == 1
    problems = [line for line in out.splitlines() if line.startswith("PROBLEM:")]
    assert any("order 1002: SKU_PADDED" in line for line in problems)
    assert any("order 1002: TOTALS_UNBALANCED" in line for line in problems)
    assert not any("order 1001" in line for line in problems)


def test_in_process_respects_the_credentials_stores(db: None) -> None:
    ConnexCredentialFactory(username="web", stores=["Web"])
    OrderFactory(number="1001", store_name="Web")
    OrderFactory(number="1002", store_name="Retail", total=Decimal("1.00"))  # unbalanced, but not Web's

    assert check("--username", "web")[0] == 0


def test_a_disabled_credential_is_a_problem(db: None) -> None:
    ConnexCredentialFactory(username="qb", is_active=False)

    code, out = check("--username", "qb")

    assert code == 1 and "authenticatetowebservice: 403" in out


@pytest.mark.parametrize("since", ["yesterday", "0h", "24"])
def test_a_bad_since_names_the_value_and_the_form(db: None, since: str) -> None:
    with pytest.raises(CommandError, match=rf"--since '{since}' is not a duration: .*24h"):
        call_command("connex_check", "--since", since)


def test_a_bad_from_names_the_value_and_the_form(db: None) -> None:
    with pytest.raises(CommandError, match=r"--from 'monday' is not a date and time; expected yyyy-MM-ddTHH:mm:ssZ"):
        call_command("connex_check", "--from", "monday")


@pytest.mark.django_db(transaction=True)
def test_over_http_a_real_credential_is_ok(live_server: Any, http_allowed: None) -> None:
    credential = ConnexCredentialFactory(username="qb")
    OrderFactory(number="1001")

    code, out = check("--url", live_server.url + "/connex/", "--username", "qb", "--password-stdin",
                      stdin=credential.secret + "\n")  # fmt: skip

    assert code == 0, out
    assert "plain HTTP on this machine" in out
    assert credential.secret not in out


@pytest.mark.django_db(transaction=True)
def test_over_http_a_wrong_password_is_one_readable_line(live_server: Any, http_allowed: None) -> None:
    ConnexCredentialFactory(username="qb")

    code, out = check("--url", live_server.url + "/connex", "--username", "qb", "--password-stdin",
                      stdin="wrong-password-123\n")  # fmt: skip

    assert code == 1
    (problem,) = [line for line in out.splitlines() if line.startswith("PROBLEM:")]
    assert "authenticatetowebservice: 401 Connex could not sign in" in problem
    assert "wrong-password-123" not in out


def test_plain_http_to_another_host_is_refused_before_the_password_is_read(db: None) -> None:
    with pytest.raises(CommandError, match="plain HTTP"):
        call_command("connex_check", "--url", "http://shop.example.com/connex/", "--username", "qb",
                     "--password-stdin", stdin=io.StringIO("secret\n"))  # fmt: skip


def _moved(request: Any, **kwargs: Any) -> HttpResponseRedirect:
    return HttpResponseRedirect("https://www.shop.example.com" + request.path)


urlpatterns = [path("old/<path:rest>", _moved), path("connex/", include("connex_bridge.urls"))]


@pytest.mark.django_db(transaction=True)
@pytest.mark.urls(__name__)
def test_over_http_a_redirect_is_reported_with_its_location(live_server: Any, http_allowed: None) -> None:
    ConnexCredentialFactory(username="qb")

    code, out = check("--url", live_server.url + "/old/", "--username", "qb", "--password-stdin", stdin="x\n")

    assert code == 1
    assert "redirect 302 to https://www.shop.example.com/old/authenticatetowebservice" in out


def test_a_stripped_authorization_header_is_named(db: None, monkeypatch: pytest.MonkeyPatch) -> None:
    from connex_bridge.authentication import MISSING
    from connex_bridge.management.commands.connex_check import Answer, Command, Report

    report = Report()
    assert not Command().answered(report, "orders", Answer(401, f'"{MISSING}"'.encode(), 0.1), "qb")
    assert "strips it" in report.problems[0]


def test_slow_answers_warn_then_fail(monkeypatch: pytest.MonkeyPatch) -> None:
    from connex_bridge.management.commands.connex_check import Answer, Command, Report

    report = Report()
    Command().timed(report, "orders", Answer(200, b"", 75.0))
    Command().timed(report, "orders", Answer(200, b"", 115.0))

    assert "near Connex's two-minute limit" in report.notes[0]
    assert "Connex gives up after about two minutes" in report.problems[0]
