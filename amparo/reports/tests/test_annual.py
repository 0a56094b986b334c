"""The annual report: preparation, approval by another coordinator, exports."""

from __future__ import annotations

import csv
import datetime
import io

from django.urls import reverse
from pypdf import PdfReader

from amparo.accounts.models import Role
from amparo.audit.models import AuditEvent
from amparo.reports.actions import (
    ReportError,
    default_period,
    do_approve_report,
    do_prepare_report,
    do_write_narrative,
)
from amparo.reports.models import AnnualReport, Release
from amparo.reports.tests.factories import many
from amparo.tests.base import AmparoTestCase, Persona, enrol_persona

START, END = datetime.date(2024, 10, 1), datetime.date(2025, 9, 30)


def pdf_text(body: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(body)).pages)


class AnnualReportTests(AmparoTestCase):
    second: Persona

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.second = enrol_persona("second", [Role.COORDINATOR])

    def setUp(self) -> None:
        many(23, country="UG", region="002", received_on=datetime.date(2025, 3, 3))
        many(12, country="CO", region="419", situation="", received_on=datetime.date(2025, 5, 3))
        many(2, country="KE", region="002", received_on=datetime.date(2025, 6, 3))

    def test_the_default_period_is_the_last_complete_reporting_year(self) -> None:
        assert default_period(datetime.date(2025, 11, 20), "10-01") == (START, END)
        assert default_period(datetime.date(2025, 9, 1), "10-01") == (
            datetime.date(2023, 10, 1),
            datetime.date(2024, 9, 30),
        )

    def test_the_preparer_cannot_approve_and_nothing_exports_before_approval(self) -> None:
        report = do_prepare_report(self.coordinator.user, START, END)
        with self.assertRaises(ReportError) as refused:
            do_approve_report(self.coordinator.user, report, expected_version=report.version)
        assert refused.exception.code == "own_report"
        with self.assertRaises(ReportError):
            do_approve_report(self.analyst.user, report, expected_version=report.version)
        self.sign_in(self.coordinator)
        for url in (
            reverse("reports:annual_pdf", args=[report.pk, "en"]),
            reverse("reports:annual_csv", args=[report.pk, "place"]),
        ):
            assert self.client.get(url).status_code == 404
        assert not Release.objects.exists()

    def test_approval_freezes_the_figures_in_a_release(self) -> None:
        report = do_prepare_report(self.analyst.user, START, END)
        report = do_write_narrative(
            self.analyst.user,
            report,
            "fr",
            {"summary": "Résumé de l'année."},
            expected_version=report.version,
        )
        assert report.provided("fr") and not report.provided("es")
        approved = do_approve_report(self.second.user, report, expected_version=report.version)
        assert approved.state == "approved" and approved.release is not None
        assert approved.release.kind == "annual"
        assert approved.release.cases == 37
        assert approved.release.cells["place|KE"] is None
        with self.assertRaises(ReportError):
            do_write_narrative(
                self.analyst.user, approved, "en", {"summary": "x"}, expected_version=3
            )
        actions = list(AuditEvent.objects.values_list("action", flat=True))
        assert actions.count("report_prepared") == 2
        assert "report_approved" in actions and "statistics_released" in actions

    def test_csv_and_pdf_in_four_languages_after_approval(self) -> None:
        report = do_prepare_report(self.analyst.user, START, END)
        report = do_write_narrative(
            self.analyst.user,
            report,
            "ar",
            {"summary": "شهد هذا العام تهديدات متكررة"},
            expected_version=report.version,
        )
        do_approve_report(self.second.user, report, expected_version=report.version)
        self.sign_in(self.analyst)
        response = self.client.get(reverse("reports:annual_csv", args=[report.pk, "place"]))
        rows = list(csv.reader(io.StringIO(response.content.decode())))
        kenya = next(row for row in rows if row and row[0] == "Kenya")
        assert kenya[1] == "suppressed"
        expected = {
            "en": ("Cases counted", "Read these figures with care", "not provided"),
            "fr": ("Dossiers comptés", "Lire ces chiffres avec prudence", "pas été fourni"),
            "es": ("Casos contados", "Leer estas cifras con cuidado", "no se proporcionó"),
            "ar": ("الحالات المحسوبة", "اقرأ هذه الأرقام بحذر", "شهد هذا العام تهديدات متكررة"),
        }
        for language, phrases in expected.items():
            response = self.client.get(reverse("reports:annual_pdf", args=[report.pk, language]))
            assert response.status_code == 200, language
            assert response["Content-Type"] == "application/pdf"
            text = pdf_text(response.content)
            for phrase in phrases:
                assert phrase in text, (language, phrase)
            assert "37" in text  # cases counted: 23 + 12 + 2
        # Arabic comes out in reading order, not reversed glyph by glyph.
        assert "ةبوسحملا" not in text
        assert AuditEvent.objects.filter(action="export").count() == 5

    def test_the_pages_work_for_the_roles_that_may_see_them(self) -> None:
        self.sign_in(self.analyst)
        response = self.client.post(
            reverse("reports:annual_new"), {"start": "2024-10-01", "end": "2025-09-30"}
        )
        report = AnnualReport.objects.get()
        assert response["Location"] == reverse("reports:annual_detail", args=[report.pk])
        page = self.client.get(response["Location"])
        assert page.status_code == 200
        assert "<svg" in page.text and "<title" in page.text and "<desc" in page.text
        assert "Approve and release" not in page.text
        self.sign_in(self.handler)
        assert self.client.get(response["Location"]).status_code in (403, 404)
        self.sign_in(self.second)
        page = self.client.get(response["Location"])
        assert "Approve and release" in page.text
        response = self.client.post(
            reverse("reports:annual_approve", args=[report.pk]), {"version": report.version}
        )
        report.refresh_from_db()
        assert report.state == "approved"


class MeasuresTests(AmparoTestCase):
    second: Persona

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.second = enrol_persona("second", [Role.COORDINATOR])

    def test_measures_are_counted_by_kind_and_outcome_under_the_same_control(self) -> None:
        from amparo.protection.models import Measure

        cases = many(14, received_on=datetime.date(2025, 3, 3))
        for index, case in enumerate(cases):
            Measure.objects.create(
                case=case,
                kind="relocation" if index < 8 else "legal_aid",
                status="done" if index < 11 else "failed",
                proposed_on=datetime.date(2025, 3, 4),
                details=b"\x00" * 40,
            )
        report = do_prepare_report(self.analyst.user, START, END)
        approved = do_approve_report(self.second.user, report, expected_version=report.version)
        cells = approved.release.cells
        assert cells["measure_kind|relocation"] == 8
        assert cells["measure_kind|legal_aid"] == 6
        assert cells["measure_outcome|failed"] is None  # 3 cases
        # ...and "done" (11) with it, or the total would give the 3 away.
        assert cells["measure_outcome|done"] is None or cells["measure_outcome|*"] is None
        assert cells["measure_kind|*"] == 14
        for low, high in approved.release.bounds.values():
            assert high is None or high - low >= 5


class DemoReportTests(AmparoTestCase):
    def test_the_demo_leaves_a_draft_the_coordinator_can_approve(self) -> None:
        from amparo.reports.actions import do_approve_report
        from amparo.reports.demo import ensure_demo_report
        from amparo.reports.models import ReportState

        many(6, received_on=datetime.date(2025, 3, 10))
        report = ensure_demo_report(self.analyst.user)
        assert report.state == ReportState.DRAFT
        assert report.prepared_by == self.analyst.user
        assert ensure_demo_report(self.analyst.user) == report  # once, however often seeded
        approved = do_approve_report(self.coordinator.user, report, expected_version=report.version)
        assert approved.state == ReportState.APPROVED and approved.release is not None
