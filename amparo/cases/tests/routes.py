"""cases' rows in the role matrix (see amparo/tests/routes.py)."""

from amparo.accounts.models import Role
from amparo.tests.routes import staff

DESK = staff(Role.HANDLER, Role.COORDINATOR)

ROUTES = {
    "cases:inbox": DESK,
    "cases:search": DESK,
    "cases:enter": DESK,
    "cases:detail": DESK,
    "cases:message": DESK,
    "cases:note": DESK,
    "cases:stage": DESK,
    # A handler passes the desk's door; the view itself refuses anyone but a
    # coordinator (tested in cases/tests).
    "cases:assign": DESK,
    "cases:link": DESK,
    "cases:coding": DESK,
    "cases:download": DESK,
    "cases:preview": DESK,
    # Sharing one's cases, served among the People pages under /staff/.
    "sharing:mine": staff(),
    "sharing:with_coordinator": staff(Role.COORDINATOR),
}
