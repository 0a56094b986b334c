"""Search across decrypted content and coding, in the four languages."""

from __future__ import annotations

from amparo.audit.models import AuditEvent
from amparo.cases.actions.desk import do_add_message, do_add_note
from amparo.cases.models import Case, Sender
from amparo.cases.search import normalise, query_terms, search_cases, snippet
from amparo.cases.tests.base import DeskTestCase, add_file, make_case
from amparo.cases.tests.test_inbox import code

SEARCH = "/en/staff/cases/search/"


class NormaliseTests(DeskTestCase):
    def test_it_ignores_accents_case_and_width(self) -> None:
        self.assertEqual(normalise("DÉTENTION"), "detention")
        self.assertEqual(normalise("Represálias"), "represalias")
        self.assertEqual(normalise("Straße"), "strasse")
        self.assertEqual(normalise("\uff21\uff2d\uff30"), "amp")  # full-width AMP

    def test_it_folds_arabic_variants(self) -> None:
        self.assertEqual(normalise("اعتُقِلَ"), normalise("اعتقل"))  # tashkeel
        self.assertEqual(normalise("إعتقال"), normalise("اعتقال"))  # hamza below
        self.assertEqual(normalise("أحمد"), normalise("احمد"))  # hamza above
        self.assertEqual(normalise("آمنة"), normalise("امنه"))  # madda, taa marbuta
        self.assertEqual(normalise("مستشفى"), normalise("مستشفي"))  # alef maqsura
        self.assertEqual(normalise("المحكـــمة"), normalise("المحكمة"))  # tatweel
        self.assertEqual(normalise("٢٠٢٦"), "2026")  # Arabic-Indic digits

    def test_it_splits_the_query_into_words(self) -> None:
        self.assertEqual(
            query_terms("  «Détention», arbitraire détention "), ["detention", "arbitraire"]
        )
        self.assertEqual(query_terms(" ,; "), [])

    def test_it_quotes_the_text_as_written_around_a_match(self) -> None:
        text = "Il a été placé en détention à Bunia, puis relâché."
        self.assertEqual(snippet(text, "detention", width=20), "…placé en détention à Bunia,…")


class SearchTests(DeskTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.sign_in(self.coordinator)

    def found(self, query: str) -> list[str]:
        response = self.client.post(SEARCH, {"q": query})
        self.assertEqual(response.status_code, 200)
        return [hit.reference for hit in response.context["outcome"].hits]

    def test_it_finds_french_without_accents(self) -> None:
        case = make_case("Il a été placé en détention à Bunia.", language="fr").case
        make_case("Nothing to see here")
        self.assertEqual(self.found("detention"), [case.reference])
        self.assertEqual(self.found("DÉTENTION bunia"), [case.reference])
        self.assertEqual(self.found("detention kinshasa"), [])

    def test_it_finds_spanish_with_or_without_accents(self) -> None:
        case = make_case(
            "La policía me detuvo tras denunciar represalias ante la Fiscalía.", language="es"
        ).case
        self.assertEqual(self.found("represálias policia"), [case.reference])
        self.assertEqual(self.found("FISCALIA"), [case.reference])

    def test_it_finds_arabic_with_and_without_diacritics(self) -> None:
        voweled = make_case("اعتُقِلَ المدافعُ عن حقوقِ الإنسانِ بعدَ إدلائِه بشهادتِه", language="ar").case
        plain = make_case("تلقت المدافعة تهديدا بالقتل من الشرطة", language="ar").case
        self.assertEqual(self.found("اعتقل"), [voweled.reference])
        self.assertEqual(self.found("ادلائه"), [voweled.reference])
        self.assertEqual(self.found("تَهدِيداً بالقَتلِ"), [plain.reference])
        self.assertEqual(self.found("المدافعه"), [plain.reference])  # taa marbuta typed as haa

    def test_it_searches_messages_notes_file_names_and_the_reference(self) -> None:
        created = make_case("Report")
        case = created.case
        do_add_message(created.opened, sender=Sender.REPORTER, text="They took my passport")
        do_add_note(created.opened, self.coordinator.user, "Ask the Registry", expected_version=2)
        add_file(created.opened, b"x", name="témoignage-mars.pdf")
        self.assertEqual(self.found("passport"), [case.reference])
        self.assertEqual(self.found("registry"), [case.reference])
        self.assertEqual(self.found("temoignage"), [case.reference])
        self.assertEqual(self.found(case.reference.lower()), [case.reference])
        response = self.client.post(SEARCH, {"q": "passport"})
        self.assertContains(response, "in a message")
        self.assertContains(response, "They took my passport")

    def test_it_finds_the_coding_in_any_language(self) -> None:
        case = make_case("Coded").case
        code(
            case,
            self.coordinator.user,
            reprisal_types=["judicial.arbitrary_detention"],
            engagement=["witness"],
            country="UG",
        )
        self.assertEqual(self.found("detención arbitrarios"), [case.reference])  # Spanish label
        self.assertEqual(self.found("الاحتجاز التعسفي"), [case.reference])  # Arabic label
        self.assertEqual(self.found("témoin ouganda"), [case.reference])  # French labels
        response = self.client.post(SEARCH, {"q": "temoin"})
        self.assertContains(response, "in the coding")

    def test_it_searches_only_the_cases_the_person_may_see(self) -> None:
        mine = self.assign(make_case("The word is pelican").case, self.handler)
        make_case("Another pelican, not assigned to the handler")
        self.sign_in(self.handler)
        self.assertEqual(self.found("pelican"), [mine.reference])
        self.sign_in(self.outsider)
        self.assertEqual(self.found("pelican"), [])

    def test_it_audits_every_search_without_the_words(self) -> None:
        make_case("Secret name Zanele")
        make_case("Other")
        self.found("zanele")
        event = AuditEvent.objects.filter(action="search").get()
        self.assertEqual(event.details, {"cases_searched": 2, "found": 1})
        self.assertEqual(event.actor_id, self.coordinator.user.pk)
        self.assertNotIn("zanele", str(event.details).lower())

    def test_it_counts_a_case_it_cannot_decrypt_and_goes_on(self) -> None:
        broken = make_case("Damaged row with owl").case
        good = make_case("Healthy row with owl").case
        Case.objects.filter(pk=broken.pk).update(answers=b"\x01" + bytes(100))
        with self.assertLogs("amparo.cases", level="WARNING"):
            outcome = search_cases(self.coordinator.user, self.coordinator.private_key(), "owl")
        self.assertEqual([hit.reference for hit in outcome.hits], [good.reference])
        self.assertEqual((outcome.unreadable, outcome.searched), (1, 2))

    def test_it_requires_words(self) -> None:
        make_case()
        response = self.client.post(SEARCH, {"q": ""})
        self.assertEqual(response.status_code, 200)
        self.assertIsNone(response.context["outcome"])
        self.assertFalse(AuditEvent.objects.filter(action="search").exists())

    def test_it_pages_through_more_cases_than_one_chunk(self) -> None:
        from amparo.cases import search

        for index in range(7):
            make_case(f"heron number {index}", with_receipt=False)
        original = search.CHUNK
        search.CHUNK = 3
        self.addCleanup(setattr, search, "CHUNK", original)
        outcome = search_cases(
            self.coordinator.user, self.coordinator.private_key(), "heron", max_hits=5
        )
        self.assertEqual((outcome.found, len(outcome.hits), outcome.searched), (7, 5, 7))


class SearchByPostTests(DeskTestCase):
    """The words never travel in a URL (issue 15): logs, history and Referer keep URLs."""

    def test_the_form_posts_the_words(self) -> None:
        self.sign_in(self.coordinator)
        page = self.client.get(SEARCH).content.decode()
        self.assertIn('<form method="post" role="search"', page)
        self.assertIn('name="csrfmiddlewaretoken"', page)

    def test_a_query_string_is_never_searched(self) -> None:
        case = make_case("The word is heron").case
        self.sign_in(self.coordinator)
        response = self.client.get(SEARCH, {"q": "heron"})
        self.assertEqual(response.status_code, 200)
        self.assertIsNone(response.context["outcome"])
        self.assertNotContains(response, case.reference)
        self.assertEqual(self.client.post(SEARCH, {"q": "heron"}).status_code, 200)

    def test_the_search_needs_the_csrf_token(self) -> None:
        self.sign_in(self.coordinator)
        self.client.handler.enforce_csrf_checks = True
        self.assertEqual(self.client.post(SEARCH, {"q": "heron"}).status_code, 403)
