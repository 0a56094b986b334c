"""Receipt parameter agility: reports stretched under an older parameter set still
open, are re-derived under the current set on the way in, and a wrong receipt costs
as many stretches as an old or a current one."""

from __future__ import annotations

from unittest import mock

from amparo.audit.models import AuditEvent
from amparo.cases.models import Case
from amparo.cases.vault import (
    NoAccess,
    lookup_for_receipt,
    open_for_reporter,
    receipt_keys,
    receipt_sets_in_use,
)
from amparo.crypto import generate_receipt, kdf
from amparo.intake.tests.helpers import IntakeTestCase, receipt_from

NO_MATCH = "No report matches this code."


class ReceiptParameterSetTests(IntakeTestCase):
    def setUp(self) -> None:
        super().setUp()
        # A report filed while set 1 was current.
        with mock.patch.object(kdf, "CURRENT_RECEIPT_SET", 1):
            self.receipt = receipt_from(self.submit().content.decode())
        self.case = Case.objects.get()
        self.client = self.client_class()

    def open_report(self, code: str):  # type: ignore[no-untyped-def]
        return self.client.post("/en/follow-up/", {"receipt": code})

    def test_the_set_is_stored_and_the_sets_differ(self) -> None:
        self.assertEqual(self.case.receipt_params, 1)
        self.assertEqual(self.case.reporter_lookup, receipt_keys(self.receipt, 1).lookup_id)
        self.assertNotEqual(receipt_keys(self.receipt, 2).lookup_id, self.case.reporter_lookup)
        self.assertEqual(kdf.current_receipt_set(), 2)
        self.assertEqual(receipt_sets_in_use(), [2, 1])

    def test_an_old_receipt_opens_and_is_upgraded(self) -> None:
        old_lookup = self.case.reporter_lookup
        old_wrapped = bytes(self.case.reporter_private_key or b"")
        self.assertRedirects(self.open_report(self.receipt), "/en/follow-up/report/")
        self.case.refresh_from_db()
        self.assertEqual(self.case.receipt_params, 2)
        self.assertNotEqual(self.case.reporter_lookup, old_lookup)
        self.assertNotEqual(bytes(self.case.reporter_private_key or b""), old_wrapped)
        self.assertEqual(self.case.reporter_lookup, receipt_keys(self.receipt, 2).lookup_id)
        # The current-set lookup opens it now; the old one no longer does.
        access = open_for_reporter(*lookup_for_receipt(self.receipt))
        self.assertEqual(access.opened.case.pk, self.case.pk)
        old = receipt_keys(self.receipt, 1)
        with self.assertRaises(NoAccess):
            open_for_reporter(old.lookup_id, old.wrapping_key)
        upgrade = AuditEvent.objects.filter(action="case_changed", target_id=self.case.public_id)
        self.assertEqual([event.details for event in upgrade], [{"receipt_params": 2}])
        # No report uses set 1 any more: follow-ups stop paying for it.
        self.assertEqual(receipt_sets_in_use(), [2])
        # And it still opens on the next visit, without a second upgrade.
        self.client = self.client_class()
        self.assertRedirects(self.open_report(self.receipt), "/en/follow-up/report/")
        self.assertEqual(upgrade.count(), 1)

    def test_a_wrong_receipt_costs_as_many_stretches_as_an_old_or_current_one(self) -> None:
        calls: list[int] = []
        real = kdf.stretch

        def counting(secret: bytes, salt: bytes, params: kdf.KdfParams, length: int = 32) -> bytes:
            calls.append(params.time_cost)
            return real(secret, salt, params, length)

        # A second report, filed under the current set: both sets are in use.
        current_receipt = receipt_from(self.submit().content.decode())
        self.client = self.client_class()
        counts = {}
        with mock.patch("amparo.crypto.receipts.stretch", counting):
            for name, code in (
                ("wrong", generate_receipt()),
                ("current", current_receipt),
                ("old", self.receipt),
            ):
                calls.clear()
                self.client = self.client_class()
                response = self.open_report(code)
                if name == "wrong":
                    self.assertContains(response, NO_MATCH, status_code=400)
                else:
                    self.assertRedirects(response, "/en/follow-up/report/")
                counts[name] = sorted(calls)
        # Every attempt stretched under every set in use, once each.
        self.assertEqual(counts["wrong"], counts["old"])
        self.assertEqual(counts["wrong"], counts["current"])
        self.assertEqual(len(counts["wrong"]), 2)

    def test_a_lookup_found_under_the_wrong_set_is_refused(self) -> None:
        # The stored lookup id presented as if it came from the current set.
        old = receipt_keys(self.receipt, 1)
        with self.assertRaises(NoAccess):
            open_for_reporter(old.lookup_id, old.wrapping_key)
        self.case.refresh_from_db()
        self.assertEqual(self.case.receipt_params, 1)
