"""Django admin for Connex credentials.

A secret is shown once, on a page rendered in answer to the POST that created
or rotated it. It is never put in a flash message: messages live in the
session or a cookie, which would keep the secret in clear after the page is
gone. That page is sent with ``Cache-Control: no-store`` so that neither the
browser nor a proxy keeps a copy.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from typing import Any, ClassVar

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.cache import add_never_cache_headers, patch_cache_control
from django.utils.decorators import method_decorator
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.debug import sensitive_post_parameters, sensitive_variables

from connex_bridge import credential_secrets
from connex_bridge.actions import base_path
from connex_bridge.models import ConnexCredential, SyncLogEntry, SyncLogRange
from connex_bridge.synclog import entries_serving, sent_status

SHOWN_ONCE_TEMPLATE = "admin/connex_bridge/connexcredential/secret_once.html"

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


@admin.register(ConnexCredential)
class ConnexCredentialAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Lists, adds, disables and rotates Connex credentials without ever redisplaying a secret."""

    list_display = ["username", "is_active", "stores_display", "merchant", "last_used", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["username"]
    actions = ["disable_credentials", "rotate_secrets"]
    form = ConnexCredentialChangeForm
    add_form = ConnexCredentialAddForm
    add_fieldsets = [(None, {"fields": ["username", "stores", "merchant", "secret"]})]
    change_fieldsets = [
        (None, {"fields": ["username", "is_active", "stores", "merchant"]}),
        (_("Usage"), {"fields": ["created_at", "last_used_at", "previous_valid_until"]}),
    ]

    @admin.display(description=_("stores"))
    def stores_display(self, obj: ConnexCredential) -> str:
        return stores_label(obj.stores)

    @admin.display(description=_("last used"), ordering="last_used_at")
    def last_used(self, obj: ConnexCredential) -> datetime.datetime | str:
        return obj.last_used_at or gettext("never")

    def get_readonly_fields(self, request: HttpRequest, obj: ConnexCredential | None = None) -> list[str]:
        return [] if obj is None else ["created_at", "last_used_at", "previous_valid_until"]

    def get_fieldsets(self, request: HttpRequest, obj: ConnexCredential | None = None) -> Any:
        return self.add_fieldsets if obj is None else self.change_fieldsets

    def get_form(
        self, request: HttpRequest, obj: ConnexCredential | None = None, change: bool = False, **kwargs: Any
    ) -> Any:
        if obj is None:
            kwargs["form"] = self.add_form
        return super().get_form(request, obj, change=change, **kwargs)

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
        return self.secret_once_response(
            request,
            [(obj, secret)],
            title=gettext("Connex credential added"),
            intro=gettext("The Connex credential was added. Type these values into Connex's custom store settings."),
        )

    @sensitive_variables()
    def secret_once_response(
        self,
        request: HttpRequest,
        pairs: Iterable[tuple[ConnexCredential, str]],
        *,
        title: str,
        intro: str,
    ) -> HttpResponse:
        """The one page that shows clear secrets; never cached, never stored."""
        opts = self.opts
        context = {
            **self.admin_site.each_context(request),
            "opts": opts,
            "title": title,
            "intro": intro,
            "rows": [
                {
                    "username": credential.username,
                    "secret": secret,
                    "stores": stores_label(credential.stores),
                    "change_url": reverse(
                        f"admin:{opts.app_label}_{opts.model_name}_change",
                        args=[credential.pk],
                        current_app=self.admin_site.name,
                    ),
                }
                for credential, secret in pairs
            ],
            "base_url": connex_base_url(request),
            "changelist_url": reverse(
                f"admin:{opts.app_label}_{opts.model_name}_changelist", current_app=self.admin_site.name
            ),
        }
        response = TemplateResponse(request, SHOWN_ONCE_TEMPLATE, context)
        # Rendered here, under sensitive_variables(), rather than later by the
        # handler: an error while rendering must not put the context in a report.
        response.render()
        add_never_cache_headers(response)
        patch_cache_control(response, no_store=True)
        return response

    @admin.action(description=_("Disable selected credentials"), permissions=["change"])
    def disable_credentials(self, request: HttpRequest, queryset: QuerySet[ConnexCredential]) -> None:
        with transaction.atomic():
            credentials = list(queryset.filter(is_active=True))
            for credential in credentials:
                credential.is_active = False
                credential.save(update_fields=["is_active"])
                self.log_change(request, credential, [{"changed": {"fields": ["active"]}}])
        self.message_user(
            request,
            ngettext("Disabled %(count)d credential.", "Disabled %(count)d credentials.", len(credentials))
            % {"count": len(credentials)},
            messages.SUCCESS,
        )

    @admin.action(description=_("Rotate secret of selected credentials"), permissions=["change"])
    @sensitive_variables()
    def rotate_secrets(self, request: HttpRequest, queryset: QuerySet[ConnexCredential]) -> HttpResponse:
        pairs: list[tuple[ConnexCredential, str]] = []
        with transaction.atomic():
            for credential in queryset.order_by("username"):
                secret = credential_secrets.generate_secret()
                credential.set_secret(secret)  # no grace: the old secret stops at once
                credential.save(update_fields=ConnexCredential.SECRET_FIELDS)
                self.log_change(request, credential, [{"changed": {"fields": ["secret"]}}])
                pairs.append((credential, secret))
        return self.secret_once_response(
            request,
            pairs,
            title=gettext("Connex secrets rotated"),
            intro=gettext(
                "The old secrets no longer work. Type the new password of each credential into Connex's "
                "custom store settings."
            ),
        )


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
