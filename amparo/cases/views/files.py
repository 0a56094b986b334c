"""Attachments: decrypted for the desk, as a download or an inline preview."""

from __future__ import annotations

import itertools
import logging
import re
import unicodedata
from collections.abc import Iterator
from typing import cast

from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBase, StreamingHttpResponse
from django.shortcuts import render
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_safe

from amparo.accounts import keyring
from amparo.cases.access import access_attachment_by_public_id
from amparo.cases.actions import audit_download
from amparo.cases.files import iter_plaintext
from amparo.cases.models import Attachment
from amparo.cases.vault import OpenCase
from amparo.cases.views.common import DESK, PREVIEW_TYPES, open_case, sign_in_again, user_of
from amparo.crypto import DecryptionError

logger = logging.getLogger("amparo.cases")
# A decrypted file is served in a sandbox that can do nothing, from nowhere.
FILE_CSP = "sandbox; default-src 'none'; img-src 'self'"

_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]+")


def safe_filename(name: str) -> str:
    """A decrypted file name made harmless for a Content-Disposition header and a disk.

    No path parts, control or reserved characters, no leading dots (hidden
    files), no bidi overrides that disguise an extension; at most 150 characters.
    """
    name = unicodedata.normalize("NFC", str(name))
    name = "".join(ch for ch in name if unicodedata.category(ch) not in ("Cc", "Cf"))
    name = _UNSAFE_NAME.sub("_", name.replace("\\", "/").rsplit("/", 1)[-1])
    name = name.strip(" .")
    if len(name) > 150:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: 150 - len(ext) - 1] + dot + ext) if dot and len(ext) <= 10 else name[:150]
    return name or "attachment"


def _file_response(
    request: HttpRequest, public_id: str, attachment_id: str, *, inline: bool
) -> HttpResponseBase:
    case, attachment = access_attachment_by_public_id(request.user, public_id, attachment_id)
    try:
        opened = open_case(request, case)
    except keyring.KeyUnavailable:
        return sign_in_again(request)
    meta = opened.decrypt_json(attachment.metadata, attachment.aad_field())
    content_type = str(meta.get("content_type", ""))
    if inline and content_type not in PREVIEW_TYPES:
        raise Http404
    chunks = _checked_stream(opened, attachment)
    if chunks is None:
        return render(request, "cases/file_damaged.html", {"case": case}, status=500)
    audit_download(user_of(request), case, attachment.public_id, inline=inline)
    response = StreamingHttpResponse(
        chunks, content_type=content_type if inline else "application/octet-stream"
    )
    response["Content-Disposition"] = (
        content_disposition_header(
            as_attachment=not inline, filename=safe_filename(str(meta.get("name", "")))
        )
        or "attachment"
    )
    if isinstance(meta.get("size"), int):
        # With the length announced, a browser knows a download cut short by
        # a damaged file (detected only at the end of the stream) is incomplete.
        response["Content-Length"] = str(meta["size"])
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = FILE_CSP
    response["Cache-Control"] = "no-store"
    return response


def _checked_stream(opened: OpenCase, attachment: Attachment) -> Iterator[bytes] | None:
    """The decrypted chunks, with the first one already checked; None if it fails.

    A file truncated or altered further on still fails only when the stream
    reaches that point: the download then stops short of its Content-Length.
    """
    stream = iter_plaintext(opened, attachment)
    try:
        first = next(stream, b"")
    except (DecryptionError, OSError):
        logger.error("attachment %s could not be decrypted", attachment.public_id)
        return None
    return _logged(itertools.chain([first], stream), attachment.public_id)


def _logged(chunks: Iterator[bytes], public_id: str) -> Iterator[bytes]:
    try:
        yield from chunks
    except DecryptionError:
        logger.error("attachment %s failed part way through", public_id)
        raise


@DESK
@require_safe
def download(request: HttpRequest, public_id: str, attachment_id: str) -> HttpResponse:
    # cast: staff_required is typed for HttpResponse; a streaming one works alike.
    return cast(HttpResponse, _file_response(request, public_id, attachment_id, inline=False))


@DESK
@require_safe
def preview(request: HttpRequest, public_id: str, attachment_id: str) -> HttpResponse:
    return cast(HttpResponse, _file_response(request, public_id, attachment_id, inline=True))
