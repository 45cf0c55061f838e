"""Django settings of the benchmark (``make bench``). Not for production.

``BENCH_SOURCE`` picks whose tables ``ours`` reads: ``builtin`` (connex_bridge's own models),
``demo`` (the demo shop's ``shop`` app from example_project/, served by its
``ShopOrderSource``) or ``oscar`` (django-oscar, served by ``OscarOrderSource``; the apps
and settings of tests/settings.py's Oscar shop). The built-in models are installed in
every case: the floor and the naive contenders read them.

``BENCH_DB`` picks the database: ``sqlite`` (a file, ``BENCH_SQLITE_NAME``) or
``postgres`` (``BENCH_PG_NAME``, on 127.0.0.1:5432 as user postgres; ``PG*``
variables override). The benchmark names, creates and drops that database
itself: ``bench/.data/connex_bench-<pid>.sqlite3`` or ``connex_bench_<pid>``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

BENCH_DIR = Path(__file__).resolve().parent

SECRET_KEY = "connex-bridge-bench-not-secret"  # noqa: S105 - a local benchmark signs nothing
DEBUG = False  # DEBUG would record every query and slow every contender
ALLOWED_HOSTS = ["bench.invalid"]
ROOT_URLCONF = "bench.urls"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# A US shop: dates go out as New York wall-clock time (the default DATE_FORMAT "local"),
# and the seeded month spans the switch to daylight saving time.
USE_TZ = True
TIME_ZONE = "America/New_York"

INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "rest_framework",
    "django_filters",
    "connex_bridge",
]

BENCH_SOURCE = os.environ.get("BENCH_SOURCE", "builtin")
#: What selects each source (the same as its harness's ``connex_settings``).
CONNEX_BRIDGE: dict[str, Any] = {}
if BENCH_SOURCE == "demo":
    sys.path.insert(0, str(BENCH_DIR.parent / "example_project"))
    INSTALLED_APPS.append("shop")
    CONNEX_BRIDGE = {"ORDER_SOURCE": "shop.connex.ShopOrderSource", "CANCELLED_STATUSES": ["cancelled", "refunded"]}
elif BENCH_SOURCE == "oscar":
    from tests.oscar_settings import oscar_settings  # the suite's Oscar shop (tox -e oscar)

    globals().update(oscar_settings(INSTALLED_APPS))
    CONNEX_BRIDGE = {"ORDER_SOURCE": "connex_bridge.contrib.oscar.source.OscarOrderSource"}
elif BENCH_SOURCE != "builtin":
    raise RuntimeError(f"BENCH_SOURCE={BENCH_SOURCE!r}: use builtin, demo or oscar")

# The middleware of a typical shop (django-admin startproject's list): ours pays for it on every request.
MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

# Only the naive contender reads these (connex_bridge's views set their own renderer):
# decimals stay JSON numbers, as the naive developer would configure to satisfy Connex.
REST_FRAMEWORK = {"COERCE_DECIMAL_TO_STRING": False}

# Persistent connections, as a production shop runs: a request does not pay for connecting.
CONN_MAX_AGE = 600

BENCH_DB = os.environ.get("BENCH_DB", "sqlite")
DATABASES: dict[str, dict[str, object]]
if BENCH_DB == "sqlite":
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": os.environ.get(
                "BENCH_SQLITE_NAME", str(BENCH_DIR / ".data" / f"connex_bench-{os.getpid()}.sqlite3")
            ),
            "CONN_MAX_AGE": CONN_MAX_AGE,
        }
    }
elif BENCH_DB == "postgres":
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.postgresql",
            "NAME": os.environ.get("BENCH_PG_NAME", f"connex_bench_{os.getpid()}"),
            "USER": os.environ.get("PGUSER", "postgres"),
            "PASSWORD": os.environ.get("PGPASSWORD", ""),
            "HOST": os.environ.get("PGHOST", "127.0.0.1"),
            "PORT": os.environ.get("PGPORT", "5432"),
            "CONN_MAX_AGE": CONN_MAX_AGE,
        }
    }
else:
    raise RuntimeError(f"BENCH_DB={BENCH_DB!r}: use sqlite or postgres")
