"""Who may open which staff page: the one decorator every desk view uses."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse

from amparo.accounts.models import Role, StaffChange, User

View = Callable[..., HttpResponse]


def staff_required(*roles: Role | str) -> Callable[[View], View]:
    """Require a signed-in staff member holding at least one of ``roles``.

    Anonymous visitors are sent to the sign-in page; signed-in people without
    the role get 403. Object-level checks (may this person see this case?)
    are the job of each app's ``access_<thing>`` helper, not of this one.
    """
    wanted = {Role(role) for role in roles}

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            user = request.user
            if not user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if wanted and not wanted.intersection(user.roles()):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        return wrapper

    return decorator


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
