from __future__ import annotations

from datetime import UTC, datetime
from unittest import mock

from django.test import override_settings
from django.urls import reverse
from django.utils import translation

from amparo.audit import log
from amparo.audit.models import Action
from amparo.audit.tests.base import AuditTestCase


@override_settings(ROOT_URLCONF="amparo.audit.tests.urls")
class TrailTests(AuditTestCase):
    def url(self, **query: str) -> str:
        with translation.override("en"):
            path = reverse("audit:trail")
        if query:
            path += "?" + "&".join(f"{key}={value}" for key, value in query.items())
        return path

    def test_it_shows_the_trail_to_a_coordinator_newest_first(self) -> None:
        log.record(self.handler, Action.CASE_READ, target_type="case", target_id="AMP-2026-0001")
        log.record(self.coordinator, Action.EXPORT, details={"format": "csv"})
        self.client.force_login(self.coordinator)
        response = self.client.get(self.url())
        self.assertEqual(response.status_code, 200)
        self.assertEqual([e.seq for e in response.context["page"].object_list], [2, 1])
        self.assertContains(response, "AMP-2026-0001")
        self.assertContains(response, "Case read")
        self.assertContains(response, "<dt>format</dt><dd>csv</dd>", html=True)
        self.assertEqual(
            response["Cache-Control"], "max-age=0, no-cache, no-store, must-revalidate, private"
        )

    def test_it_does_not_record_reading_the_trail(self) -> None:
        self.client.force_login(self.coordinator)
        self.client.get(self.url())
        self.assertFalse(log.AuditEvent.objects.exists())

    def test_it_forbids_a_handler(self) -> None:
        self.client.force_login(self.handler)
        self.assertEqual(self.client.get(self.url()).status_code, 403)

    def test_it_forbids_an_analyst(self) -> None:
        self.client.force_login(self.analyst)
        self.assertEqual(self.client.get(self.url()).status_code, 403)

    def test_it_sends_an_anonymous_visitor_to_sign_in(self) -> None:
        response = self.client.get(self.url())
        self.assertEqual(response.status_code, 302)
        self.assertTrue(response["Location"].startswith("/en/staff/login/?next="))

    def test_it_refuses_a_post(self) -> None:
        self.client.force_login(self.coordinator)
        self.assertEqual(self.client.post(self.url()).status_code, 405)

    def test_it_filters_by_action_actor_and_target(self) -> None:
        log.record(self.handler, Action.CASE_READ, target_type="case", target_id="c1")
        log.record(self.handler, Action.CASE_READ, target_type="case", target_id="c2")
        log.record(self.coordinator, Action.CASE_READ, target_type="case", target_id="c1")
        log.record(self.coordinator, Action.LOGIN)
        self.client.force_login(self.coordinator)

        def seqs(**query: str) -> list[int]:
            response = self.client.get(self.url(**query))
            self.assertEqual(response.status_code, 200)
            return [event.seq for event in response.context["page"].object_list]

        self.assertEqual(seqs(action="login"), [4])
        self.assertEqual(seqs(actor="hana"), [2, 1])
        self.assertEqual(seqs(target_type="case", target_id="c1"), [3, 1])
        self.assertEqual(seqs(action="case_read", actor="coord", target_id="c1"), [3])
        self.assertEqual(seqs(actor="nobody"), [])

    def test_it_shows_nothing_for_an_invalid_filter(self) -> None:
        log.record(self.coordinator, Action.LOGIN)
        self.client.force_login(self.coordinator)
        response = self.client.get(self.url(action="no_such_action"))
        self.assertEqual(response.status_code, 200)
        self.assertEqual(list(response.context["page"].object_list), [])
        self.assertTrue(response.context["form"].errors)

    def test_it_shows_only_the_day_of_a_reporters_event(self) -> None:
        afternoon = datetime(2026, 3, 4, 15, 16, 17, tzinfo=UTC)
        with mock.patch("amparo.audit.log.timezone.now", return_value=afternoon):
            log.record(None, Action.REPORT_SUBMITTED, target_type="case", target_id="c9")
            log.record(self.handler, Action.CASE_READ, target_type="case", target_id="c9")
        self.client.force_login(self.coordinator)
        response = self.client.get(self.url())
        self.assertContains(response, '<time datetime="2026-03-04">2026-03-04</time>', html=True)
        self.assertContains(response, "2026-03-04 15:16:17")
        self.assertContains(response, "Anonymous")

    def test_it_pages_fifty_events_at_a_time_and_keeps_the_filters(self) -> None:
        for _ in range(60):
            log.record(self.handler, Action.SEARCH)
        log.record(self.coordinator, Action.LOGIN)
        self.client.force_login(self.coordinator)

        first = self.client.get(self.url(action="search"))
        self.assertEqual(len(first.context["page"].object_list), 50)
        self.assertContains(first, 'href="?action=search&amp;page=2"')

        second = self.client.get(self.url(action="search", page="2"))
        self.assertEqual(
            [e.seq for e in second.context["page"].object_list], list(range(10, 0, -1))
        )
        self.assertContains(second, "Page 2 of 2")

    def test_it_runs_the_same_queries_for_five_events_or_fifty(self) -> None:
        # Session, user, count, one page of events, and the session's save.
        self.client.force_login(self.coordinator)
        for count in (5, 50):
            while log.AuditEvent.objects.count() < count:
                log.record(self.handler, Action.CASE_READ, target_type="case", target_id="c")
            with self.subTest(events=count), self.assertNumQueries(7):
                response = self.client.get(self.url())
            self.assertEqual(len(response.context["page"].object_list), count)

    def test_it_renders_in_every_language(self) -> None:
        for _ in range(12):
            log.record(self.handler, Action.CASE_READ, target_type="case", target_id="c1")
        self.client.force_login(self.coordinator)
        for lang, direction in [("fr", "ltr"), ("es", "ltr"), ("ar", "rtl")]:
            with self.subTest(lang=lang):
                response = self.client.get(f"/{lang}/staff/audit/")
                self.assertContains(response, f'<html lang="{lang}" dir="{direction}">')
                with translation.override(lang):
                    self.assertContains(response, translation.gettext("Audit trail"))
                    self.assertContains(response, str(Action.CASE_READ.label))
                # Every plural form is translated (Arabic has six).
                self.assertNotContains(response, "12 events")
