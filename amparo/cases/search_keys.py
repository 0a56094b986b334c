"""Who holds the coordinators' search index key, and which cases the index may hold.

The rule that keeps the index from widening anyone's access: **the index holds a
case only while that case's key is sealed to every holder of the index key.** A
holder who copies the database and opens the index with their own key then
learns the words of no case they could not already decrypt. So the key is
sealed only to coordinators who hold every case of the coordinator sealing it,
entries are written only for cases sealed to every holder, and a merge drops
every case that is not (amparo.cases.search_index). A case outside the index
(sealed to some holders only) is searched per request by those who hold it.

When a holder's copy is destroyed the key is *rotated* at the next merge: a new
key pair, sealed to the remaining holders, encrypts the rewritten snapshot, so
a former holder who kept the old key and copies the database later reads
nothing written after their removal.
"""

from __future__ import annotations

import hmac
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import Count

from amparo.accounts.models import User
from amparo.audit.log import record
from amparo.cases.models import Case, CaseKey, SearchIndex, SearchIndexEntry, SearchIndexKey
from amparo.crypto import (
    DecryptionError,
    KeyPair,
    derive_public_key,
    generate_keypair,
    open_data_key,
    seal_data_key,
)
from amparo.lib.binary import as_bytes

_CHUNK = 500


def may_hold(user: Any) -> bool:
    return bool(user.is_active and user.is_coordinator and user.public_key)


def holders() -> list[int]:
    """Who holds a copy of the index key (user ids)."""
    return list(SearchIndexKey.objects.values_list("user_id", flat=True))


def covered(pks: Iterable[int] | None, holder_ids: list[int]) -> set[int]:
    """The cases among ``pks`` (None: all cases) whose key is sealed to every holder."""
    if not holder_ids:
        return set()
    keys = CaseKey.objects.filter(user_id__in=holder_ids)
    if pks is None:
        chunks: Iterable[Any] = [keys]
    else:
        wanted = list(pks)
        chunks = (
            keys.filter(case_id__in=wanted[at : at + _CHUNK])
            for at in range(0, len(wanted), _CHUNK)
        )
    found: set[int] = set()
    for rows in chunks:
        found.update(
            rows.values("case_id")
            .annotate(holders=Count("user_id", distinct=True))
            .filter(holders=len(set(holder_ids)))
            .values_list("case_id", flat=True)
        )
    return found


def holds_all(person: Any, of: Any) -> bool:
    """Whether ``person`` holds the key of every case that ``of`` holds."""
    return not Case.objects.filter(keys__user=of).exclude(keys__user=person).exists()


def create(creator: User) -> SearchIndex:
    """The index row, made now if none exists, with a new key pair sealed to the creator
    and every coordinator who holds all the creator's cases."""
    pair = generate_keypair()
    with transaction.atomic():
        row, created = SearchIndex.objects.get_or_create(pk=1, defaults={"public_key": pair.public})
        if created:
            people = [
                u
                for u in User.objects.filter(
                    is_active=True, is_coordinator=True, public_key__isnull=False
                )
                if u.pk == creator.pk or holds_all(u, creator)
            ]
            SearchIndexKey.objects.bulk_create(
                SearchIndexKey(
                    user=u, sealed_key=seal_data_key(pair.private, as_bytes(u.public_key))
                )
                for u in people
            )
            record(
                creator,
                "access_granted",
                target_type="search_index",
                details={"to": sorted(u.pk for u in people)},
            )
    return row


def drop_if_orphaned() -> bool:
    """Delete the index, with its entries, if nobody holds a copy of its key any more."""
    with transaction.atomic():
        if SearchIndexKey.objects.exists():
            return False
        SearchIndexEntry.objects.all().delete()
        SearchIndex.objects.all().delete()
    return True


def index_key(user: Any, private_key: bytes, public_key: bytes) -> bytes | None:
    """The index's private key through ``user``'s sealed copy, or None."""
    sealed = SearchIndexKey.objects.filter(user=user).values_list("sealed_key", flat=True).first()
    if sealed is None:
        return None
    try:
        key = open_data_key(as_bytes(sealed), as_bytes(user.public_key), private_key)
    except DecryptionError:
        return None
    # A copy sealed to someone by a database writer with a key pair of their own
    # would open, but to the wrong index: refuse it.
    if not hmac.compare_digest(derive_public_key(key), public_key):
        return None
    return key


def previous_key(row: SearchIndex, private_key: bytes) -> bytes | None:
    """The key before the last rotation (sealed to the current one), for late entries."""
    if not row.previous_key:
        return None
    try:
        return open_data_key(as_bytes(row.previous_key), as_bytes(row.public_key), private_key)
    except DecryptionError:
        return None


def grant(granter: User, granter_private_key: bytes, grantee: User) -> bool:
    """Seal the index key to ``grantee`` from the granter's own copy (search_index.grant_key)."""
    row = SearchIndex.objects.only("public_key").first()
    if row is None or not may_hold(grantee):
        return False
    key = index_key(granter, granter_private_key, as_bytes(row.public_key))
    # The index holds only cases the granter holds: the grantee must hold them all too.
    if key is None or not holds_all(grantee, granter):
        return False
    with transaction.atomic():
        SearchIndexKey.objects.update_or_create(
            user=grantee, defaults={"sealed_key": seal_data_key(key, as_bytes(grantee.public_key))}
        )
        record(granter, "access_granted", target_type="search_index", details={"to": [grantee.pk]})
    return True


def revoke(actor: User | None, person: User) -> bool:
    """Destroy ``person``'s copy unless they may hold one, and ask for a rotation."""
    if may_hold(person):
        return False
    with transaction.atomic():
        deleted, _ = SearchIndexKey.objects.filter(user=person).delete()
        if deleted:
            SearchIndex.objects.update(rotate=True)
            record(
                actor,
                "keys_destroyed",
                target_type="user",
                target_id=str(person.pk),
                details={"search_index": True},
            )
    return bool(deleted)


def rotate(old_private_key: bytes) -> tuple[KeyPair, list[int]]:
    """A new key pair for the index, sealed to every remaining holder, the old private
    key sealed to the new one (for entries sealed to the old one meanwhile).

    Runs inside the merge's transaction, with the index row locked; the caller
    writes the snapshot under the new key and audits the new holders (returned).
    """
    pair = generate_keypair()
    kept = []
    for copy in SearchIndexKey.objects.select_related("user"):
        if may_hold(copy.user):
            copy.sealed_key = seal_data_key(pair.private, as_bytes(copy.user.public_key))
            copy.save(update_fields=["sealed_key"])
            kept.append(copy.user_id)
        else:
            copy.delete()
    SearchIndex.objects.filter(pk=1).update(
        public_key=pair.public,
        previous_key=seal_data_key(old_private_key, pair.public),
        rotate=False,
    )
    return pair, sorted(kept)
