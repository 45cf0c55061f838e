"""Hands a clear secret from the POST that made it to the one GET that shows it (POST/redirect/GET).

After *Add* or *Rotate*, the admin redirects to a page that shows the new password once: reloading
that page, going back to it or posting again never makes another secret. The secret must cross the
redirect without being kept in clear anywhere, so it is split in two halves, neither of which tells
anything alone:

* the session holds the payload encrypted with a one-time key (an HMAC-SHA256 keystream, XORed;
  with an HMAC of its own, so a changed session shows nothing rather than a wrong password);
* the key travels in a cookie that is HttpOnly, SameSite=Strict, Secure over HTTPS, scoped to the
  path of that one page and gone after :data:`SECONDS`.

The GET takes both and deletes both at once; a second GET finds neither. Each hand-over has its own
token (in the page's URL, and the cookie's name), so two tabs do not take each other's secrets.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Callable
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.views.decorators.debug import sensitive_variables

#: How long a secret waits for its page (seconds).
SECONDS = 300

SESSION_KEY = "connex_bridge_shown_once"
COOKIE_PREFIX = "connex_once_"


def cookie_name(token: str) -> str:
    return f"{COOKIE_PREFIX}{token}"


def _keystream(key: bytes, length: int) -> bytes:
    blocks = (hmac.new(key, b"stream" + n.to_bytes(8, "big"), hashlib.sha256).digest() for n in range(length // 32 + 1))
    return b"".join(blocks)[:length]


def _mac(key: bytes, sealed: bytes) -> str:
    return hmac.new(key, b"mac" + sealed, hashlib.sha256).hexdigest()


def _live(entries: Any, now: float) -> dict[str, Any]:
    if not isinstance(entries, dict):
        return {}
    return {token: entry for token, entry in entries.items() if isinstance(entry, dict) and entry["expires"] > now}


@sensitive_variables()
def hand_over(request: HttpRequest, payload: dict[str, Any], url_for: Callable[[str], str]) -> HttpResponseRedirect:
    """A redirect to ``url_for(token)``, the page that :func:`take` lets show ``payload`` once."""
    token = secrets.token_urlsafe(12)
    key = secrets.token_bytes(32)
    data = json.dumps(payload).encode()
    sealed = bytes(a ^ b for a, b in zip(data, _keystream(key, len(data)), strict=True))
    now = time.time()
    entries = _live(request.session.get(SESSION_KEY), now)
    entries[token] = {
        "sealed": base64.b64encode(sealed).decode(),
        "mac": _mac(key, sealed),
        "expires": now + SECONDS,
    }
    request.session[SESSION_KEY] = entries
    url = url_for(token)
    response = HttpResponseRedirect(url)
    response.set_cookie(
        cookie_name(token),
        base64.urlsafe_b64encode(key).decode(),
        max_age=SECONDS,
        path=url,
        secure=request.is_secure(),
        httponly=True,
        samesite="Strict",
    )
    return response


@sensitive_variables()
def take(request: HttpRequest, token: str) -> dict[str, Any] | None:
    """The payload handed over as ``token``, once; None when it was taken, has expired or never was.

    Either way, what the session held for ``token`` is deleted (call :func:`forget` on the response
    for the cookie).
    """
    now = time.time()
    stored = request.session.get(SESSION_KEY)
    entries = _live(stored, now)
    entry = entries.pop(token, None) if isinstance(stored, dict) and token in stored else None
    if stored is not None:
        if entries:
            request.session[SESSION_KEY] = entries
        else:
            del request.session[SESSION_KEY]
    cookie = request.COOKIES.get(cookie_name(token))
    if entry is None or not cookie:
        return None
    try:
        key = base64.urlsafe_b64decode(cookie.encode())
        sealed = base64.b64decode(entry["sealed"])
    except (binascii.Error, ValueError, KeyError):
        return None
    if not hmac.compare_digest(_mac(key, sealed), str(entry.get("mac", ""))):
        return None
    data = bytes(a ^ b for a, b in zip(sealed, _keystream(key, len(sealed)), strict=True))
    payload: dict[str, Any] = json.loads(data)
    return payload


def forget(response: HttpResponse, token: str, path: str) -> None:
    """Delete the key cookie of ``token`` in the browser."""
    response.delete_cookie(cookie_name(token), path=path, samesite="Strict")
