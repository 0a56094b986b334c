"""Holding a staff member's private key between requests.

After sign-in the unwrapped private key goes into a CookieVault: encrypted
under a random key held only in the person's browser, with the ciphertext in
the session. Signing out or idling past the session age leaves nothing that
can be unwrapped.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from amparo.core.cookie_vault import CookieVault, VaultEmpty

COOKIE_NAME = "amparo_key"
_VAULT = CookieVault(cookie_name=COOKIE_NAME, session_field="amparo_wrapped_private_key")


class KeyUnavailable(Exception):
    """The request carries no usable private key: the person must sign in again."""


def _context(request: HttpRequest) -> str:
    # Bound to the person, so a blob cannot be moved to another account's session.
    return f"session-private-key:{request.user.pk}"


def unlock(request: HttpRequest, response: HttpResponse, private_key: bytes) -> None:
    """Keep ``private_key`` for this session. Call after ``auth.login`` (which
    rotates the session key)."""
    _VAULT.put(request, response, private_key, context=_context(request))


def private_key(request: HttpRequest) -> bytes:
    """The signed-in person's private key, or KeyUnavailable."""
    if not request.user.is_authenticated:
        raise KeyUnavailable
    try:
        return _VAULT.get(request, context=_context(request))
    except VaultEmpty:
        raise KeyUnavailable from None


def has_key(request: HttpRequest) -> bool:
    try:
        private_key(request)
    except KeyUnavailable:
        return False
    return True


def forget(response: HttpResponse) -> None:
    """Drop the cookie half; the session half goes with ``auth.logout``."""
    _VAULT.forget(response)
