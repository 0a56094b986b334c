"""Reaching sharing requests: through the case, with the same 404 for missing and forbidden."""

from __future__ import annotations

from typing import Any

from django.http import Http404

from amparo.cases.access import access_case_by_public_id
from amparo.cases.models import Case
from amparo.consent.models import SharingRequest


def access_sharing_request_by_public_id(
    user: Any, case_public_id: str, request_public_id: str
) -> tuple[Case, SharingRequest]:
    """For staff: the request and its case, if the person may see the case."""
    case = access_case_by_public_id(user, case_public_id)
    request = SharingRequest.objects.filter(case=case, public_id=request_public_id).first()
    if request is None:
        raise Http404
    return case, request


def access_sharing_request_for_reporter(case: Case, request_public_id: str) -> SharingRequest:
    """For the reporter whose follow-up session opened ``case``: only its own requests."""
    request = (
        SharingRequest.objects.select_related("partner")
        .filter(case=case, public_id=request_public_id)
        .first()
    )
    if request is None:
        raise Http404
    return request
