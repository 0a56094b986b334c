"""Assignment by coordinators: the case key follows the case."""

from __future__ import annotations

from amparo.audit.models import AuditEvent
from amparo.cases.actions.create import do_enter_on_behalf
from amparo.cases.models import Case, CaseKey
from amparo.cases.signals import case_activity
from amparo.cases.tests.base import DeskTestCase, make_case
from amparo.cases.vault import NoAccess, open_for_staff


class AssignTests(DeskTestCase):
    def post_assign(self, case: Case, assignee: object):  # type: ignore[no-untyped-def]
        case.refresh_from_db()
        return self.client.post(
            self.case_url(case, "assign/"), {"assignee": assignee, "version": case.version}
        )

    def holders(self, case: Case) -> set[str]:
        return set(CaseKey.objects.filter(case=case).values_list("user__username", flat=True))

    def test_it_seals_the_key_to_the_new_handler_and_removes_the_old_copy(self) -> None:
        created = make_case("Narrative for the handlers")
        case = created.case
        self.sign_in(self.coordinator)
        self.assertEqual(self.post_assign(case, self.handler.user.pk).status_code, 302)
        self.assertEqual(self.holders(case), {"coordinator", "handler"})
        opened = open_for_staff(case, self.handler.user, self.handler.private_key())
        self.assertEqual(opened.answers()["what_happened"], "Narrative for the handlers")

        self.assertEqual(self.post_assign(case, self.outsider.user.pk).status_code, 302)
        case.refresh_from_db()
        self.assertEqual(case.assignee, self.outsider.user)
        self.assertEqual(self.holders(case), {"coordinator", "outsider"})
        with self.assertRaises(NoAccess):
            open_for_staff(case, self.handler.user, self.handler.private_key())
        opened = open_for_staff(case, self.outsider.user, self.outsider.private_key())
        self.assertEqual(opened.answers()["what_happened"], "Narrative for the handlers")
        # The previous handler now gets the same 404 as for a missing case.
        self.sign_in(self.handler)
        self.assertEqual(self.client.get(self.case_url(case)).status_code, 404)
        self.sign_in(self.outsider)
        self.assertEqual(self.client.get(self.case_url(case)).status_code, 200)

        event = AuditEvent.objects.filter(action="case_assigned").last()
        self.assertEqual(
            event.details,
            {
                "from": self.handler.user.pk,
                "to": self.outsider.user.pk,
                "keys_removed": [self.handler.user.pk],
            },
        )

    def test_it_refuses_someone_without_the_handler_role(self) -> None:
        case = self.assign(make_case().case, self.handler)
        version = case.version
        self.sign_in(self.coordinator)
        for someone in (self.analyst.user.pk, self.administrator.user.pk, 999_999):
            response = self.post_assign(case, someone)
            self.assertContains(
                response, "That person is not a handler with a key pair", status_code=400
            )
        case.refresh_from_db()
        self.assertEqual(case.assignee, self.handler.user)
        self.assertEqual(case.version, version)
        self.assertEqual(self.holders(case), {"coordinator", "handler"})
        self.assertEqual(AuditEvent.objects.filter(action="case_assigned").count(), 1)

    def test_it_refuses_an_inactive_handler(self) -> None:
        case = make_case().case
        self.outsider.user.is_active = False
        self.outsider.user.save()
        self.sign_in(self.coordinator)
        response = self.post_assign(case, self.outsider.user.pk)
        self.assertEqual(response.status_code, 400)
        self.assertEqual(self.holders(case), {"coordinator"})

    def test_it_keeps_assignment_for_coordinators(self) -> None:
        case = self.assign(make_case().case, self.handler)
        self.sign_in(self.handler)
        self.assertEqual(self.post_assign(case, self.outsider.user.pk).status_code, 403)
        self.assertNotContains(self.client.get(self.case_url(case)), 'name="assignee"')
        case.refresh_from_db()
        self.assertEqual(case.assignee, self.handler.user)

    def test_it_unassigns_and_removes_the_handlers_copy(self) -> None:
        case = self.assign(make_case().case, self.handler)
        self.sign_in(self.coordinator)
        self.assertEqual(self.post_assign(case, "").status_code, 302)
        case.refresh_from_db()
        self.assertIsNone(case.assignee)
        self.assertEqual(self.holders(case), {"coordinator"})

    def test_it_leaves_a_coordinators_copy_when_they_hand_a_case_on(self) -> None:
        case = self.assign(make_case().case, self.coordinator)
        self.sign_in(self.coordinator)
        self.post_assign(case, self.handler.user.pk)
        self.assertEqual(self.holders(case), {"coordinator", "handler"})

    def test_it_removes_the_copy_of_whoever_entered_the_case(self) -> None:
        created = do_enter_on_behalf(
            self.outsider.user,
            answers={"what_happened": "By phone"},
            language="es",
            questionnaire_version="desk-entry-1",
        )
        self.assertEqual(self.holders(created.case), {"coordinator", "outsider"})
        self.sign_in(self.coordinator)
        self.post_assign(created.case, self.handler.user.pk)
        self.assertEqual(self.holders(created.case), {"coordinator", "handler"})

    def test_it_refuses_a_stale_assignment(self) -> None:
        case = make_case().case
        self.sign_in(self.coordinator)
        response = self.client.post(
            self.case_url(case, "assign/"), {"assignee": self.handler.user.pk, "version": 99}
        )
        self.assertEqual(response.status_code, 409)
        self.assertEqual(self.holders(case), {"coordinator"})

    def test_it_says_so_when_nothing_would_change(self) -> None:
        case = self.assign(make_case().case, self.handler)
        self.sign_in(self.coordinator)
        response = self.post_assign(case, self.handler.user.pk)
        self.assertContains(response, "already assigned to that person", status_code=400)

    def test_it_signals_the_assignment_after_commit(self) -> None:
        received: list[tuple[str, str]] = []

        def listener(sender, case, kind, **kwargs):  # type: ignore[no-untyped-def]
            received.append((case.public_id, kind))

        case_activity.connect(listener)
        self.addCleanup(case_activity.disconnect, listener)
        case = make_case().case
        self.sign_in(self.coordinator)
        with self.captureOnCommitCallbacks(execute=True):
            self.post_assign(case, self.handler.user.pk)
        self.assertEqual(received, [(case.public_id, "assigned")])
