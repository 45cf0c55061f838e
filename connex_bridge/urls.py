"""URLs of the Connex endpoints: ``path("connex/", include("connex_bridge.urls"))``.

Connex matched action names case-insensitively and its sources spell them
several ways, so each name matches in any case, with or without a trailing
slash (or a doubled leading one), and never redirects. The character-class form (``[oO][rR]…``) keeps
the patterns reversible, which ``(?i)`` would not.
"""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpResponseBase
from django.urls import URLPattern, re_path

from connex_bridge import views

app_name = "connex_bridge"


def action(name: str, view: Callable[..., HttpResponseBase], url_name: str) -> URLPattern:
    """A pattern matching ``name`` in any letter case, with or without a trailing slash."""
    letters = "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else c for c in name)
    # "/*": a base URL typed with a trailing slash makes Connex ask for "connex//orders".
    return re_path(rf"^(?:/*){letters}/?\Z", view, name=url_name)


urlpatterns = [
    action("authenticatetowebservice", views.AuthenticateToWebServiceView.as_view(), "authenticate"),
    action("orders", views.OrdersView.as_view(), "orders"),
]
