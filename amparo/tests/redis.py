"""The machine's Redis for the tests of the paths that use it in production.

``AMPARO_TEST_REDIS_URL`` names the server and database (default
``redis://127.0.0.1:6379/15``). Without a reachable Redis those tests skip with
the reason shown, unless ``AMPARO_REQUIRE_REDIS=1`` (set by .ci/run): then they
fail. Each test works under its own random key prefix and deletes only its own
keys, never the whole database, so runs sharing a server do not disturb each other.
"""

from __future__ import annotations

import os
import secrets
from typing import Any

import pytest

DEFAULT_URL = "redis://127.0.0.1:6379/15"


def redis_url() -> str:
    return os.environ.get("AMPARO_TEST_REDIS_URL", DEFAULT_URL)


def required() -> bool:
    return os.environ.get("AMPARO_REQUIRE_REDIS") == "1"


def reachable_redis() -> Any:
    """A client of the test Redis; skips the test (fails when required) without one."""
    import redis

    url = redis_url()
    client = redis.Redis.from_url(url, socket_timeout=2)
    try:
        client.ping()
    except redis.RedisError as error:
        message = f"no Redis at {url} ({type(error).__name__}); set AMPARO_TEST_REDIS_URL"
        if required():
            pytest.fail(f"AMPARO_REQUIRE_REDIS=1 but {message}")
        pytest.skip(message)
    return client


def unique_prefix() -> str:
    return f"amparo-test-{secrets.token_hex(6)}"


def delete_prefixed(client: Any, prefix: str) -> None:
    for key in client.scan_iter(match=f"*{prefix}*", count=500):
        client.delete(key)


def redis_caches(prefix: str) -> dict[str, dict[str, Any]]:
    """CACHES as settings.py configures them with AMPARO_REDIS_URL, under ``prefix``."""
    return {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": redis_url(),
            "KEY_PREFIX": prefix,
        }
    }
