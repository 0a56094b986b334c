"""Bar charts as SVG, drawn on the server from released figures only.

Each chart carries a <title> and a <desc> that states every value, and the
page puts the same figures in a table beside it, so a screen reader gets the
numbers either way. No script, no style attribute (the CSP forbids inline
styles), no external reference: presentation attributes only. A suppressed
figure is drawn as an outlined empty bar labelled as suppressed, never as 0.
"""

from __future__ import annotations

from django.utils.html import escape
from django.utils.translation import gettext as _

WIDTH = 640
BAR = 22
GAP = 8
LABEL = 230
TOP = 8


def bar_chart(
    title: str, rows: list[tuple[str, int | None]], *, rtl: bool = False, ident: str = "chart"
) -> str:
    """An accessible horizontal bar chart; ``None`` values are suppressed."""
    shown = [value for _label, value in rows if value is not None]
    top = max(shown, default=0) or 1
    plot = WIDTH - LABEL - 70
    height = TOP * 2 + len(rows) * (BAR + GAP)
    parts = []
    described = []
    for index, (label, value) in enumerate(rows):
        y = TOP + index * (BAR + GAP)
        text_y = y + BAR * 0.7
        value_text = _("suppressed") if value is None else str(value)
        described.append(f"{label}: {value_text}")
        length = 0 if value is None else max(1, round(plot * value / top)) if value else 0
        if rtl:
            label_x, label_anchor = WIDTH - 4, "end"
            bar_x = WIDTH - LABEL - length
            value_x, value_anchor = WIDTH - LABEL - length - 6, "end"
        else:
            label_x, label_anchor = 4, "start"
            bar_x = LABEL
            value_x, value_anchor = LABEL + length + 6, "start"
        parts.append(
            f'<text x="{label_x}" y="{text_y:.1f}" text-anchor="{label_anchor}" '
            f'font-size="13" fill="#1d2330">{escape(_clip(label))}</text>'
        )
        if value is None:
            empty_x = WIDTH - LABEL - 40 if rtl else LABEL
            parts.append(
                f'<rect x="{empty_x}" y="{y}" width="40" height="{BAR}" fill="none" '
                f'stroke="#4a5568" stroke-dasharray="4 3"/>'
            )
            value_x = empty_x - 6 if rtl else empty_x + 46
        elif length:
            parts.append(
                f'<rect x="{bar_x}" y="{y}" width="{length}" height="{BAR}" fill="#0b5394"/>'
            )
        parts.append(
            f'<text x="{value_x}" y="{text_y:.1f}" text-anchor="{value_anchor}" '
            f'font-size="13" fill="#1d2330">{escape(value_text)}</text>'
        )
    desc = "; ".join(described)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" '
        f'viewBox="0 0 {WIDTH} {height}" width="{WIDTH}" height="{height}" '
        f'aria-labelledby="{ident}-title {ident}-desc">'
        f'<title id="{ident}-title">{escape(title)}</title>'
        f'<desc id="{ident}-desc">{escape(desc)}</desc>' + "".join(parts) + "</svg>"
    )


def _clip(label: str, limit: int = 32) -> str:
    return label if len(label) <= limit else label[: limit - 1] + "…"
