"""A URLconf serving the table of actions with one more, ``ping``, as a later version would add one.

Nothing else is edited for it: routing, the https-redirect exemption, the deployment checks, the
404 for unknown actions and the OpenAPI schema must all pick it up from the table.
"""

from django.urls import include, path
from rest_framework.request import Request
from rest_framework.response import Response

from connex_bridge.actions import ACTIONS, Action, action_patterns
from connex_bridge.views import ConnexAPIView


class PingView(ConnexAPIView):
    """Answers "pong" to a signed-in Connex."""

    def get(self, request: Request) -> Response:
        return Response("pong")


PING = Action(name="ping", methods=("GET",), view="tests.urls_extra_action.PingView", url_name="ping", summary="Ping")

urlpatterns = [
    path("connex/", include((action_patterns([*ACTIONS, PING]), "connex_bridge"))),
]
