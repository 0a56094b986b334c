"""Encrypted files that no row refers to: what a killed worker leaves behind.

A report's files are written (encrypted) before its transaction commits; a
worker killed in between leaves a file whose row never existed. Its key died
with the transaction, so it is unreadable, but it should not stay: it takes
space and shows that something was sent. Files younger than the grace period
may belong to a transaction still running and are left alone.
"""

from __future__ import annotations

import os
import time

from amparo.cases.files import attachments_dir
from amparo.cases.models import Attachment

GRACE_SECONDS = 60 * 60


def orphan_files(*, older_than: float = GRACE_SECONDS, now: float | None = None) -> list[str]:
    """Paths of attachment files with no Attachment row, untouched for ``older_than`` s."""
    directory = attachments_dir()
    cutoff = (time.time() if now is None else now) - older_than
    candidates = []
    for entry in os.scandir(directory):
        try:
            info = entry.stat(follow_symlinks=False)
        except FileNotFoundError:
            continue
        if entry.is_file(follow_symlinks=False) and info.st_mtime < cutoff:
            candidates.append(entry)
    if not candidates:
        return []
    names = [entry.name for entry in candidates]
    known: set[str] = set()
    for start in range(0, len(names), 500):
        known.update(
            Attachment.objects.filter(stored_name__in=names[start : start + 500]).values_list(
                "stored_name", flat=True
            )
        )
    return [entry.path for entry in candidates if entry.name not in known]


def purge_orphan_files(*, older_than: float = GRACE_SECONDS, now: float | None = None) -> int:
    removed = 0
    for path in orphan_files(older_than=older_than, now=now):
        try:
            os.unlink(path)
            removed += 1
        except FileNotFoundError:
            continue
    return removed
