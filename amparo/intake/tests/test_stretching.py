"""The cap on concurrent receipt stretching, across processes."""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from django.test import SimpleTestCase, override_settings

from amparo.intake.stretching import (
    FOLLOW_UP,
    SUBMISSION,
    FileGate,
    RedisGate,
    StretchBusy,
    slot_order,
    stretch_slot,
)
from amparo.tests.redis import required as redis_required

HOLD_SLOT = """
import fcntl, os, sys, time
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT, 0o600)
fcntl.flock(fd, fcntl.LOCK_EX)
print("held", flush=True)
time.sleep(float(sys.argv[2]))
"""


class SlotOrderTests(SimpleTestCase):
    def test_it_keeps_reserved_slots_from_follow_ups(self) -> None:
        self.assertEqual(slot_order(SUBMISSION, 4, 2), [0, 1, 2, 3])
        self.assertEqual(slot_order(FOLLOW_UP, 4, 2), [2, 3])

    def test_it_always_leaves_follow_ups_a_slot(self) -> None:
        self.assertEqual(slot_order(FOLLOW_UP, 2, 5), [1])
        self.assertEqual(slot_order(FOLLOW_UP, 1, 1), [0])


@override_settings(AMPARO_STRETCH_SLOTS=2, AMPARO_STRETCH_RESERVED=1)
class FileGateTests(SimpleTestCase):
    def setUp(self) -> None:
        self.directory = Path(tempfile.mkdtemp())
        self.addCleanup(shutil.rmtree, self.directory, True)
        self.gate = FileGate(self.directory)

    def hold_in_another_process(self, slot: int, seconds: float = 5) -> subprocess.Popen[str]:
        self.directory.mkdir(exist_ok=True)
        process = subprocess.Popen(
            [
                sys.executable,
                "-c",
                HOLD_SLOT,
                str(self.directory / f"slot-{slot}.lock"),
                str(seconds),
            ],
            stdout=subprocess.PIPE,
            text=True,
        )
        self.addCleanup(process.wait)
        self.addCleanup(process.kill)
        assert process.stdout is not None
        self.assertEqual(process.stdout.readline().strip(), "held")
        return process

    def test_it_turns_follow_ups_away_when_the_shared_slots_are_busy(self) -> None:
        self.hold_in_another_process(1)
        started = time.monotonic()
        with pytest.raises(StretchBusy), stretch_slot(FOLLOW_UP, wait_seconds=0.2, gate=self.gate):
            pass
        self.assertLess(time.monotonic() - started, 2)
        # A new report still gets the reserved slot at once.
        with stretch_slot(SUBMISSION, wait_seconds=0, gate=self.gate) as held:
            self.assertTrue(held)

    def test_it_makes_a_report_wait_for_a_slot_then_go_ahead(self) -> None:
        holder = self.hold_in_another_process(0, seconds=0.5)
        self.hold_in_another_process(1, seconds=30)
        started = time.monotonic()
        with stretch_slot(SUBMISSION, wait_seconds=10, gate=self.gate) as held:
            self.assertTrue(held)
        self.assertGreaterEqual(time.monotonic() - started, 0.2)
        holder.wait()

    def test_it_never_drops_a_report_when_every_slot_stays_busy(self) -> None:
        self.hold_in_another_process(0)
        self.hold_in_another_process(1)
        with (
            self.assertLogs("amparo.intake", level="WARNING"),
            stretch_slot(SUBMISSION, wait_seconds=0.1, gate=self.gate) as held,
        ):
            self.assertFalse(held)

    def test_it_frees_the_slot_of_a_killed_worker(self) -> None:
        holder = self.hold_in_another_process(1, seconds=60)
        holder.kill()
        holder.wait()
        with stretch_slot(FOLLOW_UP, wait_seconds=1, gate=self.gate) as held:
            self.assertTrue(held)

    def test_it_frees_the_slot_when_the_work_fails(self) -> None:
        with pytest.raises(RuntimeError), stretch_slot(FOLLOW_UP, wait_seconds=0, gate=self.gate):
            raise RuntimeError("boom")
        with stretch_slot(FOLLOW_UP, wait_seconds=0, gate=self.gate) as held:
            self.assertTrue(held)


# Under AMPARO_REQUIRE_REDIS=1 (CI) a missing redis-server fails instead of skipping.
@pytest.mark.skipif(
    not shutil.which("redis-server") and not redis_required(), reason="needs redis-server"
)
@override_settings(AMPARO_STRETCH_SLOTS=2, AMPARO_STRETCH_RESERVED=1)
class RedisGateTests(SimpleTestCase):
    """Against a private redis-server on a Unix socket: no network."""

    def setUp(self) -> None:
        import redis

        directory = Path(tempfile.mkdtemp())
        self.addCleanup(shutil.rmtree, directory, True)
        socket = directory / "redis.sock"
        server = subprocess.Popen(
            [
                "redis-server",
                "--port",
                "0",
                "--unixsocket",
                str(socket),
                "--save",
                "",
                "--appendonly",
                "no",
            ],
            stdout=subprocess.DEVNULL,
        )
        self.addCleanup(server.wait)
        self.addCleanup(server.terminate)
        for _ in range(100):
            if socket.exists():
                break
            time.sleep(0.05)
        connection = redis.Redis(unix_socket_path=str(socket))
        connection.ping()
        self.gate = RedisGate(connection, lease_ms=500)
        self.other = RedisGate(connection, lease_ms=500)

    def test_it_shares_the_slots_between_gates(self) -> None:
        handle = self.other.try_acquire(1)
        self.assertIsNotNone(handle)
        with pytest.raises(StretchBusy), stretch_slot(FOLLOW_UP, wait_seconds=0.1, gate=self.gate):
            pass
        with stretch_slot(SUBMISSION, wait_seconds=0, gate=self.gate) as held:
            self.assertTrue(held)
        self.other.release(1, handle)
        with stretch_slot(FOLLOW_UP, wait_seconds=0, gate=self.gate) as held:
            self.assertTrue(held)

    def test_it_frees_a_slot_whose_lease_ran_out_and_never_frees_another(self) -> None:
        stale = self.other.try_acquire(1)
        time.sleep(0.6)
        fresh = self.gate.try_acquire(1)
        self.assertIsNotNone(fresh)
        self.other.release(1, stale)  # the late release must not free the new holder
        self.assertIsNone(self.gate.try_acquire(1))
