"""Compressed HTML on the wire.

Django's GZipMiddleware adds a random number of bytes to each compressed
response (the "Heal the BREACH" mitigation), so the compressed length of a
page that holds a secret (the CSRF token, itself masked afresh on every
response) does not reveal it byte by byte. Only HTML is compressed here:
decrypted files, exports and PDFs are sent as they are (mostly already
compressed formats, and never worth mixing with a secret), and WhiteNoise
serves static files precompressed by itself.
"""

from __future__ import annotations

from django.http import HttpRequest
from django.http.response import HttpResponseBase
from django.middleware.gzip import GZipMiddleware


class HtmlGZipMiddleware(GZipMiddleware):
    def process_response(
        self, request: HttpRequest, response: HttpResponseBase
    ) -> HttpResponseBase:
        if not response.get("Content-Type", "").startswith("text/html"):
            return response
        return super().process_response(request, response)
