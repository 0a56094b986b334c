"""Dates read in each language's own format, staff pages included."""

from __future__ import annotations

import datetime
import re

from django.utils import formats, translation

from amparo.accounts.models import Role
from amparo.cases.models import Case
from amparo.tests.base import AmparoTestCase, enrol_persona, make_reporter, sign_in

DAY = datetime.date(2026, 4, 30)
EXPECTED = {
    "en": ("30 April 2026", "30 Apr 2026"),
    "fr": ("30 avril 2026", "30/04/2026"),
    "es": ("30 de abril de 2026", "30/04/2026"),
    "ar": ("30 أبريل، 2026", "30\u200f/04\u200f/2026"),
}


class DateFormatTests(AmparoTestCase):
    def test_it_formats_a_day_in_each_language(self) -> None:
        for lang, (long, short) in EXPECTED.items():
            with self.subTest(lang), translation.override(lang):
                self.assertEqual(formats.date_format(DAY), long)
                self.assertEqual(formats.date_format(DAY, "SHORT_DATE_FORMAT"), short)

    def test_it_never_puts_the_month_first(self) -> None:
        with translation.override("en"):
            self.assertNotIn("04/30", formats.date_format(DAY, "SHORT_DATE_FORMAT"))

    def test_the_inbox_shows_dates_in_the_reader_s_language(self) -> None:
        coordinator = enrol_persona("dana", [Role.COORDINATOR])
        reporter = make_reporter()
        Case.objects.filter(pk=reporter.case.pk).update(received_on=DAY, last_activity_on=DAY)
        sign_in(self.client, coordinator)
        for lang, (_long, short) in EXPECTED.items():
            with self.subTest(lang):
                html = self.client.get(f"/{lang}/staff/cases/").content.decode()
                self.assertIn(short, html)
                self.assertIsNone(re.search(r"\b04/30/2026\b", html))
