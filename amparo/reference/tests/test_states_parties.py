from __future__ import annotations

import datetime

from amparo.reference import api
from amparo.reference.models import StateParty
from amparo.reference.tests.base import ReferenceTestCase


def parties_on(day: datetime.date) -> set[str]:
    return {
        str(code) for code in StateParty.objects.parties_on(day).values_list("country", flat=True)
    }


class PartiesOnTests(ReferenceTestCase):
    def test_it_counts_125_parties_after_ukraine(self) -> None:
        self.assertEqual(StateParty.objects.parties_on(datetime.date(2025, 1, 1)).count(), 125)
        self.assertIn("UA", parties_on(datetime.date(2025, 1, 1)))
        self.assertNotIn("UA", parties_on(datetime.date(2024, 12, 31)))

    def test_it_counts_armenia_from_1_february_2024(self) -> None:
        self.assertIn("AM", parties_on(datetime.date(2024, 2, 1)))
        self.assertNotIn("AM", parties_on(datetime.date(2024, 1, 31)))
        self.assertEqual(StateParty.objects.parties_on(datetime.date(2024, 2, 1)).count(), 124)

    def test_it_drops_hungary_when_its_withdrawal_takes_effect(self) -> None:
        self.assertIn("HU", parties_on(datetime.date(2026, 6, 1)))
        self.assertNotIn("HU", parties_on(datetime.date(2026, 6, 2)))
        self.assertNotIn("HU", parties_on(datetime.date(2026, 6, 3)))

    def test_it_keeps_former_parties_with_their_withdrawal_dates(self) -> None:
        burundi = StateParty.objects.get(country="BI")
        self.assertEqual(burundi.withdrawal_effective, datetime.date(2017, 10, 27))
        self.assertTrue(burundi.is_party_on(datetime.date(2017, 10, 26)))
        self.assertFalse(burundi.is_party_on(datetime.date(2017, 10, 27)))
        philippines = StateParty.objects.get(country="PH")
        self.assertEqual(philippines.withdrawal_effective, datetime.date(2019, 3, 17))
        self.assertNotIn("PH", parties_on(datetime.date(2025, 1, 1)))

    def test_it_records_the_announced_sahel_withdrawals_as_uncertain(self) -> None:
        for code in ("BF", "ML", "NE"):
            party = StateParty.objects.get(country=code)
            self.assertIsNone(party.withdrawal_effective)
            self.assertIn("22 September 2025", party.note)
            self.assertIn("article 127", party.note)

    def test_it_counts_the_original_parties_on_1_july_2002(self) -> None:
        self.assertEqual(StateParty.objects.parties_on(datetime.date(2002, 7, 1)).count(), 66)

    def test_it_answers_through_the_api(self) -> None:
        self.assertEqual(len(api.states_parties_on(datetime.date(2025, 1, 1))), 125)
        self.assertIn("AM", api.states_parties_on(datetime.date(2024, 2, 1)))
        self.assertNotIn("HU", api.states_parties_on(datetime.date(2026, 6, 3)))
