"""Holding a staff member's private key between requests.

After sign-in the unwrapped private key is encrypted under a random key that
lives only in the person's browser, in its own HttpOnly cookie; the session
store keeps just the ciphertext. A copy of the session table (or the cache)
is therefore useless, and signing out or idling past the session age leaves
nothing that can be unwrapped.
"""

from __future__ import annotations

import base64
import binascii
import secrets

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from amparo.crypto import DecryptionError, unwrap_with_key, wrap_with_key

COOKIE_NAME = "amparo_key"
_SESSION_FIELD = "amparo_wrapped_private_key"


class KeyUnavailable(Exception):
    """The request carries no usable private key: the person must sign in again."""


def _context(request: HttpRequest) -> str:
    # Bound to the person, so a blob cannot be moved to another account's session.
    return f"session-private-key:{request.user.pk}"


def unlock(request: HttpRequest, response: HttpResponse, private_key: bytes) -> None:
    """Keep ``private_key`` for this session: ciphertext in the session, key in a cookie.

    Call after ``auth.login`` (which rotates the session key).
    """
    cookie_key = secrets.token_bytes(32)
    request.session[_SESSION_FIELD] = base64.b64encode(
        wrap_with_key(private_key, cookie_key, context=_context(request))
    ).decode("ascii")
    response.set_cookie(
        COOKIE_NAME,
        base64.urlsafe_b64encode(cookie_key).decode("ascii"),
        max_age=None,  # a browser-session cookie; the server session sets the idle limit
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Strict",
    )


def private_key(request: HttpRequest) -> bytes:
    """The signed-in person's private key, or KeyUnavailable."""
    wrapped = request.session.get(_SESSION_FIELD)
    cookie = request.COOKIES.get(COOKIE_NAME)
    if not wrapped or not cookie or not request.user.is_authenticated:
        raise KeyUnavailable
    try:
        cookie_key = base64.urlsafe_b64decode(cookie.encode("ascii"))
        blob = base64.b64decode(wrapped.encode("ascii"))
        return unwrap_with_key(blob, cookie_key, context=_context(request))
    except (DecryptionError, binascii.Error, ValueError):
        raise KeyUnavailable from None


def has_key(request: HttpRequest) -> bool:
    try:
        private_key(request)
    except KeyUnavailable:
        return False
    return True


def forget(response: HttpResponse) -> None:
    """Drop the cookie half; the session half goes with ``auth.logout``."""
    response.delete_cookie(COOKIE_NAME, samesite="Strict")
