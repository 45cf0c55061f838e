"""``manage.py connex_credential``: add, list, disable and rotate from the shell."""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from connex_bridge.models import ConnexCredential
from connex_bridge.testing.client import HTTPSClient, basic
from connex_bridge.testing.factories import ConnexCredentialFactory
from connex_bridge.testing.harness import db_time

pytestmark = pytest.mark.django_db

STRONG = "Kettle-Walrus-Quartz-19"
ROOT = Path(__file__).resolve().parent.parent


def run(*args: str, stdin: str | None = None) -> str:
    """Run the command as call_command does and return what it printed."""
    out = io.StringIO()
    options = {"stdout": out}
    if stdin is not None:
        options["stdin"] = io.StringIO(stdin)
    call_command("connex_credential", *args, **options)
    return out.getvalue()


def fail(*args: str, stdin: str | None = None) -> str:
    """Run the command expecting a CommandError; return its message, checked to be one line."""
    with pytest.raises(CommandError) as info:
        run(*args, stdin=stdin)
    message = str(info.value)
    assert message
    assert "\n" not in message
    return message


def printed_password(output: str) -> str:
    match = re.search(r"^\s*Password:\s*(\S+)\s*$", output, re.M)
    assert match, output
    return match.group(1)


def sign_in(username: str, secret: str) -> int:
    return HTTPSClient().get("/connex/authenticatetowebservice", HTTP_AUTHORIZATION=basic(username, secret)).status_code


class TestAdd:
    def test_generates_a_password_printed_once_that_signs_in(self):
        output = run("add", "qb-office")

        secret = printed_password(output)
        assert re.search(r"^\s*User name:\s*qb-office\s*$", output, re.M)
        assert "will not be shown again" in output
        assert output.count(secret) == 1
        credential = ConnexCredential.objects.get(username="qb-office")
        assert credential.is_active
        assert credential.stores == []
        assert secret not in credential.secret_digest
        assert sign_in("qb-office", secret) == 200

    def test_stores_are_trimmed_and_blanks_dropped(self):
        output = run("add", "qb-office", "--store", " Web ", "--store", "", "--store", "Retail")

        assert ConnexCredential.objects.get().stores == ["Web", "Retail"]
        assert "Web, Retail" in output

    def test_password_from_stdin_loses_one_trailing_newline_and_is_not_printed(self):
        output = run("add", "qb-office", "--password-stdin", stdin=STRONG + "\n")

        assert STRONG not in output
        assert "standard input" in output
        assert sign_in("qb-office", STRONG) == 200

    def test_password_from_stdin_keeps_everything_but_the_newline(self):
        run("add", "qb-office", "--password-stdin", stdin=STRONG + "!\n")

        assert sign_in("qb-office", STRONG + "!") == 200
        assert sign_in("qb-office", STRONG) == 401

    @pytest.mark.parametrize(
        ("secret", "error"),
        [
            ("short-one\n", "The secret is too short"),
            ("abababababababababab\n", "The secret is too simple"),
            (f"{STRONG} \n", "must not start or end with a blank"),
            ("\n", "No password on standard input"),
        ],
    )
    def test_weak_password_from_stdin_fails_and_creates_nothing(self, secret, error):
        message = fail("add", "qb-office", "--password-stdin", stdin=secret)

        assert error in message
        assert not ConnexCredential.objects.exists()

    def test_duplicate_username_fails_and_keeps_the_existing_credential(self, credential):
        message = fail("add", credential.username)

        assert credential.username in message
        assert "already exists" in message
        assert ConnexCredential.objects.count() == 1
        assert sign_in(credential.username, credential.secret) == 200

    @pytest.mark.parametrize("username", ["qb office", "qb:office", ""])
    def test_invalid_username_fails_and_creates_nothing(self, username):
        message = fail("add", username)

        assert "Cannot add" in message
        assert not ConnexCredential.objects.exists()


class TestList:
    def test_one_line_per_credential_without_secrets(self, settings):
        settings.TIME_ZONE = "America/New_York"  # the times below are read in New York
        used = ConnexCredentialFactory(username="qb-office", stores=["Web", "Retail"])
        ConnexCredential.objects.filter(pk=used.pk).update(
            last_used_at=db_time(dt.datetime(2024, 1, 5, 15, 30, tzinfo=dt.timezone.utc))
        )
        off = ConnexCredentialFactory(username="qb-old", is_active=False)

        output = run("list")

        lines = output.splitlines()
        assert len(lines) == 2
        office_line, old_line = lines  # sorted by user name
        assert old_line.split()[:2] == ["qb-old", "disabled"]
        assert "all stores" in old_line
        assert "never" in old_line
        assert office_line.split()[:2] == ["qb-office", "active"]
        assert "Web, Retail" in office_line
        assert "2024-01-05 10:30" in office_line  # TIME_ZONE is America/New_York
        for credential in (used, off):
            credential.refresh_from_db()
            assert credential.secret not in output
            assert credential.secret_digest not in output
        assert "hmac-sha256" not in output

    def test_no_credentials_says_how_to_add_one(self):
        assert "connex_credential add" in run("list")


class TestDisable:
    def test_disabled_credential_can_no_longer_sign_in(self, credential):
        output = run("disable", credential.username)

        assert "Disabled" in output
        credential.refresh_from_db()
        assert not credential.is_active
        assert sign_in(credential.username, credential.secret) == 401

    def test_unknown_user_fails(self, credential):
        message = fail("disable", "nobody")

        assert "nobody" in message
        credential.refresh_from_db()
        assert credential.is_active


class TestRotate:
    def test_generated_secret_is_printed_once_and_replaces_the_old_one(self, credential):
        output = run("rotate", credential.username)

        secret = printed_password(output)
        assert output.count(secret) == 1
        assert "will not be shown again" in output
        assert sign_in(credential.username, secret) == 200
        assert sign_in(credential.username, credential.secret) == 401

    def test_secret_from_stdin_replaces_the_old_one(self, credential):
        output = run("rotate", credential.username, "--password-stdin", stdin=STRONG + "\n")

        assert STRONG not in output
        assert sign_in(credential.username, STRONG) == 200
        assert sign_in(credential.username, credential.secret) == 401

    def test_weak_secret_from_stdin_fails_and_keeps_the_old_one(self, credential):
        message = fail("rotate", credential.username, "--password-stdin", stdin="password\n")

        assert "The secret is too short" in message
        assert sign_in(credential.username, credential.secret) == 200

    def test_unknown_user_fails(self, credential):
        message = fail("rotate", "nobody")

        assert "nobody" in message
        assert sign_in(credential.username, credential.secret) == 200

    def test_rotating_a_disabled_credential_says_it_is_still_disabled(self):
        credential = ConnexCredentialFactory(is_active=False)

        output = run("rotate", credential.username)

        assert "disabled" in output
        assert sign_in(credential.username, printed_password(output)) == 401


class TestRotateWithGrace:
    """``rotate USERNAME --grace 24h``: both secrets work for the grace period, then only the new one."""

    def test_the_old_password_keeps_working_until_the_grace_period_ends(self, credential):
        output = run("rotate", credential.username, "--grace", "24h")

        new = printed_password(output)
        assert "the old one keeps working until" in output
        assert sign_in(credential.username, credential.secret) == 200
        assert sign_in(credential.username, new) == 200
        assert "old password works until" in run("list")

        # The grace period ends.
        ConnexCredential.objects.filter(pk=credential.pk).update(
            previous_valid_until=timezone.now() - dt.timedelta(seconds=1)
        )

        assert sign_in(credential.username, credential.secret) == 401
        assert sign_in(credential.username, new) == 200
        assert "old password" not in run("list")

    @pytest.mark.parametrize(
        ("grace", "expected"),
        [
            ("30m", dt.timedelta(minutes=30)),
            ("24h", dt.timedelta(hours=24)),
            ("2d", dt.timedelta(days=2)),
            ("12H", dt.timedelta(hours=12)),
            ("30d", dt.timedelta(days=30)),
        ],
    )
    def test_durations(self, credential, grace, expected):
        before = timezone.now()
        run("rotate", credential.username, "--grace", grace)

        credential.refresh_from_db()
        assert before + expected <= credential.previous_valid_until <= timezone.now() + expected

    @pytest.mark.parametrize("grace", ["24", "h", "1y", "1.5h", "-1h", "0h", "31d", "24 hours", ""])
    def test_a_bad_duration_is_one_line_and_changes_nothing(self, credential, grace):
        message = fail("rotate", credential.username, "--grace", grace)

        assert "--grace" in message
        credential.refresh_from_db()
        assert credential.previous_valid_until is None
        assert sign_in(credential.username, credential.secret) == 200

    def test_a_rotation_without_grace_ends_an_earlier_grace_period(self, credential):
        first = printed_password(run("rotate", credential.username, "--grace", "1d"))
        second = printed_password(run("rotate", credential.username))

        assert sign_in(credential.username, credential.secret) == 401
        assert sign_in(credential.username, first) == 401
        assert sign_in(credential.username, second) == 200

    def test_a_second_grace_rotation_keeps_only_the_secret_it_replaces(self, credential):
        first = printed_password(run("rotate", credential.username, "--grace", "1d"))
        second = printed_password(run("rotate", credential.username, "--grace", "1d"))

        assert sign_in(credential.username, credential.secret) == 401
        assert sign_in(credential.username, first) == 200
        assert sign_in(credential.username, second) == 200

    def test_a_disabled_credential_signs_in_with_neither(self):
        credential = ConnexCredentialFactory(is_active=False)

        new = printed_password(run("rotate", credential.username, "--grace", "1h"))

        assert sign_in(credential.username, credential.secret) == 401
        assert sign_in(credential.username, new) == 401


def test_from_the_shell_an_error_is_one_line_on_stderr_and_a_non_zero_exit():
    # The subprocess has its own, empty in-memory database: a weak secret is
    # refused before the database is touched, so no tables are needed.
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "tests.settings",
        "PYTHONPATH": str(ROOT),
        "CONNEX_TEST_DB": "sqlite",
    }
    result = subprocess.run(
        [sys.executable, "-m", "django", "connex_credential", "add", "qb-office", "--password-stdin"],
        input="short\n",
        capture_output=True,
        text=True,
        env=env,
        cwd=ROOT,
        timeout=60,
        check=False,
    )

    assert result.returncode != 0
    assert result.stdout == ""
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("CommandError: The secret is too short")


def test_add_binds_a_credential_to_a_merchant_and_list_shows_it(db):
    out = io.StringIO()
    call_command("connex_credential", "add", "tenant-7", "--merchant", " 7 ", stdout=out)

    assert ConnexCredential.objects.get(username="tenant-7").merchant == "7"
    assert "merchant 7" in out.getvalue()
    listing = io.StringIO()
    call_command("connex_credential", "list", stdout=listing)
    assert "merchant: 7" in listing.getvalue()
