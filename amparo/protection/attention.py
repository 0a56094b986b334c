"""Protection's needs-attention lists, as database filters over cases for a moment.

They are registered with ``amparo.cases.attention`` when the app starts
(ProtectionConfig.ready), which the inbox's filters and overdue marks, the
needs-attention page and the daily digest all read. Nothing here decrypts
anything: only the fields docs/threat-model.md keeps in clear for this purpose
are read.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from amparo.cases.attention import AttentionList
from amparo.cases.models import Message, Sender, Stage, Urgency
from amparo.cases.workflow import FINISHED_STAGES
from amparo.protection.models import OPEN_STATUSES, Assessment, Measure, UrgentWatch

YEARLY = datetime.timedelta(days=365)


def _today(now: datetime.datetime) -> datetime.date:
    return timezone.localdate(now)


def urgent_unacknowledged(now: datetime.datetime) -> Q:
    """Urgent reports still "received" once their acknowledgement time has run out.

    A case whose clock never started (the watch was missed) counts from the
    day after it arrived: its time of arrival is not stored.
    """
    watches = UrgentWatch.objects.filter(case=OuterRef("pk"))
    due = watches.filter(Q(escalate_at__lte=now) | Q(escalated_on__isnull=False))
    return Q(urgency=Urgency.URGENT, stage=Stage.RECEIVED) & (
        Exists(due) | (~Exists(watches) & Q(received_on__lt=_today(now)))
    )


def assessment_overdue(now: datetime.datetime) -> Q:
    """Open cases (not in monitoring, which has its own list) whose current
    assessment's re-assessment day has passed."""
    late = Assessment.objects.filter(
        case=OuterRef("pk"), is_current=True, review_on__lt=_today(now)
    )
    return Exists(late) & ~Q(stage__in=[*FINISHED_STAGES, Stage.MONITORING])


def monitoring_due(now: datetime.datetime) -> Q:
    """Cases in monitoring whose review (the re-assessment) is due today or
    earlier, or that were never assessed."""
    current = Assessment.objects.filter(case=OuterRef("pk"), is_current=True)
    return Q(stage=Stage.MONITORING) & (
        Exists(current.filter(review_on__lte=_today(now))) | ~Exists(current)
    )


def measure_overdue(now: datetime.datetime) -> Q:
    late = Measure.objects.filter(
        case=OuterRef("pk"), status__in=OPEN_STATUSES, due_on__lt=_today(now)
    )
    return Q(Exists(late))


def yearly_follow_up_due(now: datetime.datetime) -> Q:
    """Closed cases flagged for a yearly follow-up with nothing done on them for a year.

    Any recorded action on the case (a note, a message, an assessment) moves
    its last activity, so writing down the follow-up takes it off the list.
    """
    return Q(
        stage=Stage.CLOSED,
        yearly_follow_up=True,
        last_activity_on__lte=_today(now) - YEARLY,
    )


def unanswered(now: datetime.datetime) -> Q:
    """A reporter's message older than AMPARO_UNANSWERED_DAYS with no desk message after it."""
    cutoff = _today(now) - datetime.timedelta(days=settings.AMPARO_UNANSWERED_DAYS)
    answered = Message.objects.filter(
        case=OuterRef("case"), sender=Sender.DESK, pk__gt=OuterRef("pk")
    )
    waiting = Message.objects.filter(
        case=OuterRef("pk"), sender=Sender.REPORTER, sent_on__lte=cutoff
    ).filter(~Exists(answered))
    return Q(Exists(waiting))


LISTS: tuple[AttentionList, ...] = (
    AttentionList(
        "urgent",
        _("Urgent reports not acknowledged in time"),
        _("Urgent, still “Received”, after the time set for acknowledging them."),
        urgent_unacknowledged,
    ),
    AttentionList(
        "reassess",
        _("Assessments past their date"),
        _("The re-assessment day of the current risk assessment has passed."),
        assessment_overdue,
    ),
    AttentionList(
        "measures",
        _("Measures past due"),
        _("A proposed, requested or ongoing measure is past its due day."),
        measure_overdue,
    ),
    AttentionList(
        "monitoring",
        _("Monitoring reviews due"),
        _("In monitoring, and the risk is due to be re-assessed (or never was)."),
        monitoring_due,
    ),
    AttentionList(
        "yearly",
        _("Yearly follow-ups due"),
        _("Closed with a yearly follow-up, and nothing recorded on it for a year."),
        yearly_follow_up_due,
    ),
    AttentionList(
        "unanswered",
        _("Reporter messages unanswered"),
        _("The reporter wrote and the desk has not answered for several days."),
        unanswered,
    ),
)
