"""Check every key role in the accounts table against the audit trail.

The two-person rule lives in the application: someone with write access to
the database could still set ``is_coordinator`` on an account of theirs and
have every new case sealed to it. They cannot forge the audit trail without
the server's secret (its events are HMAC-chained), so a key role that no
trail event explains — an enrolment that granted it, a confirmed grant — is
exactly what such a write leaves behind.
"""

from __future__ import annotations

from dataclasses import dataclass

from amparo.accounts.models import KEY_ROLES, StaffChange, User
from amparo.audit.models import AuditEvent


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
        elif event.action == "roles_changed":
            held -= set(_as_list(details.get("removed")))
        elif event.action == "access_revoked" and details.get("deactivated"):
            held.clear()
    problems = []
    for user in User.objects.filter(is_active=True).order_by("pk"):
        for role in sorted(KEY_ROLES & set(user.roles())):
            if str(role) in granted.get(user.pk, set()):
                continue
            reason = (
                "no event grants it"
                if user.pk in recorded
                else "enrolled before roles were recorded"
            )
            problems.append(Unexplained(user.pk, user.username, str(role), reason))
    return problems
