"""gunicorn's logs without client identities, query strings or secret paths.

gunicorn's default access line records the client's address, the whole request line
(query strings included: search words, once) and the user agent; its error log names
the client's address for every malformed request and quotes the request line. For a
desk whose reporters may be hunted, the server's own logs must not become the list of
who came when. PrivateLogger (named in gunicorn.conf.py) keeps, in the access log, the
method, the path with secret-looking segments replaced, the status, the size and the
time taken; it empties every other atom, so even a custom access_log_format cannot
bring an address, a query string, a header or the user agent back. In the error log it
rewrites each record: addresses and request lines are withheld.

Framework-free: gunicorn imports this before Django is set up.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from gunicorn import glogging

# Segments that name a secret or an object: enrolment tokens (43 characters), case and
# file ids (22), signed values. Anything of 16 or more URL-safe characters with a digit
# or a mix of cases is taken for one; words of the site's own paths are shorter.
_SECRET_SEGMENT = re.compile(r"\A[A-Za-z0-9_\-:.~=]{16,}\Z")
_AFTER_SECRET_PREFIX = {"enrol"}
REDACTED = "[redacted]"

# IPv4, and IPv6 written with colons (at least two groups).
_ADDRESS = re.compile(
    r"(?<![\w.])\d{1,3}(?:\.\d{1,3}){3}(?![\w.])"
    r"|(?<![\w.:])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?![\w.:])"
)
_URI = re.compile(r"(?:https?://[^\s'\"]+|/[^\s'\"]*)")


def redact_path(path: str) -> str:
    """The path without its query and with secret-looking segments replaced."""
    path = path.split("?", 1)[0].split("#", 1)[0]
    if path.startswith("/static/") and path.isascii() and path.isprintable():
        return path  # the site's own files: fingerprinted names, no secret
    segments = path.split("/")
    out = []
    after_prefix = False
    for segment in segments:
        if segment and (after_prefix or _looks_secret(segment)):
            out.append(REDACTED)
        else:
            out.append(segment)
        after_prefix = segment in _AFTER_SECRET_PREFIX
    return "/".join(out)


def _looks_secret(segment: str) -> bool:
    if len(segment) > 64 or not segment.isascii() or not segment.isprintable():
        return True  # nothing of ours is that long or odd: never echo it
    if not _SECRET_SEGMENT.match(segment):
        return False
    return any(c.isdigit() for c in segment) or (
        any(c.isupper() for c in segment) and any(c.islower() for c in segment)
    )


def redact_message(message: str) -> str:
    """An error-log message with addresses and request lines withheld."""
    if message.startswith("Invalid request from"):
        # gunicorn: "Invalid request from ip=ADDRESS: <error quoting the request line>"
        return "Invalid request refused (address and request line not logged)"
    message = _ADDRESS.sub("[address]", message)
    return _URI.sub(lambda match: redact_path(match.group(0)), message)


class RedactRecords(logging.Filter):
    """Rewrite each record's message through redact_message()."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            message = record.getMessage()
        except Exception:
            message = str(record.msg)
        record.msg = redact_message(message)
        record.args = ()
        return True


class PrivateLogger(glogging.Logger):
    """gunicorn's logger, keeping clients' identities and secrets out of both logs."""

    _KEPT = ("s", "m", "H", "b", "B", "T", "D", "M", "L", "p", "t")

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        quiet = RedactRecords()
        for handler in self.error_log.handlers:
            handler.addFilter(quiet)

    def atoms(self, resp: Any, req: Any, environ: dict[str, Any], request_time: Any) -> dict:
        every = super().atoms(resp, req, environ, request_time)
        atoms = {key: every[key] for key in self._KEPT if key in every}
        path = redact_path(str(environ.get("PATH_INFO", "")))
        method = str(environ.get("REQUEST_METHOD", "-"))
        atoms.update(
            {
                "U": path,
                "r": f"{method} {path} {environ.get('SERVER_PROTOCOL', '-')}",
                "q": "-",
                "h": "-",
                "u": "-",
                "f": "-",
                "a": "-",
                "l": "-",
            }
        )
        return atoms  # header, environ and response-header atoms are all left out
