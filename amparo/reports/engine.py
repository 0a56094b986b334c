"""The statistics engine: counts by one or two dimensions, protected.

One SQL query per release: the eligible, consenting cases of the statistics
table (``CountedCase``, one narrow row per coded case, see counted.py)
grouped by the coded attributes the release needs (``GROUP BY`` in the database; Python only
walks the groups, never the cases). Each group becomes an atom of the
disclosure-control structure (see disclosure.py) holding the cells it counts
in, for the new release and for every earlier release whose period overlaps
it, so that differencing two releases is audited too.

What is counted: cases with a coding, not closed as "not a reprisal" or
"duplicate", whose reporter consents to statistics. New cases were received
in the period; follow-up cases were received before it and saw activity on
or after its first day. The time dimensions use the day the case was
received.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field, replace
from typing import Any

from django.apps import apps
from django.conf import settings
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
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from amparo.cases.models import Case
from amparo.reference import api as reference
from amparo.reference.data import regions
from amparo.reference.models import SessionMode, SessionTiming
from amparo.reports import consent, disclosure
from amparo.reports.models import CountedCase

TOTAL = "*"
NOT_RECORDED = ""


def threshold() -> int:
    """k: the configured threshold, never below the floor the code enforces."""
    value = int(getattr(settings, "AMPARO_STATISTICS_THRESHOLD", 5))
    return max(disclosure.MIN_THRESHOLD, value)


# --- Dimensions ----------------------------------------------------------------


@dataclass(frozen=True)
class Dimension:
    code: str
    label: Any  # lazy string
    raw: tuple[str, ...]
    values: Callable[[Mapping[str, Any], Scope], tuple[str, ...]]
    label_of: Callable[[str, str | None], str]
    order: Callable[[str], Any] = lambda code: code


def _codes(raw: Any) -> tuple[str, ...]:
    if not raw:
        return (NOT_RECORDED,)
    if isinstance(raw, str):
        raw = [part for part in raw.split(",") if part]
    return tuple(sorted(set(raw))) or (NOT_RECORDED,)


def _term_dimension(
    code: str, label: Any, raw: str, list_code: str, *, category: bool = False
) -> Dimension:
    def values(row: Mapping[str, Any], scope: Scope) -> tuple[str, ...]:
        codes = _codes(row[raw])
        if category:
            return tuple(sorted({c.split(".")[0] for c in codes}))
        return codes

    def label_of(value: str, language: str | None) -> str:
        return reference.term_label(list_code, value, language)

    def order(value: str) -> Any:
        positions = {c: i for i, c in enumerate(reference.term_labels(list_code, "en"))}
        return (positions.get(value, len(positions)), value)

    return Dimension(code, label, (raw,), values, label_of, order)


def _single(raw: str) -> Callable[[Mapping[str, Any], Scope], tuple[str, ...]]:
    def values(row: Mapping[str, Any], scope: Scope) -> tuple[str, ...]:
        return (row[raw] or NOT_RECORDED,)

    return values


def _region_of(row: Mapping[str, Any]) -> str:
    return row["region"] or reference.region_for(row["country"] or "")


def _month(row: Mapping[str, Any]) -> datetime.date:
    value = row["month"]
    return value.date() if isinstance(value, datetime.datetime) else value


def _time_label(value: str, language: str | None) -> str:
    if "-Q" in value:
        year, quarter = value.split("-Q")
        return _("%(year)s, quarter %(quarter)s") % {"year": year, "quarter": quarter}
    return value


def _status(row: Mapping[str, Any], scope: Scope) -> tuple[str, ...]:
    return ("new",) if row["received_on"] >= scope.start else ("follow_up",)


def _status_label(value: str, language: str | None) -> str:
    return str({"new": gettext_lazy("New cases"), "follow_up": gettext_lazy("Follow-up")}[value])


DIMENSIONS: dict[str, Dimension] = {
    d.code: d
    for d in (
        _term_dimension(
            "reprisal_category",
            gettext_lazy("Type of reprisal (category)"),
            "reprisal_types",
            "reprisal_type",
            category=True,
        ),
        _term_dimension(
            "reprisal_type", gettext_lazy("Type of reprisal"), "reprisal_types", "reprisal_type"
        ),
        _term_dimension("engagement", gettext_lazy("Engagement"), "engagement", "engagement"),
        _term_dimension(
            "profile", gettext_lazy("Defender profile"), "profiles", "defender_profile"
        ),
        _term_dimension(
            "perpetrator", gettext_lazy("Perpetrator type"), "perpetrators", "perpetrator"
        ),
        Dimension(
            "situation",
            gettext_lazy("Situation"),
            ("situation",),
            _single("situation"),
            reference.situation_name,
        ),
        Dimension(
            "country",
            gettext_lazy("Country"),
            ("country",),
            _single("country"),
            reference.country_name,
        ),
        Dimension(
            "region",
            gettext_lazy("Region (UN M49)"),
            ("region", "country"),
            lambda row, scope: (_region_of(row) or NOT_RECORDED,),
            reference.region_label,
        ),
        Dimension(
            "month",
            gettext_lazy("Month"),
            ("month",),
            lambda row, scope: (_month(row).strftime("%Y-%m"),),
            _time_label,
        ),
        Dimension(
            "quarter",
            gettext_lazy("Quarter"),
            ("month",),
            lambda row, scope: (f"{_month(row).year}-Q{(_month(row).month - 1) // 3 + 1}",),
            _time_label,
        ),
        Dimension(
            "year",
            gettext_lazy("Year"),
            ("month",),
            lambda row, scope: (str(_month(row).year),),
            _time_label,
        ),
        Dimension(
            "status",
            gettext_lazy("New or follow-up"),
            (),
            _status,
            _status_label,
            order=lambda value: 0 if value == "new" else 1,
        ),
    )
}


def measures_available() -> bool:
    """Whether the protection app (and its Measure model) is installed."""
    return apps.is_installed("amparo.protection")


def _measure_part(index: int) -> Callable[[Mapping[str, Any], Scope], tuple[str, ...]]:
    def values(row: Mapping[str, Any], scope: Scope) -> tuple[str, ...]:
        pairs = [p for p in (row["measures"] or "").split(",") if "~" in p]
        return tuple(sorted({p.split("~")[index] for p in pairs})) or (NOT_RECORDED,)

    return values


def _measure_status_label(value: str, language: str | None) -> str:
    model = apps.get_model("protection", "Measure")
    choices = dict(model._meta.get_field("status").choices or [])
    return str(choices.get(value, value))


if measures_available():
    DIMENSIONS["measure_kind"] = Dimension(
        "measure_kind",
        gettext_lazy("Protection measure"),
        ("measures",),
        _measure_part(0),
        lambda value, language: reference.term_label("protection_measure", value, language),
    )
    DIMENSIONS["measure_outcome"] = Dimension(
        "measure_outcome",
        gettext_lazy("Outcome of the measure"),
        ("measures",),
        _measure_part(1),
        _measure_status_label,
    )


def _choice_label(choices: Any) -> Callable[[str, str | None], str]:
    def label(value: str, language: str | None) -> str:
        return str(dict(choices).get(value, value))

    return label


DIMENSIONS["assembly_timing"] = Dimension(
    "assembly_timing",
    gettext_lazy("Before, during or after the session"),
    ("assembly_timing",),
    _single("assembly_timing"),
    _choice_label(SessionTiming.choices),
    order=lambda value: {"before": 0, "during": 1, "after": 2}.get(value, 3),
)
DIMENSIONS["assembly_mode"] = Dimension(
    "assembly_mode",
    gettext_lazy("In person or online"),
    ("assembly_mode",),
    _single("assembly_mode"),
    _choice_label(SessionMode.choices),
)

#: What "coarsen" turns a fine dimension into.
COARSER = {"country": "region", "month": "quarter", "reprisal_type": "reprisal_category"}


def label_of(dimension: str, value: str, language: str | None = None) -> str:
    if value == NOT_RECORDED:
        return _("Not recorded")
    return DIMENSIONS[dimension].label_of(value, language)


# --- What a release asks for ---------------------------------------------------


@dataclass(frozen=True)
class TableSpec:
    key: str
    rows: str
    columns: str = ""


@dataclass(frozen=True)
class Scope:
    start: datetime.date
    end: datetime.date
    situation: str = ""
    region: str = ""
    follow_up: bool = True
    coarsen_places: bool = False
    coarsen_time: bool = False
    assembly_session: str = ""

    def dimension(self, code: str) -> str:
        if self.coarsen_places and code == "country":
            return "region"
        if self.coarsen_time and code == "month":
            return "quarter"
        return code


@dataclass(frozen=True)
class ReleaseSpec:
    scope: Scope
    tables: tuple[TableSpec, ...]

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["scope"]["start"] = self.scope.start.isoformat()
        data["scope"]["end"] = self.scope.end.isoformat()
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> ReleaseSpec:
        scope = dict(data["scope"])
        scope["start"] = datetime.date.fromisoformat(scope["start"])
        scope["end"] = datetime.date.fromisoformat(scope["end"])
        return cls(Scope(**scope), tuple(TableSpec(**t) for t in data["tables"]))

    def overlaps(self, other: ReleaseSpec) -> bool:
        """Could the two releases count a common case?"""
        a, b = self.scope, other.scope
        if a.start <= b.end and b.start <= a.end:
            return True
        # Follow-up cases were received before the period: anything earlier may be shared.
        return (a.follow_up and b.start <= a.end) or (b.follow_up and a.start <= b.end)


def cell_id(prefix: str, table: str, row: str, column: str | None) -> str:
    return f"{prefix}{table}|{row}" if column is None else f"{prefix}{table}|{row}|{column}"


# --- Results -------------------------------------------------------------------


@dataclass
class TableResult:
    spec: TableSpec
    rows_dimension: str
    columns_dimension: str
    rows: list[str]
    columns: list[str]
    #: Every cell id of the table and its value, suppressed ones included.
    values: dict[str, int]
    suppressed: set[str]

    def cell(self, row: str, column: str | None = None) -> str:
        return cell_id("", self.spec.key, row, column if self.columns_dimension else None)

    def shown(self, row: str, column: str | None = None) -> int | None:
        """The published value, or None when suppressed."""
        key = self.cell(row, column)
        return None if key in self.suppressed else self.values.get(key, 0)


@dataclass
class Release:
    spec: ReleaseSpec
    threshold: int
    tables: list[TableResult]
    protection: disclosure.Protection
    #: Cases left out because their reporter did not consent (or withdrew).
    without_consent: int
    cases: int
    countries: int
    situations: int
    earlier: list[int] = field(default_factory=list)  # ids of earlier releases audited with it

    def published_cells(self) -> dict[str, int | None]:
        cells: dict[str, int | None] = {}
        for table in self.tables:
            for key, value in table.values.items():
                cells[key] = None if key in table.suppressed else value
        return cells

    def small(self, value: int) -> bool:
        return 0 < value < self.threshold


# --- Computing -----------------------------------------------------------------


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
    """The consenting cases of ``specs``' periods grouped by what they need (one query)."""
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
        eligible()
        .annotate(last_activity=_last_activity(specs))
        .filter(consent.in_force(on))
        .filter(_in_any_period(specs))
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
    grouped_rows = (
        queryset.annotate(**annotations).values(*annotations).annotate(n=Count("pk")).order_by()
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


def _row_scope(
    row: Mapping[str, Any], boundaries: Sequence[datetime.date], scope: Scope
) -> dict[str, Any] | None:
    """The row as seen by one release, or None when its cases are outside it."""
    start_index = boundaries.index(scope.start)
    end_index = boundaries.index(scope.end + datetime.timedelta(days=1))
    received = row["received_bucket"]  # received_on < boundaries[received] and >= the one before
    inside = start_index < received <= end_index
    follow_up = scope.follow_up and received <= start_index and row["activity_bucket"] > start_index
    if not (inside or follow_up):
        return None
    if scope.situation and row.get("situation") != scope.situation:
        return None
    if scope.assembly_session and row.get("assembly_session") != scope.assembly_session:
        return None
    if scope.region and _region_matches(_region_of(row), scope.region) is False:
        return None
    view = dict(row)
    view["received_on"] = scope.start if inside else scope.start - datetime.timedelta(days=1)
    return view


def _region_matches(region: str, wanted: str) -> bool:
    if region == wanted:
        return True
    return wanted == "019" and region in ("419", "021")


def _cells_of(row: Mapping[str, Any], spec: ReleaseSpec, prefix: str) -> set[str]:
    cells: set[str] = set()
    scope = spec.scope
    for table in spec.tables:
        row_values = DIMENSIONS[scope.dimension(table.rows)].values(row, scope)
        cells.add(cell_id(prefix, table.key, TOTAL, TOTAL if table.columns else None))
        if not table.columns:
            cells.update(cell_id(prefix, table.key, r, None) for r in row_values)
            continue
        column_values = DIMENSIONS[scope.dimension(table.columns)].values(row, scope)
        cells.update(cell_id(prefix, table.key, r, TOTAL) for r in row_values)
        cells.update(cell_id(prefix, table.key, TOTAL, c) for c in column_values)
        cells.update(cell_id(prefix, table.key, r, c) for r in row_values for c in column_values)
    return cells


@dataclass(frozen=True)
class Earlier:
    """An earlier release, as recorded: its spec and the cells it hid."""

    id: int
    spec: ReleaseSpec
    cells: frozenset[str]
    suppressed: frozenset[str]


def compute(
    spec: ReleaseSpec,
    *,
    on: datetime.date,
    earlier: Iterable[Earlier] = (),
    k: int | None = None,
) -> Release:
    """Count, suppress and audit one release against the overlapping earlier ones."""
    k = threshold() if k is None else k
    if k < disclosure.MIN_THRESHOLD:
        raise ValueError("threshold below the floor")
    overlapping = [e for e in earlier if e.spec.overlaps(spec)]
    specs = [spec, *(e.spec for e in overlapping)]
    rows, boundaries = grouped(specs, on)

    atoms: list[disclosure.Atom] = []
    countries: set[str] = set()
    situations: set[str] = set()
    seen_rows: dict[str, set[str]] = {t.key: set() for t in spec.tables}
    seen_columns: dict[str, set[str]] = {t.key: set() for t in spec.tables}
    cases = 0
    for row in rows:
        cells: set[str] = set()
        view = _row_scope(row, boundaries, spec.scope)
        if view is not None:
            cells |= _cells_of(view, spec, "")
            cases += row["n"]
            countries.add(row["country"] or NOT_RECORDED)
            situations.add(row["situation"] or NOT_RECORDED)
            for table in spec.tables:
                dims = DIMENSIONS[spec.scope.dimension(table.rows)]
                seen_rows[table.key].update(dims.values(view, spec.scope))
                if table.columns:
                    cdims = DIMENSIONS[spec.scope.dimension(table.columns)]
                    seen_columns[table.key].update(cdims.values(view, spec.scope))
        for e in overlapping:
            old_view = _row_scope(row, boundaries, e.spec.scope)
            if old_view is not None:
                cells |= _cells_of(old_view, e.spec, f"#{e.id}:") & {
                    f"#{e.id}:{c}" for c in e.cells
                }
        part = (row["received_bucket"], row["activity_bucket"])
        atoms.append(disclosure.Atom(row["n"], frozenset(cells), part))
    structure = disclosure.Structure.from_atoms(atoms)

    tables: list[TableResult] = []
    new_cells: list[str] = []
    margins: list[str] = []
    for table in spec.tables:
        rows_dim = spec.scope.dimension(table.rows)
        columns_dim = spec.scope.dimension(table.columns) if table.columns else ""
        row_codes = sorted(seen_rows[table.key], key=DIMENSIONS[rows_dim].order)
        column_codes = (
            sorted(seen_columns[table.key], key=DIMENSIONS[columns_dim].order)
            if columns_dim
            else []
        )
        keys: list[str] = []
        if columns_dim:
            for r in row_codes:
                keys += [cell_id("", table.key, r, c) for c in column_codes]
                margins.append(cell_id("", table.key, r, TOTAL))
            margins += [cell_id("", table.key, TOTAL, c) for c in column_codes]
            margins.append(cell_id("", table.key, TOTAL, TOTAL))
        else:
            keys += [cell_id("", table.key, r, None) for r in row_codes]
            margins.append(cell_id("", table.key, TOTAL, None))
        table_cells = keys + [m for m in margins if m.startswith(f"{table.key}|")]
        new_cells += table_cells
        tables.append(
            TableResult(
                spec=table,
                rows_dimension=rows_dim,
                columns_dimension=columns_dim,
                rows=row_codes,
                columns=column_codes,
                values={c: structure.value(c) for c in table_cells},
                suppressed=set(),
            )
        )

    earlier_published: dict[str, int] = {}
    earlier_suppressed: set[str] = set()
    for e in overlapping:
        for c in e.cells:
            key = f"#{e.id}:{c}"
            if c in e.suppressed:
                earlier_suppressed.add(key)
            else:
                earlier_published[key] = structure.value(key)
    protection = disclosure.protect(
        structure,
        new_cells,
        k,
        margins=margins,
        earlier_published=earlier_published,
        earlier_suppressed=earlier_suppressed,
    )
    for result in tables:
        result.suppressed = {c for c in result.values if c in protection.suppressed}

    in_scope = _scoped(eligible(), spec.scope).count()
    return Release(
        spec=spec,
        threshold=k,
        tables=tables,
        protection=protection,
        without_consent=in_scope - cases,
        cases=cases,
        countries=len(countries - {NOT_RECORDED}),
        situations=len(situations - {NOT_RECORDED}),
        earlier=[e.id for e in overlapping],
    )


def _scoped(queryset: QuerySet[CountedCase], scope: Scope) -> QuerySet[CountedCase]:
    """``queryset`` narrowed to one release's period and filters, in SQL."""
    queryset = queryset.annotate(last_activity=_last_activity([ReleaseSpec(scope, ())])).filter(
        _in_any_period([ReleaseSpec(scope, ())])
    )
    if scope.situation:
        queryset = queryset.filter(situation=scope.situation)
    if scope.assembly_session:
        queryset = queryset.filter(assembly_session=scope.assembly_session)
    if scope.region:
        wanted = ("419", "021", "019") if scope.region == "019" else (scope.region,)
        members = [c for c, r in regions.COUNTRY_REGION.items() if r in wanted]
        queryset = queryset.filter(Q(region__in=wanted) | Q(region="", country__in=members))
    return queryset


def coarsened(spec: ReleaseSpec, *, places: bool, time: bool) -> ReleaseSpec:
    return replace(spec, scope=replace(spec.scope, coarsen_places=places, coarsen_time=time))
