"""The annual report's content, the same for the page, the CSV files and the PDFs.

Once approved, everything is drawn from the frozen release; before that, the
page shows a protected preview computed on the spot (and audited as a view).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _

from amparo.reports import charts, engine, present
from amparo.reports.models import NARRATIVE_SECTIONS, AnnualReport

#: Tables drawn as charts too (the others are tables only).
CHARTED = ("type", "place", "engagement", "profile", "time", "measure_kind")
LANGUAGES = ("en", "fr", "es", "ar")


@dataclass
class Figures:
    """The headline figures, from a live result or a frozen release."""

    cases: int
    countries: int
    situations: int
    without_consent: int
    threshold: int


def figures_of(source: Any) -> Figures:
    return Figures(
        cases=source.cases,
        countries=source.countries,
        situations=source.situations,
        without_consent=source.without_consent,
        threshold=source.threshold,
    )


def content(
    report: AnnualReport,
    spec: engine.ReleaseSpec,
    cells: dict[str, int | None],
    figures: Figures,
    language: str,
) -> dict[str, Any]:
    """Everything the report shows, labelled in ``language``."""
    with translation.override(language):
        tables = present.tables_from(spec, cells, language)
        rtl = language == "ar"
        sections = report.narrative.get(language) or {}
        titles = {
            "summary": _("Summary"),
            "context": _("Context and trends"),
            "measures": _("Measures taken and recommendations"),
        }
        narrative = [
            (titles[name], sections.get(name, ""))
            for name in NARRATIVE_SECTIONS
            if sections.get(name)
        ]
        return {
            "report": report,
            "language": language,
            "rtl": rtl,
            "figures": figures,
            "narrative": narrative,
            "tables": [
                {
                    "table": table,
                    "chart": charts.bar_chart(
                        table.title, table.chart_rows(), rtl=rtl, ident=f"chart-{table.key}"
                    )
                    if table.key in CHARTED and table.body
                    else "",
                    "bars": _bars(table.chart_rows()) if table.key in CHARTED else [],
                }
                for table in tables
            ],
            "notes": present.coarsening_note(spec),
            "suppression_note": present.suppression_note(figures.threshold),
        }


def _bars(rows: list[tuple[str, int | None]]) -> list[tuple[str, int | None, int]]:
    """The chart for the PDF: drawn with boxes so the PDF engine shapes every label
    (its SVG text has no bidirectional layout, which would break Arabic)."""
    top = max((value for _label, value in rows if value), default=0) or 1
    return [(label, value, round(100 * (value or 0) / top)) for label, value in rows]


def pdf(context: dict[str, Any]) -> bytes:
    """The print-ready PDF in the context's language (WeasyPrint, system fonts)."""
    from weasyprint import HTML

    with translation.override(context["language"]):
        html = render_to_string("reports/annual_pdf.html", {**context, "pdf": True})
    return bytes(HTML(string=html, url_fetcher=_refuse).write_pdf())


def _refuse(url: str, *args: Any, **kwargs: Any) -> dict[str, Any]:
    # The PDF embeds nothing fetched: no web font, no image from anywhere.
    raise ValueError(f"the report fetches nothing ({url[:40]})")
