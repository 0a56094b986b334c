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
from amparo.accounts.models import KEY_ROLES, Invitation, Role, StaffChange, User
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
            open_change(locked.created_by, user, StaffChange.Kind.GRANT_ROLES, roles=list(waiting))
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


# --- Sign-in events the trail must show ----------------------------------------------


def audit_sign_in(user: User) -> None:
    record(user, "login", target_type="user", target_id=str(user.pk))


def audit_failed_sign_in(user: User, *, reason: str = "") -> None:
    """A wrong password or code for an existing account (never the attempt's content)."""
    details = {"reason": reason} if reason else None
    record(user, "login_failed", target_type="user", target_id=str(user.pk), details=details)


def audit_sign_out(user: User) -> None:
    record(user, "logout", target_type="user", target_id=str(user.pk))


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


def open_change(
    requester: User | None,
    subject: User,
    kind: StaffChange.Kind,
    *,
    roles: list[Role] | None = None,
) -> StaffChange:
    """Record a change that waits for a second person (see amparo.accounts.two_person)."""
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
