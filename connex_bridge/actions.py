"""The one table of the Connex actions this package serves (docs/protocol.md §2).

Everything that needs to know the actions reads it: :mod:`connex_bridge.urls`
builds its URL patterns from it, and the ``SECURE_REDIRECT_EXEMPT`` addition,
the deployment checks, the 404 for a path that is no action, and the OpenAPI
schema all read the actions as the URLconf routes them
(:func:`connex_bridge.transport.routed_actions`), so a URLconf that serves
another table (a test's, or a later version's) is covered by all of them.

A leaf module: views are named by dotted path, so the table imports nothing
of connex_bridge.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from django.urls import URLPattern, re_path
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
)

#: URL name of the pattern that answers every other one-segment path under the prefix with a 404.
UNKNOWN_ACTION_URL_NAME = "unknown_action"


def action_patterns(actions: Iterable[Action] = ACTIONS) -> list[URLPattern]:
    """URL patterns serving ``actions``, then a 404 naming them for any other action name.

    ``connex_bridge.urls`` is ``action_patterns(ACTIONS)``; a URLconf serving another table
    includes ``(action_patterns(table), "connex_bridge")``.
    """
    actions = tuple(actions)
    patterns = [
        re_path(action.pattern, import_string(action.view).as_view(action=action), name=action.url_name)
        for action in actions
    ]
    unknown: Any = import_string("connex_bridge.views.UnknownActionView")
    # One path segment at most: deeper paths under a prefix that the host shares stay the host's.
    patterns.append(re_path(r"^(?:/*)(?P<name>[^/]*)/?\Z", unknown.as_view(), name=UNKNOWN_ACTION_URL_NAME))
    return patterns
