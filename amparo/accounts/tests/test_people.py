from __future__ import annotations

from amparo.accounts.models import Role, StaffChange, User
from amparo.audit.models import AuditEvent
from amparo.cases.access import visible_cases
from amparo.cases.actions.create import do_create_case
from amparo.cases.models import Case, CaseKey
from amparo.cases.vault import open_for_staff
from amparo.tests.base import AmparoTestCase, enrol_persona


def new_case() -> Case:
    return do_create_case(
        answers={"narrative": "x"}, language="en", questionnaire_version="t", with_receipt=False
    ).case


class PeopleTests(AmparoTestCase):
    def test_it_lets_a_coordinator_share_cases_with_a_new_coordinator(self) -> None:
        cases = [new_case() for _ in range(2)]
        newcomer = enrol_persona("newcomer", [Role.COORDINATOR])
        self.sign_in(self.coordinator)
        self.assertContains(self.client.get("/en/staff/people/"), "Share my cases")
        response = self.client.post(f"/en/staff/people/{newcomer.user.pk}/share/", follow=True)
        self.assertContains(response, "2 cases shared with newcomer")
        for case in cases:
            open_for_staff(case, newcomer.user, newcomer.private_key())

    def test_it_refuses_to_share_with_a_non_coordinator(self) -> None:
        new_case()
        self.sign_in(self.coordinator)
        response = self.client.post(f"/en/staff/people/{self.handler.user.pk}/share/", follow=True)
        self.assertContains(response, "only with another active coordinator")
        self.assertFalse(CaseKey.objects.filter(user=self.handler.user).exists())

    def test_it_removes_a_coordinator_once_a_second_confirms_and_keeps_their_keys(self) -> None:
        case = new_case()
        other = enrol_persona("second-coordinator", [Role.COORDINATOR])
        from amparo.cases.actions.keys import do_grant_access

        do_grant_access(self.coordinator.user, self.coordinator.private_key(), case, other.user)
        self.sign_in(self.administrator)
        response = self.client.post(f"/en/staff/people/{other.user.pk}/deactivate/", follow=True)
        self.assertContains(response, "now waits for the confirmation")
        self.assertTrue(User.objects.get(pk=other.user.pk).is_active)
        change = StaffChange.objects.get(subject=other.user, state="pending")
        self.sign_in(self.coordinator)
        self.client.post(f"/en/staff/people/changes/{change.pk}/", {"decision": "confirm"})
        self.assertFalse(User.objects.get(pk=other.user.pk).is_active)
        # Access is gone (no sign-in, not a key holder), the sealed copy stays.
        self.assertFalse(visible_cases(User.objects.get(pk=other.user.pk)).exists())
        self.assertTrue(CaseKey.objects.filter(user=other.user).exists())
        self.assertTrue(AuditEvent.objects.filter(action="access_revoked").exists())

    def test_it_is_closed_to_handlers_and_analysts(self) -> None:
        for persona in [self.handler, self.analyst]:
            self.sign_in(persona)
            self.assertEqual(self.client.get("/en/staff/people/").status_code, 403)
            target = f"/en/staff/people/{self.outsider.user.pk}/deactivate/"
            self.assertEqual(self.client.post(target).status_code, 403)
        self.assertTrue(User.objects.get(pk=self.outsider.user.pk).is_active)
