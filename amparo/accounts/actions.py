"""Every change to a staff account: atomic, and audited.

Key material is created and re-wrapped only here, inside one transaction, so
a crash in the middle of enrolment or a password change leaves the previous
state intact.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import secrets
from dataclasses import dataclass, field
from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.db import transaction
from django.utils import timezone

from amparo.accounts import totp
from amparo.accounts.models import KEY_ROLES, ROLE_FIELDS, Invitation, Role, StaffChange, User
from amparo.accounts.usernames import normalize_username
from amparo.audit.log import record
from amparo.crypto import (
    DecryptionError,
    InvalidRecoveryKey,
    derive_public_key,
    generate_keypair,
    generate_recovery_key,
    unwrap_with_password,
    unwrap_with_recovery_key,
    wrap_with_password,
    wrap_with_recovery_key,
)
from amparo.lib.binary import as_bytes

INVITATION_VALIDITY = timedelta(days=7)
logger = logging.getLogger("amparo.accounts")


class AccountError(Exception):
    """A request that cannot be carried out; the message is safe to show."""


class LastHolder(AccountError):
    """The change would leave cases that nobody at the desk can open."""

    def __init__(self, case_references: list[str]) -> None:
        super().__init__("last_holder")
        self.case_references = case_references


def _hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def confirmed_coordinators_exist() -> bool:
    return User.objects.filter(
        is_active=True, is_coordinator=True, public_key__isnull=False
    ).exists()


def do_invite(
    admin: User | None,
    username: str,
    roles: list[Role],
    *,
    confirmed_by_operator: bool = False,
) -> tuple[Invitation, str]:
    """Create an invitation; returns it with its token, which is never stored.

    Roles that receive case keys (KEY_ROLES) are granted at enrolment only if
    ``confirmed_by_operator`` (manage.py invite_staff on an installation
    without a coordinator, the demo desk, test personas); otherwise they wait
    for a coordinator's confirmation once the person has enrolled.
    """
    if confirmed_by_operator and admin is not None:
        raise ValueError("only the operator's command grants key roles without confirmation")
    token = secrets.token_urlsafe(32)
    with transaction.atomic():
        invitation = Invitation.objects.create(
            token_hash=_hash_token(token),
            username=normalize_username(username),
            is_handler=Role.HANDLER in roles,
            is_coordinator=Role.COORDINATOR in roles,
            is_analyst=Role.ANALYST in roles,
            is_administrator=Role.ADMINISTRATOR in roles,
            created_by=admin,
            expires_at=timezone.now() + INVITATION_VALIDITY,
            key_roles_confirmed=confirmed_by_operator,
        )
        record(
            admin,
            "invitation_created",
            target_type="invitation",
            target_id=str(invitation.pk),
            details={
                "roles": [str(r) for r in roles],
                "key_roles_confirmed": confirmed_by_operator,
            },
        )
    return invitation, token


def find_invitation(token: str) -> Invitation | None:
    """The open invitation for ``token``, or None if unknown, used or expired."""
    return Invitation.objects.filter(
        token_hash=_hash_token(token), used_at__isnull=True, expires_at__gt=timezone.now()
    ).first()


def do_enrol(
    invitation: Invitation,
    *,
    password: str,
    recovery_key: str,
    totp_secret: bytes,
    totp_step: int = 0,
) -> User:
    """Turn an invitation into an account with its key pair and second factor.

    ``totp_step`` is the step of the code that confirmed the authenticator, so
    that the same code cannot then be used to sign in.
    """
    keys = generate_keypair()
    with transaction.atomic():
        # Lock the invitation: two tabs submitting at once create one account.
        locked = Invitation.objects.select_for_update().get(pk=invitation.pk)
        if locked.used_at is not None or locked.expires_at <= timezone.now():
            raise AccountError("expired")
        if User.objects.filter(username=normalize_username(locked.username)).exists():
            raise AccountError("taken")
        waiting = [] if locked.key_roles_confirmed else sorted(KEY_ROLES & set(locked.roles()))
        user = User(
            username=normalize_username(locked.username),
            is_handler=locked.is_handler and Role.HANDLER not in waiting,
            is_coordinator=locked.is_coordinator and Role.COORDINATOR not in waiting,
            is_analyst=locked.is_analyst,
            is_administrator=locked.is_administrator,
            public_key=keys.public,
            private_key_by_password=wrap_with_password(keys.private, password),
            private_key_by_recovery=wrap_with_recovery_key(keys.private, recovery_key),
            totp_secret_sealed=totp.seal_secret(totp_secret, keys.private),
            totp_last_step=totp_step,
        )
        user.set_password(password)
        user.save()
        locked.used_at = timezone.now()
        locked.save(update_fields=["used_at"])
        # The roles granted, in the HMAC-chained trail: verify_roles checks
        # every key role in the table against these events.
        record(
            user,
            "enrolled",
            target_type="user",
            target_id=str(user.pk),
            details={
                "invitation": locked.pk,
                "roles": [str(role) for role in user.roles()],
                "waiting": [str(role) for role in waiting],
            },
        )
        if waiting:
            _open_change(locked.created_by, user, StaffChange.Kind.GRANT_ROLES, roles=list(waiting))
    return user


@dataclass
class SignIn:
    user: User
    private_key: bytes = field(repr=False)


# A wrap under a random password: unwrapping it costs what a real sign-in
# costs, so the time taken does not reveal whether an account exists.
_DUMMY_WRAP: dict[str, bytes] = {}


def _spend_unwrap_work(password: str) -> None:
    if "blob" not in _DUMMY_WRAP:
        _DUMMY_WRAP["blob"] = wrap_with_password(b"\0" * 32, secrets.token_urlsafe(16))
    with contextlib.suppress(DecryptionError):
        unwrap_with_password(_DUMMY_WRAP["blob"], password)


def verify_sign_in(username: str, password: str, code: str) -> SignIn | None:
    """Check password and second factor; on success consume the code's time step.

    ``username`` is looked up in its normalised form, exactly.
    """
    user = User.objects.filter(username=normalize_username(username), is_active=True).first()
    if user is None or not user.has_keys():
        make_password(password)  # the work check_password would have done
        _spend_unwrap_work(password)
        return None
    if not user.check_password(password):
        _spend_unwrap_work(password)
        return None
    try:
        private_key = unwrap_with_password(as_bytes(user.private_key_by_password), password)
        secret = totp.open_secret(as_bytes(user.totp_secret_sealed), private_key)
    except DecryptionError:
        return None
    if derive_public_key(private_key) != as_bytes(user.public_key):
        # Someone with write access to the database swapped the public key to
        # have new cases sealed to them. Refuse, and say so loudly.
        logger.critical("stored public key does not match the private key of user %s", user.pk)
        record(
            user,
            "login_failed",
            target_type="user",
            target_id=str(user.pk),
            details={"reason": "public_key_mismatch"},
        )
        return None
    step = totp.matching_step(secret, code, after_step=user.totp_last_step)
    if step is None:
        return None
    # Consume the step atomically: of two requests racing with one code, one wins.
    consumed = User.objects.filter(pk=user.pk, totp_last_step__lt=step).update(totp_last_step=step)
    if not consumed:
        return None
    user.totp_last_step = step
    return SignIn(user=user, private_key=private_key)


def do_change_password(user: User, private_key: bytes, new_password: str) -> None:
    """Re-wrap the private key under the new password, in one transaction."""
    with transaction.atomic():
        user.private_key_by_password = wrap_with_password(private_key, new_password)
        user.set_password(new_password)
        user.save(update_fields=["password", "private_key_by_password"])
        record(user, "password_changed", target_type="user", target_id=str(user.pk))


def do_recover(username: str, recovery_key: str, code: str, new_password: str) -> tuple[User, str]:
    """Set a new password with the recovery key (and the second factor).

    The recovery key is single-use: the private key is re-wrapped under a new
    one, returned to be shown once, so the old key stops working.
    """
    user = User.objects.filter(username=normalize_username(username), is_active=True).first()
    if user is None or not user.has_keys():
        raise AccountError("invalid")
    try:
        private_key = unwrap_with_recovery_key(as_bytes(user.private_key_by_recovery), recovery_key)
        secret = totp.open_secret(as_bytes(user.totp_secret_sealed), private_key)
    except (DecryptionError, InvalidRecoveryKey):
        raise AccountError("invalid") from None
    step = totp.matching_step(secret, code, after_step=user.totp_last_step)
    if step is None:
        raise AccountError("invalid")
    new_recovery_key = generate_recovery_key()
    with transaction.atomic():
        updated = User.objects.filter(
            pk=user.pk,
            totp_last_step__lt=step,
            private_key_by_recovery=user.private_key_by_recovery,
        ).update(
            totp_last_step=step,
            private_key_by_recovery=wrap_with_recovery_key(private_key, new_recovery_key),
            private_key_by_password=wrap_with_password(private_key, new_password),
            password=make_password(new_password),
        )
        if not updated:  # a concurrent recovery or sign-in got there first
            raise AccountError("invalid")
        record(user, "recovery_used", target_type="user", target_id=str(user.pk))
    user.refresh_from_db()
    return user, new_recovery_key


# --- Two people for every change that could expose or lose cases -------------
#
# One person alone must not be able to add a reader of every case, nor leave
# cases that nobody can open. Granting a key role, taking the coordinator role
# away, removing a coordinator and destroying sealed copies therefore wait as
# a StaffChange until an active coordinator other than the requester, signed
# in, confirms; and nothing that removes access may leave a case whose only
# live key holder is the person concerned.


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
    from amparo.cases.access import cases_only_held_by

    return list(cases_only_held_by(person).values_list("reference", flat=True))


def _refuse_if_last_holder(person: User) -> None:
    references = last_held_references(person)
    if references:
        raise LastHolder(references)


def _open_change(
    requester: User | None,
    subject: User,
    kind: StaffChange.Kind,
    *,
    roles: list[Role] | None = None,
) -> StaffChange:
    if StaffChange.objects.filter(subject=subject, kind=kind, state="pending").exists():
        raise AccountError("pending_exists")
    change = StaffChange.objects.create(
        kind=kind,
        subject=subject,
        roles=[str(role) for role in roles or []],
        requested_by=requester,
    )
    record(
        requester,
        "change_requested",
        target_type="user",
        target_id=str(subject.pk),
        details={"change": change.pk, "kind": str(kind), "roles": change.roles},
    )
    return change


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
    from amparo.cases.models import Case

    User.objects.filter(pk=person.pk).update(is_active=False)
    person.is_active = False
    ended = _end_sessions(person)
    unassigned = Case.objects.filter(assignee=person).update(assignee=None)
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
            return _open_change(actor, person, StaffChange.Kind.DEACTIVATE)
        if person.is_administrator and _last_administrator(person):
            raise AccountError("last_administrator")
        _deactivate(actor, person)
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
    from amparo.cases.models import Case

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
            result.waiting = _open_change(
                actor, person, StaffChange.Kind.GRANT_ROLES, roles=list(grant_later)
            )
        if remove_later:
            result.removal_waiting = _open_change(
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
                unassigned = Case.objects.filter(assignee=person).update(assignee=None)
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
    from amparo.cases.models import CaseKey

    with transaction.atomic():
        person.refresh_from_db()
        if person.is_active:
            raise AccountError("still_active")
        if not CaseKey.objects.filter(user=person).exists():
            raise AccountError("nothing_to_destroy")
        return _open_change(actor, person, StaffChange.Kind.DESTROY_KEYS)


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
    from amparo.cases.actions.common import CaseError
    from amparo.cases.actions.keys import do_destroy_key_copies

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
            try:
                outcome.destroyed, outcome.kept = do_destroy_key_copies(confirmer, person)
            except CaseError:
                raise AccountError("still_active") from None
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
