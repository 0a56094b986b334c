"""The Redis paths, against the machine's Redis: cache, throttles, the stretching cap.

Production with several workers (or hosts) shares attempt counters and the
stretching slots through Redis; the rest of the suite runs on local memory and
file locks. These tests skip without a Redis and fail instead under
AMPARO_REQUIRE_REDIS=1 (see amparo/tests/redis.py).
"""

from __future__ import annotations

import os
import subprocess
import sys
import threading
import time
from unittest import mock

import pytest
from django.conf import settings
from django.core.cache import cache
from django.test import RequestFactory, TestCase, override_settings

from amparo.core.throttle import Throttle
from amparo.crypto import generate_receipt
from amparo.intake import limits
from amparo.intake.stretching import (
    FOLLOW_UP,
    SUBMISSION,
    RedisGate,
    StretchBusy,
    configured_gate,
    stretch_for_follow_up,
    stretch_slot,
)
from amparo.tests.redis import (
    delete_prefixed,
    reachable_redis,
    redis_caches,
    redis_url,
    unique_prefix,
)

ADDRESS = "203.0.113.77"


class RedisTestCase(TestCase):
    # A TestCase: stretching reads its parameter sets from the database.

    def setUp(self) -> None:
        self.redis = reachable_redis()
        self.prefix = unique_prefix()
        self.addCleanup(delete_prefixed, self.redis, self.prefix)
        override = override_settings(CACHES=redis_caches(self.prefix))
        override.enable()
        self.addCleanup(override.disable)

    def stored_keys(self) -> list[bytes]:
        return list(self.redis.scan_iter(match=f"{self.prefix}:*"))


class CacheTests(RedisTestCase):
    def test_the_cache_lives_in_redis(self) -> None:
        cache.set("probe", 41, 30)
        cache.incr("probe")
        self.assertEqual(cache.get("probe"), 42)
        self.assertEqual(len(self.stored_keys()), 1)

    def test_settings_choose_redis_when_a_url_is_given(self) -> None:
        program = (
            "import django; from django.conf import settings; django.setup(); "
            "print(settings.CACHES['default']['BACKEND'], settings.CACHES['default']['LOCATION'])"
        )
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "amparo.settings",
            "AMPARO_REDIS_URL": redis_url(),
        }
        env.pop("AMPARO_REDIS_URL_FILE", None)
        output = subprocess.run(
            [sys.executable, "-c", program], env=env, capture_output=True, text=True, check=True
        ).stdout.split()
        self.assertEqual(output, ["django.core.cache.backends.redis.RedisCache", redis_url()])


class ThrottleTests(RedisTestCase):
    def test_it_counts_to_the_limit_and_resets(self) -> None:
        throttle = Throttle("redis-test", limit=3, window_seconds=60)
        for _ in range(3):
            self.assertFalse(throttle.exceeded("someone"))
            throttle.hit("someone")
        self.assertTrue(throttle.exceeded("someone"))
        self.assertFalse(throttle.exceeded("someone else"))
        throttle.reset("someone")
        self.assertFalse(throttle.exceeded("someone"))

    def test_counters_expire_with_their_window(self) -> None:
        Throttle("redis-test", limit=3, window_seconds=60).hit(ADDRESS)
        (key,) = self.stored_keys()
        self.assertTrue(0 < self.redis.ttl(key) <= 60)

    def test_workers_counting_at_once_lose_no_attempt(self) -> None:
        # Each thread has its own cache connection, as each worker process would.
        throttle = Throttle("redis-test", limit=1000, window_seconds=60)
        start = threading.Barrier(8)

        def worker() -> None:
            start.wait()
            for _ in range(25):
                throttle.hit("everyone")

        threads = [threading.Thread(target=worker) for _ in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        (key,) = self.stored_keys()
        self.assertEqual(int(self.redis.get(key)), 200)

    @override_settings(AMPARO_RECEIPT_ATTEMPTS_PER_CLIENT=3, AMPARO_RECEIPT_ATTEMPTS_PER_MINUTE=0)
    def test_the_follow_up_limit_holds_and_keeps_no_address(self) -> None:
        request = RequestFactory().post("/en/follow-up/", REMOTE_ADDR=ADDRESS)
        for _ in range(3):
            self.assertFalse(limits.blocked(request, "receipt"))
            limits.count(request, "receipt")
        self.assertTrue(limits.blocked(request, "receipt"))
        other = RequestFactory().post("/en/follow-up/", REMOTE_ADDR="198.51.100.4")
        self.assertFalse(limits.blocked(other, "receipt"))
        for key in self.stored_keys():
            self.assertNotIn(ADDRESS.encode(), key)
            self.assertNotIn(ADDRESS.encode(), self.redis.get(key))


@override_settings(AMPARO_STRETCH_SLOTS=2, AMPARO_STRETCH_RESERVED=1)
class StretchingCapTests(RedisTestCase):
    def gate(self, lease_ms: int = 30_000) -> RedisGate:
        return RedisGate(self.redis, prefix=f"{self.prefix}:slot", lease_ms=lease_ms)

    def test_a_configured_url_gives_a_redis_gate_on_that_database(self) -> None:
        with override_settings(REDIS_URL=redis_url()):
            gate = configured_gate()
        self.assertIsInstance(gate, RedisGate)
        expected = self.redis.connection_pool.connection_kwargs
        actual = gate.client.connection_pool.connection_kwargs  # type: ignore[attr-defined]
        self.assertEqual(
            (actual["host"], actual["port"], actual["db"]),
            (expected["host"], expected["port"], expected["db"]),
        )

    def test_the_follow_up_waits_for_a_shared_slot_and_then_gives_up(self) -> None:
        mine, another_worker = self.gate(), self.gate()
        held = another_worker.try_acquire(1)
        self.assertIsNotNone(held)
        with pytest.raises(StretchBusy), stretch_slot(FOLLOW_UP, wait_seconds=0.1, gate=mine):
            pass
        # A new report has a slot kept for it, so a flood of codes cannot block it.
        with stretch_slot(SUBMISSION, wait_seconds=0, gate=mine) as got:
            self.assertTrue(got)
        another_worker.release(1, held)
        with stretch_slot(FOLLOW_UP, wait_seconds=0, gate=mine) as got:
            self.assertTrue(got)
        self.assertEqual(self.stored_keys(), [])

    def test_a_crashed_workers_slot_frees_itself(self) -> None:
        crashed = self.gate(lease_ms=300)
        self.assertIsNotNone(crashed.try_acquire(1))
        time.sleep(0.4)
        with stretch_slot(FOLLOW_UP, wait_seconds=0, gate=self.gate()) as got:
            self.assertTrue(got)

    def test_a_stretch_runs_through_the_redis_gate(self) -> None:
        gate = self.gate()
        taken = []
        original = gate.try_acquire

        def spy(slot: int) -> str | None:
            taken.append(slot)
            return original(slot)

        gate.try_acquire = spy  # type: ignore[method-assign]
        with mock.patch("amparo.intake.stretching.configured_gate", return_value=gate):
            keys = stretch_for_follow_up(generate_receipt())
        self.assertTrue(keys)
        self.assertEqual(taken, [1])
        self.assertEqual(self.stored_keys(), [])


def test_settings_are_not_left_pointing_at_redis() -> None:
    assert "locmem" in settings.CACHES["default"]["BACKEND"]
