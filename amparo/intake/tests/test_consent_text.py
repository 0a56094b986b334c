"""What a reporter reads before the first choice, and the deployment check
that keeps the demo's desk texts off a real installation."""

from __future__ import annotations

import copy

from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.test import override_settings
from django.utils import translation

from amparo.intake import questionnaire as q
from amparo.intake.checks import MUST_BE_WRITTEN, desk_texts_written
from amparo.intake.desk_texts import DEFAULTS
from amparo.intake.models import DeskText, Questionnaire
from amparo.intake.schema import definition_errors
from amparo.intake.templatetags.desk_text import desk_text
from amparo.intake.tests.helpers import IntakeTestCase

LANGUAGES = ("en", "fr", "es", "ar")


class ConsentTextTests(IntakeTestCase):
    def test_it_says_who_runs_the_desk_who_reads_how_long_and_how_to_withdraw_first(self) -> None:
        DeskText.objects.create(key="about", language="fr", text="Tenue par la coalition XYZ.")
        for lang in LANGUAGES:
            with self.subTest(lang):
                html = self.client.get(f"/{lang}/report/").content.decode()
                first_choice = html.index('name="consent_store"')
                about = (
                    "Tenue par la coalition XYZ." if lang == "fr" else DEFAULTS["about"][lang][:40]
                )
                intro = q.tr(q.current()["consent"]["intro"], lang)
                for must_come_first in (
                    about,
                    intro.split("\n\n")[0][:40],  # who reads it
                    intro.split("\n\n")[2][:40],  # changing or withdrawing, with the code
                    intro.split("\n\n")[3][:40],  # what statistics means
                    DEFAULTS["retention"][lang][:40],  # how long it is kept
                ):
                    self.assertLess(html.index(must_come_first), first_choice, must_come_first)

    def test_the_shipped_version_is_in_use_and_the_old_one_kept(self) -> None:
        self.assertEqual(Questionnaire.objects.get(is_current=True).version, "2026-2")
        self.assertTrue(Questionnaire.objects.filter(version="2026-1").exists())
        self.assertEqual(q.by_version("2026-1"), q.shipped_definition("2026-1"))


class UrgentBlockSchemaTests(IntakeTestCase):
    def test_the_shipped_definitions_are_valid(self) -> None:
        for version in q.SHIPPED_VERSIONS:
            self.assertEqual(definition_errors(q.shipped_definition(version)), [], version)

    def test_it_refuses_an_urgent_form_without_the_consent_to_store_or_too_long(self) -> None:
        definition = copy.deepcopy(q.shipped_definition())
        definition["urgent"]["consent"] = ["contact"]
        definition["urgent"]["questions"] *= 3
        with translation.override("en"):
            errors = definition_errors(definition)
        self.assertIn("$.urgent.consent: must include the consent to store the report", errors)
        self.assertIn("$.urgent.questions: has too many questions", errors)

    def test_it_refuses_an_urgent_question_that_reuses_a_full_form_id(self) -> None:
        definition = copy.deepcopy(q.shipped_definition())
        definition["urgent"]["questions"][0]["id"] = "what_happened"
        with translation.override("en"):
            errors = definition_errors(definition)
        self.assertIn("$.urgent.questions[0].id: is used twice or is reserved", errors)


class DeployCheckTests(IntakeTestCase):
    def test_it_passes_outside_production(self) -> None:
        self.assertEqual(desk_texts_written(), [])

    @override_settings(PRODUCTION=True)
    def test_it_fails_in_production_while_the_demo_texts_are_shown(self) -> None:
        [error] = desk_texts_written()
        self.assertEqual(error.id, "intake.E001")
        self.assertIn("about (ar)", error.msg)
        with self.assertRaisesMessage(SystemCheckError, "intake.E001"):
            call_command("check", deploy=True, tags=["security"], fail_level="ERROR")

    @override_settings(PRODUCTION=True)
    def test_it_passes_once_every_text_is_written_in_every_language(self) -> None:
        for key in MUST_BE_WRITTEN:
            for lang in LANGUAGES:
                DeskText.objects.create(key=key, language=lang, text=f"Our own {key}")
        self.assertEqual(desk_texts_written(), [])
        DeskText.objects.filter(key="emergency", language="es").update(text="  ")
        [error] = desk_texts_written()
        self.assertIn("emergency (es)", error.msg)
        self.assertNotIn("about", error.msg)


class PhoneLinkTests(IntakeTestCase):
    def test_it_turns_phone_numbers_into_links_that_read_left_to_right(self) -> None:
        html = desk_text("Ligne : \u200e+353 1 210 0489\u200e.\n\nhelp@accessnow.org <b>")
        self.assertIn('<a class="tel" href="tel:+35312100489" dir="ltr">+353 1 210 0489</a>', html)
        self.assertIn('<a href="mailto:help@accessnow.org">', html)
        self.assertIn("&lt;b&gt;", html)
        self.assertEqual(html.count("<p>"), 2)

    def test_the_emergency_contacts_have_tappable_numbers_in_every_language(self) -> None:
        for lang in LANGUAGES:
            with self.subTest(lang):
                page = self.client.get(f"/{lang}/danger/")
                self.assertContains(page, 'href="tel:+35312100489"')


class DeployCheckWithoutTablesTests(IntakeTestCase):
    @override_settings(PRODUCTION=True)
    def test_it_says_nothing_when_the_database_is_not_migrated_yet(self) -> None:
        from unittest import mock

        from django.db import OperationalError

        with mock.patch(
            "amparo.intake.models.DeskText.objects.values_list",
            side_effect=OperationalError("no such table"),
        ):
            self.assertEqual(desk_texts_written(), [])
