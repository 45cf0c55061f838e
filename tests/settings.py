"""Settings for connex_bridge's test suite. ``CONNEX_TEST_DB`` picks the database."""

import os
import sys
from pathlib import Path

# The demo shop's app lives in example_project/. pytest's pythonpath has it; mypy's
# django-stubs plugin and `python -m django` with these settings do not.
EXAMPLE_PROJECT = str(Path(__file__).resolve().parent.parent / "example_project")
if EXAMPLE_PROJECT not in sys.path:
    sys.path.append(EXAMPLE_PROJECT)

SECRET_KEY = "connex-bridge-tests-not-secret"
DEBUG = False
# The suite runs under several clocks (CI varies both): CONNEX_TEST_USE_TZ=0/1, CONNEX_TEST_TZ=<IANA name>.
USE_TZ = os.environ.get("CONNEX_TEST_USE_TZ", "1") == "1"
TIME_ZONE = os.environ.get("CONNEX_TEST_TZ", "America/New_York")
ALLOWED_HOSTS = ["testserver", "localhost", "127.0.0.1"]
ROOT_URLCONF = "tests.urls"
DEFAULT_AUTO_FIELD = "django.db.models.AutoField"  # differs from the app's: must not spawn migrations

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "rest_framework",
    "django_filters",
    "connex_bridge",
    "tests.altshop",
    "tests.jsonshop",  # one store, JSON snapshots, free-text addresses (docs: shops shaped differently)
    "shop",  # the demo shop (example_project/ is on pytest's pythonpath)
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
]

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ]
        },
    }
]

STATIC_URL = "/static/"
# A host's own exemption; connex_bridge's ready() adds the Connex paths after it (tests/test_transport.py).
SECURE_REDIRECT_EXEMPT = [r"^static/"]

# A host whose DRF defaults would break the Connex endpoints if they leaked in.
REST_FRAMEWORK: dict[str, object] = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAdminUser"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.BrowsableAPIRenderer"],
    "DEFAULT_THROTTLE_CLASSES": ["rest_framework.throttling.AnonRateThrottle"],
    "DEFAULT_THROTTLE_RATES": {"anon": "1/day"},
    "EXCEPTION_HANDLER": "tests.urls.broken_exception_handler",
}

_DB = os.environ.get("CONNEX_TEST_DB", "sqlite")
DATABASES: dict[str, dict[str, object]]
if _DB == "postgres":
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": os.environ.get("CONNEX_TEST_DB_NAME", "connex_bridge"),
            "USER": os.environ.get("PGUSER", "postgres"),
            "HOST": os.environ.get("PGHOST", "127.0.0.1"),
            "PORT": os.environ.get("PGPORT", "5432"),
        }
    }
elif _DB == "mariadb":
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.mysql",
            "NAME": os.environ.get("CONNEX_TEST_DB_NAME", "connex_bridge"),
            "USER": os.environ.get("MYSQL_USER", "root"),
            "PASSWORD": os.environ.get("MYSQL_PASSWORD", ""),
            "HOST": os.environ.get("MYSQL_HOST", "127.0.0.1"),
            "PORT": os.environ.get("MYSQL_PORT", "3306"),
            "OPTIONS": {"charset": "utf8mb4"},
            "TEST": {"CHARSET": "utf8mb4", "COLLATION": "utf8mb4_unicode_ci"},
        }
    }
elif _DB == "sqlite":
    DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"}}
else:
    raise RuntimeError(f"CONNEX_TEST_DB={_DB!r}: use sqlite, postgres or mariadb")

# The suite runs in one process, where the default local-memory cache counts
# failed sign-ins correctly. The warning it raises for a real deployment is
# tested in tests/test_checks.py (the check functions are called directly).
SILENCED_SYSTEM_CHECKS = ["connex_bridge.W002"]

# CONNEX_TEST_OSCAR=1 (the tox env `oscar`) installs django-oscar and connex_bridge.contrib.oscar, and
# tests/test_oscar_contract.py runs the contract suite against the Oscar shop. The settings follow Oscar's
# "Building your own shop" page, less what serves only its storefront (templates, thumbnails, middleware).
if os.environ.get("CONNEX_TEST_OSCAR"):
    from tests.oscar_settings import oscar_settings

    globals().update(oscar_settings(INSTALLED_APPS))
