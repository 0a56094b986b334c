"""Who is told about activity on a case, and how.

``case_activity`` arrives after the change has committed. The receiver reads
only who to tell: the assignee and the case's urgency. It never opens the
case, and what it queues says nothing about it (see docs/notifications.md).

- a new report: to its assignee if it has one; to the on-call coordinator
  when it is urgent or nobody has it yet;
- a reporter's message: to the assignee, or to the on-call coordinator when
  nobody has the case (or the assignee has no address);
- an assignment: to the new assignee;
- a change of stage: to nobody (whoever made it is at the desk already).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.db import transaction

from amparo.accounts.models import User
from amparo.cases.models import Case, Urgency
from amparo.notify.models import Kind
from amparo.notify.outbox import Recipient, deliver_soon, describe, queue

logger = logging.getLogger("amparo.notify")

_state = threading.local()
_LANGUAGES = {code for code, _name in settings.LANGUAGES}


@contextmanager
def paused() -> Iterator[None]:
    """Queue nothing in this thread inside the block (used by seed_demo)."""
    before = getattr(_state, "paused", False)
    _state.paused = True
    try:
        yield
    finally:
        _state.paused = before


def recipient_language(user: User) -> str:
    """The person's preferred language, or the installation's default.

    Accounts do not record a preference yet; when they do, it is read here.
    """
    preferred = getattr(user, "language", "") or ""
    return preferred if preferred in _LANGUAGES else settings.LANGUAGE_CODE


def _reachable(user: User | None) -> bool:
    return user is not None and user.is_active and bool(user.email)


def on_call() -> list[Recipient]:
    """AMPARO_ONCALL_EMAIL if set, else every active coordinator with an address."""
    if settings.AMPARO_ONCALL_EMAIL:
        return [
            Recipient(address, settings.LANGUAGE_CODE) for address in settings.AMPARO_ONCALL_EMAIL
        ]
    coordinators = User.objects.filter(is_active=True, is_coordinator=True).exclude(email="")
    return [Recipient(user.email, recipient_language(user)) for user in coordinators.order_by("pk")]


def recipients_for(case: Case, kind: str) -> list[Recipient]:
    # Read afresh: the sender's instance may predate the change it reports.
    current = Case.objects.select_related("assignee").filter(pk=case.pk).first()
    if current is None:
        return []
    assignee = current.assignee if _reachable(current.assignee) else None
    if current.assignee is not None and assignee is None:
        logger.warning("case assignee (user %s) has no usable e-mail address", current.assignee_id)

    people: list[Recipient] = []
    if assignee is not None and kind in (Kind.NEW_CASE, Kind.REPORTER_MESSAGE, Kind.ASSIGNED):
        people.append(Recipient(assignee.email, recipient_language(assignee)))
    if kind == Kind.NEW_CASE and (current.urgency == Urgency.URGENT or assignee is None):
        people += on_call()
    if kind == Kind.REPORTER_MESSAGE and assignee is None:
        people += on_call()

    unique: dict[str, Recipient] = {}
    for person in people:
        unique.setdefault(person.address.casefold(), person)
    return list(unique.values())


def on_case_activity(sender: Any, *, case: Case, kind: str, **kwargs: Any) -> None:
    """Queue the notifications for one piece of activity, then try to send them."""
    if getattr(_state, "paused", False):
        return
    try:
        recipients = recipients_for(case, kind)
        if not recipients:
            if kind in (Kind.NEW_CASE, Kind.REPORTER_MESSAGE):
                logger.warning(
                    "nobody to notify of %s: set AMPARO_ONCALL_EMAIL or staff e-mail addresses",
                    kind,
                )
            return
        ids = queue(recipients, kind)
    except Exception as exc:
        # The sender is someone's request, after their change has committed:
        # failing it now would tell a reporter their report was lost when it
        # was not. Say so loudly instead, without any address.
        logger.error("could not queue a notification of %s: %s", kind, describe(exc))
        return
    if ids:
        transaction.on_commit(lambda: deliver_soon(ids))
