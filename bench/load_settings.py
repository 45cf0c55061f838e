"""Django settings of the load test (``make load``, :mod:`bench.load`). Not for production.

The benchmark's settings (built-in models, a typical middleware stack, persistent
connections) on PostgreSQL, served by gunicorn on 127.0.0.1. :mod:`bench.load`
sets ``BENCH_PG_NAME`` for every process it starts, so the workers and the writer
share the database it created.
"""

from __future__ import annotations

import os

os.environ.setdefault("BENCH_DB", "postgres")

from bench.settings import *  # noqa: F403

# The load client talks to gunicorn on loopback as a TLS-terminating proxy would:
# plain HTTP with "X-Forwarded-Proto: https", trusted through SECURE_PROXY_SSL_HEADER.
# That is how a production shop is deployed, so every request takes the same
# HTTPS check as in production; ALLOW_HTTP would instead switch the check off.
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
ALLOWED_HOSTS = ["127.0.0.1"]

# The lockout counts failed sign-ins in the default cache, here each worker's own
# local memory (connex_bridge.W002 would warn in production). The load signs in
# with a valid credential only, so nothing is ever counted.
