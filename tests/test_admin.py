"""The Connex credential admin: a secret is shown once, on a page no cache keeps, and never again."""

from __future__ import annotations

import datetime as dt
import html
import io
import re

import pytest
from django.contrib import admin
from django.contrib.sessions.models import Session
from django.core.management import call_command
from django.test import Client, override_settings
from django.urls import path, reverse
from django.utils.cache import get_max_age

from connex_bridge.models import ConnexCredential
from connex_bridge.testing.client import HTTPSClient, basic
from connex_bridge.testing.factories import ConnexCredentialFactory
from connex_bridge.testing.harness import db_time

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:connex_bridge_connexcredential_changelist")
ADD = reverse("admin:connex_bridge_connexcredential_add")
STRONG = "Kettle-Walrus-Quartz-19"

# A site whose URLconf has the admin but not the Connex endpoints (used with
# ROOT_URLCONF=__name__ below).
urlpatterns = [path("admin/", admin.site.urls)]


def change_url(credential: ConnexCredential) -> str:
    return reverse("admin:connex_bridge_connexcredential_change", args=[credential.pk])


def shown_secrets(content: str) -> dict[str, str]:
    """User name → password, as the secret page shows them."""
    pairs = re.findall(
        r'<code class="connex-username">(.*?)</code>.*?<code class="connex-secret">(.*?)</code>', content, re.S
    )
    return {html.unescape(user): html.unescape(secret) for user, secret in pairs}


def sign_in(username: str, secret: str) -> int:
    """The status Connex gets for its pairing check with these credentials."""
    return HTTPSClient().get("/connex/authenticatetowebservice", HTTP_AUTHORIZATION=basic(username, secret)).status_code


def assert_not_stored(secret: str, client: Client) -> None:
    """Neither a session row nor a cookie nor the next page holds the secret."""
    for session in Session.objects.all():
        assert secret not in str(session.get_decoded())
    for morsel in client.cookies.values():
        assert secret not in morsel.value
    assert secret not in client.get(CHANGELIST).content.decode()


def cache_directives(response) -> set[str]:
    return {d.strip().lower() for d in response.headers.get("Cache-Control", "").split(",")}


class TestAdd:
    def test_empty_secret_generates_one_shown_once_that_signs_in(self, admin_client):
        response = admin_client.post(ADD, {"username": "qb-office", "stores": " Web ,, Retail ,", "secret": ""})

        assert response.status_code == 200
        assert "no-store" in cache_directives(response)
        assert get_max_age(response) == 0
        content = response.content.decode()
        secret = shown_secrets(content)["qb-office"]
        assert content.count(secret) == 1
        assert "will not be shown again" in content
        assert "http://testserver/connex/" in content
        assert f'href="{CHANGELIST}"' in content

        credential = ConnexCredential.objects.get(username="qb-office")
        assert credential.stores == ["Web", "Retail"]
        assert credential.is_active
        assert secret not in credential.secret_digest
        assert credential.check_secret(secret)
        assert sign_in("qb-office", secret) == 200

    def test_secret_is_kept_neither_in_session_nor_messages(self, admin_client):
        response = admin_client.post(ADD, {"username": "qb-office", "stores": "", "secret": ""})
        secret = shown_secrets(response.content.decode())["qb-office"]

        assert_not_stored(secret, admin_client)
        assert secret not in admin_client.get(change_url(ConnexCredential.objects.get())).content.decode()

    def test_typed_strong_secret_is_stored_and_signs_in(self, admin_client):
        response = admin_client.post(ADD, {"username": "qb-office", "stores": "Web", "secret": STRONG})

        assert response.status_code == 200
        assert shown_secrets(response.content.decode()) == {"qb-office": STRONG}
        assert sign_in("qb-office", STRONG) == 200
        assert sign_in("qb-office", STRONG + "x") == 401

    def test_a_credential_can_be_bound_to_a_merchant(self, admin_client):
        admin_client.post(ADD, {"username": "tenant-7", "stores": "", "merchant": "7", "secret": ""})

        assert ConnexCredential.objects.get(username="tenant-7").merchant == "7"
        assert "tenant-7" in admin_client.get(CHANGELIST).content.decode()

    @pytest.mark.parametrize(
        ("secret", "error"),
        [
            ("short-one", "The secret is too short"),
            ("abababababababababab", "The secret is too simple"),
            (f" {STRONG}", "must not start or end with a blank"),
        ],
    )
    def test_weak_typed_secret_is_a_form_error_and_creates_nothing(self, admin_client, secret, error):
        response = admin_client.post(ADD, {"username": "qb-office", "stores": "", "secret": secret})

        assert response.status_code == 200
        assert error in response.content.decode()
        assert response.context["adminform"].form.errors["secret"]
        assert secret not in response.content.decode()
        assert not ConnexCredential.objects.exists()

    def test_invalid_or_taken_username_is_a_form_error(self, admin_client, credential):
        bad = admin_client.post(ADD, {"username": "qb office", "stores": "", "secret": ""})
        taken = admin_client.post(ADD, {"username": credential.username, "stores": "", "secret": ""})

        assert bad.context["adminform"].form.errors["username"]
        assert taken.context["adminform"].form.errors["username"]
        assert list(ConnexCredential.objects.values_list("username", flat=True)) == [credential.username]

    @override_settings(ROOT_URLCONF=__name__)
    def test_without_the_connex_urls_the_page_still_shows_the_secret(self, admin_client):
        response = admin_client.post(ADD, {"username": "qb-office", "stores": "", "secret": STRONG})

        content = response.content.decode()
        assert shown_secrets(content) == {"qb-office": STRONG}
        assert "connex_bridge.urls" in content

    def test_add_form_has_no_digest_field_and_a_password_input(self, admin_client):
        content = admin_client.get(ADD).content.decode()

        assert 'type="password" name="secret"' in content
        assert "secret_digest" not in content


class TestChangelistAndChangePage:
    def test_changelist_shows_username_stores_and_last_use_but_no_secret(self, admin_client, settings):
        settings.TIME_ZONE = "America/New_York"  # the times below are read in New York
        used = ConnexCredentialFactory(username="qb-office", stores=["Web", "Retail"])
        ConnexCredential.objects.filter(pk=used.pk).update(
            last_used_at=db_time(dt.datetime(2024, 1, 5, 15, 30, tzinfo=dt.timezone.utc))
        )
        fresh = ConnexCredentialFactory(username="qb-warehouse")

        content = admin_client.get(CHANGELIST).content.decode()

        assert "qb-office" in content
        assert "Web, Retail" in content
        assert "Jan. 5, 2024, 10:30 a.m." in content  # TIME_ZONE is America/New_York
        assert "qb-warehouse" in content
        assert "All stores" in content
        assert "never" in content
        for credential in (used, fresh):
            credential.refresh_from_db()
            assert credential.secret not in content
            assert credential.secret_digest not in content
        assert "hmac-sha256$" not in content

    def test_change_page_shows_neither_digest_nor_secret(self, admin_client, credential):
        content = admin_client.get(change_url(credential)).content.decode()

        assert credential.username in content
        assert credential.secret_digest not in content
        assert "hmac-sha256$" not in content
        assert credential.secret not in content
        assert 'name="secret' not in content

    def test_change_page_edits_stores_and_state_but_keeps_the_secret(self, admin_client, credential):
        digest = credential.secret_digest
        response = admin_client.post(
            change_url(credential), {"username": "connex", "stores": "Web, Retail", "is_active": ""}
        )

        assert response.status_code == 302
        credential.refresh_from_db()
        assert credential.stores == ["Web", "Retail"]
        assert not credential.is_active
        assert credential.secret_digest == digest

    def test_change_page_shows_stores_as_comma_separated_text(self, admin_client):
        credential = ConnexCredentialFactory(stores=["Web", "Retail"])

        content = admin_client.get(change_url(credential)).content.decode()

        assert 'name="stores" value="Web, Retail"' in content


class TestActions:
    def test_disable_action_disables_and_connex_is_refused(self, admin_client, credential):
        assert sign_in(credential.username, credential.secret) == 200

        response = admin_client.post(
            CHANGELIST, {"action": "disable_credentials", "_selected_action": [credential.pk]}, follow=True
        )

        assert "Disabled 1 credential." in response.content.decode()
        credential.refresh_from_db()
        assert not credential.is_active
        assert sign_in(credential.username, credential.secret) == 401

    def test_rotate_action_shows_new_secrets_once_and_old_ones_stop_working(self, admin_client):
        first = ConnexCredentialFactory(username="qb-office")
        second = ConnexCredentialFactory(username="qb-warehouse")
        untouched = ConnexCredentialFactory(username="qb-other")

        response = admin_client.post(
            CHANGELIST, {"action": "rotate_secrets", "_selected_action": [first.pk, second.pk]}
        )

        assert response.status_code == 200
        assert "no-store" in cache_directives(response)
        content = response.content.decode()
        shown = shown_secrets(content)
        assert set(shown) == {"qb-office", "qb-warehouse"}
        for old in (first, second):
            new_secret = shown[old.username]
            assert new_secret != old.secret
            assert content.count(new_secret) == 1
            assert old.secret not in content
            assert sign_in(old.username, old.secret) == 401
            assert sign_in(old.username, new_secret) == 200
            assert_not_stored(new_secret, admin_client)
        assert sign_in(untouched.username, untouched.secret) == 200

    def test_rotate_action_ends_a_grace_period_left_by_the_command(self, admin_client, credential):
        call_command("connex_credential", "rotate", credential.username, "--grace", "1d", stdout=io.StringIO())
        credential.refresh_from_db()
        assert credential.previous_secret_valid

        response = admin_client.post(CHANGELIST, {"action": "rotate_secrets", "_selected_action": [credential.pk]})

        assert sign_in(credential.username, shown_secrets(response.content.decode())[credential.username]) == 200
        assert sign_in(credential.username, credential.secret) == 401
        credential.refresh_from_db()
        assert credential.previous_valid_until is None and credential.previous_secret_digest == ""

    def test_change_page_shows_until_when_the_old_secret_works_but_no_digest(self, admin_client, credential):
        call_command("connex_credential", "rotate", credential.username, "--grace", "1d", stdout=io.StringIO())
        credential.refresh_from_db()

        content = admin_client.get(change_url(credential)).content.decode()

        assert "old secret valid until" in content.lower()
        assert credential.previous_secret_digest not in content
        assert credential.secret_digest not in content

    def test_rotated_secret_is_not_on_later_pages(self, admin_client, credential):
        response = admin_client.post(CHANGELIST, {"action": "rotate_secrets", "_selected_action": [credential.pk]})
        new_secret = shown_secrets(response.content.decode())[credential.username]

        assert new_secret not in admin_client.get(change_url(credential)).content.decode()
        history = reverse("admin:connex_bridge_connexcredential_history", args=[credential.pk])
        assert new_secret not in admin_client.get(history).content.decode()
        assert_not_stored(new_secret, admin_client)


def test_staff_without_permission_cannot_open_the_add_page(client, django_user_model):
    user = django_user_model.objects.create_user("clerk", password="clerk-pass-123", is_staff=True)
    client.force_login(user)

    assert client.get(ADD).status_code == 403
