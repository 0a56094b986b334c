"""accounts' rows in the role matrix (see amparo/tests/routes.py)."""

from amparo.accounts.models import Role
from amparo.tests.routes import PUBLIC, staff

ROUTES = {
    "accounts:home": staff(),
    "accounts:login": PUBLIC,
    "accounts:logout": PUBLIC,
    "accounts:recover": PUBLIC,
    "accounts:enrol": PUBLIC,
    "accounts:enrol_form": PUBLIC,
    "accounts:password_change": staff(),
    "accounts:invitations": staff(Role.ADMINISTRATOR),
    "accounts:people": staff(Role.COORDINATOR, Role.ADMINISTRATOR),
    "accounts:deactivate": staff(Role.COORDINATOR, Role.ADMINISTRATOR),
    "accounts:person_roles": staff(Role.ADMINISTRATOR),
    "accounts:destroy_keys": staff(Role.COORDINATOR, Role.ADMINISTRATOR),
    "accounts:change": staff(Role.COORDINATOR, Role.ADMINISTRATOR),
}
