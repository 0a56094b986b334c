"""A report is offered the version of a vocabulary its questionnaire pins."""

from __future__ import annotations

import copy

from django import forms

from amparo.intake import questionnaire as q
from amparo.intake.forms import ReportForm
from amparo.intake.tests.helpers import IntakeTestCase


class PinnedVocabularyTests(IntakeTestCase):
    def engagement_codes(self, definition: q.Definition) -> list[str]:
        form = ReportForm(definition, "en")
        field = form.fields["engagement"]
        assert isinstance(field, forms.MultipleChoiceField)
        return [str(code) for code, _label in list(field.choices)]  # type: ignore[call-overload]

    def test_the_current_form_offers_engagement_version_2(self) -> None:
        codes = self.engagement_codes(q.current())
        self.assertIn("otp_meeting", codes)
        self.assertIn("registry_vws", codes)
        page = self.client.get("/es/report/")
        self.assertContains(page, "Creen que trabajo con la Corte, pero no es así")
        self.assertContains(page, "Contacto con la Secretaría o su Sección de Víctimas y Testigos")

    def test_a_questionnaire_pinned_to_version_1_offers_what_it_offered_then(self) -> None:
        definition = copy.deepcopy(q.current())
        for question in q.questions(definition):
            if question["id"] == "engagement":
                question["list_version"] = 1
        codes = self.engagement_codes(definition)
        self.assertNotIn("otp_meeting", codes)
        self.assertIn("communication_article_15", codes)
