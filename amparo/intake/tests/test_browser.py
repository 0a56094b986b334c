"""The public side in Chromium, JavaScript on and off: a whole report in each
language, the receipt read from the page, the follow-up opened with it, a
reply from the desk and the reporter's answer; accessibility of every page."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from amparo.accounts.models import Role
from amparo.cases.actions.desk import do_add_message
from amparo.cases.models import Case, Message, Sender
from amparo.cases.vault import open_for_staff
from amparo.intake.tests.helpers import jpeg_bytes, load_reference_lists
from amparo.tests.base import enrol_persona
from amparo.tests.browser import (
    LANGUAGES,
    overflows_horizontally,
    serious_accessibility_violations,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _reference_data(transactional_db: None) -> None:
    """The form needs the reference lists a data migration loads, and the
    transactional tests before this one flushed them."""
    load_reference_lists()


ARABIC_INDIC = str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")
NARRATIVES = {
    "en": "They searched my office after I met the Court's investigators.",
    "fr": "Ils ont fouillé mon bureau après ma rencontre avec les enquêteurs de la Cour.",
    "es": "Registraron mi oficina después de reunirme con los investigadores de la Corte.",
    "ar": "فتّشوا مكتبي بعد لقائي بمحققي المحكمة.",
}


@pytest.fixture
def js(request: pytest.FixtureRequest) -> bool:
    """Whether this run's page has JavaScript (the ``page`` fixture's parameter)."""
    return bool(request.node.callspec.params.get("page", True))


def check_page(page: Any, js: bool, where: str) -> None:
    """No sideways scrolling on a phone, no serious axe finding. Both checks run
    inside the page, so only with JavaScript on; the JS-off run proves the flow."""
    if js:
        assert not overflows_horizontally(page), f"{where} scrolls sideways on a 360px phone"
        assert serious_accessibility_violations(page) == [], where


def submit(page: Any, selector: str = "main form button[type=submit]") -> None:
    with page.expect_navigation():
        page.locator(selector).last.click()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_it_takes_a_report_and_follows_it_up(
    page: Any, js: bool, live_server: Any, lang: str, tmp_path: Path
) -> None:
    coordinator = enrol_persona("coordinator", [Role.COORDINATOR, Role.HANDLER])
    base = live_server.url
    page.goto(f"{base}/{lang}/")
    check_page(page, js, "landing")
    with page.expect_navigation():
        page.locator("main a[href$='/report/']").first.click()
    assert page.locator("html").get_attribute("dir") == LANGUAGES[lang]
    check_page(page, js, "report form")

    # A first try with the narrative missing: refused, and what was typed stays.
    page.check("#id_consent_store")
    page.check("#id_consent_contact")
    page.check("#id_reporting_for_1")
    page.fill("#id_targeted", "Mi hermano")
    page.select_option("#id_country", "CO")
    page.fill("#id_when_year", "2025")
    if js:
        # Past the browser's own check, to reach the server's.
        page.locator("#id_what_happened").evaluate("e => e.removeAttribute('required')")
        submit(page)
        assert page.locator(".problem").is_visible()
        assert page.input_value("#id_targeted") == "Mi hermano"
        assert page.is_checked("#id_consent_contact")
        check_page(page, js, "report form with errors")

    page.fill("#id_what_happened", NARRATIVES[lang])
    page.select_option("#id_when_month", "6")
    page.check("#id_engagement_2")
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(jpeg_bytes(gps=True))
    page.set_input_files("#id_files", str(photo))
    submit(page)

    receipt = page.locator("#receipt").inner_text().strip()
    reference = page.locator("#reference").inner_text().strip()
    assert len(receipt.replace(" ", "")) == 28
    check_page(page, js, "receipt")
    page.fill("#id_last4", receipt.replace(" ", "")[-4:])
    submit(page)
    check_page(page, js, "thanks")

    case = Case.objects.get(reference=reference)
    assert case.language == lang
    opened = open_for_staff(case, coordinator.user, coordinator.private_key())
    assert opened.answers()["what_happened"] == NARRATIVES[lang]
    do_add_message(opened, sender=Sender.DESK, text="Where are you now?", author=coordinator.user)

    # Back another day, in a new browser session.
    page.context.clear_cookies()
    page.goto(f"{base}/{lang}/follow-up/")
    check_page(page, js, "follow-up")
    typed = receipt
    if lang == "ar":  # typed on an Arabic keyboard, with extra spaces
        typed = "  " + "   ".join(receipt.translate(ARABIC_INDIC).split(" ")) + "  "
    page.fill("#id_receipt", typed)
    submit(page)
    assert page.url.endswith(f"/{lang}/follow-up/report/")
    main = page.locator("main").inner_text()
    assert reference in main
    assert NARRATIVES[lang] in main
    assert "Where are you now?" in main
    assert "photo.jpg" in main
    check_page(page, js, "reporter's report")

    page.fill("#id_text", "With friends, for now.")
    submit(page)
    assert "With friends, for now." in page.locator(".conversation").inner_text()
    answer = Message.objects.get(case=case, sender=Sender.REPORTER)
    assert opened.decrypt_text(answer.body, answer.aad_field()) == "With friends, for now."


def test_it_shows_emergency_contacts_as_soon_as_danger_is_ticked(
    page: Any, live_server: Any
) -> None:
    page.goto(f"{live_server.url}/en/report/")
    emergency = page.locator(".urgent .emergency-box")
    assert not emergency.is_visible()
    page.check("#id_urgent")
    assert emergency.is_visible()
    page.goto(f"{live_server.url}/en/report/?urgent=1")
    assert page.is_checked("#id_urgent")
    assert emergency.is_visible()


OTHER = {"en": "ar", "fr": "es", "es": "en", "ar": "fr"}
NOW = {
    "en": "Two men are outside my door.",
    "fr": "Deux hommes sont devant ma porte.",
    "es": "Hay dos hombres frente a mi puerta.",
    "ar": "رجلان أمام بابي.",
}


@pytest.mark.parametrize("lang", LANGUAGES)
def test_the_urgent_path_and_a_receipt_that_survives_a_language_switch(
    page: Any, js: bool, live_server: Any, lang: str
) -> None:
    base = live_server.url
    page.goto(f"{base}/{lang}/")
    with page.expect_navigation():
        page.locator("main a[href$='/danger/']").click()
    check_page(page, js, "danger")
    # The emergency contacts come first, with numbers to tap that never wrap.
    tel = page.locator(".emergency-box a[href^='tel:']").first
    assert tel.get_attribute("dir") == "ltr"
    assert (
        page.locator(".emergency-box").first.bounding_box()["y"]
        < page.locator("#id_happening_now").bounding_box()["y"]
    )
    if js:
        assert tel.evaluate("e => getComputedStyle(e).whiteSpace") == "nowrap"
    assert page.locator("#id_what_happened").count() == 0  # the short form only

    page.fill("#id_happening_now", NOW[lang])
    page.fill("#id_where_now", "Bamako")
    page.check("#id_consent_store")
    submit(page)
    receipt = page.locator("#receipt").inner_text().strip()
    assert len(receipt.replace(" ", "")) == 28
    check_page(page, js, "urgent receipt")

    # Switching language keeps the code: no new report, no empty form.
    other = OTHER[lang]
    with page.expect_navigation():
        page.locator(f".languages a[hreflang='{other}']").click()
    assert page.locator("html").get_attribute("lang") == other
    assert page.locator("html").get_attribute("dir") == LANGUAGES[other]
    assert page.locator("#receipt").inner_text().strip() == receipt
    assert page.locator(".emergency-box a[href^='tel:']").count() >= 1
    check_page(page, js, "receipt in another language")

    # Leaving needs the last 4 digits, not a tick.
    page.fill("#id_last4", "0000" if not receipt.endswith("0000") else "1111")
    submit(page)
    assert page.locator(".confirm-code .problem").is_visible()
    assert page.locator("#receipt").inner_text().strip() == receipt
    page.fill("#id_last4", receipt.replace(" ", "")[-4:])
    submit(page)
    assert page.url.endswith(f"/{other}/report/thanks/?urgent=1")
    assert page.locator(".emergency-box").is_visible()
    page.goto(f"{base}/{lang}/report/received/")
    assert page.locator("#receipt").count() == 0

    case = Case.objects.get()
    assert case.urgency == "urgent"
    assert case.language == lang


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize(
    "path", ["", "report/", "danger/", "follow-up/", "report/thanks/", "report/thanks/?urgent=1"]
)
def test_it_has_no_serious_accessibility_violations(
    browser: Any, live_server: Any, lang: str, path: str
) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 740})
    try:
        page = context.new_page()
        response = page.goto(f"{live_server.url}/{lang}/{path}")
        assert response.status == 200
        assert page.locator("html").get_attribute("dir") == LANGUAGES[lang]
        assert serious_accessibility_violations(page) == [], path
        assert not overflows_horizontally(page), path
    finally:
        context.close()
