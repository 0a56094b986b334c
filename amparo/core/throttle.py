"""Fixed-window attempt counters in the cache, for sign-in and receipt checks.

Clients are counted by a keyed hash of their address that lives only in the
cache for the length of the window: the address itself is never stored or
logged. Behind Tor or a reverse proxy many people share one address, so the
per-client limit is a speed bump and the per-account or global limits carry
the weight.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest


@dataclass(frozen=True)
class Throttle:
    scope: str
    limit: int
    window_seconds: int

    def _key(self, subject: str) -> str:
        digest = hmac.new(
            settings.SECRET_KEY.encode(), f"{self.scope}:{subject}".encode(), hashlib.sha256
        ).hexdigest()[:32]
        window = int(time.time() // self.window_seconds)
        return f"throttle:{self.scope}:{window}:{digest}"

    def exceeded(self, subject: str) -> bool:
        return int(cache.get(self._key(subject), 0)) >= self.limit

    def hit(self, subject: str) -> None:
        key = self._key(subject)
        if cache.add(key, 1, self.window_seconds):
            return
        try:
            cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.add(key, 1, self.window_seconds)

    def reset(self, subject: str) -> None:
        cache.delete(self._key(subject))


def client_id(request: HttpRequest) -> str | None:
    """The client's address for per-client counters, or None when it is unknown.

    Behind an onion service or a reverse proxy every visitor arrives from a
    loopback address; counting them as one client would turn a per-client
    limit into a desk-wide one, so in production that case counts as
    unknown (only the desk-wide limits apply) unless the proxy passes the
    real address in ``AMPARO_CLIENT_ADDRESS_HEADER``.
    """
    header = settings.AMPARO_CLIENT_ADDRESS_HEADER
    if header:
        address = request.headers.get(header, "").split(",")[0].strip()
    else:
        address = request.META.get("REMOTE_ADDR", "")
    if not address:
        return None
    if settings.PRODUCTION and not header:
        try:
            if ipaddress.ip_address(address).is_loopback:
                return None
        except ValueError:
            return None
    return address
