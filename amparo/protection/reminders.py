"""Reminders: the urgent-case escalation and the daily digest, through notify's outbox.

Both are safe to run as often as cron likes:

- an escalation is claimed with one conditional UPDATE of its UrgentWatch
  (time cleared, day set) in the transaction that queues the e-mail, so a
  case escalates once, whatever the number of runs or of processes;
- a digest is recorded as DigestSent(person, day), unique, in the
  transaction that queues it, so a person gets one a day.

Neither message carries case content (see docs/protection.md).
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone, translation

from amparo.accounts.models import User
from amparo.audit.log import record
from amparo.cases import attention
from amparo.cases.access import desk_cases
from amparo.cases.models import Stage, Urgency
from amparo.notify.models import Kind
from amparo.notify.outbox import Recipient, queue
from amparo.notify.receivers import on_call, recipient_language
from amparo.protection.actions import do_forget_acknowledged, do_watch_urgent
from amparo.protection.models import DigestSent, UrgentWatch


@dataclass
class Run:
    """What one run did, for the command's report and the tests."""

    clocks_started: int = 0
    clocks_stopped: int = 0
    escalated: int = 0
    digests: int = 0
    queued: list[int] = field(default_factory=list)


def start_missed_clocks(now: datetime.datetime) -> int:
    """Start the clock of any urgent, unacknowledged case that has none."""
    # Not a shell kept for statistics: a deletion the reporter asked for can
    # shred an urgent case before anyone acknowledged it.
    missing = desk_cases().filter(
        urgency=Urgency.URGENT, stage=Stage.RECEIVED, urgent_watch__isnull=True
    )
    started = 0
    for case in missing.iterator():
        if do_watch_urgent(case, now=now) is not None:
            started += 1
    return started


def do_escalate(watch: UrgentWatch, now: datetime.datetime) -> list[int] | None:
    """Alert the on-call coordinator(s) that an urgent case waits; at most once per case.

    Returns the ids of the queued e-mails, or None when another run got there first.
    """
    today = timezone.localdate(now)
    with transaction.atomic():
        claimed = UrgentWatch.objects.filter(
            pk=watch.pk, escalated_on__isnull=True, escalate_at__lte=now
        ).update(escalate_at=None, escalated_on=today)
        if not claimed:
            return None
        recipients = on_call()
        ids = queue(recipients, Kind.ESCALATION, template="escalation")
        # actor None: the trail keeps the day only, like every reporter-side event.
        record(
            None,
            "urgent_escalated",
            target_type="case",
            target_id=watch.case.public_id,
            details={"recipients": len(recipients)},
        )
    return ids


def escalate_due(now: datetime.datetime) -> tuple[int, list[int]]:
    due = UrgentWatch.objects.filter(
        escalate_at__lte=now,
        escalated_on__isnull=True,
        case__urgency=Urgency.URGENT,
        case__stage=Stage.RECEIVED,
    ).select_related("case")
    escalated, ids = 0, list[int]()
    for watch in due:
        queued = do_escalate(watch, now)
        if queued is not None:
            escalated += 1
            ids += queued
    return escalated, ids


def digest_counts(user: User, now: datetime.datetime) -> list[tuple[str, int]]:
    """(list title in the person's language, count) for each non-empty list."""
    counts = attention.counts(user, now)
    with translation.override(recipient_language(user)):
        return [
            (str(item.title), counts[item.code]) for item in attention.lists() if counts[item.code]
        ]


def do_send_digest(user: User, now: datetime.datetime) -> list[int]:
    """Queue today's digest for ``user`` if they have something due and none went yet."""
    today = timezone.localdate(now)
    if DigestSent.objects.filter(user=user, day=today).exists():
        return []
    counts = digest_counts(user, now)
    if not counts:
        return []
    language = recipient_language(user)
    try:
        with transaction.atomic():
            DigestSent.objects.create(user=user, day=today)
            return queue(
                [Recipient(user.email, language)],
                Kind.DIGEST,
                template="digest",
                extra={"counts": counts},
            )
    except IntegrityError:
        return []  # another run sent it meanwhile


def digest_due(now: datetime.datetime) -> bool:
    return timezone.localtime(now).hour >= settings.AMPARO_DIGEST_HOUR


def send_digests(now: datetime.datetime) -> tuple[int, list[int]]:
    if not digest_due(now):
        return 0, []
    people = (
        User.objects.filter(is_active=True)
        .filter(Q(is_handler=True) | Q(is_coordinator=True))
        .exclude(email="")
        .order_by("pk")
    )
    sent, ids = 0, list[int]()
    for user in people:
        queued = do_send_digest(user, now)
        sent += bool(queued)
        ids += queued
    return sent, ids


def run(now: datetime.datetime | None = None) -> Run:
    """One pass of everything the reminders command does."""
    now = now or timezone.now()
    result = Run()
    result.clocks_started = start_missed_clocks(now)
    result.clocks_stopped = do_forget_acknowledged()
    result.escalated, ids = escalate_due(now)
    result.queued += ids
    result.digests, ids = send_digests(now)
    result.queued += ids
    # Old digest records say only "this person had something due that day".
    DigestSent.objects.filter(day__lt=timezone.localdate(now) - datetime.timedelta(days=7)).delete()
    return result
