"""Who holds a case's key: granting, revoking, assigning, destroying copies.

Granting access needs someone who already holds the key and is signed in:
the server alone cannot do it, by design.
"""

from __future__ import annotations

import datetime

from django.db import transaction

from amparo.accounts.models import User
from amparo.audit.log import record
from amparo.cases import search_index
from amparo.cases.actions.common import CaseError, after_commit, claim
from amparo.cases.models import Case, CaseKey
from amparo.cases.vault import NoAccess, open_for_staff
from amparo.crypto import seal_data_key
from amparo.lib.binary import as_bytes


def do_grant_access(granter: User, granter_private_key: bytes, case: Case, grantee: User) -> None:
    """Seal the case key to ``grantee``, using the granter's own copy."""
    if not grantee.has_keys():
        raise CaseError("no_keys")
    opened = open_for_staff(case, granter, granter_private_key)
    with transaction.atomic():
        CaseKey.objects.update_or_create(
            case=case,
            user=grantee,
            defaults={
                "sealed_key": seal_data_key(opened.data_key, as_bytes(grantee.public_key)),
                "granted_by": granter,
            },
        )
        record(
            granter,
            "access_granted",
            target_type="case",
            target_id=case.public_id,
            details={"to": grantee.pk},
        )


def do_revoke_access(actor: User, case: Case, user: User) -> None:
    """Delete ``user``'s sealed copy of the case key.

    Refused with CaseError("last_holder") when nobody else could open the
    case afterwards: a copy that is the last way in is never deleted here.
    """
    from amparo.cases.access import live_keys

    with transaction.atomic():
        if not live_keys().filter(case=case).exclude(user=user).exists():
            raise CaseError("last_holder")
        CaseKey.objects.filter(case=case, user=user).delete()
        # The index holds only cases sealed to every holder of its key (search_keys).
        search_index.note_access_withdrawn(case.pk, user)
        record(
            actor,
            "access_revoked",
            target_type="case",
            target_id=case.public_id,
            details={"from": user.pk},
        )


def do_share_all_cases(granter: User, granter_private_key: bytes, grantee: User) -> int:
    """Grant ``grantee`` every case the granter holds and the grantee lacks
    (e.g. for a newly enrolled coordinator). Returns how many were granted."""
    if not grantee.has_keys():
        raise CaseError("no_keys")
    held = Case.objects.filter(keys__user=granter).exclude(keys__user=grantee)
    count = 0
    for case in held.iterator():
        do_grant_access(granter, granter_private_key, case, grantee)
        count += 1
    # The coordinators' search index holds the words of the granter's cases: it goes with them.
    search_index.grant_key(granter, granter_private_key, grantee)
    return count


def do_destroy_key_copies(actor: User, person: User) -> tuple[int, int]:
    """Delete a removed person's sealed copies of case keys; (destroyed, kept).

    A separate step from removing the person (who already opens nothing), and
    never a side effect: once the copies are gone even their old password and
    recovery key open nothing. A copy is kept when nobody else can open that
    case, since it may be the only one left. Must run inside the caller's
    transaction, after the desk's people are locked.
    """
    from amparo.cases.access import live_keys

    if person.is_active:
        raise CaseError("still_active")
    copies = CaseKey.objects.filter(user=person)
    covered = live_keys().exclude(user=person).values("case")
    destroyed, _ = copies.filter(case__in=covered).delete()
    kept = copies.count()
    record(
        actor,
        "keys_destroyed",
        target_type="user",
        target_id=str(person.pk),
        details={"destroyed": destroyed, "kept": kept},
    )
    return destroyed, kept


def assignable_handlers() -> list[User]:
    """Everyone a coordinator may assign a case to: active handlers with a key pair."""
    return list(
        User.objects.filter(is_active=True, is_handler=True, public_key__isnull=False).order_by(
            "username"
        )
    )


def do_assign(
    coordinator: User,
    coordinator_private_key: bytes,
    case: Case,
    assignee: User | None,
    *,
    expected_version: int,
    today: datetime.date | None = None,
) -> list[int]:
    """Give the case to ``assignee`` (None: to no one) and return whose keys were removed.

    The coordinator's own copy of the case key is opened and sealed to the
    new handler; every other non-coordinator copy (the previous handler's,
    or that of whoever entered the case) is deleted in the same transaction,
    so the desk's key holders are always the coordinators plus the assignee.
    """
    if not coordinator.is_coordinator:
        raise CaseError("not_coordinator")
    if assignee is not None and not (
        assignee.is_active and assignee.is_handler and assignee.has_keys()
    ):
        raise CaseError("not_a_handler")
    if assignee is not None and assignee.pk == case.assignee_id:
        raise CaseError("unchanged")
    try:
        opened = open_for_staff(case, coordinator, coordinator_private_key)
    except NoAccess:
        raise CaseError("no_key") from None
    previous = case.assignee_id
    with transaction.atomic():
        claim(case, expected_version, assignee=assignee, today=today)
        if assignee is not None:
            CaseKey.objects.update_or_create(
                case=case,
                user=assignee,
                defaults={
                    "sealed_key": seal_data_key(opened.data_key, as_bytes(assignee.public_key)),
                    "granted_by": coordinator,
                },
            )
        stale_keys = CaseKey.objects.filter(case=case).exclude(user__is_coordinator=True)
        if assignee is not None:
            stale_keys = stale_keys.exclude(user=assignee)
        revoked = sorted(stale_keys.values_list("user_id", flat=True))
        CaseKey.objects.filter(case=case, user_id__in=revoked).delete()
        record(
            coordinator,
            "case_assigned",
            target_type="case",
            target_id=case.public_id,
            details={
                "from": previous,
                "to": assignee.pk if assignee else None,
                "keys_removed": revoked,
            },
        )
        after_commit(case, "assigned")
    return revoked
