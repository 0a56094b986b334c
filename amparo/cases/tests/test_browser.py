"""A handler's day in Chromium, with JavaScript on and off: sign in with the
second factor, open the urgent case from the inbox, reply to the reporter,
code the case, move it through the stages; a coordinator assigns it; the
reporter reads the reply. And the desk's pages pass axe-core."""

from __future__ import annotations

import os
from typing import Any

import pytest
from django.urls import NoReverseMatch, reverse

from amparo.accounts.models import Role
from amparo.cases.models import Case, CodedPerpetrator, Coding, Message, Sender, Stage
from amparo.cases.tests.base import make_case
from amparo.cases.vault import lookup_for_receipt, open_for_reporter
from amparo.reference.loader import load_reference_data
from amparo.tests.base import Persona, enrol_persona
from amparo.tests.browser import (
    LANGUAGES,
    overflows_horizontally,
    serious_accessibility_violations,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _reference_data(transactional_db: None) -> None:
    # The data migration loads the vocabularies, but the flush after any
    # transactional test empties them: load them again (idempotent).
    load_reference_data()


REPLY = "Thank you. We read your report. Are you somewhere safe tonight?"
SCREENSHOTS = os.environ.get("AMPARO_SCREENSHOTS")


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


def snap(page: Any, name: str) -> None:
    if SCREENSHOTS:
        page.screenshot(path=f"{SCREENSHOTS}/{name}.png", full_page=True)


def check_accessibility(page: Any, js: bool, where: str) -> None:
    # axe-core runs as a script in the page: only where JavaScript is on.
    if js:
        assert serious_accessibility_violations(page) == [], where


def open_urgent_case_from_inbox(page: Any, base: str, reference: str) -> None:
    page.goto(f"{base}/en/staff/cases/")
    first = page.locator("main tbody tr").first
    assert "Urgent" in first.inner_text()
    assert reference in first.inner_text()
    click(page, first.locator("a", has_text=reference))
    assert page.locator("h1").inner_text().startswith(reference)


def test_it_gets_a_handler_through_the_day(
    page: Any, live_server: Any, request: pytest.FixtureRequest
) -> None:
    js = request.node.callspec.params["page"]
    base = live_server.url
    coordinator = enrol_persona("coordinator", [Role.COORDINATOR, Role.HANDLER])
    handler = enrol_persona("handler", [Role.HANDLER])
    make_case("A quiet report about a smear campaign.", with_receipt=False)
    created = make_case(
        "Two men in plain clothes followed me home after the side event.", urgency="urgent"
    )
    case = created.case
    assert created.receipt is not None

    # The coordinator assigns the urgent case to the handler.
    sign_in(page, base, coordinator)
    open_urgent_case_from_inbox(page, base, case.reference)
    page.select_option("#assign-assignee", str(handler.user.pk))
    click(page, page.get_by_role("button", name="Assign", exact=True))
    assert "now assigned to handler" in page.locator(".messages").inner_text()
    sign_out(page)

    # The handler signs in with the second factor and finds it first in the inbox.
    sign_in(page, base, handler)
    open_urgent_case_from_inbox(page, base, case.reference)
    check_accessibility(page, js, "inbox and case page")
    assert "followed me home" in page.locator("#report").locator("..").inner_text()
    snap(page, f"case-{js}")

    # Reply to the reporter.
    page.fill("#message-text", REPLY)
    click(page, page.get_by_role("button", name="Send to the reporter"))
    assert "Your message was sent" in page.locator(".messages").inner_text()
    assert REPLY in page.locator(".conversation").inner_text()

    # Code it, adding a fourth perpetrator row without JavaScript's help.
    click(page, page.get_by_role("link", name="Code this case"))
    assert "only case data stored in clear" in page.locator("main").inner_text()
    check_accessibility(page, js, "coding page")
    page.select_option(
        "#id_reprisal_types", ["threats.death_threat", "digital.physical_surveillance"]
    )
    page.select_option("#id_target", "individual")
    page.check("input[name=engagement][value=witness]")
    page.select_option("#id_perpetrators-0-perpetrator", "state_security_forces")
    page.select_option("#id_perpetrators-0-confidence", "probable")
    click(page, page.get_by_role("button", name="Add another perpetrator"))
    assert page.locator("#id_perpetrators-3-perpetrator").count() == 1
    assert page.locator("#id_perpetrators-0-perpetrator").input_value() == "state_security_forces"
    page.select_option("#id_perpetrators-3-perpetrator", "unknown")
    page.select_option("#id_country", "UG")
    page.fill("#id_month", "2026-03")
    snap(page, f"coding-{js}")
    click(page, page.get_by_role("button", name="Save the coding"))
    assert "The coding is saved." in page.locator(".messages").inner_text()
    coding = Coding.objects.get(case=case)
    assert coding.reprisal_types == ["threats.death_threat", "digital.physical_surveillance"]
    assert coding.region == "002"
    assert list(CodedPerpetrator.objects.values_list("perpetrator", flat=True)) == [
        "state_security_forces",
        "unknown",
    ]

    # Move it through the stages.
    click(page, page.get_by_role("link", name=f"Back to case {case.reference}"))
    for label in ("Acknowledged", "Under assessment"):
        click(page, page.locator(".moves button", has_text=label))
        assert f"“{label}”" in page.locator(".messages").inner_text()
    # "Assessed" needs a risk assessment (amparo/protection/tests has the full browser test).
    click(page, page.get_by_role("link", name="Assess the risk"))
    page.fill("#id_threats-0-facts", "A car waits outside the house every night.")
    page.select_option("#id_likelihood", "3")
    page.select_option("#id_impact", "3")
    click(page, page.get_by_role("button", name="Record the assessment"))
    assert "The assessment is recorded." in page.locator(".messages").inner_text()
    for label in ("Assessed", "Response in progress"):
        click(page, page.locator(".moves button", has_text=label))
        assert f"“{label}”" in page.locator(".messages").inner_text()
    page.fill("#stage-reason", "Relocated with the help of a protection fund.")
    click(page, page.locator(".moves button", has_text="Closed"))
    case.refresh_from_db()
    assert case.stage == Stage.CLOSED
    assert "Relocated with the help" in page.locator(".timeline").inner_text()

    # Search finds it, in French words, without accents.
    page.goto(f"{base}/en/staff/cases/search/")
    page.fill("#id_q", "menace de mort")
    click(page, page.locator("form[role=search] button[type=submit]"))
    assert "menace" not in page.url  # the words travel in the body, never the URL
    assert case.reference in page.locator(".results").inner_text()
    check_accessibility(page, js, "search page")
    snap(page, f"search-{js}")
    sign_out(page)

    # The reporter reads the reply with their follow-up code.
    reply = Message.objects.get(case=case, sender=Sender.DESK)
    try:
        follow_up = reverse("intake:follow_up")
    except NoReverseMatch:
        follow_up = ""
    if follow_up:
        page.goto(f"{base}{follow_up}")
        page.fill("input[name=receipt]", created.receipt)
        click(page, page.locator("main form button[type=submit]"))
        assert REPLY in page.locator("main").inner_text()
    else:
        # Without the intake app's follow-up page, read it as that page would.
        access = open_for_reporter(*lookup_for_receipt(created.receipt))
        assert access.opened.decrypt_text(reply.body, reply.aad_field()) == REPLY


@pytest.mark.parametrize("lang", LANGUAGES)
def test_it_has_accessible_desk_pages_in_each_language(
    browser: Any, live_server: Any, lang: str
) -> None:
    coordinator = enrol_persona("coordinator", [Role.COORDINATOR, Role.HANDLER])
    created = make_case("Threatened after testifying.", urgency="urgent")
    reporter_case = created.case
    Case.objects.filter(pk=reporter_case.pk).update(stage=Stage.UNDER_ASSESSMENT)
    context = browser.new_context(viewport={"width": 360, "height": 740})
    try:
        page = context.new_page()
        sign_in(page, live_server.url, coordinator, lang)
        for path in (
            "staff/cases/",
            f"staff/cases/{reporter_case.public_id}/",
            f"staff/cases/{reporter_case.public_id}/coding/",
            "staff/cases/search/",
            "staff/cases/new/",
        ):
            response = page.goto(f"{live_server.url}/{lang}/{path}")
            assert response.status == 200, path
            assert page.locator("html").get_attribute("dir") == LANGUAGES[lang]
            assert serious_accessibility_violations(page) == [], path
            assert not overflows_horizontally(page), path
            snap(page, f"{lang}-{path.replace('/', '_')[:40]}")
    finally:
        context.close()
