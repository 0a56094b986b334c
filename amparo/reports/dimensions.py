"""What a release can ask for: the dimensions a table counts by, and the
specification of a release (its tables, its period and filters).

A dimension turns one group of cases (a row of the grouped query, see
counting.py) into the values it counts under: several for a multi-valued
coding field, one otherwise; "" (NOT_RECORDED) when the coding is silent.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, replace
from typing import Any

from django.apps import apps
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from amparo.reference import api as reference
from amparo.reference.models import SessionMode, SessionTiming

TOTAL = "*"
NOT_RECORDED = ""


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


def region_of(row: Mapping[str, Any]) -> str:
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
            lambda row, scope: (region_of(row) or NOT_RECORDED,),
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


def coarsened(spec: ReleaseSpec, *, places: bool, time: bool) -> ReleaseSpec:
    return replace(spec, scope=replace(spec.scope, coarsen_places=places, coarsen_time=time))
