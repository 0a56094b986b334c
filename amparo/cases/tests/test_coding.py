"""Coding with the reference vocabularies: the only case data kept in clear."""

from __future__ import annotations

import datetime

from amparo.audit.models import AuditEvent
from amparo.cases.models import CodedPerpetrator, Coding
from amparo.cases.tests.base import DeskTestCase, make_case

FULL = {
    "reprisal_types": ["judicial.arbitrary_detention", "threats.death_threat"],
    "target": "individual",
    "defender_profiles": ["lawyer"],
    "engagement": ["witness"],
    "situation": "uganda",
    "country": "UG",
    "region": "",
    "month": "2026-03",
    "perpetrators-TOTAL_FORMS": "3",
    "perpetrators-INITIAL_FORMS": "0",
    "perpetrators-0-perpetrator": "state_security_forces",
    "perpetrators-0-involvement": "direct",
    "perpetrators-0-confidence": "probable",
    "perpetrators-1-perpetrator": "",
    "perpetrators-2-perpetrator": "",
}


class CodingTests(DeskTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.case = self.assign(make_case().case, self.handler)
        self.url = self.case_url(self.case, "coding/")
        self.sign_in(self.handler)

    def test_it_says_the_coding_is_stored_in_clear(self) -> None:
        response = self.client.get(self.url)
        self.assertContains(response, "This coding is the only case data stored in clear.")
        self.assertContains(response, "must not contain anything that could identify a person")

    def test_it_groups_reprisal_types_by_category(self) -> None:
        response = self.client.get(self.url)
        self.assertContains(response, '<optgroup label="Judicial and administrative harassment">')
        self.assertContains(response, 'value="judicial.arbitrary_detention"')
        # Three blank perpetrator rows, without JavaScript.
        self.assertContains(response, 'name="perpetrators-2-perpetrator"')
        self.assertNotContains(response, 'name="perpetrators-3-perpetrator"')

    def test_it_saves_the_coding_and_derives_the_region(self) -> None:
        response = self.client.post(self.url, {**FULL, "version": ""})
        self.assertEqual(response.status_code, 302)
        coding = Coding.objects.get(case=self.case)
        self.assertEqual(coding.reprisal_types, FULL["reprisal_types"])
        self.assertEqual(coding.region, "002")  # Africa
        self.assertEqual(coding.month, datetime.date(2026, 3, 1))
        self.assertEqual(coding.coded_by, self.handler.user)
        self.assertEqual(
            list(CodedPerpetrator.objects.values_list("perpetrator", "involvement", "confidence")),
            [("state_security_forces", "direct", "probable")],
        )
        event = AuditEvent.objects.filter(action="coding_changed").get()
        self.assertIn("reprisal_types", event.details["fields"])
        # ...and the case page shows it in words.
        page = self.client.get(self.case_url(self.case))
        self.assertContains(page, "Arbitrary arrest or detention")
        self.assertContains(page, "Uganda")

    def test_it_lets_the_region_be_overridden(self) -> None:
        self.client.post(self.url, {**FULL, "region": "142", "version": ""})
        self.assertEqual(Coding.objects.get().region, "142")

    def test_it_adds_a_perpetrator_row_without_saving(self) -> None:
        response = self.client.post(self.url, {**FULL, "version": "", "add_perpetrator": "1"})
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'name="perpetrators-3-perpetrator"')
        # What was chosen so far is kept.
        self.assertContains(response, '<option value="state_security_forces" selected>')
        self.assertFalse(Coding.objects.exists())

    def test_it_refuses_a_bad_month_and_unknown_codes(self) -> None:
        for month in ("2026-13", "March 2026", "2026-03-14", "1990-01", "2999-01"):
            response = self.client.post(self.url, {**FULL, "month": month, "version": ""})
            self.assertEqual(response.status_code, 400, month)
        response = self.client.post(
            self.url, {**FULL, "reprisal_types": ["made.up"], "version": ""}
        )
        self.assertContains(response, "Select a valid choice", status_code=400)
        response = self.client.post(
            self.url, {**FULL, "perpetrators-1-confidence": "confirmed", "version": ""}
        )
        self.assertContains(response, "Choose the perpetrator for this row", status_code=400)
        self.assertFalse(Coding.objects.exists())

    def test_it_never_lets_two_handlers_overwrite_each_other(self) -> None:
        # Both open the empty coding page; the first saves.
        self.assertEqual(self.client.post(self.url, {**FULL, "version": ""}).status_code, 302)
        self.sign_in(self.coordinator)
        other = {**FULL, "reprisal_types": ["threats.stalking"], "version": ""}
        response = self.client.post(self.url, other)
        self.assertContains(response, "Someone else saved this coding", status_code=409)
        # The first person's coding stands, and is shown for comparison.
        self.assertContains(response, "Arbitrary arrest or detention", status_code=409)
        self.assertEqual(Coding.objects.get().reprisal_types, FULL["reprisal_types"])
        self.assertContains(response, 'name="version" value="1"', status_code=409)
        # Both now edit version 1; the first to save wins, the second is refused.
        self.assertEqual(self.client.post(self.url, {**other, "version": "1"}).status_code, 302)
        self.sign_in(self.handler)
        response = self.client.post(self.url, {**FULL, "version": "1"})
        self.assertEqual(response.status_code, 409)
        coding = Coding.objects.get()
        self.assertEqual((coding.reprisal_types, coding.version), (["threats.stalking"], 2))
        self.assertEqual(AuditEvent.objects.filter(action="coding_changed").count(), 2)

    def test_it_keeps_a_retired_term_selectable_for_a_case_that_has_it(self) -> None:
        from amparo.reference.models import Term

        self.client.post(self.url, {**FULL, "version": ""})
        Term.objects.filter(code="threats.death_threat").update(active=False)
        response = self.client.get(self.url)
        self.assertContains(response, 'value="threats.death_threat" selected')
        self.assertEqual(self.client.post(self.url, {**FULL, "version": "1"}).status_code, 302)
