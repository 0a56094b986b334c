"""Retention with a fixed clock: exactly what the policy says goes, and what goes
cannot be opened again by any key the installation keeps."""

from __future__ import annotations

import datetime
import io
from pathlib import Path
from tempfile import TemporaryDirectory

from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone

from amparo.audit.log import verify
from amparo.audit.models import AuditEvent
from amparo.cases.actions.create import ConsentChoice, do_create_case
from amparo.cases.actions.desk import do_add_message, do_add_note
from amparo.cases.files import store_attachment, stored_path
from amparo.cases.models import (
    Attachment,
    Case,
    CaseKey,
    Coding,
    Consent,
    Message,
    Note,
    Sender,
    Stage,
    StageChange,
)
from amparo.cases.vault import NoAccess, lookup_for_receipt, open_for_reporter, open_for_staff
from amparo.crypto import (
    DecryptionError,
    decrypt_field,
    decrypt_json,
    file_associated_data,
    iter_decrypt,
    open_data_key,
)
from amparo.lib.binary import as_bytes
from amparo.operations.actions import (
    OperationsError,
    do_apply_retention,
    do_set_retention_rule,
    do_shred_case,
    due_for_deletion,
)
from amparo.operations.models import Shredding
from amparo.tests.base import AmparoTestCase

TODAY = datetime.date(2027, 6, 1)


def at(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(12), tzinfo=datetime.UTC)


class RetentionTests(AmparoTestCase):
    def setUp(self) -> None:
        self._files = TemporaryDirectory()
        self.addCleanup(self._files.cleanup)
        media = override_settings(MEDIA_ROOT=Path(self._files.name))
        media.enable()
        self.addCleanup(media.disable)

    def case_in(
        self,
        stage: str,
        *,
        entered: datetime.date | None = None,
        last_activity: datetime.date,
        statistics: bool = False,
        coded: bool = False,
    ) -> Case:
        new = do_create_case(
            answers={"narrative": f"{stage} story"},
            language="en",
            questionnaire_version="test",
            consents=[
                ConsentChoice("store", True, "test"),
                ConsentChoice("statistics", statistics, "test"),
            ],
        )
        case = new.case
        Case.objects.filter(pk=case.pk).update(stage=stage, last_activity_on=last_activity)
        if entered is not None:
            change = StageChange.objects.create(
                case=case, from_stage=Stage.UNDER_ASSESSMENT, to_stage=stage
            )
            StageChange.objects.filter(pk=change.pk).update(changed_at=at(entered))
        if coded:
            Coding.objects.create(case=case, country="UG", reprisal_types=["threats"])
        case.refresh_from_db()
        return case

    def test_it_deletes_exactly_what_the_default_policy_says(self) -> None:
        old_nar = self.case_in(
            Stage.NOT_A_REPRISAL, entered=datetime.date(2027, 1, 1), last_activity=TODAY
        )
        young_nar = self.case_in(
            Stage.NOT_A_REPRISAL,
            entered=datetime.date(2027, 4, 1),
            last_activity=datetime.date(2027, 1, 1),
        )
        edge_dup = self.case_in(  # exactly 90 days ago: due today
            Stage.DUPLICATE,
            entered=TODAY - datetime.timedelta(days=90),
            last_activity=TODAY,
        )
        young_dup = self.case_in(
            Stage.DUPLICATE,
            entered=TODAY - datetime.timedelta(days=89),
            last_activity=datetime.date(2020, 1, 1),
        )
        old_closed = self.case_in(
            Stage.CLOSED, entered=TODAY, last_activity=datetime.date(2022, 5, 1)
        )
        young_closed = self.case_in(
            Stage.CLOSED, entered=datetime.date(2020, 1, 1), last_activity=datetime.date(2023, 1, 1)
        )
        coded_closed = self.case_in(
            Stage.CLOSED, last_activity=datetime.date(2021, 1, 1), statistics=True, coded=True
        )
        coded_no_consent = self.case_in(
            Stage.CLOSED, last_activity=datetime.date(2021, 1, 1), statistics=False, coded=True
        )
        open_case = self.case_in(Stage.UNDER_ASSESSMENT, last_activity=datetime.date(2015, 1, 1))

        due = {item.case.pk for item in due_for_deletion(TODAY)}
        self.assertEqual(
            due, {old_nar.pk, edge_dup.pk, old_closed.pk, coded_closed.pk, coded_no_consent.pk}
        )

        out = io.StringIO()
        with self.patch_today():
            call_command("apply_retention", "--dry-run", stdout=out)
        self.assertIn("dry run: 5 case(s) would be deleted", out.getvalue())
        self.assertEqual(Shredding.objects.count(), 0)
        self.assertIn(f"would delete {old_nar.reference}", out.getvalue())
        self.assertNotIn(young_nar.reference, out.getvalue())

        done = do_apply_retention(TODAY)
        self.assertEqual(len(done), 5)
        remaining = set(Case.objects.values_list("pk", flat=True))
        self.assertEqual(
            remaining,
            {young_nar.pk, young_dup.pk, young_closed.pk, coded_closed.pk, open_case.pk},
        )
        shell = Case.objects.get(pk=coded_closed.pk)
        self.assertEqual(bytes(shell.answers), b"")
        self.assertTrue(Coding.objects.filter(case=shell).exists())
        self.assertFalse(CaseKey.objects.filter(case=shell).exists())
        self.assertTrue(Shredding.objects.get(case=shell).kept_for_statistics)
        self.assertFalse(Coding.objects.filter(case_id=coded_no_consent.pk).exists())
        self.assertEqual(AuditEvent.objects.filter(action="content_deleted").count(), 5)
        self.assertTrue(verify().ok)

        # Idempotent: nothing more is due, nothing more happens.
        self.assertEqual(do_apply_retention(TODAY), [])
        self.assertEqual(due_for_deletion(TODAY), [])

    def test_an_administrator_changes_a_rule_and_it_applies(self) -> None:
        case = self.case_in(Stage.CLOSED, last_activity=datetime.date(2021, 1, 1))
        self.assertEqual([d.case.pk for d in due_for_deletion(TODAY)], [case.pk])
        do_set_retention_rule(self.administrator.user, Stage.CLOSED, 10 * 365)
        self.assertEqual(due_for_deletion(TODAY), [])
        with self.assertRaises(OperationsError):
            do_set_retention_rule(self.administrator.user, Stage.CLOSED, 5)
        with self.assertRaises(OperationsError):
            do_set_retention_rule(self.administrator.user, Stage.RECEIVED, 100)
        event = AuditEvent.objects.get(action="settings_changed", target_type="retention")
        self.assertEqual(event.details, {"from_days": 1825, "to_days": 3650})

    def test_after_shredding_no_remaining_key_decrypts_the_content(self) -> None:
        reporter = self.make_reporter("They followed me home after the session.")
        case = reporter.case
        coordinator_key = self.coordinator.private_key()
        opened = open_for_staff(case, self.coordinator.user, coordinator_key)
        do_add_message(opened, sender=Sender.DESK, text="Are you safe now?")
        case.refresh_from_db()
        do_add_note(
            opened, self.coordinator.user, "Call the mission.", expected_version=case.version
        )
        attachment = store_attachment(
            opened,
            io.BytesIO(b"photo bytes" * 100),
            name="p.jpg",
            content_type="image/jpeg",
            scrubbed=True,
        )
        attachment.save()
        path = stored_path(attachment)
        file_bytes = path.read_bytes()
        answers = bytes(Case.objects.get(pk=case.pk).answers)
        bodies = [(bytes(m.body), m.aad_field()) for m in Message.objects.filter(case=case)]
        bodies += [(bytes(n.body), n.aad_field()) for n in Note.objects.filter(case=case)]
        self.assertEqual(len(bodies), 2)
        other = self.make_reporter("Another defender's report.")

        Case.objects.filter(pk=case.pk).update(stage=Stage.CLOSED)
        with self.captureOnCommitCallbacks(execute=True):
            do_shred_case(case, reason="policy")

        self.assertFalse(path.exists())
        self.assertFalse(CaseKey.objects.filter(case_id=case.pk).exists())
        self.assertFalse(Case.objects.filter(pk=case.pk).exists())
        self.assertFalse(Attachment.objects.filter(case_id=case.pk).exists())
        # The reporter's code opens nothing any more.
        with self.assertRaises(NoAccess):
            open_for_reporter(*lookup_for_receipt(reporter.receipt))
        # Every sealed key still stored, tried with every staff key and the other
        # reporter's: none opens the shredded ciphertexts.
        private_keys = [
            (p.user, p.private_key())
            for p in (
                self.coordinator,
                self.handler,
                self.analyst,
                self.administrator,
                self.outsider,
            )
            if p.user.public_key
        ]
        data_keys = []
        for row in CaseKey.objects.all():
            for user, key in private_keys:
                if row.user_id == user.pk:
                    data_keys.append(
                        open_data_key(bytes(row.sealed_key), as_bytes(user.public_key), key)
                    )
        data_keys.append(open_for_reporter(*lookup_for_receipt(other.receipt)).opened.data_key)
        self.assertTrue(data_keys)
        for key in data_keys:
            with self.assertRaises(DecryptionError):
                decrypt_json(key, answers, report_id=case.public_id, field="answers")
            for body, field in bodies:
                with self.assertRaises(DecryptionError):
                    decrypt_field(key, body, report_id=case.public_id, field=field)
            with self.assertRaises(DecryptionError):
                b"".join(
                    iter_decrypt(
                        key,
                        io.BytesIO(file_bytes),
                        associated=file_associated_data(case.public_id, attachment.public_id),
                    )
                )
        self.assertNotIn(b"photo bytes", file_bytes)

    def test_a_case_is_shredded_once(self) -> None:
        case = self.case_in(
            Stage.CLOSED, last_activity=datetime.date(2021, 1, 1), statistics=True, coded=True
        )
        do_shred_case(case, reason="policy")
        with self.assertRaises(OperationsError):
            do_shred_case(case, reason="policy")
        self.assertTrue(Consent.objects.filter(case=case, scope="statistics").exists())

    def patch_today(self):  # type: ignore[no-untyped-def]
        from unittest import mock

        return mock.patch.object(timezone, "localdate", return_value=TODAY)
