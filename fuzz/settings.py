"""The test settings, plus a URL serving the OpenAPI schema the fuzzer reads."""

from tests.settings import *  # noqa: F403

ROOT_URLCONF = "fuzz.urls"
