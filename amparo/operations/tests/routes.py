"""operations' rows in the role matrix (see amparo/tests/routes.py)."""

from amparo.accounts.models import Role
from amparo.tests.routes import REPORTER, staff

ROUTES = {
    "operations:reporter_deletion": REPORTER,
    # Administrators set the rules; coordinators read them and decide requests.
    "operations:home": staff(Role.ADMINISTRATOR, Role.COORDINATOR),
    "operations:save_rules": staff(Role.ADMINISTRATOR),
    "operations:decide": staff(Role.COORDINATOR),
}
