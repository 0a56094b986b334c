"""Each needs-attention list, with a fixed clock, per person and for the whole desk."""

from __future__ import annotations

import dataclasses
import datetime

from django.test import override_settings

from amparo.cases import attention
from amparo.cases.actions.desk import do_add_message
from amparo.cases.models import Case, Message, Sender, Stage
from amparo.cases.tests.base import make_case
from amparo.protection.actions import do_watch_urgent
from amparo.protection.models import Assessment, Measure, UrgentWatch
from amparo.protection.tests.base import ProtectionTestCase, add_measure, assess

NOW = datetime.datetime(2026, 6, 15, 9, 0, tzinfo=datetime.UTC)
TODAY = NOW.date()


def day(offset: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=offset)


class AttentionListTests(ProtectionTestCase):
    def listed(self, code: str, persona: object = None, now: datetime.datetime = NOW) -> set[str]:
        user = (persona or self.coordinator).user  # type: ignore[attr-defined]
        item = attention.by_code(code)
        assert item is not None, code
        cases = attention.scope(user).filter(item.build(now))
        return set(cases.values_list("reference", flat=True))

    def case(self, *, stage: str = Stage.ACKNOWLEDGED, **fields: object) -> Case:
        case = make_case(urgency=str(fields.pop("urgency", "normal"))).case
        Case.objects.filter(pk=case.pk).update(
            **{"stage": stage, "received_on": day(-10), **fields}
        )
        case.refresh_from_db()
        return case

    def test_urgent_reports_not_acknowledged_in_time(self) -> None:
        waiting = self.case(stage=Stage.RECEIVED, urgency="urgent")
        do_watch_urgent(waiting, now=NOW - datetime.timedelta(minutes=121))
        fresh = self.case(stage=Stage.RECEIVED, urgency="urgent")
        do_watch_urgent(fresh, now=NOW - datetime.timedelta(minutes=119))
        acknowledged = self.case(stage=Stage.ACKNOWLEDGED, urgency="urgent")
        normal = self.case(stage=Stage.RECEIVED)
        # No clock (it was missed): listed from the day after it arrived.
        unwatched_old = self.case(stage=Stage.RECEIVED, urgency="urgent")
        unwatched_today = self.case(stage=Stage.RECEIVED, urgency="urgent", received_on=TODAY)
        listed = self.listed("urgent")
        self.assertEqual(listed, {waiting.reference, unwatched_old.reference})
        self.assertNotIn(fresh.reference, listed)
        for case in (acknowledged, normal, unwatched_today):
            self.assertNotIn(case.reference, listed)
        # Two minutes later the fresh one is late too.
        self.assertIn(
            fresh.reference, self.listed("urgent", now=NOW + datetime.timedelta(minutes=2))
        )
        # Escalated (time cleared, day kept): still listed until acknowledged.
        UrgentWatch.objects.filter(case=waiting).update(escalate_at=None, escalated_on=TODAY)
        self.assertIn(waiting.reference, self.listed("urgent"))

    def test_the_acknowledgement_time_follows_the_setting(self) -> None:
        with override_settings(AMPARO_URGENT_ACK_MINUTES=30):
            case = self.case(stage=Stage.RECEIVED, urgency="urgent")
            do_watch_urgent(case, now=NOW - datetime.timedelta(minutes=31))
        self.assertIn(case.reference, self.listed("urgent"))

    def test_assessments_past_their_date(self) -> None:
        late, due_today, closed, monitoring = (self.case() for _ in range(4))
        for case in (late, due_today, closed, monitoring):
            assess(self.open(case), self.coordinator.user)
        Assessment.objects.filter(case=late).update(review_on=day(-1))
        Assessment.objects.filter(case=due_today).update(review_on=TODAY)
        Assessment.objects.filter(case__in=[closed, monitoring]).update(review_on=day(-5))
        Case.objects.filter(pk=closed.pk).update(stage=Stage.CLOSED)
        Case.objects.filter(pk=monitoring.pk).update(stage=Stage.MONITORING)
        self.assertEqual(self.listed("reassess"), {late.reference})
        # Only the current assessment counts.
        opened = self.open(late)
        assess(opened, self.coordinator.user)
        self.assertEqual(self.listed("reassess"), set())

    def test_measures_past_due(self) -> None:
        late, on_time, done = self.case(), self.case(), self.case()
        for case, due in ((late, day(-1)), (on_time, TODAY), (done, day(-3))):
            add_measure(self.open(case), self.coordinator.user, due_on=due)
        Measure.objects.filter(case=done).update(status="done", ended_on=day(-4))
        self.assertEqual(self.listed("measures"), {late.reference})

    def test_monitoring_reviews_due(self) -> None:
        due, later, never = (self.case(stage=Stage.MONITORING) for _ in range(3))
        for case in (due, later):
            assess(self.open(case), self.coordinator.user)
        Assessment.objects.filter(case=due).update(review_on=TODAY)
        Assessment.objects.filter(case=later).update(review_on=day(1))
        self.assertEqual(self.listed("monitoring"), {due.reference, never.reference})

    def test_yearly_follow_ups_due(self) -> None:
        due = self.case(stage=Stage.CLOSED, yearly_follow_up=True, last_activity_on=day(-365))
        recent = self.case(stage=Stage.CLOSED, yearly_follow_up=True, last_activity_on=day(-364))
        unflagged = self.case(stage=Stage.CLOSED, last_activity_on=day(-800))
        self.assertEqual(self.listed("yearly"), {due.reference})
        self.assertNotIn(recent.reference, self.listed("yearly"))
        self.assertNotIn(unflagged.reference, self.listed("yearly"))

    def test_reporter_messages_unanswered(self) -> None:
        waiting, answered, recent = self.case(), self.case(), self.case()
        for case in (waiting, answered, recent):
            do_add_message(self.open(case), sender=Sender.REPORTER, text="Any news?")
        do_add_message(
            self.open(answered), sender=Sender.DESK, text="Yes.", author=self.coordinator.user
        )
        Message.objects.filter(case__in=[waiting, answered]).update(sent_on=day(-3))
        Message.objects.filter(case=recent).update(sent_on=day(-2))
        self.assertEqual(self.listed("unanswered"), {waiting.reference})
        with override_settings(AMPARO_UNANSWERED_DAYS=1):
            self.assertEqual(self.listed("unanswered"), {waiting.reference, recent.reference})

    def test_a_handler_sees_their_own_cases_and_coordinators_the_whole_desk(self) -> None:
        mine = self.assign(self.case(), self.handler)
        theirs = self.assign(self.case(), self.outsider)
        for case in (mine, theirs):
            add_measure(self.open(case), self.coordinator.user, due_on=day(-1))
        self.assertEqual(self.listed("measures", self.handler), {mine.reference})
        self.assertEqual(self.listed("measures", self.outsider), {theirs.reference})
        self.assertEqual(self.listed("measures"), {mine.reference, theirs.reference})
        counts = attention.counts(self.handler.user, NOW)
        self.assertEqual(counts["measures"], 1)
        self.assertEqual(sum(counts.values()), 1)

    def test_the_apps_registered_every_list_in_order(self) -> None:
        # Protection's lists, then operations' (INSTALLED_APPS order), each once.
        self.assertEqual(
            [item.code for item in attention.lists()],
            [
                "urgent",
                "reassess",
                "measures",
                "monitoring",
                "yearly",
                "unanswered",
                "deletion_requests",
            ],
        )
        first = attention.lists()[0]
        attention.register(first)  # the same list again changes nothing
        self.assertEqual(len(attention.lists()), 7)
        with self.assertRaises(RuntimeError):
            attention.register(dataclasses.replace(first, title="Another"))

    def test_the_page_lists_them(self) -> None:
        case = self.assign(self.case(), self.handler)
        add_measure(self.open(case), self.coordinator.user, due_on=day(-1))
        Measure.objects.update(due_on=datetime.date(2000, 1, 1))
        self.sign_in(self.handler)
        page = self.client.get("/en/staff/protection/attention/")
        self.assertContains(page, "Measures past due")
        self.assertContains(page, case.reference)
