"""The public pages in Chromium: every language, with JavaScript on and off."""

from __future__ import annotations

from typing import Any

import pytest

from amparo.tests.browser import (
    LANGUAGES,
    overflows_horizontally,
    serious_accessibility_violations,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = ["", "staff/login/", "no-such-page/"]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_it_renders_the_home_page_in_each_language(page: Any, live_server: Any, lang: str) -> None:
    response = page.goto(f"{live_server.url}/{lang}/")
    assert response.status == 200
    html = page.locator("html")
    assert html.get_attribute("lang") == lang
    assert html.get_attribute("dir") == LANGUAGES[lang]
    assert page.locator("h1").is_visible()
    # The stylesheet loaded from our own origin (CSP allows nothing else).
    quick_exit = page.locator(".quick-exit")
    assert quick_exit.is_visible()
    assert quick_exit.evaluate("e => getComputedStyle(e).backgroundColor") == "rgb(164, 22, 26)"


def test_it_switches_language_without_javascript(page: Any, live_server: Any) -> None:
    page.goto(f"{live_server.url}/en/staff/login/")
    page.locator("nav.languages a[hreflang=ar]").click()
    assert page.url == f"{live_server.url}/ar/staff/login/"
    assert page.locator("html").get_attribute("dir") == "rtl"


@pytest.mark.parametrize("lang", LANGUAGES)
@pytest.mark.parametrize("path", PAGES)
def test_it_has_no_serious_accessibility_violations(
    browser: Any, live_server: Any, lang: str, path: str
) -> None:
    context = browser.new_context(viewport={"width": 360, "height": 740})
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/{lang}/{path}")
        assert serious_accessibility_violations(page) == []
        assert not overflows_horizontally(page), "the page scrolls sideways on a 360px phone"
    finally:
        context.close()


def test_it_blocks_what_the_csp_forbids(browser: Any, live_server: Any) -> None:
    context = browser.new_context()
    try:
        page = context.new_page()
        violations: list[str] = []
        page.on("console", lambda message: violations.append(message.text))
        page.goto(f"{live_server.url}/en/")
        # An inline script injected into the DOM must not run under our CSP.
        page.evaluate(
            "() => { const s = document.createElement('script');"
            " s.textContent = 'document.body.dataset.pwned = 1'; document.body.appendChild(s); }"
        )
        assert page.locator("body").get_attribute("data-pwned") is None
        assert any("Content Security Policy" in text for text in violations)
    finally:
        context.close()
