"""A vocabulary's versions: a report or a coding keeps the terms it was offered."""

from __future__ import annotations

from amparo.reference import api
from amparo.reference.models import ReferenceList, Term
from amparo.tests.base import AmparoTestCase


class VocabularyVersionTests(AmparoTestCase):
    def test_engagement_version_2_adds_the_choices_people_need(self) -> None:
        self.assertEqual(api.list_version("engagement"), 2)
        now = dict(api.choices("engagement", language="en"))
        self.assertIn("Meeting or interview with the Office of the Prosecutor", now["otp_meeting"])
        self.assertIn("not an article 15 communication", now["otp_meeting"])
        self.assertEqual(
            now["registry_vws"], "Contact with the Registry or its Victims and Witnesses Section"
        )
        self.assertIn("Participation in the Assembly of States Parties", now["assembly"])
        self.assertEqual(now["perceived"], "They think I work with the Court, but I do not")
        self.assertEqual(
            dict(api.choices("engagement", language="fr"))["registry_vws"],
            "Contact avec le Greffe ou sa Section de l'aide aux victimes et aux témoins",
        )

    def test_version_1_is_what_older_reports_were_offered(self) -> None:
        first = [code for code, _label in api.choices("engagement", version=1)]
        second = [code for code, _label in api.choices("engagement", version=2)]
        self.assertNotIn("otp_meeting", first)
        self.assertNotIn("registry_vws", first)
        self.assertEqual(len(first), 10)
        self.assertEqual(set(second) - set(first), {"otp_meeting", "registry_vws"})

    def test_a_retired_term_stays_in_the_versions_that_had_it(self) -> None:
        Term.objects.filter(reference_list__code="engagement", code="intermediary").update(
            retired_in_version=3, active=False
        )
        ReferenceList.objects.filter(code="engagement").update(version=3)
        self.assertIn("intermediary", dict(api.choices("engagement", version=2)))
        self.assertNotIn("intermediary", dict(api.choices("engagement", version=3)))
        self.assertNotIn("intermediary", dict(api.choices("engagement")))
        # Its label still reads on the cases that hold it.
        self.assertEqual(api.term_label("engagement", "intermediary", "en"), "Intermediary")
