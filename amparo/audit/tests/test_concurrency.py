from __future__ import annotations

import threading
import time
import unittest

from django.db import connection, connections, transaction
from django.test import TransactionTestCase

from amparo.audit import log
from amparo.audit.models import Action, AuditEvent


@unittest.skipUnless(
    connection.vendor == "postgresql",
    "SQLite lets one writer in at a time by itself; its in-memory test database "
    "cannot host concurrent writers",
)
class ConcurrentAppendTests(TransactionTestCase):
    def test_it_serialises_two_appends_that_race(self) -> None:
        # Both writers will race to extend this event.
        log.record(None, Action.REPORT_SUBMITTED)
        first_appended = threading.Event()
        errors: list[BaseException] = []

        def slow_writer() -> None:
            try:
                with transaction.atomic():
                    log.record(None, Action.REPORT_SUBMITTED)
                    first_appended.set()
                    # Hold the chain's lock while the other writer tries to append.
                    time.sleep(0.3)
            except BaseException as error:  # pragma: no cover - reported below
                errors.append(error)
                first_appended.set()
            finally:
                connections.close_all()

        def fast_writer() -> None:
            try:
                first_appended.wait(5)
                with transaction.atomic():
                    log.record(None, Action.REPORTER_FOLLOWUP)
            except BaseException as error:  # pragma: no cover - reported below
                errors.append(error)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=slow_writer), threading.Thread(target=fast_writer)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(10)

        self.assertEqual(errors, [])
        _start, first, second = AuditEvent.objects.order_by("seq")
        self.assertEqual((first.seq, first.action), (2, Action.REPORT_SUBMITTED))
        self.assertEqual((second.seq, second.action), (3, Action.REPORTER_FOLLOWUP))
        self.assertEqual(second.prev_hash, first.hash)
        self.assertTrue(log.verify().ok)

    def test_it_keeps_one_chain_under_many_writers(self) -> None:
        writers, appends = 6, 5
        start = threading.Barrier(writers)
        errors: list[BaseException] = []

        def writer() -> None:
            try:
                start.wait(5)
                for _ in range(appends):
                    with transaction.atomic():
                        log.record(None, Action.SEARCH)
            except BaseException as error:  # pragma: no cover - reported below
                errors.append(error)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=writer) for _ in range(writers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(30)

        self.assertEqual(errors, [])
        verdict = log.verify()
        self.assertTrue(verdict.ok, verdict.explanation)
        self.assertEqual(verdict.count, writers * appends)
