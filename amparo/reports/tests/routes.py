"""reports' rows in the role matrix (see amparo/tests/routes.py)."""

from amparo.accounts.models import Role
from amparo.tests.routes import staff

STATISTICS = staff(Role.ANALYST, Role.COORDINATOR)

ROUTES = {
    "reports:index": STATISTICS,
    "reports:session": STATISTICS,
    "reports:release_new": STATISTICS,
    "reports:release": STATISTICS,
    "reports:release_csv": STATISTICS,
    "reports:annual": STATISTICS,
    "reports:annual_new": STATISTICS,
    "reports:annual_detail": STATISTICS,
    "reports:annual_narrative": STATISTICS,
    "reports:annual_approve": staff(Role.COORDINATOR),
    "reports:annual_csv": STATISTICS,
    "reports:annual_pdf": STATISTICS,
}
