"""The consent rule: latest record wins, dates, partners, fields, bulk filter."""

from __future__ import annotations

import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone

from amparo.audit.models import AuditEvent
from amparo.cases.actions.common import CaseError
from amparo.cases.actions.create import ConsentChoice, do_create_case
from amparo.cases.actions.desk import do_add_message
from amparo.cases.models import Case, Consent, ConsentMethod, ConsentRecordFrozen, Sender
from amparo.consent import rules
from amparo.consent.actions import (
    FOLLOW_UP_WORDING,
    STAFF_WORDING,
    ConsentError,
    do_record_consent,
)
from amparo.referrals.models import Partner
from amparo.tests.base import AmparoTestCase


def make_case(*scopes: str) -> Case:
    return do_create_case(
        answers={"narrative": "x"},
        language="en",
        questionnaire_version="test",
        consents=[ConsentChoice(scope, True, "test") for scope in ("store", *scopes)],
    ).case


def make_partner(name: str = "Fund", kind: str = "emergency_fund") -> Partner:
    return Partner.objects.create(
        name=name, kind=kind, languages=["en"], email="fund@example.org", fingerprint="0" * 40
    )


def withdraw(case: Case, scope: str, **kwargs: object) -> Consent:
    return do_record_consent(
        case,
        scope=scope,
        granted=False,
        method=ConsentMethod.FOLLOW_UP,
        wording_version=FOLLOW_UP_WORDING,
        **kwargs,  # type: ignore[arg-type]
    )


def grant(case: Case, scope: str, **kwargs: object) -> Consent:
    return do_record_consent(
        case,
        scope=scope,
        granted=True,
        method=ConsentMethod.FOLLOW_UP,
        wording_version=FOLLOW_UP_WORDING,
        **kwargs,  # type: ignore[arg-type]
    )


class SimpleScopeTest(AmparoTestCase):
    def test_it_reads_the_report_form_choices(self) -> None:
        case = make_case("contact")
        self.assertTrue(rules.allows(case, "store"))
        self.assertTrue(rules.allows(case, "contact"))
        self.assertFalse(rules.allows(case, "statistics"))
        self.assertFalse(rules.allows(case, "publish"))

    def test_it_lets_the_latest_record_win_and_keeps_every_record(self) -> None:
        case = make_case("contact", "statistics")
        withdraw(case, "statistics")
        self.assertFalse(rules.allows(case, "statistics"))
        grant(case, "statistics")
        self.assertTrue(rules.allows(case, "statistics"))
        self.assertEqual(
            list(Consent.objects.filter(case=case, scope="statistics").values_list("granted")),
            [(True,), (False,), (True,)],
        )

    def test_it_answers_for_a_past_day_without_later_records(self) -> None:
        case = make_case("statistics")
        withdraw(case, "statistics")
        yesterday = timezone.localdate() - datetime.timedelta(days=1)
        # Nothing was recorded before today: no consent yesterday.
        self.assertFalse(rules.allows(case, "statistics", on=yesterday))

    def test_it_refuses_to_change_a_record(self) -> None:
        case = make_case("contact")
        consent = Consent.objects.get(case=case, scope="contact")
        consent.granted = False
        with self.assertRaises(ConsentRecordFrozen):
            consent.save()
        with self.assertRaises(ConsentRecordFrozen):
            Consent.objects.filter(case=case).update(granted=False)
        self.assertTrue(rules.allows(case, "contact"))

    def test_it_audits_each_record(self) -> None:
        case = make_case("contact")
        withdraw(case, "contact")
        event = AuditEvent.objects.filter(action="consent_changed").get()
        self.assertEqual(event.details["scope"], "contact")
        self.assertFalse(event.details["granted"])
        self.assertIsNone(event.actor_id)

    def test_it_rejects_unknown_scopes_and_misplaced_arguments(self) -> None:
        case = make_case()
        with self.assertRaises(ValueError):
            rules.allows(case, "everything")
        with self.assertRaises(ValueError):
            rules.allows(case, "contact", fields=["coding"])
        with self.assertRaises(ValueError):
            rules.allows(case, "share")


class StaffRecordTest(AmparoTestCase):
    def test_it_requires_a_note_of_what_the_person_was_told(self) -> None:
        created = do_create_case(answers={}, language="en", questionnaire_version="t")
        for note in ("", "   "):
            with self.assertRaises(ConsentError) as raised:
                do_record_consent(
                    created.case,
                    scope="contact",
                    granted=True,
                    method=ConsentMethod.STAFF,
                    wording_version=STAFF_WORDING,
                    actor=self.handler.user,
                    opened=created.opened,
                    risk_note=note,
                )
            self.assertEqual(raised.exception.code, "risk_note_required")
        consent = do_record_consent(
            created.case,
            scope="contact",
            granted=True,
            method=ConsentMethod.STAFF,
            wording_version=STAFF_WORDING,
            actor=self.handler.user,
            opened=created.opened,
            risk_note="Told her messages could be read if her phone is seized.",
        )
        self.assertNotIn(b"phone is seized", bytes(consent.risk_note))
        self.assertEqual(
            created.opened.decrypt_text(consent.risk_note, consent.aad_field()),
            "Told her messages could be read if her phone is seized.",
        )

    def test_the_database_refuses_a_staff_record_without_a_note(self) -> None:
        case = make_case()
        with self.assertRaises(IntegrityError), transaction.atomic():
            Consent.objects.create(
                case=case,
                scope="contact",
                granted=True,
                wording_version="x",
                method="staff",
                recorded_on=timezone.localdate(),
            )


class SharingTest(AmparoTestCase):
    def test_it_needs_a_grant_for_that_partner_or_its_kind_and_every_field(self) -> None:
        case = make_case()
        fund = make_partner()
        other = make_partner("Mission", "state_party")
        self.assertFalse(rules.allows(case, "share", partner=fund, fields=["coding"]))
        grant(case, "share", partner_kind="emergency_fund", fields=["coding", "answer:narrative"])
        self.assertTrue(rules.allows(case, "share", partner=fund, fields=["coding"]))
        self.assertTrue(
            rules.allows(case, "share", partner=fund, fields=["coding", "answer:narrative"])
        )
        self.assertFalse(rules.allows(case, "share", partner=fund, fields=["answer:name"]))
        self.assertFalse(rules.allows(case, "share", partner=other, fields=["coding"]))

    def test_a_withdrawal_for_every_partner_ends_every_grant(self) -> None:
        case = make_case()
        fund = make_partner()
        grant(case, "share", partner=fund, fields=["coding"])
        grant(case, "share", partner_kind="emergency_fund", fields=["coding"])
        withdraw(case, "share", partner=fund)
        # The kind still covers it.
        self.assertTrue(rules.allows(case, "share", partner=fund, fields=["coding"]))
        withdraw(case, "share")
        self.assertFalse(rules.allows(case, "share", partner=fund, fields=["coding"]))

    def test_a_grant_lapses_after_its_date(self) -> None:
        case = make_case()
        fund = make_partner()
        today = timezone.localdate()
        grant(case, "share", partner=fund, fields=["coding"], until=today)
        self.assertTrue(rules.allows(case, "share", partner=fund, fields=["coding"]))
        self.assertFalse(
            rules.allows(
                case, "share", partner=fund, fields=["coding"], on=today + datetime.timedelta(1)
            )
        )

    def test_it_refuses_a_grant_without_partner_or_fields(self) -> None:
        case = make_case()
        with self.assertRaises(ConsentError) as raised:
            grant(case, "share", fields=["coding"])
        self.assertEqual(raised.exception.code, "no_partner")
        with self.assertRaises(ConsentError) as raised:
            grant(case, "share", partner=make_partner(), fields=[])
        self.assertEqual(raised.exception.code, "no_fields")
        with self.assertRaises(ConsentError) as raised:
            grant(case, "share", partner=make_partner(), fields=["everything"])
        self.assertEqual(raised.exception.code, "unknown_field")


class BulkTest(AmparoTestCase):
    def test_consenting_matches_allows_in_one_query(self) -> None:
        yes = make_case("statistics")
        no = make_case()
        withdrawn = make_case("statistics")
        withdraw(withdrawn, "statistics")
        back = make_case("statistics")
        withdraw(back, "statistics")
        grant(back, "statistics")
        with self.assertNumQueries(1):
            ids = set(rules.statistics_case_ids())
        self.assertEqual(ids, {yes.pk, back.pk})
        for case in (yes, no, withdrawn, back):
            self.assertEqual(case.pk in ids, rules.allows(case, "statistics"))

    def test_consenting_filters_rows_that_point_at_a_case(self) -> None:
        from amparo.cases.models import Coding

        yes = make_case("statistics")
        no = make_case()
        Coding.objects.create(case=yes)
        Coding.objects.create(case=no)
        codings = rules.consenting(Coding.objects.all(), "statistics")
        self.assertEqual([c.case_id for c in codings], [yes.pk])


class ContactTest(AmparoTestCase):
    def test_a_withdrawal_stops_the_next_desk_message(self) -> None:
        created = do_create_case(
            answers={"narrative": "x"},
            language="en",
            questionnaire_version="test",
            consents=[ConsentChoice("store", True, "t"), ConsentChoice("contact", True, "t")],
        )
        do_add_message(created.opened, sender=Sender.DESK, text="Are you safe?")
        withdraw(created.case, "contact")
        with self.assertRaises(CaseError) as raised:
            do_add_message(created.opened, sender=Sender.DESK, text="Hello again")
        self.assertEqual(raised.exception.code, "no_contact_consent")
        # The reporter can still write to the team.
        do_add_message(created.opened, sender=Sender.REPORTER, text="I am fine")

    def test_the_case_page_refuses_and_says_why(self) -> None:
        reporter = self.make_reporter()
        withdraw(reporter.case, "contact")
        self.sign_in(self.coordinator)
        case = Case.objects.get(pk=reporter.case.pk)
        response = self.client.post(
            f"/en/staff/cases/{case.public_id}/message/",
            {"text": "Can we call you?", "version": case.version},
        )
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "withdrawn that consent", status_code=400)
        self.assertFalse(Case.objects.get(pk=case.pk).messages.filter(sender="desk").exists())
