from typing import Any

from django.apps import apps
from django.contrib import admin
from django.urls import include, path


def broken_exception_handler(exc: Exception, context: Any) -> None:
    """A host exception handler the Connex endpoints must not use."""
    raise AssertionError("the host's EXCEPTION_HANDLER was used by a Connex endpoint")


urlpatterns = [
    path("admin/", admin.site.urls),
    path("connex/", include("connex_bridge.urls")),
]

if apps.is_installed("oscar"):
    # Oscar's templates (its 500 page among them) link to its own URLs.
    urlpatterns.append(path("", include(apps.get_app_config("oscar").urls[0])))
