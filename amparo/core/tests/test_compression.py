"""HTML is compressed on the wire, padded against BREACH; the CSRF token still
changes on every response; the favicon is a small static file, not a 404."""

from __future__ import annotations

import gzip
import re

from django.test import TestCase

TOKEN = re.compile(rb'name="csrfmiddlewaretoken" value="([^"]+)"')


class CompressionTests(TestCase):
    def get(self, path: str, **headers: str):  # type: ignore[no-untyped-def]
        return self.client.get(path, headers=headers)

    def test_html_is_gzipped_for_clients_that_ask(self) -> None:
        response = self.get("/en/report/", accept_encoding="gzip")
        self.assertEqual(response.status_code, 200)
        self.assertEqual(response["Content-Encoding"], "gzip")
        self.assertIn("Accept-Encoding", response["Vary"])
        html = gzip.decompress(response.content)
        self.assertIn(b"</html>", html)
        self.assertLess(len(response.content), len(html) / 2)

    def test_html_is_plain_for_clients_that_do_not(self) -> None:
        response = self.get("/en/report/")
        self.assertFalse(response.has_header("Content-Encoding"))
        self.assertIn(b"</html>", response.content)

    def test_the_csrf_token_still_varies_and_the_length_is_padded(self) -> None:
        tokens, lengths = set(), set()
        for _ in range(8):
            response = self.get("/en/report/", accept_encoding="gzip")
            found = TOKEN.search(gzip.decompress(response.content))
            assert found is not None
            tokens.add(found.group(1))
            lengths.add(len(response.content))
        # A masked token per response, and random padding (Django's "Heal the BREACH"):
        # the compressed length does not stay fixed for the same page.
        self.assertEqual(len(tokens), 8)
        self.assertGreater(len(lengths), 1)

    def test_other_content_is_not_compressed_here(self) -> None:
        response = self.get("/static/amparo/amparo.css", accept_encoding="gzip")
        self.assertEqual(response.status_code, 200)
        self.assertNotEqual(response.get("Content-Encoding"), "gzip")

    def test_every_page_links_a_small_static_favicon(self) -> None:
        html = self.get("/en/report/").content.decode()
        found = re.search(r'<link rel="icon" href="(/static/[^"]+\.png)"', html)
        assert found is not None
        icon = self.get(found.group(1))
        self.assertEqual(icon.status_code, 200)
        body = b"".join(icon.streaming_content) if icon.streaming else icon.content  # type: ignore[attr-defined]
        self.assertTrue(body.startswith(b"\x89PNG"))
        self.assertLess(len(body), 512)
