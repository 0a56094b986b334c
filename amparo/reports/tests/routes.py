"""reports' rows in the role matrix (see amparo/tests/routes.py)."""

from amparo.accounts.models import Role
from amparo.tests.routes import staff

STATISTICS = staff(Role.ANALYST, Role.COORDINATOR)

ROUTES = {
    "reports:index": STATISTICS,
    "reports:release_new": STATISTICS,
    "reports:release": STATISTICS,
    "reports:release_csv": STATISTICS,
}
