"""No English left on the French, Spanish and Arabic public pages.

Every public page is rendered in English and in each other language, and
every piece of visible text of the translated page that is word for word
the English page's is reported, apart from names that are the same in every
language (the desk's name, organisations, the language list).
"""

from __future__ import annotations

import re
from html.parser import HTMLParser

from amparo.intake.tests.helpers import IntakeTestCase, receipt_from, report_data
from amparo.intake.tests.test_urgent import urgent_data

# Text that is rightly the same in every language.
SAME_EVERYWHERE = {
    "Amparo",
    "English",
    "français",
    "español",
    "العربيّة",
    "Front Line Defenders",
    "Access Now",
    "help@accessnow.org",
    "PDF",
}
# Words that are spelled the same in English and in that language.
SAME_IN = {"fr": {"Messages"}, "es": set(), "ar": set()}
# Inside these, the text is data (country names, codes, the reporter's own
# answers), not wording.
SKIPPED_TAGS = {"script", "style", "option", "bdi", "textarea", "dd"}


class _Text(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.skipping: list[str] = []
        self.pieces: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in SKIPPED_TAGS:
            self.skipping.append(tag)
        for name, value in attrs:
            # What a screen reader says is text too.
            if name in ("aria-label", "title", "alt", "placeholder") and value:
                self.pieces.append(value)

    def handle_endtag(self, tag: str) -> None:
        if self.skipping and self.skipping[-1] == tag:
            self.skipping.pop()

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.pieces.append(data)


def visible_text(html: str) -> set[str]:
    parser = _Text()
    parser.feed(html)
    pieces = {re.sub(r"\s+", " ", piece).strip(" .,:;()«»“”") for piece in parser.pieces}
    return {p for p in pieces if re.search(r"[A-Za-z]{3}", p) and p not in SAME_EVERYWHERE}


class NoEnglishLeftTests(IntakeTestCase):
    def pages(self, lang: str) -> dict[str, str]:
        """Every public page in ``lang``, each reached the way a reporter reaches it."""
        client = self.client_class()
        get = {
            path: client.get(f"/{lang}/{path}").content.decode()
            for path in ("", "report/", "danger/", "follow-up/", "report/thanks/")
        }
        get["report/thanks/?urgent=1"] = client.get(
            f"/{lang}/report/thanks/?urgent=1"
        ).content.decode()
        sent = client.post(f"/{lang}/danger/", urgent_data()).content.decode()
        get["receipt"] = sent
        get["receipt, wrong digits"] = client.post(
            f"/{lang}/report/received/", {"last4": "ab"}
        ).content.decode()
        get["form with errors"] = client.post(
            f"/{lang}/report/", report_data(what_happened="")
        ).content.decode()
        receipt = receipt_from(sent)
        client.post(f"/{lang}/follow-up/", {"receipt": receipt})
        get["follow-up report"] = client.get(f"/{lang}/follow-up/report/").content.decode()
        get["complete"] = client.get(f"/{lang}/follow-up/complete/").content.decode()
        get["gone"] = client.get(f"/{lang}/report/received/").content.decode()
        return get

    def test_it_leaves_no_english_on_the_translated_pages(self) -> None:
        english = self.pages("en")
        for lang in ("fr", "es", "ar"):
            for name, html in self.pages(lang).items():
                with self.subTest(lang=lang, page=name):
                    left = visible_text(html) & visible_text(english[name]) - SAME_IN[lang]
                    self.assertEqual(left, set(), f"English left on {name} ({lang})")

    def test_it_would_notice_an_untranslated_string(self) -> None:
        html = "<p>Bonjour</p><p>Write this code down now.</p><option>Kenya</option>"
        self.assertEqual(
            visible_text(html) & visible_text("<p>Write this code down now.</p>"),
            {"Write this code down now"},
        )
