"""The demo shop deployed as production would be: several gunicorn workers, a shared cache.

Used by tests/test_lockout_gunicorn.py, which sets the environment variables.
The demo's settings are the base, so this is the app ``make demo`` serves,
with DEBUG off and behind a (pretend) TLS proxy on 127.0.0.1.
"""

import os

from demo_site.settings import *  # noqa: F403

DEBUG = False
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": os.environ["CONNEX_GUNICORN_DB"]}}

if os.environ.get("CONNEX_GUNICORN_CACHE") == "locmem":
    # The control: a cache each worker keeps to itself.
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": os.environ.get("CONNEX_GUNICORN_REDIS", "redis://127.0.0.1:6379/0"),
            "KEY_PREFIX": os.environ["CONNEX_GUNICORN_KEY_PREFIX"],
        }
    }

# The test talks to gunicorn as a TLS-terminating proxy on 127.0.0.1 would.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
CONNEX_BRIDGE = {
    "LOCKOUT_FAILURES": 3,
    "LOCKOUT_IP_FAILURES": 100,
    "LOCKOUT_SECONDS": 300,
    "TRUSTED_PROXIES": ["127.0.0.1"],
}
