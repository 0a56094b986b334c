"""Logging filters that keep client identity out of log output."""

from __future__ import annotations

import logging


class DropRequestDetails(logging.Filter):
    """Remove the request Django attaches to records (it carries REMOTE_ADDR
    and the user agent), so no formatter or handler can print them."""

    def filter(self, record: logging.LogRecord) -> bool:
        if hasattr(record, "request"):
            record.request = None
        return True


class QuietDisallowedHost(logging.Filter):
    """A request with a Host header we do not serve: one line, no value, no traceback.

    Django logs the attacker's header value with a full traceback at ERROR; probes
    for virtual hosts would then fill the log with whatever text they chose.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        if record.name == "django.security.DisallowedHost":
            record.msg = "request refused: its Host header is not in AMPARO_ALLOWED_HOSTS"
            record.args = ()
            record.levelno, record.levelname = logging.WARNING, "WARNING"
            record.exc_info = None
            record.exc_text = None
            record.stack_info = None
        return True


class RedactPaths(logging.Filter):
    """Withhold client addresses and secret path segments from every message.

    Django's security warnings name the path (a CSRF refusal on an enrolment link
    would log its token); the same redaction as gunicorn's logs applies.
    """

    def filter(self, record: logging.LogRecord) -> bool:
        from amparo.lib.serverlog import RedactRecords

        return RedactRecords().filter(record)
