"""Every stored column of an audit event is covered by the chain.

An attacker who owns the database (the append-only triggers dropped, as
``tamper`` does) but not the server's secret changes one column of one event:
``verify_audit`` must name that very event as changed. If a column ever drops
out of what the HMAC covers (``log.canonical``), its row here fails.
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from datetime import timedelta

from django.core.management import CommandError, call_command
from django.db import connection

from amparo.audit import log
from amparo.audit.models import Action, AuditEvent
from amparo.audit.tests.base import AuditTestCase

TABLE = AuditEvent._meta.db_table
# Every column the table has: a new column needs a row below (and a place in
# log.canonical), or this list fails the suite.
COLUMNS = {
    "id",
    "seq",
    "at",
    "actor_id",
    "actor_name",
    "action",
    "target_type",
    "target_id",
    "details",
    "prev_hash",
    "hash",
}


class ChainCoverageTests(AuditTestCase):
    def setUp(self) -> None:
        self.events = [
            log.record(self.coordinator, Action.LOGIN),
            log.record(
                self.handler,
                Action.CASE_READ,
                target_type="case",
                target_id="c1",
                details={"found": 1, "terms": ["a", "b"]},
            ),
            log.record(self.coordinator, Action.LOGOUT),
        ]
        self.second = self.events[1]

    def verdict(self) -> str:
        out = io.StringIO()
        try:
            call_command("verify_audit", stdout=out)
        except CommandError as error:
            return str(error)
        return out.getvalue()

    def assertNamedChanged(self, seq: int) -> None:
        self.assertIn(f"BROKEN at event {seq} (changed)", self.verdict())

    def update(self, column: str, value: object, seq: int = 2) -> None:
        self.tamper(
            # The column comes from the fixed list above, never from input.
            f"UPDATE audit_auditevent SET {connection.ops.quote_name(column)} = %s"  # noqa: S608
            " WHERE seq = %s",
            [value, seq],
        )

    def test_the_table_has_no_column_this_file_does_not_know(self) -> None:
        with connection.cursor() as cursor:
            description = connection.introspection.get_table_description(cursor, TABLE)
        self.assertEqual({column.name for column in description}, COLUMNS)

    def test_each_column_altered_alone_names_the_event_as_changed(self) -> None:
        at = self.second.at + timedelta(microseconds=1)
        alterations: dict[str, Callable[[], None]] = {
            "at": lambda: self.update("at", connection.ops.adapt_datetimefield_value(at)),
            "action": lambda: self.update("action", Action.EXPORT.value),
            "actor_id": lambda: self.update("actor_id", self.analyst.pk),
            "actor_name": lambda: self.update("actor_name", self.analyst.username),
            "target_type": lambda: self.update("target_type", "user"),
            "target_id": lambda: self.update("target_id", "c2"),
            "details": lambda: self.update("details", '{"found": 2, "terms": ["a", "b"]}'),
            "prev_hash": lambda: self.update("prev_hash", "a" * 64),
            "hash": lambda: self.update("hash", "b" * 64),
            # Swapping two events' numbers: at number 2 now sits an event whose
            # HMAC says 3. (Were seq not covered, this would read as a broken link.)
            "seq": self.swap_second_and_third,
        }
        self.assertEqual(set(alterations), COLUMNS - {"id"})
        for column, alter in alterations.items():
            with self.subTest(column=column):
                sid = connection.savepoint()
                try:
                    self.assertIn("OK: 3 events", self.verdict())
                    alter()
                    self.assertNamedChanged(2)
                finally:
                    connection.savepoint_rollback(sid)

    def swap_second_and_third(self) -> None:
        self.update("seq", 99, seq=2)
        self.update("seq", 2, seq=3)
        self.update("seq", 3, seq=99)

    def test_a_change_is_found_even_with_a_hash_made_under_a_guessed_secret(self) -> None:
        event = AuditEvent.objects.get(seq=2)
        event.target_id = "c2"
        self.tamper(
            "UPDATE audit_auditevent SET target_id = %s, hash = %s WHERE seq = 2",
            ["c2", log.event_hash(event, secret="not the server's secret")],
        )
        self.assertNamedChanged(2)

    def test_every_stored_field_is_in_the_canonical_form(self) -> None:
        covered = set(json.loads(log.canonical(self.second)))
        self.assertEqual(covered, COLUMNS - {"id", "hash"})

    def test_removal_is_named(self) -> None:
        self.tamper("DELETE FROM audit_auditevent WHERE seq = 2")
        self.assertIn("BROKEN at event 2 (missing)", self.verdict())

    def test_removal_renumbered_to_close_the_gap_is_named(self) -> None:
        self.tamper("DELETE FROM audit_auditevent WHERE seq = 2")
        self.update("seq", 2, seq=3)
        self.assertNamedChanged(2)

    def test_insertion_between_two_events_is_named(self) -> None:
        # Make room after event 1, then slip in a copy of event 1 as number 2.
        self.update("seq", 4, seq=3)
        self.update("seq", 3, seq=2)
        self.tamper(
            "INSERT INTO audit_auditevent (seq, at, actor_id, actor_name, action, target_type,"
            " target_id, details, prev_hash, hash)"
            " SELECT 2, at, actor_id, actor_name, action, target_type, target_id, details,"
            " hash, hash FROM audit_auditevent WHERE seq = 1"
        )
        self.assertNamedChanged(2)

    def test_reordering_is_named(self) -> None:
        self.swap_second_and_third()
        self.assertNamedChanged(2)
