"""With JavaScript off: the team proposes, the reporter agrees on the follow-up page,
a handler prepares, a coordinator approves, the package downloads and decrypts.
Every page on the way is checked with axe and at 360 px."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pysequoia
import pytest
from django.test import Client

from amparo.accounts.models import Role
from amparo.cases.actions.keys import do_grant_access
from amparo.cases.models import Case
from amparo.referrals.actions.partners import PartnerValues, do_add_partner, do_confirm_partner_key
from amparo.referrals.models import Referral, ReferralStatus
from amparo.referrals.tests.base import open_package, public_cert
from amparo.tests.base import enrol_persona, make_reporter
from amparo.tests.base import sign_in as client_sign_in
from amparo.tests.browser import overflows_horizontally, serious_accessibility_violations

pytestmark = pytest.mark.django_db(transaction=True)

NARRATIVE = "BROWSER-MARKER-6620 they took my passport at the airport"


def sign_in(page: Any, base: str, persona: Any) -> None:
    page.goto(f"{base}/en/staff/login/")
    page.fill("input[name=username]", persona.user.username)
    page.fill("input[name=password]", persona.password)
    page.fill("input[name=code]", persona.code())
    page.locator("main form button[type=submit]").click()
    page.wait_for_load_state()
    assert "/staff/login/" not in page.url, page.locator("main").inner_text()


def check(page: Any, where: str) -> None:
    """axe and the 360 px check run inside the page: JavaScript-on contexts only."""
    assert serious_accessibility_violations(page) == [], where
    assert not overflows_horizontally(page), where


def submit(page: Any, selector: str) -> None:
    page.locator(selector).click()
    page.wait_for_load_state()


def test_it_takes_a_referral_from_proposal_to_a_decrypted_package(
    browser: Any, live_server: Any, tmp_path: Path
) -> None:
    base = live_server.url
    coordinator = enrol_persona("coordinator", [Role.COORDINATOR, Role.HANDLER])
    handler = enrol_persona("handler", [Role.HANDLER])
    admin = enrol_persona("admin", [Role.ADMINISTRATOR])
    reporter = make_reporter(NARRATIVE)
    case = reporter.case
    do_grant_access(coordinator.user, coordinator.private_key(), case, handler.user)
    Case.objects.filter(pk=case.pk).update(assignee=handler.user)
    key = pysequoia.Tsk.generate("Fund <fund@example.org>")
    partner = do_add_partner(
        admin.user,
        PartnerValues(
            name="Shelter Fund",
            kind="emergency_fund",
            email="fund@example.org",
            languages=["en"],
            countries=[],
            regions=[],
            measures=[],
        ),
        str(public_cert(key)),
    )
    do_confirm_partner_key(admin.user, partner, typed=partner.fingerprint)

    def context() -> Any:
        made = browser.new_context(
            java_script_enabled=False, viewport={"width": 360, "height": 740}
        )
        made.set_default_timeout(10_000)
        return made

    # The team proposes.
    desk = context()
    page = desk.new_page()
    sign_in(page, base, coordinator)
    page.goto(f"{base}/en/staff/cases/{case.public_id}/")
    page.goto(f"{base}/en/staff/consent/{case.public_id}/propose/")
    page.select_option("select[name=partner]", partner.public_id)
    page.check("input[name=details][value='answer:narrative']")
    page.fill("textarea[name=reason]", "The fund can pay for a new passport and a lawyer.")
    submit(page, "main form button[type=submit]")
    assert "#consent" in page.url or "/staff/cases/" in page.url

    # The reporter agrees on the follow-up page.
    visitor = context()
    page = visitor.new_page()
    page.goto(f"{base}/en/follow-up/")
    page.fill("#id_receipt", reporter.receipt)
    submit(page, "main form button[type=submit]")
    assert "request to share details" in page.locator("main").inner_text()
    page.goto(f"{base}/en/follow-up/choices/")
    text = page.locator("main").inner_text()
    assert "Shelter Fund" in text and "new passport" in text
    page.locator("input[name=answer][value=agree]").check()
    submit(page, "article.request button[type=submit]")
    assert "What you agreed to share" in page.locator("main").inner_text()
    assert "Narrative" in page.locator("main").inner_text()

    # A handler prepares.
    prep = context()
    page = prep.new_page()
    sign_in(page, base, handler)
    page.goto(f"{base}/en/staff/referrals/case/{case.public_id}/new/")
    page.select_option("select[name=partner]", partner.public_id)
    page.check("input[name=details][value='answer:narrative']")
    page.fill("textarea[name=cover_note]", "Please consider a new passport.")
    submit(page, "button[name=preview]")
    assert NARRATIVE in page.locator(".preview-summary").inner_text()
    submit(page, "button[name=submit]")
    referral = Referral.objects.get()
    assert referral.prepared_by == handler.user

    # A coordinator approves, and downloads the package once.
    page = desk.new_page()
    page.goto(f"{base}/en/staff/referrals/")
    page.goto(f"{base}/en/staff/referrals/{referral.public_id}/")
    page.uncheck("input[name=by_email]")
    submit(page, "form[action$='/approve/'] button[type=submit]")
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.SENT
    with page.expect_download() as download_info:
        page.locator("form[action$='/download/'] button[type=submit]").click()
    path = tmp_path / "package.pgp"
    download_info.value.save_as(path)
    opened = open_package(path.read_bytes(), key)
    assert NARRATIVE in opened.summary
    assert "Please consider a new passport." in opened.summary
    assert opened.manifest["fields"] == ["answer:narrative"]
    referral.refresh_from_db()
    assert referral.package is None
    for made in (desk, visitor, prep):
        made.close()

    # The same pages with JavaScript on, for axe and the 360 px layout.
    def js_context() -> Any:
        made = browser.new_context(viewport={"width": 360, "height": 740})
        made.set_default_timeout(10_000)
        return made

    pages = [
        (
            coordinator,
            [
                f"/en/staff/cases/{case.public_id}/",
                f"/en/staff/consent/{case.public_id}/propose/",
                f"/en/staff/consent/{case.public_id}/record/",
                "/en/staff/referrals/",
                f"/en/staff/referrals/case/{case.public_id}/",
                f"/en/staff/referrals/{referral.public_id}/",
                "/en/staff/referrals/signing-key/",
            ],
        ),
        (handler, [f"/en/staff/referrals/case/{case.public_id}/new/"]),
        (
            admin,
            [
                "/en/staff/referrals/partners/",
                "/en/staff/referrals/partners/new/",
                f"/en/staff/referrals/partners/{partner.public_id}/",
                f"/en/staff/referrals/partners/{partner.public_id}/edit/",
            ],
        ),
    ]
    for persona, paths in pages:
        made = js_context()
        # Signed in through the session, not the form: a second form sign-in
        # within the same TOTP step is refused as a replay, rightly.
        client = Client()
        client_sign_in(client, persona)
        made.add_cookies(
            [
                {"name": name, "value": morsel.value, "url": base}
                for name, morsel in client.cookies.items()
            ]
        )
        page = made.new_page()
        for url in paths:
            response = page.goto(f"{base}{url}")
            assert response.status == 200, url
            check(page, url)
        made.close()
    made = js_context()
    page = made.new_page()
    page.goto(f"{base}/en/follow-up/")
    page.fill("#id_receipt", reporter.receipt)
    submit(page, "main form button[type=submit]")
    for lang in ("en", "ar"):
        page.goto(f"{base}/{lang}/follow-up/choices/")
        check(page, f"reporter choices {lang}")
    made.close()
