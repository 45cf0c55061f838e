from django.http import HttpRequest, JsonResponse
from django.urls import path

from connex_bridge.schema import openapi_schema
from tests.urls import urlpatterns as test_urlpatterns


def schema_view(request: HttpRequest) -> JsonResponse:
    return JsonResponse(openapi_schema())


urlpatterns = [*test_urlpatterns, path("openapi.json", schema_view)]
