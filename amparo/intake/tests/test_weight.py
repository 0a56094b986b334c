"""The first page of the form stays light and needs no script."""

from __future__ import annotations

import re

from django.contrib.staticfiles import finders
from django.test import TestCase

LIMIT_BYTES = 50 * 1024


def page_weight(client, path: str) -> tuple[int, list[str]]:  # type: ignore[no-untyped-def]
    """Bytes of the HTML and of every stylesheet and script it loads."""
    html = client.get(path).content
    text = html.decode()
    assets = re.findall(r'<link[^>]+rel="stylesheet"[^>]+href="/static/([^"]+)"', text)
    scripts = re.findall(r'<script[^>]+src="/static/([^"]+)"', text)
    total = len(html)
    for asset in assets + scripts:
        found = finders.find(asset)
        assert found, asset
        with open(str(found), "rb") as handle:
            total += len(handle.read())
    return total, scripts


class WeightTests(TestCase):
    def test_it_keeps_the_first_form_page_under_50_kb_in_every_language(self) -> None:
        for language in ("en", "fr", "es", "ar"):
            with self.subTest(language=language):
                total, scripts = page_weight(self.client, f"/{language}/report/")
                self.assertLess(total, LIMIT_BYTES)
                self.assertEqual(scripts, [])  # works without any script
