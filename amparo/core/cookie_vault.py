"""Keeping a secret between requests without keeping it readable on the server.

The secret is encrypted under a random key that lives only in the visitor's
browser, in its own HttpOnly, SameSite=Strict cookie; the session store keeps
just the ciphertext. A copy of the session table (or the cache) opens
nothing; ending the session or losing the cookie makes the secret
unrecoverable. Staff private keys and reporters' private keys both use it.
"""

from __future__ import annotations

import base64
import binascii
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from amparo.crypto import DecryptionError, unwrap_with_key, wrap_with_key


class VaultEmpty(Exception):
    """No usable secret in this request (no cookie, no session entry, or a mismatch)."""


@dataclass(frozen=True)
class CookieVault:
    cookie_name: str
    session_field: str

    def put(
        self, request: HttpRequest, response: HttpResponse, secret: bytes, *, context: str
    ) -> None:
        """Keep ``secret`` for this session, bound to ``context``."""
        cookie_key = secrets.token_bytes(32)
        request.session[self.session_field] = base64.b64encode(
            wrap_with_key(secret, cookie_key, context=context)
        ).decode("ascii")
        response.set_cookie(
            self.cookie_name,
            base64.urlsafe_b64encode(cookie_key).decode("ascii"),
            max_age=None,  # a browser-session cookie; the server session sets the idle limit
            secure=settings.SESSION_COOKIE_SECURE,
            httponly=True,
            samesite="Strict",
        )

    def get(self, request: HttpRequest, *, context: str) -> bytes:
        """The kept secret, or VaultEmpty."""
        wrapped = request.session.get(self.session_field)
        cookie = request.COOKIES.get(self.cookie_name)
        if not wrapped or not cookie:
            raise VaultEmpty
        try:
            cookie_key = base64.urlsafe_b64decode(cookie.encode("ascii"))
            blob = base64.b64decode(wrapped.encode("ascii"))
            return unwrap_with_key(blob, cookie_key, context=context)
        except (DecryptionError, binascii.Error, ValueError):
            raise VaultEmpty from None

    def holds(self, request: HttpRequest) -> bool:
        """Whether both halves are present (without opening anything)."""
        return bool(request.session.get(self.session_field)) and self.cookie_name in request.COOKIES

    def forget(self, response: HttpResponse) -> None:
        """Drop the cookie half; the session half goes with the session."""
        response.delete_cookie(self.cookie_name, samesite="Strict")
