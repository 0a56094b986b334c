"""The protection pages: the role matrix, assessing and planning through the forms,
and the case page's risk, plan and timeline."""

from __future__ import annotations

from typing import Any

from amparo.audit.models import AuditEvent
from amparo.cases.tests.base import make_case
from amparo.protection.models import Assessment, Measure, MeasureStatus
from amparo.protection.tests.base import ProtectionTestCase, add_measure, assess


def assessment_post(number: int = 0, **extra: str) -> dict[str, str]:
    data = {
        "number": str(number),
        "threats-TOTAL_FORMS": "1",
        "threats-INITIAL_FORMS": "0",
        "threats-0-facts": "FACTMARKER a car parked outside every night",
        "threats-0-source_type": "state_security_forces",
        "threats-0-conclusion": "They are watching the house.",
        "likelihood": "3",
        "impact": "4",
        "v__location__routines": "high",
        "vr__location__routines": "Walks the same way to work.",
        "c__networks__quick_response": "medium",
        "cr__networks__quick_response": "The coalition answers within a day.",
    }
    data.update(extra)
    return data


def measure_post(**extra: Any) -> dict[str, Any]:
    data = {
        "kind": "temporary_relocation",
        "description": "Two months in another town.",
        "owner": "",
        "due_on": "",
        "defender_agreed": "yes",
        "partner": "",
    }
    data.update(extra)
    return data


class RoleMatrixTests(ProtectionTestCase):
    """Every protection view, for every role.

    An unassigned handler gets the same 404 for an existing case or measure
    as for one that does not exist. Analysts and administrators are refused
    by role (403) and anonymous visitors sent to sign in, before any object
    is looked up: the answer is the same whether the case exists or not.
    """

    def setUp(self) -> None:
        super().setUp()
        self.case = self.assign(make_case().case, self.handler)
        opened = self.open(self.case)
        self.measure = add_measure(opened, self.coordinator.user)
        assess(opened, self.coordinator.user)

    def requests(self, public_id: str, measure_id: str) -> list[tuple[str, str, dict[str, Any]]]:
        base = f"/en/staff/protection/cases/{public_id}"
        return [
            ("get", f"{base}/assess/", {}),
            ("post", f"{base}/assess/", assessment_post(number=1)),
            ("get", f"{base}/assessments/", {}),
            ("get", f"{base}/measures/new/", {}),
            ("post", f"{base}/measures/new/", measure_post()),
            ("get", f"{base}/measures/{measure_id}/", {}),
            (
                "post",
                f"{base}/measures/{measure_id}/",
                measure_post(kind="legal_aid", status="requested", version="1"),
            ),
        ]

    def answers(self, public_id: str, measure_id: str) -> list[tuple[int, str]]:
        result = []
        for method, path, data in self.requests(public_id, measure_id):
            response = getattr(self.client, method)(path, data)
            result.append((response.status_code, response.get("Location", "").split("?")[0]))
        return result

    def test_nobody_else_learns_whether_a_case_exists(self) -> None:
        expected = {
            "outsider": 404,
            "analyst": 403,
            "administrator": 403,
            None: 302,  # to the sign-in page
        }
        for persona in (self.outsider, self.analyst, self.administrator, None):
            self.client.logout()
            if persona is not None:
                self.sign_in(persona)
            name = persona.user.username if persona else None
            with self.subTest(persona=name):
                real = self.answers(self.case.public_id, self.measure.public_id)
                self.assertEqual({status for status, _l in real}, {expected[name]})
                self.assertEqual(real, self.answers("nosuchcase", "nosuchmeasure"))
                self.assertEqual(real, self.answers(self.case.public_id, "nosuchmeasure"))
        self.assertEqual(Assessment.objects.count(), 1)
        self.assertEqual(Measure.objects.count(), 1)
        self.assertEqual(AuditEvent.objects.filter(action="case_read").count(), 0)

    def test_the_needs_attention_page_is_for_the_desk(self) -> None:
        url = "/en/staff/protection/attention/"
        self.assertEqual(self.client.get(url).status_code, 302)
        for persona, status in (
            (self.analyst, 403),
            (self.administrator, 403),
            (self.outsider, 200),
        ):
            self.sign_in(persona)
            self.assertEqual(self.client.get(url).status_code, status)

    def test_the_assigned_handler_and_coordinators_get_in(self) -> None:
        for persona in (self.handler, self.coordinator):
            self.client.logout()
            self.sign_in(persona)
            for method, path, _data in self.requests(self.case.public_id, self.measure.public_id):
                if method == "get":
                    self.assertEqual(self.client.get(path).status_code, 200, path)


class AssessPageTests(ProtectionTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.case = self.assign(make_case().case, self.handler)
        self.sign_in(self.handler)
        self.url = f"/en/staff/protection/cases/{self.case.public_id}/assess/"

    def test_it_records_an_assessment_and_shows_it_on_the_case_page(self) -> None:
        response = self.client.post(self.url, assessment_post())
        self.assertEqual(response.status_code, 302)
        assessment = Assessment.objects.get(case=self.case)
        self.assertEqual(assessment.level, "critical")  # likely x grave
        self.assertNotIn(b"FACTMARKER", bytes(assessment.content))
        page = self.client.get(f"/en/staff/cases/{self.case.public_id}/")
        self.assertContains(page, "FACTMARKER a car parked outside every night")
        self.assertContains(page, "Critical")
        self.assertContains(page, "Risk assessed: Critical")
        self.assertTrue(AuditEvent.objects.filter(action="risk_assessed").exists())

    def test_it_refuses_an_override_without_a_reason_keeping_what_was_typed(self) -> None:
        response = self.client.post(self.url, assessment_post(chosen_level="low"))
        self.assertContains(response, "needs a written reason", status_code=400)
        self.assertContains(response, "FACTMARKER a car parked", status_code=400)
        self.assertFalse(Assessment.objects.exists())

    def test_a_rating_needs_a_reason(self) -> None:
        response = self.client.post(self.url, assessment_post(vr__location__routines=""))
        self.assertContains(response, "Say why you rate it so.", status_code=400)
        self.assertFalse(Assessment.objects.exists())

    def test_it_adds_a_threat_without_javascript(self) -> None:
        response = self.client.post(self.url, assessment_post(more_threats="1"))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, 'name="threats-1-facts"')
        self.assertContains(response, "FACTMARKER a car parked")
        self.assertFalse(Assessment.objects.exists())

    def test_a_stale_form_is_refused_and_the_history_shows_every_assessment(self) -> None:
        self.assertEqual(self.client.post(self.url, assessment_post()).status_code, 302)
        response = self.client.post(self.url, assessment_post(number=0))
        self.assertEqual(response.status_code, 409)
        self.assertContains(response, 'name="number" value="1"', status_code=409)
        self.assertEqual(
            self.client.post(
                self.url, assessment_post(number=1, likelihood="1", impact="1")
            ).status_code,
            302,
        )
        history = self.client.get(f"/en/staff/protection/cases/{self.case.public_id}/assessments/")
        self.assertContains(history, "Assessment 2")
        self.assertContains(history, "Assessment 1")
        self.assertContains(history, "likelihood, impact, level, re-assessment date")


class PlanPageTests(ProtectionTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.case = self.assign(make_case().case, self.handler)
        self.sign_in(self.handler)
        self.base = f"/en/staff/protection/cases/{self.case.public_id}/measures/"

    def test_it_adds_and_moves_a_measure_along(self) -> None:
        response = self.client.post(
            f"{self.base}new/", measure_post(owner=str(self.handler.user.pk))
        )
        self.assertEqual(response.status_code, 302)
        measure = Measure.objects.get(case=self.case)
        self.assertEqual((measure.kind, measure.owner), ("temporary_relocation", self.handler.user))
        url = f"{self.base}{measure.public_id}/"
        response = self.client.post(
            url,
            measure_post(
                status="in_progress",
                version="1",
                owner=str(self.handler.user.pk),
                outcome="OUTCOMEMARKER housed",
                note="Started today.",
            ),
        )
        self.assertEqual(response.status_code, 302)
        measure.refresh_from_db()
        self.assertEqual(measure.status, MeasureStatus.IN_PROGRESS)
        self.assertNotIn(b"OUTCOMEMARKER", bytes(measure.details))
        page = self.client.get(f"/en/staff/cases/{self.case.public_id}/")
        self.assertContains(page, "Temporary relocation")
        self.assertContains(page, "OUTCOMEMARKER housed")
        self.assertContains(page, "Measure Temporary relocation: In progress")
        # A move the workflow does not allow is refused.
        response = self.client.post(url, measure_post(status="proposed", version="2"))
        self.assertEqual(response.status_code, 400)
