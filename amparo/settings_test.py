"""Settings for the test suite: the same as production code paths, but with
fast, clearly insecure key derivation. SQLite by default; PostgreSQL when
AMPARO_DATABASE_URL is set."""

import os

os.environ.setdefault("AMPARO_ENV", "development")

from amparo.settings import *  # noqa: F403

# INSECURE: cheap Argon2 parameters so the suite runs in minutes. Never used
# outside tests.
AMPARO_INSECURE_FAST_KDF = True
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]

if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":  # noqa: F405
    DATABASES["default"]["TEST"] = {"NAME": ""}  # noqa: F405  in-memory
    DATABASES["default"].pop("OPTIONS", None)  # noqa: F405
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# Tests change reference data and desk texts with queryset update() and expect the
# next read to see it: the per-process memo is off, except in its own tests
# (amparo/intake/tests/test_process_cache.py).
AMPARO_PUBLIC_CACHE_SECONDS = 0
