"""Who can open a case's data key, and how access is granted and removed."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from django.db import connection
from django.http import Http404
from django.test import TransactionTestCase

from amparo.accounts.models import Role
from amparo.cases.access import access_case_by_public_id, visible_cases
from amparo.cases.actions.create import ConsentChoice, do_create_case
from amparo.cases.actions.keys import do_grant_access, do_revoke_access, do_share_all_cases
from amparo.cases.models import Case, CaseKey, Consent
from amparo.cases.vault import NoAccess, lookup_for_receipt, open_for_reporter, open_for_staff
from amparo.tests.base import AmparoTestCase, enrol_persona


def new_case(text: str = "They followed me home", **kwargs):  # type: ignore[no-untyped-def]
    return do_create_case(
        answers={"narrative": text},
        language="en",
        questionnaire_version="test-1",
        consents=[ConsentChoice("store", True, "consent-v1")],
        **kwargs,
    )


class CaseKeyTests(AmparoTestCase):
    def test_it_seals_a_new_case_to_the_coordinators_and_the_reporter(self) -> None:
        created = new_case()
        case = created.case
        self.assertRegex(case.reference, r"^AMP-\d{4}-0001$")
        holders = set(CaseKey.objects.filter(case=case).values_list("user__username", flat=True))
        self.assertEqual(holders, {"coordinator"})
        opened = open_for_staff(case, self.coordinator.user, self.coordinator.private_key())
        self.assertEqual(opened.answers(), {"narrative": "They followed me home"})
        assert created.receipt is not None
        access = open_for_reporter(*lookup_for_receipt(created.receipt))
        self.assertEqual(access.opened.answers()["narrative"], "They followed me home")
        self.assertEqual(Consent.objects.get(case=case).wording_version, "consent-v1")

    def test_it_allocates_consecutive_references(self) -> None:
        refs = [new_case(with_receipt=False).case.reference for _ in range(3)]
        self.assertEqual([r[-4:] for r in refs], ["0001", "0002", "0003"])

    def test_it_refuses_staff_without_a_sealed_copy(self) -> None:
        case = new_case().case
        with self.assertRaises(NoAccess):
            open_for_staff(case, self.handler.user, self.handler.private_key())
        # Someone else's private key does not open the coordinator's copy either.
        with self.assertRaises(NoAccess):
            open_for_staff(case, self.coordinator.user, self.handler.private_key())

    def test_it_refuses_a_wrong_receipt(self) -> None:
        new_case()
        from amparo.crypto import generate_receipt

        with self.assertRaises(NoAccess):
            open_for_reporter(*lookup_for_receipt(generate_receipt()))

    def test_it_grants_and_revokes_access(self) -> None:
        case = new_case().case
        do_grant_access(
            self.coordinator.user, self.coordinator.private_key(), case, self.handler.user
        )
        opened = open_for_staff(case, self.handler.user, self.handler.private_key())
        self.assertEqual(opened.answers()["narrative"], "They followed me home")
        do_revoke_access(self.coordinator.user, case, self.handler.user)
        self.assertFalse(CaseKey.objects.filter(case=case, user=self.handler.user).exists())
        with self.assertRaises(NoAccess):
            open_for_staff(case, self.handler.user, self.handler.private_key())

    def test_it_cannot_grant_what_the_granter_does_not_hold(self) -> None:
        case = new_case().case
        with self.assertRaises(NoAccess):
            do_grant_access(self.handler.user, self.handler.private_key(), case, self.outsider.user)

    def test_it_shares_every_held_case_with_a_new_coordinator(self) -> None:
        for _ in range(3):
            new_case(with_receipt=False)
        newcomer = enrol_persona("new-coordinator", [Role.COORDINATOR])
        shared = do_share_all_cases(
            self.coordinator.user, self.coordinator.private_key(), newcomer.user
        )
        self.assertEqual(shared, 3)
        for case in Case.objects.all():
            open_for_staff(case, newcomer.user, newcomer.private_key())
        self.assertEqual(
            do_share_all_cases(
                self.coordinator.user, self.coordinator.private_key(), newcomer.user
            ),
            0,
        )


class CaseAccessTests(AmparoTestCase):
    def test_it_answers_not_found_for_cases_one_may_not_see(self) -> None:
        case = new_case().case
        self.assertEqual(access_case_by_public_id(self.coordinator.user, case.public_id), case)
        for persona in [self.handler, self.outsider, self.analyst, self.administrator]:
            with self.assertRaises(Http404):
                access_case_by_public_id(persona.user, case.public_id)
        with self.assertRaises(Http404):
            access_case_by_public_id(self.coordinator.user, "no-such-case")

    def test_it_shows_a_handler_the_cases_assigned_to_them(self) -> None:
        case = new_case().case
        do_grant_access(
            self.coordinator.user, self.coordinator.private_key(), case, self.handler.user
        )
        self.assertFalse(visible_cases(self.handler.user).exists())  # key, but not assigned
        Case.objects.filter(pk=case.pk).update(assignee=self.handler.user)
        self.assertEqual(list(visible_cases(self.handler.user)), [case])


class ConcurrentReferenceTests(TransactionTestCase):
    def test_it_never_gives_two_cases_the_same_reference(self) -> None:
        if connection.vendor == "sqlite":
            self.skipTest("in-memory SQLite shares one connection; PostgreSQL runs this")
        enrol_persona("coordinator", [Role.COORDINATOR])

        def submit(i: int) -> str:
            try:
                return new_case(f"report {i}", with_receipt=False).case.reference
            finally:
                connection.close()

        with ThreadPoolExecutor(max_workers=8) as pool:
            refs = list(pool.map(submit, range(20)))
        self.assertEqual(len(set(refs)), 20)
        self.assertEqual(Case.objects.count(), 20)


class ReporterPersonaTests(AmparoTestCase):
    def test_it_gives_the_reporter_persona_a_working_receipt(self) -> None:
        reporter = self.make_reporter("a narrative")
        access = open_for_reporter(*lookup_for_receipt(reporter.receipt))
        self.assertEqual(access.opened.case, reporter.case)
        self.assertEqual(access.opened.answers()["narrative"], "a narrative")
