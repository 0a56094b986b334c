"""Who may open which staff page: the one decorator every desk view uses."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.http import Http404, HttpResponse

from amparo.accounts.models import StaffChange, User
from amparo.core.staff import staff_required

__all__ = ["access_change_by_id", "access_person_by_id", "staff_required"]

View = Callable[..., HttpResponse]


def access_person_by_id(user: Any, user_id: int) -> User:
    """A staff account, for the coordinators and administrators who manage people."""
    if not user.is_authenticated or not user.is_active:
        raise Http404
    if not (user.is_coordinator or user.is_administrator):
        raise Http404
    person = User.objects.filter(pk=user_id).first()
    if person is None:
        raise Http404
    return person


def access_change_by_id(user: Any, change_id: int) -> StaffChange:
    """A waiting or decided change, for coordinators and administrators."""
    if not user.is_authenticated or not user.is_active:
        raise Http404
    if not (user.is_coordinator or user.is_administrator):
        raise Http404
    change = StaffChange.objects.select_related("subject", "requested_by").filter(pk=change_id)
    found = change.first()
    if found is None:
        raise Http404
    return found
