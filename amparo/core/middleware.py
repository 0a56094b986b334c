"""Response hardening that Django does not ship, and a calm answer when the
database is unreachable."""

from __future__ import annotations

import logging
from collections.abc import Callable

from django.conf import settings
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

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
        # The exception text can quote SQL parameters: log only its type.
        logger.error("database unavailable: %s", type(exception).__name__)
        return render(request, "core/503.html", status=503)
