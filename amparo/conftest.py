"""Fixtures shared by every app's tests: the browser, and the live server it drives."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest

# Playwright's sync API runs an event loop in this thread; Django would then
# refuse ORM calls from test code, which is synchronous and safe here.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("AMPARO_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def chromium_available() -> bool:
    return shutil.which(CHROMIUM) is not None


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not chromium_available():
        if os.environ.get("AMPARO_REQUIRE_BROWSER") == "1":
            pytest.fail(f"AMPARO_REQUIRE_BROWSER=1 but there is no Chromium at {CHROMIUM}")
        pytest.skip(f"browser tests need Chromium at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture(params=[True, False], ids=["js-on", "js-off"])
def page(request: pytest.FixtureRequest, browser: object) -> Iterator[object]:
    """A fresh page in a fresh context, once with JavaScript and once without."""
    context = browser.new_context(  # type: ignore[attr-defined]
        java_script_enabled=request.param,
        viewport={"width": 360, "height": 740},
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture(autouse=True)
def _fresh_cache() -> Iterator[None]:
    """Attempt counters live in the cache: no test may inherit another's."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def django_db_serialized_rollback() -> bool:
    """Restore migration-loaded data (reference lists, the questionnaire) at the
    start of every transactional test: a previous one flushed the tables."""
    return True
