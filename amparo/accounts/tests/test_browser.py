"""Staff pages in Chromium: sign-in through the real form with the second
factor (JavaScript on and off), and accessibility in the four languages."""

from __future__ import annotations

from typing import Any

import pytest

from amparo.accounts import totp
from amparo.accounts.actions import do_enrol, do_invite
from amparo.accounts.models import Role, StaffChange
from amparo.cases.actions.create import do_create_case
from amparo.crypto import generate_recovery_key
from amparo.tests.base import enrol_persona
from amparo.tests.browser import (
    LANGUAGES,
    overflows_horizontally,
    serious_accessibility_violations,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STAFF_PAGES = ["staff/", "staff/password/", "staff/invitations/", "staff/people/"]


def sign_in(page: Any, base: str, persona: Any, lang: str = "en") -> None:
    page.goto(f"{base}/{lang}/staff/login/")
    page.fill("input[name=username]", persona.user.username)
    page.fill("input[name=password]", persona.password)
    page.fill("input[name=code]", persona.code())
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()


def test_it_signs_in_and_out_through_the_form(page: Any, live_server: Any) -> None:
    persona = enrol_persona("admin", [Role.ADMINISTRATOR, Role.COORDINATOR])
    sign_in(page, live_server.url, persona)
    assert page.url == f"{live_server.url}/en/staff/"
    cookies = {c["name"]: c for c in page.context.cookies()}
    assert cookies["amparo_key"]["httpOnly"]
    assert cookies["amparo_key"]["sameSite"] == "Strict"
    page.locator("nav.staff-nav button[type=submit]").click()
    page.wait_for_load_state()
    assert "amparo_key" not in {c["name"] for c in page.context.cookies()}
    page.goto(f"{live_server.url}/en/staff/")
    assert "/staff/login/" in page.url


def test_it_shows_one_message_for_a_wrong_code(page: Any, live_server: Any) -> None:
    persona = enrol_persona("handler", [Role.HANDLER])
    page.goto(f"{live_server.url}/fr/staff/login/")
    page.fill("input[name=username]", "handler")
    page.fill("input[name=password]", persona.password)
    page.fill("input[name=code]", "000000" if persona.code() != "000000" else "111111")
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert "incorrect" in page.locator("main").inner_text()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_it_has_accessible_staff_pages(browser: Any, live_server: Any, lang: str) -> None:
    persona = enrol_persona("admin", [Role.ADMINISTRATOR, Role.COORDINATOR])
    _invitation, token = do_invite(persona.user, "newcomer", [Role.HANDLER])
    # A case only the coordinator holds, a second coordinator whose role
    # waits for confirmation: the two-person pages with their notices.
    do_create_case(
        answers={"narrative": "x"}, language="en", questionnaire_version="t", with_receipt=False
    )
    invitation, _token = do_invite(persona.user, "second", [Role.COORDINATOR])
    second = do_enrol(
        invitation,
        password="a long enough passphrase",
        recovery_key=generate_recovery_key(),
        totp_secret=totp.generate_secret(),
    )
    change = StaffChange.objects.get(subject=second)
    two_person_pages = [
        f"staff/people/{second.pk}/roles/",
        f"staff/people/{persona.user.pk}/deactivate/",
        f"staff/people/changes/{change.pk}/",
        "staff/share/",
    ]
    context = browser.new_context(viewport={"width": 360, "height": 740})
    try:
        page = context.new_page()
        for path in [f"staff/enrol/{token}/", "staff/recover/"]:
            page.goto(f"{live_server.url}/{lang}/{path}")
            assert page.locator("html").get_attribute("dir") == LANGUAGES[lang]
            assert serious_accessibility_violations(page) == [], path
            assert not overflows_horizontally(page), path
        sign_in(page, live_server.url, persona, lang)
        for path in STAFF_PAGES + two_person_pages:
            response = page.goto(f"{live_server.url}/{lang}/{path}")
            assert response.status == 200, path
            assert serious_accessibility_violations(page) == [], path
            assert not overflows_horizontally(page), path
    finally:
        context.close()
