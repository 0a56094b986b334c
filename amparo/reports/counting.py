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
    starts = [spec.scope.start for spec in specs if spec.scope.follow_up]
    if not starts:
        return Value(None, output_field=DateField())
    activity = Subquery(Case.objects.filter(pk=OuterRef("case_id")).values("last_activity_on")[:1])
    return When_(
        When(received_on__lt=max(starts), then=activity),
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
    queryset = (
        eligible().annotate(last_activity=_last_activity(specs)).filter(_in_any_period(specs))
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
    # Consenting cases (``n``) and all of them (``everyone``) in the same pass:
    # the cases left out for lack of consent are the difference.
    grouped_rows = (
        queryset.annotate(**annotations)
        .values(*annotations)
        .annotate(n=Count("pk", filter=consent.in_force(on)), everyone=Count("pk"))
        .order_by()
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
