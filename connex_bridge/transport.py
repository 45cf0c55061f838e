"""Keep Django's ``SECURE_SSL_REDIRECT`` off the Connex paths, which refuse plain HTTP themselves.

Connex does not follow redirects: a 301 from ``SecurityMiddleware`` fails its sync where the views' own
403 tells the merchant to type ``https://``. The app's ``ready()`` wraps ``SECURE_REDIRECT_EXEMPT`` in
:class:`ConnexRedirectExempt`, which adds the regex of the Connex paths when the middleware reads it. The
URLconf is read then, not in ``ready()``: importing it while apps load breaks hosts whose URLconf needs
every app (the admin's registrations, for one).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import unquote

from django.conf import settings

from connex_bridge.actions import routed_actions


def routed_paths() -> dict[str, str]:
    """Action name → its path as ``SecurityMiddleware`` sees it (decoded, no leading slash); {} when not routed."""
    paths = {action.name: unquote(path).lstrip("/") for action, path in routed_actions()}
    return paths if all(path.endswith(name) for name, path in paths.items()) else {}


def exempt_regex() -> str | None:
    """The ``SECURE_REDIRECT_EXEMPT`` regex matching the Connex paths, and nothing else; None when not routed.

    It allows what the action patterns allow (any letter case, a trailing slash, the doubled slash of a
    base URL typed with one), so ``connex/orders`` is exempt but ``connex/other`` or ``account/orders``
    are not, even when the host shares the ``connex/`` prefix.
    """
    by_prefix: dict[str, list[str]] = {}
    for action, path in routed_paths().items():
        by_prefix.setdefault(path[: -len(action)], []).append(action)
    branches = [
        (re.escape(prefix) + "/*" if prefix else "") + f"(?i:{'|'.join(actions)})"
        for prefix, actions in by_prefix.items()
    ]
    if not branches:
        return None
    return "^" + (branches[0] if len(branches) == 1 else f"(?:{'|'.join(branches)})") + r"/?\Z"


class ConnexRedirectExempt(list[str]):
    """``SECURE_REDIRECT_EXEMPT`` as ``ready()`` leaves it: the host's patterns, then the Connex regex.

    The list holds the host's patterns only; iterating it (which is how ``SecurityMiddleware`` and check
    W003 read it) yields them and then :func:`exempt_regex`, computed from the URLconf at that moment.
    ``len()``, indexing, ``in`` and ``==`` see the host's patterns alone. Iterating never raises: a URLconf
    that cannot be loaded, or that does not route connex_bridge, adds nothing.
    """

    def __iter__(self) -> Iterator[str]:
        yield from super().__iter__()
        try:
            regex = exempt_regex()
        except Exception:  # the URLconf's own error surfaces at the first request
            regex = None
        if regex is not None:
            yield regex

    def __repr__(self) -> str:
        return f"{type(self).__name__}({super().__repr__()})"


def exempt_connex_paths() -> None:
    """Wrap ``settings.SECURE_REDIRECT_EXEMPT`` once (from ``ready()``); a value that is not a list is left alone."""
    current = settings.SECURE_REDIRECT_EXEMPT
    if isinstance(current, (list, tuple)) and not isinstance(current, ConnexRedirectExempt):
        settings.SECURE_REDIRECT_EXEMPT = ConnexRedirectExempt(current)
