"""The inbox: what each person sees, in which order, filtered, paginated, and
at a constant number of queries."""

from __future__ import annotations

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext

from amparo.cases.actions.coding import CodingValues, do_code_case
from amparo.cases.actions.desk import do_change_stage
from amparo.cases.models import Case, Stage
from amparo.cases.tests.base import DeskTestCase, make_case

INBOX = "/en/staff/cases/"


def code(case: Case, actor, **values) -> None:  # type: ignore[no-untyped-def]
    defaults: dict[str, object] = {
        "reprisal_types": [],
        "target": "",
        "defender_profiles": [],
        "situation": "",
        "engagement": [],
        "country": "",
        "region": "",
        "month": None,
        "perpetrators": [],
    }
    do_code_case(actor, case, CodingValues(**{**defaults, **values}), expected_version=None)


class InboxTests(DeskTestCase):
    def references(self, response) -> list[str]:  # type: ignore[no-untyped-def]
        return [case.reference for case in response.context["page"].object_list]

    def test_it_puts_urgent_cases_first(self) -> None:
        calm = make_case("calm").case
        urgent = make_case("danger", urgency="urgent").case
        Case.objects.filter(pk=calm.pk).update(
            last_activity_on=calm.last_activity_on + datetime.timedelta(days=1)
        )
        self.sign_in(self.coordinator)
        response = self.client.get(INBOX)
        self.assertEqual(self.references(response), [urgent.reference, calm.reference])
        self.assertContains(response, "Urgent")

    def test_it_shows_a_handler_only_their_cases(self) -> None:
        mine = self.assign(make_case().case, self.handler)
        make_case()
        self.sign_in(self.handler)
        self.assertEqual(self.references(self.client.get(INBOX)), [mine.reference])
        self.sign_in(self.outsider)
        self.assertEqual(self.references(self.client.get(INBOX)), [])

    def test_it_counts_unread_reporter_messages(self) -> None:
        created = make_case()
        self.reporter_writes(created, "one")
        self.reporter_writes(created, "two")
        self.sign_in(self.coordinator)
        response = self.client.get(INBOX)
        self.assertEqual(response.context["page"].object_list[0].unread, 2)
        # Opening the (unassigned) case marks them read.
        self.client.get(self.case_url(created.case))
        response = self.client.get(INBOX)
        self.assertEqual(response.context["page"].object_list[0].unread, 0)

    def test_it_hides_finished_cases_unless_asked(self) -> None:
        created = make_case()
        case = created.case
        do_change_stage(
            created.opened, self.coordinator.user, Stage.ACKNOWLEDGED, expected_version=1
        )
        case.refresh_from_db()
        do_change_stage(
            created.opened,
            self.coordinator.user,
            Stage.DUPLICATE,
            expected_version=case.version,
            original=make_case().case,
        )
        self.sign_in(self.coordinator)
        self.assertNotIn(case.reference, self.references(self.client.get(INBOX)))
        self.assertIn(case.reference, self.references(self.client.get(INBOX + "?stage=all")))
        self.assertEqual(
            self.references(self.client.get(INBOX + "?stage=duplicate")), [case.reference]
        )

    def test_it_filters_by_coding_and_assignment(self) -> None:
        detained = make_case("a").case
        threatened = make_case("b").case
        code(
            detained,
            self.coordinator.user,
            reprisal_types=["judicial.arbitrary_detention"],
            situation="uganda",
            country="UG",
        )
        code(
            threatened, self.coordinator.user, reprisal_types=["threats.death_threat"], country="KE"
        )
        self.assign(threatened, self.handler)
        self.sign_in(self.coordinator)
        self.assertEqual(
            self.references(self.client.get(INBOX + "?reprisal_type=judicial.arbitrary_detention")),
            [detained.reference],
        )
        self.assertEqual(
            self.references(self.client.get(INBOX + "?country=KE")), [threatened.reference]
        )
        self.assertEqual(
            self.references(self.client.get(INBOX + "?situation=uganda")), [detained.reference]
        )
        self.assertEqual(
            self.references(self.client.get(INBOX + f"?assignee={self.handler.user.pk}")),
            [threatened.reference],
        )
        self.assertEqual(
            self.references(self.client.get(INBOX + "?assignee=none")), [detained.reference]
        )
        self.assertEqual(self.references(self.client.get(INBOX + "?urgency=urgent")), [])

    def test_it_shows_nothing_for_an_invalid_filter(self) -> None:
        make_case()
        self.sign_in(self.coordinator)
        response = self.client.get(INBOX + "?stage=no-such-stage")
        self.assertEqual(self.references(response), [])
        self.assertContains(response, "Select a valid choice")

    def test_it_sorts(self) -> None:
        first = make_case("1").case
        second = make_case("2").case
        self.sign_in(self.coordinator)
        self.assertEqual(
            self.references(self.client.get(INBOX + "?sort=reference")),
            [first.reference, second.reference],
        )
        self.assertEqual(
            self.references(self.client.get(INBOX + "?sort=received")),
            [second.reference, first.reference],
        )

    def test_it_paginates_by_fifty(self) -> None:
        for _ in range(51):
            make_case(with_receipt=False)
        self.sign_in(self.coordinator)
        response = self.client.get(INBOX)
        self.assertEqual(len(response.context["page"].object_list), 50)
        self.assertContains(response, "Page 1 of 2")
        self.assertEqual(len(self.client.get(INBOX + "?page=2").context["page"].object_list), 1)

    def test_it_runs_the_same_number_of_queries_for_3_and_30_cases(self) -> None:
        self.sign_in(self.coordinator)

        def queries() -> int:
            with CaptureQueriesContext(connection) as captured:
                response = self.client.get(INBOX + "?sort=activity")
            self.assertEqual(response.status_code, 200)
            return len(captured.captured_queries)

        for index in range(3):
            created = make_case(with_receipt=False)
            self.reporter_writes(created, "hello")
            if index == 0:
                self.assign(created.case, self.handler)
        with_three = queries()
        for index in range(27):
            created = make_case(with_receipt=False, urgency="urgent" if index % 2 else "normal")
            self.reporter_writes(created, "hello")
            self.assign(created.case, self.handler if index % 2 else self.coordinator)
        self.assertEqual(len(self.client.get(INBOX).context["page"].object_list), 30)
        with self.assertNumQueries(with_three):
            self.client.get(INBOX + "?sort=activity")

    def test_it_decrypts_nothing(self) -> None:
        make_case("A secret only the case page may show")
        self.sign_in(self.coordinator)
        response = self.client.get(INBOX)
        self.assertNotContains(response, "A secret only the case page may show")
