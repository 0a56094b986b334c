"""State changes of the protection side of a case: each one atomic and audited.

Free text (threat facts, reasons, descriptions, outcomes, notes) is encrypted
under the case's data key before the transaction starts; the audit trail
records what kind of change was made, never its content.
"""

from __future__ import annotations

import datetime
from dataclasses import asdict, dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from amparo.accounts.models import User
from amparo.audit.log import record
from amparo.cases.models import Case, CaseKey, Stage, Urgency
from amparo.cases.vault import OpenCase
from amparo.protection.levels import LevelError, decide, default_review_on
from amparo.protection.models import (
    OPEN_STATUSES,
    STATUS_MOVES,
    Assessment,
    Measure,
    MeasureChange,
    UrgentWatch,
)
from amparo.reference import api as reference

TEXT_MAX_CHARS = 10_000
MAX_THREATS = 20
RATINGS = ("low", "medium", "high")
AGREEMENT = ("yes", "no", "not_asked")
MEASURE_LIST = "protection_measure"
VULNERABILITY_LIST = "vulnerability"
CAPACITY_LIST = "capacity"


class ProtectionError(Exception):
    """A change that cannot be made; ``code`` says why, for the view's message."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


# --- Risk assessment --------------------------------------------------------------------


@dataclass
class Threat:
    """Front Line Defenders' five steps for analysing one threat."""

    facts: str
    pattern: str = ""
    objective: str = ""
    source: str = ""
    #: A code of the reference list "perpetrator" (the coded perpetrator types), or "".
    source_type: str = ""
    conclusion: str = ""


@dataclass
class Rating:
    rating: str  # one of RATINGS
    reason: str


@dataclass
class AssessmentValues:
    threats: list[Threat]
    likelihood: int
    impact: int
    vulnerabilities: dict[str, Rating] = field(default_factory=dict)
    capacities: dict[str, Rating] = field(default_factory=dict)
    clear_and_present: bool = False
    #: The level the person set, or "" to take the table's.
    chosen_level: str = ""
    override_reason: str = ""
    #: None: the default for the level (AMPARO_REASSESSMENT_DAYS).
    review_on: datetime.date | None = None

    def content(self) -> dict[str, Any]:
        return {
            "threats": [asdict(t) for t in self.threats],
            "vulnerabilities": {k: asdict(v) for k, v in self.vulnerabilities.items()},
            "capacities": {k: asdict(v) for k, v in self.capacities.items()},
            "likelihood": self.likelihood,
            "impact": self.impact,
            "clear_and_present": self.clear_and_present,
            "chosen_level": self.chosen_level,
            "override_reason": self.override_reason.strip(),
        }


def _text(value: str, *, required: bool = False) -> str:
    if required and not value.strip():
        raise ProtectionError("empty")
    if len(value) > TEXT_MAX_CHARS:
        raise ProtectionError("too_long")
    return value.strip()


def _check_ratings(ratings: dict[str, Rating], list_code: str) -> None:
    known = {code for code, _label in reference.choices(list_code, include_inactive=True)}
    for code, rating in ratings.items():
        if code not in known:
            raise ProtectionError("unknown_item")
        if rating.rating not in RATINGS:
            raise ProtectionError("bad_rating")
        if not rating.reason.strip():
            raise ProtectionError("rating_reason_required")
        _text(rating.reason)


def check_assessment(values: AssessmentValues) -> None:
    """Raise ProtectionError unless ``values`` make a complete assessment."""
    threats = [t for t in values.threats if any(v.strip() for v in asdict(t).values())]
    if not threats:
        raise ProtectionError("threat_required")
    if len(threats) > MAX_THREATS:
        raise ProtectionError("too_many_threats")
    perpetrators = {
        code for code, _label in reference.choices("perpetrator", include_inactive=True)
    }
    for threat in threats:
        _text(threat.facts, required=True)
        for text in (threat.pattern, threat.objective, threat.source, threat.conclusion):
            _text(text)
        if threat.source_type and threat.source_type not in perpetrators:
            raise ProtectionError("unknown_item")
    values.threats = threats
    _check_ratings(values.vulnerabilities, VULNERABILITY_LIST)
    _check_ratings(values.capacities, CAPACITY_LIST)
    _text(values.override_reason)


def current_assessment(case: Case) -> Assessment | None:
    return Assessment.objects.filter(case=case, is_current=True).first()


def changed_sections(before: dict[str, Any] | None, after: dict[str, Any]) -> list[str]:
    """The names of the parts of an assessment that differ: what the history shows."""
    if before is None:
        return ["first"]
    names = [
        "threats",
        "vulnerabilities",
        "capacities",
        "likelihood",
        "impact",
        "clear_and_present",
        "level",
        "review_on",
    ]
    return [name for name in names if before.get(name) != after.get(name)]


def do_assess(
    opened: OpenCase,
    actor: User,
    values: AssessmentValues,
    *,
    expected_number: int,
    today: datetime.date | None = None,
) -> Assessment:
    """Record a new assessment, which becomes the current one.

    ``today`` is the day it is made (default: the real one; the demo seeder
    passes its own calendar's).

    ``expected_number`` is the number of the current assessment the form was
    rendered from (0 for none): if someone assessed meanwhile, nothing is
    written and ProtectionError("stale") says so.
    """
    case = opened.case
    check_assessment(values)
    try:
        decision = decide(
            values.likelihood,
            values.impact,
            clear_and_present=values.clear_and_present,
            chosen=values.chosen_level,
            reason=values.override_reason,
        )
    except (LevelError, ValueError) as exc:
        raise ProtectionError(getattr(exc, "code", "bad_level")) from None
    today = today or timezone.localdate()
    review_on = values.review_on or default_review_on(decision.level, today)
    if review_on <= today:
        raise ProtectionError("review_in_past")

    content = values.content()
    content.update(
        {
            "level": decision.level.value,
            "computed_level": decision.computed.value,
            "basis": decision.basis.value,
            "review_on": review_on.isoformat(),
            "review_defaulted": values.review_on is None,
        }
    )
    with transaction.atomic():
        # Lock the case row: two assessments of one case are numbered in turn.
        Case.objects.select_for_update().filter(pk=case.pk).first()
        previous = Assessment.objects.filter(case=case, is_current=True).first()
        if (previous.number if previous else 0) != expected_number:
            raise ProtectionError("stale")
        before = opened.decrypt_json(previous.content, previous.aad_field()) if previous else None
        content["changed"] = changed_sections(before, content)
        if previous is not None:
            Assessment.objects.filter(pk=previous.pk).update(is_current=False)
        assessment = Assessment(
            case=case,
            number=expected_number + 1,
            level=decision.level,
            review_on=review_on,
            assessed_by=actor,
        )
        assessment.content = opened.encrypt_json(content, assessment.aad_field())
        assessment.save()
        Case.objects.filter(pk=case.pk).update(last_activity_on=today)
        record(
            actor,
            "risk_assessed",
            target_type="case",
            target_id=case.public_id,
            details={
                "assessment": assessment.public_id,
                "number": assessment.number,
                "level": assessment.level,
                "changed": content["changed"],
            },
        )
    return assessment


# --- Protection plan ------------------------------------------------------------------


@dataclass
class MeasureValues:
    kind: str
    description: str = ""
    owner: User | None = None
    due_on: datetime.date | None = None
    defender_agreed: str = "not_asked"  # one of AGREEMENT
    outcome: str = ""
    #: What the reporter's follow-up page shows of this measure.
    show_to_reporter: bool = False
    #: Whether it names the partner carrying it out (only when shown at all).
    show_partner: bool = False
    partner: str = ""

    def details(self) -> dict[str, Any]:
        return {
            "description": self.description.strip(),
            "defender_agreed": self.defender_agreed,
            "outcome": self.outcome.strip(),
            "show_to_reporter": self.show_to_reporter,
            "show_partner": self.show_partner and self.show_to_reporter,
            "partner": self.partner.strip(),
        }


def measure_kinds(language: str | None = None) -> list[tuple[str, str]]:
    """``(code, label)`` of the measures that may be proposed now."""
    return reference.choices(MEASURE_LIST, language=language)


def possible_owners(case: Case) -> list[User]:
    """People who may own a measure of ``case``: active staff who hold its key."""
    holders = CaseKey.objects.filter(case=case).values("user_id")
    return list(
        User.objects.filter(pk__in=holders, is_active=True)
        .filter(Q(is_handler=True) | Q(is_coordinator=True))
        .order_by("username")
    )


def _check_measure(case: Case, values: MeasureValues, *, kind_may_be_retired: bool) -> None:
    kinds = {code for code, _l in reference.choices(MEASURE_LIST, include_inactive=True)}
    active = {code for code, _l in measure_kinds()}
    if values.kind not in (kinds if kind_may_be_retired else active):
        raise ProtectionError("unknown_item")
    if values.defender_agreed not in AGREEMENT:
        raise ProtectionError("bad_agreement")
    for text in (values.description, values.outcome, values.partner):
        _text(text)
    if values.owner is not None and values.owner.pk not in {u.pk for u in possible_owners(case)}:
        raise ProtectionError("bad_owner")


def do_add_measure(
    opened: OpenCase, actor: User, values: MeasureValues, *, today: datetime.date | None = None
) -> Measure:
    """Propose a measure for the case's plan (``today``: as in do_assess)."""
    case = opened.case
    _check_measure(case, values, kind_may_be_retired=False)
    today = today or timezone.localdate()
    measure = Measure(
        case=case,
        kind=values.kind,
        owner=values.owner,
        proposed_on=today,
        due_on=values.due_on,
        created_by=actor,
    )
    measure.details = opened.encrypt_json(values.details(), measure.aad_field())
    change = MeasureChange(measure=measure, from_status="", to_status=measure.status, actor=actor)
    with transaction.atomic():
        measure.save()
        change.measure = measure
        change.save()
        Case.objects.filter(pk=case.pk).update(last_activity_on=today)
        record(
            actor,
            "measure_added",
            target_type="case",
            target_id=case.public_id,
            details={"measure": measure.public_id, "kind": measure.kind},
        )
    return measure


def read_measure(opened: OpenCase, measure: Measure) -> dict[str, Any]:
    details: dict[str, Any] = opened.decrypt_json(measure.details, measure.aad_field())
    return details


def do_update_measure(
    opened: OpenCase,
    actor: User,
    measure: Measure,
    values: MeasureValues,
    *,
    status: str,
    expected_version: int,
    note: str = "",
    today: datetime.date | None = None,
) -> Measure:
    """Change a measure's status and details; every change is kept in its history
    (``today``: as in do_assess)."""
    case = opened.case
    if measure.case_id != case.pk:
        raise ProtectionError("not_found")
    if values.kind != measure.kind:
        raise ProtectionError("kind_fixed")
    _check_measure(case, values, kind_may_be_retired=True)
    note = _text(note)
    if status != measure.status and status not in STATUS_MOVES.get(measure.status, frozenset()):
        raise ProtectionError("illegal_status")
    before = read_measure(opened, measure)
    after = values.details()
    changed = [name for name in after if before.get(name) != after[name]]
    if values.owner != measure.owner:
        changed.append("owner")
    if values.due_on != measure.due_on:
        changed.append("due_on")
    if status == measure.status and not changed and not note:
        raise ProtectionError("unchanged")
    today = today or timezone.localdate()
    ended_on = measure.ended_on
    if status != measure.status and status not in OPEN_STATUSES:
        ended_on = today
    encrypted = opened.encrypt_json(after, measure.aad_field())
    change = MeasureChange(
        measure=measure, from_status=measure.status, to_status=status, actor=actor
    )
    if note:
        change.note = opened.encrypt_text(note, change.aad_field())
    with transaction.atomic():
        updated = Measure.objects.filter(pk=measure.pk, version=expected_version).update(
            version=F("version") + 1,
            status=status,
            owner=values.owner,
            due_on=values.due_on,
            ended_on=ended_on,
            details=encrypted,
        )
        if not updated:
            raise ProtectionError("stale")
        change.save()
        Case.objects.filter(pk=case.pk).update(last_activity_on=today)
        details: dict[str, Any] = {"measure": measure.public_id, "fields": changed}
        if status != measure.status:
            details.update({"from": measure.status, "to": status})
        record(
            actor, "measure_changed", target_type="case", target_id=case.public_id, details=details
        )
    measure.refresh_from_db()
    return measure


# --- Urgent cases waiting for acknowledgement -----------------------------------------


def needs_watch(case: Case) -> bool:
    return case.urgency == Urgency.URGENT and case.stage == Stage.RECEIVED


def do_watch_urgent(case: Case, *, now: datetime.datetime | None = None) -> UrgentWatch | None:
    """Start the acknowledgement clock of an urgent case (idempotent).

    Called when the report arrives, and by ``send_reminders`` for any urgent
    case it finds without one (e.g. if the first call failed): the clock then
    starts late, never never.
    """
    if not needs_watch(case):
        return None
    now = now or timezone.now()
    due = now + datetime.timedelta(minutes=settings.AMPARO_URGENT_ACK_MINUTES)
    watch, _created = UrgentWatch.objects.get_or_create(case=case, defaults={"escalate_at": due})
    return watch


def do_forget_acknowledged() -> int:
    """Delete the watches of cases no longer urgent and waiting; returns how many."""
    stale = UrgentWatch.objects.exclude(case__urgency=Urgency.URGENT, case__stage=Stage.RECEIVED)
    count, _by_model = stale.delete()
    return count
