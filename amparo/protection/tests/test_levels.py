"""The level rules, over every combination of likelihood, impact and the two departures."""

from __future__ import annotations

import datetime
import itertools

from django.test import SimpleTestCase, override_settings

from amparo.protection.levels import (
    RANK,
    Basis,
    Impact,
    Level,
    LevelError,
    Likelihood,
    decide,
    default_review_on,
)

L, M, H, C = "low", "medium", "high", "critical"
#: The expected table, written out independently of LEVEL_TABLE: rows are
#: likelihood 1 to 4, columns impact 1 to 4.
EXPECTED = [
    [L, L, M, M],
    [L, M, M, H],
    [M, M, H, C],
    [M, H, C, C],
]


class LevelRuleTests(SimpleTestCase):
    def test_it_computes_every_cell_of_the_table(self) -> None:
        for likelihood, impact in itertools.product(Likelihood, Impact):
            with self.subTest(likelihood=likelihood, impact=impact):
                decision = decide(likelihood, impact)
                self.assertEqual(decision.level, EXPECTED[likelihood - 1][impact - 1])
                self.assertEqual(decision.computed, decision.level)
                self.assertEqual(decision.basis, Basis.COMPUTED)

    def test_it_never_lowers_the_level_when_either_judgement_rises(self) -> None:
        for likelihood, impact in itertools.product(Likelihood, Impact):
            here = RANK[decide(likelihood, impact).level]
            if likelihood < 4:
                self.assertGreaterEqual(RANK[decide(likelihood + 1, impact).level], here)
            if impact < 4:
                self.assertGreaterEqual(RANK[decide(likelihood, impact + 1).level], here)

    def test_clear_and_present_danger_is_critical_whatever_the_computation(self) -> None:
        for likelihood, impact in itertools.product(Likelihood, Impact):
            for chosen in ("", "critical"):
                decision = decide(likelihood, impact, clear_and_present=True, chosen=chosen)
                self.assertEqual(decision.level, Level.CRITICAL)
                self.assertEqual(decision.basis, Basis.CLEAR_AND_PRESENT)
                self.assertEqual(decision.computed, EXPECTED[likelihood - 1][impact - 1])

    def test_clear_and_present_danger_cannot_be_set_lower(self) -> None:
        for chosen in (L, M, H):
            with self.assertRaises(LevelError) as caught:
                decide(1, 1, clear_and_present=True, chosen=chosen, reason="I disagree")
            self.assertEqual(caught.exception.code, "clear_and_present_is_critical")

    def test_every_other_level_needs_a_written_reason(self) -> None:
        for likelihood, impact, chosen in itertools.product(Likelihood, Impact, Level):
            computed = EXPECTED[likelihood - 1][impact - 1]
            with self.subTest(likelihood=likelihood, impact=impact, chosen=chosen):
                if chosen == computed:
                    self.assertEqual(decide(likelihood, impact, chosen=chosen).basis, "computed")
                    continue
                for blank in ("", "   \n"):
                    with self.assertRaises(LevelError) as caught:
                        decide(likelihood, impact, chosen=chosen, reason=blank)
                    self.assertEqual(caught.exception.code, "override_reason_required")
                decision = decide(likelihood, impact, chosen=chosen, reason="Known pattern")
                self.assertEqual((decision.level, decision.basis), (chosen, Basis.OVERRIDE))
                self.assertEqual(decision.computed, computed)

    def test_it_refuses_values_off_the_scales(self) -> None:
        for likelihood, impact in ((0, 1), (1, 5), (-1, 2)):
            with self.assertRaises(LevelError):
                decide(likelihood, impact)


class ReviewDateTests(SimpleTestCase):
    def test_the_default_re_assessment_dates(self) -> None:
        day = datetime.date(2026, 3, 1)
        expected = {"critical": 3, "high": 14, "medium": 30, "low": 90}
        for level, days in expected.items():
            self.assertEqual(default_review_on(level, day), day + datetime.timedelta(days=days))

    def test_the_defaults_follow_the_setting(self) -> None:
        day = datetime.date(2026, 3, 1)
        days = {"critical": 1, "high": 7, "medium": 21, "low": 60}
        with override_settings(AMPARO_REASSESSMENT_DAYS=days):
            self.assertEqual(default_review_on("critical", day), datetime.date(2026, 3, 2))
            self.assertEqual(default_review_on("low", day), datetime.date(2026, 4, 30))
