"""intake's rows in the role matrix (see amparo/tests/routes.py)."""

from amparo.accounts.models import Role
from amparo.tests.routes import PUBLIC, REPORTER, staff

ROUTES = {
    "home": PUBLIC,
    "intake:report": PUBLIC,
    "intake:thanks": PUBLIC,
    "intake:danger": PUBLIC,
    "intake:exit": PUBLIC,
    "intake:follow_up": PUBLIC,
    # The receipt page, kept for one browser until its last 4 digits are typed;
    # without one kept, anyone gets "no longer available" (410).
    "intake:received": PUBLIC,
    "intake:follow_up_case": REPORTER,
    "intake:follow_up_complete": REPORTER,
    "intake:follow_up_file": REPORTER,
    # Leaving ends whatever session there is; without one it only redirects.
    "intake:follow_up_leave": PUBLIC,
    "intake_staff:questionnaires": staff(Role.ADMINISTRATOR),
    "intake_staff:questionnaire_new": staff(Role.ADMINISTRATOR),
    "intake_staff:questionnaire": staff(Role.ADMINISTRATOR),
    "intake_staff:questionnaire_make_current": staff(Role.ADMINISTRATOR),
    "intake_staff:desk_texts": staff(Role.ADMINISTRATOR),
    "intake_staff:emergency_contacts": staff(Role.ADMINISTRATOR),
    "intake_staff:emergency_contact": staff(Role.ADMINISTRATOR),
}
