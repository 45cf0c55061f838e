"""The one table of the Connex actions this package serves (docs/protocol.md §2).

Everything that needs to know the actions reads it: :mod:`connex_bridge.urls`
builds its URL patterns from it, and the ``SECURE_REDIRECT_EXEMPT`` addition,
the deployment checks, the 404 for a path that is no action, and the OpenAPI
schema all read the actions as the URLconf routes them
(:func:`routed_actions`), so a URLconf that serves
another table (a test's, or a later version's) is covered by all of them.

A leaf module: views are named by dotted path, so the table imports nothing
of connex_bridge.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.urls import NoReverseMatch, URLPattern, get_resolver, re_path, reverse
from django.urls.resolvers import RegexPattern
from django.utils.module_loading import import_string


@dataclass(frozen=True)
class Action:
    """One Connex action: the last segment of the URLs Connex requests."""

    #: The action as Connex spells it in its URLs (matched in any letter case).
    name: str
    #: The HTTP methods it answers.
    methods: tuple[str, ...]
    #: Dotted path of its view: a :class:`connex_bridge.views.ConnexAPIView` subclass whose thin
    #: handlers call the action's flow in :mod:`connex_bridge.flows`.
    view: str
    #: The URL name under the ``connex_bridge`` namespace (``reverse("connex_bridge:orders")``).
    url_name: str
    #: Whether Connex sends a JSON body that the action reads.
    reads_body: bool = False
    #: One line for the OpenAPI schema and the docs.
    summary: str = ""

    @property
    def pattern(self) -> str:
        """The regex of its URL below the include() prefix.

        Any letter case (Connex's sources spell the pairing action three ways), an optional
        trailing slash, and leading slashes (a base URL typed with a trailing slash makes Connex
        ask for ``connex//orders``). Character classes (``[oO][rR]…``), not ``(?i)``, keep the
        pattern reversible.
        """
        letters = "".join(f"[{c.lower()}{c.upper()}]" if c.isalpha() else c for c in self.name)
        return rf"^(?:/*){letters}/?\Z"


ACTIONS: tuple[Action, ...] = (
    Action(
        name="authenticatetowebservice",
        methods=("GET", "POST"),
        view="connex_bridge.views.AuthenticateToWebServiceView",
        url_name="authenticate",
        summary="Pairing check",
    ),
    Action(
        name="orders",
        methods=("GET",),
        view="connex_bridge.views.OrdersView",
        url_name="orders",
        summary="Orders, refunds and payments of a window",
    ),
    # --- the catalogue side ---
    Action(
        name="inventory",
        methods=("PUT", "POST"),
        view="connex_bridge.views.InventoryView",
        url_name="inventory",
        reads_body=True,
        summary="Stock levels from QuickBooks",
    ),
    Action(
        name="purchaseorders",
        methods=("GET",),
        view="connex_bridge.views.PurchaseOrdersView",
        url_name="purchaseorders",
        summary="Purchase orders and bills of a window",
    ),
    # --- back from QuickBooks: the order side ---
    Action(
        name="changeorderstatus",
        methods=("POST",),
        view="connex_bridge.views.ChangeOrderStatusView",
        url_name="changeorderstatus",
        reads_body=True,
        summary="A status, tracking number and dates QuickBooks recorded for an order",
    ),
    Action(
        name="createorders",
        methods=("POST", "PUT"),
        view="connex_bridge.views.CreateOrdersView",
        url_name="createorders",
        reads_body=True,
        summary="Orders created in QuickBooks, created in the shop",
    ),
)

#: URL name of the pattern that answers every other path under the prefix with a 404.
UNKNOWN_ACTION_URL_NAME = "unknown_action"


def action_patterns(actions: Iterable[Action] = ACTIONS) -> list[URLPattern]:
    """URL patterns serving ``actions``, then a 404 naming them for any other path under the prefix.

    ``connex_bridge.urls`` is ``action_patterns(ACTIONS)``; a URLconf serving another table
    includes ``(action_patterns(table), "connex_bridge")``.
    """
    actions = tuple(actions)
    patterns = [
        re_path(action.pattern, import_string(action.view).as_view(action=action), name=action.url_name)
        for action in actions
    ]
    unknown: Any = import_string("connex_bridge.views.UnknownActionView")
    # Everything under the prefix: a base URL typed with an action in it makes Connex ask for
    # "connex/orders/orders", which must get the message too.
    regex = RegexPattern(r"^(?:/*)(?P<name>.*?)/*\Z", name=UNKNOWN_ACTION_URL_NAME, is_endpoint=True)
    patterns.append(UnknownActionPattern(regex, unknown.as_view(), name=UNKNOWN_ACTION_URL_NAME))
    return patterns


class UnknownActionPattern(URLPattern):
    """The catch-all under the prefix, which steps aside when the actions are included at the site's root.

    There, a path that is no action may be one of the host's own pages listed after the include: it is
    left to the patterns that follow, and to the host's 404.
    """

    def resolve(self, path: str) -> Any:
        if base_path() == "/":
            return None
        return super().resolve(path)


NAMESPACE = "connex_bridge"


def routed_actions() -> list[tuple[Action, str]]:
    """Each action the URLconf serves, with its path as ``reverse()`` gives it (``/connex/orders``).

    Read from the patterns the URLconf includes under the ``connex_bridge`` namespace, so it is
    :data:`ACTIONS` for ``include("connex_bridge.urls")``, and whatever
    table a URLconf built its patterns from otherwise. ``[]`` when connex_bridge is not routed.
    """
    try:
        _prefix, included = get_resolver().namespace_dict[NAMESPACE]
    except KeyError:
        return []
    routed = []
    for pattern in included.url_patterns:
        action = getattr(getattr(pattern, "callback", None), "view_initkwargs", {}).get("action")
        if isinstance(action, Action):
            try:
                routed.append((action, reverse(f"{NAMESPACE}:{action.url_name}")))
            except NoReverseMatch:
                continue
    return routed


def served_action_names() -> list[str]:
    """The names of the actions this shop serves, as Connex spells them."""
    return [action.name for action, _path in routed_actions()]


def base_path() -> str | None:
    """The path of the base URL typed into Connex (``/connex/``); None when connex_bridge is not routed."""
    for action, path in routed_actions():
        return path[: -len(action.name)]
    return None
