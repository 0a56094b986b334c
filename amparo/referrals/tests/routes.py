"""referrals' rows in the role matrix (see amparo/tests/routes.py)."""

from amparo.accounts.models import Role
from amparo.tests.routes import staff

ADMIN = staff(Role.ADMINISTRATOR)
DESK = staff(Role.HANDLER, Role.COORDINATOR)

ROUTES = {
    "referrals:queue": staff(Role.COORDINATOR),
    "referrals:partners": ADMIN,
    "referrals:partner_add": ADMIN,
    "referrals:partner": ADMIN,
    "referrals:partner_edit": ADMIN,
    "referrals:partner_confirm": ADMIN,
    "referrals:partner_active": ADMIN,
    "referrals:signing_key": staff(Role.COORDINATOR, Role.ADMINISTRATOR),
    "referrals:case": DESK,
    "referrals:prepare": DESK,
    "referrals:detail": DESK,
    "referrals:approve": DESK,
    "referrals:send_back": DESK,
    "referrals:cancel": DESK,
    "referrals:download": DESK,
    "referrals:response": DESK,
    "referrals:withdrawal_notice": DESK,
}
