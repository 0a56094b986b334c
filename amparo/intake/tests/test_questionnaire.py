"""Questionnaires as data: the shipped version, the schema check, the
administrators' page, and reports that keep the version they were answered with."""

from __future__ import annotations

import copy
import json
from typing import Any

from django.utils import translation

from amparo.audit.models import AuditEvent
from amparo.cases.models import Case
from amparo.cases.vault import open_for_staff
from amparo.intake import questionnaire as q
from amparo.intake.models import Questionnaire
from amparo.intake.schema import definition_errors
from amparo.intake.tests.helpers import IntakeTestCase, report_data
from amparo.reference.models import ReferenceList


def new_version(version: str = "2026-3") -> dict[str, Any]:
    definition = copy.deepcopy(q.shipped_definition())
    definition["version"] = version
    definition["sections"][0]["questions"].append(
        {
            "id": "safe_now",
            "type": "choice",
            "required": True,
            "label": {
                "en": "Are you safe now?",
                "fr": "Êtes-vous en sécurité ?",
                "es": "¿Está a salvo?",
                "ar": "هل أنت في أمان الآن؟",
            },
            "options": [
                {"value": "yes", "label": {"en": "Yes", "fr": "Oui", "es": "Sí", "ar": "نعم"}},
                {"value": "no", "label": {"en": "No", "fr": "Non", "es": "No", "ar": "لا"}},
            ],
        }
    )
    return definition


class SchemaTests(IntakeTestCase):
    def setUp(self) -> None:
        super().setUp()
        # Messages come in the active language; an earlier request may have left another.
        override = translation.override("en")
        override.__enter__()
        self.addCleanup(override.__exit__, None, None, None)

    def test_it_ships_a_valid_definition_loaded_by_the_migration(self) -> None:
        lists = set(ReferenceList.objects.values_list("code", flat=True))
        self.assertEqual(definition_errors(q.shipped_definition(), known_lists=lists), [])
        row = Questionnaire.objects.get(is_current=True)
        self.assertEqual(row.version, q.SHIPPED_VERSION)
        self.assertEqual(row.definition, q.shipped_definition())

    def test_it_names_every_problem_with_its_place(self) -> None:
        broken = copy.deepcopy(q.shipped_definition())
        broken["version"] = "bad version!"
        del broken["title"]["ar"]
        broken["consent"]["choices"][0]["required"] = False
        question = broken["sections"][1]["questions"][0]
        question["type"] = "essay"
        question["requird"] = True
        broken["sections"][1]["questions"][1]["id"] = "reporting_for"  # used twice
        broken["sections"][1]["questions"][6]["list"] = "no_such_list"
        errors = definition_errors(broken, known_lists={"engagement"})
        joined = "\n".join(errors)
        self.assertIn("$.version:", joined)
        self.assertIn("$.title.ar: is missing or empty", joined)
        self.assertIn("$.consent.choices[0].required:", joined)
        self.assertIn("$.sections[1].questions[0].type: must be one of", joined)
        self.assertIn("$.sections[1].questions[0].requird: is not a known key", joined)
        self.assertIn("$.sections[1].questions[1].id: is used twice or is reserved", joined)
        self.assertIn("$.sections[1].questions[6].list: is not a known reference list", joined)

    def test_it_refuses_reserved_names_and_colliding_date_parts(self) -> None:
        definition = new_version()
        definition["sections"][0]["questions"][0]["id"] = "urgent"
        definition["sections"][2]["questions"][0]["id"] = "when_year"
        errors = definition_errors(definition, known_lists={"engagement"})
        self.assertEqual(len([e for e in errors if "reserved" in e]), 2)

    def test_it_refuses_what_is_not_an_object(self) -> None:
        self.assertEqual(definition_errors([1, 2]), ["$: must be an object ({…})"])


class AdministratorPageTests(IntakeTestCase):
    def post_definition(self, definition: Any, make_current: bool = True):  # type: ignore[no-untyped-def]
        text = definition if isinstance(definition, str) else json.dumps(definition)
        data = {"definition": text}
        if make_current:
            data["make_current"] = "on"
        return self.client.post("/en/staff/intake/questionnaires/new/", data)

    def test_it_is_for_administrators_only(self) -> None:
        url = "/en/staff/intake/questionnaires/"
        self.assertEqual(self.client.get(url).status_code, 302)  # to sign-in
        for persona in (self.coordinator, self.handler, self.analyst):
            self.sign_in(persona)
            self.assertEqual(self.client.get(url).status_code, 403)
            self.assertEqual(self.client.get("/en/staff/intake/texts/").status_code, 403)
        self.sign_in(self.administrator)
        self.assertContains(self.client.get(url), q.SHIPPED_VERSION)

    def test_it_adds_a_version_that_new_reports_use(self) -> None:
        self.sign_in(self.administrator)
        page = self.client.get("/en/staff/intake/questionnaires/new/")
        self.assertContains(
            page, "&quot;version&quot;: &quot;2026-2&quot;"
        )  # starts from the current one
        response = self.post_definition(new_version())
        self.assertRedirects(response, "/en/staff/intake/questionnaires/2026-3/")
        self.assertEqual(Questionnaire.objects.get(is_current=True).version, "2026-3")
        event = AuditEvent.objects.filter(action="settings_changed").last()
        self.assertEqual(event.target_id, "2026-3")

        self.client.logout()
        form = self.client.get("/fr/report/")
        self.assertContains(form, "Êtes-vous en sécurité ?")
        from amparo.intake.forms import make_token

        self.client.post("/en/report/", report_data(form_token=make_token("2026-3"), safe_now="no"))
        case = Case.objects.get()
        self.assertEqual(case.questionnaire_version, "2026-3")
        opened = open_for_staff(case, self.coordinator.user, self.coordinator.private_key())
        self.assertEqual(opened.answers()["safe_now"], "no")
        # A form shown before the change is still read with the version it showed.
        self.client.post("/en/report/", report_data())
        self.assertEqual(
            list(Case.objects.order_by("id").values_list("questionnaire_version", flat=True)),
            ["2026-3", "2026-2"],
        )
        labelled = q.labelled_answers("2026-3", opened.answers(), "es")
        [safe_now] = [a for s in labelled for a in s.answers if a.question_id == "safe_now"]
        self.assertEqual(safe_now.value, "No")

    def test_it_refuses_invalid_json_and_invalid_definitions(self) -> None:
        self.sign_in(self.administrator)
        response = self.post_definition('{"version": ')
        self.assertContains(response, "This is not valid JSON (line 1")
        bad = new_version()
        del bad["sections"][0]["title"]["es"]
        response = self.post_definition(bad)
        self.assertContains(response, "$.sections[0].title.es: is missing or empty")
        response = self.post_definition(new_version("2026-2"))
        self.assertContains(response, "exists already")
        self.assertEqual(Questionnaire.objects.count(), 2)  # 2026-1 and 2026-2 ship

    def test_it_switches_back_to_an_earlier_version(self) -> None:
        self.sign_in(self.administrator)
        self.post_definition(new_version())
        response = self.client.post("/en/staff/intake/questionnaires/2026-2/make-current/")
        self.assertRedirects(response, "/en/staff/intake/questionnaires/2026-2/")
        self.assertEqual(Questionnaire.objects.get(is_current=True).version, "2026-2")
        self.assertEqual(self.client.get("/en/staff/intake/questionnaires/9/").status_code, 404)


class DeskTextTests(IntakeTestCase):
    def test_it_shows_default_texts_in_each_language(self) -> None:
        from amparo.intake.desk_texts import DEFAULTS

        for language in ("en", "fr", "es", "ar"):
            response = self.client.get(f"/{language}/")
            self.assertContains(response, DEFAULTS["about"][language][:40])
            danger = self.client.get(f"/{language}/danger/")
            self.assertContains(danger, "+353 1 210 0489")

    def test_it_lets_administrators_change_them(self) -> None:
        self.sign_in(self.administrator)
        page = self.client.get("/en/staff/intake/texts/")
        self.assertContains(page, "Front Line Defenders")
        data = {
            name: field.initial
            for name, field in page.context["form"].fields.items()  # type: ignore[index]
        }
        data = {name: page.context["form"].initial[name] for name in data}  # type: ignore[index]
        data["emergency_fr"] = "Appelez le +33 1 23 45 67 89 (réseau local de protection)."
        response = self.client.post("/en/staff/intake/texts/", data)
        self.assertRedirects(response, "/en/staff/intake/texts/")
        self.client.logout()
        self.assertContains(self.client.get("/fr/danger/"), "+33 1 23 45 67 89")
        self.assertContains(self.client.get("/en/danger/"), "+353 1 210 0489")
        event = AuditEvent.objects.filter(action="settings_changed").last()
        self.assertEqual(event.details, {"changed": ["emergency/fr"]})
