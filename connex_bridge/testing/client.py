"""Test clients that talk to the Connex endpoints the way Connex does: over HTTPS, with Basic auth.

Needs nothing beyond Django; nothing at run time imports this module.
"""

from __future__ import annotations

import base64
import json
from functools import partial
from typing import TYPE_CHECKING, Any

from django.http import HttpResponse
from django.test import Client

if TYPE_CHECKING:
    from connex_bridge.models import ConnexCredential


def basic(username: str, password: str) -> str:
    """An HTTP Basic Authorization header value."""
    return "Basic " + base64.b64encode(f"{username}:{password}".encode()).decode()


def _https_by_default(name: str) -> Any:
    method = getattr(Client, name)

    def request(self: Client, path: str, *args: Any, secure: bool = True, **kwargs: Any) -> Any:
        return method(self, path, *args, secure=secure, **kwargs)

    request.__name__ = name
    return request


class HTTPSClient(Client):
    """A test client whose requests arrive over HTTPS, as the Connex endpoints require.

    ``secure=False`` on one request sends it over plain HTTP.
    """

    get = _https_by_default("get")
    post = _https_by_default("post")
    head = _https_by_default("head")
    options = _https_by_default("options")
    put = _https_by_default("put")
    patch = _https_by_default("patch")
    delete = _https_by_default("delete")
    trace = _https_by_default("trace")


class ConnexClient(HTTPSClient):
    """A test client that sends one credential's Basic header over HTTPS, as Connex does.

    A streamed answer is read to the end, as Connex reads it, and returned as
    a plain response (``.content``, ``.json()``) marked ``streamed = True``.
    """

    def __init__(self, credential: ConnexCredential, **kwargs: Any) -> None:
        super().__init__(HTTP_AUTHORIZATION=basic(credential.username, credential.secret), **kwargs)

    def request(self, **request: Any) -> Any:
        response = super().request(**request)
        if not response.streaming:
            response.streamed = False
            return response
        body = b"".join(response.streaming_content)
        read = HttpResponse(body, status=response.status_code)
        for header, value in response.items():
            read[header] = value
        read.streamed = True
        read.json = partial(json.loads, body)
        return read
