"""The statistics area: analysts and coordinators only."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.forms import Textarea
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from amparo.accounts.models import User
from amparo.core.roles import Role
from amparo.core.staff import staff_required
from amparo.reference import api as reference
from amparo.reports import annual as report_content
from amparo.reports import engine, present
from amparo.reports.access import access_release_by_id, access_report_by_id
from amparo.reports.actions import (
    ReportError,
    do_approve_report,
    do_export,
    do_prepare_report,
    do_release_statistics,
    do_view_statistics,
    do_write_narrative,
    report_spec,
)
from amparo.reports.forms import (
    NarrativeForm,
    PeriodForm,
    SessionReportForm,
    StatisticsForm,
    initial_period,
)
from amparo.reports.models import AnnualReport, Release, ReportState

STATISTICS_ROLES = (Role.ANALYST, Role.COORDINATOR)


def _user(request: HttpRequest) -> User:
    return request.user  # type: ignore[return-value]


@staff_required(*STATISTICS_ROLES)
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """Choose what to count; the protected figures appear below (GET: works without JS)."""
    asked = "rows" in request.GET
    form = StatisticsForm(
        request.GET if asked else None, initial=initial_period() | {"follow_up": True}
    )
    context: dict[str, object] = {"form": form, "releases": Release.objects.all()[:20]}
    if asked and form.is_valid():
        spec = form.spec()
        result = do_view_statistics(_user(request), spec)
        context.update(_shown(spec, result.published_cells(), result))
    return render(request, "reports/index.html", context)


def _shown(
    spec: engine.ReleaseSpec, cells: dict[str, int | None], result: engine.Release | Release
) -> dict[str, object]:
    tables = present.tables_from(spec, cells, get_language())
    return {
        "spec": spec,
        "tables": tables,
        "figures": result,
        "notes": present.coarsening_note(spec),
        "suppression_note": present.suppression_note(result.threshold),
        "hides_much": any(t.suppressed_count > max(2, (len(t.body) + 1) // 3) for t in tables),
    }


@staff_required(*STATISTICS_ROLES)
@require_POST
def release(request: HttpRequest) -> HttpResponse:
    form = StatisticsForm(request.POST)
    if not form.is_valid():
        return render(request, "reports/index.html", {"form": form}, status=400)
    recorded = do_release_statistics(_user(request), form.spec())
    messages.success(request, _("The release is recorded. Its figures can now be downloaded."))
    return redirect("reports:release", release_id=recorded.pk)


@staff_required(*STATISTICS_ROLES)
@require_GET
def release_detail(request: HttpRequest, release_id: int) -> HttpResponse:
    recorded = access_release_by_id(_user(request), release_id)
    spec = engine.ReleaseSpec.from_json(recorded.spec)
    context = _shown(spec, recorded.cells, recorded)
    context["release"] = recorded
    if spec.scope.assembly_session:
        context["session_title"] = reference.session_title(spec.scope.assembly_session)
    return render(request, "reports/release.html", context)


@staff_required(*STATISTICS_ROLES)
@require_GET
def release_csv(request: HttpRequest, release_id: int, table: str) -> HttpResponse:
    recorded = access_release_by_id(_user(request), release_id)
    return table_csv(request, recorded, table)


def table_csv(request: HttpRequest, recorded: Release, table: str) -> HttpResponse:
    spec = engine.ReleaseSpec.from_json(recorded.spec)
    language = get_language()
    shown = [t for t in present.tables_from(spec, recorded.cells, language) if t.key == table]
    if not shown:
        raise Http404
    notes = [*present.coarsening_note(spec), present.suppression_note(recorded.threshold)]
    body = shown[0].csv(" ".join(notes))
    do_export(_user(request), recorded, f"csv:{table}", language or "")
    response = HttpResponse(body, content_type="text/csv; charset=utf-8")
    name = f"amparo-{recorded.kind}-{recorded.pk}-{table}-{language}.csv"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# --- The annual report ----------------------------------------------------------


@dataclass
class _NarrativeForm:
    form: NarrativeForm
    provided: bool


@staff_required(*STATISTICS_ROLES)
@require_GET
def annual(request: HttpRequest) -> HttpResponse:
    form = PeriodForm(initial=initial_period())
    return render(
        request,
        "reports/annual_list.html",
        {"form": form, "reports": AnnualReport.objects.all()[:50]},
    )


@staff_required(*STATISTICS_ROLES)
@require_POST
def annual_new(request: HttpRequest) -> HttpResponse:
    form = PeriodForm(request.POST)
    if not form.is_valid():
        context = {"form": form, "reports": AnnualReport.objects.all()[:50]}
        return render(request, "reports/annual_list.html", context, status=400)
    data = form.cleaned_data
    report = do_prepare_report(
        _user(request),
        data["start"],
        data["end"],
        coarsen_places=data["coarsen_places"],
        coarsen_time=data["coarsen_time"],
    )
    return redirect("reports:annual_detail", report_id=report.pk)


def _content(request: HttpRequest, report: AnnualReport, language: str) -> dict[str, Any]:
    if report.release is not None:
        spec = engine.ReleaseSpec.from_json(report.release.spec)
        cells = report.release.cells
        figures = report_content.figures_of(report.release)
    else:
        spec = report_spec(report)
        result = do_view_statistics(_user(request), spec)
        cells = result.published_cells()
        figures = report_content.figures_of(result)
    return report_content.content(report, spec, cells, figures, language)


@staff_required(*STATISTICS_ROLES)
@require_GET
def annual_detail(request: HttpRequest, report_id: int) -> HttpResponse:
    user = _user(request)
    report = access_report_by_id(user, report_id)
    language = get_language() or "en"
    context = _content(request, report, language)
    names = dict(settings.LANGUAGES)
    forms = []
    for code in report_content.LANGUAGES:
        sections = report.narrative.get(code) or {}
        form = NarrativeForm(initial={**sections, "version": report.version}, prefix=code)
        for field in form.fields.values():
            if isinstance(field.widget, Textarea):
                field.widget.attrs.update({"lang": code, "dir": "rtl" if code == "ar" else "ltr"})
        forms.append((code, names.get(code, code), _NarrativeForm(form, report.provided(code))))
    context.update(
        {
            "csv_links": report.state == ReportState.APPROVED,
            "narrative_forms": forms,
            "active_language": language,
            "may_edit": user.is_analyst or user.is_coordinator,
            "may_approve": user.is_coordinator and user.pk != report.prepared_by_id,
            "pdf_languages": [(code, names.get(code, code)) for code in report_content.LANGUAGES],
        }
    )
    return render(request, "reports/annual_detail.html", context)


_REFUSALS = {
    "own_report": gettext_lazy("A coordinator who did not prepare the report must approve it."),
    "approved": gettext_lazy("The report is already approved and can no longer change."),
    "stale": gettext_lazy("Someone changed the report meanwhile. Check it and try again."),
    "not_allowed": gettext_lazy("Your role does not allow this."),
}


@staff_required(*STATISTICS_ROLES)
@require_POST
def annual_narrative(request: HttpRequest, report_id: int, language: str) -> HttpResponse:
    user = _user(request)
    report = access_report_by_id(user, report_id)
    if language not in report_content.LANGUAGES:
        raise Http404
    form = NarrativeForm(request.POST, prefix=language)
    if not form.is_valid():
        messages.error(request, _("The narrative could not be saved: a section is too long."))
        return redirect("reports:annual_detail", report_id=report.pk)
    try:
        do_write_narrative(
            user, report, language, form.sections(), expected_version=form.cleaned_data["version"]
        )
    except ReportError as error:
        messages.error(request, str(_REFUSALS[error.code]))
    else:
        messages.success(request, _("The narrative is saved."))
    return redirect("reports:annual_detail", report_id=report.pk)


@staff_required(Role.COORDINATOR)
@require_POST
def annual_approve(request: HttpRequest, report_id: int) -> HttpResponse:
    user = _user(request)
    report = access_report_by_id(user, report_id)
    try:
        version = int(request.POST.get("version", ""))
    except ValueError:
        version = -1
    try:
        do_approve_report(user, report, expected_version=version)
    except ReportError as error:
        messages.error(request, str(_REFUSALS[error.code]))
    else:
        messages.success(request, _("The report is approved: its figures are released."))
    return redirect("reports:annual_detail", report_id=report.pk)


def _approved(user: User, report_id: int) -> AnnualReport:
    report = access_report_by_id(user, report_id)
    if report.state != ReportState.APPROVED or report.release is None:
        raise Http404  # nothing leaves the desk before approval
    return report


@staff_required(*STATISTICS_ROLES)
@require_GET
def annual_csv(request: HttpRequest, report_id: int, table: str) -> HttpResponse:
    report = _approved(_user(request), report_id)
    assert report.release is not None  # noqa: S101 (checked by _approved)
    return table_csv(request, report.release, table)


@staff_required(*STATISTICS_ROLES)
@require_GET
def annual_pdf(request: HttpRequest, report_id: int, language: str) -> HttpResponse:
    user = _user(request)
    report = _approved(user, report_id)
    if language not in report_content.LANGUAGES or report.release is None:
        raise Http404
    body = report_content.pdf(_content(request, report, language))
    do_export(user, report.release, "pdf", language)
    response = HttpResponse(body, content_type="application/pdf")
    name = f"amparo-annual-report-{report.period_end:%Y}-{language}.pdf"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


# --- Reports to the Bureau on one Assembly session ---------------------------------


@staff_required(*STATISTICS_ROLES)
@require_http_methods(["GET", "POST"])
def session(request: HttpRequest) -> HttpResponse:
    """Choose a session; releasing records the report like any other release."""
    form = SessionReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        recorded = do_release_statistics(_user(request), form.spec(), kind="session")
        messages.success(request, _("The release is recorded. Its figures can now be downloaded."))
        return redirect("reports:release", release_id=recorded.pk)
    releases = Release.objects.filter(kind="session")[:50]
    status = 400 if request.method == "POST" else 200
    return render(
        request, "reports/session.html", {"form": form, "releases": releases}, status=status
    )
