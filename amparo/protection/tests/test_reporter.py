"""What the reporter reads of the plan, and a status that agrees with the page."""

from __future__ import annotations

from amparo.cases.actions.desk import do_add_message
from amparo.cases.models import Sender
from amparo.intake import reporter_sections
from amparo.protection.actions import MeasureValues, do_update_measure
from amparo.protection.tests.base import ProtectionTestCase, add_measure


class ReporterPageTests(ProtectionTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.reporter = self.make_reporter("They followed me from the court.")
        self.opened = self.open(self.reporter.case)

    def follow_up(self, lang: str = "en") -> str:
        response = self.client.post(f"/{lang}/follow-up/", {"receipt": self.reporter.receipt})
        self.assertEqual(response.status_code, 302)
        page = self.client.get(f"/{lang}/follow-up/report/")
        self.assertEqual(page.status_code, 200)
        return page.content.decode()

    def test_it_shows_only_the_chosen_measures_in_plain_words(self) -> None:
        shown = add_measure(
            self.opened,
            self.coordinator.user,
            kind="temporary_relocation",
            description="INTERNAL house on the hill",
            show_to_reporter=True,
            partner="SECRETFUND",
        )
        add_measure(self.opened, self.coordinator.user, kind="public_statement")
        page = self.follow_up()
        self.assertIn("Support for you", page)
        self.assertIn("Temporary relocation", page)
        self.assertIn("The desk is looking for this support for you.", page)
        self.assertNotIn("Public statement", page)
        self.assertNotIn("INTERNAL", page)
        self.assertNotIn("SECRETFUND", page)
        # The partner is named only when the desk opts in for that measure.
        do_update_measure(
            self.opened,
            self.coordinator.user,
            shown,
            MeasureValues(
                kind="temporary_relocation",
                show_to_reporter=True,
                show_partner=True,
                partner="SECRETFUND",
            ),
            status="in_progress",
            expected_version=shown.version,
        )
        page = self.follow_up()
        self.assertIn("This support is under way.", page)
        self.assertIn("SECRETFUND", page)

    def test_the_sections_of_the_apps_above_intake_are_in_their_places(self) -> None:
        # Registered at start-up by protection, operations and consent (in that order).
        self.assertEqual(
            [(s.name, s.place) for s in reporter_sections.sections()],
            [
                ("protection_measures", "status"),
                ("deletion_link", "end"),
                ("consent_link", "status"),
                ("consent_current", "report"),
            ],
        )
        add_measure(self.opened, self.coordinator.user, show_to_reporter=True)
        page = self.follow_up()
        marks = [
            "Where it stands",
            "Support for you",
            "See and change your choices",
            "Write to the desk",
            "What you sent",
            "<h3>Your choices</h3>",
            "Ask for your report to be deleted",
        ]
        found = [page.find(mark) for mark in marks]
        self.assertNotIn(-1, found, marks)
        self.assertEqual(found, sorted(found))

    def test_no_section_when_nothing_is_shown(self) -> None:
        add_measure(self.opened, self.coordinator.user)
        self.assertNotIn("Support for you", self.follow_up())

    def test_the_status_never_says_unread_above_a_desk_reply(self) -> None:
        self.assertIn("The desk has not read it yet", self.follow_up())
        do_add_message(
            self.opened, sender=Sender.DESK, text="We read it.", author=self.coordinator.user
        )
        page = self.follow_up()
        self.assertNotIn("The desk has not read it yet", page)
        self.assertIn("The desk has read your report.", page)

    def test_it_reads_in_arabic(self) -> None:
        add_measure(self.opened, self.coordinator.user, kind="legal_aid", show_to_reporter=True)
        page = self.follow_up("ar")
        self.assertIn("المساعدة القانونية أو مراقبة المحاكمات", page)
