"""Response hardening that Django does not ship, and a calm answer when the
database is unreachable."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.db import DatabaseError, DataError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from amparo.core import views as core_views

logger = logging.getLogger("amparo")

Handler = Callable[[HttpRequest], HttpResponse]


def security_headers(get_response: Handler) -> Handler:
    """Headers every response carries, whatever view produced it."""

    def middleware(request: HttpRequest) -> HttpResponse:
        response = get_response(request)
        response.headers.setdefault("Permissions-Policy", settings.PERMISSIONS_POLICY)
        response.headers.setdefault("Cross-Origin-Resource-Policy", "same-origin")
        # Pages may carry case content: no shared cache, and a browser's
        # back-button cache should not keep them either.
        if response.get("Content-Type", "").startswith("text/html"):
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    return middleware


class database_unavailable:
    """Turn a lost database connection into a translated 503 page.

    Every write is one transaction, so nothing half-written remains; the page
    tells the person that their last action was not saved.
    """

    def __init__(self, get_response: Handler) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DatabaseError):
            return None
        if isinstance(exception, DataError):
            # The database refused a value it was given (a NUL byte, a number out of
            # range): the request was bad, the database is fine. No outage, no ERROR.
            logger.warning("request refused by the database: %s", type(exception).__name__)
            return core_views.bad_request(request)
        # The exception text can quote SQL parameters: log only its type.
        logger.error("database unavailable: %s", type(exception).__name__)
        return render(request, "core/503.html", status=503)


# Control characters have no business in a path. PostgreSQL refuses a NUL byte in a text
# value (as an error that looked like an outage), and none of our ids can hold one.
_CONTROL = frozenset(chr(code) for code in [*range(0x20), 0x7F])


def refuse_control_characters(get_response: Handler) -> Handler:
    """Answer 404 for a path with control characters, before any view queries with it."""

    def middleware(request: HttpRequest) -> HttpResponse:
        if not _CONTROL.isdisjoint(request.path):
            return core_views.page_not_found(request)
        return get_response(request)

    return middleware
