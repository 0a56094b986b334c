from __future__ import annotations

import io

from django.core.management import CommandError, call_command

from amparo.audit import log
from amparo.audit.models import Action, AuditEvent, AuditHead
from amparo.audit.tests.base import AuditTestCase


class VerifyAuditTests(AuditTestCase):
    def verify_audit(self, *args: str) -> str:
        out = io.StringIO()
        call_command("verify_audit", *args, stdout=out)
        return out.getvalue()

    def assertBroken(self, seq: int, problem: str, *args: str) -> None:
        with self.assertRaises(CommandError) as caught:
            self.verify_audit(*args)
        self.assertIn(f"BROKEN at event {seq} ({problem})", str(caught.exception))

    def record_three(self) -> list[AuditEvent]:
        return [
            log.record(self.coordinator, Action.LOGIN),
            log.record(self.handler, Action.CASE_READ, target_type="case", target_id="c1"),
            log.record(None, Action.REPORTER_FOLLOWUP, target_type="case", target_id="c1"),
        ]

    def forge(self, seq: int, prev_hash: str, digest: str = "f" * 64) -> None:
        self.tamper(
            "INSERT INTO audit_auditevent"
            " (seq, at, actor_id, actor_name, action, target_type, target_id, details,"
            " prev_hash, hash)"
            " VALUES (%s, %s, NULL, '', 'export', '', '', %s, %s, %s)",
            [seq, "2026-01-01 00:00:00", "{}", prev_hash, digest],
        )

    def test_it_passes_an_empty_chain(self) -> None:
        self.assertEqual(self.verify_audit(), "audit chain OK: 0 events\n")

    def test_it_passes_an_intact_chain(self) -> None:
        self.record_three()
        self.assertEqual(self.verify_audit(), "audit chain OK: 3 events\n")

    def test_it_streams_the_chain_in_chunks(self) -> None:
        for _ in range(7):
            log.record(self.handler, Action.SEARCH)
        self.assertIn("OK: 7 events", self.verify_audit("--chunk-size", "2"))

    def test_it_names_a_changed_event(self) -> None:
        self.record_three()
        self.tamper("UPDATE audit_auditevent SET actor_name = 'someone-else' WHERE seq = 2")
        self.assertBroken(2, "changed")

    def test_it_names_a_changed_event_whose_hash_was_recomputed_without_the_key(self) -> None:
        events = self.record_three()
        event = events[1]
        event.details = {"quietly": "edited"}
        digest = log.event_hash(event, secret="a guess at the server's secret")
        self.tamper(
            "UPDATE audit_auditevent SET details = %s, hash = %s WHERE seq = 2",
            ['{"quietly": "edited"}', digest],
        )
        self.assertBroken(2, "changed")

    def test_it_names_an_event_removed_from_the_middle(self) -> None:
        self.record_three()
        self.tamper("DELETE FROM audit_auditevent WHERE seq = 2")
        self.assertBroken(2, "missing")

    def test_it_names_an_event_removed_from_the_end(self) -> None:
        self.record_three()
        self.tamper("DELETE FROM audit_auditevent WHERE seq = 3")
        self.assertBroken(3, "missing")

    def test_it_names_an_event_inserted_after_the_head(self) -> None:
        events = self.record_three()
        self.forge(4, events[-1].hash)
        self.assertBroken(4, "inserted")

    def test_it_names_a_forged_event_even_when_the_head_was_moved_to_it(self) -> None:
        events = self.record_three()
        self.forge(4, events[-1].hash)
        AuditHead.objects.update(seq=4, hash="f" * 64)
        self.assertBroken(4, "changed")

    def test_it_names_a_broken_link(self) -> None:
        # Only someone holding the key can make a row whose own HMAC is valid
        # but which points at the wrong predecessor; the verifier still says so.
        events = self.record_three()
        event = events[2]
        event.prev_hash = "a" * 64
        self.tamper(
            "UPDATE audit_auditevent SET prev_hash = %s, hash = %s WHERE seq = 3",
            [event.prev_hash, log.event_hash(event)],
        )
        self.assertBroken(3, "broken link")

    def test_it_checks_the_head(self) -> None:
        self.record_three()
        AuditHead.objects.update(hash="b" * 64)
        self.assertBroken(3, "head mismatch")

    def test_it_notices_a_missing_head(self) -> None:
        self.record_three()
        AuditHead.objects.all().delete()
        self.assertBroken(1, "head mismatch")

    def test_it_prints_the_head_for_safekeeping(self) -> None:
        events = self.record_three()
        output = self.verify_audit("--head")
        self.assertEqual(output, f"audit chain OK: 3 events\naudit head: 3:{events[-1].hash}\n")

    def test_it_checks_a_head_exported_earlier(self) -> None:
        events = self.record_three()
        exported = f"2:{events[1].hash}"
        log.record(self.coordinator, Action.LOGOUT)
        self.assertIn("OK: 4 events", self.verify_audit("--expect", exported))
        self.assertBroken(2, "rewritten", "--expect", f"2:{'c' * 64}")
        self.assertBroken(9, "missing", "--expect", f"9:{events[1].hash}")

    def test_it_rejects_a_malformed_exported_head(self) -> None:
        with self.assertRaises(CommandError):
            self.verify_audit("--expect", "two:abc")
