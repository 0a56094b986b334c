"""The removal pages warn of what a removal would cost before it is asked
for and before it is confirmed. The referral signing key's warning is tested
with referrals (amparo/referrals/tests/test_signing_shares.py)."""

from __future__ import annotations

from amparo.accounts.models import Role, StaffChange
from amparo.accounts.tests.test_two_person import new_case
from amparo.accounts.two_person import do_deactivate
from amparo.cases.models import CaseKey
from amparo.tests.base import AmparoTestCase, enrol_persona


class CaseKeyWarningTests(AmparoTestCase):
    def test_the_confirmation_page_lists_cases_only_the_person_can_open_since_the_request(
        self,
    ) -> None:
        second = enrol_persona("second-coordinator", [Role.COORDINATOR])
        case = new_case()  # sealed to every coordinator
        change = do_deactivate(self.administrator.user, second.user)
        assert change is not None
        self.sign_in(self.coordinator)
        url = f"/en/staff/people/changes/{change.pk}/"
        self.assertNotContains(self.client.get(url), case.reference)
        # Meanwhile the only other copy goes (as when its holder's copies are destroyed).
        CaseKey.objects.filter(case=case).exclude(user=second.user).delete()
        page = self.client.get(url)
        self.assertContains(page, "Only second-coordinator can open this case:")
        self.assertContains(page, case.reference)
        response = self.client.post(url, {"decision": "confirm"}, follow=True)
        self.assertContains(response, "is the only person who can open 1 case")
        self.assertEqual(StaffChange.objects.get(pk=change.pk).state, StaffChange.State.PENDING)
        self.assertTrue(type(second.user).objects.get(pk=second.user.pk).is_active)
