"""URLs of the Connex endpoints: ``path("connex/", include("connex_bridge.urls"))``.

Built from the one table of actions (:mod:`connex_bridge.actions`): each action
matches in any letter case, with or without a trailing slash (or a doubled
leading one), and never redirects; any other path under the prefix, the prefix
itself included, is a 404 whose JSON string names the actions served. Everything
under the prefix is Connex's: give connex_bridge a prefix of its own.
"""

from __future__ import annotations

from connex_bridge.actions import ACTIONS, action_patterns

app_name = "connex_bridge"

urlpatterns = action_patterns(ACTIONS)
