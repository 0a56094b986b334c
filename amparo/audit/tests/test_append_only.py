from __future__ import annotations

import unittest

from django.core.management import call_command
from django.db import DatabaseError, connection, transaction
from django.test import TransactionTestCase

from amparo.audit import log
from amparo.audit.models import Action, AppendOnlyError, AuditEvent
from amparo.audit.tests.base import AuditTestCase


class OrmRefusalTests(AuditTestCase):
    def setUp(self) -> None:
        self.event = log.record(self.coordinator, Action.LOGIN)

    def test_it_refuses_to_save_an_existing_event(self) -> None:
        self.event.action = Action.LOGOUT
        with self.assertRaises(AppendOnlyError):
            self.event.save()

    def test_it_refuses_to_delete_an_event(self) -> None:
        with self.assertRaises(AppendOnlyError):
            self.event.delete()

    def test_it_refuses_bulk_changes(self) -> None:
        events = AuditEvent.objects.all()
        with self.assertRaises(AppendOnlyError):
            events.update(action=Action.LOGOUT)
        with self.assertRaises(AppendOnlyError):
            events.delete()
        with self.assertRaises(AppendOnlyError):
            AuditEvent.objects.bulk_update([self.event], ["action"])

    def test_it_refuses_inserts_that_bypass_the_chain(self) -> None:
        forged = AuditEvent(seq=2, at=self.event.at, action=Action.LOGIN, prev_hash="0", hash="0")
        with self.assertRaises(AppendOnlyError):
            forged.save()
        with self.assertRaises(AppendOnlyError):
            AuditEvent.objects.create(seq=2, at=self.event.at, action=Action.LOGIN)
        with self.assertRaises(AppendOnlyError):
            AuditEvent.objects.bulk_create([forged])
        self.assertEqual(AuditEvent.objects.count(), 1)


class DatabaseRefusalTests(AuditTestCase):
    def setUp(self) -> None:
        self.event = log.record(self.coordinator, Action.LOGIN)

    def run_sql(self, sql: str) -> None:
        # A savepoint, so that PostgreSQL's aborted statement does not poison
        # the rest of the test's transaction.
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)

    def test_it_has_the_database_refuse_an_update(self) -> None:
        with self.assertRaisesMessage(DatabaseError, "audit log is append-only"):
            self.run_sql("UPDATE audit_auditevent SET action = 'logout'")
        self.assertEqual(AuditEvent.objects.get().action, Action.LOGIN)

    def test_it_has_the_database_refuse_a_delete(self) -> None:
        with self.assertRaisesMessage(DatabaseError, "audit log is append-only"):
            self.run_sql("DELETE FROM audit_auditevent")
        self.assertEqual(AuditEvent.objects.count(), 1)

    @unittest.skipUnless(connection.vendor == "postgresql", "TRUNCATE is PostgreSQL's")
    def test_it_has_postgresql_refuse_a_truncate(self) -> None:
        with self.assertRaisesMessage(DatabaseError, "audit log is append-only"):
            self.run_sql("TRUNCATE audit_auditevent")
        self.assertEqual(AuditEvent.objects.count(), 1)

    def test_it_lets_the_tests_play_an_attacker_who_drops_the_guard(self) -> None:
        self.tamper("UPDATE audit_auditevent SET action = 'logout'")
        self.assertEqual(AuditEvent.objects.get().action, Action.LOGOUT)


class FlushTests(TransactionTestCase):
    def test_it_lets_flush_empty_the_log_and_keeps_the_guard(self) -> None:
        log.record(None, Action.REPORT_SUBMITTED)
        call_command("flush", interactive=False, verbosity=0)
        self.assertFalse(AuditEvent.objects.exists())
        self.assertTrue(log.verify().ok)

        # The triggers are back, and the chain starts afresh.
        self.assertEqual(log.record(None, Action.REPORT_SUBMITTED).seq, 1)
        with (
            self.assertRaisesMessage(DatabaseError, "audit log is append-only"),
            transaction.atomic(),
            connection.cursor() as cursor,
        ):
            cursor.execute("DELETE FROM audit_auditevent")
        # This test's own teardown flushes a non-empty log once more.
