"""audit's rows in the role matrix (see amparo/tests/routes.py)."""

from amparo.accounts.models import Role
from amparo.tests.routes import staff

ROUTES = {
    "audit:trail": staff(Role.COORDINATOR),
}
