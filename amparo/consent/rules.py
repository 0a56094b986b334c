"""The one question every use of a case asks: does the person consent to it?

``allows(case, scope, partner=..., fields=..., on=...)`` answers for one case
at the moment of use; ``consenting(queryset, scope, on=...)`` filters many
cases at once for statistics. Both read the append-only records in
``amparo.cases.models.Consent``: the latest record that applies wins, a grant
with an ``until`` date lapses after that day, and no record means no.

Sharing is read per target. A grant names one partner or one kind of partner
and the exact details agreed to; a withdrawal names the same target, or no
target at all for "no partner any more". A partner is covered when the latest
record for that partner, or for its kind, is a grant that is still in force
and lists every detail asked for.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Protocol, TypeVar

from django.db.models import Exists, Model, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from amparo.cases.models import Case, Consent, ConsentScope

# Scopes read as "latest record wins", without a partner.
SIMPLE_SCOPES = frozenset(
    {ConsentScope.STORE, ConsentScope.CONTACT, ConsentScope.STATISTICS, ConsentScope.PUBLISH}
)
# The detail codes a sharing consent and a referral speak of. Answers and
# files are named one by one ("answer:<question key>", "file:<public id>").
CODING = "coding"
RISK_SUMMARY = "risk_summary"
ANSWER_PREFIX = "answer:"
FILE_PREFIX = "file:"
ALL_PARTNERS = "*"

M = TypeVar("M", bound=Model)


class PartnerLike(Protocol):
    pk: Any
    kind: str


def _today(on: datetime.date | None) -> datetime.date:
    return on if on is not None else timezone.localdate()


def _in_force(record: Consent, on: datetime.date) -> bool:
    return record.granted and (record.until is None or record.until >= on)


def _records(case: Case, scope: str, on: datetime.date) -> list[Consent]:
    # Records dated after ``on`` do not exist yet as far as ``on`` is concerned.
    return list(
        Consent.objects.filter(case=case, scope=scope, recorded_on__lte=on)
        .order_by("id")
        .only("id", "scope", "granted", "until", "partner_id", "partner_kind", "fields")
    )


def target_of(record: Consent) -> str:
    """The sharing target a record speaks of: "partner:<pk>", "kind:<kind>" or ALL_PARTNERS."""
    if record.partner_id is not None:
        return f"partner:{record.partner_id}"
    if record.partner_kind:
        return f"kind:{record.partner_kind}"
    return ALL_PARTNERS


def sharing_state(case: Case, on: datetime.date | None = None) -> dict[str, Consent]:
    """The sharing grants in force on ``on``, by target (see ``target_of``)."""
    day = _today(on)
    state: dict[str, Consent] = {}
    for record in _records(case, ConsentScope.SHARE, day):
        target = target_of(record)
        if record.granted:
            state[target] = record
        elif target == ALL_PARTNERS:
            state.clear()
        else:
            state.pop(target, None)
    return {target: record for target, record in state.items() if _in_force(record, day)}


def sharing_grant(
    case: Case,
    partner: PartnerLike,
    fields: Iterable[str] = (),
    on: datetime.date | None = None,
) -> Consent | None:
    """The grant that covers sharing ``fields`` of ``case`` with ``partner``, or None.

    A grant for this very partner is preferred to one for its kind.
    """
    wanted = set(fields)
    state = sharing_state(case, on)
    for target in (f"partner:{partner.pk}", f"kind:{partner.kind}"):
        record = state.get(target)
        if record is not None and wanted <= set(record.fields or []):
            return record
    return None


def allows(
    case: Case,
    scope: str,
    *,
    partner: PartnerLike | None = None,
    fields: Iterable[str] = (),
    on: datetime.date | None = None,
) -> bool:
    """May ``case`` be used for ``scope`` (with ``partner``, for ``fields``) on ``on``?

    ``on`` defaults to today. Sharing needs a partner; the other scopes take none.
    Every use calls this at the moment of use, never a cached answer.
    """
    day = _today(on)
    if scope == ConsentScope.SHARE:
        if partner is None:
            raise ValueError("sharing consent is always for a partner")
        return sharing_grant(case, partner, fields, day) is not None
    if scope not in SIMPLE_SCOPES:
        raise ValueError(f"unknown consent scope {scope!r}")
    if partner is not None or any(True for _ in fields):
        raise ValueError(f"{scope} consent takes no partner and no fields")
    records = _records(case, scope, day)
    return bool(records) and _in_force(records[-1], day)


def may_contact(case: Case) -> bool:
    """Contact consent today: what the cases app asks before every desk message
    (through amparo.core.hooks, as cases sits below consent)."""
    return allows(case, ConsentScope.CONTACT)


def consenting(queryset: QuerySet[M], scope: str, on: datetime.date | None = None) -> QuerySet[M]:
    """``queryset`` (of cases, or of rows with a ``case`` foreign key) narrowed
    to those whose latest ``scope`` record on ``on`` is a grant in force.

    One query, whatever the number of cases: for statistics.
    """
    if scope not in SIMPLE_SCOPES:
        raise ValueError(f"consenting() reads the simple scopes, not {scope!r}")
    day = _today(on)
    case_ref = "pk" if queryset.model is Case else "case_id"
    # Two levels down: the latest record is chosen for the outer row's case.
    latest = (
        Consent.objects.filter(
            case_id=OuterRef(OuterRef(case_ref)), scope=scope, recorded_on__lte=day
        )
        .order_by("-id")
        .values("id")[:1]
    )
    in_force = Consent.objects.filter(
        Q(until__isnull=True) | Q(until__gte=day), id=Subquery(latest), granted=True
    )
    return queryset.filter(Exists(in_force))


def statistics_case_ids(on: datetime.date | None = None) -> QuerySet[Case, int]:
    """The ids of the cases that may be counted in statistics on ``on``."""
    return consenting(Case.objects.all(), ConsentScope.STATISTICS, on).values_list("pk", flat=True)


@dataclass
class ScopeState:
    scope: str
    granted: bool
    record: Consent | None
    lapsed: bool = False


@dataclass
class CurrentConsent:
    """What a case's consent is today, for display (case page, follow-up page)."""

    scopes: list[ScopeState]
    sharing: list[Consent] = field(default_factory=list)


def current(case: Case, on: datetime.date | None = None) -> CurrentConsent:
    """The state of every scope today and the sharing grants in force."""
    day = _today(on)
    latest: dict[str, Consent] = {}
    for record in Consent.objects.filter(case=case, recorded_on__lte=day).order_by("id"):
        if record.scope in SIMPLE_SCOPES:
            latest[record.scope] = record
    scopes = []
    for scope in (
        ConsentScope.STORE,
        ConsentScope.CONTACT,
        ConsentScope.STATISTICS,
        ConsentScope.PUBLISH,
    ):
        found = latest.get(scope)
        granted = found is not None and _in_force(found, day)
        lapsed = found is not None and found.granted and not granted
        scopes.append(ScopeState(scope=scope, granted=granted, record=found, lapsed=lapsed))
    sharing = sorted(sharing_state(case, day).values(), key=lambda record: record.pk)
    return CurrentConsent(scopes=scopes, sharing=sharing)
