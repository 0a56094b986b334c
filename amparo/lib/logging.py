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
