"""Who may see which case: the one helper every desk view goes through.

A case that exists but is not yours answers exactly like a case that does not
exist, so probing public ids teaches nothing.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.http import Http404

from amparo.cases.models import Attachment, Case


def visible_cases(user: Any) -> QuerySet[Case]:
    """Cases this person may open: all for coordinators, their own for handlers,
    and in every case only those whose key is sealed to them."""
    if not user.is_authenticated or not (user.is_coordinator or user.is_handler):
        return Case.objects.none()
    cases = Case.objects.filter(keys__user=user)
    if not user.is_coordinator:
        cases = cases.filter(Q(assignee=user) | Q(entered_by=user, assignee__isnull=True))
    return cases


def access_case_by_public_id(user: Any, public_id: str) -> Case:
    if not user.is_authenticated:
        raise Http404
    if not (user.is_coordinator or user.is_handler):
        raise Http404
    case = visible_cases(user).filter(public_id=public_id).first()
    if case is None:
        raise Http404
    return case


def access_attachment_by_public_id(
    user: Any, case_public_id: str, attachment_public_id: str
) -> tuple[Case, Attachment]:
    """The attachment and its case, or the same 404 as for a case the person may not see."""
    case = access_case_by_public_id(user, case_public_id)
    attachment = Attachment.objects.filter(case=case, public_id=attachment_public_id).first()
    if attachment is None:
        raise Http404
    return case, attachment


def visible_case_by_reference(user: Any, reference: str) -> Case | None:
    """A case the person may see, by its human reference (for links and duplicates).

    None both for a reference that does not exist and for one the person may
    not see, so a form cannot be used to probe other handlers' cases.
    """
    reference = reference.strip().upper()
    if not reference:
        return None
    return visible_cases(user).filter(reference=reference).first()
