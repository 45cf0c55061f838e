"""The Connex credential admin: a secret is shown once, after a redirect, on a page no cache keeps, and never
again; rotating asks first; each credential's health (last poll, last failure, lockout) is on its pages."""

from __future__ import annotations

import datetime as dt
import html
import io
import re
from pathlib import Path

import pytest
from django.contrib import admin
from django.contrib.admin.models import LogEntry
from django.contrib.sessions.models import Session
from django.contrib.staticfiles import finders
from django.core.cache import cache
from django.core.management import call_command
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import path, reverse
from django.utils import timezone
from django.utils.cache import get_max_age

from connex_bridge import shown_once
from connex_bridge.models import ConnexCredential, SyncLogEntry
from connex_bridge.testing.client import HTTPSClient, basic
from connex_bridge.testing.factories import ConnexCredentialFactory
from connex_bridge.testing.harness import db_time

pytestmark = pytest.mark.django_db

CHANGELIST = reverse("admin:connex_bridge_connexcredential_changelist")
ADD = reverse("admin:connex_bridge_connexcredential_add")
ROTATE = reverse("admin:connex_bridge_connexcredential_rotate")
CLEAR_LOCKOUT = reverse("admin:connex_bridge_connexcredential_clear_lockout")
STRONG = "Kettle-Walrus-Quartz-19"

# A site whose URLconf has the admin but not the Connex endpoints (used with
# ROOT_URLCONF=__name__ below).
urlpatterns = [path("admin/", admin.site.urls)]


def change_url(credential: ConnexCredential) -> str:
    return reverse("admin:connex_bridge_connexcredential_change", args=[credential.pk])


def shown_secrets(content: str) -> dict[str, str]:
    """User name → password, as the secret page shows them (its groups and digit marks are markup only)."""
    pairs = re.findall(
        r'<code class="connex-username[^"]*"[^>]*>(.*?)</code>.*?<code class="connex-secret[^"]*"[^>]*>(.*?)</code>',
        content,
        re.S,
    )
    return {html.unescape(user): html.unescape(re.sub(r"<[^>]+>", "", secret)) for user, secret in pairs}


def visible_text(content: str) -> str:
    return re.sub(r"<[^>]+>", "", content)


def add(client: Client, data: dict, **extra) -> tuple:
    """POST the add form, then GET the page it redirects to: (the POST's answer, the secret page)."""
    posted = client.post(ADD, data, **extra)
    assert posted.status_code == 302, posted.content.decode()[:2000]
    return posted, client.get(posted["Location"], **extra)


def rotate(client: Client, *credentials: ConnexCredential, grace: str = "") -> tuple:
    """Choose the rotate action, confirm it: (the confirmation page, the confirm POST's answer, the secret page)."""
    confirm = client.post(CHANGELIST, {"action": "rotate_secrets", "_selected_action": [c.pk for c in credentials]})
    assert confirm.status_code == 200
    posted = client.post(ROTATE, confirm_form(confirm, grace=grace))
    assert posted.status_code == 302
    return confirm, posted, client.get(posted["Location"])


def confirm_form(page, grace: str = "") -> dict[str, str]:
    """The hidden fields of a rotate confirmation page, with the grace period chosen."""
    fields = dict(re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)"', page.content.decode()))
    fields.pop("csrfmiddlewaretoken", None)
    return {**fields, "grace": grace}


def poll_orders(username: str, secret: str, **extra) -> int:
    """The status Connex gets for an orders poll with these credentials."""
    query = "date_created_min=2024-01-01T00:00:00Z&date_created_max=2024-01-02T00:00:00Z"
    response = HTTPSClient().get(f"/connex/orders?{query}", HTTP_AUTHORIZATION=basic(username, secret), **extra)
    if response.streaming:
        b"".join(response.streaming_content)  # read to the end, as Connex does (the log is written then)
    return response.status_code


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
        _posted, response = add(admin_client, {"username": "qb-office", "stores": " Web ,, Retail ,", "secret": ""})

        assert response.status_code == 200
        assert "no-store" in cache_directives(response)
        assert get_max_age(response) == 0
        content = response.content.decode()
        secret = shown_secrets(content)["qb-office"]
        assert visible_text(content).count(secret) == 1
        assert "will not be shown again" in content
        assert "http://testserver/connex/" in content
        assert f'href="{CHANGELIST}"' in content

        credential = ConnexCredential.objects.get(username="qb-office")
        assert credential.stores == ["Web", "Retail"]
        assert credential.is_active
        assert secret not in credential.secret_digest
        assert credential.check_secret(secret)
        assert sign_in("qb-office", secret) == 200
        assert poll_orders("qb-office", secret) == 200

    def test_reloading_the_secret_page_shows_no_secret_and_the_secret_keeps_working(self, admin_client):
        posted, shown = add(admin_client, {"username": "qb-office", "stores": "", "secret": ""})
        secret = shown_secrets(shown.content.decode())["qb-office"]

        reloaded = admin_client.get(posted["Location"])

        content = reloaded.content.decode()
        assert reloaded.status_code == 200
        assert "no-store" in cache_directives(reloaded)
        assert "This secret was already shown; rotate again if it was not copied." in content
        assert shown_secrets(content) == {}
        assert secret not in content
        assert poll_orders("qb-office", secret) == 200  # nothing was rotated

    def test_the_redirect_carries_the_secret_in_two_halves_neither_of_which_holds_it(self, admin_client):
        posted = admin_client.post(ADD, {"username": "qb-office", "stores": "", "secret": STRONG})

        morsel = admin_client.cookies[next(name for name in admin_client.cookies if name.startswith("connex_once_"))]
        assert morsel["httponly"] and morsel["samesite"] == "Strict"
        assert morsel["path"] == posted["Location"]
        assert int(morsel["max-age"]) == shown_once.SECONDS
        assert not morsel["secure"]  # plain HTTP here; over HTTPS below
        for session in Session.objects.all():
            assert STRONG not in str(session.get_decoded())
        assert STRONG not in morsel.value
        assert shown_secrets(admin_client.get(posted["Location"]).content.decode()) == {"qb-office": STRONG}
        assert not admin_client.cookies[morsel.key].value  # deleted by the page
        assert_not_stored(STRONG, admin_client)

    def test_over_https_the_key_cookie_is_secure(self, admin_client):
        admin_client.post(ADD, {"username": "qb-office", "stores": "", "secret": STRONG}, secure=True)

        assert any(m["secure"] for name, m in admin_client.cookies.items() if name.startswith("connex_once_"))

    def test_the_secret_page_shows_nothing_after_a_few_minutes(self, admin_client, monkeypatch):
        posted = admin_client.post(ADD, {"username": "qb-office", "stores": "", "secret": STRONG})
        later = shown_once.time.time() + shown_once.SECONDS + 1
        monkeypatch.setattr(shown_once.time, "time", lambda: later)

        content = admin_client.get(posted["Location"]).content.decode()

        assert "already shown" in content
        assert STRONG not in content

    def test_the_session_alone_does_not_show_the_secret(self, admin_client):
        posted = admin_client.post(ADD, {"username": "qb-office", "stores": "", "secret": STRONG})
        for name in [name for name in admin_client.cookies if name.startswith("connex_once_")]:
            del admin_client.cookies[name]

        content = admin_client.get(posted["Location"]).content.decode()

        assert STRONG not in content
        assert "already shown" in content

    def test_secret_is_kept_neither_in_session_nor_messages(self, admin_client):
        _posted, response = add(admin_client, {"username": "qb-office", "stores": "", "secret": ""})
        secret = shown_secrets(response.content.decode())["qb-office"]

        assert_not_stored(secret, admin_client)
        assert secret not in admin_client.get(change_url(ConnexCredential.objects.get())).content.decode()

    def test_typed_strong_secret_is_stored_and_signs_in(self, admin_client):
        _posted, response = add(admin_client, {"username": "qb-office", "stores": "Web", "secret": STRONG})

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
        _posted, response = add(admin_client, {"username": "qb-office", "stores": "", "secret": STRONG})

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

    def test_enable_action_lets_connex_sign_in_again_and_is_logged(self, admin_client, credential):
        ConnexCredential.objects.filter(pk=credential.pk).update(is_active=False)

        response = admin_client.post(
            CHANGELIST, {"action": "enable_credentials", "_selected_action": [credential.pk]}, follow=True
        )

        assert "Enabled 1 credential." in response.content.decode()
        assert sign_in(credential.username, credential.secret) == 200
        assert LogEntry.objects.filter(object_id=str(credential.pk)).count() == 1

    def test_rotate_action_asks_first_and_rotates_nothing_until_confirmed(self, admin_client, credential):
        confirm = admin_client.post(CHANGELIST, {"action": "rotate_secrets", "_selected_action": [credential.pk]})

        content = confirm.content.decode()
        assert confirm.status_code == 200
        assert "Yes, rotate" in content
        assert 'name="grace"' in content
        for value in ("1h", "1d", "7d"):
            assert f'value="{value}"' in content
        assert credential.secret_digest not in content
        assert sign_in(credential.username, credential.secret) == 200
        # Posting the form without its confirmation shows the page again, and rotates nothing.
        unconfirmed = confirm_form(confirm)
        del unconfirmed["confirm"]
        assert "Yes, rotate" in admin_client.post(ROTATE, unconfirmed).content.decode()
        assert sign_in(credential.username, credential.secret) == 200

    def test_rotate_shows_new_secrets_once_after_a_redirect_and_old_ones_stop_working(self, admin_client):
        first = ConnexCredentialFactory(username="qb-office")
        second = ConnexCredentialFactory(username="qb-warehouse")
        untouched = ConnexCredentialFactory(username="qb-other")

        _confirm, posted, response = rotate(admin_client, first, second)

        assert response.status_code == 200
        assert "no-store" in cache_directives(response)
        content = response.content.decode()
        shown = shown_secrets(content)
        assert set(shown) == {"qb-office", "qb-warehouse"}
        for old in (first, second):
            new_secret = shown[old.username]
            assert new_secret != old.secret
            assert visible_text(content).count(new_secret) == 1
            assert old.secret not in content
            assert sign_in(old.username, old.secret) == 401
            assert poll_orders(old.username, new_secret) == 200
            assert_not_stored(new_secret, admin_client)
        assert sign_in(untouched.username, untouched.secret) == 200
        assert LogEntry.objects.filter(object_id__in=[str(first.pk), str(second.pk)]).count() == 2
        # Reloading the page shows no secret and rotates nothing.
        assert shown_secrets(admin_client.get(posted["Location"]).content.decode()) == {}
        assert poll_orders("qb-office", shown["qb-office"]) == 200

    def test_posting_the_confirmation_again_rotates_nothing_twice(self, admin_client, credential):
        confirm, _posted, response = rotate(admin_client, credential)
        secret = shown_secrets(response.content.decode())[credential.username]
        digest = ConnexCredential.objects.get().secret_digest

        again = admin_client.post(ROTATE, confirm_form(confirm), follow=True)

        assert "Nothing was rotated" in again.content.decode()
        assert ConnexCredential.objects.get().secret_digest == digest
        assert poll_orders(credential.username, secret) == 200

    def test_rotate_with_a_grace_period_keeps_the_old_secret_working_until_then(self, admin_client, credential):
        _confirm, _posted, response = rotate(admin_client, credential, grace="1d")

        new_secret = shown_secrets(response.content.decode())[credential.username]
        assert "keeps working until" in response.content.decode()
        assert sign_in(credential.username, credential.secret) == 200
        assert sign_in(credential.username, new_secret) == 200
        credential.refresh_from_db()
        left = credential.previous_valid_until - timezone.now()
        assert dt.timedelta(hours=23, minutes=59) < left <= dt.timedelta(days=1)

    def test_a_grace_period_not_offered_is_an_error_and_rotates_nothing(self, admin_client, credential):
        confirm = admin_client.post(CHANGELIST, {"action": "rotate_secrets", "_selected_action": [credential.pk]})

        response = admin_client.post(ROTATE, confirm_form(confirm, grace="45d"))

        assert response.status_code == 200
        assert "Grace period &#x27;45d&#x27; is not one of: none, 1h, 1d, 7d." in response.content.decode()
        assert sign_in(credential.username, credential.secret) == 200

    def test_rotate_without_grace_ends_a_grace_period_left_by_the_command(self, admin_client, credential):
        call_command("connex_credential", "rotate", credential.username, "--grace", "1d", stdout=io.StringIO())
        credential.refresh_from_db()
        assert credential.previous_secret_valid

        confirm, _posted, response = rotate(admin_client, credential)

        assert "rotating ends that at once" in confirm.content.decode()
        assert sign_in(credential.username, shown_secrets(response.content.decode())[credential.username]) == 200
        assert sign_in(credential.username, credential.secret) == 401
        credential.refresh_from_db()
        assert credential.previous_valid_until is None and credential.previous_secret_digest == ""

    def test_change_page_rotate_button_leads_to_the_confirmation(self, admin_client, credential):
        content = admin_client.get(change_url(credential)).content.decode()
        link = html.unescape(re.search(r'<a href="([^"]+)" class="connex-rotate-link"', content).group(1))

        confirm = admin_client.get(link)
        assert "Yes, rotate" in confirm.content.decode()
        assert sign_in(credential.username, credential.secret) == 200
        posted = admin_client.post(ROTATE, confirm_form(confirm))
        secret = shown_secrets(admin_client.get(posted["Location"]).content.decode())[credential.username]
        assert sign_in(credential.username, secret) == 200
        assert sign_in(credential.username, credential.secret) == 401

    def test_change_page_shows_until_when_the_old_secret_works_but_no_digest(self, admin_client, credential):
        call_command("connex_credential", "rotate", credential.username, "--grace", "1d", stdout=io.StringIO())
        credential.refresh_from_db()

        content = admin_client.get(change_url(credential)).content.decode()

        assert "old secret valid until" in content.lower()
        assert credential.previous_secret_digest not in content
        assert credential.secret_digest not in content

    def test_rotated_secret_is_not_on_later_pages(self, admin_client, credential):
        _confirm, _posted, response = rotate(admin_client, credential)
        new_secret = shown_secrets(response.content.decode())[credential.username]

        assert new_secret not in admin_client.get(change_url(credential)).content.decode()
        history = reverse("admin:connex_bridge_connexcredential_history", args=[credential.pk])
        assert new_secret not in admin_client.get(history).content.decode()
        assert_not_stored(new_secret, admin_client)

    def test_staff_who_may_only_view_cannot_rotate(self, client, django_user_model, credential):
        from django.contrib.auth.models import Permission

        user = django_user_model.objects.create_user("clerk", password="clerk-pass-123", is_staff=True)
        user.user_permissions.add(Permission.objects.get(codename="view_connexcredential"))
        client.force_login(user)

        assert client.get(ROTATE, {"ids": credential.pk}).status_code == 403
        assert client.post(CLEAR_LOCKOUT, {"ids": credential.pk}).status_code == 403
        assert sign_in(credential.username, credential.secret) == 200


class TestLooks:
    """The secret page follows the installed admin's markup and makes the password easy to copy."""

    def test_secret_page_breadcrumbs_use_the_markup_of_the_stock_admin_pages(self, admin_client, credential):
        stock = admin_client.get(change_url(credential)).content.decode()
        _posted, shown = add(admin_client, {"username": "qb-office", "stores": "", "secret": STRONG})
        confirm = admin_client.post(CHANGELIST, {"action": "rotate_secrets", "_selected_action": [credential.pk]})

        opening = re.search(r'<(ol|div) class="breadcrumbs">', stock).group(0)
        for page in (shown, confirm):
            content = page.content.decode()
            assert opening in content
            assert f'href="{CHANGELIST}"' in content.split(opening, 1)[1].split("</nav>", 1)[0]

    def test_password_is_large_monospace_grouped_with_a_copy_button_from_a_static_file(self, admin_client):
        secret = "Kett1e-0Walrus-Quartz-19"
        _posted, shown = add(admin_client, {"username": "qb-office", "stores": "", "secret": secret})

        content = shown.content.decode()
        assert '<span class="connex-digit">1</span>' in content
        assert content.count('<span class="connex-group">') == 6
        assert 'data-copy="connex-secret-1"' in content
        assert "connex_bridge/copy.js" in content and "<script>" not in content
        css = Path(finders.find("connex_bridge/admin.css")).read_text()
        assert "monospace" in css and "font-size: 1.5rem" in css
        assert "clipboard" in Path(finders.find("connex_bridge/copy.js")).read_text()


def log(credential, *, status=200, action="orders", at=None, message="", address="203.0.113.9", username=None):
    return SyncLogEntry.objects.create(
        at=at or timezone.now(),
        credential=credential if username is None else None,
        username=credential.username if username is None else username,
        action=action,
        method="GET",
        status=status,
        message=message,
        client_address=address,
    )


class TestHealth:
    def test_changelist_and_change_page_show_the_url_last_success_and_last_failure(self, admin_client, credential):
        assert poll_orders(credential.username, credential.secret) == 200
        assert sign_in(credential.username, "wrong-password") == 401

        for page in (admin_client.get(CHANGELIST), admin_client.get(change_url(credential))):
            content = html.unescape(page.content.decode())
            assert "http://testserver/connex/" in content
            assert ", orders" in content
            assert "authenticatetowebservice, 401: Connex could not sign in to the shop" in content
            assert "locked out" in content.lower()

    def test_a_failure_after_the_credential_signed_in_counts_too(self, admin_client, credential):
        log(credential, at=timezone.now() - dt.timedelta(hours=1))
        log(credential, status=400, action="changeorderstatus", message="OrderStatus is empty")

        content = html.unescape(admin_client.get(change_url(credential)).content.decode())

        assert "changeorderstatus, 400: OrderStatus is empty" in content

    def test_without_log_entries_the_pages_say_none_logged(self, admin_client, credential):
        content = admin_client.get(CHANGELIST).content.decode()

        assert content.count("none logged") == 2

    def test_changelist_queries_do_not_grow_with_the_credentials(self, admin_client, django_assert_num_queries):
        first = ConnexCredentialFactory(username="qb-0")
        log(first)
        log(first, status=401, username=first.username)
        with CaptureQueriesContext(connection) as one:
            assert admin_client.get(CHANGELIST).status_code == 200
        for n in range(1, 5):
            more = ConnexCredentialFactory(username=f"qb-{n}")
            log(more)
            log(more, status=401, username=more.username)

        with django_assert_num_queries(len(one.captured_queries)):
            content = admin_client.get(CHANGELIST).content.decode()
        assert content.count(", orders</td>") == 5 and content.count(", orders, 401") == 5

    def test_lockout_of_the_credential_shows_and_clears(self, admin_client, credential, settings):
        settings.CONNEX_BRIDGE = {"LOCKOUT_FAILURES": 3}
        connex_address = {"REMOTE_ADDR": "203.0.113.7"}
        for _ in range(3):
            sign_in_from(credential.username, "wrong-password", connex_address)
        assert sign_in_from(credential.username, credential.secret, connex_address) == 429

        content = admin_client.get(CHANGELIST).content.decode()
        assert "yes, 1 lock, until" in content

        response = admin_client.post(
            CHANGELIST, {"action": "clear_lockouts", "_selected_action": [credential.pk]}, follow=True
        )
        assert "Cleared the lockout of 1 credential (1 locks were set)." in response.content.decode()
        assert sign_in_from(credential.username, credential.secret, connex_address) == 200
        assert LogEntry.objects.filter(object_id=str(credential.pk)).count() == 1

    def test_an_address_lock_where_connex_signs_in_shows_and_the_change_page_clears_it(
        self, admin_client, credential, settings
    ):
        settings.CONNEX_BRIDGE = {"LOCKOUT_IP_FAILURES": 3}
        connex_address = {"REMOTE_ADDR": "203.0.113.7"}
        assert poll_orders(credential.username, credential.secret, **connex_address) == 200
        for n in range(3):  # guesses at other user names, from the address Connex signs in from
            sign_in_from(f"guess-{n}", "wrong-password", connex_address)
        assert sign_in_from(credential.username, credential.secret, connex_address) == 429

        assert "yes, 1 lock" in admin_client.get(change_url(credential)).content.decode()
        response = admin_client.post(CLEAR_LOCKOUT, {"ids": credential.pk}, follow=True)

        assert response.redirect_chain[-1][0] == change_url(credential)
        assert "Cleared the lockout of 1 credential" in response.content.decode()
        assert sign_in_from(credential.username, credential.secret, connex_address) == 200

    def test_locks_from_other_addresses_leave_connex_alone_and_show(self, admin_client, credential, settings):
        settings.CONNEX_BRIDGE = {"LOCKOUT_FAILURES": 3}
        for _ in range(3):
            sign_in_from(credential.username, "wrong-password", {"REMOTE_ADDR": "198.51.100.66"})

        assert sign_in_from(credential.username, credential.secret, {"REMOTE_ADDR": "203.0.113.7"}) == 200
        assert "yes, 1 lock" in admin_client.get(CHANGELIST).content.decode()

    def test_an_unreadable_lockout_cache_says_the_state_is_unknown(self, admin_client, credential, monkeypatch):
        def broken(*args, **kwargs):
            raise ConnectionError("cache down")

        monkeypatch.setattr(cache, "get_many", broken)

        for url in (CHANGELIST, change_url(credential)):
            response = admin_client.get(url)
            assert response.status_code == 200
            assert "unknown: the lockout cache cannot be read" in response.content.decode()


def sign_in_from(username: str, secret: str, extra: dict) -> int:
    return (
        HTTPSClient()
        .get("/connex/authenticatetowebservice", HTTP_AUTHORIZATION=basic(username, secret), **extra)
        .status_code
    )


def test_staff_without_permission_cannot_open_the_add_page(client, django_user_model):
    user = django_user_model.objects.create_user("clerk", password="clerk-pass-123", is_staff=True)
    client.force_login(user)

    assert client.get(ADD).status_code == 403
