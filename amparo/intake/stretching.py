"""A cap on concurrent receipt stretching, shared by every worker process.

Stretching a receipt costs one core and 19 MiB for about 25 ms on the
reference box (parameter set 2; set 1, still tried for older reports until
they are upgraded, costs 128 MiB and about a third of a second). Left
uncapped, a flood of follow-up attempts would take every core and every
worker, and real reports would wait behind it. So:

* at most ``AMPARO_STRETCH_SLOTS`` stretches run at once, across all
  gunicorn workers (lock files under DATA_DIR on one host; Redis when
  ``AMPARO_REDIS_URL`` is set, for several hosts);
* ``AMPARO_STRETCH_RESERVED`` of those slots are kept for new reports:
  follow-up attempts can never occupy them;
* a follow-up attempt waits briefly for a slot and is then told to try
  again, so attackers cannot park workers; a new report waits much longer
  and, if the wait ever runs out, stretches anyway: a report is never
  dropped because of the cap.
"""

from __future__ import annotations

import fcntl
import logging
import os
import random
import secrets
import time
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings

from amparo.cases.vault import (
    ReceiptKeys,
    lookup_for_receipt,
    receipt_keys,
    receipt_sets_in_use,
)

logger = logging.getLogger("amparo.intake")

SUBMISSION = "submission"
FOLLOW_UP = "follow_up"


class StretchBusy(Exception):
    """No slot came free in time (only ever raised for follow-up attempts)."""


def slot_counts() -> tuple[int, int]:
    """(slots, reserved for new reports) from the settings, 0 meaning automatic."""
    total = settings.AMPARO_STRETCH_SLOTS or max(2, len(os.sched_getaffinity(0)))
    reserved = settings.AMPARO_STRETCH_RESERVED or max(1, total // 2)
    return total, reserved


def slot_order(purpose: str, total: int, reserved: int) -> list[int]:
    """The slots ``purpose`` may take, in the order it tries them.

    Reports try the reserved slots first, leaving the shared ones to
    follow-ups; follow-ups never see the reserved ones. With a single slot
    nothing can be reserved, and both share it.
    """
    total = max(1, total)
    reserved = min(max(0, reserved), total - 1)
    if purpose == SUBMISSION:
        return list(range(total))
    return list(range(reserved, total))


class Gate(Protocol):
    def try_acquire(self, slot: int) -> Any | None: ...

    def release(self, slot: int, handle: Any) -> None: ...


class FileGate:
    """One lock file per slot, held with flock: released by the kernel even
    when a worker is killed mid-stretch."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def _path(self, slot: int) -> Path:
        return self.directory / f"slot-{slot}.lock"

    def try_acquire(self, slot: int) -> int | None:
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        fd = os.open(self._path(slot), os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return None
        return fd

    def release(self, slot: int, handle: Any) -> None:
        try:
            fcntl.flock(handle, fcntl.LOCK_UN)
        finally:
            os.close(handle)


# Delete the key only if it still holds our token: a slot whose lease ran
# out and was taken by someone else must not be freed by us.
_RELEASE = """
if redis.call('get', KEYS[1]) == ARGV[1] then return redis.call('del', KEYS[1]) end
return 0
"""


class RedisGate:
    """One key per slot, set with NX and a lease, so a crashed worker's slot
    frees itself after ``lease_ms``."""

    def __init__(self, client: Any, prefix: str = "amparo:stretch-slot", lease_ms: int = 30_000):
        self.client = client
        self.prefix = prefix
        self.lease_ms = lease_ms

    def try_acquire(self, slot: int) -> str | None:
        token = secrets.token_hex(16)
        if self.client.set(f"{self.prefix}:{slot}", token, nx=True, px=self.lease_ms):
            return token
        return None

    def release(self, slot: int, handle: Any) -> None:
        self.client.eval(_RELEASE, 1, f"{self.prefix}:{slot}", handle)


@cache
def _redis_gate(url: str) -> RedisGate:
    import redis

    return RedisGate(redis.Redis.from_url(url, socket_timeout=5))


def configured_gate() -> Gate:
    if settings.REDIS_URL:
        return _redis_gate(settings.REDIS_URL)
    return FileGate(Path(settings.DATA_DIR) / "stretch-slots")


@contextmanager
def stretch_slot(purpose: str, *, wait_seconds: float, gate: Gate | None = None) -> Iterator[bool]:
    """Hold a stretching slot for the block; yields True when one was taken.

    A follow-up raises StretchBusy after ``wait_seconds``; a submission
    yields False instead and goes ahead without a slot.
    """
    gate = gate or configured_gate()
    order = slot_order(purpose, *slot_counts())
    deadline = time.monotonic() + wait_seconds
    delay = 0.005
    while True:
        for slot in order:
            handle = gate.try_acquire(slot)
            if handle is not None:
                try:
                    yield True
                finally:
                    gate.release(slot, handle)
                return
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            break
        # Jittered backoff, so waiting workers do not poll in lockstep.
        time.sleep(min(remaining, delay * (0.5 + random.random())))  # noqa: S311
        delay = min(delay * 2, 0.1)
    if purpose != SUBMISSION:
        raise StretchBusy
    logger.warning("receipt stretching slots stayed busy; stretching a new report without one")
    yield False


def stretch_for_submission(receipt: str) -> tuple[str, bytes]:
    """(lookup id, wrapping key) of a new receipt; waits for a slot, never fails for lack of one."""
    with stretch_slot(SUBMISSION, wait_seconds=settings.AMPARO_STRETCH_SUBMISSION_WAIT):
        return lookup_for_receipt(receipt)


def stretch_for_follow_up(receipt: str) -> list[ReceiptKeys]:
    """A typed receipt stretched under every parameter set in use, the current one first,
    in one slot; StretchBusy when no shared slot is free in time, InvalidReceipt when it
    is malformed. Every set is tried whatever the receipt, so a wrong receipt costs the
    same as an old or a current one."""
    sets = receipt_sets_in_use()
    with stretch_slot(FOLLOW_UP, wait_seconds=settings.AMPARO_STRETCH_FOLLOW_UP_WAIT):
        return [receipt_keys(receipt, set_id) for set_id in sets]


class SubmissionStretch:
    """stretch_for_submission for one new receipt, run either at ``run()`` (while the
    sandbox's child scrubs the report's first file: Argon2id in this thread, the
    scrubbing in the child, on two cores at once) or at ``result()`` if not before.

    It runs in the request's own thread, as before: no thread is started, so glibc
    keeps the 19 MiB of each stretch in the arenas of the worker's own threads. An
    error is kept and raised by ``result()``, so that it never looks like the file's.
    """

    def __init__(self, receipt: str) -> None:
        self._receipt = receipt
        self._keys: tuple[str, bytes] | None = None
        self._error: Exception | None = None
        self.ran_while_scrubbing = False

    def run(self) -> None:
        if self._keys is None and self._error is None:
            self.ran_while_scrubbing = True
            try:
                self._keys = stretch_for_submission(self._receipt)
            except Exception as error:  # raised by result(), not inside the sandbox call
                self._error = error

    def result(self) -> tuple[str, bytes]:
        """(lookup id, wrapping key), stretching now if ``run()`` was not called."""
        if self._keys is None and self._error is None:
            self._keys = stretch_for_submission(self._receipt)
        if self._error is not None:
            raise self._error
        if self._keys is None:
            raise RuntimeError("receipt stretching gave no result")
        return self._keys
