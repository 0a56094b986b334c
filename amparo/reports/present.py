"""Released figures as readers see them: labelled tables, CSV rows, notes.

Everything here reads the released cells (value, or None when suppressed);
nothing reads cases, so an export can only ever show what was released.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping
from dataclasses import dataclass

from django.utils.translation import gettext as _

from amparo.reports import engine
from amparo.reports.engine import TOTAL


@dataclass(frozen=True)
class Shown:
    value: int | None

    @property
    def suppressed(self) -> bool:
        return self.value is None

    def text(self) -> str:
        return _("suppressed") if self.value is None else str(self.value)


@dataclass
class ShownRow:
    code: str
    label: str
    cells: list[Shown]
    total: Shown | None


@dataclass
class ShownTable:
    key: str
    title: str
    rows_dimension: str
    columns_dimension: str
    rows_label: str
    columns: list[tuple[str, str]]
    body: list[ShownRow]
    total: ShownRow

    @property
    def two_way(self) -> bool:
        return bool(self.columns_dimension)

    @property
    def suppressed_count(self) -> int:
        rows = [*self.body, self.total]
        return sum(1 for r in rows for c in [*r.cells, r.total] if c is not None and c.suppressed)

    def csv(self, note: str) -> str:
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n")
        header = [self.rows_label]
        if self.two_way:
            header += [label for _code, label in self.columns] + [_("Total")]
        else:
            header.append(_("Cases"))
        writer.writerow([_safe(h) for h in header])
        for row in [*self.body, self.total]:
            values = [c.text() for c in row.cells]
            if row.total is not None:
                values.append(row.total.text())
            writer.writerow([_safe(row.label), *values])
        writer.writerow([])
        writer.writerow([_safe(note)])
        return out.getvalue()

    def chart_rows(self) -> list[tuple[str, int | None]]:
        """One bar per row: the row total (or the single value of a one-way table)."""
        return [
            (row.label, row.total.value if row.total is not None else row.cells[0].value)
            for row in self.body
        ]


def _safe(text: str) -> str:
    # A label edited by an administrator must not become a spreadsheet formula.
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def title_of(rows: str, columns: str) -> str:
    row_label = str(engine.DIMENSIONS[rows].label)
    if not columns:
        return _("Cases by %(dimension)s") % {"dimension": row_label.lower()}
    return _("Cases by %(rows)s and %(columns)s") % {
        "rows": row_label.lower(),
        "columns": str(engine.DIMENSIONS[columns].label).lower(),
    }


def tables_from(
    spec: engine.ReleaseSpec, cells: Mapping[str, int | None], language: str | None = None
) -> list[ShownTable]:
    result: list[ShownTable] = []
    for table in spec.tables:
        rows_dim = spec.scope.dimension(table.rows)
        columns_dim = spec.scope.dimension(table.columns) if table.columns else ""
        prefix = f"{table.key}|"
        row_codes: set[str] = set()
        column_codes: set[str] = set()
        for key in cells:
            if not key.startswith(prefix):
                continue
            parts = key[len(prefix) :].split("|")
            if parts[0] != TOTAL:
                row_codes.add(parts[0])
            if len(parts) > 1 and parts[1] != TOTAL:
                column_codes.add(parts[1])
        rows = sorted(row_codes, key=engine.DIMENSIONS[rows_dim].order)
        columns = (
            sorted(column_codes, key=engine.DIMENSIONS[columns_dim].order) if columns_dim else []
        )

        def get(row: str, column: str | None, table_key: str = table.key) -> Shown:
            key = engine.cell_id("", table_key, row, column)
            return Shown(cells.get(key, 0))

        body: list[ShownRow] = []
        for code in [*rows, TOTAL]:
            label = _("Total") if code == TOTAL else engine.label_of(rows_dim, code, language)
            if columns_dim:
                shown = ShownRow(code, label, [get(code, c) for c in columns], get(code, TOTAL))
            else:
                shown = ShownRow(code, label, [get(code, None)], None)
            body.append(shown)
        result.append(
            ShownTable(
                key=table.key,
                title=title_of(rows_dim, columns_dim),
                rows_dimension=rows_dim,
                columns_dimension=columns_dim,
                rows_label=str(engine.DIMENSIONS[rows_dim].label),
                columns=[(c, engine.label_of(columns_dim, c, language)) for c in columns],
                body=body[:-1],
                total=body[-1],
            )
        )
    return result


def coarsening_note(spec: engine.ReleaseSpec) -> list[str]:
    notes = []
    if spec.scope.coarsen_places:
        notes.append(_("Countries are grouped into UN M49 regions."))
    if spec.scope.coarsen_time:
        notes.append(_("Months are grouped into quarters."))
    return notes


def suppression_note(threshold: int) -> str:
    return _(
        "“suppressed”: fewer than %(k)s cases, or hidden so that such a figure cannot be "
        "worked out from the others. A case may count under several types, profiles, forms "
        "of engagement or perpetrators; totals count each case once."
    ) % {"k": threshold}
