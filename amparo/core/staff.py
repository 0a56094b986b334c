"""Staff roles and the one decorator every staff page uses.

They live here, below every app, so that any app can guard its pages without
importing accounts (which owns the people who hold the roles): the apps then
depend on each other one way only.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from amparo.core.roles import Role

__all__ = ["Role", "View", "staff_required"]

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
