"""A per-process memo for what administrators rarely change and every public page reads.

The questionnaire in use, the desk's texts, the emergency contacts and the reference
lists are read on every report form and every submission, and change a few times a
year. Each worker process keeps them here instead of asking the database each time.

A change must still show at once, in every worker:

- every change made through a ``do_*`` action or a model save or delete calls
  ``invalidate()``: this process forgets everything at once, and a new random
  generation is written to the shared cache (Redis in production), immediately and
  again when the transaction commits (so that no process keeps a value read in
  between);
- each process compares that generation with the one it last saw at most once a
  second (``CHECK_SECONDS``), and forgets everything when it differs;
- whatever the generation says, nothing is kept longer than
  ``AMPARO_PUBLIC_CACHE_SECONDS`` (60 s by default): the bound for a change made
  behind the application's back (SQL by hand, a queryset ``update()``), or for
  installations without a shared cache. 0 switches the memo off (the test settings
  do, except in the tests of the memo itself).

Only reference data and the desk's public wording go here: nothing about a case or a
person, nothing secret. Values are shared between threads: callers must not change
them.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

logger = logging.getLogger("amparo.lib")

GENERATION_KEY = "public-process-cache-generation"
CHECK_SECONDS = 1.0

T = TypeVar("T")

_lock = threading.Lock()
_values: dict[Hashable, tuple[float, Any]] = {}
_state: dict[str, Any] = {"local": 0, "shared": None, "checked": -CHECK_SECONDS}


def max_age() -> float:
    return float(getattr(settings, "AMPARO_PUBLIC_CACHE_SECONDS", 60))


def remember(key: Hashable, load: Callable[[], T]) -> T:
    """``load()``'s value, kept in this process under ``key`` (see the module's doc)."""
    age = max_age()
    if age <= 0:
        return load()
    now = time.monotonic()
    if not _shared_generation_unchanged(now):
        return load()
    with _lock:
        entry = _values.get(key)
        generation = _state["local"]
    if entry is not None and now - entry[0] < age:
        value: T = entry[1]
        return value
    value = load()
    with _lock:
        # Not if a change was announced while loading: the value may predate it.
        if _state["local"] == generation:
            _values[key] = (now, value)
    return value


def _shared_generation_unchanged(now: float) -> bool:
    """Forget everything if another process announced a change; False when the shared
    cache cannot be read (then nothing is kept: a change could go unseen)."""
    if now - _state["checked"] < CHECK_SECONDS:
        return True
    try:
        shared = cache.get(GENERATION_KEY)
    except Exception as error:  # the shared cache is down: read the database instead
        logger.warning("process cache: shared generation unreadable: %s", type(error).__name__)
        _forget()
        return False
    with _lock:
        if shared != _state["shared"]:
            _forget_locked()
            _state["shared"] = shared
        _state["checked"] = now
    return True


def _forget() -> None:
    with _lock:
        _forget_locked()


def _forget_locked() -> None:
    _values.clear()
    _state["local"] += 1


def _announce() -> None:
    _forget()
    try:
        cache.set(GENERATION_KEY, secrets.token_hex(8), None)
    except Exception as error:  # the others then see the change within max_age()
        logger.warning("process cache: could not announce a change: %s", type(error).__name__)
    with _lock:
        _state["checked"] = -CHECK_SECONDS  # read the shared generation on the next use


def invalidate(*_args: Any, **_kwargs: Any) -> None:
    """Something cached here changed: forget it here and in every other process.

    Usable as a signal receiver. Announced now, and again when the surrounding
    transaction commits (outside one, that is now too).
    """
    _announce()
    transaction.on_commit(_announce)
