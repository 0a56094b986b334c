"""protection's rows in the role matrix (see amparo/tests/routes.py)."""

from amparo.accounts.models import Role
from amparo.tests.routes import staff

DESK = staff(Role.HANDLER, Role.COORDINATOR)

ROUTES = {
    "protection:attention": DESK,
    "protection:assess": DESK,
    "protection:assessments": DESK,
    "protection:measure_new": DESK,
    "protection:measure": DESK,
}
