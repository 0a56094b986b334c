"""Fixtures shared by every app's tests: the browser, and the live server it drives."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

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


@pytest.fixture(scope="session")
def _migration_snapshot(django_db_setup: None, django_db_blocker: Any) -> str:
    """What the migrations loaded (reference lists, the questionnaire), as JSON,
    taken once before any test could change it."""
    import json

    from django.db import connection

    with django_db_blocker.unblock():
        objects = json.loads(connection.creation.serialize_db_to_string())
    # Content types and permissions are recreated by the flush itself.
    keep = [o for o in objects if o["model"] not in {"contenttypes.contenttype", "auth.permission"}]
    return json.dumps(keep)


def _is_transactional(request: pytest.FixtureRequest) -> bool:
    from django.test import TestCase, TransactionTestCase

    cls = getattr(request.node, "cls", None)
    if cls is not None and issubclass(cls, TransactionTestCase):
        return not issubclass(cls, TestCase)
    marker = request.node.get_closest_marker("django_db")
    if marker is not None and marker.kwargs.get("transaction"):
        return True
    return bool({"transactional_db", "live_server"} & set(request.fixturenames))


@pytest.fixture(autouse=True)
def _restore_migration_data(request: pytest.FixtureRequest, django_db_blocker: Any) -> None:
    """A transactional test starts from a flushed database: put back what the
    migrations loaded.

    Django's own ``serialized_rollback`` keeps its copy on the connection
    object, and Playwright's event loop makes Django hand later tests a fresh
    connection object without it; so we keep the copy ourselves. No test class
    may set ``serialized_rollback`` as well: after a flush by a transactional test
    without it, the content types are recreated under new ids, and Django's copy
    (which holds the old ids) then fails to load on their unique names.
    """
    if not _is_transactional(request):
        return
    snapshot = request.getfixturevalue("_migration_snapshot")
    from django.db import connection

    from amparo.reference.models import ReferenceList

    with django_db_blocker.unblock():
        if not ReferenceList.objects.exists():
            connection.creation.deserialize_db_from_string(snapshot)
