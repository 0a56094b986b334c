from __future__ import annotations

import datetime

from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from amparo.audit.models import AuditEvent
from amparo.reference.models import ReferenceList, Situation, StateParty, Term
from amparo.reference.tests.base import ReferenceTestCase


def term(list_code: str, code: str) -> Term:
    return Term.objects.get(reference_list__code=list_code, code=code)


class ViewTestCase(ReferenceTestCase):
    def urls(self) -> list[str]:
        family = term("target", "family")
        return [
            reverse("reference:index"),
            reverse("reference:list", args=["reprisal_type"]),
            reverse("reference:list_edit", args=["target"]),
            reverse("reference:term_add", args=["reprisal_type"]),
            reverse("reference:term_edit", args=["target", family.pk]),
            reverse("reference:situation_edit", args=["ukraine"]),
            reverse("reference:states_parties"),
            reverse("reference:state_party_edit", args=["AM"]),
        ]

    def term_data(self, t: Term, **changes: object) -> dict[str, object]:
        data: dict[str, object] = {f"label_{c}": v for c, v in t.labels().items()}
        data.update(position=t.position, active="on" if t.active else "")
        data.update(changes)
        return {k: v for k, v in data.items() if v != ""}


class AccessTests(ViewTestCase):
    def test_it_shows_every_page_to_an_administrator_in_every_language(self) -> None:
        self.client.force_login(self.admin)
        headings = set()
        for lang in ("en", "fr", "es", "ar"):
            with translation.override(lang):
                urls = self.urls()
            for url in urls:
                with self.subTest(url=url):
                    response = self.client.get(url)
                    self.assertEqual(response.status_code, 200)
                    self.assertContains(response, f'<html lang="{lang}"')
            with translation.override(lang):
                heading = translation.gettext("Reference data")
            index = self.client.get(urls[0])
            self.assertContains(index, f"<h1>{heading}</h1>", html=False)
            headings.add(heading)
        self.assertEqual(len(headings), 4)  # the catalogs are compiled and used

    def test_it_refuses_a_handler(self) -> None:
        self.client.force_login(self.handler)
        for url in self.urls():
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 403)
        family = term("target", "family")
        response = self.client.post(
            reverse("reference:term_edit", args=["target", family.pk]), self.term_data(family)
        )
        self.assertEqual(response.status_code, 403)
        family.refresh_from_db()
        self.assertEqual(family.label_en, "Family")

    def test_it_sends_an_anonymous_visitor_to_sign_in(self) -> None:
        for url in self.urls():
            with self.subTest(url=url):
                response = self.client.get(url)
                self.assertEqual(response.status_code, 302)
                self.assertIn(reverse("accounts:login"), response["Location"])

    def test_it_answers_404_for_unknown_objects(self) -> None:
        self.client.force_login(self.admin)
        family = term("target", "family")
        for url in (
            reverse("reference:list", args=["nothing"]),
            reverse("reference:term_edit", args=["confidence", family.pk]),  # wrong list
            reverse("reference:situation_edit", args=["atlantis"]),
            reverse("reference:state_party_edit", args=["US"]),
        ):
            with self.subTest(url=url):
                self.assertEqual(self.client.get(url).status_code, 404)


class EditTests(ViewTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.client.force_login(self.admin)

    def audit(self) -> list[AuditEvent]:
        return list(AuditEvent.objects.filter(action="reference_changed").order_by("seq"))

    def test_it_lists_the_lists_with_their_dates(self) -> None:
        response = self.client.get(reverse("reference:index"))
        self.assertContains(response, "Type of reprisal")
        self.assertContains(response, 'datetime="2026-11-28"')
        self.assertContains(response, "Situation in Ukraine")

    def test_it_shows_a_list_with_its_terms(self) -> None:
        response = self.client.get(reverse("reference:list", args=["reprisal_type"]))
        self.assertContains(response, "threats.death_threat")
        self.assertContains(response, '<span lang="ar" dir="rtl">التهديد بالقتل</span>')

    def test_it_shows_a_long_list_with_as_many_queries_as_a_short_one(self) -> None:
        def queries(list_code: str) -> int:
            with CaptureQueriesContext(connection) as captured:
                self.client.get(reverse("reference:list", args=[list_code]))
            return len(captured)

        self.assertEqual(queries("reprisal_type"), queries("target"))

    def test_it_edits_a_term(self) -> None:
        family = term("target", "family")
        url = reverse("reference:term_edit", args=["target", family.pk])
        data = self.term_data(family, label_fr="Famille proche", position=7, active="")
        response = self.client.post(url, data)
        self.assertRedirects(response, reverse("reference:list", args=["target"]))
        family.refresh_from_db()
        self.assertEqual(
            (family.label_fr, family.position, family.active), ("Famille proche", 7, False)
        )
        self.assertTrue(family.locally_edited)
        [event] = self.audit()
        self.assertEqual(event.actor_id, self.admin.pk)
        self.assertEqual(event.target_id, "target:family")
        self.assertEqual(event.details["fields"], ["label_fr", "position", "active"])

    def test_it_saves_nothing_when_nothing_changed(self) -> None:
        family = term("target", "family")
        url = reverse("reference:term_edit", args=["target", family.pk])
        response = self.client.post(url, self.term_data(family), follow=True)
        self.assertContains(response, "Nothing was changed.")
        family.refresh_from_db()
        self.assertFalse(family.locally_edited)
        self.assertEqual(self.audit(), [])

    def test_it_refuses_an_empty_label_and_changes_nothing(self) -> None:
        family = term("target", "family")
        url = reverse("reference:term_edit", args=["target", family.pk])
        response = self.client.post(url, self.term_data(family, label_ar="", position=-1))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "This field is required.")
        self.assertContains(response, "Ensure this value is greater than or equal to 0.")
        family.refresh_from_db()
        self.assertEqual(family.label_ar, "أسرة")
        self.assertEqual(self.audit(), [])

    def test_it_shows_errors_in_the_language_of_the_page(self) -> None:
        family = term("target", "family")
        with translation.override("fr"):
            url = reverse("reference:term_edit", args=["target", family.pk])
        response = self.client.post(url, self.term_data(family, label_en=""))
        self.assertContains(response, "Ce champ est obligatoire.")

    def test_it_adds_an_item_to_a_category(self) -> None:
        url = reverse("reference:term_add", args=["reprisal_type"])
        data = {
            "code": "threats.phone_threat",
            "parent": "threats",
            "label_en": "Threat by phone",
            "label_fr": "Menace par téléphone",
            "label_es": "Amenaza telefónica",
            "label_ar": "تهديد عبر الهاتف",
            "active": "on",
        }
        response = self.client.post(url, data)
        self.assertRedirects(response, reverse("reference:list", args=["reprisal_type"]))
        added = term("reprisal_type", "threats.phone_threat")
        self.assertEqual(added.parent, term("reprisal_type", "threats"))
        self.assertEqual(added.position, 6)
        self.assertTrue(added.locally_edited)
        self.assertEqual(self.audit()[0].details, {"change": "added", "parent": "threats"})

    def test_it_refuses_a_bad_or_duplicate_code(self) -> None:
        url = reverse("reference:term_add", args=["reprisal_type"])
        labels = {"label_en": "A", "label_fr": "B", "label_es": "C", "label_ar": "د"}
        before = Term.objects.count()
        cases = [
            ({"code": "threats.death_threat", "parent": "threats"}, "already has a term"),
            ({"code": "judicial.x", "parent": "threats"}, "starts with “threats.”"),
            ({"code": "loose.item"}, "Only an item of a category"),
            ({"code": "Bad Code!"}, "Use lower-case letters"),
            ({"code": "x", "parent": "other"}, "Select a valid choice."),  # not a category
        ]
        for fields, error in cases:
            with self.subTest(fields=fields):
                response = self.client.post(url, {**labels, **fields})
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, error)
        self.assertEqual(Term.objects.count(), before)
        self.assertEqual(self.audit(), [])

    def test_it_adds_a_term_to_a_flat_list_without_a_category_field(self) -> None:
        url = reverse("reference:term_add", args=["target"])
        self.assertNotContains(self.client.get(url), 'name="parent"')
        data = {"code": "network", "label_en": "Network", "label_fr": "Réseau"}
        data.update(label_es="Red", label_ar="شبكة", position="9", active="on")
        self.assertEqual(self.client.post(url, data).status_code, 302)
        self.assertEqual(term("target", "network").position, 9)

    def test_it_edits_a_list_date_and_source(self) -> None:
        url = reverse("reference:list_edit", args=["target"])
        response = self.client.post(url, {"as_of": "2026-01-15", "source": "Reviewed by the desk."})
        self.assertRedirects(response, reverse("reference:list", args=["target"]))
        target = ReferenceList.objects.get(code="target")
        self.assertEqual(target.as_of, datetime.date(2026, 1, 15))
        self.assertEqual(self.audit()[0].target_id, "target")

    def test_it_refuses_a_future_or_malformed_date(self) -> None:
        url = reverse("reference:list_edit", args=["target"])
        response = self.client.post(url, {"as_of": "2999-01-01", "source": "x"})
        self.assertContains(response, "This date is in the future.")
        response = self.client.post(url, {"as_of": "15/01/2026x", "source": "x"})
        self.assertContains(response, "Enter a valid date.")
        self.assertNotEqual(ReferenceList.objects.get(code="target").source, "x")

    def situation_data(self, situation: Situation, **changes: object) -> dict[str, object]:
        data: dict[str, object] = {f"name_{c}": v for c, v in situation.names().items()}
        data.update(
            status=situation.status,
            countries=situation.countries,
            as_of=situation.as_of.isoformat(),
            note=situation.note,
        )
        data.update(changes)
        return data

    def test_it_edits_a_situation(self) -> None:
        nigeria = Situation.objects.get(code="nigeria")
        url = reverse("reference:situation_edit", args=["nigeria"])
        data = self.situation_data(nigeria, status="investigation", as_of="2026-02-01")
        self.assertRedirects(self.client.post(url, data), reverse("reference:index"))
        nigeria.refresh_from_db()
        self.assertEqual(nigeria.status, "investigation")
        self.assertEqual(self.audit()[0].details["fields"], ["status", "as_of"])

    def test_it_refuses_an_unknown_status_or_country(self) -> None:
        ukraine = Situation.objects.get(code="ukraine")
        url = reverse("reference:situation_edit", args=["ukraine"])
        cases: list[dict[str, object]] = [
            {"status": "settled"},
            {"countries": ["UA", "XX"]},
            {"countries": []},
        ]
        for changes in cases:
            with self.subTest(changes=changes):
                response = self.client.post(url, self.situation_data(ukraine, **changes))
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, 'class="errorlist')
        ukraine.refresh_from_db()
        self.assertEqual((ukraine.status, ukraine.countries), ("investigation", ["UA"]))

    def party_data(self, party: StateParty, **changes: object) -> dict[str, object]:
        data: dict[str, object] = {
            "instrument_deposited": party.instrument_deposited.isoformat(),
            "entry_into_force": party.entry_into_force.isoformat(),
            "withdrawal_notified": "",
            "withdrawal_effective": "",
            "as_of": party.as_of.isoformat(),
            "note": party.note,
        }
        data.update(changes)
        return data

    def test_it_edits_a_state_party(self) -> None:
        mali = StateParty.objects.get(country="ML")
        url = reverse("reference:state_party_edit", args=["ml"])
        data = self.party_data(
            mali, withdrawal_notified="2025-09-23", withdrawal_effective="2026-09-23"
        )
        self.assertRedirects(self.client.post(url, data), reverse("reference:states_parties"))
        mali.refresh_from_db()
        self.assertEqual(mali.withdrawal_effective, datetime.date(2026, 9, 23))
        self.assertFalse(mali.is_party_on(datetime.date(2026, 9, 23)))
        self.assertEqual(self.audit()[0].target_id, "ML")

    def test_it_refuses_impossible_treaty_dates(self) -> None:
        hungary = StateParty.objects.get(country="HU")
        url = reverse("reference:state_party_edit", args=["HU"])
        cases = [
            ({"withdrawal_notified": "2025-06-02"}, "Give both withdrawal dates, or neither."),
            (
                {"withdrawal_notified": "2025-06-02", "withdrawal_effective": "2025-01-01"},
                "cannot take effect before it was notified",
            ),
            (
                {"withdrawal_notified": "1999-01-01", "withdrawal_effective": "2000-01-01"},
                "before the instrument was deposited",
            ),
        ]
        for changes, error in cases:
            with self.subTest(changes=changes):
                response = self.client.post(url, self.party_data(hungary, **changes))
                self.assertEqual(response.status_code, 200)
                self.assertContains(response, error)
        hungary.refresh_from_db()
        self.assertEqual(hungary.withdrawal_effective, datetime.date(2026, 6, 2))
        self.assertEqual(self.audit(), [])

    def test_it_lists_the_states_parties_with_todays_count(self) -> None:
        response = self.client.get(reverse("reference:states_parties"))
        self.assertContains(response, "Armenia")
        self.assertContains(response, "not a party today")

    def test_it_refuses_a_write_without_a_csrf_token(self) -> None:
        client = Client(enforce_csrf_checks=True)
        client.force_login(self.admin)
        family = term("target", "family")
        url = reverse("reference:term_edit", args=["target", family.pk])
        response = client.post(url, self.term_data(family, label_en="Kin"))
        self.assertEqual(response.status_code, 403)
        family.refresh_from_db()
        self.assertEqual(family.label_en, "Family")
