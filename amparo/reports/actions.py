"""State changes of the reports app: each one atomic and audited."""

from __future__ import annotations

import datetime
from collections.abc import Mapping

from django.db import transaction
from django.utils import timezone

from amparo.accounts.models import User
from amparo.audit.log import record
from amparo.reports import counted, engine
from amparo.reports.models import NARRATIVE_SECTIONS, AnnualReport, Release, ReportState


class ReportError(Exception):
    """A refused change; ``code`` names why (the views translate it)."""

    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def earlier_releases() -> list[engine.Earlier]:
    """Every recorded release, as the audit of a new one needs it."""
    return [
        engine.Earlier(
            id=release.pk,
            spec=engine.ReleaseSpec.from_json(release.spec),
            cells=frozenset(release.cells),
            suppressed=frozenset(c for c, v in release.cells.items() if v is None),
        )
        for release in Release.objects.order_by("id")
    ]


def _details(spec: engine.ReleaseSpec) -> dict[str, str | bool | list[str]]:
    s = spec.scope
    return {
        "start": s.start.isoformat(),
        "end": s.end.isoformat(),
        "tables": [f"{t.rows}x{t.columns}" if t.columns else t.rows for t in spec.tables],
        "situation": s.situation,
        "region": s.region,
        "follow_up": s.follow_up,
        "coarsen_places": s.coarsen_places,
        "coarsen_time": s.coarsen_time,
    }


def do_view_statistics(actor: User, spec: engine.ReleaseSpec) -> engine.Release:
    """Compute a protected preview; the view itself is audited (what, period, who)."""
    today = timezone.localdate()
    with transaction.atomic():
        result = engine.compute(spec, on=today, earlier=earlier_releases())
        record(actor, "statistics_viewed", target_type="statistics", details=_details(spec))
    return result


def _store(actor: User, kind: str, spec: engine.ReleaseSpec, result: engine.Release) -> Release:
    return Release.objects.create(
        kind=kind,
        spec=spec.as_json(),
        period_start=spec.scope.start,
        period_end=spec.scope.end,
        threshold=result.threshold,
        cells=result.published_cells(),
        bounds={
            name: [b.low, None if b.high == float("inf") else int(b.high)]
            for name, b in result.protection.bounds.items()
        },
        earlier=result.earlier,
        cases=result.cases,
        countries=result.countries,
        situations=result.situations,
        without_consent=result.without_consent,
        withheld=result.protection.withheld,
        released_by=actor,
        released_at=timezone.now(),
    )


def do_release_statistics(
    actor: User, spec: engine.ReleaseSpec, *, kind: str = "statistics"
) -> Release:
    """Record a release: the figures are computed and audited again, under the lock
    of the audit chain, so two releases recorded at once are audited together."""
    today = timezone.localdate()
    with transaction.atomic():
        # Serialise releases: the second one must see the first among the earlier ones.
        Release.objects.select_for_update().order_by("id").last()
        result = engine.compute(spec, on=today, earlier=earlier_releases())
        release = _store(actor, kind, spec, result)
        record(
            actor,
            "statistics_released",
            target_type="release",
            target_id=release.pk,
            details={**_details(spec), "kind": kind, "earlier": [str(i) for i in result.earlier]},
        )
    return release


def do_export(actor: User, release: Release, what: str, language: str = "") -> None:
    """An export of released figures (CSV, chart, PDF): audited, changes nothing else."""
    record(
        actor,
        "export",
        target_type="release",
        target_id=release.pk,
        details={"what": what, "language": language},
    )


def do_rebuild_statistics() -> int:
    """Refill the statistics table from the source (``manage.py rebuild_statistics``).

    Run by an operator on the server, so no staff member acts: the event has
    no actor, like a backup's. It holds how many coded cases were written,
    nothing about which. The rebuild and its event commit together.
    """
    with transaction.atomic():
        written = counted.rebuild()
        record(None, "statistics_rebuilt", target_type="statistics", details={"cases": written})
    return written


def default_period(today: datetime.date, starts: str) -> tuple[datetime.date, datetime.date]:
    """The last complete reporting year before ``today`` (e.g. 1 Oct - 30 Sep)."""
    month, day = (int(part) for part in starts.split("-"))
    start = datetime.date(today.year, month, day)
    if start > today:
        start = datetime.date(today.year - 1, month, day)
    start = datetime.date(start.year - 1, month, day)
    end = datetime.date(start.year + 1, month, day) - datetime.timedelta(days=1)
    return start, end


def _may_prepare(user: User) -> bool:
    return user.is_analyst or user.is_coordinator


def do_prepare_report(
    actor: User,
    start: datetime.date,
    end: datetime.date,
    *,
    coarsen_places: bool = False,
    coarsen_time: bool = False,
) -> AnnualReport:
    if not _may_prepare(actor):
        raise ReportError("not_allowed")
    if start > end:
        raise ReportError("period")
    with transaction.atomic():
        report = AnnualReport.objects.create(
            period_start=start,
            period_end=end,
            coarsen_places=coarsen_places,
            coarsen_time=coarsen_time,
            prepared_by=actor,
            prepared_at=timezone.now(),
        )
        record(
            actor,
            "report_prepared",
            target_type="annual_report",
            target_id=report.pk,
            details={"start": start.isoformat(), "end": end.isoformat()},
        )
    return report


def do_write_narrative(
    actor: User,
    report: AnnualReport,
    language: str,
    sections: Mapping[str, str],
    *,
    expected_version: int,
) -> AnnualReport:
    """Replace one language's narrative; all sections empty means "not provided"."""
    if not _may_prepare(actor):
        raise ReportError("not_allowed")
    with transaction.atomic():
        locked = AnnualReport.objects.select_for_update().get(pk=report.pk)
        if locked.state != ReportState.DRAFT:
            raise ReportError("approved")
        if locked.version != expected_version:
            raise ReportError("stale")
        text = {name: sections.get(name, "").strip() for name in NARRATIVE_SECTIONS}
        narrative = dict(locked.narrative)
        if any(text.values()):
            narrative[language] = text
        else:
            narrative.pop(language, None)
        locked.narrative = narrative
        locked.version += 1
        locked.save(update_fields=["narrative", "version"])
        record(
            actor,
            "report_prepared",
            target_type="annual_report",
            target_id=report.pk,
            details={"language": language, "provided": any(text.values())},
        )
    return locked


def report_spec(report: AnnualReport) -> engine.ReleaseSpec:
    scope = engine.Scope(
        start=report.period_start,
        end=report.period_end,
        coarsen_places=report.coarsen_places,
        coarsen_time=report.coarsen_time,
    )
    tables: tuple[engine.TableSpec, ...] = ANNUAL_TABLES
    if engine.measures_available():
        tables += (
            engine.TableSpec("measure_kind", "measure_kind"),
            engine.TableSpec("measure_outcome", "measure_outcome"),
        )
    return engine.ReleaseSpec(scope, tables)


ANNUAL_TABLES = (
    engine.TableSpec("status", "status"),
    engine.TableSpec("type", "reprisal_category"),
    engine.TableSpec("place", "country"),
    engine.TableSpec("situation", "situation"),
    engine.TableSpec("engagement", "engagement"),
    engine.TableSpec("profile", "profile"),
    engine.TableSpec("perpetrator", "perpetrator"),
    engine.TableSpec("time", "month"),
)


def do_approve_report(
    approver: User, report: AnnualReport, *, expected_version: int
) -> AnnualReport:
    """A coordinator who did not prepare the report approves it: the figures
    are released (recorded and audited against earlier releases) and frozen."""
    if not approver.is_coordinator:
        raise ReportError("not_allowed")
    with transaction.atomic():
        locked = AnnualReport.objects.select_for_update().get(pk=report.pk)
        if locked.prepared_by_id == approver.pk:
            raise ReportError("own_report")
        if locked.state != ReportState.DRAFT:
            raise ReportError("approved")
        if locked.version != expected_version:
            raise ReportError("stale")
        release = do_release_statistics(approver, report_spec(locked), kind="annual")
        locked.release = release
        locked.state = ReportState.APPROVED
        locked.approved_by = approver
        locked.approved_at = timezone.now()
        locked.version += 1
        locked.save(update_fields=["release", "state", "approved_by", "approved_at", "version"])
        record(
            approver,
            "report_approved",
            target_type="annual_report",
            target_id=report.pk,
            details={"release": str(release.pk)},
        )
    return locked
