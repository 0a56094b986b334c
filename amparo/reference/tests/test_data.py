"""The shipped data: complete, translated, two-level where it should be."""

from __future__ import annotations

import datetime

from amparo.reference.data import situations, states_parties, vocabularies
from amparo.reference.models import ReferenceList, Situation, SituationStatus, Term
from amparo.reference.tests.base import ReferenceTestCase

# Where French or Spanish really spells the term as English does.
SAME_AS_ENGLISH = {
    ("target", "organisation", "fr"),
    ("reprisal_type", "stigmatisation", "fr"),
    ("confidence", "probable", "fr"),
    ("confidence", "probable", "es"),
    ("vulnerability", "psychosocial", "fr"),
    ("capacity", "psychosocial", "fr"),
}

REPRISAL_CATEGORIES = [
    "life",
    "threats",
    "judicial",
    "movement",
    "digital",
    "stigmatisation",
    "economic",
    "obstruction",
    "other",
]


class VocabularyTests(ReferenceTestCase):
    def test_it_ships_the_seven_lists(self) -> None:
        self.assertEqual(
            list(ReferenceList.objects.values_list("code", flat=True)),
            [
                "reprisal_type",
                "engagement",
                "defender_profile",
                "target",
                "perpetrator",
                "involvement",
                "confidence",
                "protection_measure",
                "vulnerability",
                "capacity",
            ],
        )

    def test_it_labels_every_term_in_four_languages(self) -> None:
        terms = Term.objects.select_related("reference_list")
        self.assertGreater(terms.count(), 90)
        for term in terms:
            labels = term.labels()
            with self.subTest(term=term.code):
                self.assertTrue(all(label.strip() for label in labels.values()), labels)
                self.assertNotEqual(labels["ar"], labels["en"])
                self.assertTrue(any("\u0600" <= char <= "\u06ff" for char in labels["ar"]))
                for lang in ("fr", "es"):
                    if (term.reference_list.code, term.code, lang) not in SAME_AS_ENGLISH:
                        self.assertNotEqual(labels[lang], labels["en"], (lang, labels))

    def test_it_labels_every_list_in_four_languages(self) -> None:
        for reference_list in ReferenceList.objects.all():
            labels = reference_list.labels()
            self.assertEqual(len(set(labels.values())), 4, labels)
            self.assertTrue(reference_list.source)

    def test_it_keeps_labels_distinct_within_a_list(self) -> None:
        for reference_list in ReferenceList.objects.prefetch_related("terms"):
            for lang in ("en", "fr", "es", "ar"):
                # Categories are unique among categories, items within a category.
                seen: dict[object, set[str]] = {}
                for term in reference_list.terms.all():
                    siblings = seen.setdefault(term.parent_id, set())
                    label = term.label(lang)
                    self.assertNotIn(label, siblings, (reference_list.code, lang, label))
                    siblings.add(label)

    def test_it_has_two_levels_of_reprisal_types(self) -> None:
        categories = Term.objects.filter(reference_list__code="reprisal_type", parent=None)
        self.assertEqual(list(categories.values_list("code", flat=True)), REPRISAL_CATEGORIES)
        items = Term.objects.filter(reference_list__code="reprisal_type", parent__isnull=False)
        self.assertEqual(items.count(), 43)
        for item in items.select_related("parent"):
            self.assertTrue(item.code.startswith(item.parent.code + "."), item.code)  # type: ignore[union-attr]
            self.assertFalse(item.children.exists())
        self.assertEqual(
            Term.objects.get(
                reference_list__code="reprisal_type", code="threats.death_threat"
            ).label("fr"),
            "Menace de mort",
        )
        self.assertFalse(
            Term.objects.get(reference_list__code="reprisal_type", code="other").children.exists()
        )

    def test_it_keeps_the_other_lists_flat(self) -> None:
        # Two-level: reprisal types, the checklists grouped by area, and the
        # measures (requests to an organ of the Court name the organ).
        two_level = ["reprisal_type", "vulnerability", "capacity", "protection_measure"]
        nested = Term.objects.exclude(reference_list__code__in=two_level).filter(
            parent__isnull=False
        )
        self.assertFalse(nested.exists())
        for item in Term.objects.filter(
            reference_list__code__in=two_level[1:], parent__isnull=False
        ):
            self.assertTrue(item.code.startswith(f"{item.parent.code}."), item.code)  # type: ignore[union-attr]

    def test_it_groups_both_checklists_by_the_same_seven_areas(self) -> None:
        for list_code in ("vulnerability", "capacity"):
            areas = Term.objects.filter(reference_list__code=list_code, parent__isnull=True)
            self.assertEqual(
                list(areas.values_list("code", flat=True)),
                ["location", "digital", "legal", "psychosocial", "economic", "networks", "family"],
            )
            for area in areas:
                self.assertTrue(area.children.exists(), (list_code, area.code))

    def test_it_ships_the_lists_of_the_design(self) -> None:
        def codes(list_code: str) -> list[str]:
            return list(
                Term.objects.filter(reference_list__code=list_code).values_list("code", flat=True)
            )

        self.assertEqual(codes("target"), ["individual", "organisation", "community", "family"])
        self.assertEqual(codes("confidence"), ["confirmed", "probable", "suspected", "unknown"])
        self.assertEqual(len(codes("engagement")), 12)  # version 2 (issue 11)
        self.assertEqual(len(codes("defender_profile")), 11)
        self.assertEqual(len(codes("perpetrator")), 11)
        self.assertIn("acquiescence_or_complicity", codes("involvement"))

    def test_it_uses_the_glossary(self) -> None:
        engagement = Term.objects.get(
            reference_list__code="engagement", code="trust_fund_for_victims"
        )
        self.assertEqual(engagement.label("fr"), "Fonds au profit des victimes")
        reprisal = ReferenceList.objects.get(code="reprisal_type")
        self.assertIn("represalia", reprisal.label("es"))
        self.assertIn("الانتقامية", reprisal.label("ar"))

    def test_it_dates_every_list(self) -> None:
        for vocabulary in vocabularies.VOCABULARIES:
            self.assertEqual(
                ReferenceList.objects.get(code=vocabulary.code).as_of, vocabulary.as_of
            )


class SituationDataTests(ReferenceTestCase):
    def test_it_ships_the_situations_and_preliminary_examinations(self) -> None:
        statuses = dict(Situation.objects.values_list("code", "status"))
        self.assertEqual(len(statuses), 20)
        investigations = [c for c, s in statuses.items() if s == SituationStatus.INVESTIGATION]
        # "The Court Today", 17 December 2024: 12 investigations; the other five
        # have their investigation phase completed.
        self.assertEqual(len(investigations), 12)
        self.assertEqual(
            sorted(c for c, s in statuses.items() if s == SituationStatus.INVESTIGATION_COMPLETED),
            ["car_i", "car_ii", "georgia", "kenya", "uganda"],
        )
        dates = dict(Situation.objects.values_list("code", "status_date"))
        self.assertEqual(dates["georgia"], datetime.date(2022, 12, 16))
        self.assertEqual(dates["car_ii"], datetime.date(2022, 12, 16))
        self.assertIsNone(dates["uganda"])  # not verified: left empty, said in the note
        self.assertIn("11 December 2025", Situation.objects.get(code="venezuela_i").note)
        self.assertIn(
            "not a notification of withdrawal", Situation.objects.get(code="afghanistan").note
        )
        self.assertEqual(
            sorted(c for c, s in statuses.items() if s == SituationStatus.PRELIMINARY_EXAMINATION),
            ["lithuania_belarus", "nigeria", "venezuela_ii"],
        )

    def test_it_names_situations_in_four_languages(self) -> None:
        for situation in Situation.objects.all():
            names = situation.names()
            self.assertTrue(all(names.values()), names)
            self.assertNotEqual(names["ar"], names["en"])
            self.assertTrue(situation.countries)
        palestine = Situation.objects.get(code="palestine")
        self.assertEqual(palestine.name("fr"), "Situation dans l'État de Palestine")
        self.assertEqual(palestine.countries, ["PS"])
        self.assertEqual(Situation.objects.get(code="bangladesh_myanmar").countries, ["BD", "MM"])

    def test_it_uses_only_known_statuses_and_countries(self) -> None:
        from django_countries import countries

        for situation in situations.SITUATIONS:
            self.assertIn(situation.status, SituationStatus.values)
            for code in situation.countries:
                self.assertIn(code, countries)


class StatePartyDataTests(ReferenceTestCase):
    def test_it_follows_article_126_for_entry_into_force(self) -> None:
        """The first day of the month after the 60th day following deposit."""
        statute_in_force = datetime.date(2002, 7, 1)
        for party in states_parties.STATES_PARTIES:
            if party.country == "ME":  # succession: bound from independence
                continue
            deposited = party.instrument_deposited
            if deposited <= datetime.date(2002, 4, 11):
                expected = statute_in_force
            else:
                sixtieth = deposited + datetime.timedelta(days=60)
                expected = (sixtieth.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)
            with self.subTest(party.country):
                self.assertEqual(party.entry_into_force, expected)

    def test_it_lists_each_state_once(self) -> None:
        codes = [party.country for party in states_parties.STATES_PARTIES]
        self.assertEqual(len(codes), len(set(codes)))
        self.assertEqual(len(codes), 127)  # 125 parties and 2 former parties
