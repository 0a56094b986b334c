from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from amparo.reference import api
from amparo.reference.models import Term
from amparo.reference.tests.base import ReferenceTestCase


class ChoicesTests(ReferenceTestCase):
    def test_it_offers_leaf_terms_in_list_order(self) -> None:
        choices = api.choices("reprisal_type", language="en")
        codes = [code for code, _label in choices]
        self.assertEqual(codes[0], "life.killing")
        self.assertEqual(codes[-1], "other")
        self.assertNotIn("threats", codes)  # a category with items is a heading
        self.assertIn(("threats.death_threat", "Death threat"), choices)
        self.assertEqual(len(codes), 44)

    def test_it_follows_the_active_language(self) -> None:
        with translation.override("fr"):
            self.assertIn(("threats.death_threat", "Menace de mort"), api.choices("reprisal_type"))
        with translation.override("es"):
            self.assertIn(("confirmed", "Confirmado"), api.choices("confidence"))
        with translation.override("ar"):
            self.assertIn(("family", "أسرة"), api.choices("target"))
        self.assertIn(("family", "Famille"), api.choices("target", language="fr-ca"))

    def test_it_falls_back_to_english(self) -> None:
        Term.objects.filter(reference_list__code="target", code="family").update(label_es="")
        self.assertIn(("family", "Family"), api.choices("target", language="es"))
        self.assertIn(("family", "Family"), api.choices("target", language="de"))
        term = Term.objects.get(reference_list__code="target", code="family")
        self.assertEqual(term.label("es"), "Family")
        with translation.override("ar"):
            self.assertEqual(term.label(), "أسرة")

    def test_it_groups_reprisal_types_by_category(self) -> None:
        with translation.override("es"):
            groups = api.grouped_choices("reprisal_type")
        self.assertEqual(len(groups), 9)
        label, options = groups[1]
        self.assertEqual(label, "Amenazas")
        self.assertEqual(options[0], ("threats.death_threat", "Amenaza de muerte"))
        self.assertEqual(groups[-1], ("Otro", [("other", "Otro")]))
        flat = [code for _label, options in groups for code, _ in options]
        self.assertEqual(flat, [code for code, _ in api.choices("reprisal_type")])

    def test_it_leaves_out_inactive_terms_and_the_items_of_inactive_categories(self) -> None:
        Term.objects.filter(reference_list__code="reprisal_type", code="threats.stalking").update(
            active=False
        )
        Term.objects.filter(reference_list__code="reprisal_type", code="movement").update(
            active=False
        )
        codes = [code for code, _ in api.choices("reprisal_type")]
        self.assertNotIn("threats.stalking", codes)
        self.assertNotIn("movement.travel_ban", codes)
        self.assertEqual(len(api.grouped_choices("reprisal_type")), 8)
        everything = [code for code, _ in api.choices("reprisal_type", include_inactive=True)]
        self.assertIn("threats.stalking", everything)
        self.assertIn("movement.travel_ban", everything)
        # A retired term still has its label, for cases coded with it.
        self.assertEqual(api.term_label("reprisal_type", "threats.stalking", "en"), "Stalking")

    def test_it_labels_terms_and_tolerates_unknown_codes(self) -> None:
        self.assertEqual(api.term_label("involvement", "direct", "fr"), "Auteur direct")
        self.assertEqual(api.term_label("reprisal_type", "threats", "ar"), "التهديدات")
        self.assertEqual(api.term_label("reprisal_type", "retired.code", "en"), "retired.code")
        with self.assertRaises(LookupError):
            api.choices("no_such_list")

    def test_it_reads_each_list_once_per_request(self) -> None:
        with api.request_cache(), CaptureQueriesContext(connection) as queries:
            for _ in range(3):
                api.choices("reprisal_type", language="fr")
                api.grouped_choices("reprisal_type", language="ar")
                for code, _label in api.choices("confidence"):
                    api.term_label("confidence", code)
                api.situation_choices("es")
        self.assertEqual(len(queries), 3)  # reprisal types, confidence, situations
        with self.assertNumQueries(1):
            api.choices("target")  # outside a request nothing is cached

    def test_it_sees_changes_made_in_the_same_request(self) -> None:
        from amparo.reference.actions import do_update_term

        term = Term.objects.get(reference_list__code="target", code="family")
        with api.request_cache():
            self.assertIn(("family", "Family"), api.choices("target", language="en"))
            labels = {**term.labels(), "en": "Family members"}
            do_update_term(self.admin, term, labels=labels, position=term.position, active=True)
            self.assertIn(("family", "Family members"), api.choices("target", language="en"))


class SituationChoicesTests(ReferenceTestCase):
    def test_it_names_situations_in_the_language(self) -> None:
        self.assertEqual(api.situation_choices("en")[0], ("uganda", "Situation in Uganda"))
        with translation.override("fr"):
            self.assertIn(("ukraine", "Situation en Ukraine"), api.situation_choices())
        self.assertIn(("ukraine", "الحالة في أوكرانيا"), api.situation_choices("ar"))
        self.assertEqual(api.situation_name("darfur", "es"), "Situación en Darfur (Sudán)")


class CountryTests(ReferenceTestCase):
    def test_it_names_and_sorts_countries_in_the_language(self) -> None:
        for lang in ("en", "fr", "es", "ar"):
            choices = api.country_choices(lang)
            self.assertEqual(len(choices), 249)
            keys = [api._sort_key(name) for _code, name in choices]
            self.assertEqual(keys, sorted(keys), lang)
        french = dict(api.country_choices("fr"))
        self.assertEqual(french["DE"], "Allemagne")
        self.assertEqual(dict(api.country_choices("es"))["DE"], "Alemania")
        arabic = api.country_choices("ar")
        self.assertEqual(dict(arabic)["DE"], "ألمانيا")
        # Sorted in Arabic, not in the English order.
        self.assertNotEqual(arabic[0][0], "AF")
        self.assertEqual(api.country_choices("fr")[0], ("AF", "Afghanistan"))
        with translation.override("es"):
            self.assertEqual(api.country_name("ES"), "España")


class RegionTests(ReferenceTestCase):
    def test_it_maps_countries_to_un_m49_regions(self) -> None:
        self.assertEqual(api.region_for("UG"), "002")
        self.assertEqual(api.region_for("VE"), "419")
        self.assertEqual(api.region_for("VE", split_americas=False), "019")
        self.assertEqual(api.region_for("us"), "021")
        self.assertEqual(api.region_for("PS"), "142")
        self.assertEqual(api.region_for("UA"), "150")
        self.assertEqual(api.region_for("FJ"), "009")
        self.assertEqual(api.region_for("AQ"), "")
        self.assertEqual(api.region_for("ZZ"), "")

    def test_it_maps_every_country_but_antarctica(self) -> None:
        unmapped = {code for code, _ in api.country_choices("en") if not api.region_for(code)}
        self.assertEqual(unmapped, {"AQ"})

    def test_it_names_regions_in_the_language(self) -> None:
        self.assertEqual(api.region_label("002", "fr"), "Afrique")
        self.assertEqual(api.region_label("419", "es"), "América Latina y el Caribe")
        self.assertEqual(api.region_label("142", "ar"), "آسيا")
        with translation.override("fr"):
            self.assertEqual(api.region_label(api.region_for("UA")), "Europe")
        self.assertEqual(api.region_label("999"), "999")
        self.assertEqual(len(api.region_choices("en")), 6)
        self.assertEqual(
            [code for code, _ in api.region_choices(split_americas=False)],
            ["002", "019", "142", "150", "009"],
        )
