"""Who may decide which deletion request: the one helper every view goes through."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet
from django.http import Http404

from amparo.cases.access import visible_cases
from amparo.operations.models import DeletionRequest, RequestStatus


def visible_requests(user: Any) -> QuerySet[DeletionRequest]:
    """Open requests on cases this coordinator holds a key to."""
    if not user.is_authenticated or not user.is_coordinator:
        return DeletionRequest.objects.none()
    return DeletionRequest.objects.filter(
        status=RequestStatus.PENDING, case__in=visible_cases(user)
    ).select_related("case")


def access_deletion_request_by_id(user: Any, request_id: int) -> DeletionRequest:
    """The same 404 for a request that is missing, decided, or on a case not yours."""
    if not user.is_authenticated:
        raise Http404
    if not user.is_coordinator:
        raise Http404
    found = visible_requests(user).filter(pk=request_id).first()
    if found is None:
        raise Http404
    return found
