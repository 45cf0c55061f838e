"""The demo shop's settings (example_project/demo_site) for the browser tests, on the test databases.

The database is the one the test suite picks (``CONNEX_TEST_DB``: sqlite in memory, postgres or
mariadb, ``CONNEX_TEST_DB_NAME``), and so are the clocks (``CONNEX_TEST_USE_TZ``, ``CONNEX_TEST_TZ``).
pytest-django's ``live_server`` serves plain HTTP, so the Connex endpoints are allowed over HTTP here;
DEBUG stays off, as live_server has it.
"""

import os

from demo_site.settings import *  # noqa: F403
from demo_site.settings import CONNEX_BRIDGE, TIME_ZONE

from tests.settings import DATABASES as TEST_DATABASES

DEBUG = False
# The clocks vary as in the test suite: CONNEX_TEST_USE_TZ=0/1, CONNEX_TEST_TZ=<IANA name> (default: the demo's).
USE_TZ = os.environ.get("CONNEX_TEST_USE_TZ", "1") == "1"
TIME_ZONE = os.environ.get("CONNEX_TEST_TZ", TIME_ZONE)
DATABASES = TEST_DATABASES
CONNEX_BRIDGE = {**CONNEX_BRIDGE, "ALLOW_HTTP": True}
# The admin's sign-in is not what is under test: a fast hasher keeps the superuser's login quick.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# One process: the default local-memory cache counts failed sign-ins correctly (tests/settings.py says why).
SILENCED_SYSTEM_CHECKS = ["connex_bridge.W002"]
