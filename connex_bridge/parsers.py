"""Reading the body of a Connex request, whatever the host's ``REST_FRAMEWORK`` says.

Connex's builds vary in the ``Content-Type`` they send, may send a body without
``Content-Length`` (chunked), and push whole inventories that can outgrow
Django's ``DATA_UPLOAD_MAX_MEMORY_SIZE`` (2.5 MB by default). So the body is
read here, never through ``request.body``: at most
``CONNEX_BRIDGE["MAX_BODY_BYTES"]`` bytes of it, as JSON whose numbers are
exact decimals, with DRF's JSON settings (``STRICT_JSON`` …) playing no part.
A view calls :func:`read_body` (or :func:`read_json`); every failure is a DRF
``APIException``, which the Connex exception handler answers as a JSON string.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Mapping
from typing import Any, Protocol, TypeVar

from django.core.handlers.asgi import ASGIRequest
from django.http import HttpRequest, RawPostDataException
from rest_framework import exceptions
from rest_framework.parsers import BaseParser
from rest_framework.request import Request

from connex_bridge.conf import SETTING_NAME, app_settings
from connex_bridge.wire import BadBodyError, loads

T = TypeVar("T")

_CHUNK = 64 * 1024


class _Readable(Protocol):
    def read(self, size: int, /) -> bytes: ...


class BodyTooLarge(exceptions.APIException):
    """413: the body is larger than ``CONNEX_BRIDGE["MAX_BODY_BYTES"]``; nothing of it was applied."""

    status_code = 413
    default_code = "body_too_large"

    def __init__(self, limit: int) -> None:
        super().__init__(
            f"The body holds more than {limit} bytes ({SETTING_NAME}['MAX_BODY_BYTES']); "
            "the shop's developer can raise that setting."
        )


class ConnexJSONParser(BaseParser):
    """A JSON body as Connex sends it, decoded with exact decimals (:func:`connex_bridge.wire.loads`).

    It reads the stream itself, at most ``MAX_BODY_BYTES`` + 1 bytes of it, and
    refuses a larger body with a 413: at once when ``Content-Length`` declares
    one. Not valid UTF-8 (a byte-order mark is fine), empty or not JSON is a
    400 ``ParseError`` saying where. Whatever the ``Content-Type``, or none: the
    Connex views' content negotiation picks the first parser.

    DRF calls a parser only when the request has a ``Content-Length``; use
    :func:`read_json`, which reads a body without one too.
    """

    media_type = "application/json"

    def parse(
        self, stream: _Readable | None, media_type: str | None = None, parser_context: Mapping[str, Any] | None = None
    ) -> Any:
        request = (parser_context or {}).get("request")
        limit = app_settings.MAX_BODY_BYTES
        declared = declared_length(request.META) if request is not None else None
        if declared is not None and declared > limit:
            raise BodyTooLarge(limit)
        data = _read_at_most(stream, limit + 1) if stream is not None else b""
        if len(data) > limit:
            raise BodyTooLarge(limit)
        try:
            return loads(data)
        except BadBodyError as exc:
            raise exceptions.ParseError(f"The body is {exc.problem}.") from None


def declared_length(meta: Mapping[str, Any]) -> int | None:
    """The request's ``Content-Length``; ``None`` when absent or not a length (Django then reads nothing)."""
    try:
        length = int(meta.get("CONTENT_LENGTH") or "")
    except ValueError:
        return None
    return length if length >= 0 else None


def _read_at_most(stream: _Readable, size: int) -> bytes:
    chunks: list[bytes] = []
    total = 0
    while total < size:
        chunk = stream.read(min(_CHUNK, size - total))
        if not chunk:
            break
        chunks.append(chunk)
        total += len(chunk)
    return b"".join(chunks)


def _body_stream(request: HttpRequest) -> _Readable:
    """Where the body can be read from, with or without ``Content-Length``."""
    if getattr(request, "_read_started", False):  # read before the view, e.g. by a middleware
        try:
            return io.BytesIO(request.body)
        except RawPostDataException:
            raise exceptions.ParseError(
                "The body was read before connex_bridge could read it (by a middleware?); "
                "the shop's developer must leave the Connex requests' bodies unread."
            ) from None
    if declared_length(request.META) is not None or isinstance(request, ASGIRequest):
        # Django's own stream: bounded by Content-Length under WSGI, the whole body under ASGI.
        return request
    if request.META.get("wsgi.input_terminated"):
        # No Content-Length (a chunked upload): the server ends the stream where the body ends.
        return request.META["wsgi.input"]
    return io.BytesIO()  # no Content-Length and no end to the stream: WSGI says there is no body


def read_json(request: Request) -> Any:
    """The request's body as JSON, read by :class:`ConnexJSONParser`, with or without ``Content-Length``.

    Use it instead of ``request.data``, which answers ``{}`` for a body DRF
    does not see (no ``Content-Length``) and is parsed by the view's parser
    classes. Read it once: the stream is consumed.
    """
    return ConnexJSONParser().parse(_body_stream(request._request), request.content_type, {"request": request})


def read_body(request: Request, reader: Callable[[Any], T]) -> T:
    """The request's body read by :func:`read_json`, then by an inbound reader of :mod:`connex_bridge.wire`.

    ``read_body(request, wire.read_products)``. A body the reader refuses
    (:class:`~connex_bridge.wire.BadBodyError`) is a 400 ``ParseError`` whose
    message names the JSON path, the value and the form expected.
    """
    data = read_json(request)
    try:
        return reader(data)
    except BadBodyError as exc:
        raise exceptions.ParseError(str(exc)) from exc
