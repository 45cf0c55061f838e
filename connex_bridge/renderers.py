"""The JSON renderer of the Connex endpoints."""

from __future__ import annotations

from typing import Any

from rest_framework.renderers import BaseRenderer

from connex_bridge import wire


class ConnexJSONRenderer(BaseRenderer):
    """Compact UTF-8 JSON with exact decimal money (see :func:`connex_bridge.wire.dumps`)."""

    media_type = "application/json"
    format = "json"
    charset = None  # JSON is UTF-8 by definition; no charset parameter (RFC 8259 §11)

    def render(self, data: Any, accepted_media_type: str | None = None, renderer_context: Any = None) -> bytes:
        if data is None:
            return b""
        return wire.dumps(data)
