"""No secret in clear: not in error reports, logs, the database or the lockout state; no user enumeration."""

from __future__ import annotations

import ast
import base64
import io
import logging
import re
import sys
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.core.signals import got_request_exception
from django.db import DatabaseError, connection
from django.template.response import SimpleTemplateResponse
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils.log import AdminEmailHandler
from django.views.debug import ExceptionReporter

from connex_bridge import credential_secrets
from connex_bridge.models import ConnexCredential
from connex_bridge.testing.client import HTTPSClient, basic
from connex_bridge.testing.factories import ConnexCredentialFactory

PAIRING = "/connex/authenticatetowebservice"
STRONG = "Kettle-Walrus-Quartz-19"


@pytest.fixture
def reports():
    """Each unhandled exception of a request, as Django's error reporter would write it (HTML, text)."""
    captured: list[tuple[str, str, str]] = []

    def capture(sender, request, **kwargs):
        reporter = ExceptionReporter(request, *sys.exc_info())
        with override_settings(DEBUG=True):  # the filter is off with DEBUG: the control
            unfiltered = ExceptionReporter(request, *sys.exc_info()).get_traceback_html()
        captured.append((reporter.get_traceback_html(), reporter.get_traceback_text(), unfiltered))

    got_request_exception.connect(capture)
    yield captured
    got_request_exception.disconnect(capture)


def leaks(text: str, secret: str) -> bool:
    token = base64.b64encode(f"connex:{secret}".encode()).decode()
    return secret in text or token in text


class TestErrorReports:
    def test_an_error_while_signing_in_hides_the_header_and_the_password(self, credential, reports, monkeypatch):
        def database_down(*args, **kwargs):
            raise DatabaseError("the database is down")

        monkeypatch.setattr(ConnexCredential.objects, "filter", database_down)
        client = HTTPSClient(HTTP_AUTHORIZATION=basic("connex", credential.secret), raise_request_exception=False)

        assert client.get(PAIRING).status_code == 500

        [(html, text, unfiltered)] = reports
        assert "authenticate_credentials" in html  # the frame that holds the password is in the report
        assert leaks(unfiltered, credential.secret)  # and without the filter it would show
        assert not leaks(html, credential.secret)
        assert not leaks(text, credential.secret)
        assert "HTTP_AUTHORIZATION" in text
        assert "********************" in text

    def test_the_admin_email_hides_them_too(self, credential, monkeypatch, settings):
        # What Django's mail_admins handler would send (DEBUG off), captured before any mailer.
        settings.ADMINS = ["admin@example.com"]
        emails: list[str] = []
        monkeypatch.setattr(AdminEmailHandler, "send_mail", lambda self, subject, body, *a, **k: emails.append(body))

        def database_down(*args, **kwargs):
            raise DatabaseError("the database is down")

        monkeypatch.setattr(ConnexCredential.objects, "filter", database_down)
        client = HTTPSClient(HTTP_AUTHORIZATION=basic("connex", credential.secret), raise_request_exception=False)
        client.get(PAIRING)

        [body] = emails
        assert "DatabaseError" in body
        assert "HTTP_AUTHORIZATION" in body
        assert not leaks(body, credential.secret)

    def test_an_error_in_the_admin_add_form_hides_the_typed_secret(self, admin_client, reports, monkeypatch):
        def database_down(*args, **kwargs):
            raise DatabaseError("the database is down")

        monkeypatch.setattr(ConnexCredential, "save", database_down)
        admin_client.raise_request_exception = False

        response = admin_client.post(
            "/admin/connex_bridge/connexcredential/add/", {"username": "qb", "stores": "", "secret": STRONG}
        )

        assert response.status_code == 500
        [(html, text, unfiltered)] = reports
        assert STRONG in unfiltered
        assert STRONG not in html
        assert STRONG not in text

    def test_an_error_while_rendering_the_rotated_secret_hides_it(self, admin_client, credential, reports, monkeypatch):
        shown: list[str] = []
        real = credential_secrets.generate_secret

        def remember():
            shown.append(real())
            return shown[-1]

        def broken_template(*args, **kwargs):
            raise RuntimeError("template error")

        monkeypatch.setattr(credential_secrets, "generate_secret", remember)
        confirm = admin_client.post(
            "/admin/connex_bridge/connexcredential/",
            {"action": "rotate_secrets", "_selected_action": [credential.pk]},
        )
        fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', confirm.content.decode()))
        rotated = admin_client.post("/admin/connex_bridge/connexcredential/rotate/", fields)
        assert rotated.status_code == 302
        # The secret page is the one that renders the secret: break rendering there.
        monkeypatch.setattr(SimpleTemplateResponse, "rendered_content", property(broken_template))
        admin_client.raise_request_exception = False

        response = admin_client.get(rotated["Location"])

        assert response.status_code == 500
        [(html, text, unfiltered)] = reports
        [secret] = shown
        assert secret in unfiltered
        assert secret not in html
        assert secret not in text


def test_logs_never_hold_a_secret(settings, caplog, credential):
    settings.CONNEX_BRIDGE = {"LOCKOUT_FAILURES": 2}
    client = HTTPSClient()
    wrong = "Wrong-Password-Typed-42"
    with caplog.at_level(logging.DEBUG):
        client.get(PAIRING, HTTP_AUTHORIZATION=basic("connex", credential.secret))
        # The merchant typed the password into the user name field: a failure, then a lockout.
        for _ in range(3):
            client.get(PAIRING, HTTP_AUTHORIZATION=basic(credential.secret, wrong))
        for _ in range(3):
            client.get(PAIRING, HTTP_AUTHORIZATION=basic("connex", wrong))
        client.get(PAIRING, HTTP_AUTHORIZATION=basic("connex", credential.secret), secure=False)

    logged = "\n".join(record.getMessage() + (record.exc_text or "") for record in caplog.records)
    assert "refused for" in logged  # the lockouts were logged
    assert credential.secret not in logged
    assert wrong not in logged


def test_the_lockout_state_holds_neither_secret_nor_user_name(settings, db):
    credential = ConnexCredentialFactory(username="qb-office")
    settings.CONNEX_BRIDGE = {"LOCKOUT_FAILURES": 2}
    client = HTTPSClient()
    wrong = "Wrong-Password-Typed-42"
    for username in ("qb-office", credential.secret):
        for _ in range(3):
            client.get(PAIRING, HTTP_AUTHORIZATION=basic(username, wrong))

    stored = list(cache._cache.items())  # LocMemCache: key -> pickled value
    assert stored  # the failures were counted here
    for key, pickled in stored:  # a pickled str keeps its UTF-8 bytes
        for clear in (credential.secret, wrong, "qb-office", "127.0.0.1"):
            assert clear not in key
            assert clear.encode() not in pickled


def test_the_database_holds_digests_only_even_during_a_rotation_grace(db):
    credential = ConnexCredentialFactory(username="connex", secret=STRONG)
    new = "Another-Strong-Secret-77"
    call_command(
        "connex_credential", "rotate", "connex", "--password-stdin", "--grace", "1h", stdin=io.StringIO(new + "\n")
    )

    row = ConnexCredential.objects.filter(pk=credential.pk).values().get()
    assert row["previous_secret_digest"] and row["secret_digest"]
    for value in row.values():
        assert STRONG not in str(value)
        assert new not in str(value)


class TestUnknownUserCostsTheSame:
    """An unknown user name costs the same database and digest work as a wrong password (no enumeration)."""

    def attempts(self):
        ConnexCredentialFactory(username="disabled", is_active=False)
        return {
            "unknown user": basic("nobody", "some-password"),
            "wrong password": basic("connex", "some-password"),
            "disabled": basic("disabled", "some-password"),
        }

    def test_same_queries(self, credential, settings):
        settings.CONNEX_BRIDGE = {"SYNC_LOG": False}  # written after the answer is decided; see test_synclog
        client = HTTPSClient()
        queries = {}
        for name, header in self.attempts().items():
            with CaptureQueriesContext(connection) as captured:
                assert client.get(PAIRING, HTTP_AUTHORIZATION=header).status_code == 401
            queries[name] = [q["sql"].split(" WHERE ")[0] for q in captured.captured_queries]

        assert queries["unknown user"] == queries["wrong password"] == queries["disabled"]
        assert len(queries["unknown user"]) == 1

    def test_same_digest_work_with_or_without_a_rotation_grace(self, credential, monkeypatch):
        client = HTTPSClient()
        calls = []
        real = credential_secrets._hexdigest
        monkeypatch.setattr(
            credential_secrets, "_hexdigest", lambda salt, secret: calls.append(1) or real(salt, secret)
        )
        work = {}
        for name, header in self.attempts().items():
            calls.clear()
            client.get(PAIRING, HTTP_AUTHORIZATION=header)
            work[name] = len(calls)
        call_command("connex_credential", "rotate", "connex", "--grace", "1h", stdout=io.StringIO())
        calls.clear()
        client.get(PAIRING, HTTP_AUTHORIZATION=basic("connex", "some-password"))
        work["wrong password during a grace period"] = len(calls)

        assert set(work.values()) == {2}, work


def test_every_test_named_in_security_md_exists():
    root = Path(__file__).resolve().parent.parent
    named = re.findall(r"`(tests/\w+\.py)::([\w:]+)`", (root / "SECURITY.md").read_text())
    assert len(named) > 40

    missing = []
    for path, qualname in named:
        tree = ast.parse((root / path).read_text())
        scope: list[ast.stmt] = tree.body
        for part in qualname.split("::"):
            found = [n for n in scope if isinstance(n, (ast.ClassDef, ast.FunctionDef)) and n.name == part]
            if not found:
                missing.append(f"{path}::{qualname}")
                break
            scope = found[0].body if isinstance(found[0], ast.ClassDef) else []
    assert missing == []
