"""Cache servers that fail: for the tests of the lockout cache's checks and its run-time log."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from contextlib import contextmanager

RUNNING_REDIS = "redis://127.0.0.1:6379"  # .ci/run starts it


def redis_cache(location: str = RUNNING_REDIS) -> dict[str, dict[str, str]]:
    """``CACHES`` with Django's RedisCache at ``location`` as the default cache."""
    return {"default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": location}}


def closed_port() -> int:
    """A loopback port nothing listens on (the OS just handed it out and it was closed again)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def silent_server() -> Iterator[str]:
    """A ``redis://`` URL whose server accepts connections and never answers."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(8)  # connections wait in the backlog: connect() succeeds, reads hang
        yield f"redis://127.0.0.1:{server.getsockname()[1]}"
