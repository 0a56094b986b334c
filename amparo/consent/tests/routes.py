"""consent's rows in the role matrix (see amparo/tests/routes.py)."""

from amparo.accounts.models import Role
from amparo.tests.routes import REPORTER, staff

DESK = staff(Role.HANDLER, Role.COORDINATOR)

ROUTES = {
    "consent:reporter_choices": REPORTER,
    "consent:reporter_answer": REPORTER,
    "consent:reporter_withdraw_sharing": REPORTER,
    "consent:record": DESK,
    "consent:propose": DESK,
    "consent:cancel_request": DESK,
}
