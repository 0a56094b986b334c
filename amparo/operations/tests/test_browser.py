"""In Chromium, JavaScript on and off: a reporter asks for deletion from the follow-up
page, a coordinator deletes the report from the Retention page. Every page of the app
passes axe-core in four languages and fits a 360-pixel screen."""

from __future__ import annotations

from typing import Any

import pytest

from amparo.accounts.models import Role
from amparo.cases.models import Case
from amparo.operations.models import DeletionRequest
from amparo.tests.base import enrol_persona, make_reporter
from amparo.tests.browser import LANGUAGES, overflows_horizontally, serious_accessibility_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def click(page: Any, locator: Any) -> None:
    locator.click()
    page.wait_for_load_state()


def checked(page: Any, js: bool, where: str) -> None:
    # axe-core and the layout measure run as scripts in the page: only with
    # JavaScript on; the JS-off run proves the flow works without it.
    if not js:
        return
    assert not overflows_horizontally(page), where
    problems = serious_accessibility_violations(page)
    assert not problems, f"{where}: {problems}"


def test_a_reporter_asks_and_a_coordinator_deletes(
    page: Any, live_server: Any, request: pytest.FixtureRequest
) -> None:
    js = request.node.callspec.params["page"]
    base = live_server.url
    coordinator = enrol_persona("coordinator", [Role.COORDINATOR, Role.HANDLER])
    administrator = enrol_persona("administrator", [Role.ADMINISTRATOR])
    reporter = make_reporter()

    page.goto(f"{base}/en/follow-up/")
    page.fill("input[name=receipt]", reporter.receipt)
    click(page, page.locator("main form button[type=submit]").first)
    click(page, page.get_by_role("link", name="Ask for your report to be deleted"))
    for lang in LANGUAGES:
        page.goto(f"{base}/{lang}/follow-up/delete/")
        checked(page, js, f"reporter page {lang}")
    page.goto(f"{base}/en/follow-up/delete/")
    page.check("input[name=understood]")
    click(page, page.get_by_role("button", name="Ask for deletion"))
    assert "The team will answer by" in page.locator("main").inner_text()
    assert DeletionRequest.objects.count() == 1

    for persona in (administrator, coordinator):
        page.context.clear_cookies()
        langs = LANGUAGES if persona is coordinator else ["en"]
        page.goto(f"{base}/en/staff/login/")
        page.fill("input[name=username]", persona.user.username)
        page.fill("input[name=password]", persona.password)
        page.fill("input[name=code]", persona.code())
        click(page, page.locator("main form button[type=submit]"))
        for lang in langs:
            page.goto(f"{base}/{lang}/staff/operations/")
            checked(page, js, f"retention page {lang} as {persona.user.username}")

    page.goto(f"{base}/en/staff/operations/")
    click(page, page.get_by_role("link", name="Decide"))
    for lang in LANGUAGES:
        page.goto(f"{base}/{lang}/staff/operations/requests/{DeletionRequest.objects.get().pk}/")
        checked(page, js, f"decision page {lang}")
    page.goto(f"{base}/en/staff/operations/requests/{DeletionRequest.objects.get().pk}/")
    click(page, page.get_by_role("button", name="Delete the report now"))
    assert "was deleted" in page.locator("main").inner_text() or "was deleted" in page.content()
    assert not Case.objects.exists()
