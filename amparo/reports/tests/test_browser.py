"""The annual report in Chromium, JavaScript on and off: an analyst prepares
it and writes the narrative, another coordinator approves it and downloads
the PDF and a CSV. The statistics pages pass axe-core in four languages and
fit a 360-pixel screen."""

from __future__ import annotations

import datetime
from typing import Any

import pytest

from amparo.accounts.models import Role
from amparo.reference.loader import load_reference_data
from amparo.reports.models import AnnualReport
from amparo.reports.tests.factories import many
from amparo.tests.base import Persona, enrol_persona
from amparo.tests.browser import LANGUAGES, overflows_horizontally, serious_accessibility_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _reference_data(transactional_db: None) -> None:
    load_reference_data()


def sign_in(page: Any, base: str, persona: Persona, lang: str = "en") -> None:
    page.goto(f"{base}/{lang}/staff/login/")
    page.fill("input[name=username]", persona.user.username)
    page.fill("input[name=password]", persona.password)
    page.fill("input[name=code]", persona.code())
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert "/staff/login/" not in page.url, page.locator("main").inner_text()


def sign_out(page: Any) -> None:
    page.locator("nav.staff-nav button[type=submit]").click()
    page.wait_for_load_state()


def click(page: Any, locator: Any) -> None:
    locator.click()
    page.wait_for_load_state()


def test_it_prepares_approves_and_downloads_the_annual_report(
    page: Any, live_server: Any, request: pytest.FixtureRequest
) -> None:
    js = request.node.callspec.params["page"]
    base = live_server.url
    many(14, country="UG", region="002", received_on=datetime.date(2025, 3, 3))
    many(8, country="CO", region="419", situation="", received_on=datetime.date(2025, 5, 3))
    many(2, country="KE", region="002", received_on=datetime.date(2025, 6, 3))
    analyst = enrol_persona("analyst", [Role.ANALYST])
    coordinator = enrol_persona("coordinator", [Role.COORDINATOR])

    sign_in(page, base, analyst)
    click(page, page.locator("nav.staff-nav").get_by_role("link", name="Statistics"))
    click(page, page.get_by_role("link", name="Annual reports"))
    page.fill("#id_start", "2024-10-01")
    page.fill("#id_end", "2025-09-30")
    click(page, page.get_by_role("button", name="Prepare"))
    assert "Figures below are a preview" in page.locator("main").inner_text()
    assert "Approve and release" not in page.locator("main").inner_text()
    english = page.locator("#narrative-form-en")
    if english.get_attribute("open") is None:
        click(page, english.locator("summary"))
    english.locator("textarea[name=en-summary]").fill("Threats rose before the Assembly's session.")
    click(page, english.get_by_role("button", name="Save the narrative in English"))
    assert "The narrative is saved." in page.locator(".messages").inner_text()
    assert "Threats rose before" in page.locator("article.report").inner_text()
    sign_out(page)

    sign_in(page, base, coordinator)
    report = AnnualReport.objects.get()
    page.goto(f"{base}/en/staff/statistics/annual/{report.pk}/")
    click(page, page.get_by_role("button", name="Approve and release"))
    assert "The report is approved" in page.locator(".messages").inner_text()
    with page.expect_download() as download_info:
        page.locator("a[href$='report-ar.pdf']").click()
    pdf = download_info.value
    assert pdf.suggested_filename.endswith("-ar.pdf")
    with open(pdf.path(), "rb") as handle:
        assert handle.read(5) == b"%PDF-"
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download “Cases by country” (CSV)").click()
    with open(download_info.value.path(), encoding="utf-8") as handle:
        text = handle.read()
    assert "suppressed" in text and "Kenya" in text
    assert not overflows_horizontally(page)
    if js:
        # Reloaded first: the flash message's list (core's layout) is checked elsewhere.
        page.goto(page.url)
        assert serious_accessibility_violations(page) == []


def test_the_statistics_pages_pass_axe_in_every_language(
    page: Any, live_server: Any, request: pytest.FixtureRequest
) -> None:
    if not request.node.callspec.params["page"]:
        pytest.skip("axe-core runs as a script in the page")
    base = live_server.url
    many(9, country="UG", region="002", received_on=datetime.date(2025, 3, 3))
    many(3, country="KE", region="002", received_on=datetime.date(2025, 6, 3))
    coordinator = enrol_persona("coordinator", [Role.COORDINATOR])
    sign_in(page, base, coordinator)
    query = "rows=country&columns=reprisal_category&start=2025-01-01&end=2025-12-31&follow_up=on"
    page.goto(f"{base}/en/staff/statistics/annual/")
    page.fill("#id_start", "2025-01-01")
    page.fill("#id_end", "2025-12-31")
    click(page, page.get_by_role("button", name="Prepare"))
    report = AnnualReport.objects.get()
    for lang, direction in LANGUAGES.items():
        for path in (
            f"/{lang}/staff/statistics/?{query}",
            f"/{lang}/staff/statistics/annual/",
            f"/{lang}/staff/statistics/annual/{report.pk}/",
        ):
            page.goto(base + path)
            assert page.locator("html").get_attribute("dir") == direction
            assert not overflows_horizontally(page), path
            assert serious_accessibility_violations(page) == [], path
