"""reference's rows in the role matrix (see amparo/tests/routes.py)."""

from amparo.accounts.models import Role
from amparo.tests.routes import staff

ROUTES = {
    "reference:index": staff(Role.ADMINISTRATOR),
    "reference:list": staff(Role.ADMINISTRATOR),
    "reference:list_edit": staff(Role.ADMINISTRATOR),
    "reference:term_add": staff(Role.ADMINISTRATOR),
    "reference:term_edit": staff(Role.ADMINISTRATOR),
    "reference:situation_edit": staff(Role.ADMINISTRATOR),
    "reference:states_parties": staff(Role.ADMINISTRATOR),
    "reference:state_party_edit": staff(Role.ADMINISTRATOR),
}
