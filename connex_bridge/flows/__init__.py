"""One module per Connex action: what the action does, knowing nothing of HTTP.

Modelled on django-allauth's ``account/internal/flows/``: each flow is a plain
object prepared from a credential and the action's input, behind a thin view
(:mod:`connex_bridge.views`). A preview, a management command or a test calls
the same flow the view does. A flow refuses bad input with
:class:`InvalidInputError`, whose message is written for the merchant; the views
answer it with a 400.
"""

from __future__ import annotations


class InvalidInputError(ValueError):
    """The action's input is wrong; the message names the parameter (or body path), the value and
    the expected form, and is shown to the merchant as it is."""
