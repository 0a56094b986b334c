"""The accounts pages: signing in, enrolment and keys, and the People pages.

Sharing one's cases with a coordinator is the cases app's page
(amparo/cases/views/sharing.py), served among these under /staff/.
"""

from amparo.accounts.views.enrolment import enrol, enrol_link, invitations, password_change, recover
from amparo.accounts.views.people import change, deactivate, destroy_keys, people, person_roles
from amparo.accounts.views.sign_in import home, login, logout

__all__ = [
    "change",
    "deactivate",
    "destroy_keys",
    "enrol",
    "enrol_link",
    "home",
    "invitations",
    "login",
    "logout",
    "password_change",
    "people",
    "person_roles",
    "recover",
]
