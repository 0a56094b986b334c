"""Assembly sessions: reference data, the coding field, the report for the Bureau."""

from __future__ import annotations

import datetime

from django.urls import reverse

from amparo.cases.models import Coding
from amparo.cases.tests.base import DeskTestCase, make_case
from amparo.cases.tests.test_coding import FULL
from amparo.reference.models import AssemblySession
from amparo.reports.models import Release
from amparo.reports.tests.factories import many


class SessionReferenceTests(DeskTestCase):
    def test_the_sessions_are_loaded_with_their_dates_places_and_sources(self) -> None:
        asp22 = AssemblySession.objects.get(code="asp22")
        assert (asp22.number, asp22.start, asp22.end) == (
            22,
            datetime.date(2023, 12, 4),
            datetime.date(2023, 12, 14),
        )
        assert asp22.place("es") == "Nueva York" and asp22.verified
        assert "press release" in asp22.source
        asp24 = AssemblySession.objects.get(code="asp24")
        assert not asp24.verified and asp24.note
        assert AssemblySession.objects.get(code="asp-s1").special
        assert asp22.title("fr").startswith("22e session, New York")


class SessionCodingTests(DeskTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.case = self.assign(make_case().case, self.handler)
        self.url = self.case_url(self.case, "coding/")
        self.sign_in(self.handler)

    def test_a_handler_links_a_case_to_a_session(self) -> None:
        response = self.client.get(self.url)
        self.assertContains(response, "Linked to a session of the Assembly of States Parties")
        response = self.client.post(
            self.url,
            {
                **FULL,
                "assembly_session": "asp23",
                "assembly_timing": "during",
                "assembly_mode": "in_person",
                "version": "",
            },
        )
        assert response.status_code == 302
        coding = Coding.objects.get(case=self.case)
        assert (coding.assembly_session, coding.assembly_timing, coding.assembly_mode) == (
            "asp23",
            "during",
            "in_person",
        )
        page = self.client.get(self.case_url(self.case))
        self.assertContains(page, "Session 23, The Hague")
        self.assertContains(page, "During the session")

    def test_when_and_how_need_a_session_and_a_session_needs_when(self) -> None:
        response = self.client.post(self.url, {**FULL, "assembly_timing": "before", "version": ""})
        assert response.status_code == 400
        self.assertContains(response, "Choose the session", status_code=400)
        response = self.client.post(self.url, {**FULL, "assembly_session": "asp22", "version": ""})
        self.assertContains(response, "before, during or after", status_code=400)
        response = self.client.post(
            self.url, {**FULL, "assembly_session": "not-a-session", "version": ""}
        )
        assert response.status_code == 400
        assert not Coding.objects.exists()


class SessionReportTests(DeskTestCase):
    def test_the_bureau_report_counts_only_the_session_under_disclosure_control(self) -> None:
        day = datetime.date(2024, 12, 3)
        many(
            7,
            assembly_session="asp23",
            assembly_timing="during",
            assembly_mode="in_person",
            received_on=day,
        )
        many(
            6,
            assembly_session="asp23",
            assembly_timing="after",
            assembly_mode="online",
            received_on=day,
        )
        many(
            2,
            assembly_session="asp23",
            assembly_timing="before",
            assembly_mode="online",
            received_on=day,
        )
        many(
            9,
            assembly_session="asp22",
            assembly_timing="during",
            assembly_mode="in_person",
            received_on=day,
        )
        many(9, received_on=day)
        self.sign_in(self.analyst)
        assert self.client.get(reverse("reports:session")).status_code == 200
        response = self.client.post(reverse("reports:session"), {"session": "asp23"})
        release = Release.objects.get()
        assert response["Location"] == reverse("reports:release", args=[release.pk])
        assert release.kind == "session"
        assert (release.period_start, release.period_end) == (
            datetime.date(2024, 9, 3),
            datetime.date(2025, 3, 6),
        )
        assert release.cases == 15
        assert release.cells["timing|during|in_person"] == 7
        for low, high in release.bounds.values():
            assert high - low >= 5
        assert release.cells["timing|before|online"] is None
        assert release.cells["timing|*|*"] == 15
        page = self.client.get(response["Location"])
        self.assertContains(page, "Incidents linked to an Assembly session: Session 23")
        self.sign_in(self.handler)
        assert self.client.get(reverse("reports:session")).status_code == 403
