"""The Connex endpoints.

Every view sets its own authentication, permission, throttle, renderer,
parser, content-negotiation and exception handling, so the host's
``REST_FRAMEWORK`` defaults can neither weaken nor break them.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, cast

from django.conf import settings
from django.core.exceptions import DisallowedHost, PermissionDenied, TooManyFieldsSent
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.debug import sensitive_post_parameters
from rest_framework import exceptions
from rest_framework.negotiation import BaseContentNegotiation
from rest_framework.parsers import BaseParser
from rest_framework.renderers import BaseRenderer
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from connex_bridge import synclog, wire
from connex_bridge.actions import Action, base_path, served_action_names
from connex_bridge.adapters import NotSupportedError
from connex_bridge.authentication import ConnexBasicAuthentication
from connex_bridge.conf import app_settings
from connex_bridge.flows import InvalidInputError, authenticate, inventory
from connex_bridge.flows.changeorderstatus import StatusChange
from connex_bridge.flows.createorders import OrdersCreation
from connex_bridge.flows.orders import OrdersAnswer
from connex_bridge.flows.purchaseorders import PurchasesAnswer
from connex_bridge.models import ConnexCredential
from connex_bridge.parsers import ConnexJSONParser, read_body
from connex_bridge.permissions import IsConnexCredential
from connex_bridge.renderers import ConnexJSONRenderer


class AlwaysJSON(BaseContentNegotiation):
    """Connex's ``Accept`` header varies by build; the answer is always JSON."""

    def select_parser(self, request: Request, parsers: Iterable[BaseParser]) -> BaseParser | None:
        return next(iter(parsers), None)

    def select_renderer(
        self, request: Request, renderers: Iterable[BaseRenderer], format_suffix: str | None = None
    ) -> tuple[BaseRenderer, str]:
        renderer = next(iter(renderers))
        return renderer, renderer.media_type


def _message(detail: Any) -> str:
    """Flatten a DRF error detail into one readable string."""
    if isinstance(detail, dict):
        return " ".join(_message(v) for v in detail.values())
    if isinstance(detail, list):
        return " ".join(_message(v) for v in detail)
    return str(detail)


def connex_exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    """Errors as a JSON string Connex can show the merchant (not DRF's ``{"detail": …}``)."""
    if isinstance(exc, InvalidInputError):
        exc = exceptions.ValidationError(str(exc))
    elif isinstance(exc, NotSupportedError):  # an adapter's, or the order source's (WriteNotSupportedError)
        exc = NotSupported(str(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    elif isinstance(exc, TooManyFieldsSent):  # Django would answer with an HTML page
        exc = exceptions.ParseError(
            "The query string holds more parameters than DATA_UPLOAD_MAX_NUMBER_FIELDS allows; "
            "send only Connex's parameters."
        )
    if not isinstance(exc, exceptions.APIException):
        return None
    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header  # type: ignore[attr-defined]
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))  # type: ignore[attr-defined]
    return Response(_message(exc.detail), status=exc.status_code, headers=headers)


class NotSupported(exceptions.APIException):
    """501: the shop does not do this action — its adapter takes no stock or has no purchases, or its order
    source takes no status changes or orders from QuickBooks; nothing was read or changed."""

    status_code = 501
    default_code = "not_supported"


class HTTPSRequired(exceptions.APIException):
    """403: the request came over plain HTTP (a redirect would break Connex, so none is sent)."""

    status_code = 403
    default_code = "https_required"


def https_required_message(request: Request) -> str:
    """What the merchant must change in Connex, with the https:// URL to type when it is known."""
    url = "a URL that starts with https://"
    base = base_path()
    try:
        if base is not None:
            url = f"https://{request.get_host()}{base}"
    except DisallowedHost:
        pass
    return (
        "The shop accepts Connex only over HTTPS, and this request came over plain HTTP, which would send "
        f"the password unencrypted. In Connex, change the URL to {url} (the password was exposed if it "
        "went out over http://, so rotate it as well). If the URL already starts with https://, the proxy "
        "in front of the shop does not tell Django so: its developer must set SECURE_PROXY_SSL_HEADER."
    )


def require_https(request: Request) -> None:
    """Refuse plain HTTP unless DEBUG or ``CONNEX_BRIDGE["ALLOW_HTTP"]`` allows it.

    ``request.is_secure()`` honours ``X-Forwarded-Proto`` only through Django's
    ``SECURE_PROXY_SSL_HEADER``, so a client cannot claim HTTPS by itself.
    """
    if request.is_secure() or settings.DEBUG or app_settings.ALLOW_HTTP:
        return
    raise HTTPSRequired(https_required_message(request))


# Connex's POST bodies are JSON and never in request.POST; all of it is hidden
# from error reports all the same, should a form-encoded body ever arrive.
@method_decorator(sensitive_post_parameters(), name="dispatch")
class ConnexAPIView(APIView):
    """Base of every Connex endpoint: HTTPS only, Basic auth against ConnexCredential, JSON out."""

    authentication_classes = [ConnexBasicAuthentication]
    permission_classes = [IsConnexCredential]
    throttle_classes: list[Any] = []
    renderer_classes = [ConnexJSONRenderer]
    parser_classes = [ConnexJSONParser]
    content_negotiation_class = AlwaysJSON
    versioning_class = None
    metadata_class = None

    def get_exception_handler(self) -> Any:
        return connex_exception_handler

    #: What the answer held, for the sync log (a flow's ``Served`` or :class:`synclog.Counts`).
    log_counts: Any = None

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        recorder = synclog.Recorder(request, self.action.name if self.action else "")
        response = super().dispatch(request, *args, **kwargs)
        auth = getattr(getattr(self, "request", None), "_auth", None)  # not request.auth: never authenticate here
        return recorder.finish(response, auth, lambda: self.log_counts)

    #: The :class:`connex_bridge.actions.Action` this view serves (set by the URL pattern).
    action: Action | None = None

    @property
    def credential(self) -> ConnexCredential:
        """The credential Connex signed in with (``request.auth``; ``IsConnexCredential`` guarantees it)."""
        return cast(ConnexCredential, self.request.auth)

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        # Before authentication: credentials that came in clear are not checked,
        # so plain HTTP can neither sign in nor count towards a lockout.
        require_https(request)
        super().initial(request, *args, **kwargs)


class AuthenticateToWebServiceView(ConnexAPIView):
    """``authenticatetowebservice``: Connex's pairing check. Answers ``"OK"``."""

    def get(self, request: Request) -> Response:
        return Response(authenticate.pair(self.credential))

    def post(self, request: Request) -> Response:
        return Response(authenticate.pair(self.credential))


class OrdersView(ConnexAPIView):
    """``orders``: the orders, refunds and payments of a window (docs/protocol.md §3–§4)."""

    def get(self, request: Request) -> StreamingHttpResponse:
        # Every error Connex can act on (400, 401, 403, 429) is raised before the first byte.
        answer = OrdersAnswer(self.credential, request.query_params)
        self.log_counts = lambda: answer.served  # what the read, once it has ended, held
        return StreamingHttpResponse(answer.stream(), content_type=ConnexJSONRenderer.media_type)


# --- the catalogue side: inventory and purchaseorders ---------------------------------------------


class InventoryView(ConnexAPIView):
    """``inventory``: QuickBooks' stock levels into the shop; answers a JMAUpdateInventoryResponse.

    501 before the body is read when the shop takes no stock levels; 400 / 413 for a body that
    cannot be read, before anything is applied.
    """

    def put(self, request: Request) -> Response:
        adapter = inventory.stock_adapter_for(self.credential)
        products = read_body(request, wire.read_products)
        result = inventory.apply(self.credential, products, adapter=adapter)
        self.log_counts = synclog.Counts(products=len(result.applied) + len(result.refused))
        return Response(wire.inventory_response(result))

    def post(self, request: Request) -> Response:
        return self.put(request)


class PurchaseOrdersView(ConnexAPIView):
    """``purchaseorders``: the shop's purchase orders and bills of a window, in a JMAUser's ``Purchases``."""

    def get(self, request: Request) -> StreamingHttpResponse:
        # Every error Connex can act on (400, 401, 403, 429, 501) is raised before the first byte.
        answer = PurchasesAnswer(self.credential, request.query_params)
        self.log_counts = lambda: synclog.Counts(purchases=[(number, "") for number in answer.numbers])
        return StreamingHttpResponse(answer.stream(), content_type=ConnexJSONRenderer.media_type)


class ChangeOrderStatusView(ConnexAPIView):
    """``changeorderstatus``: what became of one order in QuickBooks (docs/protocol.md §2).

    ``"OK"``; ``"NOT FOUND"`` (404) when the credential sees no such order; 501 when the order source
    takes no status changes (before the body is read).
    """

    def post(self, request: Request) -> Response:
        flow = StatusChange(self.credential)
        result = flow.apply(read_body(request, wire.read_order_status))
        return Response(result.answer, status=200 if result.found else 404)


class CreateOrdersView(ConnexAPIView):
    """``createorders``: orders created in QuickBooks, created in the shop (docs/protocol.md §2).

    One result per order: created, already present, or refused and why. 501 when the order source
    creates no orders (before the body is read).
    """

    def post(self, request: Request) -> Response:
        flow = OrdersCreation(self.credential)
        result = flow.create(read_body(request, wire.read_orders))
        return Response(wire.orders_created(result.created, result.already_present, result.refused))

    def put(self, request: Request) -> Response:
        return self.post(request)


class UnknownActionView(View):
    """Any other path under the base URL, and the base URL itself: a 404 naming the actions served.

    Connex shows the body to the merchant, so it is a JSON string saying what to type, never
    Django's HTML page. No credentials are checked: the answer holds nothing but the action names.
    """

    def dispatch(self, request: HttpRequest, *args: Any, name: str = "", **kwargs: Any) -> HttpResponseBase:
        recorder = synclog.Recorder(request, name)
        return recorder.finish(self.answer(name))

    def answer(self, name: str) -> HttpResponse:
        base = base_path()
        served = ", ".join(served_action_names())
        if name:
            kind = "path" if "/" in name else "action"
            name = name if len(name) <= 80 else name[:79] + "…"  # the path is the client's: keep the answer short
            message = (
                f"The shop's Connex API has no {kind} {name!r}; it serves {served}. In Connex, the URL must be "
                f"the base URL ({base}), without an action name: Connex adds the action itself."
            )
        else:
            message = (
                f"This is the base URL of the shop's Connex API. Type it into Connex as it is; Connex adds the "
                f"action name itself ({served})."
            )
        return HttpResponse(wire.dumps(message), status=404, content_type=ConnexJSONRenderer.media_type)
