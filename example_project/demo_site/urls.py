"""URLs of the demo shop: the admin and the Connex API under ``/connex/``."""

from __future__ import annotations

from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("connex/", include("connex_bridge.urls")),
]
