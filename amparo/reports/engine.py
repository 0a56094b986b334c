"""The statistics engine: counts by one or two dimensions, protected.

One SQL query per release (counting.py) groups the eligible cases of the
statistics table by the coded attributes the release needs (dimensions.py
says which), counting the consenting ones and all of them; Python walks the
groups, never the cases. Each
group becomes an atom of the disclosure-control structure (disclosure.py)
holding the cells it counts in, for the new release and for every earlier
release whose period overlaps it, so that differencing two releases is
audited too.

What is counted: cases with a coding, not closed as "not a reprisal" or
"duplicate", whose reporter consents to statistics. New cases were received
in the period; follow-up cases were received before it and saw activity on
or after its first day. The time dimensions use the day the case was
received.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings

from amparo.reports import disclosure
from amparo.reports.counting import grouped
from amparo.reports.dimensions import (
    COARSER,
    DIMENSIONS,
    NOT_RECORDED,
    TOTAL,
    ReleaseSpec,
    Scope,
    TableSpec,
    cell_id,
    coarsened,
    label_of,
    measures_available,
    region_of,
)

# What callers use through the engine, wherever it is defined.
__all__ = [
    "COARSER",
    "DIMENSIONS",
    "NOT_RECORDED",
    "TOTAL",
    "Earlier",
    "Release",
    "ReleaseSpec",
    "Scope",
    "TableResult",
    "TableSpec",
    "cell_id",
    "coarsened",
    "compute",
    "label_of",
    "measures_available",
    "threshold",
]


def threshold() -> int:
    """k: the configured threshold, never below the floor the code enforces."""
    value = int(getattr(settings, "AMPARO_STATISTICS_THRESHOLD", 5))
    return max(disclosure.MIN_THRESHOLD, value)


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
    if scope.region and _region_matches(region_of(row), scope.region) is False:
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
    in_scope = 0  # consenting or not: the cases left out are the difference
    for row in rows:
        cells: set[str] = set()
        view = _row_scope(row, boundaries, spec.scope)
        if view is not None:
            in_scope += row["everyone"]
        if not row["n"]:
            continue  # nobody in the group consents: it is counted nowhere
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
