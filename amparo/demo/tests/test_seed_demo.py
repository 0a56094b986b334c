"""``manage.py seed_demo``: synthetic cases made through the desk's own actions."""

from __future__ import annotations

import datetime
import io
import re
import shutil
import tempfile
import unittest
from typing import Any

from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models.signals import post_save
from django.test import TestCase, TransactionTestCase, override_settings
from django.utils import timezone

from amparo.accounts.management.commands.seed_demo_desk import DEMO_PASSWORD
from amparo.accounts.models import User
from amparo.audit.log import verify
from amparo.cases.files import iter_plaintext
from amparo.cases.models import Attachment, Case, Channel, Message, Sender, Stage, Urgency
from amparo.cases.vault import lookup_for_receipt, open_for_reporter, open_for_staff
from amparo.crypto import unwrap_with_password
from amparo.lib.binary import as_bytes
from amparo.notify.models import OutboundEmail
from amparo.protection.models import Measure
from amparo.reference import api as reference


def seed(*args: str) -> str:
    out = io.StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


class SeedTestMixin:
    """A private files folder, and the demo coordinator's view of the cases."""

    def setUp(self) -> None:
        super().setUp()  # type: ignore[misc]
        media = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, media, ignore_errors=True)  # type: ignore[attr-defined]
        override = override_settings(MEDIA_ROOT=media)
        override.enable()
        self.addCleanup(override.disable)  # type: ignore[attr-defined]

    def coordinator(self) -> tuple[User, bytes]:
        user = User.objects.get(username="coordinator")
        return user, unwrap_with_password(as_bytes(user.private_key_by_password), DEMO_PASSWORD)

    def contents(self) -> list[tuple[Any, ...]]:
        """What each case says and how it stands, oldest first (references aside)."""
        user, key = self.coordinator()
        rows = []
        for case in Case.objects.order_by("received_on", "pk"):
            opened = open_for_staff(case, user, key)
            rows.append(
                (
                    case.language,
                    case.urgency,
                    case.stage,
                    case.received_on,
                    opened.answers()["what_happened"],
                    [opened.decrypt_text(m.body, m.aad_field()) for m in case.messages.all()],
                )
            )
        return rows


class SeedDemoTests(SeedTestMixin, TestCase):
    def test_it_creates_varied_realistic_cases_through_the_actions(self) -> None:
        output = seed("--cases", "60", "--seed", "7", "--receipts", "0", "--workers", "1")
        self.assertIn("seed_demo: created 60 cases", output)
        cases = Case.objects.all()
        self.assertEqual(cases.count(), 60)
        self.assertEqual(set(cases.values_list("language", flat=True)), {"en", "fr", "es", "ar"})
        self.assertTrue(cases.filter(urgency=Urgency.URGENT).exists())
        self.assertTrue(cases.filter(channel=Channel.ON_BEHALF).exists())
        self.assertGreaterEqual(len(set(cases.values_list("stage", flat=True))), 6)
        assignees = set(cases.values_list("assignee__username", flat=True))
        self.assertEqual(assignees, {"coordinator", "handler", None})
        self.assertEqual(cases.filter(reporter_lookup__isnull=False).count(), 0)
        senders = set(Message.objects.values_list("sender", flat=True))
        self.assertEqual(senders, {Sender.DESK, Sender.REPORTER})
        self.assertTrue(Message.objects.filter(sender=Sender.REPORTER, read_by_desk=False).exists())
        # Every action wrote its event, and the chain holds.
        self.assertTrue(verify().ok)

    def test_it_codes_cases_with_the_reference_codes(self) -> None:
        seed("--cases", "40", "--seed", "3", "--receipts", "0", "--workers", "1")
        reprisal_types = {code for code, _ in reference.choices("reprisal_type")}
        profiles = {code for code, _ in reference.choices("defender_profile")}
        situations = {code for code, _ in reference.situation_choices()}
        coded = Case.objects.filter(coding__isnull=False).select_related("coding")
        self.assertGreater(coded.count(), 20)
        for case in coded:
            coding = case.coding
            self.assertLessEqual(set(coding.reprisal_types), reprisal_types)
            self.assertLessEqual(set(coding.defender_profiles), profiles)
            self.assertIn(coding.situation, situations | {""})
            self.assertEqual(coding.region, reference.region_for(coding.country))
            self.assertEqual(coding.month, case.received_on.replace(day=1))
            self.assertTrue(coding.perpetrators.exists())
        # Cases still "received" are coded only sometimes; later ones always.
        self.assertFalse(
            Case.objects.exclude(stage__in=[Stage.RECEIVED, Stage.ACKNOWLEDGED])
            .filter(coding__isnull=True)
            .exists()
        )

    def test_it_stores_attachments_encrypted_and_readable_by_the_desk(self) -> None:
        seed("--cases", "120", "--seed", "11", "--receipts", "0", "--workers", "1")
        user, key = self.coordinator()
        attachments = Attachment.objects.select_related("case")
        self.assertGreater(attachments.count(), 0)
        for attachment in attachments:
            opened = open_for_staff(attachment.case, user, key)
            meta = opened.decrypt_json(attachment.metadata, attachment.aad_field())
            content = b"".join(iter_plaintext(opened, attachment))
            self.assertEqual(len(content), meta["size"])
            if meta["content_type"] == "image/png":
                self.assertTrue(content.startswith(b"\x89PNG"))

    def test_it_spreads_cases_over_two_years_without_touching_the_clock(self) -> None:
        today = timezone.localdate()
        # The simulated days are passed to the actions (today=): the clock everyone
        # else reads, here while a message is saved, stays the real one.
        seen: list[datetime.date] = []

        def saved(**kwargs: Any) -> None:
            seen.append(timezone.localdate())

        post_save.connect(saved, sender=Message, dispatch_uid="seed-demo-test")
        self.addCleanup(post_save.disconnect, sender=Message, dispatch_uid="seed-demo-test")
        seed("--cases", "30", "--receipts", "0", "--workers", "1")
        self.assertTrue(seen)
        self.assertEqual(set(seen), {today})
        days = sorted(Case.objects.values_list("received_on", flat=True))
        self.assertLess(days[0], today - datetime.timedelta(days=180))
        self.assertLessEqual(days[-1], today)
        for case in Case.objects.all():
            self.assertTrue(case.reference.startswith(f"AMP-{case.received_on.year}-"))
            self.assertGreaterEqual(case.last_activity_on, case.received_on)
            # Every recorded day follows the simulated calendar, none is the real today
            # unless the case is that recent.
            for sent_on in case.messages.values_list("sent_on", flat=True):
                self.assertTrue(case.received_on <= sent_on <= case.last_activity_on)
        old = [c for c in Case.objects.all() if c.received_on < today - datetime.timedelta(60)]
        self.assertTrue(old)
        self.assertTrue(any(c.last_activity_on < today - datetime.timedelta(30) for c in old))
        for measure in Measure.objects.select_related("case"):
            self.assertGreaterEqual(measure.proposed_on, measure.case.received_on)
            self.assertLessEqual(measure.proposed_on, measure.case.last_activity_on)

    def test_it_is_deterministic_with_a_seed(self) -> None:
        seed("--cases", "12", "--seed", "42", "--receipts", "0", "--workers", "1")
        first = self.contents()
        Case.objects.all().delete()
        seed("--cases", "12", "--seed", "42", "--receipts", "0", "--workers", "1")
        self.assertEqual(self.contents(), first)
        Case.objects.all().delete()
        seed("--cases", "12", "--seed", "43", "--receipts", "0", "--workers", "1")
        self.assertNotEqual(self.contents(), first)

    def test_it_prints_working_receipts_for_the_newest_cases(self) -> None:
        output = seed("--cases", "5", "--receipts", "2", "--workers", "1")
        printed = re.findall(r"^  (AMP-\d{4}-\d{4})  ([\d ]+)$", output, re.MULTILINE)
        self.assertEqual(len(printed), 2)
        newest = Case.objects.order_by("-received_on", "-pk")[:2]
        self.assertEqual({c.reference for c in newest}, {ref for ref, _ in printed})
        for reference_code, receipt in printed:
            access = open_for_reporter(*lookup_for_receipt(receipt))
            self.assertEqual(access.opened.case.reference, reference_code)

    def test_it_refuses_in_production(self) -> None:
        with override_settings(PRODUCTION=True), self.assertRaises(CommandError):
            seed("--cases", "1")
        self.assertFalse(Case.objects.exists())


class SeedDemoCommitTests(SeedTestMixin, TransactionTestCase):
    """Each action commits on its own here, as in a real run, so its
    after-commit work (notifications) really runs."""

    def test_it_sends_no_notifications(self) -> None:
        call_command("seed_demo_desk", stdout=io.StringIO())
        User.objects.filter(username__in=["coordinator", "handler"]).update(email="staff@demo.test")
        seed("--cases", "10", "--receipts", "0", "--workers", "1")
        self.assertFalse(OutboundEmail.objects.exists())

    @unittest.skipUnless(connection.vendor == "postgresql", "several writers need PostgreSQL")
    def test_it_gives_the_same_cases_with_two_workers(self) -> None:
        seed("--cases", "8", "--seed", "5", "--receipts", "1", "--workers", "2")
        two = self.contents()
        self.assertEqual(len(two), 8)
        self.assertTrue(verify().ok)
        Case.objects.all().delete()
        seed("--cases", "8", "--seed", "5", "--receipts", "0", "--workers", "1")
        self.assertEqual(self.contents(), two)
