"""The per-process memo of the public pages' settings (amparo.lib.process_cache): read
once, and forgotten at once when an administrator changes something, here or in
another worker. The rest of the suite runs with the memo off (settings_test)."""

from __future__ import annotations

import re
from typing import Any
from unittest import mock

from django.core.cache import cache
from django.test import override_settings

from amparo.intake import emergency
from amparo.intake import questionnaire as q
from amparo.intake.actions import do_set_desk_texts
from amparo.intake.desk_texts import desk_texts
from amparo.intake.models import DeskText, EmergencyContact
from amparo.intake.tests import test_emergency_contacts, test_questionnaire
from amparo.intake.tests.helpers import TOKEN_RE, IntakeTestCase
from amparo.lib import process_cache
from amparo.reference import api as reference
from amparo.reference.actions import do_update_term
from amparo.reference.models import LANGUAGE_CODES, Term

ON = override_settings(AMPARO_PUBLIC_CACHE_SECONDS=60)


class MemoOn:
    """Start each test with an empty memo, and the memo on."""

    def setUp(self) -> None:
        process_cache._forget()
        ON.enable()
        self.addCleanup(ON.disable)  # type: ignore[attr-defined]
        self.addCleanup(process_cache._forget)  # type: ignore[attr-defined]
        super().setUp()  # type: ignore[misc]


class ProcessCacheTests(MemoOn, IntakeTestCase):
    def test_the_public_settings_are_read_once_per_process(self) -> None:
        with self.assertNumQueries(4):
            desk_texts("fr")
            q.current()
            q.by_version("2026-1")
            emergency.contacts_for("UG")
        with self.assertNumQueries(0):
            desk_texts("fr")
            q.current()
            q.by_version("2026-1")
            emergency.contacts_for("UG")

    def test_a_form_page_and_a_report_read_no_settings_once_they_are_kept(self) -> None:
        self.client.get("/en/report/")
        with self.assertNumQueries(0):
            self.client.get("/en/report/")

    def test_the_kept_questions_are_the_page_rendered_afresh(self) -> None:
        def page(language: str) -> str:
            html = self.client.get(f"/{language}/report/").content.decode()
            html = TOKEN_RE.sub("", html)
            return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html)

        for language in ("en", "ar"):
            with self.subTest(language):
                kept = page(language), page(language)
                with override_settings(AMPARO_PUBLIC_CACHE_SECONDS=0):
                    fresh = page(language)
                self.assertEqual(kept[0], fresh)
                self.assertEqual(kept[1], fresh)
                self.assertIn('name="country"', fresh)

    def test_an_administrators_change_shows_at_once(self) -> None:
        self.assertNotIn("Coalition XYZ", desk_texts("en")["about"])
        do_set_desk_texts(self.administrator.user, {("about", "en"): "Run by Coalition XYZ."})
        self.assertEqual(desk_texts("en")["about"], "Run by Coalition XYZ.")

    def test_a_saved_or_deleted_row_shows_at_once(self) -> None:
        emergency.contacts_for()
        contact = EmergencyContact.objects.create(name="Local network", phone="+256 1")
        self.assertIn(contact, emergency.contacts_for())
        contact.delete()
        self.assertNotIn("Local network", [c.name for c in emergency.contacts_for()])
        text = DeskText.objects.create(key="about", language="es", text="Coalición XYZ.")
        self.assertEqual(desk_texts("es")["about"], "Coalición XYZ.")
        text.delete()
        self.assertNotEqual(desk_texts("es")["about"], "Coalición XYZ.")

    def test_a_change_announced_by_another_worker_is_seen_within_a_second(self) -> None:
        desk_texts("en")
        # Another worker changed a text: the database and the shared generation moved,
        # but no signal reached this process.
        DeskText.objects.filter(key="about", language="en").delete()
        DeskText.objects.bulk_create([DeskText(key="about", language="en", text="Changed.")])
        cache.set(process_cache.GENERATION_KEY, "another worker's change", None)
        now = process_cache.time.monotonic()
        with mock.patch.object(process_cache.time, "monotonic", return_value=now + 0.1):
            self.assertNotEqual(desk_texts("en")["about"], "Changed.")  # not checked yet
        with mock.patch.object(process_cache.time, "monotonic", return_value=now + 1.5):
            self.assertEqual(desk_texts("en")["about"], "Changed.")

    def test_nothing_is_kept_longer_than_the_set_age(self) -> None:
        desk_texts("en")
        DeskText.objects.bulk_create(
            [DeskText(key="about", language="en", text="Behind its back.")]
        )
        now = process_cache.time.monotonic()
        cache.set(process_cache.GENERATION_KEY, process_cache._state["shared"], None)
        with mock.patch.object(process_cache.time, "monotonic", return_value=now + 61):
            self.assertEqual(desk_texts("en")["about"], "Behind its back.")

    def test_without_the_shared_cache_nothing_is_kept(self) -> None:
        process_cache._state["checked"] = -process_cache.CHECK_SECONDS
        with (
            mock.patch.object(process_cache.cache, "get", side_effect=ConnectionError),
            mock.patch.object(process_cache.cache, "set", side_effect=ConnectionError),
            self.assertLogs("amparo.lib", "WARNING"),
        ):
            with self.assertNumQueries(2):
                desk_texts("en")
                process_cache._state["checked"] = -process_cache.CHECK_SECONDS
                desk_texts("en")
            process_cache.invalidate()  # cannot announce: said so, does not fail

    def test_a_value_read_while_a_change_is_announced_is_not_kept(self) -> None:
        def load() -> str:
            process_cache.invalidate()  # the change lands while this reads
            return "old"

        self.assertEqual(process_cache.remember("key", load), "old")
        self.assertEqual(process_cache.remember("key", lambda: "new"), "new")

    def test_an_edited_reference_term_shows_at_once_in_the_form(self) -> None:
        self.client.get("/en/report/")
        term = Term.objects.get(reference_list__code="engagement", code="witness")
        labels: dict[str, Any] = {lang: getattr(term, f"label_{lang}") for lang in LANGUAGE_CODES}
        labels["en"] = "Witness before the Court (edited)"
        do_update_term(
            self.administrator.user, term, labels=labels, position=term.position, active=True
        )
        self.assertContains(self.client.get("/en/report/"), "Witness before the Court (edited)")
        with reference.request_cache():
            self.assertIn(
                ("witness", "Witness before the Court (edited)"), reference.choices("engagement")
            )


# The administrators' own flows, again with the memo on: what they change shows at once.
class QuestionnairePagesWithTheMemo(MemoOn, test_questionnaire.AdministratorPageTests):
    pass


class DeskTextsWithTheMemo(MemoOn, test_questionnaire.DeskTextTests):
    pass


class EmergencyContactsWithTheMemo(MemoOn, test_emergency_contacts.EmergencyContactTests):
    pass
