"""What the report form and the follow-up share: a CSRF check that keeps what was
typed, and the checks every uploaded file goes through."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.forms.utils import ErrorDict
from django.http import HttpRequest, HttpResponse
from django.middleware.csrf import CsrfViewMiddleware
from django.utils.translation import gettext as _

from amparo.crypto import DecryptionError
from amparo.intake.actions import PreparedFile
from amparo.intake.scrub import RejectedFile, scrub_upload
from amparo.intake.uploads import EncryptedUpload, max_file_bytes, max_files


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


@dataclass
class FileCheck:
    prepared: list[PreparedFile]
    errors: list[str]
    names: list[str]  # every file the person chose, to ask for them again


def _bytes_opener(data: bytes) -> Any:
    return lambda: io.BytesIO(data)


def check_files(uploads: list[EncryptedUpload]) -> FileCheck:
    """Scrub every stored upload; collect a plain message for each refused one."""
    limit_mib = max_file_bytes() // (1024 * 1024)
    check = FileCheck(prepared=[], errors=[], names=[])
    too_many = False
    for upload in uploads:
        name = upload.name or _("(a file without a name)")
        check.names.append(name)
        if upload.too_many:
            too_many = True
            continue
        if upload.too_large:
            check.errors.append(
                _("“%(name)s” is larger than %(limit)d MB.") % {"name": name, "limit": limit_mib}
            )
            continue
        if upload.empty:
            check.errors.append(_("“%(name)s” is empty.") % {"name": name})
            continue
        try:
            with upload.open_plaintext() as stream:
                cleaned = scrub_upload(stream, max_bytes=max_file_bytes())
        except RejectedFile as rejected:
            check.errors.append(_file_refusal(rejected.code, name, limit_mib))
            continue
        except (ValueError, DecryptionError):
            check.errors.append(
                _("“%(name)s” could not be received completely. Please attach it again.")
                % {"name": name}
            )
            continue
        check.prepared.append(
            PreparedFile(
                name=safe_name(name, cleaned.extension),
                content_type=cleaned.content_type,
                scrubbed=cleaned.metadata_removed,
                open=_bytes_opener(cleaned.data),
            )
        )
    if too_many:
        check.errors.insert(
            0,
            _("You can attach at most %(count)d files to one message. Please leave some out.")
            % {"count": max_files()},
        )
    return check


def safe_name(name: str, extension: str) -> str:
    """The name with the extension of what the file really is.

    "invoice.pdf.exe" holding a JPEG becomes "invoice.pdf.jpg": whoever opens
    it at the desk gets what its content is, never what its name claimed.
    """
    stem, dot, suffix = name.rpartition(".")
    if not dot or not stem:
        stem = name
    elif suffix.lower() == extension or (suffix.lower(), extension) == ("jpeg", "jpg"):
        return name
    return f"{stem}.{extension}"


def _file_refusal(code: str, name: str, limit_mib: int) -> str:
    if code == "too_large":
        return _("“%(name)s” is larger than %(limit)d MB.") % {"name": name, "limit": limit_mib}
    if code == "corrupt":
        return _("“%(name)s” seems to be damaged and cannot be read.") % {"name": name}
    return _(
        "“%(name)s” is not a type of file we can accept, whatever its name says. "
        "Photos, PDF and office documents, plain text, and audio or video recordings are "
        "accepted."
    ) % {"name": name}


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
