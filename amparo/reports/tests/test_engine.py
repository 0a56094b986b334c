"""Counting in SQL, consent, exclusions, releases audited together."""

from __future__ import annotations

import datetime

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from amparo.audit.models import AuditEvent
from amparo.cases.models import Consent, ConsentMethod, Stage
from amparo.consent.actions import do_record_consent
from amparo.reports import counted, engine
from amparo.reports.actions import do_release_statistics
from amparo.reports.tests.factories import coded_case, many
from amparo.tests.base import AmparoTestCase

YEAR = engine.Scope(datetime.date(2025, 1, 1), datetime.date(2025, 12, 31))
TODAY = datetime.date(2026, 6, 1)


def spec(*tables: engine.TableSpec, scope: engine.Scope = YEAR) -> engine.ReleaseSpec:
    return engine.ReleaseSpec(scope, tables)


class EngineTests(AmparoTestCase):
    def test_it_counts_only_consenting_reprisals_and_totals_the_rest(self) -> None:
        many(6, country="UG", region="002")
        many(7, country="CO", region="419", situation="")
        many(3, country="UG", statistics=False)
        many(2, country="UG", statistics=None)
        many(4, country="UG", stage=Stage.NOT_A_REPRISAL)
        many(4, country="UG", stage=Stage.DUPLICATE)
        result = engine.compute(spec(engine.TableSpec("t", "country")), on=TODAY)
        table = result.tables[0]
        assert table.shown("UG") == 6
        assert table.shown("CO") == 7
        assert table.shown("*") == 13
        assert result.without_consent == 5
        assert (result.cases, result.countries, result.situations) == (13, 2, 1)

    def test_those_left_out_are_counted_within_the_releases_filters(self) -> None:
        # Counted from the same groups as the figures: only the cases the
        # filters keep, whether the region is coded or follows from the country.
        many(6, country="UG", region="002")
        many(2, country="UG", region="002", statistics=False)
        many(1, country="KE", region="", statistics=None)
        many(3, country="CO", region="419", situation="", statistics=False)
        many(2, country="UG", region="002", received_on=datetime.date(2024, 6, 1), statistics=False)
        many(1, country="UG", region="002", stage=Stage.DUPLICATE, statistics=False)
        africa = engine.Scope(YEAR.start, YEAR.end, region="002")
        result = engine.compute(spec(engine.TableSpec("t", "country"), scope=africa), on=TODAY)
        assert (result.cases, result.without_consent) == (6, 3)
        everywhere = engine.compute(spec(engine.TableSpec("t", "country")), on=TODAY)
        assert (everywhere.cases, everywhere.without_consent) == (6, 6)
        uganda = engine.Scope(YEAR.start, YEAR.end, situation="uganda")
        result = engine.compute(spec(engine.TableSpec("t", "country"), scope=uganda), on=TODAY)
        assert (result.cases, result.without_consent) == (6, 3)
        # A group in which nobody consents adds no row to the table.
        assert result.tables[0].rows == ["UG"]

    def test_rows_that_need_the_records_or_the_last_activity_count_alike(self) -> None:
        # The grouped query reads most rows from their own columns and the
        # rest (latest consent record after the day asked about; received
        # before a follow-up period) through the records and the case.
        many(4, country="UG")
        later_withdrawn = coded_case(country="UG")
        later_granted = coded_case(country="UG", statistics=False)
        for case, granted in ((later_withdrawn, False), (later_granted, True)):
            Consent.objects.create(
                case=case,
                scope="statistics",
                granted=granted,
                wording_version="test",
                recorded_on=datetime.date(2026, 5, 1),
            )
            counted.refresh(case.pk)
        early = datetime.date(2024, 6, 1)
        coded_case(country="UG", received_on=early, last_activity_on=datetime.date(2025, 2, 1))
        coded_case(country="UG", received_on=early, last_activity_on=datetime.date(2024, 7, 1))
        table = engine.TableSpec("t", "country")
        before = engine.compute(spec(table), on=datetime.date(2026, 1, 1))
        # On 1 January 2026 the first grant still held and the refusal too.
        assert (before.cases, before.without_consent) == (6, 1)
        assert before.tables[0].shown("UG") == 6
        after = engine.compute(spec(table), on=TODAY)
        assert (after.cases, after.without_consent) == (6, 1)
        new_only = engine.Scope(YEAR.start, YEAR.end, follow_up=False)
        result = engine.compute(spec(table, scope=new_only), on=datetime.date(2026, 1, 1))
        assert (result.cases, result.without_consent) == (5, 1)

    def test_it_aggregates_in_one_grouped_query(self) -> None:
        many(8, country="UG")
        many(8, country="KE")
        with CaptureQueriesContext(connection) as queries:
            engine.compute(spec(engine.TableSpec("t", "country", "month")), on=TODAY)
        grouped = [q["sql"] for q in queries if "GROUP BY" in q["sql"]]
        assert len(grouped) == 1
        reads = [
            q["sql"]
            for q in queries
            if not q["sql"].startswith(("SET LOCAL", "SAVEPOINT", "RELEASE SAVEPOINT"))
        ]
        # One read: the groups count the cases left out for lack of consent too.
        assert reads == grouped

    def test_a_case_with_two_types_counts_in_both_rows_and_once_in_the_total(self) -> None:
        many(6, reprisal_types=["threats.death_threat", "life.assault"])
        many(5, reprisal_types=["threats.death_threat"])
        result = engine.compute(spec(engine.TableSpec("t", "reprisal_category")), on=TODAY)
        table = result.tables[0]
        assert (table.shown("threats"), table.shown("life"), table.shown("*")) == (11, 6, 11)

    def test_small_cells_are_suppressed_with_a_complement(self) -> None:
        many(2, country="UG", situation="uganda")
        many(9, country="UG", situation="darfur")
        many(8, country="SD", situation="darfur", region="002")
        many(7, country="SD", situation="uganda", region="002")
        result = engine.compute(spec(engine.TableSpec("t", "country", "situation")), on=TODAY)
        table = result.tables[0]
        assert table.shown("UG", "uganda") is None
        assert len(table.suppressed) >= 4
        assert all(b.width >= 5 for b in result.protection.bounds.values())

    def test_coarsening_turns_countries_into_regions_and_months_into_quarters(self) -> None:
        many(3, country="UG", region="002", received_on=datetime.date(2025, 1, 5))
        many(3, country="KE", region="002", received_on=datetime.date(2025, 2, 5))
        coarse = engine.coarsened(
            spec(engine.TableSpec("t", "country", "month")), places=True, time=True
        )
        table = engine.compute(coarse, on=TODAY).tables[0]
        assert (table.rows_dimension, table.columns_dimension) == ("region", "quarter")
        assert table.shown("002", "2025-Q1") == 6

    def test_follow_up_cases_are_counted_apart_from_new_ones(self) -> None:
        many(5, received_on=datetime.date(2025, 4, 1))
        many(6, received_on=datetime.date(2024, 6, 1), last_activity_on=datetime.date(2025, 2, 1))
        many(4, received_on=datetime.date(2024, 6, 1))  # no activity in the period
        table = engine.compute(spec(engine.TableSpec("t", "status")), on=TODAY).tables[0]
        assert (table.shown("new"), table.shown("follow_up"), table.shown("*")) == (5, 6, 11)

    def test_a_withdrawn_statistics_consent_removes_the_case_from_the_next_release(self) -> None:
        cases = many(6, country="UG")
        first = do_release_statistics(self.coordinator.user, spec(engine.TableSpec("t", "country")))
        assert first.cells["t|UG"] == 6
        do_record_consent(
            cases[0],
            scope="statistics",
            granted=False,
            method=ConsentMethod.FOLLOW_UP,
            wording_version="test",
        )
        result = engine.compute(spec(engine.TableSpec("t", "country")), on=timezone.localdate())
        assert result.tables[0].values["t|UG"] == 5
        assert result.without_consent == 1

    def test_an_overlapping_release_cannot_be_subtracted_from_an_earlier_one(self) -> None:
        # The year is released first; then January to November would give away
        # the single December case in Kenya by subtraction.
        many(9, country="UG", received_on=datetime.date(2025, 5, 1))
        many(8, country="KE", region="002", received_on=datetime.date(2025, 5, 1))
        coded_case(country="KE", region="002", received_on=datetime.date(2025, 12, 10))
        many(7, country="CD", region="002", received_on=datetime.date(2025, 6, 1))
        year = do_release_statistics(self.analyst.user, spec(engine.TableSpec("t", "country")))
        assert year.cells["t|KE"] == 9
        eleven = engine.Scope(datetime.date(2025, 1, 1), datetime.date(2025, 11, 30))
        later = do_release_statistics(
            self.analyst.user, spec(engine.TableSpec("t", "country"), scope=eleven)
        )
        assert later.earlier == [year.pk]
        assert later.cells["t|KE"] is None  # 8 would leave 9 - 8 = 1 in December
        for low, high in later.bounds.values():
            assert high is None or high - low >= 5
        events = AuditEvent.objects.filter(action="statistics_released")
        assert events.count() == 2
        assert events.last().details["earlier"] == [str(year.pk)]

    def test_releases_that_do_not_overlap_are_audited_alone(self) -> None:
        many(6, country="UG", received_on=datetime.date(2024, 5, 1))
        many(6, country="UG", received_on=datetime.date(2025, 5, 1))
        first = do_release_statistics(
            self.analyst.user,
            spec(
                engine.TableSpec("t", "country"),
                scope=engine.Scope(
                    datetime.date(2024, 1, 1), datetime.date(2024, 12, 31), follow_up=False
                ),
            ),
        )
        second = do_release_statistics(
            self.analyst.user,
            spec(
                engine.TableSpec("t", "country"),
                scope=engine.Scope(
                    datetime.date(2025, 1, 1), datetime.date(2025, 12, 31), follow_up=False
                ),
            ),
        )
        assert first.earlier == [] and second.earlier == []
        assert second.cells["t|UG"] == 6
