"""Forms of the statistics area: what to count, and the annual report."""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from amparo.reference import api as reference
from amparo.reference.models import AssemblySession
from amparo.reports import engine
from amparo.reports.actions import default_period
from amparo.reports.models import NARRATIVE_SECTIONS

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def _dimension_choices() -> list[tuple[str, str]]:
    return [(code, str(d.label)) for code, d in engine.DIMENSIONS.items()]


class PeriodForm(forms.Form):
    start = forms.DateField(label=_("First day"), widget=DATE)
    end = forms.DateField(label=_("Last day"), widget=DATE)
    coarsen_places = forms.BooleanField(
        label=_("Group countries into regions (UN M49)"), required=False
    )
    coarsen_time = forms.BooleanField(label=_("Group months into quarters"), required=False)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            raise forms.ValidationError(_("The first day must come before the last day."))
        return data


def initial_period() -> dict[str, datetime.date]:
    start, end = default_period(timezone.localdate(), settings.AMPARO_REPORT_YEAR_STARTS)
    return {"start": start, "end": end}


class StatisticsForm(PeriodForm):
    rows = forms.ChoiceField(label=_("Count by"), choices=_dimension_choices)
    columns = forms.ChoiceField(
        label=_("and by (optional)"),
        required=False,
        choices=lambda: [("", _("nothing else")), *_dimension_choices()],
    )
    situation = forms.ChoiceField(label=_("Only the situation"), required=False)
    region = forms.ChoiceField(label=_("Only the region"), required=False)
    follow_up = forms.BooleanField(
        label=_("Include follow-up cases (received earlier, active in the period)"),
        required=False,
        initial=True,
    )

    field_order = [
        "rows",
        "columns",
        "start",
        "end",
        "situation",
        "region",
        "follow_up",
        "coarsen_places",
        "coarsen_time",
    ]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        everything: list[tuple[str, str]] = [("", str(_("all")))]
        self.fields["situation"].choices = everything + reference.situation_choices()  # type: ignore[attr-defined]
        self.fields["region"].choices = everything + reference.region_choices()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("rows") and data.get("rows") == data.get("columns"):
            raise forms.ValidationError(_("Choose two different things to count by."))
        return data

    def spec(self) -> engine.ReleaseSpec:
        data = self.cleaned_data
        scope = engine.Scope(
            start=data["start"],
            end=data["end"],
            situation=data.get("situation") or "",
            region=data.get("region") or "",
            follow_up=bool(data.get("follow_up")),
            coarsen_places=bool(data.get("coarsen_places")),
            coarsen_time=bool(data.get("coarsen_time")),
        )
        return engine.ReleaseSpec(
            scope, (engine.TableSpec("t", data["rows"], data.get("columns") or ""),)
        )


class NarrativeForm(forms.Form):
    summary = forms.CharField(
        label=_("Summary"), required=False, widget=forms.Textarea, max_length=20000
    )
    context = forms.CharField(
        label=_("Context and trends"), required=False, widget=forms.Textarea, max_length=20000
    )
    measures = forms.CharField(
        label=_("Measures taken and recommendations"),
        required=False,
        widget=forms.Textarea,
        max_length=20000,
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def sections(self) -> dict[str, str]:
        return {name: self.cleaned_data.get(name, "") for name in NARRATIVE_SECTIONS}


class SessionReportForm(forms.Form):
    """A report for the Bureau on the incidents linked to one Assembly session."""

    session = forms.ChoiceField(label=_("Assembly session"))
    start = forms.DateField(
        label=_("First day"),
        widget=DATE,
        required=False,
        help_text=_("Cases received from this day; empty: 90 days before the session."),
    )
    end = forms.DateField(
        label=_("Last day"),
        widget=DATE,
        required=False,
        help_text=_("Cases received until this day; empty: 90 days after the session."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["session"].choices = reference.session_choices()  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        code = data.get("session")
        session = AssemblySession.objects.filter(code=code).first() if code else None
        if session is None:
            return data
        data["start"] = data.get("start") or session.start - datetime.timedelta(days=90)
        data["end"] = data.get("end") or session.end + datetime.timedelta(days=90)
        if data["start"] > data["end"]:
            raise forms.ValidationError(_("The first day must come before the last day."))
        return data

    def spec(self) -> engine.ReleaseSpec:
        data = self.cleaned_data
        scope = engine.Scope(start=data["start"], end=data["end"], assembly_session=data["session"])
        return engine.ReleaseSpec(scope, SESSION_TABLES)


SESSION_TABLES = (
    engine.TableSpec("timing", "assembly_timing", "assembly_mode"),
    engine.TableSpec("type", "reprisal_category"),
    engine.TableSpec("region", "region"),
    engine.TableSpec("engagement", "engagement"),
)
