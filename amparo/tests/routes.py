"""Who may reach each named route: the role matrix that ``test_routes.py`` enforces.

Every app with URLs lists each of its named routes in its own
``amparo/<app>/tests/routes.py``, for example::

    from amparo.accounts.models import Role
    from amparo.tests.routes import PUBLIC, REPORTER, staff

    ROUTES = {
        "protection:plan": staff(Role.HANDLER, Role.COORDINATOR),
        "consent:reporter_page": REPORTER,
    }

A route that no table lists, or that two tables list, fails the suite; so does
a row for a route that no longer exists. ``staff()`` with no role means any
signed-in staff member.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass, field
from typing import Literal

from django.apps import apps

from amparo.accounts.models import Role


@dataclass(frozen=True)
class Access:
    """Who may open a route: anyone, a reporter in a follow-up session, or staff roles."""

    kind: Literal["public", "reporter", "staff"]
    roles: frozenset[Role] = field(default_factory=frozenset)

    def __str__(self) -> str:
        if self.kind != "staff":
            return self.kind
        return "staff(" + ", ".join(sorted(self.roles)) + ")"


# Anyone at all, signed in or not: the public side, sign-in and enrolment pages.
PUBLIC = Access("public")
# Only with a reporter's follow-up session (opened with the receipt); others are
# sent to the page where the code is typed.
REPORTER = Access("reporter")


def staff(*roles: Role | str) -> Access:
    """Signed-in staff holding one of ``roles`` (any staff member when none are given)."""
    return Access("staff", frozenset(Role(role) for role in roles))


def role_matrix() -> dict[str, Access]:
    """Every app's ``tests.routes.ROUTES``, merged; a route listed twice is an error."""
    matrix: dict[str, Access] = {}
    for config in apps.get_app_configs():
        if not config.name.startswith("amparo."):
            continue
        module_name = f"{config.name}.tests.routes"
        try:
            module = importlib.import_module(module_name)
        except ModuleNotFoundError as error:
            if error.name in (module_name, f"{config.name}.tests"):
                continue
            raise
        for name, access in module.ROUTES.items():
            if name in matrix:
                raise ValueError(f"route {name!r} is listed twice in the role matrix")
            matrix[name] = access
    return matrix
