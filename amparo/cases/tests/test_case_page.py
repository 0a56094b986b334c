"""The case page: the decrypted report, the conversation, notes, links, and
what happens with stale, oversized or tampered requests."""

from __future__ import annotations

from django.utils import translation

from amparo.audit.models import AuditEvent
from amparo.cases.actions.desk import MESSAGE_MAX_CHARS
from amparo.cases.models import Case, CaseLink, Message, Note, Sender
from amparo.cases.tests.base import DeskTestCase, make_case
from amparo.cases.vault import lookup_for_receipt, open_for_reporter


class CasePageTests(DeskTestCase):
    def test_it_shows_the_decrypted_report_and_audits_the_read(self) -> None:
        created = make_case("Police came to my office twice.", extra={"contact_by": "Signal"})
        self.sign_in(self.coordinator)
        response = self.client.get(self.case_url(created.case))
        self.assertContains(response, "Police came to my office twice.")
        self.assertContains(response, "Signal")
        self.assertContains(response, "Allegation: not yet assessed")
        event = AuditEvent.objects.filter(action="case_read").last()
        self.assertEqual(event.target_id, created.case.public_id)
        self.assertEqual(event.actor_id, self.coordinator.user.pk)
        self.assertEqual(event.details, {})

    def test_it_labels_the_answers_with_their_questionnaire(self) -> None:
        from amparo.cases.actions.create import do_create_case

        created = do_create_case(
            answers={
                "what_happened": "They came to my office.",
                "country": "UG",
                "engagement": ["witness"],
            },
            language="en",
            questionnaire_version="2026-1",
            with_receipt=False,
        )
        self.sign_in(self.coordinator)
        response = self.client.get(self.case_url(created.case))
        self.assertContains(response, "What happened?")
        self.assertContains(response, "They came to my office.")
        self.assertContains(response, "Uganda")
        self.assertContains(response, "Witness")
        self.assertNotContains(response, "what_happened")

    def test_it_answers_404_alike_for_missing_tampered_and_forbidden_cases(self) -> None:
        case = make_case().case
        self.sign_in(self.outsider)
        forbidden = self.client.get(self.case_url(case))
        self.sign_in(self.coordinator)
        tampered_id = case.public_id[:-1] + ("A" if case.public_id[-1] != "A" else "B")
        tampered = self.client.get(f"/en/staff/cases/{tampered_id}/")
        junk = self.client.get("/en/staff/cases/%27%3B--/")
        for response in (forbidden, tampered, junk):
            self.assertEqual(response.status_code, 404)
        # The same page, but for the id in its language links.
        self.assertEqual(
            forbidden.content.replace(case.public_id.encode(), b"ID"),
            tampered.content.replace(tampered_id.encode(), b"ID"),
        )
        self.assertFalse(AuditEvent.objects.filter(action="case_read").exists())

    def test_it_sends_a_message_the_reporter_can_read(self) -> None:
        created = make_case()
        self.reporter_writes(created, "Are you there?")
        self.sign_in(self.coordinator)
        case = created.case
        response = self.client.post(
            self.case_url(case, "message/"), {"text": "Yes. Are you safe now?", "version": 2}
        )
        self.assertRedirects(
            response, self.case_url(case) + "#conversation", fetch_redirect_response=False
        )
        message = Message.objects.get(case=case, sender=Sender.DESK)
        self.assertEqual(message.author, self.coordinator.user)
        self.assertFalse(message.read_by_reporter)
        # Replying marks the reporter's message read.
        self.assertTrue(Message.objects.get(case=case, sender=Sender.REPORTER).read_by_desk)
        access = open_for_reporter(*lookup_for_receipt(created.receipt))
        self.assertEqual(
            access.opened.decrypt_text(message.body, message.aad_field()),
            "Yes. Are you safe now?",
        )
        self.assertTrue(AuditEvent.objects.filter(action="message_sent").exists())

    def test_it_refuses_an_oversized_message_and_keeps_the_text(self) -> None:
        created = make_case()
        self.sign_in(self.coordinator)
        text = "x" * (MESSAGE_MAX_CHARS + 1)
        response = self.client.post(
            self.case_url(created.case, "message/"), {"text": text, "version": 1}
        )
        self.assertEqual(response.status_code, 400)
        self.assertContains(response, "This text is too long: 20,001 characters", status_code=400)
        self.assertContains(response, text, status_code=400)
        self.assertFalse(Message.objects.exists())

    def test_it_refuses_a_stale_form_and_keeps_what_was_typed(self) -> None:
        created = make_case()
        self.sign_in(self.coordinator)
        self.client.get(self.case_url(created.case))  # the form carries version 1
        self.reporter_writes(created, "Something new happened")  # version 2
        response = self.client.post(
            self.case_url(created.case, "message/"), {"text": "My reply", "version": 1}
        )
        self.assertEqual(response.status_code, 409)
        self.assertContains(response, "This case changed since you opened it", status_code=409)
        self.assertContains(response, "My reply", status_code=409)
        self.assertContains(response, "Something new happened", status_code=409)
        self.assertFalse(Message.objects.filter(sender=Sender.DESK).exists())
        # The form now carries the current version: sending again goes through.
        self.assertContains(response, 'name="version" value="2"', status_code=409)
        again = self.client.post(
            self.case_url(created.case, "message/"), {"text": "My reply", "version": 2}
        )
        self.assertEqual(again.status_code, 302)

    def test_it_adds_notes_the_reporter_never_sees(self) -> None:
        created = make_case()
        self.sign_in(self.coordinator)
        response = self.client.post(
            self.case_url(created.case, "note/"),
            {"text": "Call the VWS focal point.", "version": 1},
        )
        self.assertEqual(response.status_code, 302)
        note = Note.objects.get()
        self.assertNotIn(b"VWS", bytes(note.body))
        self.assertContains(
            self.client.get(self.case_url(created.case)), "Call the VWS focal point."
        )
        self.assertTrue(AuditEvent.objects.filter(action="note_added").exists())
        # Nothing of the note reaches the reporter's side.
        self.assertFalse(Message.objects.exists())

    def test_it_refuses_an_empty_note(self) -> None:
        created = make_case()
        self.sign_in(self.coordinator)
        response = self.client.post(
            self.case_url(created.case, "note/"), {"text": "  ", "version": 1}
        )
        self.assertContains(response, "Write a note first.", status_code=400)
        self.assertFalse(Note.objects.exists())

    def test_it_links_related_cases_the_person_can_see(self) -> None:
        first, second, hidden = make_case().case, make_case().case, make_case().case
        self.assign(first, self.handler)
        self.assign(second, self.handler)
        first.refresh_from_db()
        self.sign_in(self.handler)
        response = self.client.post(
            self.case_url(first, "link/"),
            {"reference": second.reference.lower(), "version": first.version},
        )
        self.assertEqual(response.status_code, 302)
        self.assertTrue(CaseLink.objects.filter(from_case=first, to_case=second).exists())
        page = self.client.get(self.case_url(second))
        self.assertContains(page, first.reference)
        # A case the handler cannot see answers like one that does not exist.
        first.refresh_from_db()
        for reference in (hidden.reference, "AMP-1999-9999"):
            response = self.client.post(
                self.case_url(first, "link/"), {"reference": reference, "version": first.version}
            )
            self.assertContains(
                response, "There is no case with that reference that you can see", status_code=400
            )
        self.assertEqual(CaseLink.objects.count(), 1)

    def test_it_shows_a_linked_cases_reference_only_to_those_who_can_open_it(self) -> None:
        first, second = make_case().case, make_case().case
        self.assign(first, self.handler)
        first.refresh_from_db()
        CaseLink.objects.create(from_case=first, to_case=second, created_by=self.coordinator.user)
        self.sign_in(self.handler)
        page = self.client.get(self.case_url(first))
        # Before: the other case's reference, with "not one of your cases".
        self.assertNotContains(page, second.reference)
        self.assertContains(page, "not one of your cases")
        self.sign_in(self.coordinator)
        self.assertContains(self.client.get(self.case_url(first)), second.reference)

    def test_it_asks_to_sign_in_again_when_the_key_is_gone(self) -> None:
        created = make_case()
        self.sign_in(self.coordinator)
        del self.client.cookies["amparo_key"]
        response = self.client.get(self.case_url(created.case))
        self.assertEqual(response.status_code, 302)
        self.assertIn("/staff/login/", response["Location"])

    def test_it_translates_the_page(self) -> None:
        created = make_case()
        self.sign_in(self.coordinator)
        response = self.client.get(f"/fr/staff/cases/{created.case.public_id}/")
        with translation.override("fr"):
            self.assertContains(response, translation.gettext("Conversation with the reporter"))
        self.assertNotContains(response, "Conversation with the reporter")
        self.assertContains(response, "Conversation avec la personne qui a fait le signalement")
        arabic = self.client.get(f"/ar/staff/cases/{created.case.public_id}/")
        self.assertContains(arabic, 'dir="rtl"')
        self.assertContains(arabic, "المحادثة مع مقدّم/ة البلاغ")

    def test_it_shows_the_case_unchanged_when_nothing_was_posted(self) -> None:
        created = make_case()
        self.sign_in(self.coordinator)
        response = self.client.post(self.case_url(created.case, "note/"), {})
        self.assertEqual(response.status_code, 400)
        self.assertEqual(Case.objects.get().version, 1)


class PageSectionTests(DeskTestCase):
    def test_the_apps_above_show_their_sections_in_their_places(self) -> None:
        created = make_case("Sections in order.")
        self.sign_in(self.coordinator)
        html = self.client.get(self.case_url(created.case)).content.decode()
        order = ["files", "consent", "conversation", "notes", "protection", "plan", "workflow"]
        order.append("timeline")
        positions = [html.index(f'id="{name}"') for name in order]
        self.assertEqual(positions, sorted(positions))

    def test_a_section_name_is_taken_once(self) -> None:
        from amparo.cases import page_sections

        (first, *_rest) = page_sections.sections()
        page_sections.register(first)  # the same section again: harmless
        with self.assertRaises(RuntimeError):
            page_sections.register(
                page_sections.Section(first.name, first.place, "other.html", first.context)
            )

    def test_a_section_in_a_place_the_page_lacks_is_refused(self) -> None:
        from amparo.cases import page_sections

        (first, *_rest) = page_sections.sections()
        with self.assertRaises(RuntimeError):
            page_sections.register(
                page_sections.Section("elsewhere", "status", first.template, first.context)
            )
        self.assertNotIn("elsewhere", [s.name for s in page_sections.sections()])
