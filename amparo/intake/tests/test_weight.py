"""The first page of the form stays light and needs no script."""

from __future__ import annotations

import gzip
import re

from django.contrib.staticfiles import finders
from django.test import TestCase

LIMIT_BYTES = 50 * 1024
# On the wire: the HTML as the server compresses it, and each stylesheet and the icon
# as WhiteNoise serves them in production (precompressed with gzip where it helps).
WIRE_LIMIT_BYTES = 12 * 1024


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


def wire_weight(client, path: str) -> int:  # type: ignore[no-untyped-def]
    """Bytes on the wire for a browser that accepts gzip: the compressed HTML, plus every
    stylesheet, script and icon it loads, each gzipped when that makes it smaller."""
    response = client.get(path, headers={"accept-encoding": "gzip"})
    assert response["Content-Encoding"] == "gzip"
    total = len(response.content)
    text = gzip.decompress(response.content).decode()
    assets = re.findall(r'<link[^>]+rel="(?:stylesheet|icon)"[^>]+href="/static/([^"]+)"', text)
    assets += re.findall(r'<script[^>]+src="/static/([^"]+)"', text)
    assert any(asset.endswith(".css") for asset in assets)
    for asset in assets:
        found = finders.find(asset)
        assert found, asset
        with open(str(found), "rb") as handle:
            data = handle.read()
        total += min(len(data), len(gzip.compress(data, 9)))
    return total


class WeightTests(TestCase):
    def test_the_first_form_page_is_at_most_12_kb_on_the_wire_in_every_language(self) -> None:
        for language in ("en", "fr", "es", "ar"):
            with self.subTest(language=language):
                self.assertLessEqual(
                    wire_weight(self.client, f"/{language}/report/"), WIRE_LIMIT_BYTES
                )

    def test_it_keeps_the_first_form_page_under_50_kb_in_every_language(self) -> None:
        for language in ("en", "fr", "es", "ar"):
            with self.subTest(language=language):
                total, scripts = page_weight(self.client, f"/{language}/report/")
                self.assertLess(total, LIMIT_BYTES)
                self.assertEqual(scripts, [])  # works without any script
