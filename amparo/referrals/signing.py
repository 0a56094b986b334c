"""The desk's OpenPGP signing key, held the way case keys are held.

The secret key is wrapped under a random 32-byte key K; K is sealed to each
coordinator's X25519 public key. Signing needs a coordinator signed in (their
private key lives only in their session cookie), so a server seized while
switched off cannot sign a package, and it never could decrypt one: packages
are encrypted to the partner only. The trade-off: a server compromised while
a coordinator approves sees K and the secret key in memory (docs/referrals.md).
"""

from __future__ import annotations

from typing import Any

import pysequoia
from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet

from amparo.accounts.models import User
from amparo.audit.log import record
from amparo.crypto import (
    DecryptionError,
    new_data_key,
    open_data_key,
    seal_data_key,
    unwrap_with_key,
    wrap_with_key,
)
from amparo.lib.binary import as_bytes
from amparo.referrals import openpgp
from amparo.referrals.models import DeskSigningKey, SigningKeyShare


class SigningKeyUnavailable(Exception):
    """This person holds no share of the desk's signing key (or it does not open)."""


def active_key() -> DeskSigningKey | None:
    return DeskSigningKey.objects.filter(active=True).first()


def _coordinators() -> QuerySet[User]:
    return User.objects.filter(is_active=True, is_coordinator=True, public_key__isnull=False)


def do_create_signing_key(actor: Any) -> DeskSigningKey:
    """A new signing key for the desk, sealed to every coordinator; the old one retires."""
    desk = settings.AMPARO_DESK_NAME
    secret, certificate, fingerprint = openpgp.generate_signing_key(
        f"{desk} referrals <{settings.DEFAULT_FROM_EMAIL}>"
    )
    wrapping_key = new_data_key()
    key = DeskSigningKey(certificate=certificate, fingerprint=fingerprint, created_by=actor)
    key.wrapped_secret = wrap_with_key(secret, wrapping_key, context=key.wrap_context())
    with transaction.atomic():
        DeskSigningKey.objects.filter(active=True).update(active=False)
        key.save()
        SigningKeyShare.objects.bulk_create(
            SigningKeyShare(
                key=key,
                user=user,
                sealed_key=seal_data_key(wrapping_key, as_bytes(user.public_key)),
            )
            # Locked like the sealing to newcomers in unlock(), for the same reason.
            for user in _coordinators().select_for_update().order_by("pk")
        )
        record(
            actor,
            "settings_changed",
            target_type="signing_key",
            target_id=fingerprint,
            details={"step": "created"},
        )
    return key


def unlock(user: Any, private_key: bytes) -> tuple[DeskSigningKey, pysequoia.Tsk]:
    """The active key's secret, opened with ``user``'s share, for one approval.

    Coordinators enrolled after the key was made get their share here, from
    the person who just opened it (the server alone cannot do it).
    """
    key = active_key()
    if key is None:
        raise SigningKeyUnavailable
    share = SigningKeyShare.objects.filter(key=key, user=user).first()
    if share is None:
        raise SigningKeyUnavailable
    try:
        wrapping_key = open_data_key(
            as_bytes(share.sealed_key), as_bytes(user.public_key), private_key
        )
        secret = unwrap_with_key(
            as_bytes(key.wrapped_secret), wrapping_key, context=key.wrap_context()
        )
    except DecryptionError:
        raise SigningKeyUnavailable from None
    with transaction.atomic():
        # Locked as the removal of a coordinator locks the desk
        # (amparo.accounts.two_person): a removal confirmed meanwhile is
        # waited for, and the person it removed is no longer sealed to.
        missing = list(
            _coordinators()
            .select_for_update()
            .exclude(pk__in=key.shares.values("user"))
            .order_by("pk")
        )
        if missing:
            SigningKeyShare.objects.bulk_create(
                (
                    SigningKeyShare(
                        key=key,
                        user=person,
                        sealed_key=seal_data_key(wrapping_key, as_bytes(person.public_key)),
                    )
                    for person in missing
                ),
                ignore_conflicts=True,
            )
    return key, openpgp.load_signing_key(secret)


def holds_only_share(person: User) -> bool:
    """Whether ``person`` holds a share of the active key and no other active
    coordinator does: their removal would leave nobody able to sign (a
    coordinator enrolled after the key was made gets a share only from
    someone who opens it, in ``unlock``)."""
    key = active_key()
    if key is None:
        return False
    shares = SigningKeyShare.objects.filter(key=key)
    if not shares.filter(user_id=person.pk).exists():
        return False
    return not shares.filter(user__in=_coordinators()).exclude(user_id=person.pk).exists()


def do_revoke_shares(actor: User | None, person: User) -> int:
    """Destroy ``person``'s shares of every signing key, active or retired,
    unless they are an active coordinator; audited; how many went.

    Called inside the transaction that removes the person or their
    coordinator role. A retired key's share goes too: its secret still signs
    as the desk for partners who kept the old certificate. If the person held
    the only share of the active key, nobody can sign with it any more and a
    coordinator replaces it from the signing-key page.
    """
    current = User.objects.filter(pk=person.pk).values_list("is_active", "is_coordinator").first()
    if current == (True, True):
        return 0
    shares = SigningKeyShare.objects.filter(user_id=person.pk)
    fingerprints = sorted(shares.values_list("key__fingerprint", flat=True))
    if not fingerprints:
        return 0
    shares.delete()
    record(
        actor,
        "keys_destroyed",
        target_type="user",
        target_id=str(person.pk),
        details={"signing_key_shares": len(fingerprints), "signing_keys": fingerprints},
    )
    return len(fingerprints)
