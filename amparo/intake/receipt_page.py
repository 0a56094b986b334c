"""The receipt page, kept for a short while so that switching language does
not lose the code.

The follow-up code is shown until the person confirms they wrote it down by
typing its last four digits. Until then (at most RECEIPT_PAGE_MINUTES), the
page can be shown again in another language: the code, the reference and
the file names are kept in a CookieVault, encrypted under a key that lives
only in this browser's cookie, so the session table holds nothing readable.
Confirming, leaving quickly or the time running out forgets it for good.
"""

from __future__ import annotations

import json
import time
import unicodedata
from typing import Any

from django.http import HttpRequest, HttpResponse

from amparo.core.cookie_vault import CookieVault, VaultEmpty

RECEIPT_PAGE_MINUTES = 15
_VAULT = CookieVault(cookie_name="amparo_receipt", session_field="amparo_receipt_wrapped")
_UNTIL_FIELD = "amparo_receipt_until"
_CONTEXT = "receipt-page"


def keep(request: HttpRequest, response: HttpResponse, page: dict[str, Any]) -> None:
    """Keep what the receipt page shows, for this browser only, for a short while."""
    _VAULT.put(request, response, json.dumps(page).encode(), context=_CONTEXT)
    request.session[_UNTIL_FIELD] = int(time.time()) + RECEIPT_PAGE_MINUTES * 60


def read(request: HttpRequest) -> dict[str, Any] | None:
    """What the receipt page shows, or None once confirmed, expired or never kept."""
    until = request.session.get(_UNTIL_FIELD)
    if not isinstance(until, int) or until < time.time():
        return None
    try:
        page: dict[str, Any] = json.loads(_VAULT.get(request, context=_CONTEXT))
    except (VaultEmpty, ValueError):
        return None
    return page


def forget(request: HttpRequest, response: HttpResponse) -> None:
    for field in (_VAULT.session_field, _UNTIL_FIELD):
        request.session.pop(field, None)
    _VAULT.forget(response)


def holds(request: HttpRequest) -> bool:
    return _VAULT.holds(request)


def last_digits(typed: str, count: int = 4) -> str | None:
    """The digits typed, in ASCII (Arabic-Indic, Persian and full-width accepted),
    when there are exactly ``count`` of them once spaces and marks are dropped."""
    digits = [str(unicodedata.decimal(c)) for c in typed[:40] if c.isdecimal()]
    others = [c for c in typed[:40] if not c.isdecimal() and not c.isspace()]
    if others and any(unicodedata.category(c) not in ("Cf", "Pd") for c in others):
        return None
    return "".join(digits) if len(digits) == count else None
