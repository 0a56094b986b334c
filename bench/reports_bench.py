"""Statistics at scale: one cross-tabulation with suppression and audit over
1,000,000 coded cases on PostgreSQL, and the annual report's PDF build time.

Needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust authentication).
Uses the database named by AMPARO_BENCH_DATABASE (default
amparo_reports_bench, created if missing), migrates it, empties the case
tables and inserts the cases, their coding and their statistics consent with
plain SQL (``generate_series``), not through seed_demo, then fills the
statistics table from them with ``counted.rebuild`` (the code the actions
use to keep it in step): a year of reports,
skewed so that some cells are small (a rare region, a rare category) and the
suppression and the LP audit have work to do; one case in twenty has no
statistics consent and one in fifty is a duplicate.

Figures:
- ``reports_crosstab_1m_p95``: reprisal category by UN region over the year,
  counted in SQL, protected (primary and complementary suppression) and
  audited with HiGHS, end to end in process (p50 and p95 of 7 runs; goal 2 s);
- ``reports_annual_pdf_p95``: one PDF of an approved annual report (all its
  tables and charts) built with WeasyPrint, over the four languages, on a
  desk-sized year of 5,000 cases.

Run: .venv/bin/python bench/reports_bench.py

Comparing two versions back to back on the same million cases (the insert
and the statistics table take minutes): ``AMPARO_BENCH_REUSE=1`` keeps the
cases of an earlier run when they are all still there (as many bench cases
and statistics rows as the bench inserts), and ``AMPARO_BENCH_PARTS=crosstab``
runs the cross-tabulation alone (the PDF part replaces the million cases with
its 5,000).
"""

from __future__ import annotations

import datetime
import os
import sys
import time
from pathlib import Path

import psycopg
from support import note, percentile, report

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

DATABASE = os.environ.get("AMPARO_BENCH_DATABASE", "amparo_reports_bench")
SERVER = "postgresql://postgres@127.0.0.1:5432"
CASES = 1_000_000
PDF_CASES = 5_000
RUNS = 7
PARTS = os.environ.get("AMPARO_BENCH_PARTS", "crosstab,pdf").split(",")
REUSE = os.environ.get("AMPARO_BENCH_REUSE") == "1"

# Region codes with weights (per 1,000,000): Oceania is rare on purpose.
REGIONS = [("002", "UG"), ("142", "AF"), ("419", "CO"), ("150", "UA"), ("021", "US")]
CATEGORIES = [
    "threats.death_threat",
    "judicial.arbitrary_detention",
    "surveillance.online_harassment",
    "stigmatisation.smear_by_officials",
    "life.assault",
    "movement.travel_ban",
    "economic.funding_restrictions",
    "obstruction.exposure_as_cooperator",
]


def setup_database() -> None:
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as admin:
        exists = admin.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", (DATABASE,)
        ).fetchone()
        if not exists:
            admin.execute(f'CREATE DATABASE "{DATABASE}"')
    os.environ["AMPARO_DATABASE_URL"] = f"postgres://postgres@127.0.0.1:5432/{DATABASE}"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "amparo.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def fill(count: int) -> None:
    """``count`` coded cases over 1 Oct 2024 - 30 Sep 2025, in four SQL statements."""
    from django.db import connection

    regions = ",".join(f"'{r}'" for r, _c in REGIONS)
    countries = ",".join(f"'{c}'" for _r, c in REGIONS)
    categories = ",".join(f"'{c}'" for c in CATEGORIES)
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute(
            "TRUNCATE cases_codedperpetrator, cases_coding, cases_consent, cases_case, "
            "reports_annualreport, reports_release CASCADE"
        )
        cursor.execute(
            """
            INSERT INTO cases_case (public_id, reference, received_on, language, channel,
                urgency, stage, questionnaire_version, answers, last_activity_on,
                yearly_follow_up, version, receipt_params)
            SELECT md5(i::text), 'BENCH-' || i, DATE '2024-10-01' + (i %% 365), 'en', 'web',
                'normal', CASE WHEN i %% 50 = 0 THEN 'duplicate' ELSE 'assessed' END,
                'bench', '\\x00'::bytea, DATE '2024-10-01' + (i %% 365), false, 1, 1
            FROM generate_series(1, %s) AS i
            """,
            [count],
        )
        # Oceania: about 12 cases per million, spread over the categories.
        # (The f-string holds only the constant lists above.)
        cursor.execute(
            f"""
            INSERT INTO cases_coding (case_id, reprisal_types, target, defender_profiles,
                situation, engagement, country, region, month, coded_at, version,
                vocabulary_versions, assembly_session, assembly_timing, assembly_mode)
            SELECT c.id,
                CASE WHEN n %% 3 = 0
                    THEN jsonb_build_array((ARRAY[{categories}])[1 + n %% 8],
                                           (ARRAY[{categories}])[1 + (n / 8) %% 8])
                    ELSE jsonb_build_array((ARRAY[{categories}])[1 + (n * 7) %% 8]) END,
                'individual', '["lawyer"]'::jsonb,
                (ARRAY['uganda','darfur','ukraine','afghanistan','venezuela_i'])[1 + n %% 5],
                '["witness"]'::jsonb,
                CASE WHEN n %% 83333 = 17 THEN 'FJ'
                     ELSE (ARRAY[{countries}])[1 + (n / 3) %% 5] END,
                CASE WHEN n %% 83333 = 17 THEN '009'
                     ELSE (ARRAY[{regions}])[1 + (n / 3) %% 5] END,
                date_trunc('month', c.received_on)::date, now(), 1, '{{}}'::jsonb, '', '', ''
            FROM (SELECT id, received_on, id - min(id) OVER () AS n FROM cases_case) AS c
            """,  # noqa: S608
            [],
        )
        cursor.execute(
            """
            INSERT INTO cases_consent (case_id, scope, granted, wording_version, recorded_on,
                fields, language, method, partner_kind, public_id)
            SELECT id, 'statistics', id %% 20 <> 0, 'bench', received_on, '[]'::jsonb, 'en',
                'web', '', md5('consent' || id::text)
            FROM cases_case
            """,
            [],
        )
        cursor.execute("ANALYZE cases_case, cases_coding, cases_consent")
    note(f"{count:,} coded cases inserted in {time.perf_counter() - started:.1f} s")
    # The statistics table, filled from those rows by the same code that keeps
    # it in step after each action (what `manage.py rebuild_statistics` runs).
    from amparo.reports import counted

    started = time.perf_counter()
    rows = counted.rebuild()
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE reports_countedcase")
    note(f"statistics table rebuilt ({rows:,} rows) in {time.perf_counter() - started:.1f} s")


def seeded(count: int) -> bool:
    """Whether the database holds exactly the ``count`` cases a fill inserts, all counted."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT (SELECT count(*) FROM cases_case), "
            "(SELECT count(*) FROM cases_case WHERE reference LIKE 'BENCH-%%'), "
            "(SELECT count(*) FROM reports_countedcase)"
        )
        row = cursor.fetchone()
    return row is not None and tuple(row) == (count, count, count)


def crosstab() -> None:
    from amparo.reports import engine

    spec = engine.ReleaseSpec(
        engine.Scope(datetime.date(2024, 10, 1), datetime.date(2025, 9, 30)),
        (engine.TableSpec("t", "reprisal_category", "region"),),
    )
    today = datetime.date(2025, 11, 1)
    timings = []
    result = None
    for _ in range(RUNS):
        started = time.perf_counter()
        result = engine.compute(spec, on=today)
        timings.append(time.perf_counter() - started)
    assert result is not None
    table = result.tables[0]
    note(
        f"load average {os.getloadavg()[0]:.1f}; runs (ms): "
        + ", ".join(f"{1000 * t:.0f}" for t in timings)
    )
    note(
        f"{result.cases:,} cases counted, {result.without_consent:,} without consent; "
        f"{len(table.values)} cells, {len(table.suppressed)} suppressed "
        f"({len(result.protection.primary)} below k), "
        f"{len(result.protection.bounds)} audited, withheld={result.protection.withheld}"
    )
    for name, bound in sorted(result.protection.bounds.items()):
        note(f"  {name}: [{bound.low}, {bound.high}]")
    assert all(b.width >= result.threshold for b in result.protection.bounds.values())
    report("reports_crosstab_1m_p50", 1000 * percentile(timings, 0.5), "ms")
    report("reports_crosstab_1m_p95", 1000 * percentile(timings, 0.95), "ms")


def annual_pdf() -> None:
    from amparo.accounts.models import User
    from amparo.reports import annual
    from amparo.reports.actions import do_approve_report, do_prepare_report

    fill(PDF_CASES)
    analyst, _ = User.objects.get_or_create(username="bench-analyst", is_analyst=True)
    coordinator, _ = User.objects.get_or_create(username="bench-coordinator", is_coordinator=True)
    report_row = do_prepare_report(analyst, datetime.date(2024, 10, 1), datetime.date(2025, 9, 30))
    started = time.perf_counter()
    approved = do_approve_report(coordinator, report_row, expected_version=report_row.version)
    note(f"annual release of {PDF_CASES:,} cases in {time.perf_counter() - started:.2f} s")
    release = approved.release
    assert release is not None
    from amparo.reports import engine

    spec = engine.ReleaseSpec.from_json(release.spec)
    timings = []
    for _round in range(2):
        for language in annual.LANGUAGES:
            started = time.perf_counter()
            content = annual.content(
                approved, spec, release.cells, annual.figures_of(release), language
            )
            body = annual.pdf(content)
            timings.append(time.perf_counter() - started)
            assert body.startswith(b"%PDF-")
    note(f"PDF of {len(body):,} bytes; builds: " + ", ".join(f"{t:.2f}" for t in timings))
    report("reports_annual_pdf_p95", 1000 * percentile(timings, 0.95), "ms")


def main() -> None:
    import logging

    logging.getLogger("weasyprint").setLevel(logging.ERROR)
    setup_database()
    if "crosstab" in PARTS:
        if REUSE and seeded(CASES):
            note(f"reusing the {CASES:,} cases of an earlier run")
        else:
            fill(CASES)
        crosstab()
    if "pdf" in PARTS:
        annual_pdf()


if __name__ == "__main__":
    main()
