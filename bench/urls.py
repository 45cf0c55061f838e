"""URLs of the benchmark site: the Connex API under ``/connex/``, as a shop would mount it."""

from django.urls import include, path

urlpatterns = [
    path("connex/", include("connex_bridge.urls")),
]
