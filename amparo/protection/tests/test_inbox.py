"""The inbox shows each case's age and an overdue mark, and filters by the lists."""

from __future__ import annotations

import datetime

from django.utils import timezone

from amparo.cases.models import Case
from amparo.cases.tests.base import make_case
from amparo.protection.models import Measure
from amparo.protection.tests.base import ProtectionTestCase, add_measure


class InboxTests(ProtectionTestCase):
    def test_it_shows_the_age_the_overdue_mark_and_filters(self) -> None:
        today = timezone.localdate()
        late = self.assign(make_case().case, self.handler)
        fine = self.assign(make_case().case, self.handler)
        Case.objects.filter(pk__in=[late.pk, fine.pk]).update(
            received_on=today - datetime.timedelta(days=12)
        )
        add_measure(self.open(late), self.coordinator.user, due_on=today)
        Measure.objects.update(due_on=today - datetime.timedelta(days=1))
        self.sign_in(self.handler)
        page = self.client.get("/en/staff/cases/")
        self.assertContains(page, "12 days", count=2)
        self.assertContains(page, "Overdue", count=1)
        filtered = self.client.get("/en/staff/cases/?attention=measures")
        self.assertContains(filtered, late.reference)
        self.assertNotContains(filtered, fine.reference)
        self.assertContains(self.client.get("/en/staff/cases/?attention=any"), late.reference)
        self.assertNotContains(
            self.client.get("/en/staff/cases/?attention=unanswered"), late.reference
        )
        arabic = self.client.get("/ar/staff/cases/")
        self.assertEqual(arabic.status_code, 200)
