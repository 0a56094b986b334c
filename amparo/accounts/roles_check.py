"""Check every key role in the accounts table against the audit trail.

The two-person rule lives in the application: someone with write access to
the database could still set ``is_coordinator`` on an account of theirs and
have every new case sealed to it. They cannot forge the audit trail without
the server's secret (its events are HMAC-chained), so a key role that no
trail event explains — an enrolment that granted it, a confirmed grant — is
exactly what such a write leaves behind.

Accounts enrolled before the enrolment event named its roles (installations
upgraded from before verify_roles) have nothing to be checked against. The
operator takes a baseline once, after checking the list by hand:
``take_baseline`` records the key roles each such account holds, and later
changes must come through the application like every other.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from amparo.accounts.models import KEY_ROLES, StaffChange, User
from amparo.audit.log import record
from amparo.audit.models import AuditEvent

NO_EVENT = "no event grants it"
BEFORE_RECORDING = "enrolled before roles were recorded"


@dataclass(frozen=True)
class Unexplained:
    user_id: int
    username: str
    role: str
    reason: str


def _as_list(value: object) -> list[str]:
    return [str(item) for item in value] if isinstance(value, list) else []


def unexplained_key_roles() -> list[Unexplained]:
    """Active accounts holding a key role that the trail does not account for."""
    granted: dict[int, set[str]] = {}
    recorded: set[int] = set()
    events = AuditEvent.objects.filter(
        action__in=["enrolled", "change_confirmed", "roles_changed", "access_revoked"],
        target_type="user",
    ).order_by("seq")
    for event in events.iterator():
        try:
            user_id = int(event.target_id)
        except ValueError:
            continue
        details = event.details if isinstance(event.details, dict) else {}
        held = granted.setdefault(user_id, set())
        if event.action == "enrolled" and "roles" in details:
            recorded.add(user_id)
            held |= set(_as_list(details["roles"]))
        elif event.action == "change_confirmed":
            roles = set(_as_list(details.get("roles")))
            if details.get("kind") == StaffChange.Kind.GRANT_ROLES:
                held |= roles
            elif details.get("kind") == StaffChange.Kind.REMOVE_ROLES:
                held -= roles
            elif details.get("kind") == StaffChange.Kind.DEACTIVATE:
                held.clear()
        elif event.action == "roles_changed" and "baseline" in details:
            # The roles an account held when the operator took the baseline.
            recorded.add(user_id)
            held |= set(_as_list(details["baseline"]))
        elif event.action == "roles_changed":
            held -= set(_as_list(details.get("removed")))
        elif event.action == "access_revoked" and details.get("deactivated"):
            held.clear()
    problems = []
    for user in User.objects.filter(is_active=True).order_by("pk"):
        for role in sorted(KEY_ROLES & set(user.roles())):
            if str(role) in granted.get(user.pk, set()):
                continue
            reason = NO_EVENT if user.pk in recorded else BEFORE_RECORDING
            problems.append(Unexplained(user.pk, user.username, str(role), reason))
    return problems


class BaselineRefused(Exception):
    """A baseline was taken already; the message says when."""


def baseline_taken_on() -> str | None:
    """The day a baseline was taken, if one was (ISO date), else None."""
    event = (
        AuditEvent.objects.filter(action="roles_changed", target_type="user")
        .filter(details__has_key="baseline")
        .order_by("seq")
        .first()
    )
    return event.at.date().isoformat() if event is not None else None


def take_baseline() -> list[Unexplained]:
    """Record, once per installation, the key roles of every account enrolled
    before roles were recorded; returns what it recorded.

    Refused when a baseline exists: a second one would also absorb a role
    written into the database since. Accounts whose enrolment recorded its
    roles are never part of it: their unexplained roles stay unexplained.
    """
    with transaction.atomic():
        taken = baseline_taken_on()
        if taken is not None:
            raise BaselineRefused(taken)
        waiting = [p for p in unexplained_key_roles() if p.reason == BEFORE_RECORDING]
        by_user: dict[int, list[str]] = {}
        for problem in waiting:
            by_user.setdefault(problem.user_id, []).append(problem.role)
        for user_id, roles in by_user.items():
            record(
                None,
                "roles_changed",
                target_type="user",
                target_id=str(user_id),
                details={"baseline": sorted(roles)},
            )
    return waiting
