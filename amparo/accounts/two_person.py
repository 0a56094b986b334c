"""Two people for every change that could expose or lose cases (issue 15).

One person alone must not be able to add a reader of every case, nor leave
cases that nobody can open. Granting a key role, taking the coordinator role
away, removing a coordinator and destroying sealed copies therefore wait as
a StaffChange until an active coordinator other than the requester, signed
in, confirms; and nothing that removes access may leave a case whose only
live key holder is the person concerned.

What becomes of the person's cases (their assignments, their copies of case
keys) is the cases app's to do: it sits above accounts, so these actions ask
it through ``amparo.accounts.hooks``.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from amparo.accounts import hooks
from amparo.accounts.actions import AccountError, open_change
from amparo.accounts.models import KEY_ROLES, ROLE_FIELDS, Role, StaffChange, User
from amparo.audit.log import record


class LastHolder(AccountError):
    """The change would leave cases that nobody at the desk can open."""

    def __init__(self, case_references: list[str]) -> None:
        super().__init__("last_holder")
        self.case_references = case_references


def _lock_desk() -> None:
    """Serialise the changes that remove access, so that two confirmed at once
    cannot each leave "one other holder" and together leave none."""
    list(
        User.objects.select_for_update()
        .filter(is_active=True)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


def last_held_references(person: User) -> list[str]:
    """References of the cases that only ``person`` can open today."""
    return hooks.cases_only_held_by(person)


def _refuse_if_last_holder(person: User) -> None:
    references = last_held_references(person)
    if references:
        raise LastHolder(references)


def _end_sessions(person: User) -> int:
    """Delete every session of ``person``: their next request is signed out
    and the session half of their key vault is gone."""
    from django.contrib.auth import SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore
    from django.contrib.sessions.models import Session

    store = SessionStore()
    ended = []
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if store.decode(session.session_data).get(SESSION_KEY) == str(person.pk):
            ended.append(session.pk)
    Session.objects.filter(pk__in=ended).delete()
    return len(ended)


def _deactivate(actor: User | None, person: User) -> None:
    """Revoke all access at once; the sealed copies stay until a separate step."""
    User.objects.filter(pk=person.pk).update(is_active=False)
    person.is_active = False
    ended = _end_sessions(person)
    unassigned = hooks.unassign_cases(person)
    # Role changes waiting for this person lapse with the account.
    StaffChange.objects.filter(
        subject=person,
        state=StaffChange.State.PENDING,
        kind__in=[StaffChange.Kind.GRANT_ROLES, StaffChange.Kind.REMOVE_ROLES],
    ).update(state=StaffChange.State.CANCELLED, decided_by=actor, decided_at=timezone.now())
    record(
        actor,
        "access_revoked",
        target_type="user",
        target_id=str(person.pk),
        details={"deactivated": True, "sessions_ended": ended, "unassigned": unassigned},
    )


def do_deactivate(actor: User, person: User) -> StaffChange | None:
    """Remove a person from the desk, or ask for it when they are a coordinator.

    Refused (LastHolder) while they are the only one who can open some case.
    A non-coordinator is removed at once: no sign-in, sessions ended, no new
    case sealed to them, assignments cleared. A coordinator's removal waits
    for a second coordinator (returned StaffChange). Their sealed copies are
    kept either way: destroying them is ``do_request_key_destruction``.
    """
    with transaction.atomic():
        _lock_desk()
        person.refresh_from_db()
        if not person.is_active:
            raise AccountError("inactive")
        # Only a coordinator may ask for their own removal (which another
        # coordinator must confirm); nobody removes themselves at once.
        if person.pk == actor.pk and not person.is_coordinator:
            raise AccountError("self")
        _refuse_if_last_holder(person)
        if person.is_coordinator:
            return open_change(actor, person, StaffChange.Kind.DEACTIVATE)
        if person.is_administrator and _last_administrator(person):
            raise AccountError("last_administrator")
        _deactivate(actor, person)
        # Nobody but a coordinator should hold a share; one kept from an
        # earlier role goes with the account all the same.
        hooks.signing_shares_revoked(actor, person)
    return None


def _last_administrator(person: User) -> bool:
    return (
        not User.objects.filter(is_active=True, is_administrator=True)
        .exclude(pk=person.pk)
        .exists()
    )


@dataclass
class RoleChange:
    """What ``do_change_roles`` did at once and what now waits for a coordinator."""

    granted: list[Role] = field(default_factory=list)
    removed: list[Role] = field(default_factory=list)
    waiting: StaffChange | None = None
    removal_waiting: StaffChange | None = None


def do_change_roles(actor: User, person: User, wanted: set[Role]) -> RoleChange:
    """Change ``person``'s roles to ``wanted``, as far as one person may.

    Roles without case keys change at once. A key role to grant waits for a
    coordinator's confirmation (nothing is sealed to the person meanwhile);
    taking the coordinator role away also waits; taking the handler role away
    happens at once and returns their assigned cases to the inbox. Anything
    that removes access is refused while the person is the only one who can
    open some case.
    """
    result = RoleChange()
    with transaction.atomic():
        _lock_desk()
        person.refresh_from_db()
        if not person.is_active:
            raise AccountError("inactive")
        held = set(person.roles())
        to_grant, to_remove = wanted - held, held - wanted
        if to_remove & KEY_ROLES:
            _refuse_if_last_holder(person)
        if Role.ADMINISTRATOR in to_remove and _last_administrator(person):
            raise AccountError("last_administrator")
        grant_now = sorted(to_grant - KEY_ROLES)
        grant_later = sorted(to_grant & KEY_ROLES)
        remove_now = sorted(to_remove - {Role.COORDINATOR})
        remove_later = sorted(to_remove & {Role.COORDINATOR})
        if grant_later:
            result.waiting = open_change(
                actor, person, StaffChange.Kind.GRANT_ROLES, roles=list(grant_later)
            )
        if remove_later:
            result.removal_waiting = open_change(
                actor, person, StaffChange.Kind.REMOVE_ROLES, roles=list(remove_later)
            )
        if grant_now or remove_now:
            for role in grant_now:
                setattr(person, ROLE_FIELDS[role], True)
            for role in remove_now:
                setattr(person, ROLE_FIELDS[role], False)
            person.save(update_fields=[ROLE_FIELDS[r] for r in [*grant_now, *remove_now]])
            unassigned = 0
            if Role.HANDLER in remove_now:
                unassigned = hooks.unassign_cases(person)
            record(
                actor,
                "roles_changed",
                target_type="user",
                target_id=str(person.pk),
                details={
                    "granted": [str(r) for r in grant_now],
                    "removed": [str(r) for r in remove_now],
                    "unassigned": unassigned,
                },
            )
        result.granted, result.removed = list(grant_now), list(remove_now)
    return result


def do_request_key_destruction(actor: User, person: User) -> StaffChange:
    """Ask for a removed person's sealed copies to be destroyed (a coordinator confirms)."""
    with transaction.atomic():
        person.refresh_from_db()
        if person.is_active:
            raise AccountError("still_active")
        if not hooks.holds_key_copies(person):
            raise AccountError("nothing_to_destroy")
        return open_change(actor, person, StaffChange.Kind.DESTROY_KEYS)


def may_confirm(user: User, change: StaffChange) -> bool:
    """Whether ``user`` is a second person entitled to confirm ``change``."""
    if change.state != StaffChange.State.PENDING:
        return False
    if not (user.is_active and user.is_coordinator and user.has_keys()):
        return False
    if change.requested_by_id == user.pk:
        return False
    return not (change.kind == StaffChange.Kind.GRANT_ROLES and change.subject_id == user.pk)


def may_cancel(user: User, change: StaffChange) -> bool:
    """The requester may withdraw; any other coordinator or administrator may
    refuse, except the person the change is about (a coordinator being
    removed must not be able to keep cancelling their own removal)."""
    if change.state != StaffChange.State.PENDING or not user.is_active:
        return False
    if change.requested_by_id == user.pk:
        return True
    if change.subject_id == user.pk:
        return False
    return user.is_coordinator or user.is_administrator


@dataclass
class Confirmed:
    change: StaffChange
    destroyed: int = 0
    kept: int = 0


def do_confirm_change(confirmer: User, change: StaffChange) -> Confirmed:
    """Carry out a waiting change as its second person.

    The caller has checked that the confirmer is signed in with their key
    (the view reads it from the session). Every rule is checked again here,
    under the desk lock, because the desk may have changed since the request.
    """
    outcome = Confirmed(change=change)
    with transaction.atomic():
        _lock_desk()
        change = StaffChange.objects.select_for_update().get(pk=change.pk)
        outcome.change = change
        confirmer.refresh_from_db()
        if not may_confirm(confirmer, change):
            raise AccountError("not_allowed")
        person = User.objects.get(pk=change.subject_id)
        kind = change.kind
        if kind == StaffChange.Kind.DESTROY_KEYS:
            if person.is_active:
                raise AccountError("still_active")
        elif not person.is_active:
            raise AccountError("inactive")
        if kind == StaffChange.Kind.GRANT_ROLES:
            if not person.has_keys():
                raise AccountError("no_keys")
            fields = [ROLE_FIELDS[role] for role in change.role_list()]
            for name in fields:
                setattr(person, name, True)
            person.save(update_fields=fields)
        elif kind == StaffChange.Kind.REMOVE_ROLES:
            _refuse_if_last_holder(person)
            fields = [ROLE_FIELDS[role] for role in change.role_list()]
            for name in fields:
                setattr(person, name, False)
            person.save(update_fields=fields)
        elif kind == StaffChange.Kind.DEACTIVATE:
            _refuse_if_last_holder(person)
            if person.is_administrator and _last_administrator(person):
                raise AccountError("last_administrator")
            _deactivate(confirmer, person)
        else:
            # The person is inactive (checked above) and the desk is locked.
            outcome.destroyed, outcome.kept = hooks.destroy_key_copies(confirmer, person)
        # A removed coordinator's copy of the search index key, and their
        # shares of the referral signing key, go at once: unlike a case key,
        # neither is the last way into anything another coordinator cannot
        # open or replace.
        hooks.key_roles_changed(confirmer, person)
        hooks.signing_shares_revoked(confirmer, person)
        change.state = StaffChange.State.CONFIRMED
        change.decided_by = confirmer
        change.decided_at = timezone.now()
        change.save(update_fields=["state", "decided_by", "decided_at"])
        record(
            confirmer,
            "change_confirmed",
            target_type="user",
            target_id=str(person.pk),
            details={
                "change": change.pk,
                "kind": str(kind),
                "roles": change.roles,
                "requested_by": change.requested_by_id,
            },
        )
    return outcome


def do_cancel_change(actor: User, change: StaffChange) -> None:
    with transaction.atomic():
        change = StaffChange.objects.select_for_update().get(pk=change.pk)
        if not may_cancel(actor, change):
            raise AccountError("not_allowed")
        change.state = StaffChange.State.CANCELLED
        change.decided_by = actor
        change.decided_at = timezone.now()
        change.save(update_fields=["state", "decided_by", "decided_at"])
        record(
            actor,
            "change_cancelled",
            target_type="user",
            target_id=str(change.subject_id),
            details={"change": change.pk, "kind": change.kind},
        )
