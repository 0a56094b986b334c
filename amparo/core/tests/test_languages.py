import re

from django.test import TestCase
from django.utils import translation

LANGUAGES = {"en": "ltr", "fr": "ltr", "es": "ltr", "ar": "rtl"}


class LanguageTests(TestCase):
    def test_it_serves_the_home_page_in_each_language_with_lang_and_dir(self) -> None:
        titles = set()
        for code, direction in LANGUAGES.items():
            response = self.client.get(f"/{code}/")
            self.assertEqual(response.status_code, 200)
            body = response.content.decode()
            self.assertIn(f'<html lang="{code}" dir="{direction}">', body)
            titles.add(re.search(r"<h1>(.*?)</h1>", body).group(1))  # type: ignore[union-attr]
        # Each language shows its own heading: the catalogs are compiled and used.
        self.assertEqual(len(titles), 4)

    def test_it_switches_language_with_plain_links(self) -> None:
        body = self.client.get("/fr/staff/login/").content.decode()
        for code in LANGUAGES:
            self.assertIn(f'href="/{code}/staff/login/"', body)

    def test_it_answers_an_unknown_prefix_with_404_in_the_default_language(self) -> None:
        response = self.client.get("/xx/")
        self.assertEqual(response.status_code, 404)
        self.assertIn('<html lang="en" dir="ltr">', response.content.decode())
        self.assertContains(response, "Page not found", status_code=404)

    def test_it_redirects_the_bare_root_to_a_language(self) -> None:
        response = self.client.get("/", headers={"accept-language": "es"})
        self.assertRedirects(response, "/es/", fetch_redirect_response=False)

    def test_it_translates_error_pages(self) -> None:
        response = self.client.get("/ar/no-such-page/")
        self.assertEqual(response.status_code, 404)
        with translation.override("ar"):
            expected = translation.gettext("Page not found")
        self.assertNotEqual(expected, "Page not found")
        self.assertContains(response, expected, status_code=404)
