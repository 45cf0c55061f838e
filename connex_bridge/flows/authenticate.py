"""``authenticatetowebservice``: Connex's pairing check (docs/protocol.md §2)."""

from __future__ import annotations

from connex_bridge.models import ConnexCredential

#: The answer Connex takes as "paired".
PAIRED = "OK"


def pair(credential: ConnexCredential) -> str:
    """The pairing answer for a credential that signed in. Signing in is the whole check."""
    return PAIRED
