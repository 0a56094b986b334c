"""Sign-in attempts that the audit trail counts instead of listing one by one.

Every audit event is appended under the trail's global lock; a flood of
refused sign-ins (about 24 a second from one connection) used to write one
event each. Attempts held back by the throttle, and failures for names that
match no account (which identify nobody), are now counted in the cache per
15-minute window: the first of each window writes one event that carries the
previous window's total, so the trail grows by at most one such event per
kind and window however hard someone pushes. Failures against a real account
are still recorded one by one, and the per-account limit bounds them.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime

from django.core.cache import cache

from amparo.audit.log import record

WINDOW_SECONDS = 15 * 60
HELD_BACK = "held_back"
UNKNOWN_ACCOUNT = "unknown_account"


def _key(kind: str, window: int) -> str:
    return f"sign-in-attempts:{kind}:{window}"


def count_attempt(kind: str) -> bool:
    """Count one attempt of ``kind``; True when it wrote this window's event."""
    window = int(time.time() // WINDOW_SECONDS)
    key = _key(kind, window)
    if not cache.add(key, 1, 2 * WINDOW_SECONDS):
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, 2 * WINDOW_SECONDS)
        return False
    previous = int(cache.get(_key(kind, window - 1), 0))
    start = datetime.fromtimestamp(window * WINDOW_SECONDS, tz=UTC)
    record(
        None,
        "login_throttled" if kind == HELD_BACK else "login_failed",
        details={
            "aggregated": kind,
            "window_start": start.strftime("%Y-%m-%dT%H:%MZ"),
            "window_minutes": WINDOW_SECONDS // 60,
            "previous_window_count": previous,
        },
    )
    return True
