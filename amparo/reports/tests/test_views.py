"""The statistics pages: who sees them, what they show, CSV marks."""

from __future__ import annotations

import csv
import io

from django.urls import reverse

from amparo.accounts.models import Role
from amparo.audit.models import AuditEvent
from amparo.reports.models import Release
from amparo.reports.tests.factories import many
from amparo.tests.base import AmparoTestCase, enrol_persona

QUERY = {
    "rows": "country",
    "columns": "situation",
    "start": "2025-01-01",
    "end": "2025-12-31",
    "follow_up": "on",
}


class RoleMatrixTests(AmparoTestCase):
    def test_only_analysts_and_coordinators_see_statistics(self) -> None:
        many(6)
        release = Release.objects.create(
            kind="statistics",
            spec={"scope": {"start": "2025-01-01", "end": "2025-12-31"}, "tables": []},
            period_start="2025-01-01",
            period_end="2025-12-31",
            threshold=5,
            cells={},
            cases=0,
            countries=0,
            situations=0,
            without_consent=0,
            released_at="2026-01-01T00:00:00Z",
        )
        handler_admin = enrol_persona("both", [Role.HANDLER, Role.ADMINISTRATOR])
        analyst_admin = enrol_persona("adminanalyst", [Role.ADMINISTRATOR, Role.ANALYST])
        urls = [
            reverse("reports:index"),
            reverse("reports:release", args=[release.pk]),
        ]
        expected = [
            (self.analyst, 200),
            (self.coordinator, 200),
            (analyst_admin, 200),
            (self.handler, (403, 404)),
            (self.administrator, (403, 404)),
            (handler_admin, (403, 404)),
        ]
        for persona, status in expected:
            self.sign_in(persona)
            for url in urls:
                code = self.client.get(url).status_code
                allowed = status if isinstance(status, tuple) else (status,)
                assert code in allowed, (persona.user.username, url, code)
        self.client.logout()
        assert self.client.get(urls[0]).status_code == 302

    def test_the_nav_link_follows_the_role(self) -> None:
        self.sign_in(self.handler)
        assert reverse("reports:index") not in self.client.get(reverse("accounts:home")).text
        self.sign_in(self.analyst)
        assert reverse("reports:index") in self.client.get(reverse("accounts:home")).text


class StatisticsPageTests(AmparoTestCase):
    def test_the_page_shows_protected_figures_and_audits_the_view(self) -> None:
        many(2, country="UG", situation="uganda")
        many(9, country="UG", situation="darfur")
        many(8, country="SD", region="002", situation="darfur")
        many(7, country="SD", region="002", situation="uganda")
        self.sign_in(self.analyst)
        response = self.client.get(reverse("reports:index"), QUERY)
        assert response.status_code == 200
        assert "suppressed" in response.text
        assert "<td>2</td>" not in response.text
        event = AuditEvent.objects.filter(action="statistics_viewed").get()
        assert event.details["start"] == "2025-01-01"

    def test_release_then_csv_marks_suppressed_cells_never_zero(self) -> None:
        many(2, country="UG", situation="uganda")
        many(9, country="UG", situation="darfur")
        many(8, country="SD", region="002", situation="darfur")
        many(7, country="SD", region="002", situation="uganda")
        self.sign_in(self.coordinator)
        response = self.client.post(reverse("reports:release_new"), QUERY)
        release = Release.objects.get()
        assert response.status_code == 302
        assert response["Location"] == reverse("reports:release", args=[release.pk])
        page = self.client.get(response["Location"])
        assert page.status_code == 200
        response = self.client.get(reverse("reports:release_csv", args=[release.pk, "t"]))
        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")
        rows = list(csv.reader(io.StringIO(response.content.decode())))
        header, *body = rows
        assert header[0] == "Country"
        table = {row[0]: row[1:] for row in body if row}
        uganda = next(v for k, v in table.items() if k == "Uganda")
        assert uganda.count("suppressed") >= 2
        assert "0" not in uganda
        assert "2" not in [cell for row in body for cell in row]
        assert AuditEvent.objects.filter(action="export").count() == 1
        assert AuditEvent.objects.filter(action="statistics_released").count() == 1

    def test_a_bad_period_is_refused_with_a_message(self) -> None:
        self.sign_in(self.analyst)
        response = self.client.get(
            reverse("reports:index"), {**QUERY, "start": "2026-01-01", "end": "2025-01-01"}
        )
        assert response.status_code == 200
        assert "first day must come before" in response.text
        assert not AuditEvent.objects.filter(action="statistics_viewed").exists()
