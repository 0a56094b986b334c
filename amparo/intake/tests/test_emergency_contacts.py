"""Emergency contacts by country and profile: listed by administrators, shown
to reporters who chose that country, phone numbers as links."""

from __future__ import annotations

from amparo.audit.models import AuditEvent
from amparo.intake.emergency import contacts_for
from amparo.intake.models import EmergencyContact
from amparo.intake.tests.helpers import IntakeTestCase, receipt_from, report_data
from amparo.intake.tests.test_urgent import urgent_data

URL = "/en/staff/intake/contacts/"


def contact(name: str, **values: object) -> EmergencyContact:
    return EmergencyContact.objects.create(name=name, **values)


class EmergencyContactTests(IntakeTestCase):
    def test_only_administrators_list_contacts(self) -> None:
        self.sign_in(self.coordinator)
        self.assertEqual(self.client.get(URL).status_code, 403)
        self.sign_in(self.administrator)
        response = self.client.post(
            URL,
            {
                "name": "Mali lawyers' hotline",
                "phone": "+223 20 22 00 00",
                "details": "Signal, French and Bambara, 8:00 to 20:00",
                "countries": ["ML"],
                "profiles": ["lawyer"],
                "position": "0",
                "active": "on",
            },
        )
        self.assertRedirects(response, URL)
        saved = EmergencyContact.objects.get()
        self.assertEqual((saved.countries, saved.profiles), (["ML"], ["lawyer"]))
        event = AuditEvent.objects.filter(action="settings_changed").last()
        self.assertEqual(event.target_type, "emergency_contact")
        page = self.client.get(URL)
        self.assertContains(page, "Mali lawyers")
        self.assertContains(page, "Mali")

    def test_it_refuses_a_number_that_cannot_be_dialled_from_abroad(self) -> None:
        self.sign_in(self.administrator)
        response = self.client.post(URL, {"name": "X", "phone": "20 22 00 00", "position": "0"})
        self.assertContains(response, "international form")
        self.assertFalse(EmergencyContact.objects.exists())

    def test_it_picks_the_contacts_for_a_country_and_profile_most_specific_first(self) -> None:
        contact("Everyone", phone="+1 202 555 0100")
        contact("Mali", countries=["ML"])
        contact("Mali journalists", countries=["ML"], profiles=["journalist"])
        contact("Sudan", countries=["SD"])
        contact("Retired", active=False)
        names = [c.name for c in contacts_for("ML", "journalist")]
        self.assertEqual(names, ["Mali journalists", "Mali", "Everyone"])
        self.assertEqual([c.name for c in contacts_for("ML")], ["Mali", "Everyone"])
        self.assertEqual([c.name for c in contacts_for()], ["Everyone"])

    def test_the_danger_page_shows_the_chosen_country_s_contacts_with_links(self) -> None:
        contact("Everyone", phone="+1 202 555 0100")
        contact("Ligne Mali", phone="+223 20 22 00 00", countries=["ML"])
        page = self.client.get("/fr/danger/")
        self.assertContains(page, 'href="tel:+12025550100"')
        self.assertNotContains(page, "Ligne Mali")
        self.assertContains(
            page, '<option value="ML">Mali</option>'
        )  # only countries with contacts
        self.assertNotContains(page, '<option value="SD">')
        page = self.client.get("/fr/danger/?country=ML")
        self.assertContains(page, 'href="tel:+22320220000" dir="ltr">+223 20 22 00 00</a>')
        html = page.content.decode()
        self.assertLess(html.index("Ligne Mali"), html.index("Everyone"))
        self.assertLess(html.index("Ligne Mali"), html.index('name="happening_now"'))

    def test_the_receipt_shows_the_contacts_for_the_country_reported(self) -> None:
        contact("Uganda line", phone="+256 41 000 000", countries=["UG"])
        response = self.client.post("/en/report/", report_data(urgent="on", country="UG"))
        self.assertContains(response, "Uganda line")
        self.assertContains(response, 'href="tel:+25641000000"')
        receipt_from(response.content.decode())
        again = self.client.get("/ar/report/received/")
        self.assertContains(again, "Uganda line")
        # A short urgent report names no country: the general contacts only.
        other = self.client_class().post("/en/danger/", urgent_data())
        self.assertNotContains(other, "Uganda line")
