"""Write and check the audit log's hash chain.

Each event's ``hash`` is an HMAC-SHA256 over a canonical JSON form of the
event (its number, time, actor, action, target, details) and the previous
event's hash; the first event links to 64 zeros. The HMAC key is derived from
``settings.SECRET_KEY`` with a fixed purpose string, so someone who can write
to the database but does not hold the server's secret cannot change, remove
or insert an event and recompute a chain that still verifies. Someone who
holds both can: exporting the head (``verify_audit --head``) off the server
is what catches them (see docs/audit.md).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.db.models import Subquery
from django.utils import timezone
from django.utils.crypto import constant_time_compare, salted_hmac

from amparo.audit.models import ZERO_HASH, Action, AuditEvent, AuditHead

# Changing the purpose string (or the canonical form) invalidates every
# existing chain: bump the version only together with a migration path.
KEY_PURPOSE = "amparo.audit.chain.v1"
DETAILS_MAX_CHARS = 2000
# Defence in depth against a careless caller: keys that would carry exactly
# what the threat model says the log must never hold.
FORBIDDEN_DETAIL_KEYS = frozenset(
    {
        "ip",
        "ip_address",
        "remote_addr",
        "user_agent",
        "receipt",
        "password",
        "secret",
        "private_key",
        "plaintext",
        "narrative",
        "content",
        "body",
    }
)

DetailValue = str | int | bool | None
Details = Mapping[str, DetailValue | Sequence[DetailValue]]

# The kinds of damage verify() names.
CHANGED = "changed"
MISSING = "missing"
INSERTED = "inserted"
BROKEN_LINK = "broken link"
HEAD = "head mismatch"
REWRITTEN = "rewritten"


def record(
    actor: AbstractBaseUser | AnonymousUser | None,
    action: Action | str,
    *,
    target_type: str = "",
    target_id: str | int = "",
    details: Details | None = None,
) -> AuditEvent:
    """Append one event to the audit chain and return it.

    Call it inside the transaction that makes the change, and last in it, so
    the change and its event commit or roll back together; it takes the
    chain's lock, which is held until that transaction ends. Outside a
    transaction it opens its own.

    ``actor`` is the staff member acting, or None (or an anonymous user) for
    a reporter: then no identity is stored and the time is cut to the day
    (midnight UTC), because the threat model forbids exact reporter times.
    For ``login_failed``, pass the account that was tried if it exists; never
    the typed username, which may be a mistyped password.

    ``details`` is a small flat mapping of plain values (str, int, bool, None
    or lists of them), e.g. ``{"from": "received", "to": "acknowledged"}``.
    It must NEVER hold case content, a narrative or name, plaintext of any
    kind, a receipt, a key or secret, an IP address or a user agent: the log
    is readable by every coordinator and is stored in clear.
    """
    action = Action(action)
    target_id = str(target_id)
    if len(target_type) > 32 or len(target_id) > 100:
        raise ValueError("target_type is limited to 32 characters and target_id to 100")
    clean_details = _clean_details(details)
    anonymous = actor is None or not actor.is_authenticated

    with transaction.atomic(savepoint=False):
        head, _created = AuditHead.objects.select_for_update().get_or_create(pk=1)
        # Read the clock under the lock, so times follow the chain's order.
        now = timezone.now().astimezone(UTC)
        if anonymous:
            now = _utc_day(now)
        event = AuditEvent(
            seq=head.seq + 1,
            at=now,
            actor_id=None if anonymous else actor.pk,  # type: ignore[union-attr]
            actor_name="" if anonymous else actor.get_username(),  # type: ignore[union-attr]
            action=action.value,
            target_type=target_type,
            target_id=target_id,
            details=clean_details,
            prev_hash=head.hash,
        )
        event.hash = event_hash(event)
        event._appended_by_record = True  # type: ignore[attr-defined]
        event.save()
        head.seq, head.hash = event.seq, event.hash
        head.save(update_fields=["seq", "hash"])
    return event


def canonical(event: AuditEvent) -> str:
    """The exact text that an event's HMAC covers."""
    return json.dumps(
        {
            "seq": event.seq,
            "at": event.at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ"),
            "actor_id": event.actor_id,
            "actor_name": event.actor_name,
            "action": event.action,
            "target_type": event.target_type,
            "target_id": event.target_id,
            "details": event.details,
            "prev_hash": event.prev_hash,
        },
        sort_keys=True,
        separators=(",", ":"),
        ensure_ascii=True,
    )


def event_hash(event: AuditEvent, secret: str | bytes | None = None) -> str:
    """HMAC-SHA256 of the event under a key derived from ``secret`` (default SECRET_KEY)."""
    return salted_hmac(KEY_PURPOSE, canonical(event), secret=secret, algorithm="sha256").hexdigest()


@dataclass(frozen=True)
class Verdict:
    """What verify() found: the chain's length and head, or its first bad event."""

    count: int
    head_seq: int
    head_hash: str
    bad_seq: int | None = None
    problem: str = ""
    explanation: str = ""

    @property
    def ok(self) -> bool:
        return not self.problem


def verify(*, expect: tuple[int, str] | None = None, chunk_size: int = 2000) -> Verdict:
    """Walk the whole chain in order, in constant memory, and stop at the first bad event.

    ``expect`` is a head exported earlier by ``verify_audit --head``: the
    event with that number must still carry that hash, which catches a
    rewrite by someone who holds the server's secret as well as the database.
    """
    # A row signed under a retired key still verifies while that key is kept
    # in SECRET_KEY_FALLBACKS, so rotating the secret does not break history.
    secrets = [settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS]
    head_row = AuditHead.objects.filter(pk=1)
    # The head rides along on every row, read by the same statement as the
    # events, so both come from one snapshot: an append that commits while we
    # read can neither look like an insertion nor like a removal.
    events = (
        AuditEvent.objects.order_by("seq")
        .annotate(
            head_seq=Subquery(head_row.values("seq")),
            head_hash=Subquery(head_row.values("hash")),
        )
        .iterator(chunk_size=chunk_size)
    )
    expected, prev_hash = 1, ZERO_HASH
    head_seq: int | None = None
    head_hash = ZERO_HASH

    def bad(seq: int, problem: str, explanation: str) -> Verdict:
        return Verdict(expected - 1, head_seq or 0, head_hash, seq, problem, explanation)

    for event in events:
        if head_seq is None:
            if event.head_seq is None:  # type: ignore[attr-defined]
                return bad(event.seq, HEAD, "the chain's head record is missing")
            head_seq, head_hash = event.head_seq, event.head_hash  # type: ignore[attr-defined]
        if event.seq > expected:
            return bad(
                expected,
                MISSING,
                f"event {expected} is missing (removed): the chain jumps to {event.seq}",
            )
        if event.seq < expected:
            return bad(event.seq, INSERTED, "it is numbered out of sequence")
        if event.seq > head_seq:
            return bad(event.seq, INSERTED, f"it lies beyond the chain's head (event {head_seq})")
        if not any(constant_time_compare(event.hash, event_hash(event, s)) for s in secrets):
            return bad(
                event.seq,
                CHANGED,
                "its contents do not match its HMAC: it was altered, or forged without the key",
            )
        if event.prev_hash != prev_hash:
            return bad(
                event.seq, BROKEN_LINK, f"it does not link to the hash of event {event.seq - 1}"
            )
        if expect is not None and event.seq == expect[0] and event.hash != expect[1]:
            return bad(
                event.seq,
                REWRITTEN,
                "its hash differs from the head exported earlier: history was rewritten",
            )
        prev_hash = event.hash
        expected += 1

    last = expected - 1
    if head_seq is None:
        head = AuditHead.objects.filter(pk=1).first()
        head_seq, head_hash = (head.seq, head.hash) if head else (0, ZERO_HASH)
    if head_seq > last:
        return bad(
            last + 1,
            MISSING,
            f"event {last + 1} is missing (removed): the head is event {head_seq}",
        )
    if head_hash != prev_hash:
        return bad(last, HEAD, f"the head's hash does not match event {last}")
    if expect is not None and expect[0] > last:
        return bad(expect[0], MISSING, f"event {expect[0]}, exported earlier as the head, is gone")
    return Verdict(last, head_seq, head_hash)


def _clean_details(details: Details | None) -> dict[str, DetailValue | list[DetailValue]]:
    if details is None:
        return {}
    if not isinstance(details, Mapping):
        raise TypeError("details must be a mapping")
    clean: dict[str, DetailValue | list[DetailValue]] = {}
    for key, value in details.items():
        if not isinstance(key, str) or not key:
            raise ValueError("details keys must be non-empty strings")
        if key.lower() in FORBIDDEN_DETAIL_KEYS:
            raise ValueError(f"audit details must never carry {key!r}")
        if isinstance(value, list | tuple):
            clean[key] = [_plain(item) for item in value]
        else:
            clean[key] = _plain(value)
    if len(json.dumps(clean)) > DETAILS_MAX_CHARS:
        raise ValueError(f"audit details are limited to {DETAILS_MAX_CHARS} characters")
    return clean


def _plain(value: object) -> DetailValue:
    # No floats: they do not survive every database's JSON type unchanged,
    # and a hash over a value that comes back different would break the chain.
    if value is None or isinstance(value, str | int | bool):
        if isinstance(value, str) and "\x00" in value:
            raise ValueError("audit details cannot hold NUL characters")
        return value
    raise TypeError(f"audit details hold only str, int, bool or None, not {type(value).__name__}")


def _utc_day(moment: datetime) -> datetime:
    return moment.astimezone(UTC).replace(hour=0, minute=0, second=0, microsecond=0)
