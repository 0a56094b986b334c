"""The coordinators' search index: encrypted at rest, open only while a coordinator is signed in.

Design and threat analysis: docs/desk.md, "The coordinators' search index".

* At rest: one encrypted snapshot (``SearchIndex.snapshot``: per case, its
  normalised words, deduplicated) under a key derived from the index's X25519
  private key, which is stored only sealed to each coordinator
  (``SearchIndexKey``), like a case key. Changes not yet merged are
  ``SearchIndexEntry`` rows, each a sealed box to the index's public key:
  whoever writes one (intake, a handler, the retention job) cannot read it
  back, nor the index.
* In memory: a signed-in coordinator's private key (from their session) opens
  their copy of the index key; the worker decrypts the snapshot, replays the
  pending entries and keeps the result (the words and an inverted index,
  ``amparo.cases.search_words``) in this process, for one idle period
  at most (the session's), and drops it when the last coordinator who used it
  here signs out or when it grows past its size bound.
* Kept in step by the actions that change searchable text: each queues, after
  its transaction commits, an entry carrying the case's new words (with the
  case's version, so an older entry never overwrites a newer one), its coding
  labels, or its removal. A visible case the index lacks is decrypted with the
  searcher's own key and added, so the first search builds the index.
* Access: the index holds only cases sealed to every holder of its key
  (``amparo.cases.search_keys``), so no holder reads through it a case they
  could not open; other visible cases are searched per request. Hits are
  looked up only among ``visible_cases(user)``, the cases sealed to the
  searcher, and the shown ones are decrypted again with the searcher's key, so
  a result line never rests on the index alone.

Handlers, and coordinators without a copy of the index key, search per request
(``amparo.cases.search.search_cases``).
"""

from __future__ import annotations

import json
import logging
import threading
import time
from typing import Any

from django.conf import settings
from django.db import transaction

from amparo.accounts.models import User
from amparo.audit.log import record
from amparo.cases import search_keys
from amparo.cases.access import visible_cases
from amparo.cases.models import Case, SearchIndex, SearchIndexEntry, SearchIndexKey
from amparo.cases.search import (
    CODING,
    Outcome,
    case_texts,
    coding_text,
    decrypted_cases,
    hit,
    matches,
    query_terms,
    search_cases,
)
from amparo.cases.search_words import OpenIndex, apply_entry, candidates, drop, dump, load, words
from amparo.crypto import (
    DecryptionError,
    decrypt_field,
    derive_public_key,
    encrypt_field,
    open_sealed_bytes,
    seal_bytes,
    subkey,
)
from amparo.lib.binary import as_bytes

logger = logging.getLogger("amparo.cases")

SNAPSHOT_ID = "search-index"
SNAPSHOT_CONTEXT = "search-index-snapshot"
#: Pending entries replayed in memory before the snapshot is rewritten.
MERGE_AFTER = 200
_BATCH = 500


def idle_seconds() -> float:
    """How long an unused open index stays in memory: the session's idle age by default."""
    return float(getattr(settings, "SEARCH_INDEX_IDLE_SECONDS", settings.SESSION_COOKIE_AGE))


def max_chars() -> int:
    """The largest index (in bytes of words, UTF-8) a worker keeps open."""
    return int(getattr(settings, "SEARCH_INDEX_MAX_CHARS", 300_000_000))


# --- The open index ------------------------------------------------------------


_lock = threading.RLock()
_open: OpenIndex | None = None
_timer: threading.Timer | None = None


def is_open() -> bool:
    return _open is not None


def close() -> None:
    """Drop this process's open index (and with it the index key)."""
    global _open, _timer
    with _lock:
        _open = None
        if _timer is not None:
            _timer.cancel()
            _timer = None


def _expire() -> None:
    global _timer
    with _lock:
        _timer = None
        if _open is None:
            return
        left = _open.last_used + idle_seconds() - time.monotonic()
        if left <= 0:
            close()
        else:
            _schedule(left)


def _schedule(seconds: float) -> None:
    global _timer
    _timer = threading.Timer(seconds, _expire)
    _timer.daemon = True
    _timer.start()


def _touch(index: OpenIndex) -> None:
    index.last_used = time.monotonic()
    if _timer is None:
        _schedule(idle_seconds())


# --- Keys (amparo.cases.search_keys: who holds it, which cases it may hold) ------


def grant_key(granter: User, granter_private_key: bytes, grantee: User) -> bool:
    """Seal the index key to ``grantee`` (a coordinator) from the granter's own copy.

    Called with the sharing of every case (``do_share_all_cases``): the index
    holds only cases the granter holds, so it goes with them. False when there
    is no index yet, the grantee is not a coordinator or lacks one of the
    granter's cases, or the granter holds no copy.
    """
    return search_keys.grant(granter, granter_private_key, grantee)


def revoke_key(actor: User | None, person: User) -> bool:
    """Destroy ``person``'s copy of the index key unless they are an active coordinator;
    the key pair is rotated at the next merge."""
    if not search_keys.revoke(actor, person):
        return False
    with _lock:
        if _open is not None:
            _open.holders.discard(person.pk)
            _open.dirty = True  # merge, and so rotate, at the next search
    return True


# --- Snapshot and entries -------------------------------------------------------


def _snapshot_key(private_key: bytes) -> bytes:
    return subkey(private_key, SNAPSHOT_CONTEXT)


def _load(index: OpenIndex) -> None:
    snapshot, version = SearchIndex.objects.values_list("snapshot", "version").get(pk=1)
    upgrade = False
    if snapshot:
        plain = decrypt_field(
            _snapshot_key(index.private_key),
            as_bytes(snapshot),
            report_id=SNAPSHOT_ID,
            field=f"snapshot/{version}",
        )
        # A snapshot of the first format (words only) is rebuilt, and rewritten at
        # the end of this search, so other workers load the inverted index as is.
        upgrade = not load(index, plain)
    else:
        load(index, b"")
    index.version = version
    index.applied = set()
    index.dirty = upgrade


def _open_entry(index: OpenIndex, sealed: bytes) -> bytes:
    try:
        return open_sealed_bytes(sealed, index.public_key, index.private_key)
    except DecryptionError:
        if index.previous_key is None:
            raise
        # Sealed to the key before a rotation, by a writer that read it just before.
        previous_public = derive_public_key(index.previous_key)
        return open_sealed_bytes(sealed, previous_public, index.previous_key)


def _catch_up(index: OpenIndex) -> int:
    """Replay the pending entries this process has not applied; how many it applied."""
    pending = (
        SearchIndexEntry.objects.exclude(pk__in=list(index.applied))
        .order_by("pk")
        .values_list("pk", "sealed")
    )
    count = 0
    for pk, sealed in pending.iterator(chunk_size=_BATCH):
        try:
            entry = json.loads(_open_entry(index, as_bytes(sealed)))
            apply_entry(index, entry)
        except (DecryptionError, ValueError, KeyError, TypeError):
            # Anyone can seal to the public key: a malformed entry is dropped, not trusted.
            logger.warning("search index: a pending entry could not be read")
        index.applied.add(pk)
        count += 1
    return count


def _merge(index: OpenIndex, actor: Any = None) -> bool:
    """Rewrite the snapshot with what this process holds and delete the entries it merged.

    Cases not sealed to every holder of the index key (shredded, deleted, access
    withdrawn) leave the index here, and the key pair is rotated when a holder's
    copy was destroyed. False when another process merged first (the next use
    reloads its snapshot).
    """
    with transaction.atomic():
        row = (
            SearchIndex.objects.select_for_update()
            .only("version", "public_key", "rotate", "previous_key")
            .get(pk=1)
        )
        if row.version != index.version or as_bytes(row.public_key) != index.public_key:
            return False
        allowed = search_keys.covered(None, search_keys.holders())
        for pk in [pk for pk in index.cases if pk not in allowed]:
            drop(index, pk)
        rotated = None
        if row.rotate:
            pair, kept = search_keys.rotate(index.private_key)
            index.previous_key, index.private_key = index.private_key, pair.private
            index.public_key = pair.public
            rotated = kept
        elif row.previous_key:
            # A merge has come and gone since the rotation: whatever was sealed to the
            # old key in between has been read, and the old key goes.
            SearchIndex.objects.filter(pk=1).update(previous_key=None)
            index.previous_key = None
        version = row.version + 1
        snapshot = encrypt_field(
            _snapshot_key(index.private_key),
            dump(index),
            report_id=SNAPSHOT_ID,
            field=f"snapshot/{version}",
        )
        SearchIndex.objects.filter(pk=1).update(snapshot=snapshot, version=version)
        merged = sorted(index.applied)
        for start in range(0, len(merged), _BATCH):
            SearchIndexEntry.objects.filter(pk__in=merged[start : start + _BATCH]).delete()
        if rotated is not None:
            record(
                actor,
                "access_granted",
                target_type="search_index",
                details={"to": rotated, "rotated": True},
            )
    index.version = version
    index.applied = set()
    index.dirty = False
    return True


def _index_public_key() -> bytes | None:
    """The index's public key; None while there is no index (the first search builds it
    from the cases themselves, so a change made before then needs no entry)."""
    public_key = SearchIndex.objects.values_list("public_key", flat=True).first()
    return None if public_key is None else as_bytes(public_key)


def _append(payload: dict[str, Any], public_key: bytes | None = None) -> None:
    public_key = public_key or _index_public_key()
    if public_key is None:
        return
    if "x" not in payload and not search_keys.covered([payload["c"]], search_keys.holders()):
        return  # not sealed to every holder: its words stay out (search_keys)
    plain = json.dumps(payload, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    SearchIndexEntry.objects.create(sealed=seal_bytes(plain, public_key))


def _safely(write: Any) -> None:
    # After the change committed: a failure must not undo it or show an error page.
    # The index then lacks this change until the case changes again (new cases are
    # caught up at the next search); say so without any content.
    try:
        write()
    except Exception as error:
        logger.warning("search index entry not written (%s)", type(error).__name__)


# --- Hooks for the actions that change searchable text --------------------------


def note_case_text(opened: Any) -> None:
    """After the transaction commits, queue the case's current texts (``opened``: an OpenCase)."""
    case, data_key = opened.case, opened.data_key

    def write() -> None:
        # The key first: without an index there is nothing to read or decrypt (a new
        # report, for instance, skips four queries and the decryption of its texts).
        public_key = _index_public_key()
        if public_key is None:
            return
        row = Case.objects.filter(pk=case.pk).only("public_id", "reference", "answers", "version")
        current = row.first()
        if current is None:
            return
        texts = [text for _kind, text in case_texts(current, data_key)]
        _append({"c": current.pk, "v": current.version, "t": words(texts)}, public_key)

    transaction.on_commit(lambda: _safely(write))


def note_coding(case: Case) -> None:
    """After the transaction commits, queue the case's coding labels (no key needed)."""
    pk = case.pk

    def write() -> None:
        version, text = coding_text(pk)
        _append({"c": pk, "w": version, "k": words([text])})

    transaction.on_commit(lambda: _safely(write))


def note_removed(case_pk: int) -> None:
    """After the transaction commits, queue the removal of a shredded case's words."""
    transaction.on_commit(lambda: _safely(lambda: _append({"c": case_pk, "x": 1})))


def note_access_withdrawn(case_pk: int, person: Any) -> None:
    """After the transaction commits, take the case out of the index if ``person``, who
    no longer holds its key, holds the index's: it is no longer sealed to every holder."""
    if SearchIndexKey.objects.filter(user=person).exists():
        note_removed(case_pk)


# --- Opening, sign-in, sign-out ---------------------------------------------------


def _opened(user: Any, private_key: bytes, *, create: bool = True) -> OpenIndex | None:
    """This process's index, caught up, for a signed-in coordinator; None when they
    hold no copy of its key (or it outgrew its bound): the caller searches per request."""
    global _open
    if not search_keys.may_hold(user):
        return None
    row = SearchIndex.objects.only("public_key", "version", "rotate", "previous_key").first()
    if row is None:
        if not create:
            return None
        row = search_keys.create(user)
    public_key = as_bytes(row.public_key)
    key = search_keys.index_key(user, private_key, public_key)
    if key is None:
        if not (create and search_keys.drop_if_orphaned()):
            return None
        # Every holder was removed: a new index, built again from the cases.
        search_keys.create(user)
        return _opened(user, private_key, create=False)
    with _lock:
        index = _open
        if index is None or index.public_key != public_key:
            index = OpenIndex(
                public_key=public_key,
                private_key=key,
                previous_key=search_keys.previous_key(row, key),
            )
        try:
            if index.version != row.version:
                _load(index)
            index.dirty = index.dirty or row.rotate
            if _catch_up(index) and len(index.applied) >= MERGE_AFTER:
                _merge(index, user)
        except DecryptionError:
            logger.warning("search index: the snapshot could not be decrypted")
            close()
            return None
        if index.chars > max_chars():
            logger.warning("search index: over its size bound, searching per request")
            close()
            return None
        index.holders.add(user.pk)
        _open = index
        _touch(index)
        return index


def on_sign_in(user: Any, private_key: bytes) -> None:
    """At a coordinator's sign-in: merge what arrived while nobody was signed in."""
    if not search_keys.may_hold(user):
        return
    if not (SearchIndexEntry.objects.exists() or SearchIndex.objects.filter(rotate=True).exists()):
        return
    try:
        index = _opened(user, private_key, create=False)
        if index is not None:
            with _lock:
                _merge(index, user)
    except Exception as error:
        logger.warning("search index: catch-up at sign-in failed (%s)", type(error).__name__)


def on_sign_out(user: Any) -> None:
    """Drop this process's index when the last coordinator who used it here signs out."""
    with _lock:
        if _open is None:
            return
        _open.holders.discard(user.pk)
        if not _open.holders:
            close()


# --- The search -------------------------------------------------------------------


def build_seconds() -> float:
    """How long one search may spend adding missing cases (the first one builds the index)."""
    return float(getattr(settings, "SEARCH_INDEX_BUILD_SECONDS", 20))


def _index_missing(index: OpenIndex, user: Any, private_key: bytes, ids: list[int]) -> int:
    """Decrypt the visible cases the index lacks, with the searcher's key, and add them,
    for at most ``build_seconds()``; returns how many are left for the next search."""
    deadline = time.monotonic() + build_seconds()
    done = 0
    for opened in decrypted_cases(user, private_key, ids):
        texts = opened.sources or []  # an unreadable case is kept with no words
        entry = {
            "c": opened.case["pk"],
            "v": opened.case["version"],
            "t": words(text for kind, text in texts if kind != CODING),
            "w": opened.coding_version,
            "k": words(text for kind, text in texts if kind == CODING),
        }
        with _lock:
            apply_entry(index, entry)
        index.dirty = True
        done += 1
        if time.monotonic() > deadline:
            break
    return max(0, len(ids) - done)


def _outside(user: Any, private_key: bytes, ids: list[int], terms: list[str]) -> set[int]:
    """Which of ``ids`` (cases outside the index) match, decrypted per request."""
    return {
        opened.case["pk"]
        for opened in decrypted_cases(user, private_key, ids)
        if opened.sources is not None and matches(opened.sources, terms)
    }


def search(user: Any, private_key: bytes, query: str, *, max_hits: int = 100) -> Outcome:
    """Coordinator search through the index; per request for anyone else (same Outcome).

    Looks only among ``visible_cases(user)``, newest activity first, and decrypts
    the cases it shows, with the searcher's own key, to check them and quote them.
    """
    terms = query_terms(query)
    if not terms:
        return Outcome()
    index = _opened(user, private_key)
    if index is None:
        return search_cases(user, private_key, query, max_hits=max_hits)
    started = time.perf_counter()
    ids = list(
        visible_cases(user).order_by("-last_activity_on", "-pk").values_list("pk", flat=True)
    )
    with _lock:
        found, missing = candidates(index, ids, terms)
    left = 0
    if missing:
        allowed = search_keys.covered(missing, search_keys.holders())
        # The first search builds the index: at 100,000 cases that takes longer than
        # a request should, so it goes on over the next searches, and the page says so.
        addable = [pk for pk in missing if pk in allowed]
        left = _index_missing(index, user, private_key, addable) if addable else 0
        with _lock:
            found, _missing = candidates(index, ids, terms)
        # Cases sealed to the searcher but not to every holder never enter the index:
        # they are searched per request, like a handler's.
        extra = _outside(user, private_key, [pk for pk in missing if pk not in allowed], terms)
        if extra:
            chosen = extra.union(found)
            found = [pk for pk in ids if pk in chosen]
    outcome = Outcome(searched=len(ids) - left, found=len(found), unindexed=left)
    at = 0
    while len(outcome.hits) < max_hits and at < len(found):
        batch = found[at : at + max_hits - len(outcome.hits)]
        at += len(batch)
        for opened in decrypted_cases(user, private_key, batch):
            if opened.sources is None:
                outcome.unreadable += 1
                outcome.found -= 1
            elif matches(opened.sources, terms):
                outcome.hits.append(hit(opened.case, opened.sources, terms))
            else:  # the index was behind: the shown results never are
                outcome.found -= 1
    if index.dirty or len(index.applied) >= MERGE_AFTER:
        with _lock:
            _merge(index, user)
    outcome.seconds = time.perf_counter() - started
    return outcome
