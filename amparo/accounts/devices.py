"""Known browsers, so that someone hammering an account cannot lock its owner out.

Five wrong passwords used to lock the account for everyone for 15 minutes,
the real owner included, even with the right password and code: anyone who
knew a username could keep a coordinator out during an emergency. Now a
browser in which the person has signed in before carries a device cookie
for that account (a random nonce and an HMAC over it and the username, so it
names nobody and cannot be forged or moved to another account). Attempts
from such a browser are counted in that browser's own bucket; only attempts
from unknown browsers share the per-account limit. An attacker therefore
locks out only unknown browsers; the owner signs in as usual from theirs, or
from a new one with their recovery key (account recovery has no per-account
limit: the key has 140 random bits, so guessing it is hopeless anyway).
"""

from __future__ import annotations

import secrets

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.crypto import constant_time_compare, salted_hmac

from amparo.core.throttle import Throttle

COOKIE_NAME = "amparo_device"
MAX_AGE = 180 * 24 * 60 * 60
# Per known browser and account: as many tries as the per-account limit.
DEVICE_THROTTLE = Throttle("sign-in-device", limit=5, window_seconds=15 * 60)


def _mac(username: str, nonce: str) -> str:
    return salted_hmac(
        "amparo.accounts.device", f"{username}:{nonce}", algorithm="sha256"
    ).hexdigest()


def known_device(request: HttpRequest, username: str) -> str | None:
    """The nonce of this browser's valid device cookie for ``username`` (normalised), or None."""
    value = request.COOKIES.get(COOKIE_NAME, "")
    nonce, _, mac = value.partition(".")
    if not nonce or not mac or len(value) > 200:
        return None
    if not constant_time_compare(mac, _mac(username, nonce)):
        return None
    return nonce


def remember_device(response: HttpResponse, username: str) -> None:
    """Mark this browser as one where ``username`` has signed in (after a full sign-in)."""
    nonce = secrets.token_urlsafe(16)
    response.set_cookie(
        COOKIE_NAME,
        f"{nonce}.{_mac(username, nonce)}",
        max_age=MAX_AGE,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Strict",
    )
