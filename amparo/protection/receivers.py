"""What the protection app does when something happens to a case.

- The move to "assessed" needs a current assessment (registered with the
  case workflow in apps.py).
- An urgent report starts the acknowledgement clock; acknowledging it stops it.
"""

from __future__ import annotations

import logging
from typing import Any

from amparo.cases.models import Case
from amparo.protection.actions import do_watch_urgent, needs_watch
from amparo.protection.models import Assessment, UrgentWatch

logger = logging.getLogger("amparo.protection")


def has_current_assessment(case: Case) -> bool:
    return Assessment.objects.filter(case=case, is_current=True).exists()


def on_case_activity(sender: Any, *, case: Case, kind: str, **kwargs: Any) -> None:
    try:
        current = Case.objects.filter(pk=case.pk).first()
        if current is None:
            return
        if kind == "new_case":
            do_watch_urgent(current)
        elif kind == "stage_changed" and not needs_watch(current):
            UrgentWatch.objects.filter(case=current).delete()
    except Exception as exc:
        # After someone's change has committed: never fail their request.
        # send_reminders starts any clock missed here.
        logger.error("could not update the urgent-case clock: %s", type(exc).__name__)
