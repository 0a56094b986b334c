"""consent's rows in the role matrix (see amparo/tests/routes.py)."""

from amparo.accounts.models import Role
from amparo.tests.routes import REPORTER, staff

ROUTES = {
    "consent:reporter_choices": REPORTER,
    "consent:reporter_answer": REPORTER,
    "consent:reporter_withdraw_sharing": REPORTER,
    "consent:record": staff(Role.HANDLER, Role.COORDINATOR),
    "consent:propose": staff(Role.HANDLER, Role.COORDINATOR),
    "consent:cancel_request": staff(Role.HANDLER, Role.COORDINATOR),
}
