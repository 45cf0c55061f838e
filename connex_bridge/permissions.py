"""The one permission every Connex endpoint requires."""

from __future__ import annotations

from typing import Any

from rest_framework.permissions import BasePermission
from rest_framework.request import Request

from connex_bridge.models import ConnexCredential


class IsConnexCredential(BasePermission):
    """Allows only requests authenticated as an active :class:`ConnexCredential`."""

    def has_permission(self, request: Request, view: Any) -> bool:
        auth = request.auth
        return isinstance(auth, ConnexCredential) and auth.is_active
