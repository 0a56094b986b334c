"""Keeping a reporter's access between requests after they typed their code.

The same pattern as the staff keyring (amparo/accounts/keyring.py): the
reporter's private key, unwrapped with the receipt once, is kept encrypted
under a random key that lives only in an HttpOnly, SameSite=Strict cookie;
the session store holds the ciphertext and the case's public id. A copy of
the session table opens nothing, and the receipt itself is never kept.
"""

from __future__ import annotations

import base64
import binascii
import secrets

from django.conf import settings
from django.http import HttpRequest, HttpResponse

from amparo.cases.models import Case
from amparo.cases.vault import OpenCase, ReporterAccess
from amparo.crypto import (
    DecryptionError,
    derive_public_key,
    open_data_key,
    unwrap_with_key,
    wrap_with_key,
)
from amparo.lib.binary import as_bytes

COOKIE_NAME = "amparo_reporter"
_CASE_FIELD = "amparo_reporter_case"
_KEY_FIELD = "amparo_reporter_wrapped_key"


class NoReporterSession(Exception):
    """No usable follow-up session: the reporter types the code again."""


def _context(public_id: str) -> str:
    return f"reporter-session-private-key:{public_id}"


def start(request: HttpRequest, response: HttpResponse, access: ReporterAccess) -> None:
    """Remember the reporter's access for this browser session."""
    # A fresh session id: nobody who knew the old one (fixation) follows along.
    request.session.cycle_key()
    case = access.opened.case
    cookie_key = secrets.token_bytes(32)
    request.session[_CASE_FIELD] = case.public_id
    request.session[_KEY_FIELD] = base64.b64encode(
        wrap_with_key(access.reporter_private_key, cookie_key, context=_context(case.public_id))
    ).decode("ascii")
    response.set_cookie(
        COOKIE_NAME,
        base64.urlsafe_b64encode(cookie_key).decode("ascii"),
        max_age=None,
        secure=settings.SESSION_COOKIE_SECURE,
        httponly=True,
        samesite="Strict",
    )


def open_case(request: HttpRequest) -> OpenCase:
    """The reporter's case, opened, or NoReporterSession."""
    public_id = request.session.get(_CASE_FIELD)
    wrapped = request.session.get(_KEY_FIELD)
    cookie = request.COOKIES.get(COOKIE_NAME)
    if not public_id or not wrapped or not cookie:
        raise NoReporterSession
    case = Case.objects.filter(public_id=public_id).first()
    if case is None or case.reporter_public_key is None or case.reporter_sealed_key is None:
        raise NoReporterSession
    try:
        cookie_key = base64.urlsafe_b64decode(cookie.encode("ascii"))
        private = unwrap_with_key(
            base64.b64decode(wrapped.encode("ascii")), cookie_key, context=_context(public_id)
        )
        public = as_bytes(case.reporter_public_key)
        # A swapped public key in the database would otherwise go unnoticed.
        if derive_public_key(private) != public:
            raise NoReporterSession
        data_key = open_data_key(as_bytes(case.reporter_sealed_key), public, private)
    except (DecryptionError, binascii.Error, ValueError):
        raise NoReporterSession from None
    return OpenCase(case=case, data_key=data_key)


def active(request: HttpRequest) -> bool:
    return bool(request.session.get(_CASE_FIELD)) and COOKIE_NAME in request.COOKIES


def end(request: HttpRequest, response: HttpResponse) -> None:
    """Forget the reporter's access: the session row and the cookie half."""
    request.session.flush()
    response.delete_cookie(COOKIE_NAME, samesite="Strict")
