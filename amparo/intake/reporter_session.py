"""Keeping a reporter's access between requests after they typed their code.

The same pattern as the staff keyring (amparo/accounts/keyring.py): the
reporter's private key, unwrapped with the receipt once, is kept encrypted
under a random key that lives only in an HttpOnly, SameSite=Strict cookie;
the session store holds the ciphertext and the case's public id. A copy of
the session table opens nothing, and the receipt itself is never kept.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from amparo.cases.models import Case
from amparo.cases.vault import OpenCase, ReporterAccess
from amparo.core.cookie_vault import CookieVault, VaultEmpty
from amparo.crypto import DecryptionError, derive_public_key, open_data_key
from amparo.lib.binary import as_bytes

COOKIE_NAME = "amparo_reporter"
_CASE_FIELD = "amparo_reporter_case"
_VAULT = CookieVault(cookie_name=COOKIE_NAME, session_field="amparo_reporter_wrapped_key")


class NoReporterSession(Exception):
    """No usable follow-up session: the reporter types the code again."""


def _context(public_id: str) -> str:
    return f"reporter-session-private-key:{public_id}"


def start(request: HttpRequest, response: HttpResponse, access: ReporterAccess) -> None:
    """Remember the reporter's access for this browser session."""
    # A fresh session id: nobody who knew the old one (fixation) follows along.
    request.session.cycle_key()
    case = access.opened.case
    request.session[_CASE_FIELD] = case.public_id
    _VAULT.put(request, response, access.reporter_private_key, context=_context(case.public_id))


def open_case(request: HttpRequest) -> OpenCase:
    """The reporter's case, opened, or NoReporterSession."""
    public_id = request.session.get(_CASE_FIELD)
    if not public_id or not _VAULT.holds(request):
        raise NoReporterSession
    case = Case.objects.filter(public_id=public_id).first()
    if case is None or case.reporter_public_key is None or case.reporter_sealed_key is None:
        raise NoReporterSession
    try:
        private = _VAULT.get(request, context=_context(public_id))
        public = as_bytes(case.reporter_public_key)
        # A swapped public key in the database would otherwise go unnoticed.
        if derive_public_key(private) != public:
            raise NoReporterSession
        data_key = open_data_key(as_bytes(case.reporter_sealed_key), public, private)
    except (VaultEmpty, DecryptionError):
        raise NoReporterSession from None
    return OpenCase(case=case, data_key=data_key)


def active(request: HttpRequest) -> bool:
    return bool(request.session.get(_CASE_FIELD)) and _VAULT.holds(request)


def end(request: HttpRequest, response: HttpResponse) -> None:
    """Forget the reporter's access: the session row and the cookie half."""
    request.session.flush()
    _VAULT.forget(response)
