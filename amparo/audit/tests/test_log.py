from __future__ import annotations

from datetime import UTC, datetime
from unittest import mock

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import transaction
from django.test import override_settings

from amparo.accounts.models import User
from amparo.audit import log
from amparo.audit.models import ZERO_HASH, Action, AuditEvent, AuditHead
from amparo.audit.tests.base import AuditTestCase

AFTERNOON = datetime(2026, 3, 4, 15, 16, 17, 123456, tzinfo=UTC)


def at(moment: datetime) -> mock._patch:  # type: ignore[type-arg]
    return mock.patch("amparo.audit.log.timezone.now", return_value=moment)


class RecordTests(AuditTestCase):
    def test_it_links_each_event_to_the_one_before(self) -> None:
        first = log.record(self.coordinator, Action.LOGIN)
        second = log.record(self.handler, Action.CASE_READ, target_type="case", target_id="c1")
        third = log.record(None, Action.REPORT_SUBMITTED, target_type="case", target_id="c2")

        self.assertEqual([first.seq, second.seq, third.seq], [1, 2, 3])
        self.assertEqual(first.prev_hash, ZERO_HASH)
        self.assertEqual(second.prev_hash, first.hash)
        self.assertEqual(third.prev_hash, second.hash)
        self.assertEqual(len({first.hash, second.hash, third.hash}), 3)
        head = AuditHead.objects.get()
        self.assertEqual((head.seq, head.hash), (3, third.hash))

    def test_it_stores_what_it_hashes(self) -> None:
        event = log.record(
            self.handler,
            "stage_changed",
            target_type="case",
            target_id=42,
            details={"from": "received", "to": "acknowledged", "urgent": True, "ids": (1, 2)},
        )
        stored = AuditEvent.objects.get(pk=event.pk)
        self.assertEqual(stored.action, Action.STAGE_CHANGED)
        self.assertEqual(stored.target_id, "42")
        self.assertEqual(stored.details["ids"], [1, 2])
        self.assertEqual(log.event_hash(stored), event.hash)

    def test_it_keys_the_hash_with_the_server_secret(self) -> None:
        event = log.record(self.coordinator, Action.EXPORT)
        self.assertNotEqual(log.event_hash(event, secret="another-server"), event.hash)
        with override_settings(SECRET_KEY="another-server" + "x" * 50):
            self.assertEqual(log.verify().problem, log.CHANGED)

    def test_it_accepts_events_signed_with_a_retired_secret(self) -> None:
        log.record(self.coordinator, Action.EXPORT)
        with self.settings(SECRET_KEY="new" + "y" * 50, SECRET_KEY_FALLBACKS=[settings.SECRET_KEY]):
            log.record(self.coordinator, Action.EXPORT)
            self.assertTrue(log.verify().ok)

    def test_it_keeps_the_exact_time_of_staff_events(self) -> None:
        with at(AFTERNOON):
            event = log.record(self.handler, Action.CASE_READ)
        self.assertEqual(AuditEvent.objects.get(pk=event.pk).at, AFTERNOON)

    def test_it_keeps_only_the_day_of_a_reporters_events(self) -> None:
        with at(AFTERNOON):
            by_none = log.record(None, Action.REPORT_SUBMITTED, target_type="case", target_id="c")
            by_anonymous = log.record(AnonymousUser(), Action.REPORTER_FOLLOWUP)
        midnight = datetime(2026, 3, 4, tzinfo=UTC)
        for event in (by_none, by_anonymous):
            stored = AuditEvent.objects.get(pk=event.pk)
            self.assertEqual(stored.at, midnight)
            self.assertIsNone(stored.actor_id)
            self.assertEqual(stored.actor_name, "")

    def test_it_keeps_history_when_the_actor_is_deleted(self) -> None:
        leaver = User.objects.create_user("leaver", password="x", is_handler=True)
        event = log.record(leaver, Action.CASE_READ)
        leaver_id = leaver.pk
        leaver.delete()
        stored = AuditEvent.objects.get(pk=event.pk)
        self.assertEqual((stored.actor_id, stored.actor_name), (leaver_id, "leaver"))
        self.assertTrue(log.verify().ok)

    def test_it_commits_and_rolls_back_with_the_callers_transaction(self) -> None:
        log.record(self.coordinator, Action.LOGIN)
        with self.assertRaises(RuntimeError), transaction.atomic():
            log.record(self.coordinator, Action.CASE_CHANGED)
            raise RuntimeError("the change failed")
        self.assertEqual(AuditEvent.objects.count(), 1)
        self.assertEqual(AuditHead.objects.get().seq, 1)
        self.assertEqual(log.record(self.coordinator, Action.CASE_CHANGED).seq, 2)
        self.assertTrue(log.verify().ok)

    def test_it_rejects_an_unknown_action(self) -> None:
        with self.assertRaises(ValueError):
            log.record(self.coordinator, "case_deleted_quietly")
        self.assertFalse(AuditEvent.objects.exists())

    def test_it_refuses_details_that_could_carry_what_the_log_must_never_hold(self) -> None:
        refused: list[dict[str, object]] = [
            {"ip": "203.0.113.9"},
            {"User_Agent": "Mozilla"},
            {"receipt": "ABCD-EFGH"},
            {"narrative": "..."},
            {"nested": {"a": 1}},
            {"ratio": 0.5},
            {"blob": b"bytes"},
            {"long": "x" * 3000},
            {"": "empty key"},
            {"nul": "a\x00b"},
        ]
        for details in refused:
            with self.subTest(details=details), self.assertRaises((ValueError, TypeError)):
                log.record(self.coordinator, Action.SEARCH, details=details)  # type: ignore[arg-type]
        self.assertFalse(AuditEvent.objects.exists())

    def test_it_refuses_targets_too_long_to_store(self) -> None:
        with self.assertRaises(ValueError):
            log.record(self.coordinator, Action.CASE_READ, target_id="x" * 101)

    def test_it_labels_every_action(self) -> None:
        self.assertGreaterEqual(len(Action.values), 25)
        for action in Action:
            self.assertNotEqual(str(action.label), action.value)
