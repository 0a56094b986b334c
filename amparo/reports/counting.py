"""Counting in SQL: the statistics table grouped by what the releases need.

One query per release over ``CountedCase`` (one narrow row per coded case,
kept in step by counted.py): the eligible cases of every release's period,
grouped by the attributes the release's tables need and by the period part
each case falls in, each group counted twice: its consenting cases (``n``)
and all of them (``everyone``, for the one total of cases left out for lack
of consent). Python then walks the groups, never the cases.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from typing import Any

from django.apps import apps
from django.db import connection, transaction
from django.db.models import Case as When_
from django.db.models import (
    CharField,
    Count,
    DateField,
    F,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.aggregates import Aggregate
from django.db.models.functions import Concat

from amparo.cases.models import Case
from amparo.reports import consent
from amparo.reports.dimensions import DIMENSIONS, ReleaseSpec
from amparo.reports.models import CountedCase


class _JoinedCodes(Aggregate):
    """The codes of a group as one comma-separated string (SQLite and PostgreSQL)."""

    function = "GROUP_CONCAT"
    output_field = CharField()

    def as_postgresql(self, compiler: Any, connection: Any, **extra: Any) -> Any:
        return self.as_sql(
            compiler,
            connection,
            function="STRING_AGG",
            # No ORDER BY: the codes are sorted and deduplicated in Python, and
            # repeating the expression would repeat its parameters.
            template="%(function)s(%(expressions)s, ',')",
            **extra,
        )


def eligible() -> QuerySet[CountedCase]:
    """Coded cases that may be counted at all, before consent (the statistics table)."""
    return CountedCase.objects.filter(countable=True)


def _last_activity(specs: Sequence[ReleaseSpec]) -> Any:
    """The case's last activity day, read from the case only where a release needs
    it: for cases received before the latest follow-up period's first day (a
    case received on or after it is new in every follow-up release). NULL else."""
    split = _follow_up_start(specs)
    if split is None:
        return Value(None, output_field=DateField())
    activity = Subquery(Case.objects.filter(pk=OuterRef("case_id")).values("last_activity_on")[:1])
    return When_(
        When(received_on__lt=split, then=activity),
        default=Value(None),
        output_field=DateField(),
    )


def _in_any_period(specs: Sequence[ReleaseSpec]) -> Q:
    """Rows (annotated with ``last_activity``) counted by any of ``specs``."""
    condition = Q(pk__in=[])
    for spec in specs:
        s = spec.scope
        part = Q(received_on__gte=s.start, received_on__lte=s.end)
        if s.follow_up:
            part |= Q(received_on__lt=s.start, last_activity__gte=s.start)
        condition |= part
    return condition


def _bucket(field_name: str, boundaries: Sequence[datetime.date]) -> When_:
    whens = [
        When(**{f"{field_name}__lt": day}, then=Value(index))
        for index, day in enumerate(boundaries)
    ]
    return When_(*whens, default=Value(len(boundaries)), output_field=IntegerField())


#: Where each raw attribute a dimension needs comes from in the statistics table.
SOURCES = (
    "reprisal_types",
    "engagement",
    "profiles",
    "perpetrators",
    "situation",
    "country",
    "region",
    "assembly_session",
    "assembly_timing",
    "assembly_mode",
    "month",
)


def _follow_up_start(specs: Sequence[ReleaseSpec]) -> datetime.date | None:
    """The latest first day of a follow-up period: cases received before it may
    count as follow-up and need their last activity."""
    starts = [spec.scope.start for spec in specs if spec.scope.follow_up]
    return max(starts) if starts else None


def _part(
    specs: Sequence[ReleaseSpec],
    boundaries: Sequence[datetime.date],
    needed: set[str],
    rows: Q,
    last_activity: Any,
    consenting: Q,
) -> QuerySet[CountedCase, dict[str, Any]]:
    """The ``rows`` of the statistics table in ``specs``' periods, grouped by the
    period parts and what ``needed`` names; each group's consenting cases
    (``n``) and all of them (``everyone``: those left out are the difference)."""
    queryset = (
        eligible().filter(rows).annotate(last_activity=last_activity).filter(_in_any_period(specs))
    )
    annotations: dict[str, Any] = {
        "received_bucket": _bucket("received_on", boundaries),
        "activity_bucket": _bucket("last_activity", boundaries),
    }
    sources: dict[str, Any] = {name: F(name) for name in SOURCES}
    if "measures" in needed:
        measure = apps.get_model("protection", "Measure")
        sources["measures"] = Subquery(
            measure.objects.filter(case=OuterRef("case_id"))
            .values("case")
            .annotate(codes=_JoinedCodes(Concat("kind", Value("~"), "status")))
            .values("codes")[:1]
        )
    for name in sorted(needed):
        annotations[f"a_{name}"] = sources[name]
    return (
        queryset.annotate(**annotations)
        .values(*annotations)
        .annotate(n=Count("pk", filter=consenting), everyone=Count("pk"))
        .order_by()
    )


def grouped(
    specs: Sequence[ReleaseSpec], on: datetime.date
) -> tuple[list[dict[str, Any]], list[datetime.date]]:
    """The cases of ``specs``' periods grouped by what they need (one query).

    Each group's ``n`` counts its consenting cases, ``everyone`` all of them.
    """
    # Country and situation always: the headline counts them from the same groups.
    needed: set[str] = {"country", "situation"}
    for spec in specs:
        if spec.scope.situation:
            needed.add("situation")
        if spec.scope.region:
            needed.update(("region", "country"))
        if spec.scope.assembly_session:
            needed.add("assembly_session")
        for table in spec.tables:
            for code in (table.rows, table.columns):
                if code:
                    needed.update(DIMENSIONS[spec.scope.dimension(code)].raw)
    boundaries = sorted(
        {spec.scope.start for spec in specs}
        | {spec.scope.end + datetime.timedelta(days=1) for spec in specs}
    )
    # Two parts, one statement. Most rows need neither correlated subquery:
    # received on or after the latest follow-up start (no last activity to
    # read: it is NULL for them anyway) and whose latest consent record is
    # not after ``on`` (the row's own columns answer the consent rule).
    # Without the subqueries PostgreSQL may scan and aggregate that part in
    # parallel. The rest reads the case and the records as before; the two
    # conditions are exact complements, so every row is in one part.
    plain = Q(consent_since__isnull=True) | Q(consent_since__lte=on)
    rest = Q(consent_since__gt=on)
    split = _follow_up_start(specs)
    if split is not None:
        plain &= Q(received_on__gte=split)
        rest |= Q(received_on__lt=split)
    no_activity = Value(None, output_field=DateField())
    grouped_rows = _part(specs, boundaries, needed, plain, no_activity, consent.from_row(on)).union(
        _part(specs, boundaries, needed, rest, _last_activity(specs), consent.in_force(on)),
        all=True,
    )
    with transaction.atomic():
        if connection.vendor == "postgresql":
            # One big aggregate: hash tables in memory instead of batches on
            # disk, and no JIT compilation (it costs more than it saves here).
            # The planner cannot estimate how few groups the bucket expressions
            # make and would sort a million rows on disk to group them: hash
            # instead (a hash aggregate that outgrows work_mem spills, safely).
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL work_mem = '64MB'")
                cursor.execute("SET LOCAL jit = off")
                cursor.execute("SET LOCAL enable_sort = off")
        rows = list(grouped_rows)
    for row in rows:
        for name in needed:
            row[name] = row.pop(f"a_{name}")
    return rows, boundaries
