"""What every change of a case shares: its error, the version claim, the commit signal."""

from __future__ import annotations

import datetime
from typing import Any

from django.db import transaction
from django.db.models import F
from django.utils import timezone

from amparo.cases.models import Case
from amparo.cases.signals import case_activity, statistics_facts_changed


class CaseError(Exception):
    """A change that cannot be made; ``code`` says why, for the view's message."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


# The claim: every change of the desk takes the version the person's form was
# rendered from and claims the case with one conditional UPDATE, first thing
# in its transaction: if someone changed the case meanwhile, nothing is
# written and CaseError("stale") tells the view to show the case again.


def claim(
    case: Case,
    expected_version: int | None,
    *,
    expected_stage: str | None = None,
    today: datetime.date | None = None,
    **changes: Any,
) -> None:
    """Bump the case's version (refusing a stale ``expected_version``) and apply ``changes``.

    Must run inside the change's transaction. ``expected_version`` None means
    "whatever it is now": only for the reporter's side, which has no form to
    go stale. ``today`` is the case's new day of last activity (default: the
    real day; the demo seeder passes its own calendar's, as every action here
    that takes ``today`` does).
    """
    today = today or timezone.localdate()
    rows = Case.objects.filter(pk=case.pk)
    if expected_version is not None:
        rows = rows.filter(version=expected_version)
    if expected_stage is not None:
        rows = rows.filter(stage=expected_stage)
    if not rows.update(version=F("version") + 1, last_activity_on=today, **changes):
        raise CaseError("stale")
    case.refresh_from_db(fields=["version", "last_activity_on", *changes])
    if "stage" in changes:
        statistics_facts_changed.send(sender=Case, case=case)


def check_text(text: str, limit: int) -> str:
    if not text.strip():
        raise CaseError("empty")
    if len(text) > limit:
        raise CaseError("too_long")
    return text


def after_commit(case: Case, kind: str) -> None:
    transaction.on_commit(lambda: case_activity.send(sender=Case, case=case, kind=kind))
