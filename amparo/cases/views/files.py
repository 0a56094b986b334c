"""Attachments: decrypted for the desk, as a download or an inline preview."""

from __future__ import annotations

from typing import cast

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_safe

from amparo.accounts import keyring
from amparo.cases.access import access_attachment_by_public_id
from amparo.cases.actions.reads import audit_download
from amparo.cases.downloads import file_response, safe_filename
from amparo.cases.views.common import DESK, open_case, sign_in_again, user_of

__all__ = ["download", "preview", "safe_filename"]


def _served(
    request: HttpRequest, public_id: str, attachment_id: str, *, inline: bool
) -> HttpResponse:
    case, attachment = access_attachment_by_public_id(request.user, public_id, attachment_id)
    try:
        opened = open_case(request, case)
    except keyring.KeyUnavailable:
        return sign_in_again(request)
    response = file_response(opened, attachment, inline=inline)
    if response is None:
        return render(request, "cases/file_damaged.html", {"case": case}, status=500)
    audit_download(user_of(request), case, attachment.public_id, inline=inline)
    # cast: staff_required is typed for HttpResponse; a streaming one works alike.
    return cast(HttpResponse, response)


@DESK
@require_safe
def download(request: HttpRequest, public_id: str, attachment_id: str) -> HttpResponse:
    return _served(request, public_id, attachment_id, inline=False)


@DESK
@require_safe
def preview(request: HttpRequest, public_id: str, attachment_id: str) -> HttpResponse:
    return _served(request, public_id, attachment_id, inline=True)
