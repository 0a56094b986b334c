"""A case shredded but kept for statistics is a figure, not a case of the desk."""

from __future__ import annotations

from django.utils import timezone

from amparo.accounts import hooks
from amparo.cases.actions.create import ConsentChoice, NewCase, do_create_case
from amparo.cases.models import Case, Coding, Stage, Urgency
from amparo.operations.actions import do_shred_case
from amparo.operations.models import ShredReason
from amparo.protection.models import UrgentWatch
from amparo.protection.reminders import start_missed_clocks
from amparo.reports.models import CountedCase
from amparo.tests.base import AmparoTestCase


def new_case(narrative: str, *, urgency: str = Urgency.NORMAL) -> NewCase:
    return do_create_case(
        answers={"narrative": narrative},
        language="en",
        questionnaire_version="test",
        urgency=urgency,
        consents=[
            ConsentChoice("store", True, "test"),
            ConsentChoice("statistics", True, "test"),
        ],
    )


class ShellTests(AmparoTestCase):
    def setUp(self) -> None:
        # An urgent report nobody acknowledged yet, whose reporter asked for
        # deletion: shredded at "received", kept for statistics.
        self.shell = new_case("Shredded story", urgency=Urgency.URGENT).case
        Coding.objects.create(case=self.shell, country="UG", reprisal_types=["threats"])
        self.live = new_case("A live story").case
        Case.objects.filter(pk=self.live.pk).update(stage=Stage.DUPLICATE, duplicate_of=self.shell)
        UrgentWatch.objects.all().delete()
        result = do_shred_case(self.shell, reason=ShredReason.REPORTER_REQUEST)
        self.assertTrue(result.kept_for_statistics)
        self.assertTrue(CountedCase.objects.filter(case_id=self.shell.pk).exists())

    def test_the_inbox_lists_it_to_nobody(self) -> None:
        self.sign_in(self.coordinator)
        page = self.client.get("/en/staff/cases/", {"stage": "all"})
        self.assertContains(page, self.live.reference)
        self.assertNotContains(page, self.shell.reference)

    def test_the_people_page_does_not_count_it_as_the_desks(self) -> None:
        self.assertEqual(hooks.case_counts().total, 1)
        self.sign_in(self.coordinator)
        page = self.client.get("/en/staff/people/")
        self.assertContains(page, "You can open 1 of the desk's 1 cases.")

    def test_its_duplicates_do_not_link_to_it(self) -> None:
        self.live.refresh_from_db()
        self.assertIsNone(self.live.duplicate_of_id)
        # As an installation from before shredding cleared the pointer holds it.
        Case.objects.filter(pk=self.live.pk).update(duplicate_of=self.shell)
        self.sign_in(self.coordinator)
        page = self.client.get(f"/en/staff/cases/{self.live.public_id}/")
        self.assertContains(page, "This case is at the stage")
        self.assertNotContains(page, self.shell.public_id)
        self.assertNotContains(page, "It duplicates")
        self.assertEqual(
            self.client.get(f"/en/staff/cases/{self.shell.public_id}/").status_code, 404
        )

    def test_no_acknowledgement_clock_starts_for_it(self) -> None:
        self.assertEqual(start_missed_clocks(timezone.now()), 0)
        self.assertFalse(UrgentWatch.objects.exists())
