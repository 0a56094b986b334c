"""Who may see which case: the one helper every desk view goes through.

A case that exists but is not yours answers exactly like a case that does not
exist, so probing public ids teaches nothing.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.http import Http404

from amparo.cases.models import Attachment, Case, CaseKey


def visible_cases(user: Any) -> QuerySet[Case]:
    """Cases this person may open: all for coordinators, their own for handlers,
    and in every case only those whose key is sealed to them."""
    if not user.is_authenticated or not user.is_active:
        return Case.objects.none()
    if not (user.is_coordinator or user.is_handler):
        return Case.objects.none()
    cases = Case.objects.filter(keys__user=user)
    if not user.is_coordinator:
        cases = cases.filter(Q(assignee=user) | Q(entered_by=user, assignee__isnull=True))
    return cases


def desk_cases() -> QuerySet[Case]:
    """Every case that someone at the desk holds a key to.

    A case shredded but kept for statistics (amparo.operations) keeps its row
    and its coding, and no key: it is a figure, not a case anyone can open, so
    it is never listed, counted as the desk's, reminded of or linked to.
    """
    return Case.objects.filter(Exists(CaseKey.objects.filter(case=OuterRef("pk"))))


def live_keys() -> QuerySet[CaseKey]:
    """Sealed copies whose holder can open the case today.

    The same rule as ``visible_cases``, for every person at once: an active
    coordinator, or an active handler to whom the case is assigned (or who
    entered it and it is not assigned). A copy held by someone removed, or
    who lost the role, opens nothing through the desk any more.
    """
    return CaseKey.objects.filter(user__is_active=True).filter(
        Q(user__is_coordinator=True)
        | Q(user__is_handler=True, case__assignee=F("user"))
        | Q(user__is_handler=True, case__entered_by=F("user"), case__assignee__isnull=True)
    )


def cases_only_held_by(user: Any) -> QuerySet[Case]:
    """Cases that nobody but ``user`` can open today: removing them, or
    their role, would leave these cases unreadable by anyone at the desk."""
    mine = live_keys().filter(user=user).values("case")
    others = live_keys().exclude(user=user).values("case")
    return Case.objects.filter(pk__in=mine).exclude(pk__in=others).order_by("reference")


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
