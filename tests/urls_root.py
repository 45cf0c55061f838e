"""A host that includes the Connex URLs at the root of its site, next to pages of its own."""

from django.http import HttpResponse
from django.urls import include, path

urlpatterns = [
    path("", include("connex_bridge.urls")),
    path("account/orders", lambda request: HttpResponse("the customer's orders")),
]
