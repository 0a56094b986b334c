"""In Chromium at 360 px: assessing and planning with JavaScript off in English and
Arabic, and axe-core on every protection page (and the case page) in four languages."""

from __future__ import annotations

import io
from typing import Any

import pytest
from django.db import transaction

from amparo.accounts.models import Role
from amparo.cases.actions.coding import CodingValues, do_code_case
from amparo.cases.actions.create import ConsentChoice, do_create_case
from amparo.cases.actions.desk import do_add_message, do_add_note
from amparo.cases.files import store_attachment
from amparo.cases.models import Case, Sender, Stage
from amparo.cases.tests.base import make_case
from amparo.cases.vault import open_for_staff
from amparo.intake import questionnaire
from amparo.protection.models import Assessment, Measure, MeasureStatus
from amparo.protection.tests.base import add_measure, assess
from amparo.reference.loader import load_reference_data
from amparo.tests.base import Persona, enrol_persona
from amparo.tests.browser import LANGUAGES, overflows_horizontally, serious_accessibility_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

LONG = "Kampala-Entebbe-Expressway-checkpoint-near-the-International-Criminal-Court-field-office"


@pytest.fixture(autouse=True)
def _reference_data(transactional_db: None) -> None:
    load_reference_data()


def sign_in(page: Any, base: str, persona: Persona, lang: str) -> None:
    page.goto(f"{base}/{lang}/staff/login/")
    page.fill("input[name=username]", persona.user.username)
    page.fill("input[name=password]", persona.password)
    page.fill("input[name=code]", persona.code())
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert "/staff/login/" not in page.url, page.locator("main").inner_text()


def submit(page: Any, locator: Any) -> None:
    locator.click()
    page.wait_for_load_state()


def wide_elements(page: Any) -> list[str]:
    """What sticks out of a 360 px page, to say why it overflows."""
    found: list[str] = page.evaluate(
        """() => [...document.querySelectorAll('body *')]
            .filter(e => { const r = e.getBoundingClientRect();
                           return r.right > innerWidth + 1 || r.left < -1; })
            .slice(0, 8)
            .map(e => e.tagName + '.' + e.className + ' '
                      + Math.round(e.getBoundingClientRect().width))"""
    )
    return found


def assert_fits(page: Any, where: str) -> None:
    if overflows_horizontally(page):
        width = page.evaluate("document.documentElement.scrollWidth")
        raise AssertionError(f"{where} is {width} px wide: {wide_elements(page)}")


def rich_case(coordinator: Persona) -> Case:
    """A case with something in every section, long words included."""
    # The shipped questionnaire, so that the report shows its real (long) questions.
    created = do_create_case(
        answers={
            "reporting_for": "colleague",
            "what_happened": f"They stopped us at the {LONG} and took our phones.",
            "when": "2026-03",
            "country": "UG",
            "place": LONG,
            "targeted": "Amina K.",
            "responsible": "Soldiers",
            "engagement": ["witness"],
            "others_aware": "yes",
            "name": "Amina K.",
            "contact": "+256 700 000000",
        },
        language="en",
        questionnaire_version=questionnaire.SHIPPED_VERSION,
        urgency="urgent",
        consents=[ConsentChoice("store", True, "v1"), ConsentChoice("contact", True, "v1")],
    )
    case = created.case
    opened = open_for_staff(case, coordinator.user, coordinator.private_key())
    do_add_message(opened, sender=Sender.REPORTER, text=f"Now they wait at {LONG}.")
    case.refresh_from_db()
    do_add_message(
        opened,
        sender=Sender.DESK,
        text="We read it.",
        author=coordinator.user,
        expected_version=case.version,
    )
    case.refresh_from_db()
    do_add_note(opened, coordinator.user, f"Check {LONG}.", expected_version=case.version)
    with transaction.atomic():
        store_attachment(
            opened,
            io.BytesIO(b"evidence" * 50),
            name=f"{LONG}.txt",
            content_type="text/plain",
            scrubbed=True,
        ).save()
    do_code_case(
        coordinator.user,
        case,
        CodingValues(
            reprisal_types=["threats.death_threat"],
            target="individual",
            defender_profiles=[],
            situation="",
            engagement=[],
            country="UG",
            region="002",
            month=None,
            perpetrators=[("state_security_forces", "", "probable")],
        ),
        expected_version=None,
    )
    assess(opened, coordinator.user, facts=f"A car at {LONG} every night.")
    add_measure(opened, coordinator.user, description=f"Move away from {LONG}.")
    Case.objects.filter(pk=case.pk).update(stage=Stage.UNDER_ASSESSMENT)
    case.refresh_from_db()
    return case


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_it_assesses_and_plans_without_javascript(
    browser: Any, live_server: Any, lang: str
) -> None:
    coordinator = enrol_persona("coordinator", [Role.COORDINATOR, Role.HANDLER])
    case = make_case("They searched my house after the hearing.").case
    Case.objects.filter(pk=case.pk).update(stage=Stage.UNDER_ASSESSMENT)
    context = browser.new_context(java_script_enabled=False, viewport={"width": 360, "height": 740})
    context.set_default_timeout(10_000)
    base = live_server.url
    try:
        page = context.new_page()
        sign_in(page, base, coordinator, lang)
        page.goto(f"{base}/{lang}/staff/cases/{case.public_id}/")
        assert page.locator("html").get_attribute("dir") == LANGUAGES[lang]
        submit(page, page.locator(f"a[href$='/cases/{case.public_id}/assess/']").first)
        assert_fits(page, "assess page")

        # Two threats, the second added without JavaScript.
        page.fill("#id_threats-0-facts", "Two men photographed the house.")
        page.select_option("#id_threats-0-source_type", "state_security_forces")
        submit(page, page.locator("button[name=more_threats]"))
        assert (
            page.locator("#id_threats-0-facts").input_value() == "Two men photographed the house."
        )
        page.fill("#id_threats-1-facts", "A summons without a reason.")
        page.select_option("#id_v__location__routines", "high")
        page.fill("#id_vr__location__routines", "Same road to work every day.")
        page.select_option("#id_likelihood", "2")
        page.select_option("#id_impact", "3")
        # Another level without a reason is refused, the input kept.
        page.select_option("#id_chosen_level", "high")
        submit(page, page.locator("main form button[type=submit]:not([name])"))
        assert page.locator("#id_threats-1-facts").input_value() == "A summons without a reason."
        assert not Assessment.objects.exists()
        page.fill("#id_override_reason", "The same unit detained a colleague last month.")
        submit(page, page.locator("main form button[type=submit]:not([name])"))
        assessment = Assessment.objects.get(case=case)
        assert assessment.level == "high"
        assert f"/cases/{case.public_id}/" in page.url
        assert_fits(page, "case page after assessing")
        protection = page.locator("#protection").locator("..").inner_text()
        assert "The same unit detained a colleague" in protection

        # A measure, then its progress.
        submit(page, page.locator(f"a[href$='/cases/{case.public_id}/measures/new/']"))
        assert_fits(page, "new measure page")
        page.select_option("#id_kind", "temporary_relocation")
        page.fill("#id_description", "Two months in another town.")
        page.check("input[name=defender_agreed][value=yes]")
        page.check("#id_show_to_reporter")
        submit(page, page.locator("main form button[type=submit]"))
        measure = Measure.objects.get(case=case)
        assert measure.status == MeasureStatus.PROPOSED
        submit(page, page.locator(f"a[href$='/measures/{measure.public_id}/']"))
        assert_fits(page, "measure page")
        page.select_option("#id_status", "in_progress")
        page.fill("#id_outcome", "Housed with a partner organisation.")
        submit(page, page.locator("main form button[type=submit]"))
        measure.refresh_from_db()
        assert measure.status == MeasureStatus.IN_PROGRESS
        timeline = page.locator("#timeline").locator("..").inner_text()
        assert timeline.count("\n") >= 3
        assert_fits(page, "case page after planning")

        # Now the case may be moved to "Assessed".
        page.locator(".moves button[value=assessed]").click()
        page.wait_for_load_state()
        case.refresh_from_db()
        assert case.stage == Stage.ASSESSED
    finally:
        context.close()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_protection_pages_are_accessible_and_fit_in_each_language(
    browser: Any, live_server: Any, lang: str
) -> None:
    coordinator = enrol_persona("coordinator", [Role.COORDINATOR, Role.HANDLER])
    case = rich_case(coordinator)
    measure = Measure.objects.get(case=case)
    assess(open_for_staff(case, coordinator.user, coordinator.private_key()), coordinator.user)
    context = browser.new_context(viewport={"width": 360, "height": 740})
    try:
        page = context.new_page()
        sign_in(page, live_server.url, coordinator, lang)
        for path in (
            f"staff/cases/{case.public_id}/",
            "staff/cases/",
            "staff/protection/attention/",
            f"staff/protection/cases/{case.public_id}/assess/",
            f"staff/protection/cases/{case.public_id}/assessments/",
            f"staff/protection/cases/{case.public_id}/measures/new/",
            f"staff/protection/cases/{case.public_id}/measures/{measure.public_id}/",
        ):
            response = page.goto(f"{live_server.url}/{lang}/{path}")
            assert response.status == 200, path
            assert page.locator("html").get_attribute("dir") == LANGUAGES[lang]
            assert serious_accessibility_violations(page) == [], path
            assert_fits(page, path)
    finally:
        context.close()
