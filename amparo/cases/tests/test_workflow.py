"""The stage workflow: legal moves, illegal ones, and what each move needs."""

from __future__ import annotations

import itertools

from django.test import TestCase

from amparo.audit.models import AuditEvent
from amparo.cases.actions.common import CaseError
from amparo.cases.actions.desk import do_change_stage
from amparo.cases.models import Case, CaseLink, Stage, StageChange
from amparo.cases.tests.base import DeskTestCase, make_case
from amparo.cases.vault import open_for_staff
from amparo.cases.workflow import TRANSITIONS, find_transition, transitions_from
from amparo.protection.tests.base import assess


class WorkflowRulesTests(TestCase):
    def test_it_covers_every_stage(self) -> None:
        self.assertEqual(set(TRANSITIONS), set(Stage))
        for moves in TRANSITIONS.values():
            self.assertEqual(len({move.to for move in moves}), len(moves))

    def test_it_follows_the_design_path(self) -> None:
        path = [
            Stage.RECEIVED,
            Stage.ACKNOWLEDGED,
            Stage.UNDER_ASSESSMENT,
            Stage.ASSESSED,
            Stage.RESPONSE_IN_PROGRESS,
            Stage.MONITORING,
            Stage.CLOSED,
        ]
        for here, there in itertools.pairwise(path):
            self.assertIsNotNone(
                find_transition(here, there, is_coordinator=False), f"{here}→{there}"
            )

    def test_it_keeps_reopening_a_closed_case_for_coordinators(self) -> None:
        self.assertEqual(transitions_from(Stage.CLOSED, is_coordinator=False), ())
        self.assertIsNotNone(
            find_transition(Stage.CLOSED, Stage.UNDER_ASSESSMENT, is_coordinator=True)
        )


class StageChangeTests(DeskTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.created = make_case()
        self.case = self.assign(self.created.case, self.handler)
        self.sign_in(self.handler)

    def move(self, to: str, **data: str):  # type: ignore[no-untyped-def]
        self.case.refresh_from_db()
        return self.client.post(
            self.case_url(self.case, "stage/"), {"to": to, "version": self.case.version, **data}
        )

    def test_it_moves_a_case_along_the_workflow_and_records_the_history(self) -> None:
        for to in ("acknowledged", "under_assessment"):
            self.assertEqual(self.move(to).status_code, 302, to)
        self.assertEqual(self.move("assessed").status_code, 400)  # no assessment yet
        assess(
            open_for_staff(self.case, self.handler.user, self.handler.private_key()),
            self.handler.user,
        )
        for to in ("assessed", "response_in_progress"):
            self.assertEqual(self.move(to).status_code, 302, to)
        self.assertEqual(self.move("monitoring").status_code, 302)
        self.assertEqual(self.move("closed", yearly_follow_up="on").status_code, 302)
        self.case.refresh_from_db()
        self.assertEqual(self.case.stage, Stage.CLOSED)
        self.assertTrue(self.case.yearly_follow_up)
        self.assertEqual(StageChange.objects.filter(case=self.case).count(), 6)
        events = AuditEvent.objects.filter(action="stage_changed").order_by("seq")
        self.assertEqual(events.count(), 6)
        self.assertEqual(events.last().details, {"from": "monitoring", "to": "closed"})

    def test_it_refuses_an_illegal_move_and_changes_nothing(self) -> None:
        response = self.move("closed", reason="done")
        self.assertContains(
            response, "cannot move to that stage from where it is now", status_code=400
        )
        response = self.move("no_such_stage")
        self.assertEqual(response.status_code, 400)
        self.case.refresh_from_db()
        self.assertEqual(self.case.stage, Stage.RECEIVED)
        self.assertFalse(StageChange.objects.exists())
        self.assertFalse(AuditEvent.objects.filter(action="stage_changed").exists())

    def test_it_needs_a_reason_to_close_as_not_a_reprisal(self) -> None:
        self.move("acknowledged")
        self.move("under_assessment")
        response = self.move("not_a_reprisal", reason="   ")
        self.assertContains(response, "This move needs a reason", status_code=400)
        self.case.refresh_from_db()
        self.assertEqual(self.case.stage, Stage.UNDER_ASSESSMENT)
        self.assertEqual(
            self.move("not_a_reprisal", reason="A tax audit of all NGOs").status_code, 302
        )
        change = StageChange.objects.filter(to_stage="not_a_reprisal").get()
        # The reason is encrypted, and shown decrypted in the history.
        self.assertNotIn(b"tax audit", bytes(change.reason))
        self.assertContains(self.client.get(self.case_url(self.case)), "A tax audit of all NGOs")

    def test_it_needs_a_visible_original_for_a_duplicate(self) -> None:
        original = make_case().case
        response = self.move("duplicate")
        self.assertContains(response, "give the reference of the original case", status_code=400)
        # Not visible to this handler: the same answer as a missing case.
        response = self.move("duplicate", original=original.reference)
        self.assertContains(response, "There is no case with that reference", status_code=400)
        response = self.move("duplicate", original=self.case.reference)
        self.assertContains(response, "cannot be a duplicate of itself", status_code=400)
        self.assign(original, self.handler)
        self.assertEqual(self.move("duplicate", original=original.reference).status_code, 302)
        self.case.refresh_from_db()
        self.assertEqual(self.case.stage, Stage.DUPLICATE)
        self.assertEqual(self.case.duplicate_of, original)
        link = CaseLink.objects.get(from_case=self.case)
        self.assertEqual((link.to_case, link.kind), (original, CaseLink.Kind.DUPLICATE))
        # Re-opening (with a reason) undoes the duplicate, keeping the cases related.
        self.assertEqual(
            self.move("under_assessment", reason="Not the same event").status_code, 302
        )
        self.case.refresh_from_db()
        self.assertIsNone(self.case.duplicate_of)
        self.assertEqual(CaseLink.objects.get(from_case=self.case).kind, CaseLink.Kind.RELATED)

    def test_it_refuses_a_chain_of_duplicates(self) -> None:
        first = self.assign(make_case().case, self.handler)
        second = self.assign(make_case().case, self.handler)
        Case.objects.filter(pk=second.pk).update(duplicate_of=first, stage=Stage.DUPLICATE)
        response = self.move("duplicate", original=second.reference)
        self.assertContains(response, "That case is itself a duplicate", status_code=400)

    def test_it_lets_only_a_coordinator_reopen_a_closed_case(self) -> None:
        Case.objects.filter(pk=self.case.pk).update(stage=Stage.CLOSED)
        response = self.move("under_assessment", reason="New threat")
        self.assertEqual(response.status_code, 400)
        self.sign_in(self.coordinator)
        self.assertEqual(self.move("under_assessment", reason="New threat").status_code, 302)

    def test_it_refuses_a_move_decided_on_a_stale_page(self) -> None:
        self.case.refresh_from_db()
        stale_version = self.case.version
        self.move("acknowledged")
        response = self.client.post(
            self.case_url(self.case, "stage/"), {"to": "acknowledged", "version": stale_version}
        )
        self.assertContains(response, "This case changed since you opened it", status_code=409)
        self.assertEqual(StageChange.objects.count(), 1)

    def test_it_refuses_a_stale_stage_in_the_action_itself(self) -> None:
        # Two people decide at once from the same stage: only one move happens.
        self.case.refresh_from_db()
        do_change_stage(
            self.created.opened,
            self.handler.user,
            "acknowledged",
            expected_version=self.case.version,
        )
        stale = Case.objects.get(pk=self.case.pk)
        stale.stage = Stage.RECEIVED
        from amparo.cases.vault import OpenCase

        with self.assertRaises(CaseError) as raised:
            do_change_stage(
                OpenCase(stale, self.created.opened.data_key),
                self.coordinator.user,
                "acknowledged",
                expected_version=stale.version,
            )
        self.assertEqual(raised.exception.code, "stale")

    def test_it_sends_the_activity_signal_after_commit(self) -> None:
        from amparo.cases.signals import case_activity

        received: list[str] = []

        def listener(sender, case, kind, **kwargs):  # type: ignore[no-untyped-def]
            received.append(kind)

        case_activity.connect(listener)
        self.addCleanup(case_activity.disconnect, listener)
        with self.captureOnCommitCallbacks(execute=True):
            self.move("acknowledged")
        self.assertEqual(received, ["stage_changed"])
