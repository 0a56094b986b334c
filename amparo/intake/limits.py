"""Attempt counters for intake: submissions and follow-up codes, per client
and for the whole desk. A limit of 0 switches that counter off.

Counters live in the cache (Redis when configured, so that every worker
shares them; otherwise each process counts for itself). Clients are
counted by a keyed hash of their address, never the address itself.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from amparo.core.throttle import Throttle, client_id

HOUR = 60 * 60
QUARTER = 15 * 60
MINUTE = 60
EVERYONE = "everyone"


def _pairs(request: HttpRequest, kind: str) -> list[tuple[Throttle, str]]:
    if kind == "submission":
        limits = [
            ("intake-submit-client", settings.AMPARO_SUBMISSIONS_PER_CLIENT_PER_HOUR, HOUR, True),
            ("intake-submit-all", settings.AMPARO_SUBMISSIONS_PER_HOUR, HOUR, False),
        ]
    else:
        limits = [
            ("intake-receipt-client", settings.AMPARO_RECEIPT_ATTEMPTS_PER_CLIENT, QUARTER, True),
            ("intake-receipt-all", settings.AMPARO_RECEIPT_ATTEMPTS_PER_MINUTE, MINUTE, False),
        ]
    client = client_id(request)
    pairs = []
    for scope, limit, window, per_client in limits:
        if limit <= 0:
            continue
        if per_client:
            # An unknown client (all visitors behind one onion service or
            # proxy) is held by the desk-wide limits only.
            if client is not None:
                pairs.append((Throttle(scope, limit, window), client))
        else:
            pairs.append((Throttle(scope, limit, window), EVERYONE))
    return pairs


def blocked(request: HttpRequest, kind: str) -> bool:
    """Whether ``kind`` ("submission" or "receipt") is over a limit for this request."""
    return any(throttle.exceeded(subject) for throttle, subject in _pairs(request, kind))


def count(request: HttpRequest, kind: str) -> None:
    for throttle, subject in _pairs(request, kind):
        throttle.hit(subject)


# --- Form tokens spent by a refused submission ------------------------------------------


def _spent_key(nonce: str) -> str:
    digest = hmac.new(settings.SECRET_KEY.encode(), nonce.encode(), hashlib.sha256).hexdigest()
    return f"intake-token-spent:{digest[:32]}"


def spend_token(nonce: str, seconds: int) -> None:
    """Mark a report form's token as spent by a refused submission that carried files.

    The form comes back with a new token, so a person sending again is not held up; a
    replay of the same request (same token, same files) is refused before any file is
    looked at. Kept in the cache for the token's lifetime (per process without Redis).
    """
    cache.set(_spent_key(nonce), 1, seconds)


def token_spent(nonce: str) -> bool:
    return bool(cache.get(_spent_key(nonce)))
