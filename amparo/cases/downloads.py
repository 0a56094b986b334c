"""One response for every decrypted file, to staff and to reporters alike.

A decrypted file is the most dangerous thing Amparo serves: it came from
anyone, and a browser would gladly run it. So every file goes out the same
way: under a name made harmless, as a download unless it is an image that
may be shown, in a sandbox that can do nothing and load nothing, never
sniffed into another type, never cached, with its length announced, and
only after its first chunk has been checked.
"""

from __future__ import annotations

import itertools
import logging
import re
import unicodedata
from collections.abc import Iterator

from django.http import Http404, StreamingHttpResponse
from django.utils.http import content_disposition_header

from amparo.cases.files import iter_plaintext
from amparo.cases.models import Attachment
from amparo.cases.vault import OpenCase
from amparo.crypto import DecryptionError

logger = logging.getLogger("amparo.cases")

# Images a browser may show inline. Never SVG: it can carry script.
PREVIEW_TYPES = frozenset({"image/png", "image/jpeg", "image/gif", "image/webp"})
# A decrypted file is served in a sandbox that can do nothing, from nowhere.
FILE_CSP = "sandbox; default-src 'none'; img-src 'self'"

_UNSAFE_NAME = re.compile(r"[\x00-\x1f\x7f/\\:*?\"<>|]+")


def safe_filename(name: str) -> str:
    """A decrypted file name made harmless for a Content-Disposition header and a disk.

    No path parts, control or reserved characters, no leading dots (hidden
    files), no bidi overrides that disguise an extension; at most 150 characters.
    """
    name = unicodedata.normalize("NFC", str(name))
    name = "".join(ch for ch in name if unicodedata.category(ch) not in ("Cc", "Cf"))
    name = _UNSAFE_NAME.sub("_", name.replace("\\", "/").rsplit("/", 1)[-1])
    name = name.strip(" .")
    if len(name) > 150:
        stem, dot, ext = name.rpartition(".")
        name = (stem[: 150 - len(ext) - 1] + dot + ext) if dot and len(ext) <= 10 else name[:150]
    return name or "attachment"


def file_response(
    opened: OpenCase, attachment: Attachment, *, inline: bool = False
) -> StreamingHttpResponse | None:
    """The decrypted file as a response, or None when its first chunk does not decrypt.

    ``inline`` shows a previewable image in the browser (Http404 for any other
    type); otherwise the file is always an opaque download. The caller audits
    the download once it has the response, and shows its own "damaged" page
    on None: nothing of a damaged file has been sent by then.
    """
    meta = opened.decrypt_json(attachment.metadata, attachment.aad_field())
    content_type = str(meta.get("content_type", ""))
    if inline and content_type not in PREVIEW_TYPES:
        raise Http404
    chunks = _checked_stream(opened, attachment)
    if chunks is None:
        return None
    response = StreamingHttpResponse(
        chunks, content_type=content_type if inline else "application/octet-stream"
    )
    response["Content-Disposition"] = (
        content_disposition_header(
            as_attachment=not inline, filename=safe_filename(str(meta.get("name", "")))
        )
        or "attachment"
    )
    if isinstance(meta.get("size"), int):
        # With the length announced, a browser knows a download cut short by
        # a damaged file (detected only at the end of the stream) is incomplete.
        response["Content-Length"] = str(meta["size"])
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = FILE_CSP
    response["Cache-Control"] = "no-store"
    return response


def _checked_stream(opened: OpenCase, attachment: Attachment) -> Iterator[bytes] | None:
    """The decrypted chunks, with the first one already checked; None if it fails.

    A file truncated or altered further on still fails only when the stream
    reaches that point: the download then stops short of its Content-Length.
    """
    stream = iter_plaintext(opened, attachment)
    try:
        first = next(stream, b"")
    except (DecryptionError, OSError):
        logger.error("attachment %s could not be decrypted", attachment.public_id)
        return None
    return _logged(itertools.chain([first], stream), attachment.public_id)


def _logged(chunks: Iterator[bytes], public_id: str) -> Iterator[bytes]:
    try:
        yield from chunks
    except DecryptionError:
        logger.error("attachment %s failed part way through", public_id)
        raise
