"""The country list and the situation names agree, in every language."""

from __future__ import annotations

import pytest
from django.test import SimpleTestCase

from amparo.reference import api
from amparo.reference.data.situations import SITUATIONS

LANGUAGES = ("en", "fr", "es", "ar")


def _plain(text: str) -> str:
    return text.replace("\u2019", "'").casefold()


class CountryNameTests(SimpleTestCase):
    def test_it_names_every_situation_country_as_the_situation_does(self) -> None:
        disagreements = [
            f"{situation.code} ({lang}): «{api.country_name(code, lang)}» is not in "
            f"«{getattr(situation, lang)}»"
            for situation in SITUATIONS
            for code in situation.countries
            for lang in LANGUAGES
            if _plain(api.country_name(code, lang)) not in _plain(getattr(situation, lang))
        ]
        self.assertEqual(disagreements, [])

    def test_it_uses_the_united_nations_names(self) -> None:
        self.assertEqual(api.country_name("ES", "ar"), "إسبانيا")
        self.assertEqual(api.country_name("CI", "ar"), "كوت ديفوار")
        self.assertEqual(api.country_name("CI", "es"), "Côte d'Ivoire")
        self.assertEqual(api.country_name("CD", "en"), "Democratic Republic of the Congo")
        self.assertEqual(api.country_name("PS", "fr"), "État de Palestine")

    def test_it_still_sorts_the_overridden_names_with_the_others(self) -> None:
        names = [name for _code, name in api.country_choices("ar")]
        self.assertEqual(names, sorted(names, key=api._sort_key))
        self.assertIn("إسبانيا", names)


@pytest.mark.parametrize("lang", LANGUAGES)
def test_it_offers_every_country_once(lang: str) -> None:
    codes = [code for code, _name in api.country_choices(lang)]
    assert len(codes) == len(set(codes)) > 240
