"""The statistics table never disagrees with the source: every coding, stage,
consent and shredding action keeps it in step, and it can be rebuilt."""

from __future__ import annotations

import datetime
from io import StringIO
from typing import Any

from django.core.management import CommandError, call_command
from django.utils import timezone

from amparo.audit.log import verify
from amparo.audit.models import AuditEvent
from amparo.cases.actions.coding import CodingValues, do_code_case
from amparo.cases.actions.desk import do_change_stage
from amparo.cases.models import Case, ConsentMethod, Stage
from amparo.cases.tests.base import DeskTestCase, make_case
from amparo.consent.actions import do_record_consent
from amparo.operations.actions import do_shred_case
from amparo.reports import counted, engine
from amparo.reports.actions import do_release_statistics
from amparo.reports.models import CountedCase


def values(**changes: Any) -> CodingValues:
    base: dict[str, Any] = {
        "reprisal_types": ["threats.death_threat", "judicial.arbitrary_detention"],
        "target": "individual",
        "defender_profiles": ["lawyer"],
        "situation": "uganda",
        "engagement": ["witness", "intermediary"],
        "country": "UG",
        "region": "",
        "month": datetime.date(2026, 3, 1),
        "perpetrators": [("state_security_forces", "direct", "probable")],
    }
    base.update(changes)
    return CodingValues(**base)


class InStepTests(DeskTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.created = make_case()
        self.case = self.created.case
        self.actor = self.coordinator.user

    def row(self) -> dict[str, Any] | None:
        return CountedCase.objects.filter(case=self.case).values(*counted.COLUMNS).first()

    def assert_in_step(self) -> None:
        """The stored row is exactly what the source says, and nothing else disagrees."""
        expected = counted.rows_for([self.case.pk])
        stored = self.row()
        if expected:
            assert stored == {c: expected[0][c] for c in counted.COLUMNS}
        else:
            assert stored is None
        assert counted.differences() == []

    def code(self, **changes: Any) -> None:
        current = getattr(self.case, "coding", None)
        do_code_case(
            self.actor,
            self.case,
            values(**changes),
            expected_version=current.version if current else None,
        )
        self.case.refresh_from_db()

    def consent(self, granted: bool, until: datetime.date | None = None) -> None:
        do_record_consent(
            self.case,
            scope="statistics",
            granted=granted,
            method=ConsentMethod.FOLLOW_UP,
            wording_version="test",
            until=until,
        )

    def move(self, to: str, **kwargs: Any) -> None:
        self.case.refresh_from_db()
        do_change_stage(
            self.created.opened, self.actor, to, expected_version=self.case.version, **kwargs
        )

    def counted_today(self) -> set[int]:
        year = engine.Scope(datetime.date(2000, 1, 1), datetime.date(2100, 12, 31))
        spec = engine.ReleaseSpec(year, (engine.TableSpec("t", "country"),))
        result = engine.compute(spec, on=timezone.localdate())
        return {self.case.pk} if result.cases else set()

    def test_a_case_gets_its_row_when_coded_and_follows_every_recoding(self) -> None:
        assert self.row() is None  # not coded: not in the table
        self.code()
        row = self.row()
        assert row is not None
        assert row["reprisal_types"] == "judicial.arbitrary_detention,threats.death_threat"
        assert row["engagement"] == "intermediary,witness"
        assert row["perpetrators"] == "state_security_forces"
        assert (row["country"], row["situation"], row["countable"]) == ("UG", "uganda", True)
        assert row["month"] == self.case.received_on.replace(day=1)
        # No statistics consent was asked on the form: the case is not counted.
        assert row["consent_granted"] is False and row["consent_since"] is None
        self.assert_in_step()
        self.code(reprisal_types=["life.assault"], country="CO", perpetrators=[])
        assert self.row()["reprisal_types"] == "life.assault"  # type: ignore[index]
        assert self.row()["perpetrators"] == ""  # type: ignore[index]
        self.assert_in_step()

    def test_consent_grant_withdrawal_and_end_date_keep_the_flag_current(self) -> None:
        self.code()
        self.consent(True)
        assert self.row()["consent_granted"] is True  # type: ignore[index]
        self.assert_in_step()
        assert self.counted_today() == {self.case.pk}
        self.consent(False)
        self.assert_in_step()
        assert self.counted_today() == set()
        today = timezone.localdate()
        self.consent(True, until=today)
        self.assert_in_step()
        assert self.row()["consent_until"] == today  # type: ignore[index]
        # Expiry needs no action: the day after the end date, the case is out.
        tomorrow = today + datetime.timedelta(days=1)
        rows = CountedCase.objects.filter(case=self.case)
        from amparo.reports.consent import in_force

        assert rows.filter(in_force(today)).exists()
        assert not rows.filter(in_force(tomorrow)).exists()

    def test_consent_recorded_before_the_coding_is_read_when_it_is_coded(self) -> None:
        self.consent(True)
        assert self.row() is None
        self.code()
        assert self.row()["consent_granted"] is True  # type: ignore[index]
        self.assert_in_step()

    def test_a_withdrawal_removes_the_case_from_the_next_release(self) -> None:
        self.code()
        self.consent(True)
        year = engine.Scope(self.case.received_on, self.case.received_on)
        spec = engine.ReleaseSpec(year, (engine.TableSpec("t", "country"),))
        first = do_release_statistics(self.actor, spec)
        assert first.cases == 1
        self.consent(False)
        second = do_release_statistics(self.actor, spec)
        assert (second.cases, second.without_consent) == (0, 1)

    def test_stage_changes_follow_not_a_reprisal_and_duplicate_and_back(self) -> None:
        self.code()
        self.consent(True)
        self.move(Stage.ACKNOWLEDGED)
        self.move(Stage.UNDER_ASSESSMENT)
        self.move(Stage.NOT_A_REPRISAL, reason="An ordinary burglary.")
        assert self.row()["countable"] is False  # type: ignore[index]
        self.assert_in_step()
        assert self.counted_today() == set()
        self.move(Stage.UNDER_ASSESSMENT, reason="New facts.")
        assert self.row()["countable"] is True  # type: ignore[index]
        self.assert_in_step()
        original = make_case().case
        self.move(Stage.DUPLICATE, original=original)
        assert self.row()["countable"] is False  # type: ignore[index]
        self.assert_in_step()

    def test_shredding_keeps_a_shell_s_row_and_deletes_a_deleted_case_s(self) -> None:
        self.code()
        self.consent(True)
        do_shred_case(self.case, reason="policy", actor=self.actor)
        assert Case.objects.filter(pk=self.case.pk).exists()  # kept for statistics
        assert self.row() is not None
        self.assert_in_step()
        assert self.counted_today() == {self.case.pk}
        # Without statistics consent nothing is kept: the case and its row are gone.
        other = make_case()
        self.case = other.case
        self.code()
        do_shred_case(self.case, reason="policy", actor=self.actor)
        assert not Case.objects.filter(pk=self.case.pk).exists()
        assert not CountedCase.objects.filter(case_id=self.case.pk).exists()
        assert counted.differences() == []


class RebuildTests(DeskTestCase):
    def test_the_command_rebuilds_from_the_source_and_check_finds_disagreements(self) -> None:
        created = make_case()
        do_code_case(self.coordinator.user, created.case, values(), expected_version=None)
        do_record_consent(
            created.case,
            scope="statistics",
            granted=True,
            method=ConsentMethod.FOLLOW_UP,
            wording_version="test",
        )
        expected = list(CountedCase.objects.values(*counted.COLUMNS))
        out = StringIO()
        call_command("rebuild_statistics", "--check", stdout=out)
        assert "agrees" in out.getvalue()
        # Someone changes the table behind the actions' back: --check says so.
        CountedCase.objects.update(consent_granted=False)
        with self.assertRaisesMessage(CommandError, "1 case(s)"):
            call_command("rebuild_statistics", "--check", stdout=StringIO())
        # A check changes nothing and records nothing; a rebuild is audited.
        assert not AuditEvent.objects.filter(action="statistics_rebuilt").exists()
        CountedCase.objects.all().delete()
        call_command("rebuild_statistics", stdout=out)
        assert list(CountedCase.objects.values(*counted.COLUMNS)) == expected
        assert counted.differences() == []
        event = AuditEvent.objects.get(action="statistics_rebuilt")
        assert event.actor_id is None
        assert (event.target_type, event.details) == ("statistics", {"cases": 1})
        assert verify().ok
