"""What the report form and the follow-up share: a CSRF check that keeps what was
typed, and the checks every uploaded file goes through."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.forms.utils import ErrorDict
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware

from amparo.intake.filecheck import FileCheck, check_files, safe_name
from amparo.intake.uploads import EncryptedUpload


def form_max_age() -> int:
    return settings.AMPARO_FORM_MAX_AGE_HOURS * 60 * 60


def csrf_rejected(request: HttpRequest) -> bool:
    """Run Django's CSRF check by hand: the outer views are csrf_exempt so
    that the encrypted upload handler can be installed first."""

    def view(_request: HttpRequest) -> HttpResponse:  # pragma: no cover - never called
        return HttpResponse()

    middleware = CsrfViewMiddleware(view)
    return middleware.process_view(request, view, (), {}) is not None


def from_our_own_page(request: HttpRequest) -> bool:
    """True when the browser says the form was sent from one of our pages.

    Browsers set Origin themselves and no other site can forge it, so a
    failed token check on such a request means an expired token or a lost
    cookie, not an attack: it is then safe to show the person's text again.
    """
    return request.META.get("HTTP_ORIGIN") == f"{request.scheme}://{request.get_host()}"


# --- Files ----------------------------------------------------------------------

# The checks themselves live in amparo.intake.filecheck (cheap checks first, decoding in
# a bounded child process); re-exported here for the views.
__all__ = ["FileCheck", "check_files", "safe_name"]


def uploads_of(request: HttpRequest) -> list[EncryptedUpload]:
    return [f for f in request.FILES.getlist("files") if isinstance(f, EncryptedUpload)]


def names_of(uploads: list[EncryptedUpload]) -> list[str]:
    return [upload.name or "" for upload in uploads]


def discard(uploads: list[EncryptedUpload]) -> None:
    for upload in uploads:
        upload.discard()


def without(data: Any, name: str) -> Any:
    """A copy of the posted data with one field emptied."""
    copy = data.copy()
    copy[name] = ""
    return copy


def kept(form: Any) -> Any:
    """A bound form that shows the typed values but no errors (nothing was checked yet)."""
    form.is_valid()
    form._errors = ErrorDict()
    return form
