"""Reads the trail must show: who opened a case, a file, a search."""

from __future__ import annotations

from amparo.accounts.models import User
from amparo.audit.log import record
from amparo.cases.models import Case


def audit_case_read(user: User, case: Case) -> None:
    record(user, "case_read", target_type="case", target_id=case.public_id)


def audit_download(user: User, case: Case, attachment_public_id: str, *, inline: bool) -> None:
    record(
        user,
        "file_downloaded",
        target_type="case",
        target_id=case.public_id,
        details={"attachment": attachment_public_id, "inline": inline},
    )


def audit_search(user: User, *, searched: int, found: int) -> None:
    # Never the query: it may be a name or a place, and the trail is in clear.
    record(user, "search", details={"cases_searched": searched, "found": found})
