"""Django admin for Connex credentials and the sync log (the built-in order models: order_admin.py).

A secret is shown once, on a page the admin redirects to after the POST that created or rotated it
(POST/redirect/GET, :mod:`connex_bridge.shown_once`): reloading that page shows no secret and
rotates nothing. The secret is never put in a flash message, nor in clear in the session or a
cookie. That page is sent with ``Cache-Control: no-store`` so that neither the browser nor a proxy
keeps a copy.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, ClassVar, cast
from urllib.parse import urlencode

import django
from django import forms
from django.conf import settings
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.template.loader import get_template
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import formats, timezone
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.crypto import salted_hmac
from django.utils.decorators import method_decorator
from django.utils.text import capfirst
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables

from connex_bridge import credential_secrets, lockout, order_admin, shown_once
from connex_bridge.actions import base_path
from connex_bridge.conf import app_settings
from connex_bridge.models import ConnexCredential, SyncLogEntry, SyncLogRange
from connex_bridge.synclog import entries_serving, sent_status

__all__ = ["ConnexCredentialAdmin", "SyncLogEntryAdmin", "order_admin"]

SHOWN_ONCE_TEMPLATE = "admin/connex_bridge/connexcredential/secret_once.html"
ROTATE_TEMPLATE = "admin/connex_bridge/connexcredential/rotate_confirmation.html"

# The clear secret of a credential just added travels from the add form's
# save() to response_add() on the instance, which lives only as long as the request.
_SHOWN_ONCE_ATTR = "_connex_shown_once"


def split_stores(value: str) -> list[str]:
    """Store names from a comma-separated string: trimmed, blanks and repeats dropped."""
    names: list[str] = []
    for part in value.split(","):
        name = part.strip()
        if name and name not in names:
            names.append(name)
    return names


def stores_label(stores: Sequence[str] | None) -> str:
    """The stores of a credential as the admin shows them."""
    return ", ".join(stores) if stores else str(_("All stores"))


def connex_base_url(request: HttpRequest) -> str | None:
    """The absolute URL to type into Connex, or None when the Connex URLs cannot be reversed."""
    base = base_path()
    return None if base is None else request.build_absolute_uri(base)


class StoresField(forms.Field):
    """A JSON list of store names edited as one comma-separated line of text."""

    widget = forms.TextInput

    def prepare_value(self, value: Any) -> Any:
        if isinstance(value, (list, tuple)):
            return ", ".join(str(name) for name in value)
        return value

    def to_python(self, value: Any) -> list[str]:
        if isinstance(value, (list, tuple)):
            return [str(name) for name in value]
        return split_stores(str(value or ""))

    def has_changed(self, initial: Any, data: Any) -> bool:
        return self.to_python(initial) != self.to_python(data)


STORES_HELP = _("Store names this credential may see, separated by commas. Empty: every store.")


class ConnexCredentialChangeForm(forms.ModelForm):  # type: ignore[type-arg]
    """Edits a credential's user name, state and stores; the secret is out of reach here."""

    stores = StoresField(label=_("stores"), required=False, help_text=STORES_HELP)

    class Meta:
        model = ConnexCredential
        fields = ["username", "is_active", "stores", "merchant"]


class ConnexCredentialAddForm(forms.ModelForm):  # type: ignore[type-arg]
    """Creates a credential with a typed secret, or a generated one when left empty."""

    stores = StoresField(label=_("stores"), required=False, help_text=STORES_HELP)
    secret = forms.CharField(
        label=_("secret"),
        required=False,
        # Kept as typed: validate_secret() rejects leading or trailing blanks
        # instead of silently storing a secret other than the one typed.
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Leave empty to have a strong secret generated. It is shown once, after saving."),
    )

    class Meta:
        model = ConnexCredential
        fields = ["username", "stores", "merchant"]

    @sensitive_variables()
    def clean_secret(self) -> str:
        secret: str = self.cleaned_data.get("secret") or ""
        if not secret:
            return credential_secrets.generate_secret()
        try:
            credential_secrets.validate_secret(secret)
        except ValidationError as exc:
            raise forms.ValidationError(exc.messages, code=exc.code) from exc
        return secret

    @sensitive_variables()
    def save(self, commit: bool = True) -> ConnexCredential:
        credential: ConnexCredential = super().save(commit=False)
        secret: str = self.cleaned_data["secret"]
        credential.set_secret(secret)
        setattr(credential, _SHOWN_ONCE_ATTR, secret)
        if commit:
            credential.save()
        return credential


#: Grace periods the admin offers when rotating (the command's --grace takes any up to 30 days).
GRACE_CHOICES: list[tuple[str, datetime.timedelta | None, Any]] = [
    ("", None, _("None: the old password stops working at once")),
    ("1h", datetime.timedelta(hours=1), _("1 hour")),
    ("1d", datetime.timedelta(days=1), _("1 day")),
    ("7d", datetime.timedelta(days=7), _("7 days")),
]


def secret_version(credential: ConnexCredential) -> str:
    """A token that changes whenever the credential's secret does (never the digest itself).

    The rotate confirmation carries it, so posting that page again rotates nothing twice.
    """
    return salted_hmac(
        "connex_bridge.admin.rotate", f"{credential.pk}:{credential.secret_digest}", algorithm="sha256"
    ).hexdigest()[:24]


def secret_groups(secret: str, size: int = 4) -> list[list[tuple[str, bool]]]:
    """The secret in groups of ``size`` characters, each as (character, is a digit), for display."""
    return [[(c, c.isdigit()) for c in secret[i : i + size]] for i in range(0, len(secret), size)]


@lru_cache(maxsize=1)
def _ordered_breadcrumbs() -> bool:
    """True when the installed admin writes breadcrumbs as ``<ol class="breadcrumbs">`` (Django 6)."""
    try:
        source = get_template("admin/change_form.html").template.source  # type: ignore[attr-defined]
    except Exception:  # pragma: no cover - a template engine without .source
        return django.VERSION >= (6, 0)
    return '<ol class="breadcrumbs">' in str(source)


def _last_ok(field: str) -> Subquery:
    entries = SyncLogEntry.objects.filter(credential=OuterRef("pk"), status__lt=400, complete=True)
    return Subquery(entries.order_by("-at", "-pk").values(field)[:1])


def _last_failed() -> Subquery:
    # A refused sign-in names no credential (the log keeps the user name tried).
    mine = Q(credential=OuterRef("pk")) | Q(credential=None, username=OuterRef("username"))
    entries = SyncLogEntry.objects.filter(mine).exclude(status__lt=400, complete=True)
    return Subquery(entries.order_by("-at", "-pk").values("pk")[:1])


@dataclass
class Health:
    """What the admin shows of a credential's recent polls and lockout."""

    last_ok: SyncLogEntry | None = None
    last_failed: SyncLogEntry | None = None
    #: None when the lockout cache cannot be read.
    lock: lockout.LockState | None = None


_HEALTH_ATTR = "_connex_health"
_URL_ATTR = "_connex_base_url"


def attach_health(credentials: Sequence[ConnexCredential]) -> None:
    """Read the health of ``credentials`` (annotated by :meth:`ConnexCredentialAdmin.get_queryset`) at once:
    one query for their log entries and two reads of the lockout cache, whatever their number."""
    wanted = {pk for c in credentials for pk in (getattr(c, "last_ok_pk", None), getattr(c, "last_failed_pk", None))}
    wanted.discard(None)
    fields = ["pk", "at", "action", "status", "message", "client_address", "complete"]
    entries = SyncLogEntry.objects.only(*fields).in_bulk(list(wanted)) if wanted else {}
    health = [
        Health(entries.get(getattr(c, "last_ok_pk", None)), entries.get(getattr(c, "last_failed_pk", None)))
        for c in credentials
    ]
    pairs = zip(credentials, health, strict=True)
    states = lockout.lock_states([(c.username, h.last_ok.client_address if h.last_ok else None) for c, h in pairs])
    for index, (credential, found) in enumerate(zip(credentials, health, strict=True)):
        found.lock = None if states is None else states[index]
        setattr(credential, _HEALTH_ATTR, found)


def health_of(credential: ConnexCredential) -> Health:
    found = getattr(credential, _HEALTH_ATTR, None)
    if found is None:
        attach_health([credential])
        found = getattr(credential, _HEALTH_ATTR)
    return cast(Health, found)


def _when(moment: datetime.datetime) -> str:
    if settings.USE_TZ and timezone.is_aware(moment):
        moment = timezone.localtime(moment)
    return str(formats.localize(moment))


def _local_epoch(epoch: float) -> str:
    if settings.USE_TZ:
        return _when(datetime.datetime.fromtimestamp(epoch, tz=datetime.timezone.utc))
    return _when(datetime.datetime.fromtimestamp(epoch))


@admin.register(ConnexCredential)
class ConnexCredentialAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Lists, adds, disables, enables and rotates Connex credentials; shows each one's health.

    A secret is shown once, on a page reached by a redirect after the POST that made it
    (:mod:`connex_bridge.shown_once`): reloading it shows no secret and rotates nothing.
    """

    list_display = ["username", "is_active", "stores_display", "merchant", "last_used", "last_success",
                    "last_failure", "lockout_display"]  # fmt: skip
    list_filter = ["is_active"]
    search_fields = ["username"]
    actions = ["disable_credentials", "enable_credentials", "rotate_secrets", "clear_lockouts"]
    form = ConnexCredentialChangeForm
    add_form = ConnexCredentialAddForm
    add_fieldsets = [(None, {"fields": ["username", "stores", "merchant", "secret"]})]
    health_fields = ["connex_url", "last_success", "last_failure", "lockout_display"]
    change_fieldsets = [
        (None, {"fields": ["username", "is_active", "stores", "merchant"]}),
        (_("Health"), {"fields": health_fields}),
        (_("Usage"), {"fields": ["created_at", "last_used_at", "previous_valid_until"]}),
    ]
    change_list_template = "admin/connex_bridge/connexcredential/change_list.html"
    change_form_template = "admin/connex_bridge/connexcredential/change_form.html"

    # --- health ---------------------------------------------------------------------------------

    def get_queryset(self, request: HttpRequest) -> QuerySet[ConnexCredential]:
        return super().get_queryset(request).annotate(last_ok_pk=_last_ok("pk"), last_failed_pk=_last_failed())

    def get_changelist_instance(self, request: HttpRequest) -> Any:
        changelist = super().get_changelist_instance(request)
        attach_health(list(changelist.result_list))
        return changelist

    @admin.display(description=_("stores"))
    def stores_display(self, obj: ConnexCredential) -> str:
        return stores_label(obj.stores)

    @admin.display(description=_("last used"), ordering="last_used_at")
    def last_used(self, obj: ConnexCredential) -> datetime.datetime | str:
        return obj.last_used_at or gettext("never")

    @admin.display(description=_("URL to type into Connex"))
    def connex_url(self, obj: ConnexCredential) -> str:
        url: str | None = getattr(obj, _URL_ATTR, None)
        return url or gettext("the address at which your site includes connex_bridge.urls, ending in a slash")

    @admin.display(description=_("last successful poll"))
    def last_success(self, obj: ConnexCredential) -> str:
        entry = health_of(obj).last_ok
        if entry is None:
            return gettext("none logged") if app_settings.SYNC_LOG else gettext("not logged (SYNC_LOG is off)")
        return gettext("%(when)s, %(action)s") % {"when": _when(entry.at), "action": entry.action or "/"}

    @admin.display(description=_("last failure"))
    def last_failure(self, obj: ConnexCredential) -> str:
        entry = health_of(obj).last_failed
        if entry is None:
            return gettext("none logged") if app_settings.SYNC_LOG else gettext("not logged (SYNC_LOG is off)")
        status = (
            str(entry.status) if entry.status >= 400 else gettext("%(status)s, cut short") % {"status": entry.status}
        )
        text = gettext("%(when)s, %(action)s, %(status)s") % {
            "when": _when(entry.at),
            "action": entry.action or "/",
            "status": status,
        }
        return f"{text}: {entry.message}" if entry.message else text

    @admin.display(description=_("locked out"))
    def lockout_display(self, obj: ConnexCredential) -> str:
        state = health_of(obj).lock
        if state is None:
            return gettext("unknown: the lockout cache cannot be read")
        if not state.locked:
            return gettext("no")
        return ngettext(
            "yes, %(count)d lock, until %(until)s",
            "yes, %(count)d locks, the last until %(until)s",
            state.locks,
        ) % {"count": state.locks, "until": _local_epoch(state.until or 0)}

    # --- forms and pages ------------------------------------------------------------------------

    def get_readonly_fields(self, request: HttpRequest, obj: ConnexCredential | None = None) -> list[str]:
        return [] if obj is None else [*self.health_fields, "created_at", "last_used_at", "previous_valid_until"]

    def get_fieldsets(self, request: HttpRequest, obj: ConnexCredential | None = None) -> Any:
        return self.add_fieldsets if obj is None else self.change_fieldsets

    def get_form(
        self, request: HttpRequest, obj: ConnexCredential | None = None, change: bool = False, **kwargs: Any
    ) -> Any:
        if obj is None:
            kwargs["form"] = self.add_form
        return super().get_form(request, obj, change=change, **kwargs)

    def get_object(self, request: HttpRequest, object_id: str, from_field: str | None = None) -> Any:
        obj = super().get_object(request, object_id, from_field)
        if obj is not None:
            attach_health([obj])
            setattr(obj, _URL_ATTR, connex_base_url(request))  # for connex_url(), which gets no request
        return obj

    def changelist_view(self, request: HttpRequest, extra_context: dict[str, Any] | None = None) -> Any:
        context = {"connex_base_url": connex_base_url(request), **(extra_context or {})}
        return super().changelist_view(request, extra_context=context)

    def change_view(
        self, request: HttpRequest, object_id: str, form_url: str = "", extra_context: dict[str, Any] | None = None
    ) -> Any:
        context = {
            "rotate_url": self._url("rotate") + "?" + urlencode({"ids": object_id}),
            "clear_lockout_url": self._url("clear_lockout"),
            "connex_object_id": object_id,
            **(extra_context or {}),
        }
        return super().change_view(request, object_id, form_url, extra_context=context)

    def get_urls(self) -> list[Any]:
        info = f"{self.opts.app_label}_{self.opts.model_name}"
        wrap = self.admin_site.admin_view
        return [
            path("secret/<str:token>/", wrap(self.secret_view), name=f"{info}_secret"),
            path("rotate/", wrap(self.rotate_view), name=f"{info}_rotate"),
            path("clear-lockout/", wrap(self.clear_lockout_view), name=f"{info}_clear_lockout"),
            *super().get_urls(),
        ]

    def _url(self, name: str, *args: Any) -> str:
        return reverse(
            f"admin:{self.opts.app_label}_{self.opts.model_name}_{name}", args=args, current_app=self.admin_site.name
        )

    def _app_url(self) -> str:
        return reverse("admin:app_list", kwargs={"app_label": self.opts.app_label}, current_app=self.admin_site.name)

    def _context(self, request: HttpRequest, title: str, **extra: Any) -> dict[str, Any]:
        changelist_url = self._url("changelist")
        return {
            **self.admin_site.each_context(request),
            "opts": self.opts,
            "title": title,
            "changelist_url": changelist_url,
            "ordered_breadcrumbs": _ordered_breadcrumbs(),
            "crumbs": [
                (reverse("admin:index", current_app=self.admin_site.name), gettext("Home")),
                (self._app_url(), self.opts.app_config.verbose_name),
                (changelist_url, capfirst(self.opts.verbose_name_plural)),
                (None, title),
            ],
            **extra,
        }

    def _selected(self, request: HttpRequest, ids: Iterable[str]) -> list[ConnexCredential]:
        pks = [value for value in ids if value.isdigit()]
        return list(self.get_queryset(request).filter(pk__in=pks).order_by("username"))

    @staticmethod
    def _ids(request: HttpRequest) -> list[str]:
        source = request.POST if request.method == "POST" else request.GET
        return [value for raw in source.getlist("ids") for value in raw.split(",") if value]

    # --- add: the secret page after a redirect ---------------------------------------------------

    # The typed secret is hidden from error reports (POST data and every frame below).
    @method_decorator(sensitive_post_parameters("secret"))
    @sensitive_variables()
    def add_view(self, request: HttpRequest, form_url: str = "", extra_context: dict[str, Any] | None = None) -> Any:
        # Every successful add ends on the secret page, so the buttons that
        # would lead elsewhere are left out.
        context = {"show_save_and_continue": False, "show_save_and_add_another": False, **(extra_context or {})}
        return super().add_view(request, form_url, extra_context=context)

    @sensitive_variables()
    def response_add(self, request: HttpRequest, obj: ConnexCredential, post_url_continue: str | None = None) -> Any:
        secret = getattr(obj, _SHOWN_ONCE_ATTR)
        delattr(obj, _SHOWN_ONCE_ATTR)
        return self.hand_over(request, "added", [(obj, secret)])

    @sensitive_variables()
    def hand_over(
        self, request: HttpRequest, kind: str, pairs: Iterable[tuple[ConnexCredential, str]], grace: str = ""
    ) -> HttpResponse:
        """Redirect to the page that shows these secrets once (POST/redirect/GET)."""
        payload = {
            "kind": kind,
            "grace": grace,
            "rows": [
                {
                    "pk": credential.pk,
                    "username": credential.username,
                    "secret": secret,
                    "stores": stores_label(credential.stores),
                    "old_until": credential.previous_valid_until.timestamp()
                    if credential.previous_valid_until
                    else None,
                }
                for credential, secret in pairs
            ],
        }
        return shown_once.hand_over(request, payload, lambda token: self._url("secret", token))

    @sensitive_variables()
    def secret_view(self, request: HttpRequest, token: str) -> HttpResponse:
        """The page that shows the secrets handed over as ``token``, once; never cached, never stored."""
        if not self.has_change_permission(request) and not self.has_add_permission(request):
            raise PermissionDenied
        payload = shown_once.take(request, token)
        if payload is None:
            context = self._context(request, gettext("Secret already shown"), rows=[], shown=False)
        else:
            title = (
                gettext("Connex credential added") if payload["kind"] == "added" else gettext("Connex secrets rotated")
            )
            rows = [
                {
                    **row,
                    "groups": secret_groups(row["secret"]),
                    "old_until": _local_epoch(row["old_until"]) if row.get("old_until") else None,
                    "change_url": self._url("change", row["pk"]),
                }
                for row in payload["rows"]
            ]
            context = self._context(
                request, title, rows=rows, shown=True, kind=payload["kind"], base_url=connex_base_url(request)
            )
        response = TemplateResponse(request, SHOWN_ONCE_TEMPLATE, context)
        # Rendered here, under sensitive_variables(), rather than later by the
        # handler: an error while rendering must not put the context in a report.
        response.render()
        add_never_cache_headers(response)
        patch_cache_control(response, no_store=True)
        shown_once.forget(response, token, request.path)
        return response

    # --- rotate: confirm, then the secret page ---------------------------------------------------

    @admin.action(description=_("Rotate secret of selected credentials…"), permissions=["change"])
    def rotate_secrets(self, request: HttpRequest, queryset: QuerySet[ConnexCredential]) -> HttpResponse:
        return self.rotate_confirmation(request, list(queryset.order_by("username")))

    def rotate_confirmation(
        self, request: HttpRequest, credentials: list[ConnexCredential], error: str = ""
    ) -> HttpResponse:
        context = self._context(
            request,
            gettext("Rotate Connex secrets"),
            credentials=[
                {
                    "obj": c,
                    "version": secret_version(c),
                    "grace_until": c.previous_valid_until if c.previous_secret_valid else None,
                }
                for c in credentials
            ],
            grace_choices=[(value, label) for value, _delta, label in GRACE_CHOICES],
            grace=request.POST.get("grace", "") if request.method == "POST" else "",
            ids=",".join(str(c.pk) for c in credentials),
            form_url=self._url("rotate"),
            error=error,
        )
        return TemplateResponse(request, ROTATE_TEMPLATE, context)

    @sensitive_variables()
    def rotate_view(self, request: HttpRequest) -> HttpResponse:
        """GET (the change page's *Rotate*): the confirmation. POST with ``confirm``: rotate, then the secret page."""
        if not self.has_change_permission(request):
            raise PermissionDenied
        credentials = self._selected(request, self._ids(request))
        if not credentials:
            self.message_user(request, gettext("No credential was selected to rotate."), messages.WARNING)
            return HttpResponseRedirect(self._url("changelist"))
        if request.method != "POST" or request.POST.get("confirm") != "yes":
            return self.rotate_confirmation(request, credentials)
        grace_value = request.POST.get("grace", "")
        graces = {value: delta for value, delta, _label in GRACE_CHOICES}
        if grace_value not in graces:
            return self.rotate_confirmation(
                request,
                credentials,
                error=gettext("Grace period %(value)r is not one of: none, %(choices)s.")
                % {"value": grace_value, "choices": ", ".join(v for v in graces if v)},
            )
        pairs: list[tuple[ConnexCredential, str]] = []
        with transaction.atomic():
            locked = list(ConnexCredential.objects.select_for_update().filter(pk__in=[c.pk for c in credentials]))
            stale = [c.username for c in locked if request.POST.get(f"version_{c.pk}") != secret_version(c)]
            if stale or len(locked) != len(credentials):
                self.message_user(
                    request,
                    gettext(
                        "Nothing was rotated: the secret of %(names)s changed after the confirmation page was "
                        "shown (was the page posted twice?). The password shown then still works."
                    )
                    % {"names": ", ".join(sorted(stale)) or gettext("a credential")},
                    messages.ERROR,
                )
                return HttpResponseRedirect(self._url("changelist"))
            for credential in sorted(locked, key=lambda c: c.username):
                secret = credential_secrets.generate_secret()
                credential.set_secret(secret, grace=graces[grace_value])
                credential.save(update_fields=ConnexCredential.SECRET_FIELDS)
                change = {"changed": {"fields": ["secret"]}}
                self.log_change(request, credential, [change])
                pairs.append((credential, secret))
        return self.hand_over(request, "rotated", pairs, grace_value)

    # --- disable, enable, clear lockout ----------------------------------------------------------

    def _set_active(self, request: HttpRequest, queryset: QuerySet[ConnexCredential], active: bool) -> None:
        with transaction.atomic():
            credentials = list(queryset.filter(is_active=not active))
            for credential in credentials:
                credential.is_active = active
                credential.save(update_fields=["is_active"])
                self.log_change(request, credential, [{"changed": {"fields": ["active"]}}])
        done = (
            ngettext("Enabled %(count)d credential.", "Enabled %(count)d credentials.", len(credentials))
            if active
            else ngettext("Disabled %(count)d credential.", "Disabled %(count)d credentials.", len(credentials))
        )
        self.message_user(request, done % {"count": len(credentials)}, messages.SUCCESS)

    @admin.action(description=_("Disable selected credentials"), permissions=["change"])
    def disable_credentials(self, request: HttpRequest, queryset: QuerySet[ConnexCredential]) -> None:
        self._set_active(request, queryset, active=False)

    @admin.action(description=_("Enable selected credentials"), permissions=["change"])
    def enable_credentials(self, request: HttpRequest, queryset: QuerySet[ConnexCredential]) -> None:
        self._set_active(request, queryset, active=True)

    @admin.action(description=_("Clear lockout of selected credentials"), permissions=["change"])
    def clear_lockouts(self, request: HttpRequest, queryset: QuerySet[ConnexCredential]) -> None:
        self._clear_lockouts(request, list(queryset.order_by("username")))

    def _clear_lockouts(self, request: HttpRequest, credentials: list[ConnexCredential]) -> None:
        attach_health(credentials)
        cleared = 0
        try:
            for credential in credentials:
                last_ok = health_of(credential).last_ok
                cleared += lockout.clear_lockout(credential.username, last_ok.client_address if last_ok else None)
                self.log_change(request, credential, gettext("Cleared the lockout of Connex sign-ins."))
        except Exception as exc:
            self.message_user(
                request,
                gettext("The lockout cache cannot be used, so nothing could be cleared: %(error)s")
                % {"error": f"{type(exc).__name__}: {exc}"},
                messages.ERROR,
            )
            return
        self.message_user(
            request,
            ngettext(
                "Cleared the lockout of %(count)d credential (%(locks)d locks were set).",
                "Cleared the lockout of %(count)d credentials (%(locks)d locks were set).",
                len(credentials),
            )
            % {"count": len(credentials), "locks": cleared},
            messages.SUCCESS,
        )

    def clear_lockout_view(self, request: HttpRequest) -> HttpResponse:
        """The change page's *Clear lockout*: POST clears and returns to the change page."""
        if not self.has_change_permission(request) or request.method != "POST":
            raise PermissionDenied
        credentials = self._selected(request, self._ids(request))
        self._clear_lockouts(request, credentials)
        if len(credentials) == 1:
            return HttpResponseRedirect(self._url("change", credentials[0].pk))
        return HttpResponseRedirect(self._url("changelist"))


class LoggedStatusFilter(admin.SimpleListFilter):
    """Succeeded / failed, then each status code the log holds."""

    title = _("status")
    parameter_name = "status"

    def lookups(self, request: HttpRequest, model_admin: Any) -> list[tuple[str, str]]:
        codes = SyncLogEntry.objects.order_by("status").values_list("status", flat=True).distinct()
        return [("ok", str(_("Succeeded"))), ("failed", str(_("Failed"))), *((str(code), str(code)) for code in codes)]

    def queryset(self, request: HttpRequest, queryset: QuerySet[Any]) -> QuerySet[Any]:
        value = self.value()
        if value == "ok":
            return queryset.filter(status__lt=400, complete=True)
        if value == "failed":
            return queryset.exclude(status__lt=400, complete=True)
        if value and value.isdigit():
            return queryset.filter(status=int(value))
        return queryset


class SyncLogRangeInline(admin.TabularInline):  # type: ignore[type-arg]
    model = SyncLogRange
    fields = ["list", "numbers", "statuses_sent"]
    readonly_fields = ("list", "numbers", "statuses_sent")
    extra = 0
    can_delete = False
    verbose_name_plural = _("order numbers served")

    @admin.display(description=_("order numbers"))
    def numbers(self, obj: SyncLogRange) -> str:
        return obj.text

    @admin.display(description=_("statuses sent, in number order"))
    def statuses_sent(self, obj: SyncLogRange) -> str:
        return obj.status_summary(obj.entry.statuses or [])

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(SyncLogEntry)
class SyncLogEntryAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """The sync log, read-only: what Connex asked and what it got. Search by an order number."""

    list_display = ["at", "who", "action", "status_display", "orders", "refunds", "payments", "duration_ms",
                    "client_address"]  # fmt: skip
    list_filter: ClassVar[Any] = ["credential", "action", LoggedStatusFilter, "at"]
    date_hierarchy = "at"
    search_fields = ["username", "message"]
    search_help_text = _(
        "An order number finds the requests that sent it; other text searches user names and messages."
    )
    list_select_related = ["credential"]
    inlines = [SyncLogRangeInline]
    readonly_fields = [
        "at", "credential", "username", "action", "method", "query", "body", "status", "message", "orders",
        "refunds", "payments", "purchases", "products", "complete", "bytes_sent", "duration_ms", "client_address",
    ]  # fmt: skip
    fields: ClassVar[Any] = readonly_fields

    @admin.display(description=_("credential"), ordering="username")
    def who(self, obj: SyncLogEntry) -> str:
        if obj.credential_id is not None:
            return obj.username
        return gettext("%(name)s (no such credential)") % {"name": obj.username} if obj.username else "—"

    @admin.display(description=_("status"), ordering="status")
    def status_display(self, obj: SyncLogEntry) -> str:
        if obj.status < 400 and not obj.complete:
            return gettext("%(status)s, cut short") % {"status": obj.status}
        return str(obj.status)

    def get_list_display(self, request: HttpRequest) -> Any:
        """With an order number searched for, a column says in which list and status each request sent it."""
        display = list(super().get_list_display(request))
        term = request.GET.get("q", "").strip()
        if term:

            @admin.display(description=gettext("order %(number)s sent as") % {"number": term})
            def sent_as(obj: SyncLogEntry) -> str:
                found = sent_status(obj, term)
                return f"{found[1]} ({found[0]})" if found is not None else "—"

            display.insert(display.index("status_display") + 1, sent_as)
        return display

    def get_search_results(
        self, request: HttpRequest, queryset: QuerySet[Any], search_term: str
    ) -> tuple[QuerySet[Any], bool]:
        term = search_term.strip()
        if not term:
            return queryset, False
        found, may_have_duplicates = super().get_search_results(request, queryset, term)
        return found | entries_serving(term, queryset), may_have_duplicates

    def get_urls(self) -> list[Any]:
        """The preview page (connex_bridge/admin_preview.py) first: the object id pattern would take it."""
        from connex_bridge.admin_preview import PreviewViews

        return [*PreviewViews(self).urls(), *super().get_urls()]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # manage.py connex_prune_log keeps the log to SYNC_LOG_DAYS
